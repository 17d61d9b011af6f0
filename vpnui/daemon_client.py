"""The app's link to the daemon over QLocalSocket.

The link has its own state (starting, ready, lost), separate from the VPN
state: the daemon may be gone while a VPN session it runs is still alive
(it is restarted and the session picked up), and the UI must say which is
which.  When nothing answers on the socket the client starts the daemon
with QProcess as a detached process, because the daemon outlives the app;
when the link drops it reconnects with a capped, doubling backoff.
"""

from __future__ import annotations

import logging
import time
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtNetwork import QLocalSocket

from mimic_core import protocol
from mimic_core.paths import locations
from mimic_core.protocol import DaemonError

if TYPE_CHECKING:
    import asyncio

log = logging.getLogger(__name__)

BACKOFF_START_S = 0.5
BACKOFF_MAX_S = 16.0
# Don't spawn again within this long of a spawn that has not answered yet: a
# daemon that dies at start must not turn into a fork storm, and one that is
# still starting needs time.
SPAWN_INTERVAL_S = 5.0
DEFAULT_TIMEOUT_S = 5.0


class LinkState(StrEnum):
    STARTING = "starting"  # connecting, or waiting for a daemon we started
    READY = "ready"  # hello answered: requests can be sent
    LOST = "lost"  # no daemon; reconnecting with backoff


class DaemonLinkError(Exception):
    """The request could not be answered because the link is not ready."""


class DaemonClient(QObject):
    """Requests to the daemon (awaitable) and its events (a Qt signal)."""

    linkStateChanged = Signal(str)
    eventReceived = Signal(object)  # a protocol.Event

    def __init__(
        self,
        installation_id: str,
        daemon_args: list[str] | None = None,
        socket_path: Path | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._installation_id = installation_id
        self._daemon_args = daemon_args or []
        # Where a daemon started by this client sends its telemetry (the app's
        # ingestion endpoint): a daemon learns it from whoever starts it.
        self.telemetry_url: str | None = None
        self._socket_path = socket_path or locations().socket
        self._socket = QLocalSocket(self)
        self._socket.connected.connect(self._on_connected)
        self._socket.disconnected.connect(self._on_disconnected)
        self._socket.errorOccurred.connect(self._on_error)
        self._socket.readyRead.connect(self._on_ready_read)
        self._buffer = bytearray()
        self._next_id = 1
        self._pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._link = LinkState.STARTING
        self._backoff = BACKOFF_START_S
        self._last_spawn = float("-inf")
        self._closing = False
        self._hello_task: asyncio.Task[None] | None = None
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.timeout.connect(self._connect)

    # ------------------------------------------------------------ public

    @property
    def link_state(self) -> LinkState:
        return self._link

    def start(self) -> None:
        """Connect now (and start the daemon if nothing answers)."""
        self._closing = False
        self._set_link(LinkState.STARTING)
        self._connect()

    def close(self) -> None:
        """Drop the link without touching the daemon or its VPN session."""
        self._closing = True
        self._retry.stop()
        if self._hello_task is not None:
            self._hello_task.cancel()
        self._fail_pending(DaemonLinkError("client closed"))
        self._socket.abort()

    async def request(self, message: protocol.Request, timeout: float = DEFAULT_TIMEOUT_S) -> dict[str, Any]:
        """Send ``message`` (its ``id`` is assigned here) and await the result data."""
        if self._link is not LinkState.READY and not isinstance(message, protocol.Hello):
            raise DaemonLinkError(f"daemon link is {self._link.value}")
        return await self._send(message, timeout)

    async def status(self) -> protocol.StatusData:
        """The daemon's status; ``DaemonError`` if its reply is not a valid one."""
        data = await self.request(protocol.Status(id=0))
        try:
            return protocol.status_from(data)
        except protocol.ProtocolError as exc:
            raise DaemonError(exc.code, f"unreadable status from the daemon: {exc}") from None

    # ---------------------------------------------------------- internals

    def _set_link(self, state: LinkState) -> None:
        if state is not self._link:
            self._link = state
            log.info("daemon link %s", state.value)
            self.linkStateChanged.emit(state.value)

    async def _send(self, message: protocol.Request, timeout: float) -> dict[str, Any]:
        request_id = self._next_id
        self._next_id += 1
        message = msgspec.structs.replace(message, id=request_id)
        import asyncio  # noqa: PLC0415  (loaded after the full UI: see vpnui.background_tasks)

        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = future
        self._socket.write(protocol.encode(message))
        self._socket.flush()
        try:
            return await asyncio.wait_for(future, timeout)
        finally:
            self._pending.pop(request_id, None)

    def _connect(self) -> None:
        if self._closing:
            return
        if self._socket.state() != QLocalSocket.LocalSocketState.UnconnectedState:
            self._socket.abort()
        self._buffer.clear()
        self._socket.connectToServer(str(self._socket_path))

    def _on_connected(self) -> None:
        import asyncio  # noqa: PLC0415  (loaded after the full UI: see vpnui.background_tasks)

        self._hello_task = asyncio.ensure_future(self._say_hello())

    async def _say_hello(self) -> None:
        try:
            await self._send(
                protocol.Hello(
                    id=0,
                    version=protocol.PROTOCOL_VERSION,
                    client="app",
                    installation_id=self._installation_id,
                ),
                DEFAULT_TIMEOUT_S,
            )
        except (DaemonError, DaemonLinkError, TimeoutError) as exc:
            log.error("daemon refused hello: %s", exc)
            self._socket.abort()
            return
        self._backoff = BACKOFF_START_S
        # The daemon we may have started is up: a later loss may spawn at once.
        self._last_spawn = float("-inf")
        self._set_link(LinkState.READY)

    def _on_error(self, error: QLocalSocket.LocalSocketError) -> None:
        if self._closing:
            return
        if self._socket.state() == QLocalSocket.LocalSocketState.ConnectedState:
            return  # the disconnected signal follows and handles it
        nobody_listens = error in (
            QLocalSocket.LocalSocketError.ServerNotFoundError,
            QLocalSocket.LocalSocketError.ConnectionRefusedError,
        )
        if nobody_listens and time.monotonic() - self._last_spawn >= SPAWN_INTERVAL_S:
            self._spawn_daemon()
            self._set_link(LinkState.STARTING)
            # A fresh daemon listens within a fraction of a second; poll soon.
            self._retry.start(int(BACKOFF_START_S * 1000))
            return
        if self._link is not LinkState.STARTING or time.monotonic() - self._last_spawn >= SPAWN_INTERVAL_S:
            self._set_link(LinkState.LOST)
        self._schedule_retry()

    def _on_disconnected(self) -> None:
        self._fail_pending(DaemonLinkError("daemon went away"))
        if self._closing:
            return
        self._set_link(LinkState.LOST)
        self._schedule_retry()

    def _schedule_retry(self) -> None:
        if self._retry.isActive():
            return
        self._retry.start(int(self._backoff * 1000))
        self._backoff = min(self._backoff * 2, BACKOFF_MAX_S)

    def _spawn_daemon(self) -> None:
        # Only when no daemon answers: the client exists before the window's
        # screens, and starting a process is not needed for them.
        from vpnui.detached import StartFailed, start_detached_module  # noqa: PLC0415

        self._last_spawn = time.monotonic()
        try:
            telemetry = ["--telemetry-url", self.telemetry_url] if self.telemetry_url else []
            start_detached_module("daemon", [*self._daemon_args, *telemetry], locations().logs / "daemon.stderr")
        except StartFailed as exc:
            log.error("%s", exc)

    def _fail_pending(self, exc: Exception) -> None:
        for future in list(self._pending.values()):
            if not future.done():
                future.set_exception(exc)
        self._pending.clear()

    def _on_ready_read(self) -> None:
        self._buffer += bytes(self._socket.readAll().data())
        while True:
            newline = self._buffer.find(b"\n")
            if newline < 0:
                if len(self._buffer) > protocol.MAX_LINE_BYTES:
                    log.error("daemon sent an over-long line; dropping the link")
                    self._socket.abort()
                return
            line = bytes(self._buffer[:newline])
            del self._buffer[: newline + 1]
            if line.strip():
                self._handle_line(line)

    def _handle_line(self, line: bytes) -> None:
        try:
            message = protocol.decode_daemon_message(line)
        except protocol.ProtocolError as exc:
            log.error("ignoring invalid line from daemon: %s", exc)
            return
        if isinstance(message, protocol.Result):
            future = self._pending.get(message.id)
            if future is not None and not future.done():
                future.set_result(message.data)
        elif isinstance(message, protocol.Error):
            if message.id is None:
                log.error("daemon reported: %s %s", message.code, message.message)
                return
            future = self._pending.get(message.id)
            if future is not None and not future.done():
                future.set_exception(DaemonError(message.code, message.message))
        else:
            self.eventReceived.emit(message)
