"""The app <-> daemon protocol: newline-delimited JSON over a local socket.

Every message is one JSON object on one line with a string ``type``.
Requests carry an integer ``id`` that the reply (``result`` or ``error``)
echoes; events are pushed by the daemon with no id.  The first request on a
connection should be ``hello``, which carries the protocol version.

This module is the single definition of the messages and is imported by both
sides (daemon, app, command-line client).  It is Qt-free and validates with
msgspec, so a malformed line is rejected with an error that names the
problem instead of surfacing later as a KeyError deep in a handler.
"""

from __future__ import annotations

from typing import Annotated, Any, Final, Literal

import msgspec

from mimic_core.json_depth import exceeds_depth

PROTOCOL_VERSION: Final = 1
# One line is at most this many bytes (newline excluded).  Big enough for a
# status with a long server list, small enough that a peer cannot make the
# daemon buffer without bound.
MAX_LINE_BYTES: Final = 64 * 1024
# A connection that sends this many invalid lines in a row is closed.
MAX_CONSECUTIVE_ERRORS: Final = 20
# Arrays and objects nest at most this deep in a line (the message itself is
# level 1; the deepest real message, a status reply, uses 3).  Deeper lines
# are refused before they are decoded: see ``mimic_core.json_depth``.
MAX_DEPTH: Final = 32
# Request ids are integers in the range every JSON implementation holds
# exactly (RFC 8259 section 6): a bool (``true`` is an int to Python) or a
# float is refused, and so is an id the peer could not read back intact.
MAX_REQUEST_ID: Final = 2**53 - 1
RequestId = Annotated[int, msgspec.Meta(ge=-MAX_REQUEST_ID, le=MAX_REQUEST_ID)]
# An error reply quotes at most this much of what the peer sent (a type
# name, a field name), so the reply itself always fits on one line.
MAX_ERROR_MESSAGE_CHARS: Final = 300

VpnState = Literal["off", "connecting", "on", "disconnecting"]


class ServerEndpoint(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One VPN server as the daemon needs it to build a tunnel."""

    name: str
    host: str
    udp_port: int
    tcp_port: int = 0
    city: str = ""
    country: str = ""


# ---------------------------------------------------------------- requests


class _Request(msgspec.Struct, tag_field="type", forbid_unknown_fields=True):
    id: RequestId


class Hello(_Request, tag="hello"):
    """Opens a conversation; the daemon refuses other protocol versions."""

    version: int
    client: str = "app"
    installation_id: str | None = None


class Activate(_Request, tag="activate"):
    """Build a tunnel to the first of ``servers`` whose handshake succeeds.

    The app orders the candidates best first (from its server probe); the
    daemon tries them in that order so one dead server does not fail a
    location that still has a live one.  ``standby`` are more servers of the
    location (say, ones that did not answer the probe): not tried now, but,
    with ``servers``, where the tunnel may move by itself later if its
    server stops answering (``server_moved``).
    """

    servers: list[ServerEndpoint]
    location: str = ""
    standby: list[ServerEndpoint] = []


class Deactivate(_Request, tag="deactivate"):
    pass


class Status(_Request, tag="status"):
    pass


class GetSessionId(_Request, tag="session_id"):
    pass


class Logs(_Request, tag="logs"):
    lines: int = 200


class TelemetryFlush(_Request, tag="telemetry_flush"):
    """Hand over the daemon's pending data of app-owned metrics (the app asks before every ``vpnsession`` submit).

    ``Result.data`` is ``{"payloads": [<base64>, ...]}``: the pending buffers,
    oldest first, each the base64 of one ``mimic_core.ipc_payload`` buffer
    (possibly an empty list).  When they do not all fit on one line, the
    daemon first pushes the older ones as ``telemetry_payload`` events and
    replies with the rest (``mimic_core.ipc_payload.split_flush_reply``).
    """


class SetTelemetry(_Request, tag="set_telemetry"):
    """Telemetry on/off for the daemon too (the app's setting), and where to send it."""

    enabled: bool
    ingestion_url: str | None = None


Request = Hello | Activate | Deactivate | Status | GetSessionId | Logs | TelemetryFlush | SetTelemetry
REQUEST_TYPES: Final[frozenset[str]] = frozenset(
    {
        "hello",
        "activate",
        "deactivate",
        "status",
        "session_id",
        "logs",
        "telemetry_flush",
        "set_telemetry",
    }
)

# ----------------------------------------------------------------- replies


class Result(msgspec.Struct, tag_field="type", tag="result", forbid_unknown_fields=True):
    """Successful reply; ``data`` depends on the request (see the dataclasses below)."""

    id: int
    data: dict[str, Any] = {}


ErrorCode = Literal[
    "line_too_long",
    "invalid_json",
    "too_deep",
    "not_an_object",
    "unknown_type",
    "invalid_field",
    "unsupported_version",
    "handshake_required",
    "activation_failed",
    "busy",
    "internal",
]


class Error(msgspec.Struct, tag_field="type", tag="error", forbid_unknown_fields=True):
    """Failed request, or an unparseable line (then ``id`` is ``None``)."""

    id: int | None
    code: ErrorCode
    message: str


class StatusData(msgspec.Struct):
    """What ``status`` answers with (inside ``Result.data``)."""

    state: VpnState
    server: ServerEndpoint | None
    location: str
    connected_since: float | None  # epoch seconds; survives app restarts
    rx_bytes: int
    tx_bytes: int
    rtt_ms: float | None
    loss: float
    session_id: str


# ------------------------------------------------------------------ events


class _Event(msgspec.Struct, tag_field="type", forbid_unknown_fields=True):
    pass


class Connected(_Event, tag="connected"):
    server: ServerEndpoint
    location: str
    connected_since: float
    session_id: str


class Disconnected(_Event, tag="disconnected"):
    reason: str  # "user", "shutdown", "activation_failed", "replaced"


class StateChanged(_Event, tag="state"):
    state: VpnState


class Health(_Event, tag="health"):
    """One keepalive round: pushed every keepalive interval while a tunnel exists."""

    rtt_ms: float | None  # None when this keepalive got no answer
    loss: float  # fraction lost over the recent window, 0..1
    rx_bytes: int
    tx_bytes: int
    missed_in_a_row: int
    server: str


class ServerMoved(_Event, tag="server_moved"):
    """The daemon moved the tunnel by itself: ``from_server`` stopped answering, ``server`` answered.

    The session goes on: same ``session_id``, same ``connected_since``.
    """

    from_server: ServerEndpoint
    server: ServerEndpoint
    location: str
    connected_since: float
    session_id: str


class SessionStarted(_Event, tag="session_started"):
    session_id: str


class SessionEnded(_Event, tag="session_ended"):
    session_id: str


class BackendFailure(_Event, tag="backend_failure"):
    code: str
    message: str


TelemetryPayloadReason = Literal["watermark", "idle", "shutdown"]


class TelemetryPayload(_Event, tag="telemetry_payload"):
    """A buffer of daemon-recorded data of app-owned metrics, pushed without a request.

    ``payload`` is the base64 of one ``mimic_core.ipc_payload`` buffer (at most
    ``MAX_PAYLOAD_BYTES``, so the line stays within ``MAX_LINE_BYTES``).
    ``reason``: ``watermark`` (the daemon's buffer filled up, or the buffer
    did not fit a ``telemetry_flush`` reply), ``idle`` (a quiet moment), or
    ``shutdown`` (the daemon is stopping in order).  The app replays it only
    into the ping of the session it was recorded under.
    """

    payload: str
    reason: TelemetryPayloadReason


Event = (
    Connected
    | Disconnected
    | StateChanged
    | Health
    | SessionStarted
    | SessionEnded
    | BackendFailure
    | TelemetryPayload
    | ServerMoved
)
DaemonMessage = Result | Error | Event

# ------------------------------------------------------------------ coding

_encoder = msgspec.json.Encoder()
_raw_decoder = msgspec.json.Decoder()
_daemon_message_decoder = msgspec.json.Decoder(DaemonMessage)


class DaemonError(Exception):
    """The daemon answered a request with an error reply (its ``Error``).

    Here rather than in ``mimic_core.sync_client`` (which names it too):
    the app's asynchronous client raises it, and the app's modules are
    imported before its window's screens are shown, without the sync client.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class ProtocolError(Exception):
    """A line that is not a valid message; ``code`` is an ``ErrorCode``."""

    def __init__(self, code: ErrorCode, message: str, request_id: int | None = None) -> None:
        if len(message) > MAX_ERROR_MESSAGE_CHARS:
            message = message[: MAX_ERROR_MESSAGE_CHARS - 1] + "…"
        super().__init__(message)
        self.code: ErrorCode = code
        self.request_id = request_id

    def to_error(self) -> Error:
        return Error(id=self.request_id, code=self.code, message=str(self))


def encode(message: msgspec.Struct) -> bytes:
    """One message as one line, newline included."""
    return _encoder.encode(message) + b"\n"


def decode_request(line: bytes) -> Request:
    """Parse one line sent to the daemon, or raise ``ProtocolError`` (and nothing else).

    Decoding happens in two steps so that the error names the real problem:
    too long, too deep, not JSON, not an object, an unknown ``type``, or a
    field of the wrong type (``id`` included).  The error carries the
    request's id when it is a valid one, so the client can match it.
    """
    _check_size_and_depth(line)
    try:
        raw = _raw_decoder.decode(line)
    except msgspec.DecodeError as exc:
        raise ProtocolError("invalid_json", f"invalid JSON: {exc}") from None
    if not isinstance(raw, dict):
        raise ProtocolError("not_an_object", f"expected a JSON object, got {type(raw).__name__}")
    request_id = _valid_id(raw.get("id"))
    kind = raw.get("type")
    if not isinstance(kind, str):
        raise ProtocolError("invalid_field", "field 'type' must be a string", request_id)
    if kind not in REQUEST_TYPES:
        raise ProtocolError("unknown_type", f"unknown message type {kind[:64]!r}", request_id)
    try:
        request: Request = msgspec.convert(raw, Request)
        return request
    except msgspec.ValidationError as exc:
        raise ProtocolError("invalid_field", f"invalid {kind!r} request: {exc}", request_id) from None


def decode_daemon_message(line: bytes) -> DaemonMessage:
    """Parse one line sent by the daemon (reply or event), or raise ``ProtocolError`` (and nothing else)."""
    _check_size_and_depth(line)
    try:
        message: DaemonMessage = _daemon_message_decoder.decode(line)
        return message
    except msgspec.ValidationError as exc:
        raise ProtocolError("invalid_field", f"invalid daemon message: {exc}") from None
    except msgspec.DecodeError as exc:
        raise ProtocolError("invalid_json", f"invalid JSON: {exc}") from None


def _check_size_and_depth(line: bytes) -> None:
    """The checks that come before any decoding: the decoder must never see a line it would choke on."""
    if len(line) > MAX_LINE_BYTES:
        raise ProtocolError("line_too_long", f"line of {len(line)} bytes exceeds {MAX_LINE_BYTES}")
    if exceeds_depth(line, MAX_DEPTH):
        raise ProtocolError("too_deep", f"arrays and objects nested deeper than {MAX_DEPTH} levels")


def _valid_id(value: object) -> int | None:
    """``value`` if it is a valid request id (an int, not a bool, within range), else ``None``."""
    if type(value) is int and -MAX_REQUEST_ID <= value <= MAX_REQUEST_ID:
        return value
    return None


def to_builtins(value: Any) -> Any:
    """Structs to plain dicts, for ``Result.data``."""
    return msgspec.to_builtins(value)


def status_from(data: dict[str, Any]) -> StatusData:
    """``Result.data`` of a ``status`` reply, validated; ``ProtocolError`` if it is not one."""
    try:
        return msgspec.convert(data, StatusData)
    except msgspec.ValidationError as exc:
        raise ProtocolError("invalid_field", f"invalid status data: {exc}") from None
