"""The location picker: the locations connected to last on top, a clear selected marker, latency in words, search.

The real app against a real lab whose servers answer with the latencies set
here; the picker is opened and used as a user does.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QAccessible
from PySide6.QtQuick import QQuickWindow
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from lab.lab_process import LabProcess
from mimic_vpn_testing.app import make_app, start_app, switch_on
from mimic_vpn_testing.qt_driving import click, find_item, named_items, open_popups, run, shown, text_of, type_text
from vpnui.app import MimicApp
from vpnui.connection.states import VPNClientState


def location_rows(window: QQuickWindow) -> list[str]:
    """The picker's rows on screen, top to bottom, by objectName."""
    rows = [
        (item.mapToScene(QPointF(0, 0)).y(), name)
        for name, item in named_items(window).items()
        if name.startswith("location_") and not name.endswith("_score") and item.isVisible()
    ]
    return [name for _, name in sorted(rows)]


def open_picker(qtbot: QtBot, window: QQuickWindow) -> None:
    click(qtbot, window, "locationButton")
    qtbot.waitUntil(lambda: open_popups(window, ["locationPicker"]) == ["locationPicker"], timeout=5_000)


def choose(qtbot: QtBot, window: QQuickWindow, row: str) -> None:
    open_picker(qtbot, window)
    # The list makes its rows on the frame after it opens: click one once it is drawn.
    qtbot.waitUntil(lambda: shown(window, row), timeout=5_000)
    click(qtbot, window, row)
    qtbot.waitUntil(lambda: open_popups(window, ["locationPicker"]) == [], timeout=5_000)


def connect_to(qtbot: QtBot, app: MimicApp, row: str, server_prefix: str) -> None:
    """Choose the location while on: the connection moves there (a location is recent once connected to)."""
    assert app.window is not None
    choose(qtbot, app.window, row)
    qtbot.waitUntil(
        lambda: app.manager.state == VPNClientState.On and str(app.manager.serverName).startswith(server_prefix),
        timeout=15_000,
    )


def test_recent_on_top_selected_marked_latency_in_words_and_search(
    qtbot: QtBot, qt_loop: object, lab: LabProcess
) -> None:
    servers = [s.name for s in lab.control.servers().servers()]
    # Within the test handshake timeout (0.3 s), so every location answers.
    slow = {name: {"latency_ms": 250} for name in servers if name.startswith("jp-tyo")}
    medium = {name: {"latency_ms": 100} for name in servers if name.startswith("fr-par")}
    lab.control.patch({"servers": {**slow, **medium}})
    app = start_app(qtbot, make_app(lab))
    window = app.window
    assert window is not None
    try:
        assert any(row.city == "São Paulo" for row in app.manager.location_model.rows), "the name with its diacritics"
        # Chosen but never connected to: not a recent location.
        choose(qtbot, window, "location_fr_par")
        choose(qtbot, window, "location_de_ber")
        open_picker(qtbot, window)
        qtbot.waitUntil(lambda: shown(window, "location_jp_tyo"), timeout=5_000)
        assert not any(name.endswith("_recent") for name in location_rows(window))
        press_escape(qtbot, window)

        switch_on(qtbot, app)
        connect_to(qtbot, app, "location_fr_par", "fr-par")
        connect_to(qtbot, app, "location_br_sao", "br-sao")

        open_picker(qtbot, window)
        qtbot.waitUntil(lambda: shown(window, "location_de_ber"), timeout=5_000)
        rows = location_rows(window)
        # The locations connected to last head the list, the last one first.
        assert rows[:3] == ["location_br_sao_recent", "location_fr_par_recent", "location_de_ber_recent"], rows
        assert "location_de_ber" in rows[3:]
        # The selected one is marked (a check mark and a bar besides the bold name), and only it.
        selected = [name for name in rows if find_item(window, name).property("selected")]
        assert selected == ["location_br_sao_recent", "location_br_sao"]

        def score(row: str) -> str:
            return text_of(window, f"{row}_score")

        qtbot.waitUntil(
            lambda: all("ms" in score(row) for row in ("location_de_ber", "location_jp_tyo")), timeout=10_000
        )
        qtbot.waitUntil(lambda: score("location_fr_par").endswith("moderate"), timeout=10_000)
        assert score("location_de_ber").endswith("· good")
        assert score("location_jp_tyo").endswith("· poor")
        # A screen reader hears the word too.
        tokyo = QAccessible.queryAccessibleInterface(find_item(window, "location_jp_tyo"))
        assert tokyo.text(QAccessible.Text.Name) == "Tokyo, Japan"
        assert tokyo.text(QAccessible.Text.Description).endswith("ms, poor")

        # Case and accents do not matter: "sao" finds São Paulo, and only it.
        type_text(qtbot, window, "locationSearch", "sao")
        qtbot.waitUntil(lambda: location_rows(window) == ["location_br_sao"], timeout=2_000)
        assert find_item(window, "location_br_sao").property("text") == "São Paulo"
        type_text(qtbot, window, "locationSearch", "xyz")
        qtbot.waitUntil(lambda: location_rows(window) == [], timeout=2_000)
        assert shown(window, "locationNoMatch")
        press_escape(qtbot, window)
    finally:
        run(qtbot, app.shutdown())


def press_escape(qtbot: QtBot, window: QQuickWindow) -> None:
    QTest.keyClick(window, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: open_popups(window, ["locationPicker"]) == [], timeout=5_000)
