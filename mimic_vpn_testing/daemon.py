"""The daemon of a test's installation, through its blocking client.

Whoever started the daemon (the app does, detached, when it finds none;
``start`` here does for a test without the app), this handle reaches the one
answering on the installation's socket, opening a short connection per
question as ``vpnui-ctl`` does.  Waits keep Qt's event loop turning when a
Qt application exists, so an app running in the test process goes on
reacting while the test waits on the daemon.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Final

from lab.installation import Installation
from mimic_core.protocol import DaemonError, StatusData
from mimic_core.sync_client import DaemonConnection, DaemonUnavailable

FAST_DAEMON_ARGS: Final = ("--keepalive-interval", "0.2", "--handshake-timeout", "0.3")
"""What ``start`` gives the daemon by default: the app fixture's daemon timings."""
POLL_S: Final = 0.05


def _spin(seconds: float) -> None:
    """Let ``seconds`` pass, processing Qt's events meanwhile if there is an application."""
    from PySide6.QtCore import QCoreApplication  # noqa: PLC0415  (Qt only where a test has loaded it)

    if QCoreApplication.instance() is None:
        time.sleep(seconds)
        return
    from PySide6.QtTest import QTest  # noqa: PLC0415

    QTest.qWait(max(1, int(seconds * 1000)))


def describe(status: StatusData | None) -> str:
    """One line of what the daemon reports, for failure messages."""
    if status is None:
        return "no daemon answers on the socket"
    server = status.server.name if status.server is not None else "none"
    return f"state {status.state!r}, server {server}, session {status.session_id}, since {status.connected_since}"


class Daemon:
    """The daemon of one installation: ask it, wait for it, start or kill it."""

    def __init__(self, installation: Installation) -> None:
        self.installation = installation
        self._connections: list[DaemonConnection] = []

    def connect(self, timeout: float = 5.0) -> DaemonConnection:
        """A greeted connection (``hello`` done) for requests and events; closed after the test."""
        connection = self.installation.daemon_connection(timeout)
        self._connections.append(connection)
        return connection

    def status(self) -> StatusData:
        """The daemon's status (state, server, session id, ``connected_since``, counters)."""
        with self.installation.daemon_connection(5.0) as daemon:
            return daemon.status()

    def try_status(self) -> StatusData | None:
        """The status, ``None`` when no daemon answers."""
        return self.installation.daemon_status()

    def server_name(self) -> str:
        """The server the tunnel uses, empty when none."""
        server = self.status().server
        return server.name if server is not None else ""

    def session_id(self) -> str:
        """The live shared session id (the nil UUID when no session runs)."""
        with self.installation.daemon_connection(5.0) as daemon:
            return daemon.session_id().session_id

    def logs(self, lines: int = 5000) -> list[str]:
        """The daemon's last log lines."""
        with self.installation.daemon_connection(5.0) as daemon:
            return daemon.logs(lines=lines)

    def pid(self) -> int | None:
        """The pid of the daemon answering, ``None`` when none does."""
        return self.installation.daemon_pid()

    def start(self, args: Sequence[str] = FAST_DAEMON_ARGS) -> int:
        """Start a daemon in the installation as a service manager would; its pid once it answers."""
        pid = self.installation.start_daemon(args)
        if pid is None:
            log = self.installation.places.logs / "daemon.stderr"
            raise AssertionError(f"the daemon did not answer after starting; see {log}")
        return pid

    def kill(self) -> int | None:
        """SIGKILL the daemon answering (a running app starts another); its pid, ``None`` if none ran."""
        return self.installation.kill_daemon()

    def wait_for(self, condition: Callable[[StatusData], bool], what: str, timeout: float = 10.0) -> StatusData:
        """Poll the status until ``condition`` holds; that status.

        Fails saying ``what`` was awaited and what the daemon reported last.
        """
        deadline = time.monotonic() + timeout
        last: StatusData | None = None
        while True:
            try:
                last = self.status()
            except (DaemonUnavailable, DaemonError, TimeoutError, OSError):
                last = None
            if last is not None and condition(last):
                return last
            if time.monotonic() >= deadline:
                reported = describe(last)
                raise AssertionError(f"the daemon did not reach {what} within {timeout:g} s; it reports {reported}")
            _spin(POLL_S)

    def wait_for_state(self, state: str, timeout: float = 10.0) -> StatusData:
        """Wait until the daemon's state is ``state`` (``off``, ``connecting``, ``on``, ...)."""
        return self.wait_for(lambda status: status.state == state, f"state {state!r}", timeout)

    def close(self) -> None:
        for connection in self._connections:
            connection.close()
        self._connections.clear()
