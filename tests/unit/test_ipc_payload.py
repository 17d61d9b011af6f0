"""The daemon -> app metric buffer format: round trips, versioning, and hostile input."""

from __future__ import annotations

import random
import uuid
from typing import Any

import msgpack
import pytest

from mimic_core import protocol
from mimic_core.ipc_payload import (
    FORMAT_VERSION,
    MAX_LABEL_CHARS,
    MAX_PAYLOAD_BYTES,
    ChildEvent,
    Payload,
    PayloadError,
    decode,
    encode,
    from_wire,
    is_session_id,
    load_definitions,
    pack_fields,
    split_flush_reply,
    to_wire,
)
from mimic_core.protocol import MAX_LINE_BYTES, Result, TelemetryPayload

SESSION = "6f1f8a52-1c4e-4b5e-9a51-3e1d2f4c5b6a"


def full_payload() -> Payload:
    return Payload(
        session_id=SESSION,
        counters={"tunnel.rx_bytes": 4096, "tunnel.tx_bytes": 2**40},
        labeled_counters={"tunnel.stability_changes": {"stable": 2, "unstable": 1}},
        invalid_adds={"tunnel.rx_bytes": {"": 3}},
        string_lists={"ipc_test.words": ["a", "é" * 10]},
        timing_samples={"tunnel.keepalive_rtt": [1, 20_000_000, 2**63 - 1, -5]},
        labeled_timing_samples={"connection.check_duration": {"internet": [3_000_000]}},
        memory_samples={"fog_ipc.buffer_sizes": [10, 20]},
        labeled_memory_samples={"ipc_test.memory": {"a": [1]}},
        custom_samples={"ipc_test.sizes": [7, -(2**63)]},
        labeled_custom_samples={"ipc_test.labeled_sizes": {"x": [1, 2, 3]}},
        events=[ChildEvent("ipc_test.happened", 1_700_000_000_000, {"what": "up"}), ChildEvent("ipc_test.happened", 5)],
        forbidden={"uuid_set": 2, "ping_submit": 1},
        dropped_buffers=1,
    )


def raw(document: Any) -> bytes:
    packed: bytes = msgpack.packb(document, use_bin_type=True)
    return packed


def test_every_part_round_trips() -> None:
    payload = full_payload()
    assert decode(encode(payload)) == payload


def test_an_empty_payload_is_small_and_keeps_only_version_and_session() -> None:
    encoded = encode(Payload(session_id=SESSION))
    assert msgpack.unpackb(encoded) == {"v": FORMAT_VERSION, "s": SESSION}
    assert len(encoded) < 50
    assert decode(encoded) == Payload(session_id=SESSION)


def test_a_counter_costs_its_key_once_and_a_sample_a_few_bytes() -> None:
    one = len(encode(Payload(session_id=SESSION, counters={"tunnel.rx_bytes": 1})))
    big = len(encode(Payload(session_id=SESSION, counters={"tunnel.rx_bytes": 2**31 - 1})))
    assert big - one == 4
    samples = [20_000_000] * 1000
    sized = len(encode(Payload(session_id=SESSION, timing_samples={"tunnel.keepalive_rtt": samples})))
    assert sized < 1000 * 5 + 100


def test_pack_fields_leaves_empty_parts_out() -> None:
    packed = pack_fields(SESSION, {"c": {"tunnel.rx_bytes": 3}, "td": {}, "ev": [], "db": 0})
    assert msgpack.unpackb(packed) == {"v": FORMAT_VERSION, "s": SESSION, "c": {"tunnel.rx_bytes": 3}}


@pytest.mark.parametrize("version", [0, 2, 99, -1])
def test_another_format_version_is_refused_as_version(version: int) -> None:
    with pytest.raises(PayloadError) as caught:
        decode(raw({"v": version, "s": SESSION, "c": {"tunnel.rx_bytes": 1}}))
    assert caught.value.cause == "version"


def test_an_oversized_payload_is_refused_before_decoding() -> None:
    with pytest.raises(PayloadError) as caught:
        decode(b"\x00" * (MAX_PAYLOAD_BYTES + 1))
    assert caught.value.cause == "overflow"
    with pytest.raises(PayloadError) as caught:
        decode(encode(full_payload()), max_bytes=10)
    assert caught.value.cause == "overflow"


GOOD: dict[str, Any] = {"v": FORMAT_VERSION, "s": SESSION}

UNDECODABLE: list[tuple[str, bytes]] = [
    ("empty", b""),
    ("reserved byte", b"\xc1"),
    ("truncated", encode(full_payload())[:-3]),
    ("trailing bytes", encode(full_payload()) + b"\x00"),
    ("not a map", raw([1, 2, 3])),
    ("a string", raw("hello")),
    ("no version", raw({"s": SESSION})),
    ("version as text", raw({"v": "1", "s": SESSION})),
    ("version as bool", raw({"v": True, "s": SESSION})),
    ("no session", raw({"v": FORMAT_VERSION})),
    ("session not a uuid", raw({**GOOD, "s": "session-1"})),
    ("session in upper case", raw({**GOOD, "s": SESSION.upper()})),
    ("session as bytes", raw({**GOOD, "s": SESSION.encode()})),
    ("unknown part", raw({**GOOD, "zz": 1})),
    ("counter of zero", raw({**GOOD, "c": {"tunnel.rx_bytes": 0}})),
    ("negative counter", raw({**GOOD, "c": {"tunnel.rx_bytes": -1}})),
    ("float counter", raw({**GOOD, "c": {"tunnel.rx_bytes": 1.5}})),
    ("counter as text", raw({**GOOD, "c": {"tunnel.rx_bytes": "1"}})),
    ("counter above i64", raw({**GOOD, "c": {"tunnel.rx_bytes": 2**64 - 1}})),
    ("sample above i64", raw({**GOOD, "td": {"tunnel.keepalive_rtt": [2**63]}})),
    ("samples not a list", raw({**GOOD, "td": {"tunnel.keepalive_rtt": 5}})),
    ("labeled counter flat", raw({**GOOD, "lc": {"tunnel.stability_changes": 1}})),
    ("metric id with spaces", raw({**GOOD, "c": {"tunnel rx": 1}})),
    ("metric id too long", raw({**GOOD, "c": {"a." + "b" * 200: 1}})),
    ("label too long", raw({**GOOD, "lc": {"tunnel.stability_changes": {"x" * (MAX_LABEL_CHARS + 1): 1}}})),
    ("event with too many fields", raw({**GOOD, "ev": [["ipc_test.happened", 1, {}, 4]]})),
    ("event with a negative time", raw({**GOOD, "ev": [["ipc_test.happened", -1, {}]]})),
    ("extras not strings", raw({**GOOD, "ev": [["ipc_test.happened", 1, {"what": 1}]]})),
    ("binary where text", raw({**GOOD, "sl": {"ipc_test.words": [b"abc"]}})),
    ("an ext type", raw({**GOOD, "c": {"tunnel.rx_bytes": msgpack.ExtType(1, b"x")}})),
    ("integer map key", msgpack.packb({1: 2})),
    ("invalid utf-8", b"\x81\xa1v\xa2\xff\xfe"),
    ("deep nesting", b"\x91" * 100_000 + b"\x00"),
    ("huge array header", b"\xdd\xff\xff\xff\xff"),
    ("huge map header", b"\xdf\xff\xff\xff\xff"),
]


@pytest.mark.parametrize("data", [data for _, data in UNDECODABLE], ids=[name for name, _ in UNDECODABLE])
def test_garbage_is_refused_as_undecodable(data: bytes) -> None:
    with pytest.raises(PayloadError) as caught:
        decode(data, max_bytes=len(data) + 1)
    assert caught.value.cause == "undecodable"


@pytest.mark.parametrize("value", ["text", 12, None, ["list"]])
def test_a_non_bytes_payload_is_undecodable(value: Any) -> None:
    with pytest.raises(PayloadError) as caught:
        decode(value)
    assert caught.value.cause == "undecodable"


def test_bytearray_and_memoryview_are_accepted() -> None:
    encoded = encode(full_payload())
    assert decode(bytearray(encoded)) == full_payload()
    assert decode(memoryview(encoded)) == full_payload()


def test_mutated_payloads_raise_nothing_but_payload_error() -> None:
    """Random corruption of a valid buffer: each decode gives a payload or a PayloadError, never another error."""
    generator = random.Random(20240501)
    original = bytearray(encode(full_payload()))
    outcomes = {"decoded": 0, "refused": 0}
    for _ in range(3000):
        mutated = bytearray(original)
        for _ in range(generator.randint(1, 4)):
            action = generator.random()
            position = generator.randrange(len(mutated))
            if action < 0.6:
                mutated[position] = generator.randrange(256)
            elif action < 0.8:
                del mutated[position:]
            else:
                mutated[position:position] = bytes(generator.randrange(256) for _ in range(generator.randint(1, 8)))
            if not mutated:
                break
        try:
            decode(bytes(mutated))
            outcomes["decoded"] += 1
        except PayloadError:
            outcomes["refused"] += 1
    assert outcomes["refused"] > 0


def test_wire_form_round_trips_and_refuses_bad_base64() -> None:
    encoded = encode(full_payload())
    assert from_wire(to_wire(encoded)) == encoded
    for bad in ["not base64!", "abc", "é"]:
        with pytest.raises(PayloadError) as caught:
            from_wire(bad)
        assert caught.value.cause == "undecodable"
    with pytest.raises(PayloadError) as caught:
        from_wire("A" * (4 * (MAX_PAYLOAD_BYTES // 3 + 2)))
    assert caught.value.cause == "overflow"


def test_the_largest_payload_fits_one_protocol_line_as_an_event() -> None:
    line = protocol.encode(TelemetryPayload(payload=to_wire(b"\xff" * MAX_PAYLOAD_BYTES), reason="watermark"))
    assert len(line) - 1 <= MAX_LINE_BYTES
    message = protocol.decode_daemon_message(line.rstrip(b"\n"))
    assert isinstance(message, TelemetryPayload)
    assert from_wire(message.payload) == b"\xff" * MAX_PAYLOAD_BYTES


def test_a_flush_reply_keeps_the_newest_that_fit_and_pushes_the_older_first() -> None:
    payloads = [bytes([index]) * 20_000 for index in range(7)]
    push_first, reply = split_flush_reply(payloads)
    assert push_first and reply
    assert [from_wire(text) for text in push_first + reply] == payloads
    line = protocol.encode(Result(id=2**31, data={"payloads": reply}))
    assert len(line) - 1 <= MAX_LINE_BYTES
    small = [b"a", b"b"]
    assert split_flush_reply(small) == ([], [to_wire(b"a"), to_wire(b"b")])
    assert split_flush_reply([]) == ([], [])


def test_session_ids_are_canonical_uuids() -> None:
    assert is_session_id(SESSION)
    assert is_session_id(str(uuid.UUID(int=0)))
    assert not is_session_id(SESSION.upper())
    assert not is_session_id("{" + SESSION + "}")
    assert not is_session_id("")


def test_the_definitions_are_the_metrics_the_vpnsession_ping_sends() -> None:
    definitions = load_definitions()
    assert definitions["tunnel.rx_bytes"].type == "counter"
    assert definitions["tunnel.keepalive_rtt"].time_unit == "millisecond"
    assert definitions["tunnel.keepalive_rtt"].time_unit_nanos == 1_000_000
    assert definitions["tunnel.stability_changes"].labels == frozenset({"stable", "unstable"})
    assert "tunnel.state_changed" not in definitions  # a daemonsession event
    assert "fog_ipc.buffer_sizes" not in definitions  # the app's own link health, in vpnclient
    assert "no_session.failures" not in definitions
    assert all("vpnsession" in definition.send_in_pings for definition in definitions.values())
