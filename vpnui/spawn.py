"""Starting a product process detached, without Qt.

The command-line client and the embedded-lab starter must work without a
Qt application; the GUI starts the daemon through QProcess instead
(``vpnui.detached``), as the app's own process management.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def spawn_detached(module: str, args: list[str], stderr_path: Path) -> int:
    """Run ``python -m module args`` in its own session; returns its pid.

    A new session keeps it alive when the caller's terminal closes or the
    caller is killed, as a daemon and a simulated internet must be.
    """
    stderr_path.parent.mkdir(parents=True, exist_ok=True)
    # posix_spawn rather than subprocess.Popen: the child is never waited
    # for (it outlives us), and a Popen object would warn about exactly that.
    return os.posix_spawn(
        sys.executable,
        [sys.executable, "-m", module, *args],
        os.environ,
        file_actions=[
            (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
            (os.POSIX_SPAWN_OPEN, 2, str(stderr_path), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600),
        ],
        setsid=True,
    )
