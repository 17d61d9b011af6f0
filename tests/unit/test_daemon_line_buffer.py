"""Framing of the control socket: lines, the length limit, and bounded memory."""

from __future__ import annotations

from mimic_core.line_buffer import LineBuffer, LineTooLong
from mimic_core.protocol import MAX_LINE_BYTES


def test_lines_split_across_chunks_are_joined() -> None:
    buffer = LineBuffer()
    assert buffer.feed(b'{"a":') == []
    assert buffer.feed(b'1}\n{"b"') == [b'{"a":1}']
    assert buffer.feed(b":2}\n\n  \r\nlast\r\n") == [b'{"b":2}', b"last"]
    assert buffer.buffered == 0


def test_a_line_at_the_limit_is_kept_one_over_is_not() -> None:
    buffer = LineBuffer(limit=10)
    assert buffer.feed(b"x" * 10 + b"\n") == [b"x" * 10]
    assert buffer.feed(b"y" * 11 + b"\nok\n") == [LineTooLong(11), b"ok"]


def test_an_endless_line_is_reported_once_and_never_buffered() -> None:
    buffer = LineBuffer()
    reports: list[bytes | LineTooLong] = []
    chunk = b"z" * 65536
    for _ in range(160):  # 10 MiB without a newline
        reports += buffer.feed(chunk)
        assert buffer.buffered <= MAX_LINE_BYTES
    assert len(reports) == 1
    assert isinstance(reports[0], LineTooLong) and reports[0].size_seen > MAX_LINE_BYTES
    # The rest of the long line is dropped; the next line is served normally.
    assert buffer.feed(b"tail of the long line\n" + b'{"type":"status","id":1}\n') == [b'{"type":"status","id":1}']
    assert buffer.buffered == 0


def test_a_long_line_and_a_good_one_in_the_same_chunk() -> None:
    buffer = LineBuffer(limit=8)
    assert buffer.feed(b"123456789012\ngood\nmore") == [LineTooLong(12), b"good"]
    assert buffer.feed(b"\n") == [b"more"]
