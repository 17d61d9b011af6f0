"""Decoding of uploaded ping bodies, as Glean and other clients compress them."""

from __future__ import annotations

import gzip
import zlib

import pytest

from lab.http_ingestion import MAX_PING_BYTES, BodyError, decode_body

BODY = b'{"ping_info": {"seq": 1}}'


@pytest.mark.parametrize(
    ("raw", "encoding"),
    [
        (BODY, ""),
        (BODY, "identity"),
        (gzip.compress(BODY), "gzip"),
        (gzip.compress(BODY), "GZIP"),
        (gzip.compress(BODY), "x-gzip"),
        (zlib.compress(BODY), "deflate"),
    ],
)
def test_supported_encodings_are_undone(raw: bytes, encoding: str) -> None:
    assert decode_body(raw, encoding) == BODY


@pytest.mark.parametrize(
    ("raw", "encoding", "status"),
    [
        (BODY, "br", 415),
        (b"plain text", "gzip", 400),
        (gzip.compress(BODY)[:-12], "gzip", 400),
        (gzip.compress(b" " * (MAX_PING_BYTES + 1)), "gzip", 413),
    ],
)
def test_refused_bodies_carry_their_status(raw: bytes, encoding: str, status: int) -> None:
    with pytest.raises(BodyError) as refused:
        decode_body(raw, encoding)
    assert refused.value.status == status
