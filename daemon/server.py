"""The local control socket: any number of clients, one protocol line at a time.

Robustness rules from the design, all enforced here, per client:

* a bad line gets an error reply naming the problem and the client stays
  connected; ``MAX_CONSECUTIVE_ERRORS`` bad lines in a row close that client
  only;
* an over-long line is reported once and skipped up to its newline, and a
  client that stops reading its replies is dropped, so no peer can make the
  daemon buffer without bound;
* nothing but ``hello`` is served before a successful ``hello``;
* a failing handler answers ``internal`` and is logged; a client vanishing
  mid-request is not an error at all.  Nothing a client does stops the
  daemon from serving the others.

Requests run as asyncio tasks so that a slow one (``activate`` waits for a
handshake) does not hold up ``status`` or ``deactivate`` on any connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import stat
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Final

import msgspec
from PySide6.QtCore import QObject
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from daemon.errors import RequestFailed
from mimic_core.line_buffer import LineBuffer, LineTooLong
from mimic_core.protocol import (
    MAX_CONSECUTIVE_ERRORS,
    MAX_LINE_BYTES,
    PROTOCOL_VERSION,
    Error,
    ErrorCode,
    Event,
    Hello,
    ProtocolError,
    Request,
    Result,
    decode_request,
    encode,
)

log = logging.getLogger(__name__)

# The handler learns which kind of client asked (its hello ``client``:
# "app", "cli", ...): a session started without the app is told apart by it.
Handler = Callable[[Request, str], Awaitable[dict[str, Any]]]
# Optional: answers a request at once, or returns None when it must wait.
ImmediateHandler = Callable[[Request, str], "dict[str, Any] | None"]

# A client with this much unsent output is not reading: it is dropped
# instead of letting its replies and events pile up in memory.
MAX_PENDING_OUTPUT: Final = 4 * 1024 * 1024
SOCKET_MODE: Final = 0o600
# Bad lines logged a second, all clients together (the rest are counted).
BAD_LINES_LOGGED_PER_SECOND: Final = 10


class ListenError(Exception):
    """The control socket could not be set up."""


class _Client:
    """One connection and what the server remembers about it."""

    def __init__(self, number: int, socket: QLocalSocket) -> None:
        self.number = number
        self.socket = socket
        self.lines = LineBuffer()
        self.greeted = False
        self.kind = ""
        self.errors_in_a_row = 0
        # Replies not yet written (running requests, queued rejections):
        # while any is pending, later replies queue behind it, so a client
        # that pipelines gets its answers in the order of its lines.
        self.pending = 0
        # ``closing``: no more input is processed; ``closed``: the socket is gone.
        self.closing = False
        self.closed = False

    def __repr__(self) -> str:
        return f"client#{self.number}"


class _LogBudget:
    """At most ``per_second`` messages a second; the rest are counted and summarised."""

    def __init__(self, per_second: int) -> None:
        self._per_second = per_second
        self._window_start = -1.0
        self._used = 0
        self._suppressed = 0

    def allow(self, now: float) -> bool:
        if now - self._window_start >= 1.0:
            if self._suppressed:
                log.info("%d more bad lines not logged in the last second", self._suppressed)
            self._window_start, self._used, self._suppressed = now, 0, 0
        if self._used < self._per_second:
            self._used += 1
            return True
        self._suppressed += 1
        return False


class ControlServer(QObject):
    """Owns the ``QLocalServer`` and every client connection."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._server = QLocalServer(self)
        self._server.newConnection.connect(self._accept)
        self._handler: Handler | None = None
        self._immediate: ImmediateHandler | None = None
        self._clients: set[_Client] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._next_number = 1
        self._bad_line_log = _LogBudget(BAD_LINES_LOGGED_PER_SECOND)
        self._path: Path | None = None

    @property
    def client_count(self) -> int:
        return len(self._clients)

    def has_client(self, kind: str) -> bool:
        """Whether a client that said hello as ``kind`` (e.g. "app") is connected."""
        return any(client.greeted and client.kind == kind and not client.closed for client in self._clients)

    def listen(self, path: Path, handler: Handler, immediate: ImmediateHandler | None = None) -> None:
        """Serve ``path`` (owner-only, mode 0600), replacing a stale socket file.

        The caller holds the single-instance lock, so a socket file found
        here belongs to a daemon that is gone and can be removed.
        """
        self._handler = handler
        self._immediate = immediate
        if path.exists() or path.is_symlink():
            log.info("removing stale socket %s", path)
        QLocalServer.removeServer(str(path))
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not self._server.listen(str(path)):
            raise ListenError(f"cannot listen on {path}: {self._server.errorString()}")
        self._path = path
        os.chmod(path, SOCKET_MODE)
        mode = stat.S_IMODE(os.lstat(path).st_mode)
        if mode != SOCKET_MODE:
            self._server.close()
            raise ListenError(f"socket {path} has mode {mode:o}, expected {SOCKET_MODE:o}")
        log.info("listening on %s", path)

    def broadcast(self, event: Event) -> None:
        """Send ``event`` to every client that completed ``hello``."""
        data = encode(event)
        for client in list(self._clients):
            if client.greeted:
                self._write(client, data)

    async def close(self, flush_timeout: float = 1.0) -> None:
        """Stop accepting, give clients up to ``flush_timeout`` to receive what is queued, close."""
        self._server.close()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + flush_timeout
        for client in self._clients:
            client.socket.flush()
        while loop.time() < deadline and any(
            c.socket.bytesToWrite() > 0 and c.socket.state() == QLocalSocket.LocalSocketState.ConnectedState
            for c in self._clients
        ):
            await asyncio.sleep(0.01)
        for client in list(self._clients):
            self._drop(client, abort=True)
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=flush_timeout)
        if self._path is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self._path)
            log.info("removed socket %s", self._path)

    # -------------------------------------------------------- connections

    def _accept(self) -> None:
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            if socket is None:
                break
            client = _Client(self._next_number, socket)
            self._next_number += 1
            self._clients.add(client)
            socket.readyRead.connect(lambda c=client: self._guarded(self._read, c))
            socket.disconnected.connect(lambda c=client: self._guarded(self._on_disconnected, c))
            log.debug("%s connected (%d clients)", client, len(self._clients))

    def _guarded(self, slot: Callable[[_Client], None], client: _Client) -> None:
        """Run a socket slot; an exception is logged, never allowed to escape into Qt."""
        try:
            slot(client)
        except Exception:
            log.exception("error serving %s; dropping it", client)
            self._drop(client, abort=True)

    def _on_disconnected(self, client: _Client) -> None:
        log.debug("%s disconnected", client)
        self._drop(client, abort=False)

    def _drop(self, client: _Client, *, abort: bool) -> None:
        """Forget ``client`` and delete its socket (after aborting it if still open)."""
        if client in self._clients:
            self._clients.discard(client)
            client.closed = True
            # RuntimeError: Qt already deleted the socket; there is nothing left to close.
            with contextlib.suppress(RuntimeError):
                if abort:
                    client.socket.abort()
                # PySide6 6.11 (measured: 6.11.3) keeps the Python wrapper of a
                # socket from nextPendingConnection() in the server wrapper's
                # list of children after deleteLater() has deleted the socket:
                # about 1 KB per connection for the life of the daemon.  Taken
                # out of the server's children first (Python then owns it until
                # the deletion), the wrapper goes with the socket.
                client.socket.setParent(None)
                client.socket.deleteLater()

    def _read(self, client: _Client) -> None:
        data = client.socket.readAll().data()
        for item in client.lines.feed(bytes(data)):
            if client.closing or client.closed:
                return
            if isinstance(item, LineTooLong):
                self._reject(
                    client,
                    Error(
                        id=None,
                        code="line_too_long",
                        message=f"line exceeds {MAX_LINE_BYTES} bytes; discarded up to the next newline",
                    ),
                )
            else:
                self._handle_line(client, item)

    # ------------------------------------------------------------ requests

    def _handle_line(self, client: _Client, line: bytes) -> None:
        try:
            request = decode_request(line)
        except ProtocolError as exc:
            self._reject(client, exc.to_error())
            return
        if isinstance(request, Hello):
            if request.version != PROTOCOL_VERSION:
                self._reject(
                    client,
                    _error(
                        request.id,
                        "unsupported_version",
                        f"this daemon speaks protocol version {PROTOCOL_VERSION}, the client sent {request.version}",
                    ),
                )
                return
            client.greeted = True
            client.kind = request.client
        elif not client.greeted:
            self._reject(client, _error(request.id, "handshake_required", "send hello before any other request"))
            return
        client.errors_in_a_row = 0
        if self._immediate is not None and client.pending == 0 and self._answer_now(client, request):
            return
        client.pending += 1
        task = asyncio.get_running_loop().create_task(
            self._serve(client, request), name=f"{client}-{type(request).__name__}-{request.id}"
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _answer_now(self, client: _Client, request: Request) -> bool:
        """Reply without a task if the request needs no waiting; whether it did."""
        assert self._immediate is not None
        reply: msgspec.Struct
        try:
            data = self._immediate(request, client.kind)
        except RequestFailed as exc:
            reply = exc.to_error(request.id)
        except Exception as exc:
            log.exception("internal error handling %r from %s", request, client)
            reply = _error(request.id, "internal", f"internal error: {type(exc).__name__}: {exc}")
        else:
            if data is None:
                return False
            reply = Result(id=request.id, data=data)
        if not client.closed:
            self._write(client, encode(reply))
        return True

    async def _serve(self, client: _Client, request: Request) -> None:
        assert self._handler is not None
        reply: msgspec.Struct
        try:
            reply = Result(id=request.id, data=await self._handler(request, client.kind))
        except RequestFailed as exc:
            reply = exc.to_error(request.id)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("internal error handling %r from %s", request, client)
            reply = _error(request.id, "internal", f"internal error: {type(exc).__name__}: {exc}")
        client.pending -= 1
        if not client.closed:
            self._write(client, encode(reply))

    def _reject(self, client: _Client, error: Error) -> None:
        """Answer a bad line; too many in a row and the client is closed.

        The answer is queued behind the tasks of earlier requests, so a
        client that pipelines gets its replies in the order of its lines
        (as long as no request has to wait for the network).
        """
        client.errors_in_a_row += 1
        # One short line per bad line (the error message is capped at
        # ``MAX_ERROR_MESSAGE_CHARS`` and a refused line is no exception), at
        # most a few a second: a flood of garbage must not rotate the useful
        # lines out of the log file and the ring buffer ``logs`` answers from.
        if self._bad_line_log.allow(time.monotonic()):
            log.info("%s sent a bad line: %s: %s", client, error.code, error.message)
        give_up = client.errors_in_a_row >= MAX_CONSECUTIVE_ERRORS
        if give_up:
            log.warning("%s sent %d invalid lines in a row; closing it", client, client.errors_in_a_row)
            client.closing = True
        if client.pending == 0:
            self._send_rejection(client, encode(error), give_up, queued=False)
            return
        client.pending += 1
        asyncio.get_running_loop().call_soon(self._send_rejection, client, encode(error), give_up)

    def _send_rejection(self, client: _Client, data: bytes, give_up: bool, queued: bool = True) -> None:
        if queued:
            client.pending -= 1
        self._write(client, data)
        if give_up and not client.closed:
            self._close_gracefully(client)

    def _close_gracefully(self, client: _Client) -> None:
        """Stop serving ``client`` but deliver what is queued; it is deleted once disconnected."""
        client.closing = True
        client.socket.flush()
        client.socket.disconnectFromServer()

    def _write(self, client: _Client, data: bytes) -> None:
        if client.closed:
            return
        socket = client.socket
        if socket.state() != QLocalSocket.LocalSocketState.ConnectedState:
            return
        if socket.bytesToWrite() + len(data) > MAX_PENDING_OUTPUT:
            log.warning("%s is not reading its replies; dropping it", client)
            self._drop(client, abort=True)
            return
        if socket.write(data) < 0:
            log.debug("write to %s failed: %s", client, socket.errorString())


def _error(request_id: int | None, code: ErrorCode, message: str) -> Error:
    return Error(id=request_id, code=code, message=message)
