"""``python -m benchmarks.first_frame app|minimal [vpnui options]``: time to the first frame on screen.

``app`` runs ``vpnui.main.main`` itself, the very entry point of
``python -m vpnui``, with the given command-line options; the only
difference is that ``vpnui.app.MimicApp`` is replaced, in this process
only, by a subclass whose ``show()`` also connects the window's
``frameSwapped`` signal.  So the path measured is exactly the user's: argument
parsing, logging set-up, QGuiApplication, the app's objects, the QML window,
and ``start()`` (endpoints, telemetry, daemon link) up to the moment the
event loop first gets control and renders.

``minimal`` is the reference: QGuiApplication, a QQmlApplicationEngine and a
trivial ``Window`` of the same size, loaded from a file, ``app.exec()``.

On the first ``frameSwapped`` one JSON line goes to stdout with
``time.monotonic()`` stamps (system-wide on Linux, so the parent can
subtract the moment it started this process), and the process ends at once
(``os._exit``): what happens after the first frame is not part of the
figure.
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


def first_frame() -> None:
    stamps["first_frame"] = time.monotonic()
    sys.stdout.write(json.dumps({"event": "frame", **stamps}) + "\n")
    sys.stdout.flush()
    os._exit(0)


def run_app(argv: list[str]) -> int:
    import vpnui.app  # noqa: PLC0415
    import vpnui.main  # noqa: PLC0415

    stamps["imported"] = time.monotonic()

    class FrameTimedApp(vpnui.app.MimicApp):
        """The app as ``vpnui`` builds it; ``show()`` also hooks the first frame."""

        def show(self) -> Any:
            stamps["show"] = time.monotonic()
            window = super().show()
            stamps["shown"] = time.monotonic()
            window.frameSwapped.connect(first_frame)
            return window

        async def start(self) -> None:
            stamps["start"] = time.monotonic()
            await super().start()
            stamps["started_app"] = time.monotonic()

    vpnui.app.MimicApp = FrameTimedApp  # type: ignore[misc]
    return vpnui.main.main(argv)


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
    roots[0].frameSwapped.connect(first_frame)
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
