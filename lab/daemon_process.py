"""Runs the real daemon as a child process, and connects to it (for tests and benchmarks).

The daemon finds its files through ``MIMIC_HOME`` (a test's ``mimic_home``
fixture sets it), so every run gets its own socket, lock and state file.  Its
stdout and stderr go to anonymous temporary files: a pipe nobody drains
could block a chatty daemon, and a file still holds stderr after a crash.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from mimic_core.paths import locations
from mimic_core.sync_client import DaemonConnection

REPO_ROOT = Path(__file__).resolve().parents[1]


def checkout_environment(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """``base`` (this process's environment by default) with this checkout first on ``PYTHONPATH``.

    So a child runs this checkout's code, whatever its working directory.
    """
    env = dict(os.environ if base is None else base)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH", "")]))
    return env


READY_TIMEOUT = 15.0


class DaemonStartError(RuntimeError):
    pass


class DaemonProcess:
    """One daemon process; started by the constructor, ready when it returns."""

    def __init__(
        self,
        *,
        keepalive_interval: float = 0.2,
        handshake_timeout: float = 0.2,
        handshake_retries: int = 1,
        log_level: str = "DEBUG",
        extra_args: Sequence[str] = (),
        env: dict[str, str] | None = None,
        wait_ready: bool = True,
    ) -> None:
        self.args = [
            sys.executable,
            "-m",
            "daemon",
            "--keepalive-interval",
            str(keepalive_interval),
            "--handshake-timeout",
            str(handshake_timeout),
            "--handshake-retries",
            str(handshake_retries),
            "--log-level",
            log_level,
            *extra_args,
        ]
        self.env = checkout_environment(env)
        # Kept open as long as this object: closed by ``stop``.
        self._stdout: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115
        self._stderr: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115
        self.process = subprocess.Popen(
            self.args, stdout=self._stdout, stderr=self._stderr, env=self.env, cwd=REPO_ROOT
        )
        self.ready: dict[str, Any] = {}
        self._connections: list[DaemonConnection] = []
        if wait_ready:
            self.wait_ready()

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def socket_path(self) -> Path:
        if "socket" in self.ready:
            return Path(self.ready["socket"])
        home = self.env.get("MIMIC_HOME")
        return (Path(home) / "run" / "daemon.sock") if home else locations().socket

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> dict[str, Any]:
        """The daemon's ready line, parsed; raises with its stderr if it dies or is too slow."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.stdout().splitlines():
                try:
                    message = json.loads(line)
                except ValueError:
                    continue
                if isinstance(message, dict) and message.get("event") == "ready":
                    self.ready = message
                    return message
            if self.process.poll() is not None:
                raise DaemonStartError(
                    f"daemon exited with {self.process.returncode} before it was ready; stderr:\n{self.stderr()}"
                )
            time.sleep(0.02)
        self.kill()
        raise DaemonStartError(f"daemon not ready after {timeout} s; stderr:\n{self.stderr()}")

    def connect(self, *, hello: bool = True, timeout: float = 5.0) -> DaemonConnection:
        """A new connection to this daemon, greeted with ``hello`` unless told otherwise.

        ``stop`` closes every connection made here, so tests need not.
        """
        connection = DaemonConnection(self.socket_path, timeout=timeout)
        self._connections.append(connection)
        if hello:
            try:
                connection.hello(client="test")
            except BaseException:
                connection.close()
                raise
        return connection

    def stdout(self) -> str:
        return _read_all(self._stdout)

    def stderr(self) -> str:
        return _read_all(self._stderr)

    def wait(self, timeout: float = 10.0) -> int:
        return self.process.wait(timeout)

    def terminate(self, timeout: float = 10.0) -> int:
        """SIGTERM and wait: the daemon's exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout)

    def kill(self) -> int:
        """SIGKILL (no cleanup in the daemon at all) and wait."""
        if self.process.poll() is None:
            self.process.kill()
        return self.process.wait(10.0)

    def stop(self) -> int:
        """End the process however it takes; safe to call more than once."""
        try:
            code = self.terminate(timeout=10.0)
        except subprocess.TimeoutExpired:
            code = self.kill()
        for connection in self._connections:
            connection.close()
        self._stdout.close()
        self._stderr.close()
        return code

    def __enter__(self) -> DaemonProcess:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def _read_all(file: IO[bytes]) -> str:
    if file.closed:
        return ""
    return os.pread(file.fileno(), 1 << 20, 0).decode("utf-8", "replace")
