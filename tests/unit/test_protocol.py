"""The app <-> daemon protocol: every request decodes, every malformed line gets the right code."""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest

from mimic_core import protocol
from mimic_core.protocol import (
    MAX_LINE_BYTES,
    Activate,
    BackendFailure,
    Connected,
    Deactivate,
    Disconnected,
    Error,
    GetSessionId,
    Health,
    Hello,
    Logs,
    ProtocolError,
    Result,
    ServerEndpoint,
    SessionEnded,
    SessionStarted,
    SetTelemetry,
    StateChanged,
    Status,
    StatusData,
    TelemetryFlush,
    TelemetryPayload,
    decode_daemon_message,
    decode_request,
    encode,
)

SERVER: dict[str, Any] = {"name": "de-ber-wg-001", "host": "127.0.0.1", "udp_port": 5000, "tcp_port": 5001}
ENDPOINT = ServerEndpoint(name="de-ber-wg-001", host="127.0.0.1", udp_port=5000, tcp_port=5001)


def line(obj: Any) -> bytes:
    return json.dumps(obj).encode()


VALID_REQUESTS: list[tuple[dict[str, Any], protocol.Request]] = [
    (
        {"type": "hello", "id": 1, "version": 1},
        Hello(id=1, version=1),
    ),
    (
        {"type": "hello", "id": 2, "version": 1, "client": "cli", "installation_id": "abc"},
        Hello(id=2, version=1, client="cli", installation_id="abc"),
    ),
    (
        {"type": "activate", "id": 3, "servers": [SERVER], "location": "Berlin"},
        Activate(id=3, servers=[ENDPOINT], location="Berlin"),
    ),
    ({"type": "deactivate", "id": 4}, Deactivate(id=4)),
    ({"type": "status", "id": 5}, Status(id=5)),
    ({"type": "session_id", "id": 6}, GetSessionId(id=6)),
    ({"type": "logs", "id": 7}, Logs(id=7, lines=200)),
    ({"type": "logs", "id": 8, "lines": 5}, Logs(id=8, lines=5)),
    ({"type": "telemetry_flush", "id": 9}, TelemetryFlush(id=9)),
    ({"type": "set_telemetry", "id": 10, "enabled": False}, SetTelemetry(id=10, enabled=False)),
]


@pytest.mark.parametrize(("message", "expected"), VALID_REQUESTS)
def test_every_request_type_decodes(message: dict[str, Any], expected: protocol.Request) -> None:
    assert decode_request(line(message)) == expected


def test_every_request_type_is_covered_above() -> None:
    # A request type added to the protocol must be added to the table above.
    tags = {cls.__struct_config__.tag for cls in protocol.Request.__args__}
    assert tags == protocol.REQUEST_TYPES
    assert {message["type"] for message, _ in VALID_REQUESTS} == protocol.REQUEST_TYPES


@pytest.mark.parametrize(
    ("raw", "code", "request_id"),
    [
        (b"x" * (MAX_LINE_BYTES + 1), "line_too_long", None),
        (b"{not json", "invalid_json", None),
        (b"", "invalid_json", None),
        (b'{"type": "status", "id": 1', "invalid_json", None),
        (b"[1, 2, 3]", "not_an_object", None),
        (b'"status"', "not_an_object", None),
        (b"42", "not_an_object", None),
        (b'{"type": "frobnicate", "id": 3}', "unknown_type", 3),
        (b'{"id": 4}', "invalid_field", 4),
        (b'{"type": 7, "id": 5}', "invalid_field", 5),
        (b'{"type": "status", "id": "six"}', "invalid_field", None),
        (b'{"type": "hello", "id": 7, "version": "1"}', "invalid_field", 7),
        (b'{"type": "set_telemetry", "id": 8, "enabled": "yes"}', "invalid_field", 8),
        (b'{"type": "activate", "id": 9, "servers": [{"name": "x"}]}', "invalid_field", 9),
        (b'{"type": "activate", "id": 10, "servers": "de-ber"}', "invalid_field", 10),
        (b'{"type": "hello", "id": 11}', "invalid_field", 11),
        (b'{"type": "status"}', "invalid_field", None),
        (b'{"type": "set_telemetry", "id": 12}', "invalid_field", 12),
        (b'{"type": "status", "id": 13, "extra": true}', "invalid_field", 13),
    ],
    ids=[
        "too-long",
        "invalid-json",
        "empty",
        "truncated",
        "array",
        "string",
        "number",
        "unknown-type",
        "missing-type",
        "type-not-string",
        "id-not-int",
        "version-not-int",
        "enabled-not-bool",
        "server-missing-fields",
        "servers-not-list",
        "missing-version",
        "missing-id",
        "missing-enabled",
        "unknown-field",
    ],
)
def test_malformed_lines_get_the_matching_code(raw: bytes, code: str, request_id: int | None) -> None:
    with pytest.raises(ProtocolError) as caught:
        decode_request(raw)
    assert caught.value.code == code
    error = caught.value.to_error()
    assert error == Error(id=request_id, code=caught.value.code, message=str(caught.value))
    assert error.message  # the reply names the problem


def test_a_line_exactly_at_the_limit_is_not_too_long() -> None:
    padding = MAX_LINE_BYTES - len(b'{"type":"status","id":1,"x":""}')
    raw = b'{"type":"status","id":1,"x":"' + b"a" * padding + b'"}'
    assert len(raw) == MAX_LINE_BYTES
    with pytest.raises(ProtocolError) as caught:
        decode_request(raw)
    assert caught.value.code == "invalid_field"  # rejected for the unknown field, not the size


STATUS = StatusData(
    state="on",
    server=ENDPOINT,
    location="Berlin",
    connected_since=1700000000.5,
    rx_bytes=10,
    tx_bytes=20,
    rtt_ms=1.25,
    loss=0.1,
    session_id="5f0c6a8e-0000-4000-8000-000000000001",
)

DAEMON_MESSAGES: list[msgspec.Struct] = [
    Result(id=1, data={"session_id": "x", "active": True}),
    Result(id=2, data=protocol.to_builtins(STATUS)),
    Result(id=3),
    Error(id=4, code="activation_failed", message="no server answered"),
    Error(id=None, code="invalid_json", message="bad"),
    Connected(
        server=ENDPOINT,
        location="Berlin",
        connected_since=1700000000.5,
        session_id="5f0c6a8e-0000-4000-8000-000000000001",
    ),
    Disconnected(reason="user"),
    StateChanged(state="connecting"),
    Health(rtt_ms=None, loss=0.5, rx_bytes=100, tx_bytes=200, missed_in_a_row=3, server="de-ber-wg-001"),
    Health(rtt_ms=0.42, loss=0.0, rx_bytes=1, tx_bytes=2, missed_in_a_row=0, server="de-ber-wg-001"),
    SessionStarted(session_id="abc"),
    SessionEnded(session_id="abc"),
    BackendFailure(code="activation_failed", message="no server answered"),
    TelemetryPayload(payload="gqF2AaFzoA==", reason="watermark"),
    protocol.ServerMoved(
        from_server=ENDPOINT,
        server=protocol.ServerEndpoint(name="de-ber-wg-002", host="127.0.0.1", udp_port=51821),
        location="Berlin",
        connected_since=1700000000.5,
        session_id="5f0c6a8e-0000-4000-8000-000000000001",
    ),
]


@pytest.mark.parametrize("message", DAEMON_MESSAGES, ids=lambda m: type(m).__name__)
def test_daemon_messages_round_trip(message: msgspec.Struct) -> None:
    encoded = encode(message)
    assert encoded.endswith(b"\n") and encoded.count(b"\n") == 1
    assert decode_daemon_message(encoded.rstrip(b"\n")) == message


def test_every_event_type_is_covered_by_the_round_trip() -> None:
    event_types = set(protocol.Event.__args__)
    assert event_types <= {type(m) for m in DAEMON_MESSAGES}


def test_status_data_survives_result_data() -> None:
    reply = decode_daemon_message(encode(Result(id=9, data=protocol.to_builtins(STATUS))))
    assert isinstance(reply, Result)
    assert protocol.status_from(reply.data) == STATUS


def test_requests_round_trip_through_encode() -> None:
    request = Activate(id=5, servers=[ENDPOINT], location="Berlin")
    assert decode_request(encode(request).rstrip(b"\n")) == request
    with_standby = Activate(id=6, servers=[ENDPOINT], location="Berlin", standby=[ENDPOINT])
    assert decode_request(encode(with_standby).rstrip(b"\n")) == with_standby


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"{", "invalid_json"),
        (b'{"type": "result"}', "invalid_field"),
        (b'{"type": "nope"}', "invalid_field"),
        (b"x" * (MAX_LINE_BYTES + 1), "line_too_long"),
    ],
)
def test_malformed_daemon_messages(raw: bytes, code: str) -> None:
    with pytest.raises(ProtocolError) as caught:
        decode_daemon_message(raw)
    assert caught.value.code == code


# ------------------------------------------------------------- edge cases

# The limits the README documents.
DEPTH_LIMIT = 32
LARGEST_ID = 2**53 - 1  # RFC 8259's interoperable integers


def test_the_documented_limits() -> None:
    assert (protocol.MAX_DEPTH, protocol.MAX_REQUEST_ID) == (DEPTH_LIMIT, LARGEST_ID)


@pytest.mark.parametrize(
    ("raw_id", "named"),
    [
        (b"true", "bool"),
        (b"false", "bool"),
        (b"1.0", "float"),
        (b"1e3", "float"),
        (b'"1"', "str"),
        (b"null", "null"),
        (b"[1]", "array"),
        (b'{"n": 1}', "object"),
        (str(LARGEST_ID + 1).encode(), str(LARGEST_ID)),
        (str(-LARGEST_ID - 1).encode(), str(-LARGEST_ID)),
        (b"99999999999999999999999999999", str(LARGEST_ID)),
    ],
)
def test_a_bad_id_is_refused_and_never_echoed(raw_id: bytes, named: str) -> None:
    with pytest.raises(ProtocolError) as caught:
        decode_request(b'{"type": "status", "id": ' + raw_id + b"}")
    assert caught.value.code == "invalid_field"
    assert "$.id" in str(caught.value) and named in str(caught.value)
    # The reply carries null, not the bad id (``true`` is an int to Python).
    assert caught.value.to_error().id is None
    assert b'"id":null' in encode(caught.value.to_error())


@pytest.mark.parametrize("request_id", [0, 1, -1, LARGEST_ID, -LARGEST_ID])
def test_ids_in_range_are_accepted(request_id: int) -> None:
    assert decode_request(line({"type": "status", "id": request_id})) == Status(id=request_id)


@pytest.mark.parametrize("raw_id", [b"true", b"false", b"2.5", str(LARGEST_ID + 1).encode()])
def test_a_bad_id_is_not_echoed_by_other_errors_either(raw_id: bytes) -> None:
    with pytest.raises(ProtocolError) as caught:
        decode_request(b'{"type": "frobnicate", "id": ' + raw_id + b"}")
    assert caught.value.code == "unknown_type"
    assert caught.value.request_id is None


def nested(depth: int, opener: bytes = b"[", closer: bytes = b"]") -> bytes:
    return opener * depth + b"0" + closer * depth


@pytest.mark.parametrize("depth", [DEPTH_LIMIT, 1000, 10_000])
@pytest.mark.parametrize(("opener", "closer"), [(b"[", b"]"), (b'{"k":', b"}")], ids=["arrays", "objects"])
def test_deep_nesting_is_refused_before_decoding(depth: int, opener: bytes, closer: bytes) -> None:
    raw = b'{"type": "status", "id": 3, "x": ' + nested(depth, opener, closer) + b"}"
    assert len(raw) <= MAX_LINE_BYTES
    for decode in (decode_request, decode_daemon_message):
        with pytest.raises(ProtocolError) as caught:
            decode(raw)
        assert caught.value.code == "too_deep"
        assert str(DEPTH_LIMIT) in str(caught.value)


def test_deep_nesting_alone_is_refused() -> None:
    with pytest.raises(ProtocolError) as caught:
        decode_request(nested(5000))
    assert caught.value.code == "too_deep"


def test_nesting_up_to_the_limit_is_decoded() -> None:
    # The message is level 1, ``data`` level 2: the deepest allowed value sits below them.
    deepest = nested(DEPTH_LIMIT - 2)
    reply = decode_daemon_message(b'{"type": "result", "id": 1, "data": {"v": ' + deepest + b"}}")
    assert isinstance(reply, Result)
    with pytest.raises(ProtocolError) as caught:
        decode_daemon_message(b'{"type": "result", "id": 1, "data": {"v": [' + deepest + b"]}}")
    assert caught.value.code == "too_deep"


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    raw = line({"type": "hello", "id": 1, "version": 1, "client": "[{" * 1000 + '\\"[' * 100})
    assert decode_request(raw) == Hello(id=1, version=1, client="[{" * 1000 + '\\"[' * 100)


@pytest.mark.parametrize(
    "raw",
    [
        b'{"type": "' + b"t" * 60_000 + b'", "id": 1}',
        b'{"type": "status", "id": 1, "' + b"k" * 60_000 + b'": 1}',
        b'{"type": "hello", "id": 1, "version": 1, "client": 1, "' + b"\\u0000" * 10_000 + b'": 2}',
    ],
    ids=["long-type", "long-field-name", "escaped-field-name"],
)
def test_an_error_reply_fits_on_one_line_whatever_it_quotes(raw: bytes) -> None:
    with pytest.raises(ProtocolError) as caught:
        decode_request(raw)
    reply = encode(caught.value.to_error())
    assert len(reply) <= 1000  # the message quotes only the start of what it names
    assert decode_daemon_message(reply.rstrip(b"\n")) == caught.value.to_error()


def test_invalid_status_data_is_a_protocol_error() -> None:
    with pytest.raises(ProtocolError) as caught:
        protocol.status_from({"state": "exploded"})
    assert caught.value.code == "invalid_field"
