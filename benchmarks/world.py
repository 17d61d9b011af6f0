"""A private world for each benchmark: its own MIMIC_HOME, lab, daemon and children.

Every process a benchmark starts inherits ``MIMIC_HOME`` pointing at a fresh
directory under ``/tmp`` (a short name: the daemon's Unix socket path must
stay under 108 bytes), so no benchmark can meet the user's own daemon or
lab, or another benchmark's.  Leaving the world ends every process that
carries that ``MIMIC_HOME`` (the app starts daemons detached, so process
trees are not enough) and removes the directory.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Final

from daemon.options import DaemonOptions
from lab.daemon_process import REPO_ROOT, DaemonProcess, checkout_environment
from lab.lab_process import LabProcess
from lab.leftovers import end_processes, stop_process
from mimic_core.paths import HOME_ENV

HOME_PREFIX: Final = "mvb-"
homes_used: list[str] = []
"""Every private home of this run, in order: the results name them so leftovers can be traced."""


class BenchError(RuntimeError):
    """A benchmark could not measure what it set out to; the message says why."""


def child_environment(extra: dict[str, str] | None = None, *, bytecode_in: Path | None = None) -> dict[str, str]:
    """The environment of a benchmark child: this world's home, offscreen Qt, the repo on the path.

    ``bytecode_in``: Python may cache the modules' bytecode there (a folder of
    the child's own, so the repository's tree is left alone), even where
    ``PYTHONDONTWRITEBYTECODE`` is set.
    """
    environment = checkout_environment()
    if bytecode_in is not None:
        environment.pop("PYTHONDONTWRITEBYTECODE", None)
        environment["PYTHONPYCACHEPREFIX"] = str(bytecode_in)
    environment["QT_QPA_PLATFORM"] = "offscreen"
    environment.update(extra or {})
    return environment


class World:
    """One private home with (optionally) a running lab and a daemon with default options."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.lab: LabProcess | None = None
        self.daemon: DaemonProcess | None = None

    @property
    def lab_url(self) -> str:
        if self.lab is None:
            raise BenchError("this world has no lab")
        return self.lab.url

    def start_lab(self, args: Sequence[str] = ()) -> LabProcess:
        self.lab = LabProcess(args=args)
        return self.lab

    def start_daemon(self) -> DaemonProcess:
        """A daemon with the product's default options (keepalive 1 s, handshake 1 s x 4)."""
        defaults = DaemonOptions()
        self.daemon = DaemonProcess(
            keepalive_interval=defaults.keepalive_interval,
            handshake_timeout=defaults.handshake_timeout,
            handshake_retries=defaults.handshake_retries,
            log_level=defaults.log_level,
            # The daemon learns its ingestion endpoint from whoever starts it.
            extra_args=["--telemetry-url", self.lab.url] if self.lab is not None else [],
        )
        return self.daemon

    def log_path(self, name: str) -> Path:
        path = self.home / "logs" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def stop(self) -> None:
        if self.daemon is not None:
            self.daemon.stop()
            self.daemon = None
        if self.lab is not None:
            self.lab.stop()
            self.lab = None


@contextmanager
def private_world(*, lab_args: Sequence[str] | None = (), daemon: bool = True) -> Iterator[World]:
    """A fresh MIMIC_HOME (set in this process's environment while inside), a lab and a daemon.

    ``lab_args=None`` starts no lab.  Everything started inside, by us or by
    the app, is ended on the way out.
    """
    home = Path(tempfile.mkdtemp(prefix=HOME_PREFIX, dir="/tmp"))
    homes_used.append(str(home))
    saved = os.environ.get(HOME_ENV)
    os.environ[HOME_ENV] = str(home)
    world = World(home)
    try:
        if lab_args is not None:
            world.start_lab(lab_args)
        if daemon:
            world.start_daemon()
        yield world
    finally:
        try:
            world.stop()
        finally:
            end_processes(home)
            if saved is None:
                os.environ.pop(HOME_ENV, None)
            else:
                os.environ[HOME_ENV] = saved
            shutil.rmtree(home, ignore_errors=True)


class Child:
    """A benchmark script in a child process that reports JSON lines on stdout.

    Its stderr goes to a file in the world's logs, so a chatty child never
    blocks on a full pipe and a failing one can say why.
    """

    def __init__(self, args: Sequence[str], world: World, name: str, *, keep_bytecode: bool = False) -> None:
        """``keep_bytecode``: Python may cache the modules' bytecode (in the world's home), as on a user's machine.

        Where ``PYTHONDONTWRITEBYTECODE`` is set (this machine's environment
        sets it) every child compiles each module it imports again, which a
        user's app does not: it finds the bytecode pip wrote at install, or
        that its first start wrote.
        """
        self.name = name
        self.stderr_path = world.log_path(f"{name}.stderr")
        self._stderr: IO[bytes] = self.stderr_path.open("wb")
        self.started_at = time.monotonic()
        self.process = subprocess.Popen(
            [sys.executable, *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env=child_environment(bytecode_in=world.home / "pycache" if keep_bytecode else None),
            cwd=REPO_ROOT,
        )
        self._buffer = b""

    @property
    def pid(self) -> int:
        return self.process.pid

    def read_event(self, timeout_s: float) -> dict[str, Any]:
        """The next JSON line; ``BenchError`` (with the child's stderr) on timeout or exit."""
        event = self.poll_event(timeout_s)
        if event is None:
            raise BenchError(f"{self.name}: no report within {timeout_s:.0f} s{self.stderr_tail()}")
        return event

    def poll_event(self, timeout_s: float) -> dict[str, Any] | None:
        """The next JSON line, or None when none came within ``timeout_s``; ``BenchError`` on exit."""
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        deadline = time.monotonic() + timeout_s
        while b"\n" not in self._buffer:
            readable, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
            if not readable:
                return None
            chunk = os.read(fd, 65536)
            if not chunk:
                code = self.process.wait(timeout=10)
                raise BenchError(f"{self.name}: exited with code {code} before reporting{self.stderr_tail()}")
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        try:
            event: dict[str, Any] = json.loads(line)
        except ValueError:
            raise BenchError(f"{self.name}: unreadable report {line[:200]!r}{self.stderr_tail()}") from None
        if event.get("event") == "error":
            raise BenchError(f"{self.name}: {event.get('message')}{self.stderr_tail()}")
        return event

    def expect(self, kind: str, timeout_s: float) -> dict[str, Any]:
        event = self.read_event(timeout_s)
        if event.get("event") != kind:
            raise BenchError(f"{self.name}: expected a {kind!r} report, got {event}")
        return event

    def stderr_tail(self, size: int = 3000) -> str:
        try:
            text = self.stderr_path.read_text(errors="replace")
        except OSError:
            return ""
        return f"; its stderr ends with:\n{text[-size:]}" if text.strip() else ""

    def kill(self) -> int:
        """SIGKILL and wait (for a child whose figures are taken: what it would do next is not measured)."""
        if self.process.poll() is None:
            self.process.kill()
        return self.stop()

    def stop(self, timeout_s: float = 10.0) -> int:
        """SIGTERM, wait, SIGKILL if needed; the exit code."""
        stop_process(self.process, timeout_s)
        if self.process.stdout is not None:
            self.process.stdout.close()
        self._stderr.close()
        return self.process.returncode

    def wait(self, timeout_s: float) -> int:
        try:
            return self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            raise BenchError(f"{self.name}: did not exit within {timeout_s:.0f} s{self.stderr_tail()}") from None
        finally:
            if self.process.poll() is None:
                self.process.kill()
            if self.process.stdout is not None:
                self.process.stdout.close()
            self._stderr.close()
