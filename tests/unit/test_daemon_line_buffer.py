"""Framing of the control socket: lines, the length limit, and bounded memory; and the blocking reader on it."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from mimic_core.line_buffer import LineBuffer, LineOverLimit, LineTooLong, PeerClosed, SocketLines
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


# ------------------------------------------------ SocketLines (the blocking clients' reader)


@pytest.fixture
def pair() -> Iterator[tuple[socket.socket, socket.socket]]:
    """Two connected stream sockets: the peer writes, the reader reads."""
    peer, reader = socket.socketpair()
    yield peer, reader
    peer.close()
    reader.close()


def soon(seconds: float = 5.0) -> float:
    return time.monotonic() + seconds


def test_socket_lines_serves_lines_split_across_sends_in_order(pair: tuple[socket.socket, socket.socket]) -> None:
    peer, reader = pair
    lines = SocketLines(reader)
    peer.sendall(b'{"a":')
    peer.sendall(b'1}\n\n{"b":2}\r\n{"c"')
    assert lines.next_line(soon()) == b'{"a":1}'
    assert lines.next_line(soon()) == b'{"b":2}'
    peer.sendall(b":3}\n")
    assert lines.next_line(soon()) == b'{"c":3}'


def test_socket_lines_times_out_at_the_deadline_and_keeps_a_partial_line(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    peer, reader = pair
    lines = SocketLines(reader)
    peer.sendall(b"half of a ")
    with pytest.raises(TimeoutError):
        lines.next_line(soon(0.05))
    peer.sendall(b"line\n")
    assert lines.next_line(soon()) == b"half of a line"


def test_socket_lines_serves_what_came_before_the_close_then_says_closed(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    peer, reader = pair
    lines = SocketLines(reader)
    peer.sendall(b"one\ntwo\nunfinished")
    peer.close()
    assert lines.next_line(soon()) == b"one"
    assert lines.next_line(soon()) == b"two"
    for _ in range(2):  # and again: a closed peer stays closed
        with pytest.raises(PeerClosed) as caught:
            lines.next_line(soon())
        assert not caught.value.reset


def test_socket_lines_reports_a_line_over_the_limit_once_and_goes_on(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    peer, reader = pair
    lines = SocketLines(reader, limit=16)
    peer.sendall(b"x" * 40 + b"\nafter\n")
    with pytest.raises(LineOverLimit) as caught:
        lines.next_line(soon())
    assert caught.value.size_seen > 16
    assert lines.next_line(soon()) == b"after"
