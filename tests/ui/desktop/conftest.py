"""The private session bus and its desktop services, as fixtures for the desktop UI tests.

``desktop``: the notification service and tray host in this process, for
the app in this process.  ``start_desktop`` and ``start_app``: a real
``python -m vpnui`` in a GNOME-like X session of its own
(``tests.support.desktop_session``).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from dbus_fast.aio import MessageBus
from pytestqt.qtbot import QtBot

from lab.desktop_bus import (
    NOTIFICATIONS,
    NOTIFICATIONS_PATH,
    WATCHER,
    WATCHER_PATH,
    ColorScheme,
    DBusDaemonMissing,
    NotificationRecorder,
    SessionBus,
    StatusNotifierWatcher,
    serve,
)
from lab.desktop_display import XvfbDisplay, XvfbMissing
from lab.lab_process import LabProcess
from mimic_core.dbus_calls import disconnect
from mimic_vpn_testing.qt_driving import run
from tests.support.desktop_session import App, GnomeDesktop, foreign_lines, gnome_session
from tests.support.json_lines import JsonLines


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
    run(qtbot, disconnect(services.bus))


@pytest.fixture
def x_display(tmp_path: Path) -> Iterator[XvfbDisplay]:
    with (tmp_path / "xvfb.stderr").open("wb") as stderr:
        try:
            display = XvfbDisplay(stderr=stderr)
        except XvfbMissing as exc:
            pytest.skip(str(exc))
        try:
            # The app's own check that Qt's xcb platform can load (it installs what is missing as root).
            check = subprocess.run(
                [sys.executable, "-m", "vpnui.system_check"],
                env={**os.environ, "DISPLAY": display.name},
                capture_output=True,
                text=True,
                check=False,
            )
            if check.returncode != 0:
                pytest.skip(f"no xcb window on this machine: {check.stderr}")
            yield display
        finally:
            display.stop()


@pytest.fixture
def runtime_dir(tmp_path: Path) -> Path:
    # The session's XDG_RUNTIME_DIR (/run/user/UID under a login): private, as Qt requires.
    path = tmp_path / "xdg-runtime"
    path.mkdir(mode=0o700)
    return path


@pytest.fixture
def start_desktop(
    session_bus: SessionBus, x_display: XvfbDisplay, runtime_dir: Path, tmp_path: Path
) -> Iterator[Callable[[ColorScheme], GnomeDesktop]]:
    started: list[JsonLines] = []

    def start(scheme: ColorScheme) -> GnomeDesktop:
        services = JsonLines(
            ["-m", "lab.desktop_bus", "--color-scheme", scheme.setting], tmp_path / "desktop-bus.stderr", commands=True
        )
        started.append(services)
        services.read_until("serving")
        return GnomeDesktop(services, x_display, runtime_dir)

    yield start
    for services in started:
        services.stop()
        assert services.stderr() == ""


@pytest.fixture
def start_app(lab: LabProcess, tmp_path: Path) -> Iterator[Callable[..., App]]:
    """Starts ``python -m vpnui --inspector ARGS`` (it finds the lab of this home) in ``desktop``'s session."""
    started: list[App] = []
    processes: list[JsonLines] = []

    def start(desktop: GnomeDesktop, *args: str, **env: str) -> App:
        process = JsonLines(
            ["-m", "tests.support.window_events", "--log-level", "DEBUG", "--inspector", *args],
            tmp_path / f"vpnui-{len(processes)}.stderr",
            env=gnome_session(desktop.display, desktop.runtime_dir, **env),
        )
        processes.append(process)
        app = App(process, desktop)
        started.append(app)
        return app

    yield start
    for app in started:
        app.inspector.close()
    for process in processes:
        assert process.stop() == 0, process.stderr()
        # Nothing but the app's own INFO and DEBUG lines: no warning, no Qt message, no traceback.
        assert foreign_lines(process.stderr()) == []
