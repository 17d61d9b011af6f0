"""Finds and ends every process of one MIMIC_HOME, whoever started it.

The app starts the daemon and the lab detached (they outlive the app on
purpose), and ``vpnui-ctl`` does too, so process trees cannot be relied on
to clean up.  Every process of an installation inherits its ``MIMIC_HOME``,
which identifies them exactly.  The fault runner's installations
(``lab/installation.py``), the pytest plugin (``mimic_vpn_testing``) and the
benchmarks all end their processes here.  A whole test run is found the
same way, by a variable of its own (``processes_marked``): the plugin fails
a run that leaves any process behind.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mimic_core.paths import HOME_ENV


def processes_with_home(home: Path) -> list[int]:
    """Pids of the running processes whose environment has ``MIMIC_HOME=home`` (this process excluded)."""
    marker = f"{HOME_ENV}={home}".encode()
    return _processes_where(lambda environ: marker in environ)


def processes_marked(name: str, tag: str) -> list[int]:
    """Pids of the running processes whose environment variable ``name`` lists ``tag`` (comma-separated).

    A list, so that a run inside a run (a test that runs pytest) adds its
    tag to the one it inherited, and both see its processes.
    """
    prefix = f"{name}=".encode()
    wanted = tag.encode()

    def marked(environ: list[bytes]) -> bool:
        return any(entry.startswith(prefix) and wanted in entry[len(prefix) :].split(b",") for entry in environ)

    return _processes_where(marked)


def _processes_where(matches: Callable[[list[bytes]], bool]) -> list[int]:
    found: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if matches(environ.split(b"\0")) and alive(int(entry.name)):
            found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie does not: it only waits to be reaped)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def command_line(pid: int) -> str:
    """``pid``'s command line, for a report ("" once it is gone)."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


def stop_process(process: subprocess.Popen[Any], timeout_s: float = 10.0) -> int:
    """End a child: SIGTERM, then SIGKILL when it has not exited ``timeout_s`` later; its exit code.

    Nothing is sent to one that has already exited.
    """
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


def end_processes(home: Path, grace_s: float = 5.0) -> list[int]:
    """SIGTERM, then SIGKILL after ``grace_s``, every process of ``home``; the pids found."""
    return end_pids(processes_with_home(home), grace_s)


def end_pids(pids: list[int], grace_s: float = 5.0) -> list[int]:
    """SIGTERM, then SIGKILL after ``grace_s``, each of ``pids``; ``pids``."""
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
