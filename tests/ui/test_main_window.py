"""The main window comes in two steps: on screen first, its screens once the app exists."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import QObject
from PySide6.QtQml import QQmlApplicationEngine
from pytestqt.qtbot import QtBot

from lab.lab_process import LabProcess
from mimic_vpn_testing.app import app_options
from mimic_vpn_testing.qt_driving import find_item, find_object, run
from vpnui.app import MimicApp
from vpnui.main_window import load_main_window, show_startup_error


def test_window_says_it_is_starting_then_gets_its_screens_in_place(
    qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop, lab: LabProcess
) -> None:
    engine = QQmlApplicationEngine()
    window = load_main_window(engine)
    qtbot.waitExposed(window)
    placeholder = find_item(window, "startupPlaceholder")
    assert placeholder.isVisible()
    assert find_object(window, "mainContent").property("item") is None
    assert window.findChild(QObject, "vpnToggle") is None

    app = MimicApp(app_options(lab), engine=engine)
    try:
        # The same window, not a second one, now with the screens.
        assert app.show() is window
        assert engine.rootObjects() == [window]
        assert find_object(window, "mainContent").property("item") is not None
        assert not placeholder.isVisible()
        toggle = find_item(window, "vpnToggle")
        qtbot.waitUntil(lambda: toggle.isVisible() and toggle.width() > 0)
        assert find_item(window, "statusTitle").property("text") == app.manager.property("title")
        # The skeleton stood where the status card, off, now is, at its height.
        header = find_item(window, "statusHeader")
        qtbot.waitUntil(lambda: header.height() > 0)
        assert abs(header.height() - placeholder.height()) <= 1
    finally:
        run(qtbot, app.shutdown())


def test_a_broken_config_is_said_in_the_window(qtbot: QtBot) -> None:
    engine = QQmlApplicationEngine()
    window = load_main_window(engine)
    qtbot.waitExposed(window)
    assert window.findChild(QObject, "startupErrorText") is None  # made only on error
    message = "/home/user/.config/mimic-vpn/config.toml: Expected '=' after a key (line 3, column 5)"
    try:
        show_startup_error(window, message)
        error = find_item(window, "startupErrorText")
        qtbot.waitUntil(lambda: error.isVisible() and error.height() > 0)
        assert error.property("text") == message
        assert not find_item(window, "startupPlaceholder").isVisible()
    finally:
        window.close()
        engine.deleteLater()
