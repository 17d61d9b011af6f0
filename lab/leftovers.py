"""Finds and ends every process of one MIMIC_HOME, whoever started it.

The app starts the daemon and the lab detached (they outlive the app on
purpose), and ``vpnui-ctl`` does too, so process trees cannot be relied on
to clean up.  Every process of an installation inherits its ``MIMIC_HOME``,
which identifies them exactly.  The fault runner's installations
(``lab/installation.py``), the pytest plugin (``mimic_vpn_testing``) and the
benchmarks all end their processes here.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path

from mimic_core.paths import HOME_ENV


def processes_with_home(home: Path) -> list[int]:
    """Pids of the running processes whose environment has ``MIMIC_HOME=home`` (this process excluded)."""
    marker = f"{HOME_ENV}={home}".encode()
    found: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if marker in environ.split(b"\0") and alive(int(entry.name)):
            found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie does not: it only waits to be reaped)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def end_processes(home: Path, grace_s: float = 5.0) -> list[int]:
    """SIGTERM, then SIGKILL after ``grace_s``, every process of ``home``; the pids found."""
    pids = processes_with_home(home)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline and any(alive(p) for p in pids):
        time.sleep(0.05)
    for pid in pids:
        if alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    for pid in pids:
        # Reaped here when they are this process's children; others' parents reap them.
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
    return pids
