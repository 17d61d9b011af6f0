"""Finds and ends every process a test or a benchmark left running in its MIMIC_HOME.

The app starts the daemon and the lab detached (they outlive the app on
purpose), so a test cannot rely on process trees to clean up.  Each test has
its own MIMIC_HOME, and every process started for it inherits that variable,
which identifies them exactly.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path


def processes_with_home(home: Path) -> list[int]:
    marker = f"MIMIC_HOME={home}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if marker in environ.split(b"\0"):
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def end_processes(home: Path, grace_s: float = 5.0) -> list[int]:
    """SIGTERM, then SIGKILL after ``grace_s``, every process of ``home``."""
    pids = processes_with_home(home)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline and any(_alive(p) for p in pids):
        time.sleep(0.05)
    for pid in pids:
        if _alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    for pid in pids:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
    return pids
