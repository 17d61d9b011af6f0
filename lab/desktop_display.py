"""An X display of its own (Xvfb): where the app's real window goes when a test must see it as a desktop does.

The offscreen platform most tests use draws windows in memory and takes
nothing from the desktop, its colour scheme included; Qt's xcb platform on
this display does.  ``Xvfb`` (Debian's ``xvfb`` package) is installed when
missing and the caller runs as root, as ``dbus-daemon`` is
(``lab.desktop_bus``); ``XvfbMissing`` says what to install otherwise (the
tests skip on it).
"""

from __future__ import annotations

import os
import select
import subprocess
import time
from typing import IO, Final

from lab.desktop_bus import ensure_command
from lab.leftovers import stop_process

DEBIAN_PACKAGE: Final = "xvfb"
START_TIMEOUT_S: Final = 15.0


class XvfbMissing(RuntimeError):
    """``Xvfb`` is not installed and could not be; the message says what to install."""


def ensure_xvfb() -> str:
    """The path of ``Xvfb``: installed with apt-get as root when missing, else ``XvfbMissing``."""
    path = ensure_command("Xvfb", DEBIAN_PACKAGE)
    if path is None:
        raise XvfbMissing(f"Xvfb is missing: install Debian's {DEBIAN_PACKAGE!r} package (as root it is installed)")
    return path


class XvfbDisplay:
    """An ``Xvfb`` server on a free display number; ``name`` is its DISPLAY (``:N``).

    Xvfb picks the number itself and writes it on a pipe once it accepts
    clients (``-displayfd``): no guessed number, no race with another
    display starting at the same time, no wait on a socket file.
    ``stderr``: where the server's own messages go (a file), instead of the caller's stderr.
    """

    def __init__(self, width: int = 1024, height: int = 768, stderr: IO[bytes] | None = None) -> None:
        xvfb = ensure_xvfb()
        read_end, write_end = os.pipe()
        try:
            self.process = subprocess.Popen(
                # -nolisten tcp: local clients only; -noreset: stays up when the last client leaves.
                [
                    xvfb,
                    "-displayfd",
                    str(write_end),
                    "-screen",
                    "0",
                    f"{width}x{height}x24",
                    "-nolisten",
                    "tcp",
                    "-noreset",
                ],
                pass_fds=(write_end,),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr if stderr is not None else subprocess.DEVNULL,
            )
        finally:
            os.close(write_end)
        try:
            number = self._read_number(read_end)
        except BaseException:
            self.stop()
            raise
        finally:
            os.close(read_end)
        self.name = f":{number}"

    def _read_number(self, read_end: int) -> int:
        deadline = time.monotonic() + START_TIMEOUT_S
        data = b""
        while not data.endswith(b"\n"):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise RuntimeError(f"Xvfb named no display within {START_TIMEOUT_S:.0f} s")
            readable, _, _ = select.select([read_end], [], [], remaining)
            if readable:
                chunk = os.read(read_end, 64)
                if not chunk:
                    raise RuntimeError(f"Xvfb exited ({self.process.wait()}) before naming its display")
                data += chunk
        return int(data)

    def stop(self) -> None:
        stop_process(self.process)
