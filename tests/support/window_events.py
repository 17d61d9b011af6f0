"""``python -m tests.support.window_events [vpnui options]``: the real ``vpnui`` with its window watched.

Runs ``vpnui.main.main``, the entry point of ``python -m vpnui``, in a
process of its own, and reports on stdout, as JSON lines, everything that
puts the main window on screen: every Show, Hide and Expose event any
window receives from the moment the main window is created (an
application-wide event filter, installed before ``Main.qml`` is loaded),
every change of the main window's visibility, and its first frame.  Two
more lines say where the app is: ``loaded`` (the window exists; its state
then) and ``desktop_started`` (the tray and the launch settings were
applied; the native window's id once it is shown).  Only two functions are
wrapped, in this process only: the window's loader and
``DesktopIntegration.start``; everything else runs as a user's launch does.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

# Before Qt, as in vpnui.main (mimic_core/early_start.py).
from mimic_core import early_start

# isort: split
from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QGuiApplication, QWindow
from PySide6.QtQml import QQmlApplicationEngine
from PySide6.QtQuick import QQuickWindow

import vpnui.main
import vpnui.main_window

assert early_start  # imported for its side effect above

WATCHED_EVENTS = {QEvent.Type.Show: "show", QEvent.Type.Hide: "hide", QEvent.Type.Expose: "expose"}


def report(event: str, **fields: Any) -> None:
    sys.stdout.write(json.dumps({"event": event, "t": time.monotonic(), **fields}) + "\n")
    sys.stdout.flush()


def visibility(window: QWindow) -> str:
    return window.visibility().name


class WindowEvents(QObject):
    """An application event filter: reports what shows or exposes any window, lets every event through."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = WATCHED_EVENTS.get(event.type())
        if kind is not None and isinstance(watched, QWindow):
            report(
                "window",
                kind=kind,
                object=watched.objectName(),
                exposed=watched.isExposed(),
                visible=watched.isVisible(),
                visibility=visibility(watched),
            )
        return False


def watch() -> None:
    load_main_window = vpnui.main_window.load_main_window
    events = WindowEvents()

    def watched_load(engine: QQmlApplicationEngine, **options: Any) -> QQuickWindow:
        first_load = not engine.rootObjects()
        if first_load:
            app = QGuiApplication.instance()
            assert app is not None
            app.installEventFilter(events)
        window = load_main_window(engine, **options)
        if first_load:
            report("loaded", visible=window.isVisible(), visibility=visibility(window))
            window.visibilityChanged.connect(lambda state: report("visibility", visibility=state.name))
            frames: list[float] = []

            def frame_swapped() -> None:
                if not frames:
                    report("frame")
                frames.append(time.monotonic())

            window.frameSwapped.connect(frame_swapped)
        return window

    # vpnui.main and vpnui.app look the loader up when they run: this is the one they use.
    vpnui.main_window.load_main_window = watched_load
    from vpnui import app as app_module  # noqa: PLC0415  (it imports the loader by name)

    app_module.load_main_window = watched_load  # type: ignore[attr-defined]
    from vpnui.desktop.integration import DesktopIntegration  # noqa: PLC0415

    start = DesktopIntegration.start

    async def watched_start(self: DesktopIntegration, *args: Any, **kwargs: Any) -> None:
        await start(self, *args, **kwargs)
        window = self._window
        report(
            "desktop_started",
            tray_shown=self.tray.shown,
            visible=window.isVisible(),
            visibility=visibility(window),
            # The X window (or other native one) to read the screen of; asking a hidden one would create it.
            window_id=int(window.winId()) if window.isVisible() else None,
        )

    DesktopIntegration.start = watched_start  # type: ignore[method-assign]


if __name__ == "__main__":
    watch()
    sys.exit(vpnui.main.main(sys.argv[1:]))
