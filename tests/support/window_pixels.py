"""What an X display shows of a window, read back from the X server, as a screenshot tool does.

``python -m tests.support.window_pixels WINDOW_ID X,Y [X,Y...]`` (on the
display of ``$DISPLAY``) prints one JSON object: the window's size and the
colour (``#rrggbb``) at each point, in window coordinates.  A process of
its own, on Qt's xcb platform, so that the test (on the offscreen platform)
reads the window another process drew, as it is on screen; :func:`read`
runs it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence

Point = tuple[int, int]


def read(
    window_id: int, points: Sequence[Point], display: str, env: Mapping[str, str] | None = None
) -> dict[Point, str]:
    """The colour at each of ``points`` of the window ``window_id`` on ``display``."""
    # No desktop integration for the reader: on GNOME Qt would load GTK 3 for nothing.
    reader_env = {
        name: value
        for name, value in (env if env is not None else os.environ).items()
        if name not in ("XDG_CURRENT_DESKTOP", "QT_QPA_PLATFORMTHEME")
    }
    result = subprocess.run(
        [sys.executable, "-m", __name__, str(window_id), *(f"{x},{y}" for x, y in points)],
        env={**reader_env, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"reading window {window_id:#x} failed ({result.returncode}): {result.stderr}")
    colours = json.loads(result.stdout)["colours"]
    return {point: colours[f"{point[0]},{point[1]}"] for point in points}


def main(argv: list[str]) -> int:
    from PySide6.QtGui import QGuiApplication  # noqa: PLC0415  (Qt only in the reading process)

    app = QGuiApplication(sys.argv[:1])
    screen = app.primaryScreen()
    image = screen.grabWindow(int(argv[0])).toImage()
    if image.isNull():
        print(f"no image of window {argv[0]}", file=sys.stderr)
        return 1
    colours = {}
    for point in argv[1:]:
        x, y = (int(part) for part in point.split(","))
        colours[point] = image.pixelColor(x, y).name()
    print(json.dumps({"width": image.width(), "height": image.height(), "colours": colours}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
