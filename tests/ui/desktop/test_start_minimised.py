"""Start minimised, in a real ``vpnui`` process: the window is never put on screen when a tray host runs.

The app is ``python -m vpnui`` itself (through ``tests.support.window_events``,
which reports every Show, Expose and visibility change of its windows from
before the main window exists), on a private session bus served by
``python -m lab.desktop_bus``: a StatusNotifierWatcher and a notification
service, as a desktop runs them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dbus_fast.aio import MessageBus

from lab.desktop_bus import SessionBus
from lab.lab_process import LabProcess
from mimic_core.dbus_calls import call_method
from tests.support.desktop_session import foreign_lines
from tests.support.json_lines import JsonLines
from vpnui.desktop.status_notifier import ITEM_PATH
from vpnui.settings import load_settings, save_settings


@pytest.fixture
def start_minimised(mimic_home: Path) -> None:
    settings = load_settings()
    settings.desktop.start_minimised = True
    save_settings(settings)


def desktop_services(tmp_path: Path, tray_host: bool) -> JsonLines:
    services = JsonLines(
        ["-m", "lab.desktop_bus", *([] if tray_host else ["--no-tray-host"])], tmp_path / "desktop-bus.stderr"
    )
    services.read_until("serving")
    return services


@pytest.fixture
def tray_host(session_bus: SessionBus, tmp_path: Path) -> Iterator[JsonLines]:
    services = desktop_services(tmp_path, tray_host=True)
    yield services
    services.stop()
    assert services.stderr() == ""  # its stdin is /dev/null: no command, and no complaint


@pytest.fixture
def no_tray_host(session_bus: SessionBus, tmp_path: Path) -> Iterator[JsonLines]:
    services = desktop_services(tmp_path, tray_host=False)
    yield services
    services.stop()
    assert services.stderr() == ""  # its stdin is /dev/null: no command, and no complaint


@pytest.fixture
def vpnui(lab: LabProcess, tmp_path: Path) -> Iterator[JsonLines]:
    """``python -m vpnui`` (it finds the lab of this home), its window watched."""
    app = JsonLines(["-m", "tests.support.window_events", "--log-level", "DEBUG"], tmp_path / "vpnui.stderr")
    yield app
    assert app.stop() == 0, app.stderr()
    # Nothing but the app's own INFO and DEBUG lines: no warning, no Qt message, no traceback.
    assert foreign_lines(app.stderr()) == []


def on_screen(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What put the main window on screen, or would have: shown, exposed, visible, a frame drawn."""
    return [
        line
        for line in lines
        if (line["event"] == "window" and (line["kind"] == "show" or line["exposed"] or line["visible"]))
        or (line["event"] in ("loaded", "visibility", "desktop_started") and line["visibility"] != "Hidden")
        or line["event"] == "frame"
    ]


def activate_item(item: str) -> None:
    """Click the tray icon, as a tray host tells the item."""

    async def click() -> None:
        bus = await MessageBus().connect()
        try:
            await call_method(
                bus,
                destination=item,
                path=ITEM_PATH,
                interface="org.kde.StatusNotifierItem",
                member="Activate",
                signature="ii",
                body=[0, 0],
            )
        finally:
            bus.disconnect()

    asyncio.run(click())


def test_with_a_tray_host_a_start_minimised_app_never_puts_its_window_on_screen(
    start_minimised: None, tray_host: JsonLines, vpnui: JsonLines
) -> None:
    started = vpnui.read_until("desktop_started")
    registered = tray_host.read_until("item_registered")
    assert registered["service"].startswith(f"org.kde.StatusNotifierItem-{vpnui.process.pid}-")
    assert started["tray_shown"] is True
    assert on_screen(vpnui.lines) == []
    assert next(line for line in vpnui.lines if line["event"] == "loaded")["visibility"] == "Hidden"

    # The record does see a window being shown: the tray icon's click shows it.
    activate_item(registered["service"])
    shown = vpnui.read_until("frame")
    assert any(line["event"] == "window" and line["kind"] == "show" for line in vpnui.lines)
    assert shown["event"] == "frame"


def test_without_a_tray_host_a_start_minimised_app_is_minimised_to_the_taskbar(
    start_minimised: None, no_tray_host: JsonLines, vpnui: JsonLines
) -> None:
    started = vpnui.read_until("desktop_started")
    assert started["tray_shown"] is False
    assert started["visibility"] == "Minimized"
    # Never shown in a normal state first: from hidden straight to minimised.
    visibilities = [line["visibility"] for line in vpnui.lines if line["event"] == "visibility"]
    assert visibilities == ["Minimized"]
    assert next(line for line in vpnui.lines if line["event"] == "loaded")["visibility"] == "Hidden"
