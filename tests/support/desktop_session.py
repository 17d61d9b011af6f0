"""A real ``python -m vpnui`` in a GNOME-like X session of its own, for the tests that need a desktop around the app.

The offscreen platform the other UI tests use asks the desktop nothing: here
the app is ``python -m vpnui`` itself (through ``tests.support.window_events``)
on Qt's xcb platform, on an X display of its own (``lab.desktop_display``),
with a private session bus (``lab.desktop_bus``) whose services
``python -m lab.desktop_bus`` serves, and its inspector to read what it
shows.  The fixtures that start them are in ``tests/ui/desktop/conftest.py``.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lab.desktop_bus import APPEARANCE, COLOR_SCHEME_KEY, ColorScheme
from lab.desktop_display import XvfbDisplay
from mimic_core.inspector_protocol import AppState, InspectorClient, InspectorUnavailable
from tests.support import window_pixels
from tests.support.json_lines import JsonLines
from vpnui.inspector import default_socket_path

SWITCH_TIMEOUT_S = 10.0
LOG_LINE = re.compile(r"\d{4}-\d\d-\d\d [\d:,]+ \S+ (DEBUG|INFO) ")
# Outside the status card's margin (Theme.spacing): the window's own colour, Theme.bgPage.
PAGE_POINT = (4, 4)


def gnome_session(display: XvfbDisplay, runtime_dir: Path, **extra: str) -> dict[str, str]:
    """The environment an app launched in a GNOME session on X11 has: this display, this bus (already set).

    XDG_CURRENT_DESKTOP=GNOME is what makes Qt look for the GNOME platform
    themes at all (``QGenericUnixTheme::themeNames``: gtk3, then gnome); no
    QT_QPA_PLATFORMTHEME, which GNOME does not set, so the app's own choice
    (``vpnui.desktop.platform_theme``) is the one made.  The xcb platform,
    because the offscreen one ignores platform themes.
    """
    env = {name: value for name, value in os.environ.items() if name != "QT_QPA_PLATFORMTHEME"}
    env.update(
        DISPLAY=display.name,
        QT_QPA_PLATFORM="xcb",
        XDG_CURRENT_DESKTOP="GNOME",
        XDG_SESSION_TYPE="x11",
        XDG_SESSION_DESKTOP="gnome",
        XDG_RUNTIME_DIR=str(runtime_dir),
    )
    env.update(extra)
    return env


def foreign_lines(stderr: str) -> list[str]:
    """The lines of the app's stderr other than its own INFO and DEBUG log lines: a warning, a Qt message..."""
    return [line for line in stderr.splitlines() if not LOG_LINE.match(line)]


class GnomeDesktop:
    """The desktop's services (``python -m lab.desktop_bus``) with its settings portal, and its display."""

    def __init__(self, services: JsonLines, display: XvfbDisplay, runtime_dir: Path) -> None:
        self.services = services
        self.display = display
        self.runtime_dir = runtime_dir

    def set_color_scheme(self, scheme: ColorScheme) -> None:
        """What flipping GNOME's dark style does: the portal's setting changes and it says so."""
        self.services.send(f"{COLOR_SCHEME_KEY} {scheme.setting}")
        changed = self.services.read_until("setting_changed")
        assert (changed["key"], changed["value"]) == (COLOR_SCHEME_KEY, scheme)

    def wait_for_a_read_of_the_color_scheme(self) -> dict[str, Any]:
        """The first portal read that asked for the appearance settings (waiting for it, bounded)."""
        seen = 0
        while True:
            reads = [line for line in self.services.lines if line["event"] == "setting_read"]
            for line in reads[seen:]:
                if any(arg in (APPEARANCE, "org.freedesktop.*", "") for arg in line["args"]) or not line["args"]:
                    return line
            seen = len(reads)
            self.services.read_until("setting_read", timeout_s=SWITCH_TIMEOUT_S)


class App:
    """``python -m vpnui`` (watched) with its inspector, in a desktop session."""

    def __init__(self, process: JsonLines, desktop: GnomeDesktop) -> None:
        self.process = process
        self.desktop = desktop
        started = process.read_until("desktop_started")
        assert started["visible"] and started["window_id"], started
        self.window_id: int = started["window_id"]
        self.inspector = self._connect()

    def _connect(self) -> InspectorClient:
        deadline = time.monotonic() + SWITCH_TIMEOUT_S
        while True:
            try:
                return InspectorClient(default_socket_path(), timeout=SWITCH_TIMEOUT_S)
            except InspectorUnavailable:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def state(self) -> AppState:
        return self.inspector.state()

    def wait_for(
        self, done: Callable[[AppState], bool], failure: Callable[[AppState], str], timeout_s: float = SWITCH_TIMEOUT_S
    ) -> AppState:
        """The inspector's state once ``done`` holds for it; past ``timeout_s``, ``failure`` of the last one fails."""
        deadline = time.monotonic() + timeout_s
        while not done(state := self.state()):
            assert time.monotonic() < deadline, failure(state)
            time.sleep(0.05)
        return state

    def wait_for_palette(self, palette: str) -> AppState:
        """The inspector's state once the window's palette is ``palette`` (bounded wait)."""
        return self.wait_for(
            lambda state: state.palette == palette,
            lambda state: f"the window stayed {state.palette} (Qt says {state.system_color_scheme})",
        )

    def page_colour(self, expected: str) -> str:
        """The colour the X server shows at ``PAGE_POINT`` once it is ``expected`` (or the last one seen)."""
        deadline = time.monotonic() + SWITCH_TIMEOUT_S
        while True:
            shown = window_pixels.read(self.window_id, [PAGE_POINT], self.desktop.display.name)[PAGE_POINT]
            if shown == expected or time.monotonic() > deadline:
                return shown
            time.sleep(0.1)
