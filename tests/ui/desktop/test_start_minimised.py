"""Start minimised, in a real ``vpnui`` process: the window is never put on screen when a tray host runs.

The app is ``python -m vpnui`` itself (through ``tests.support.window_events``,
which reports every Show, Expose and visibility change of its windows from
before the main window exists), on a private session bus served by
``python -m lab.desktop_bus``: a StatusNotifierWatcher and a notification
service, as a desktop runs them.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest
from dbus_fast.aio import MessageBus

from lab.desktop_bus import SessionBus, call
from lab.lab_process import LabProcess
from vpnui.desktop.status_notifier import ITEM_PATH
from vpnui.settings import load_settings, save_settings

START_TIMEOUT_S = 60.0
EXIT_TIMEOUT_S = 20.0
LOG_LINE = re.compile(r"\d{4}-\d\d-\d\d [\d:,]+ \S+ (DEBUG|INFO) ")


class JsonLines:
    """A child process that reports JSON lines on stdout; its stderr goes to a file."""

    def __init__(self, args: list[str], stderr_path: Path) -> None:
        self.stderr_path = stderr_path
        self._stderr: IO[bytes] = stderr_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, *args], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self._stderr
        )
        self.lines: list[dict[str, Any]] = []
        self._buffer = b""

    def read_until(self, event: str, timeout_s: float = START_TIMEOUT_S) -> dict[str, Any]:
        """Every line up to the first ``event`` is kept in ``lines``; that line is returned."""
        assert self.process.stdout is not None
        deadline = time.monotonic() + timeout_s
        while True:
            while b"\n" in self._buffer:
                line, self._buffer = self._buffer.split(b"\n", 1)
                self.lines.append(json.loads(line))
                if self.lines[-1]["event"] == event:
                    return self.lines[-1]
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"no {event!r} within {timeout_s:.0f} s: {self.lines}\n{self.stderr()}"
            readable, _, _ = select.select([self.process.stdout], [], [], remaining)
            if readable:
                chunk = os.read(self.process.stdout.fileno(), 65536)
                assert chunk, f"exited ({self.process.wait()}) before {event!r}: {self.lines}\n{self.stderr()}"
                self._buffer += chunk

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=EXIT_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        assert self.process.stdout is not None
        self.process.stdout.close()
        self._stderr.close()
        return self.process.returncode


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


@pytest.fixture
def no_tray_host(session_bus: SessionBus, tmp_path: Path) -> Iterator[JsonLines]:
    services = desktop_services(tmp_path, tray_host=False)
    yield services
    services.stop()


@pytest.fixture
def vpnui(lab: LabProcess, tmp_path: Path) -> Iterator[JsonLines]:
    """``python -m vpnui`` (it finds the lab of this home), its window watched."""
    app = JsonLines(["-m", "tests.support.window_events", "--log-level", "DEBUG"], tmp_path / "vpnui.stderr")
    yield app
    assert app.stop() == 0, app.stderr()
    # Nothing but the app's own INFO and DEBUG lines: no warning, no Qt message, no traceback.
    assert [line for line in app.stderr().splitlines() if not LOG_LINE.match(line)] == []


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
            await call(
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
