"""The app inspector: a local socket through which another process drives the running app.

Off by default.  ``vpnui --inspector`` (a socket in the app's runtime
directory), ``vpnui --inspector-socket PATH`` or ``MIMIC_INSPECTOR_SOCKET=PATH``
turn it on.  Like Mozilla VPN's inspector it exists so that automation can
do what a user does and see what a user sees, on the real app: the fault
runner toggles the VPN and switches locations through it while it kills
processes and breaks the network, and compares what the app shows with the
daemon's state.  The protocol (newline-delimited JSON, the framing of the
app <-> daemon protocol) is in ``mimic_core/inspector_protocol.py``.

Commands go through the ConnectionManager's own slots, the ones the QML
toggle and location picker call, so an inspected app behaves exactly as a
clicked one.  Nothing a client sends can stop the app: bad lines get an
error reply, a client that keeps sending them or stops reading is dropped.
The socket is 0600 in the private runtime directory, as the daemon's is.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Final, Literal

from PySide6.QtCore import QObject
from PySide6.QtGui import QGuiApplication
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtQml import qmlEngine

from mimic_core.inspector_protocol import (
    MAX_CONSECUTIVE_ERRORS,
    SOCKET_NAME,
    Activate,
    AppState,
    ChooseLocation,
    Command,
    Deactivate,
    Dismiss,
    GetState,
    InspectorProtocolError,
    Reply,
    Retry,
    Toggle,
    decode_command,
    encode,
)
from mimic_core.line_buffer import LineBuffer, LineTooLong
from mimic_core.paths import MAX_SOCKET_PATH, ensure_private_dir, locations
from mimic_core.protocol import MAX_LINE_BYTES
from vpnui.connection.manager import ConnectionManager
from vpnui.connection.states import ConnectionState, VPNClientState

log = logging.getLogger(__name__)

# A client with this much unsent output is not reading its replies: dropped.
MAX_PENDING_OUTPUT: Final = 1024 * 1024
MAIN_WINDOW: Final = "mainWindow"
"""The ``objectName`` of ``qml/Main.qml``'s window."""


class InspectorStartError(Exception):
    """The inspector's socket could not be set up."""


def default_socket_path() -> Path:
    return locations().runtime / SOCKET_NAME


def shown_palette() -> Literal["light", "dark"] | None:
    """The palette the app's main window is drawn in: its theme's, as the window's QML engine has it."""
    for window in QGuiApplication.topLevelWindows():
        engine = qmlEngine(window) if window.objectName() == MAIN_WINDOW else None
        theme = engine.singletonInstance("theme", "Theme") if engine is not None else None
        if isinstance(theme, QObject):
            return "dark" if theme.property("dark") else "light"
    return None


class _Client:
    def __init__(self, socket: QLocalSocket) -> None:
        self.socket = socket
        self.lines = LineBuffer(MAX_LINE_BYTES)
        self.errors_in_a_row = 0


class Inspector(QObject):
    """Serves the inspector protocol for ``manager`` on a local socket."""

    def __init__(
        self,
        manager: ConnectionManager,
        telemetry_session_id: Callable[[], str | None] = lambda: None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._manager = manager
        self._telemetry_session_id = telemetry_session_id
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._accept)
        self._clients: dict[QLocalSocket, _Client] = {}
        self._path: Path | None = None

    @property
    def path(self) -> Path | None:
        """The socket listened on, ``None`` before ``listen`` or after ``close``."""
        return self._path

    def listen(self, path: Path) -> None:
        """Listen on ``path``; a stale socket file there is replaced."""
        if len(str(path).encode()) > MAX_SOCKET_PATH:
            raise InspectorStartError(f"inspector socket path {path} is longer than {MAX_SOCKET_PATH} bytes")
        try:
            if path.parent == locations().runtime:
                ensure_private_dir(path.parent)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InspectorStartError(f"cannot prepare {path.parent} for the inspector socket: {exc}") from exc
        # A socket left by a killed app would make listen() fail.
        QLocalServer.removeServer(str(path))
        if not self._server.listen(str(path)):
            raise InspectorStartError(f"cannot listen on {path}: {self._server.errorString()}")
        self._path = path
        log.info("inspector listening on %s", path)

    def close(self) -> None:
        for socket in list(self._clients):
            self._drop(socket)
        self._server.close()
        self._path = None

    # ------------------------------------------------------------ state

    def state(self) -> AppState:
        manager = self._manager
        snapshot_state = VPNClientState(manager.property("state"))
        country, city = manager.selected_location
        since = float(manager.property("connectedSince"))
        return AppState(
            pid=os.getpid(),
            client_state=snapshot_state.name,
            connection_state=ConnectionState(manager.property("connectionState")).name,
            link_state=manager.link_state.value,
            failure=manager.failure_key,
            failure_detail=str(manager.property("failureDetail")),
            title=str(manager.property("title")),
            subtitle=str(manager.property("subtitle")),
            server_name=str(manager.property("serverName")),
            country_code=country,
            city_code=city,
            location_name=manager.location_name,
            connected_since=since if since > 0 else None,
            locations_loaded=manager.server_list is not None,
            telemetry_session_id=self._telemetry_session_id(),
            palette=shown_palette(),
            system_color_scheme=QGuiApplication.styleHints().colorScheme().name,
        )

    # --------------------------------------------------------- commands

    def handle_line(self, line: bytes) -> Reply:
        """The reply to one line (already split from the stream); never raises."""
        try:
            command = decode_command(line)
        except InspectorProtocolError as exc:
            return exc.to_reply()
        try:
            return self.execute(command)
        except InspectorProtocolError as exc:
            return exc.to_reply()
        except Exception as exc:
            log.exception("inspector command %r failed", command)
            return Reply(id=command.id, ok=False, error="internal", message=f"{type(exc).__name__}: {exc}")

    def execute(self, command: Command) -> Reply:
        manager = self._manager
        match command:
            case GetState():
                pass
            case Toggle():
                manager.toggle()
            case Activate():
                manager.activate()
            case Deactivate():
                manager.deactivate()
            case Retry():
                manager.retry()
            case Dismiss():
                manager.dismissFailure()
            case ChooseLocation(country=country, city=city):
                servers = manager.server_list
                if servers is None:
                    raise InspectorProtocolError("not_ready", "the server list is not loaded yet", command.id)
                if servers.city(country, city) is None:
                    raise InspectorProtocolError("unknown_location", f"no location {country}/{city}", command.id)
                manager.chooseLocation(country, city)
        return Reply(id=command.id, ok=True, state=self.state())

    # ---------------------------------------------------------- sockets

    def _accept(self) -> None:
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            if socket is None:
                break
            self._clients[socket] = _Client(socket)
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(lambda s=socket: self._drop(s))

    def _read(self, socket: QLocalSocket) -> None:
        client = self._clients.get(socket)
        if client is None:
            return
        for item in client.lines.feed(bytes(socket.readAll().data())):
            if isinstance(item, LineTooLong):
                reply = Reply(
                    id=None,
                    ok=False,
                    error="line_too_long",
                    message=f"line of at least {item.size_seen} bytes exceeds {MAX_LINE_BYTES}",
                )
            else:
                reply = self.handle_line(item)
            client.errors_in_a_row = 0 if reply.ok else client.errors_in_a_row + 1
            if not self._write(client, reply):
                return
            if client.errors_in_a_row >= MAX_CONSECUTIVE_ERRORS:
                log.warning("inspector client sent %d bad lines in a row; closing it", client.errors_in_a_row)
                socket.flush()
                self._drop(socket)
                return

    def _write(self, client: _Client, reply: Reply) -> bool:
        data = encode(reply)
        if client.socket.bytesToWrite() + len(data) > MAX_PENDING_OUTPUT:
            log.warning("inspector client is not reading its replies; dropping it")
            self._drop(client.socket)
            return False
        client.socket.write(data)
        return True

    def _drop(self, socket: QLocalSocket) -> None:
        if self._clients.pop(socket, None) is None:
            return
        socket.disconnectFromServer()
        socket.deleteLater()


def start_inspector(
    manager: ConnectionManager,
    path: Path,
    telemetry_session_id: Callable[[], str | None] = lambda: None,
    parent: QObject | None = None,
) -> Inspector | None:
    """An inspector listening on ``path``, or ``None`` (logged) if it cannot: the app runs without it."""
    inspector = Inspector(manager, telemetry_session_id, parent)
    try:
        inspector.listen(path)
    except InspectorStartError as exc:
        log.error("inspector unavailable: %s", exc)
        inspector.deleteLater()
        return None
    return inspector
