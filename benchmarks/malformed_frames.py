"""Malformed protocol lines of every kind the daemon must refuse, drawn reproducibly from a seed.

Each frame is one line (no newline) with the error code the daemon must
answer it with, so a run can check every reply, not only count them.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Final, NamedTuple

from mimic_core.protocol import MAX_DEPTH, MAX_LINE_BYTES, MAX_REQUEST_ID, ErrorCode

BAD_IDS: Final = (
    b"true",
    b"false",
    b"1.5",
    b'"7"',
    b"null",
    b"[]",
    b"{}",
    str(MAX_REQUEST_ID + 1).encode(),
    b"99999999999999999999999999",
    b"-1e3",
)


class Frame(NamedTuple):
    line: bytes
    code: ErrorCode


def _too_long(rng: random.Random) -> Frame:
    return Frame(b"x" * (MAX_LINE_BYTES + rng.randrange(1, 4096)), "line_too_long")


def _invalid_json(rng: random.Random) -> Frame:
    # "{:" starts no JSON text, whatever random bytes follow (fewer than the
    # depth limit's brackets, so the answer is about the syntax).
    garbage = b"{:" + bytes(rng.randrange(1, 256) for _ in range(rng.randrange(0, MAX_DEPTH - 2)))
    line = rng.choice(
        (
            garbage.replace(b"\n", b"?"),
            b'{"type":"status","id":%d' % rng.randrange(10**6),
            b'{"type":"status" "id":1}',
            b"{'type':'status'}",
            b'{"type":"st\xffatus","id":1}',
            b"[" * rng.randrange(1, MAX_DEPTH),
        )
    )
    return Frame(line, "invalid_json")


def _too_deep(rng: random.Random) -> Frame:
    opener, closer = rng.choice(((b"[", b"]"), (b'{"a":', b"}")))
    deepest = (MAX_LINE_BYTES - 64) // (len(opener) + len(closer))
    depth = rng.choice((MAX_DEPTH, 1000, rng.randrange(MAX_DEPTH, deepest)))
    return Frame(b'{"type":"status","id":1,"x":' + opener * depth + b"0" + closer * depth + b"}", "too_deep")


def _unknown_type(rng: random.Random) -> Frame:
    name = "".join(rng.choice("abcdefghij_") for _ in range(rng.randrange(1, 40)))
    return Frame(b'{"type":"x_%s","id":%d}' % (name.encode(), rng.randrange(10**6)), "unknown_type")


def _wrong_field_type(rng: random.Random) -> Frame:
    number = rng.randrange(10**6)
    return Frame(
        rng.choice(
            (
                b'{"type":"logs","id":%d,"lines":"many"}' % number,
                b'{"type":"set_telemetry","id":%d,"enabled":"yes"}' % number,
                b'{"type":"activate","id":%d,"servers":[{"name":"s%d"}]}' % (number, number),
                b'{"type":"hello","id":%d,"version":"1"}' % number,
                b'{"type":"status","id":%d,"extra_%d":1}' % (number, number),
                b'{"type":%d,"id":1}' % number,
            )
        ),
        "invalid_field",
    )


def _bad_id(rng: random.Random) -> Frame:
    return Frame(b'{"type":"status","id":' + rng.choice(BAD_IDS) + b"}", "invalid_field")


def _not_an_object(rng: random.Random) -> Frame:
    line = rng.choice((b"[1,2,%d]" % rng.randrange(10**6), b'"status"', b"42", b"null", b"true"))
    return Frame(line, "not_an_object")


# Over-long frames are rare: each one costs 64 KB of traffic, the others a few bytes.
KINDS: Final[tuple[tuple[Callable[[random.Random], Frame], int], ...]] = (
    (_too_long, 1),
    (_invalid_json, 10),
    (_too_deep, 10),
    (_unknown_type, 10),
    (_wrong_field_type, 10),
    (_bad_id, 10),
    (_not_an_object, 5),
)


def malformed_frame(rng: random.Random) -> Frame:
    makers = [maker for maker, _ in KINDS]
    (maker,) = rng.choices(makers, weights=[weight for _, weight in KINDS])
    return maker(rng)
