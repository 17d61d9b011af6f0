"""A small blocking client of the daemon, on the standard library only.

For the command-line client, tests and benchmarks: code that wants to ask
the daemon one thing and wait for the answer, without an event loop or Qt.
Events the daemon pushes while a reply is awaited are kept, in order, for
``next_event``.
"""

from __future__ import annotations

import itertools
import socket
import time
from collections import deque
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Final, NamedTuple, TypeVar

from mimic_core.line_buffer import LineOverLimit, PeerClosed, SocketLines
from mimic_core.paths import locations
from mimic_core.protocol import (
    PROTOCOL_VERSION,
    Activate,
    DaemonError,
    DaemonMessage,
    Deactivate,
    Error,
    Event,
    GetSessionId,
    Hello,
    Logs,
    ProtocolError,
    Request,
    Result,
    ServerEndpoint,
    Status,
    StatusData,
    decode_daemon_message,
    encode,
    status_from,
)

# Events kept while nobody asks for them; the oldest go first beyond this.
MAX_QUEUED_EVENTS: Final = 10_000

E = TypeVar("E", bound=Event)


class DaemonUnavailable(ConnectionError):
    """No daemon listens on the socket, or it closed the connection."""


class SessionIdReply(NamedTuple):
    session_id: str
    active: bool  # False: ``session_id`` is the inactive (nil) id


class DaemonConnection:
    """One connection to the daemon; every wait is bounded by a timeout.

    ``timeout`` is the default for each call that waits; a call that runs
    out raises ``TimeoutError``.  Connecting does not say hello: call
    ``hello()`` first (tests of the hello rule need a connection without it).
    """

    def __init__(self, socket_path: Path | str | None = None, timeout: float = 5.0) -> None:
        self.socket_path = Path(socket_path) if socket_path is not None else locations().socket
        self.timeout = timeout
        self._ids = itertools.count(1)
        self._events: deque[Event] = deque(maxlen=MAX_QUEUED_EVENTS)
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._lines = SocketLines(self._sock)
        try:
            self._sock.settimeout(timeout)
            self._sock.connect(str(self.socket_path))
        except (FileNotFoundError, ConnectionRefusedError) as exc:
            self._sock.close()
            raise DaemonUnavailable(f"no daemon on {self.socket_path}: {exc.strerror}") from exc
        except BaseException:
            self._sock.close()
            raise

    # ------------------------------------------------------------ requests

    def next_id(self) -> int:
        return next(self._ids)

    def request(self, message: Request, timeout: float | None = None) -> Result:
        """Send ``message`` with a fresh id and wait for its reply.

        The id already in ``message`` is replaced, so callers can build it
        with ``id=0``.  Raises ``DaemonError`` on an error reply.
        """
        message.id = self.next_id()
        self._sock.sendall(encode(message))
        deadline = _deadline(self.timeout if timeout is None else timeout)
        while True:
            reply = self._read_message(deadline)
            if isinstance(reply, Result | Error) and reply.id == message.id:
                if isinstance(reply, Error):
                    raise DaemonError(reply.code, reply.message)
                return reply
            if not isinstance(reply, Result | Error):
                self._events.append(reply)
            # A reply to some other id (or to an unparseable line) is not ours: skipped.

    def hello(self, client: str = "cli", installation_id: str | None = None) -> dict[str, Any]:
        return self.request(Hello(id=0, version=PROTOCOL_VERSION, client=client, installation_id=installation_id)).data

    def status(self) -> StatusData:
        return _status_of(self.request(Status(id=0)))

    def activate(
        self,
        servers: Sequence[ServerEndpoint],
        location: str = "",
        timeout: float | None = None,
        standby: Sequence[ServerEndpoint] = (),
    ) -> StatusData:
        """Returns once the handshake is done (the wait can be long: pass a ``timeout``)."""
        request = Activate(id=0, servers=list(servers), location=location, standby=list(standby))
        return _status_of(self.request(request, timeout))

    def deactivate(self, timeout: float | None = None) -> StatusData:
        return _status_of(self.request(Deactivate(id=0), timeout))

    def session_id(self) -> SessionIdReply:
        """The shared session id and whether a session is live."""
        data = self.request(GetSessionId(id=0)).data
        session_id, active = data.get("session_id"), data.get("active")
        if not isinstance(session_id, str) or not isinstance(active, bool):
            raise DaemonError("invalid_field", f"unreadable session id reply from the daemon: {data!r:.200}")
        return SessionIdReply(session_id, active)

    def logs(self, lines: int = 200) -> list[str]:
        data = self.request(Logs(id=0, lines=lines)).data
        found = data.get("lines")
        if not isinstance(found, list):
            raise DaemonError("invalid_field", f"unreadable logs reply from the daemon: {data!r:.200}")
        return [str(line) for line in found]

    # -------------------------------------------------------------- events

    def next_event(self, timeout: float | None = None) -> Event:
        """The oldest event not yet returned, waiting for one if needed."""
        if self._events:
            return self._events.popleft()
        deadline = _deadline(self.timeout if timeout is None else timeout)
        while True:
            message = self._read_message(deadline)
            if not isinstance(message, Result | Error):
                return message

    def wait_for(self, kind: type[E], timeout: float | None = None) -> E:
        """The next event of type ``kind``; events of other types before it are dropped."""
        deadline = _deadline(self.timeout if timeout is None else timeout)
        while True:
            event = self.next_event(timeout=max(0.0, deadline - time.monotonic()))
            if isinstance(event, kind):
                return event

    def drain_events(self) -> list[Event]:
        """The events received so far and not yet returned (no waiting)."""
        events = list(self._events)
        self._events.clear()
        return events

    # ----------------------------------------------------------- raw lines

    def send_raw(self, data: bytes) -> None:
        """Send bytes as they are (for tests of malformed input)."""
        self._sock.sendall(data)

    def read_line(self, timeout: float | None = None) -> bytes:
        """The next line from the daemon, newline removed (blank lines are skipped), whatever it holds."""
        return self._next_line(_deadline(self.timeout if timeout is None else timeout))

    # ------------------------------------------------------------ plumbing

    def close(self) -> None:
        self._sock.close()

    def __enter__(self) -> DaemonConnection:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _read_message(self, deadline: float) -> DaemonMessage:
        line = self._next_line(deadline)
        try:
            return decode_daemon_message(line)
        except ProtocolError as exc:
            raise DaemonError(exc.code, f"unreadable message from the daemon: {exc}") from None

    def _next_line(self, deadline: float) -> bytes:
        try:
            return self._lines.next_line(deadline)
        except TimeoutError:
            raise TimeoutError("no message from the daemon in time") from None
        except PeerClosed as exc:
            raise DaemonUnavailable(f"the daemon {'reset' if exc.reset else 'closed'} the connection") from exc
        except LineOverLimit as exc:
            raise DaemonError("line_too_long", f"the daemon sent a line over the protocol limit ({exc})") from None


def _status_of(reply: Result) -> StatusData:
    """The status in ``reply``; ``DaemonError`` if it holds none."""
    try:
        return status_from(reply.data)
    except ProtocolError as exc:
        raise DaemonError(exc.code, f"unreadable status from the daemon: {exc}") from None


def _deadline(timeout: float) -> float:
    return time.monotonic() + timeout
