"""Decoding the tunnel's datagrams: a datagram or ``None``, whatever arrives."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mimic_core import wire


@pytest.mark.parametrize(
    "datagram",
    [
        wire.Handshake(n=1, c="client"),
        wire.HandshakeOk(n=2, s="de-ber-wg-001"),
        wire.Keepalive(q=3, p="xx"),
        wire.KeepaliveOk(q=4, s="de-ber-wg-001", p="xx"),
        wire.Bye(),
    ],
)
def test_datagrams_round_trip(datagram: wire.Datagram) -> None:
    assert wire.decode(wire.encode(datagram)) == datagram


@pytest.mark.parametrize(
    "data",
    [
        b'{"t": "hs", "n": 1, "x": ' + b"[" * 1000 + b"]" * 1000 + b"}",
        b'{"t": "ka", "q": 1, "x": ' + b'{"a":' * 300 + b"1" + b"}" * 300 + b"}",
        b"[" * 2000,
    ],
    ids=["deep-arrays-in-an-unknown-field", "deep-objects-in-an-unknown-field", "deep-arrays"],
)
def test_deep_nesting_is_not_a_datagram(data: bytes) -> None:
    assert len(data) <= wire.MAX_DATAGRAM
    assert wire.decode(data) is None  # msgspec alone raised RecursionError


def test_a_little_nesting_in_an_unknown_field_is_tolerated() -> None:
    assert wire.decode(b'{"t": "hs", "n": 1, "future": [[1, 2], {"k": []}]}') == wire.Handshake(n=1)


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(
    st.binary(max_size=300)
    | st.builds(
        lambda depth, tail: b'{"t": "hs", "n": 1, "x": ' + b"[" * depth + tail,
        st.sampled_from([1000, 1020]) | st.integers(0, 1020),
        st.binary(max_size=20),
    )
)
def test_any_bytes_decode_to_a_datagram_or_none(data: bytes) -> None:
    decoded = wire.decode(data)
    assert decoded is None or isinstance(
        decoded, wire.Handshake | wire.HandshakeOk | wire.Keepalive | wire.KeepaliveOk | wire.Bye
    )
