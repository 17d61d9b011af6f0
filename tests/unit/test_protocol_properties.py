"""Properties of the protocol decoders, over inputs hypothesis makes up.

Whatever a peer sends, each decoder returns a message or raises its own
``ProtocolError``, never anything else; an error reply always fits on one
line and reads back on the other side; and every valid message survives
encoding and decoding unchanged.  The runs are derandomized (the same
examples every time, no example database), so the suite stays deterministic.
"""

from __future__ import annotations

import json
from typing import Any, get_args

from hypothesis import given, settings
from hypothesis import strategies as st

from mimic_core import protocol
from mimic_core.protocol import (
    MAX_LINE_BYTES,
    Error,
    ProtocolError,
    decode_daemon_message,
    decode_request,
    encode,
)

# The limits the README documents.
DEPTH_LIMIT = 32
LARGEST_ID = 2**53 - 1

PROPERTY = settings(max_examples=200, deadline=None, derandomize=True, database=None)

json_scalars = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20)
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


def depth_of(value: Any) -> int:
    """The nesting depth of a decoded value, the slow and obvious way."""
    if isinstance(value, list | dict):
        children = value.values() if isinstance(value, dict) else value
        return 1 + max((depth_of(child) for child in children), default=0)
    return 0


def nested_text(value: Any, depth: int, in_objects: bool) -> tuple[bytes, int]:
    """``value`` wrapped ``depth`` times, as JSON text (built as text: encoders recurse too), and its depth."""
    opener, closer = (b'{"k":', b"}") if in_objects else (b"[", b"]")
    return opener * depth + json.dumps(value).encode() + closer * depth, depth + depth_of(value)


# JSON texts with their depth: mostly shallow, sometimes far past the
# depth limit (and past Python's recursion limit, where msgspec fails).
json_texts = st.builds(
    lambda value, ascii_only: (json.dumps(value, ensure_ascii=ascii_only).encode(), depth_of(value)),
    json_values,
    st.booleans(),
)
deep_texts = st.builds(nested_text, json_values, st.integers(0, 3000), st.booleans())

FIELDS = ("type", "id", "version", "client", "installation_id", "servers", "location", "lines", "enabled")


def message_text(kind: str | None, fields: dict[str, Any], deep: tuple[bytes, int] | None) -> bytes:
    """A JSON object that looks more or less like a request, perhaps with a deep value in it."""
    text = json.dumps({**fields, "type": kind} if kind is not None else fields).encode()
    if deep is None:
        return text
    return text[:-1] + (b", " if len(text) > 2 else b"") + b'"deep": ' + deep[0] + b"}"


message_like = st.builds(
    message_text,
    st.none() | st.sampled_from(sorted(protocol.REQUEST_TYPES)) | st.text(max_size=12),
    st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=6), json_values, max_size=5),
    st.none() | deep_texts,
)


def splice(line: bytes, at: int, cut: int, insert: bytes) -> bytes:
    at %= len(line) + 1
    return line[:at] + insert + line[at + cut :]


ids = st.integers(-LARGEST_ID, LARGEST_ID)
ints = st.integers(-(2**63), 2**63 - 1)
texts = st.text(max_size=40)
endpoints = st.builds(
    protocol.ServerEndpoint,
    name=texts,
    host=texts,
    udp_port=ints,
    tcp_port=ints,
    city=texts,
    country=texts,
)
valid_requests = st.one_of(
    st.builds(protocol.Hello, id=ids, version=ints, client=texts, installation_id=st.none() | texts),
    st.builds(protocol.Activate, id=ids, servers=st.lists(endpoints, max_size=5), location=texts),
    st.builds(protocol.Deactivate, id=ids),
    st.builds(protocol.Status, id=ids),
    st.builds(protocol.GetSessionId, id=ids),
    st.builds(protocol.Logs, id=ids, lines=ints),
    st.builds(protocol.TelemetryFlush, id=ids),
    st.builds(protocol.SetTelemetry, id=ids, enabled=st.booleans(), ingestion_url=st.none() | texts),
)
floats = st.floats(allow_nan=False, allow_infinity=False)
valid_daemon_messages = st.one_of(
    st.builds(
        protocol.Result,
        id=ids,
        data=st.dictionaries(st.text(max_size=8), json_values, max_size=4).filter(
            lambda data: depth_of(data) < DEPTH_LIMIT  # ``data`` is level 2 of the message
        ),
    ),
    st.builds(Error, id=st.none() | ids, code=st.sampled_from(get_args(protocol.ErrorCode)), message=texts),
    st.builds(protocol.Connected, server=endpoints, location=texts, connected_since=floats, session_id=texts),
    st.builds(protocol.Disconnected, reason=texts),
    st.builds(protocol.StateChanged, state=st.sampled_from(get_args(protocol.VpnState))),
    st.builds(
        protocol.Health,
        rtt_ms=st.none() | floats,
        loss=floats,
        rx_bytes=ints,
        tx_bytes=ints,
        missed_in_a_row=ints,
        server=texts,
    ),
    st.builds(protocol.SessionStarted, session_id=texts),
    st.builds(protocol.SessionEnded, session_id=texts),
    st.builds(protocol.BackendFailure, code=texts, message=texts),
    st.builds(
        protocol.TelemetryPayload, payload=texts, reason=st.sampled_from(get_args(protocol.TelemetryPayloadReason))
    ),
)
# Valid lines with bytes cut out and garbage put in, so that most are almost right.
mangled_lines = st.builds(
    splice,
    valid_requests.map(lambda request: encode(request).rstrip(b"\n")),
    st.integers(0, 10_000),
    st.integers(0, 8),
    st.binary(max_size=8) | st.sampled_from([b"[", b"{", b'"', b"\\", b"true", b"1.5", b"\xff", b"\x00"]),
)


def check_request_line(line: bytes) -> None:
    """The request decoder's contract for one line; raises whatever else it raised."""
    try:
        decode_request(line)
    except ProtocolError as exc:
        error = exc.to_error()
        assert error.id is None or (type(error.id) is int and abs(error.id) <= LARGEST_ID)
        reply = encode(error)
        assert len(reply) <= MAX_LINE_BYTES
        assert decode_daemon_message(reply.rstrip(b"\n")) == error  # the app can read it
        assert error.message


def check_daemon_line(line: bytes) -> None:
    """The app-side decoder's contract for one line."""
    try:
        decode_daemon_message(line)
    except ProtocolError as exc:
        assert str(exc)


@PROPERTY
@given(st.binary(max_size=200) | mangled_lines)
def test_any_bytes_decode_or_raise_the_protocol_error(line: bytes) -> None:
    check_request_line(line)
    check_daemon_line(line)


@PROPERTY
@given(json_texts.map(lambda pair: pair[0]) | deep_texts.map(lambda pair: pair[0]) | message_like)
def test_any_json_decodes_or_raises_the_protocol_error(line: bytes) -> None:
    if len(line) > MAX_LINE_BYTES:
        line = line[:MAX_LINE_BYTES]  # still refused for what it holds, not only for its size
    check_request_line(line)
    check_daemon_line(line)


@PROPERTY
@given(valid_requests)
def test_valid_requests_round_trip(request: protocol.Request) -> None:
    line = encode(request)
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert decode_request(line.rstrip(b"\n")) == request


@PROPERTY
@given(valid_daemon_messages)
def test_valid_daemon_messages_round_trip(message: protocol.DaemonMessage) -> None:
    line = encode(message)
    assert line.count(b"\n") == 1
    assert decode_daemon_message(line.rstrip(b"\n")) == message


@PROPERTY
@given(json_texts | deep_texts, st.integers(0, 40))
def test_the_depth_measure_is_exact_for_valid_json(text_and_depth: tuple[bytes, int], limit: int) -> None:
    from mimic_core.json_depth import exceeds_depth  # noqa: PLC0415  (the other properties hold without it)

    text, depth = text_and_depth
    assert exceeds_depth(text, limit) == (depth > limit)
