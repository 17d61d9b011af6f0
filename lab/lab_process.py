"""A real lab process for tests and benchmarks.

The lab is started exactly as a user would start it (``python -m lab
serve``), under the caller's environment (``MIMIC_HOME`` decides where it
keeps its files; the ``mimic_home`` fixture sets it) or in a given home,
and is ready once it prints its ready line.  This is the one way a lab
process is started for tests, benchmarks, the fault runner's installations
(``lab/installation.py``) and the pytest plugin (``mimic_vpn_testing``).
Its stderr goes to a file, so a lab that logs a lot never blocks on a full
pipe and a lab that fails to start can say why.
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
from types import TracebackType
from typing import Any, Final

import msgspec

from lab.daemon_process import checkout_environment
from lab.leftovers import stop_process
from mimic_core.lab_client import LabControl
from mimic_core.lab_state import LabState
from mimic_core.paths import HOME_ENV, home_locations, locations
from mimic_core.protocol import ServerEndpoint

READY_TIMEOUT_S: Final = 15.0
STOP_TIMEOUT_S: Final = 10.0


class LabStartError(RuntimeError):
    pass


class LabReportError(RuntimeError):
    """``vpnui-lab report`` failed; the message carries its stderr."""


class LabProcess:
    """``python -m lab serve`` in a subprocess; call :meth:`stop` (or use ``with``)."""

    def __init__(
        self,
        *,
        args: Sequence[str] = (),
        state_file: Path | None = None,
        db: Path | None = None,
        home: Path | None = None,
        ready_timeout: float = READY_TIMEOUT_S,
    ) -> None:
        """Start the lab with its files in ``home`` (default: this process's locations).

        ``args`` are extra ``serve`` options.
        """
        places = home_locations(home) if home is not None else locations()
        self.state_file = state_file if state_file is not None else places.lab_state
        self.db = db if db is not None else places.data / "lab" / "telemetry.duckdb"
        self.stderr_path = places.logs / "lab-stderr.log"
        self.returncode: int | None = None
        self._ready_timeout = ready_timeout
        environment = checkout_environment()
        if home is not None:
            environment[HOME_ENV] = str(home)
        self._environment = environment
        command = [
            sys.executable,
            "-m",
            "lab",
            "serve",
            "--state-file",
            str(self.state_file),
            "--db",
            str(self.db),
            *args,
        ]
        self.stderr_path.parent.mkdir(parents=True, exist_ok=True)
        with self.stderr_path.open("wb") as stderr:
            # A session of its own: Ctrl-C in a terminal reaches the driver
            # only, which then stops the lab in order.
            self._process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=stderr,
                env=environment,
                cwd=self.stderr_path.parent,
                start_new_session=True,
            )
        try:
            ready = self._read_ready_line()
        except BaseException:
            self.stop()
            raise
        self.url = ready.url
        self.pid = ready.pid
        self.control = LabControl(self.url, timeout=5.0)

    def _read_ready_line(self) -> LabState:
        assert self._process.stdout is not None
        fd = self._process.stdout.fileno()
        deadline = time.monotonic() + self._ready_timeout
        received = b""
        while b"\n" not in received:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise LabStartError(f"the lab was not ready within {self._ready_timeout} s{self._stderr_tail()}")
            readable, _, _ = select.select([fd], [], [], remaining)
            if not readable:
                continue
            chunk = os.read(fd, 4096)
            if not chunk:
                code = self._process.wait(timeout=STOP_TIMEOUT_S)
                raise LabStartError(f"the lab exited with code {code} before it was ready{self._stderr_tail()}")
            received += chunk
        line = received.split(b"\n", 1)[0]
        try:
            ready = msgspec.json.decode(line, type=LabState)
        except (msgspec.DecodeError, msgspec.ValidationError):
            raise LabStartError(f"unexpected first line from the lab: {line!r}") from None
        if ready.event != "ready":
            raise LabStartError(f"unexpected first line from the lab: {line!r}")
        return ready

    def _stderr_tail(self) -> str:
        try:
            text = self.stderr_path.read_text(errors="replace")
        except OSError:
            return ""
        return f"; its stderr:\n{text[-4000:]}" if text else ""

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def endpoints(self) -> dict[str, ServerEndpoint]:
        """The lab's servers by name, as the daemon takes them (what the app sends in ``activate``)."""
        return {
            server.name: ServerEndpoint(
                name=server.name,
                host=server.host,
                udp_port=server.udp_port,
                tcp_port=server.tcp_port,
                city=city.name,
                country=country.name,
            )
            for country in self.control.servers().countries
            for city in country.cities
            for server in city.servers
        }

    def report(self, timeout: float = 60.0) -> dict[str, Any]:
        """The session report of this lab's ping store, as ``vpnui-lab report --json`` prints it."""
        result = subprocess.run(
            [sys.executable, "-m", "lab", "report", "--json", "--url", self.url],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=self._environment,
            check=False,
        )
        if result.returncode != 0:
            raise LabReportError(f"vpnui-lab report exited with {result.returncode}: {result.stderr.strip()}")
        report: dict[str, Any] = json.loads(result.stdout)
        return report

    def running(self) -> bool:
        return self._process.poll() is None

    def stop(self) -> int:
        """SIGTERM, wait, then SIGKILL if needed; the exit code (0 = orderly)."""
        if self.returncode is not None:
            return self.returncode
        process = self._process
        stop_process(process, STOP_TIMEOUT_S)
        if process.stdout is not None:
            process.stdout.close()
        self.returncode = process.returncode
        return self.returncode

    def wait(self, timeout: float = STOP_TIMEOUT_S) -> int:
        """Wait for a lab that was told to stop some other way; its exit code."""
        self._process.wait(timeout=timeout)
        return self.stop()

    def __enter__(self) -> LabProcess:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()


@contextmanager
def isolated_lab(args: Sequence[str] = ()) -> Iterator[LabProcess]:
    """A lab with a MIMIC_HOME of its own, for a whole test module to share.

    Starting a process per test would dominate the run time; a module
    shares one lab instead and resets its conditions before each test.
    """
    home = Path(tempfile.mkdtemp(prefix="mv-lab-", dir="/tmp"))
    saved = os.environ.get(HOME_ENV)
    os.environ[HOME_ENV] = str(home)
    try:
        process = LabProcess(args=args)
    finally:
        if saved is None:
            del os.environ[HOME_ENV]
        else:
            os.environ[HOME_ENV] = saved
    try:
        yield process
    finally:
        process.stop()
        shutil.rmtree(home, ignore_errors=True)
