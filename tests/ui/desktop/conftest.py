"""The private session bus and its desktop services, as fixtures for the desktop UI tests."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from dbus_fast.aio import MessageBus
from pytestqt.qtbot import QtBot

from lab.desktop_bus import (
    NOTIFICATIONS,
    NOTIFICATIONS_PATH,
    WATCHER,
    WATCHER_PATH,
    DBusDaemonMissing,
    NotificationRecorder,
    SessionBus,
    StatusNotifierWatcher,
    serve,
)
from mimic_vpn_testing.qt_driving import run
from vpnui.desktop.session_bus import close


@dataclass
class Desktop:
    bus: MessageBus  # the test's own connection (the services, and calls as a tray host makes them)
    notifications: NotificationRecorder
    watcher: StatusNotifierWatcher


@pytest.fixture
def session_bus(monkeypatch: pytest.MonkeyPatch) -> Iterator[SessionBus]:
    try:
        bus = SessionBus()
    except DBusDaemonMissing as exc:
        pytest.skip(str(exc))
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", bus.address)
    yield bus
    bus.stop()


def start_services(qtbot: QtBot, tray_host: bool = True) -> Desktop:
    bus = run(qtbot, MessageBus().connect())
    desktop = Desktop(bus, NotificationRecorder(), StatusNotifierWatcher())
    run(qtbot, serve(bus, NOTIFICATIONS, NOTIFICATIONS_PATH, desktop.notifications))
    if tray_host:
        run(qtbot, serve(bus, WATCHER, WATCHER_PATH, desktop.watcher))
    return desktop


@pytest.fixture
def desktop(qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop, session_bus: SessionBus) -> Iterator[Desktop]:
    """A notification service and a tray host on a private session bus."""
    services = start_services(qtbot)
    yield services
    run(qtbot, close(services.bus))
