"""The tray icon over D-Bus: registered with a real StatusNotifierWatcher, driven through dbusmenu.

The test's side of the bus acts as a tray host does: it reads the item's
properties and sends ``Event(id, "clicked")`` to the exported menu.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dbus_fast import Variant
from pytestqt.qtbot import QtBot

from lab.desktop_bus import get_property
from lab.lab_process import LabProcess
from mimic_core.dbus_calls import call_method
from mimic_vpn_testing.app import app_options, start_app
from mimic_vpn_testing.qt_driving import click, find_item, find_object, run
from tests.ui.desktop.conftest import Desktop
from vpnui.app import MimicApp
from vpnui.connection.states import VPNClientState
from vpnui.desktop.dbusmenu import MENU_PATH
from vpnui.desktop.status_notifier import ITEM_PATH
from vpnui.settings import load_settings, save_settings

ITEM = "org.kde.StatusNotifierItem"
MENU = "com.canonical.dbusmenu"


@pytest.fixture
def app(qtbot: QtBot, desktop: Desktop, lab: LabProcess) -> Iterator[MimicApp]:
    mimic = start_app(qtbot, MimicApp(app_options(lab)))
    yield mimic
    run(qtbot, mimic.shutdown())


def item_property(qtbot: QtBot, desktop: Desktop, name: str) -> Any:
    return run(qtbot, get_property(desktop.bus, desktop.watcher.items[0], ITEM_PATH, ITEM, name))


def menu_labels(qtbot: QtBot, desktop: Desktop) -> list[str]:
    _revision, (_root, _props, children) = run(
        qtbot,
        call_method(
            desktop.bus,
            destination=desktop.watcher.items[0],
            path=MENU_PATH,
            interface=MENU,
            member="GetLayout",
            signature="iias",
            body=[0, -1, []],
        ),
    )
    labels = []
    for child in children:
        _id, props, _ = child.value
        labels.append("---" if "type" in props else props["label"].value)
    return labels


def click_menu(qtbot: QtBot, desktop: Desktop, label: str) -> None:
    """What a tray host sends when the user chooses ``label``."""
    item_id = menu_labels(qtbot, desktop).index(label) + 1
    run(
        qtbot,
        call_method(
            desktop.bus,
            destination=desktop.watcher.items[0],
            path=MENU_PATH,
            interface=MENU,
            member="Event",
            signature="isvu",
            body=[item_id, "clicked", Variant("s", ""), 0],
        ),
    )


def test_the_item_registers_its_icon_follows_the_state_and_the_menu_works(
    qtbot: QtBot, app: MimicApp, desktop: Desktop
) -> None:
    qtbot.waitUntil(lambda: len(desktop.watcher.items) == 1, timeout=5_000)
    assert app.desktop is not None and app.desktop.tray.shown
    assert item_property(qtbot, desktop, "IconName") == "mimic-vpn-off"
    assert Path(item_property(qtbot, desktop, "IconThemePath"), "mimic-vpn-on.svg").is_file()
    assert item_property(qtbot, desktop, "Menu") == MENU_PATH
    location = app.manager.locationName
    tooltip = item_property(qtbot, desktop, "ToolTip")
    assert list(tooltip[2:]) == ["Mimic VPN", f"VPN is off · {location}"]
    assert menu_labels(qtbot, desktop) == [f"VPN is off · {location}", "---", "Connect", "---", "Hide window", "Quit"]

    click_menu(qtbot, desktop, "Connect")
    qtbot.waitUntil(lambda: app.manager.state == VPNClientState.On, timeout=10_000)
    qtbot.waitUntil(lambda: item_property(qtbot, desktop, "IconName") == "mimic-vpn-on", timeout=5_000)
    assert menu_labels(qtbot, desktop)[:3] == [f"VPN is on · {location}", "---", "Disconnect"]

    click_menu(qtbot, desktop, "Disconnect")
    qtbot.waitUntil(lambda: app.manager.state == VPNClientState.Off, timeout=10_000)
    qtbot.waitUntil(lambda: item_property(qtbot, desktop, "IconName") == "mimic-vpn-off", timeout=5_000)

    # Activating the icon hides the window, and again shows it.
    window = app.window
    assert window is not None
    run(
        qtbot,
        call_method(
            desktop.bus,
            destination=desktop.watcher.items[0],
            path=ITEM_PATH,
            interface=ITEM,
            member="Activate",
            signature="ii",
            body=[0, 0],
        ),
    )
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5_000)
    assert "Show window" in menu_labels(qtbot, desktop)
    click_menu(qtbot, desktop, "Show window")
    qtbot.waitUntil(window.isVisible, timeout=5_000)

    quits: list[bool] = []
    app.quitRequested.connect(lambda: quits.append(True))
    click_menu(qtbot, desktop, "Quit")
    qtbot.waitUntil(lambda: quits == [True], timeout=5_000)


def test_a_failure_shows_the_failure_icon(qtbot: QtBot, app: MimicApp, desktop: Desktop, lab: LabProcess) -> None:
    qtbot.waitUntil(lambda: len(desktop.watcher.items) == 1, timeout=5_000)
    lab.control.patch({"internet": False})
    app.manager.toggle()
    qtbot.waitUntil(lambda: item_property(qtbot, desktop, "IconName") == "mimic-vpn-failure", timeout=10_000)
    assert item_property(qtbot, desktop, "Status") == "NeedsAttention"


def test_closing_the_window_keeps_the_app_in_the_tray_only_with_the_setting_and_a_tray(
    qtbot: QtBot, app: MimicApp, desktop: Desktop
) -> None:
    qtbot.waitUntil(lambda: len(desktop.watcher.items) == 1, timeout=5_000)
    assert app.desktop is not None
    assert app.desktop.keeps_running_in_tray()
    app.preferences.desktop.setSwitch("keep_in_tray", False)
    assert not app.desktop.keeps_running_in_tray()
    assert load_settings().desktop.keep_in_tray is False


def test_start_minimised_goes_to_the_tray_and_connect_on_launch_connects(
    qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop, desktop: Desktop, lab: LabProcess
) -> None:
    settings = load_settings()
    settings.desktop.start_minimised = True
    settings.desktop.connect_on_launch = True
    save_settings(settings)
    app = MimicApp(app_options(lab))
    try:
        window = app.show()
        assert not window.isVisible()  # never shown (tests/ui/desktop/test_start_minimised.py: from process start)
        run(qtbot, app.start())
        assert app.desktop is not None and app.desktop.tray.shown
        assert not window.isVisible()  # in the tray
        qtbot.waitUntil(lambda: app.manager.state == VPNClientState.On, timeout=15_000)
    finally:
        run(qtbot, app.shutdown())


def test_without_a_tray_host_there_is_no_icon_and_no_warning(
    qtbot: QtBot,
    qt_loop: asyncio.AbstractEventLoop,
    session_bus: object,
    lab: LabProcess,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    app = start_app(qtbot, MimicApp(app_options(lab)))
    try:
        assert app.desktop is not None and not app.desktop.tray.shown
        assert not app.desktop.keeps_running_in_tray()  # closing the window quits
    finally:
        run(qtbot, app.shutdown())
    assert [r.getMessage() for r in caplog.records if r.name.startswith("vpnui.desktop.tray")] == [
        "no tray icon: no StatusNotifierWatcher on the session bus (no tray host)"
    ]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_without_a_session_bus_the_app_starts_without_a_warning(
    qtbot: QtBot,
    qt_loop: asyncio.AbstractEventLoop,
    lab: LabProcess,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    monkeypatch.delenv("DISPLAY", raising=False)
    caplog.set_level(logging.INFO)
    app = start_app(qtbot, MimicApp(app_options(lab)))
    try:
        assert app.desktop is not None and not app.desktop.tray.shown
        app.window.hide() if app.window else None
        app.manager.toggle()
        qtbot.waitUntil(lambda: app.manager.state == VPNClientState.On, timeout=10_000)
        qtbot.waitUntil(lambda: any("notifications are off" in r.getMessage() for r in caplog.records), timeout=5_000)
    finally:
        run(qtbot, app.shutdown())
    assert any(r.getMessage().startswith("no tray icon: no D-Bus session bus") for r in caplog.records)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_the_login_start_switch_writes_and_removes_the_autostart_entry(
    qtbot: QtBot, app: MimicApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    entry = tmp_path / "autostart" / "mimic-vpn.desktop"
    window = app.window
    assert window is not None
    click(qtbot, window, "settingsButton")
    qtbot.waitUntil(lambda: bool(find_object(window, "settingsPanel").property("opened")), timeout=5_000)
    switch = find_item(window, "desktopSwitch_launch_at_login")
    assert switch.property("checked") is False
    click(qtbot, window, "desktopSwitch_launch_at_login")
    qtbot.waitUntil(entry.is_file, timeout=5_000)
    text = entry.read_text()
    assert "Exec=" in text and "-m vpnui" in text and "X-GNOME-Autostart-enabled=true" in text
    assert load_settings().desktop.launch_at_login is True
    click(qtbot, window, "desktopSwitch_launch_at_login")
    qtbot.waitUntil(lambda: not entry.exists(), timeout=5_000)
    assert load_settings().desktop.launch_at_login is False
