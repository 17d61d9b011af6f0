"""``python -m benchmarks.first_frame app|minimal [vpnui options]``: time to the first frames on screen.

``app`` runs ``vpnui.main.main`` itself, the very entry point of
``python -m vpnui``, with the given command-line options; the only
difference is that ``vpnui.main_window.load_main_window`` is wrapped, in
this process only, so the window's frames and the arrival of its screens
are watched.  So the path measured is exactly the user's: argument parsing,
logging set-up, QGuiApplication, the main window (``Main.qml``), its first
frame, then the app's imports and objects, the screens (``MainContent.qml``)
and the first frame that shows them.  Two stamps matter: ``first_frame``
(the window is on screen, a skeleton of its status card) and ``full_ui`` (the first
frame after the screens loaded: the status card, the toggle and the rest).

``minimal`` is the reference: QGuiApplication, a QQmlApplicationEngine and a
trivial ``Window`` of the same size, loaded from a file, ``app.exec()``.

When the last stamp is taken (the first frame for ``minimal``, the full UI
for ``app``) one JSON line goes to stdout with ``time.monotonic()`` stamps
(system-wide on Linux, so the parent can subtract the moment it started this
process).  What happens after is not part of the figures: ``minimal`` ends
at once (``os._exit``); ``app`` goes on starting as usual, so that the
parent can see its tray item registered when it runs on a desktop
(``benchmarks.desktop_session``), and is then killed by the parent.
"""

from __future__ import annotations

import time

STARTED = time.monotonic()
"""The wrapper's first statement: the interpreter is up, nothing imported yet."""

import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any, Final  # noqa: E402

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

MINIMAL_QML: Final = Path(__file__).resolve().parent / "qml" / "MinimalWindow.qml"
stamps: dict[str, float] = {"started": STARTED}


def report(*, exit_now: bool) -> None:
    sys.stdout.write(json.dumps({"event": "frame", **stamps}) + "\n")
    sys.stdout.flush()
    if exit_now:
        os._exit(0)


def run_app(argv: list[str]) -> int:
    # Before Qt, as in `python -m vpnui` (vpnui.main's first import): it must
    # see Python's own import to put it back after the first frame.
    from mimic_core import early_start  # noqa: F401, PLC0415

    # isort: split
    from PySide6.QtCore import QObject  # noqa: PLC0415
    from PySide6.QtQml import QQmlApplicationEngine  # noqa: PLC0415
    from PySide6.QtQuick import QQuickWindow  # noqa: PLC0415

    import vpnui.main  # noqa: PLC0415
    import vpnui.main_window  # noqa: PLC0415

    stamps["imported"] = time.monotonic()
    load_main_window = vpnui.main_window.load_main_window

    def timed_load(engine: QQmlApplicationEngine, *, visible: bool = True) -> QQuickWindow:
        """The app's own loader; the window's frames and the screens' arrival are watched."""
        first_load = not engine.rootObjects()
        if first_load:
            stamps["show"] = time.monotonic()
        window = load_main_window(engine, visible=visible)
        if first_load:
            stamps["shown"] = time.monotonic()
            content: Any = window.findChild(QObject, "mainContent")
            assert content is not None, "Main.qml has no mainContent loader"
            # The QML Loader's own signal: its screens exist from now on.
            content.loaded.connect(lambda: stamps.setdefault("attached", time.monotonic()))
            window.frameSwapped.connect(frame_swapped)
        return window

    def frame_swapped() -> None:
        if "full_ui" in stamps:
            return  # reported; the app goes on until the parent ends it
        now = time.monotonic()
        stamps.setdefault("first_frame", now)
        if "attached" in stamps:
            stamps["full_ui"] = now
            report(exit_now=False)

    # vpnui.main looks the loader up when main() runs, so this is the one it uses.
    vpnui.main_window.load_main_window = timed_load
    return vpnui.main.main(argv)


def minimal_frame() -> None:
    stamps["first_frame"] = time.monotonic()
    report(exit_now=True)


def run_minimal() -> int:
    from PySide6.QtCore import QUrl  # noqa: PLC0415
    from PySide6.QtGui import QGuiApplication  # noqa: PLC0415
    from PySide6.QtQml import QQmlApplicationEngine  # noqa: PLC0415
    from PySide6.QtQuick import QQuickWindow  # noqa: PLC0415

    stamps["imported"] = time.monotonic()
    app = QGuiApplication(sys.argv[:1])
    engine = QQmlApplicationEngine()
    stamps["show"] = time.monotonic()
    engine.load(QUrl.fromLocalFile(str(MINIMAL_QML)))
    roots = engine.rootObjects()
    if not roots or not isinstance(roots[0], QQuickWindow):
        print(json.dumps({"event": "error", "message": "the minimal window failed to load"}), flush=True)
        return 1
    stamps["shown"] = time.monotonic()
    roots[0].frameSwapped.connect(minimal_frame)
    return app.exec()


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in ("app", "minimal"):
        print("usage: python -m benchmarks.first_frame app|minimal [vpnui options]", file=sys.stderr)
        return 2
    if sys.argv[1] == "app":
        return run_app(sys.argv[2:])
    return run_minimal()


if __name__ == "__main__":
    sys.exit(main())
