"""The app inspector's protocol, and a blocking client of it.

The inspector (``vpnui/inspector.py``) lets another process drive the
running app the way a user would, and read what the user sees: the fault
runner (``vpnui-lab chaos``) toggles the VPN and switches locations through
it and compares the app's state with the daemon's.  It is modelled on
Mozilla VPN's inspector, with the framing of the app <-> daemon protocol:
one JSON object per line, at most ``MAX_LINE_BYTES`` bytes, over a local
socket.

Requests carry a ``cmd`` and an optional integer ``id`` that the reply
echoes::

    {"id": 1, "cmd": "state"}
    {"id": 2, "cmd": "toggle"}
    {"id": 3, "cmd": "choose_location", "country": "de", "city": "ber"}

Commands: ``state``, ``toggle``, ``activate``, ``deactivate``,
``choose_location``, ``retry``, ``dismiss``.  Every reply is
``{"id": .., "ok": true, "state": {..}}`` with the state right after the
command was handed to the ConnectionManager, or ``{"id": .., "ok": false,
"error": CODE, "message": ..}``.  A malformed line is answered with an error
naming the problem and the connection stays open; ``MAX_CONSECUTIVE_ERRORS``
bad lines in a row close it.

This module is Qt-free so that clients (the fault runner, scripts) do not
load Qt to talk to the app.
"""

from __future__ import annotations

import itertools
import socket
import time
from pathlib import Path
from types import TracebackType
from typing import Final, Literal

import msgspec

from mimic_core.line_buffer import LineOverLimit, PeerClosed, SocketLines
from mimic_core.protocol import MAX_LINE_BYTES

INSPECTOR_SOCKET_ENV: Final = "MIMIC_INSPECTOR_SOCKET"
"""Environment variable naming the inspector's socket; unset or empty: no inspector (the default)."""
SOCKET_NAME: Final = "inspector.sock"
"""The socket's file name in the app's runtime directory when ``--inspector`` names no path."""
MAX_CONSECUTIVE_ERRORS: Final = 20

ErrorCode = Literal[
    "line_too_long",
    "invalid_json",
    "not_an_object",
    "unknown_command",
    "invalid_field",
    "unknown_location",
    "not_ready",
    "internal",
]


# ---------------------------------------------------------------- commands


class _Command(msgspec.Struct, tag_field="cmd", forbid_unknown_fields=True, kw_only=True):
    id: int | None = None


class GetState(_Command, tag="state"):
    """Only read the state."""


class Toggle(_Command, tag="toggle"):
    """The switch: on when off, off otherwise."""


class Activate(_Command, tag="activate"):
    pass


class Deactivate(_Command, tag="deactivate"):
    pass


class ChooseLocation(_Command, tag="choose_location"):
    """Select a location by its codes (``de``/``ber``); while on, this switches servers."""

    country: str
    city: str


class Retry(_Command, tag="retry"):
    """The "try again" button of a failure modal."""


class Dismiss(_Command, tag="dismiss"):
    """Close the failure modal that is shown."""


Command = GetState | Toggle | Activate | Deactivate | ChooseLocation | Retry | Dismiss
COMMANDS: Final[frozenset[str]] = frozenset(
    {"state", "toggle", "activate", "deactivate", "choose_location", "retry", "dismiss"}
)


# ------------------------------------------------------------------ replies


class AppState(msgspec.Struct, frozen=True):
    """What the app shows, read from its ConnectionManager (and telemetry)."""

    pid: int
    client_state: str
    """A ``VPNClientState`` name: Off, Connecting, On, Disconnecting, Switching."""
    connection_state: str
    """A ``ConnectionState`` name: the check under way, Unstable or Idle."""
    link_state: str
    """The daemon link: starting, ready or lost."""
    failure: str
    """The failure shown (a key such as ``noInternet``), empty when none."""
    failure_detail: str
    title: str
    subtitle: str
    server_name: str
    """The server the daemon's tunnel uses, as the app knows it; empty when off."""
    country_code: str
    city_code: str
    location_name: str
    connected_since: float | None
    """Epoch seconds the session has been on since (the daemon's), ``None`` when not on."""
    locations_loaded: bool
    """The server list is loaded (``choose_location`` needs it)."""
    telemetry_session_id: str | None
    """The shared session id the app's telemetry currently reports under; ``None`` before telemetry started."""
    palette: Literal["light", "dark"] | None
    """The palette the main window is drawn in (``qml/theme/Theme.qml``); ``None`` when the app has no window."""
    system_color_scheme: str
    """The colour scheme Qt says the desktop prefers (``Qt.styleHints.colorScheme``): Light, Dark or Unknown."""


class Reply(msgspec.Struct, frozen=True, omit_defaults=True):
    id: int | None
    ok: bool
    state: AppState | None = None
    error: ErrorCode | None = None
    message: str = ""


# ------------------------------------------------------------------- coding

_encoder = msgspec.json.Encoder()
_raw_decoder = msgspec.json.Decoder()
_reply_decoder = msgspec.json.Decoder(Reply)


class InspectorProtocolError(Exception):
    """A line that is not a valid command; ``code`` says why."""

    def __init__(self, code: ErrorCode, message: str, request_id: int | None = None) -> None:
        super().__init__(message)
        self.code: ErrorCode = code
        self.request_id = request_id

    def to_reply(self) -> Reply:
        return Reply(id=self.request_id, ok=False, error=self.code, message=str(self))


def encode(message: msgspec.Struct) -> bytes:
    """One message as one line, newline included."""
    return _encoder.encode(message) + b"\n"


def _request_id(raw: dict[str, object]) -> int | None:
    value = raw.get("id")
    # ``bool`` is an ``int`` to Python, not an id: ``true`` would be echoed as ``true``.
    return value if type(value) is int else None


def decode_command(line: bytes) -> Command:
    """Parse one line sent to the inspector, or raise ``InspectorProtocolError`` naming the problem."""
    if len(line) > MAX_LINE_BYTES:
        raise InspectorProtocolError("line_too_long", f"line of {len(line)} bytes exceeds {MAX_LINE_BYTES}")
    try:
        raw = _raw_decoder.decode(line)
    except msgspec.DecodeError as exc:
        raise InspectorProtocolError("invalid_json", f"invalid JSON: {exc}") from None
    except RecursionError:
        raise InspectorProtocolError("invalid_json", "invalid JSON: nested too deeply") from None
    if not isinstance(raw, dict):
        raise InspectorProtocolError("not_an_object", f"expected a JSON object, got {type(raw).__name__}")
    request_id = _request_id(raw)
    if "id" in raw and raw["id"] is not None and request_id is None:
        raise InspectorProtocolError("invalid_field", "field 'id' must be an integer or null")
    kind = raw.get("cmd")
    if not isinstance(kind, str):
        raise InspectorProtocolError("invalid_field", "field 'cmd' must be a string", request_id)
    if kind not in COMMANDS:
        known = ", ".join(sorted(COMMANDS))
        raise InspectorProtocolError("unknown_command", f"unknown command {kind!r} (known: {known})", request_id)
    try:
        command: Command = msgspec.convert(raw, Command)
    except msgspec.ValidationError as exc:
        raise InspectorProtocolError("invalid_field", f"invalid {kind!r} command: {exc}", request_id) from None
    except RecursionError:
        raise InspectorProtocolError(
            "invalid_field", f"invalid {kind!r} command: nested too deeply", request_id
        ) from None
    return command


def decode_reply(line: bytes) -> Reply:
    try:
        return _reply_decoder.decode(line)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise InspectorError("invalid_reply", f"unreadable reply from the app: {exc}") from None


# ------------------------------------------------------------------- client


class InspectorUnavailable(ConnectionError):
    """Nothing answers on the inspector socket (the app is not running, or runs without an inspector)."""


class InspectorError(Exception):
    """The app answered with an error reply (or with something that is not a reply)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class InspectorClient:
    """One blocking connection to the inspector; every wait is bounded by ``timeout``."""

    def __init__(self, socket_path: Path | str, timeout: float = 5.0) -> None:
        self.socket_path = Path(socket_path)
        self.timeout = timeout
        self._ids = itertools.count(1)
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._lines = SocketLines(self._sock)
        try:
            self._sock.settimeout(timeout)
            self._sock.connect(str(self.socket_path))
        except (FileNotFoundError, ConnectionRefusedError) as exc:
            self._sock.close()
            raise InspectorUnavailable(f"no inspector on {self.socket_path}: {exc.strerror}") from exc
        except BaseException:
            self._sock.close()
            raise

    def request(self, command: Command, timeout: float | None = None) -> AppState:
        """Send ``command`` (its id is assigned here) and return the state in the reply."""
        command.id = next(self._ids)
        try:
            self._sock.sendall(encode(command))
        except OSError as exc:
            raise InspectorUnavailable(f"the app closed the inspector connection: {exc}") from exc
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            reply = decode_reply(self._next_line(deadline))
            if reply.id != command.id:
                continue  # a reply to an unparseable line of ours has no id: not this one
            if not reply.ok:
                raise InspectorError(reply.error or "internal", reply.message)
            if reply.state is None:
                raise InspectorError("invalid_reply", "a successful reply without a state")
            return reply.state

    def state(self) -> AppState:
        return self.request(GetState())

    def send_raw(self, data: bytes) -> None:
        """Send bytes as they are (for tests of malformed input)."""
        self._sock.sendall(data)

    def read_reply(self, timeout: float | None = None) -> Reply:
        """The next reply, whatever it answers (for tests of malformed input)."""
        return decode_reply(self._next_line(time.monotonic() + (self.timeout if timeout is None else timeout)))

    def _next_line(self, deadline: float) -> bytes:
        try:
            return self._lines.next_line(deadline)
        except TimeoutError:
            raise TimeoutError("no reply from the app's inspector in time") from None
        except PeerClosed as exc:
            raise InspectorUnavailable("the app closed the inspector connection") from exc
        except LineOverLimit:
            raise InspectorError("invalid_reply", f"a reply line over {MAX_LINE_BYTES} bytes") from None
        except OSError as exc:
            raise InspectorUnavailable(f"the inspector connection failed: {exc}") from exc

    def close(self) -> None:
        self._sock.close()

    def __enter__(self) -> InspectorClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
