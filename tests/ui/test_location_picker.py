"""The location picker: recent locations on top, a clear selected marker, latency in words, search.

The real app against a real lab whose servers answer with the latencies set
here; the picker is opened and used as a user does.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF
from PySide6.QtGui import QAccessible
from PySide6.QtQuick import QQuickWindow
from pytestqt.qtbot import QtBot

from lab.lab_process import LabProcess
from mimic_vpn_testing.app import make_app, start_app
from mimic_vpn_testing.qt_driving import click, find_item, named_items, open_popups, run, shown, text_of, type_text


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
    click(qtbot, window, row)
    qtbot.waitUntil(lambda: open_popups(window, ["locationPicker"]) == [], timeout=5_000)


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
        assert any(row["city"] == "São Paulo" for row in app.manager.locations), "the name with its diacritics"
        choose(qtbot, window, "location_fr_par")
        choose(qtbot, window, "location_br_sao")

        open_picker(qtbot, window)
        rows = location_rows(window)
        # The locations chosen last head the list, the last one first.
        assert rows[:2] == ["location_br_sao_recent", "location_fr_par_recent"], rows
        assert "location_de_ber" in rows[2:]
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
    finally:
        run(qtbot, app.shutdown())
