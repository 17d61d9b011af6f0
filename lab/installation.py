"""One installation of Mimic VPN in a home of its own: its lab, daemon and app as real processes.

The fault runner (``vpnui-lab chaos``) starts, stops and SIGKILLs the real
processes of an installation, and drives them the way a user does: the app
through its inspector socket, the daemon through ``vpnui-ctl`` and its
socket, the world through the lab's control API.  This module is that
process management, kept apart from any one use of it so that other
drivers of whole installations (many installations at once, a test
fixture) share it.

Isolation is ``MIMIC_HOME``: every process of the installation gets the
same private home, so sockets, state files, Glean data directories, logs
and the lab's ping store never meet another installation's.  The same
variable is also how every process of the installation is found again,
whoever started it: the app starts the daemon detached, ``vpnui-ctl``
does too, and they outlive their parents on purpose.  ``close`` ends every
process whose environment carries this home, by pid, and nothing else.

Every wait here is bounded and polls a state (a socket answering, a pid
gone), so a slow machine makes a run slower, not wrong.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Final, Literal

import msgspec

from lab.daemon_process import checkout_environment
from lab.lab_process import LabProcess, LabStartError
from lab.leftovers import alive, end_processes, processes_with_home
from mimic_core.inspector_protocol import (
    SOCKET_NAME,
    AppState,
    InspectorClient,
    InspectorError,
    InspectorUnavailable,
)
from mimic_core.lab_api import StoredPing
from mimic_core.lab_client import LabControl
from mimic_core.lab_state import ready_line, write_state
from mimic_core.paths import HOME_ENV, MAX_SOCKET_PATH, Locations, ensure_private_dir, home_locations
from mimic_core.protocol import DaemonError, ServerEndpoint, StatusData
from mimic_core.sync_client import DaemonConnection, DaemonUnavailable

LAB_READY_TIMEOUT_S: Final = 20.0
DAEMON_READY_TIMEOUT_S: Final = 20.0
APP_READY_TIMEOUT_S: Final = 30.0
"""An app start on a loaded machine: interpreter, Qt, the window, then the inspector."""
STOP_TIMEOUT_S: Final = 15.0
"""SIGTERM to exit: the app's orderly shutdown bounds Glean's at 2 s, the daemon's at 3 s."""
GONE_TIMEOUT_S: Final = 10.0
CTL_TIMEOUT_S: Final = 90.0
"""``vpnui-ctl activate`` waits up to 60 s for the daemon's answer, plus starting it."""
POLL_S: Final = 0.05

GleanProcess = Literal["app", "daemon"]
# Glean 71 keeps each ping it has not delivered yet as one file in these
# folders of its data directory (the layout mimic_core.glean_runtime relies on too).
_GLEAN_QUEUES: Final = ("pending_pings", "deletion_request")
_GLEAN_CLIENT_ID_FILE: Final = "client_id.txt"


class InstallationError(RuntimeError):
    """A process of the installation could not be started or reached."""


def wait_until(condition: Callable[[], bool], timeout: float, interval: float = POLL_S) -> bool:
    """Poll ``condition`` until it holds (True) or ``timeout`` seconds passed (False)."""
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


class Installation:
    """A home directory and the processes of one installation of the product in it.

    Nothing starts in the constructor; ``close`` (or ``with``) ends every
    process of the home and removes a home it created.
    """

    def __init__(
        self,
        home: Path | None = None,
        *,
        keep_home: bool = False,
        environment: Mapping[str, str | None] | None = None,
    ) -> None:
        """``environment``: variables set (a value) or unset (``None``) for every process of the installation."""
        self.created_home = home is None
        # Short, under /tmp: the daemon's socket path must stay under 108 bytes.
        if home is not None and len(str(home_locations(home).socket).encode()) > MAX_SOCKET_PATH:
            raise InstallationError(f"the home {home} is too long for a Unix socket path")
        self.home = home if home is not None else Path(tempfile.mkdtemp(prefix="mv-chaos-", dir="/tmp"))
        self.keep_home = keep_home or not self.created_home
        self.places: Locations = home_locations(self.home)
        self.places.logs.mkdir(parents=True, exist_ok=True)
        self.env = _environment(self.home)
        for name, value in (environment or {}).items():
            if value is None:
                self.env.pop(name, None)
            else:
                self.env[name] = value
        self.inspector_socket = self.places.runtime / SOCKET_NAME
        self.lab: LabControl | None = None
        self.lab_process: LabProcess | None = None
        """The lab started here (``start_lab``): its address, log, report and stop."""
        self._app: subprocess.Popen[bytes] | None = None
        self._app_starts = 0
        # Every process started here, to be reaped (the daemon and app are
        # also found by their home at close, whoever started them).
        self._children: list[subprocess.Popen[bytes]] = []
        self._files: list[IO[bytes]] = []

    # ------------------------------------------------------------------ lab

    def start_lab(self, args: Sequence[str] = ()) -> LabControl:
        """Start ``vpnui-lab serve`` in this home (its state file tells the app and ``vpnui-ctl`` where it is)."""
        if self.lab_process is not None and self.lab_process.running():
            raise InstallationError("the lab already runs")
        try:
            self.lab_process = LabProcess(args=args, home=self.home, ready_timeout=LAB_READY_TIMEOUT_S)
        except LabStartError as exc:
            raise InstallationError(f"the lab did not start: {exc}") from None
        self.lab = LabControl(self.lab_process.url, timeout=10.0)
        return self.lab

    def attach_lab(self, lab: LabProcess) -> LabControl:
        """Use a lab that runs elsewhere (one lab for many installations) as this installation's world.

        The lab is announced in this home's state file, as a lab started
        here announces itself: the app and ``vpnui-ctl`` find it there, and
        a daemon started here is told to send its pings to it.
        """
        ensure_private_dir(self.places.runtime)
        write_state(self.places.lab_state, ready_line(lab.url, lab.pid))
        self.lab = LabControl(lab.url, timeout=10.0)
        return self.lab

    def lab_control(self) -> LabControl:
        if self.lab is None:
            raise InstallationError("the lab is not running (start_lab() first)")
        return self.lab

    def lab_endpoints(self) -> dict[tuple[str, str], list[ServerEndpoint]]:
        """The lab's servers by (country code, city code), as the daemon takes them in ``activate``."""
        lab = self.lab_control()
        return {
            (country.code, city.code): [
                ServerEndpoint(
                    name=server.name,
                    host=server.host,
                    udp_port=server.udp_port,
                    tcp_port=server.tcp_port,
                    city=city.name,
                    country=country.name,
                )
                for server in city.servers
            ]
            for country in lab.servers().countries
            for city in country.cities
        }

    # --------------------------------------------------------------- daemon

    def daemon_connection(self, timeout: float = 2.0) -> DaemonConnection:
        """A greeted connection to the daemon; ``DaemonUnavailable`` when none listens."""
        connection = DaemonConnection(self.places.socket, timeout=timeout)
        try:
            connection.hello(client="automation")
        except BaseException:
            connection.close()
            raise
        return connection

    def daemon_pid(self) -> int | None:
        """The pid of the daemon answering on the socket, ``None`` when none answers."""
        try:
            with DaemonConnection(self.places.socket, timeout=2.0) as daemon:
                return int(daemon.hello(client="automation")["pid"])
        except (DaemonUnavailable, DaemonError, TimeoutError, OSError, KeyError, ValueError):
            return None

    def daemon_status(self, timeout: float = 2.0) -> StatusData | None:
        """The daemon's status, ``None`` when no daemon answers in time."""
        try:
            with self.daemon_connection(timeout) as daemon:
                return daemon.status()
        except (DaemonUnavailable, DaemonError, TimeoutError, OSError):
            return None

    def start_daemon(self, args: Sequence[str] = ()) -> int | None:
        """Start a daemon; the pid of the daemon answering afterwards (another one may have won the race)."""
        log = self._log_file("daemon.stderr")
        if self.lab is not None and "--telemetry-url" not in args:
            # As the app and vpnui-ctl do: the daemon learns its ingestion
            # endpoint from whoever starts it, so a daemon restarted while no
            # app runs still delivers its pings.
            args = [*args, "--telemetry-url", self.lab.url]
        process = self._spawn([sys.executable, "-m", "daemon", *args], stdout=subprocess.DEVNULL, stderr=log)
        # Ready when it answers, or gone (exit 3: another daemon of this home runs).
        wait_until(lambda: self.daemon_pid() is not None or process.poll() is not None, DAEMON_READY_TIMEOUT_S, 0.1)
        return self.daemon_pid()

    def kill_daemon(self, pid: int | None = None) -> int | None:
        """SIGKILL daemon ``pid`` (default: the one answering on the socket) and wait until it is gone.

        Its pid, or ``None`` if none answered.
        """
        pid = pid if pid is not None else self.daemon_pid()
        if pid is None:
            return None
        self._signal(pid, signal.SIGKILL)
        return pid

    def stop_daemon(self) -> bool:
        """SIGTERM the daemon (an orderly shutdown ending its session); whether it exited in time."""
        pid = self.daemon_pid()
        if pid is None:
            return True
        return self._signal(pid, signal.SIGTERM, STOP_TIMEOUT_S)

    # ------------------------------------------------------------------ app

    def start_app(self, args: Sequence[str] = (), wait: bool = True) -> int:
        """Start ``vpnui`` offscreen with its inspector on; its pid (ready when ``wait``: the inspector answers)."""
        if self.app_running():
            raise InstallationError("the app already runs")
        self._app_starts += 1
        log = self._log_file("app.log")
        log.write(f"--- app start {self._app_starts} at {time.strftime('%H:%M:%S')}\n".encode())
        log.flush()
        command = [sys.executable, "-m", "vpnui", "--inspector-socket", str(self.inspector_socket), *args]
        self._app = self._spawn(command, stdout=log, stderr=log)
        if wait:
            self.wait_app_ready()
        return self._app.pid

    def wait_app_ready(self, timeout: float = APP_READY_TIMEOUT_S) -> AppState:
        """The app's state once its inspector answers; ``InstallationError`` if it died or is too slow."""
        found: list[AppState] = []

        def answered() -> bool:
            if not self.app_running():
                return True
            state = self.app_state()
            if state is not None:
                found.append(state)
            return bool(found)

        wait_until(answered, timeout, 0.1)
        if found:
            return found[0]
        code = self._app.poll() if self._app is not None else None
        raise InstallationError(
            f"the app {'exited with ' + str(code) if code is not None else 'did not answer'}"
            f" within {timeout:.0f} s; see {self.places.logs / 'app.log'}"
        )

    @property
    def app_pid(self) -> int | None:
        return self._app.pid if self._app is not None else None

    def app_running(self) -> bool:
        return self._app is not None and self._app.poll() is None

    def app_exit_code(self) -> int | None:
        """The exit code of the last app started, ``None`` while it runs (or if none was started)."""
        return self._app.poll() if self._app is not None else None

    def inspector(self, timeout: float = 5.0) -> InspectorClient:
        return InspectorClient(self.inspector_socket, timeout=timeout)

    def app_state(self, timeout: float = 3.0) -> AppState | None:
        """What the app shows, ``None`` when its inspector does not answer."""
        try:
            with self.inspector(timeout) as inspector:
                return inspector.state()
        except (InspectorUnavailable, InspectorError, TimeoutError, OSError):
            return None

    def kill_app(self) -> int | None:
        """SIGKILL the app; its pid, or ``None`` if it was not running."""
        if self._app is None or self._app.poll() is not None:
            return None
        self._app.kill()
        self._app.wait(GONE_TIMEOUT_S)
        return self._app.pid

    def stop_app(self, timeout: float = STOP_TIMEOUT_S) -> int | None:
        """SIGTERM the app (its orderly quit); its exit code, ``None`` if it had to be SIGKILLed after ``timeout``."""
        if self._app is None or self._app.poll() is not None:
            return self._app.returncode if self._app is not None else 0
        self._app.terminate()
        try:
            return self._app.wait(timeout)
        except subprocess.TimeoutExpired:
            self._app.kill()
            self._app.wait(GONE_TIMEOUT_S)
            return None

    def app_log_tail(self, size: int = 4000) -> str:
        path = self.places.logs / "app.log"
        try:
            with path.open("rb") as log:
                log.seek(max(0, path.stat().st_size - size))
                return log.read().decode("utf-8", "replace")
        except OSError:
            return ""

    # -------------------------------------------------------- command line

    def ctl(self, *args: str, timeout: float = CTL_TIMEOUT_S) -> subprocess.CompletedProcess[str]:
        """Run ``vpnui-ctl ARGS`` in this home; a run past ``timeout`` is killed (exit code -9)."""
        process = subprocess.Popen(
            [sys.executable, "-m", "vpnui.ctl", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=self.env,
            cwd=self.home,
            text=True,
            start_new_session=True,
        )
        try:
            out, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            out, err = process.communicate()
            err += f"\nkilled after {timeout:.0f} s"
        return subprocess.CompletedProcess(process.args, process.returncode, out, err)

    # ------------------------------------------------------------ telemetry

    def glean_dir(self, process: GleanProcess) -> Path:
        return self.places.glean_dir(process)

    def queued_pings(self, process: GleanProcess) -> int:
        """Pings ``process``'s Glean has stored and not delivered yet (also while it is not running)."""
        data_dir = self.glean_dir(process)
        count = 0
        for folder in _GLEAN_QUEUES:
            with contextlib.suppress(OSError):
                count += sum(1 for entry in (data_dir / folder).iterdir() if entry.is_file())
        return count

    def glean_client_id(self, process: GleanProcess) -> str | None:
        """The Glean client id of ``process`` here (its pings' ``client_info.client_id``); ``None`` before it ran.

        glean-core 71 keeps a copy of the client id in ``client_id.txt`` in
        the data directory (to recover it if its database is lost).
        """
        try:
            text = (self.glean_dir(process) / _GLEAN_CLIENT_ID_FILE).read_text(encoding="utf-8").strip()
        except OSError:
            return None
        return text or None

    def queued_ping_contents(self, process: GleanProcess) -> list[StoredPing]:
        """The pings ``process``'s Glean has queued on disk, read as the lab would store them.

        glean-sdk 71 keeps each pending ping as a file named by its document
        id: the upload path on the first line, the JSON body on the second.
        A file that does not read that way (one being written, another
        layout) is left out; ``queued_pings`` still counts it.  ``received_at``
        is empty: the ping was not received.
        """
        found: list[StoredPing] = []
        for folder in _GLEAN_QUEUES:
            try:
                entries = sorted((self.glean_dir(process) / folder).iterdir())
            except OSError:
                continue
            for entry in entries:
                with contextlib.suppress(OSError, ValueError, msgspec.DecodeError, msgspec.ValidationError):
                    path, body = entry.read_text(encoding="utf-8").split("\n", 2)[:2]
                    _, _, app, ping, version, document_id = path.split("/", 5)
                    payload = msgspec.json.decode(body, type=dict[str, Any])
                    found.append(
                        StoredPing(
                            document_id=document_id,
                            app=app,
                            ping=ping,
                            version=version,
                            received_at="",
                            headers={},
                            payload=payload,
                        )
                    )
        return found

    def daemon_log_lines(self) -> list[str]:
        """The daemon's log, oldest line first, across its rotated files."""
        logs = self.places.logs
        files = sorted(logs.glob("daemon.log.*"), key=lambda path: -_rotation_index(path))
        lines: list[str] = []
        for path in [*files, logs / "daemon.log"]:
            with contextlib.suppress(OSError):
                lines += path.read_text(encoding="utf-8", errors="replace").splitlines()
        return lines

    # ------------------------------------------------------------ processes

    def processes(self) -> list[int]:
        """Every running process of this installation, whoever started it."""
        return processes_with_home(self.home)

    def close(self) -> list[int]:
        """End every process of the home (SIGTERM, then SIGKILL), reap them, remove a created home.

        Returns the pids that were still running.  Safe to call twice.
        """
        with contextlib.suppress(InstallationError, OSError, subprocess.SubprocessError):
            self.stop_app(timeout=5.0)
        pids = end_processes(self.home)
        if self.lab_process is not None:
            self.lab_process.stop()
        for child in self._children:
            if child.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    child.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(GONE_TIMEOUT_S)
            if child.stdout is not None:
                child.stdout.close()
        self._children.clear()
        for file in self._files:
            file.close()
        self._files.clear()
        self.lab = None
        if not self.keep_home:
            shutil.rmtree(self.home, ignore_errors=True)
        return pids

    def __enter__(self) -> Installation:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    # -------------------------------------------------------------- helpers

    def _spawn(
        self, command: list[str], *, stdout: int | IO[bytes], stderr: int | IO[bytes]
    ) -> subprocess.Popen[bytes]:
        # A session of its own: Ctrl-C in the terminal reaches the driver
        # only, which then ends every process in order.
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            env=self.env,
            cwd=self.home,
            start_new_session=True,
        )
        self._children.append(process)
        self._reap()
        return process

    def _reap(self) -> None:
        """Collect the exit status of children that ended (a killed daemon this driver started, say)."""
        for child in self._children:
            child.poll()

    def _log_file(self, name: str) -> IO[bytes]:
        file = (self.places.logs / name).open("ab")
        self._files.append(file)
        return file

    def _signal(self, pid: int, signum: signal.Signals, timeout: float = GONE_TIMEOUT_S) -> bool:
        """Send ``signum`` to ``pid`` and wait until it is gone; whether it went in time."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)

        def gone() -> bool:
            self._reap()
            return not alive(pid)

        return wait_until(gone, timeout)


def _environment(home: Path) -> dict[str, str]:
    # This checkout's code in every process, as the driver runs it.
    env = checkout_environment()
    env[HOME_ENV] = str(home)
    env["QT_QPA_PLATFORM"] = "offscreen"
    # The inspector is asked for explicitly, on the app's command line.
    env.pop("MIMIC_INSPECTOR_SOCKET", None)
    return env


def _rotation_index(path: Path) -> int:
    suffix = path.name.rsplit(".", 1)[-1]
    return int(suffix) if suffix.isdigit() else 0
