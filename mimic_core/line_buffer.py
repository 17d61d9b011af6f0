"""Splits a byte stream into protocol lines without ever holding more than one line.

``LineBuffer`` is kept apart from the socket code so the framing rules (the
line limit, and what happens to the rest of an over-long line) are plain
logic with plain tests; ``SocketLines`` reads them from a blocking socket
for the clients that wait for a reply without an event loop.
"""

from __future__ import annotations

import socket
import time
from collections import deque
from dataclasses import dataclass

from mimic_core.protocol import MAX_LINE_BYTES


@dataclass(frozen=True)
class LineTooLong:
    """A line passed the limit; its bytes up to the next newline are dropped."""

    size_seen: int


class LineBuffer:
    """Feed it chunks, get complete lines (newline removed) or ``LineTooLong`` markers.

    An over-long line is reported once, as soon as it passes the limit, and
    then discarded until its newline arrives, so memory stays bounded by
    ``limit`` whatever the peer sends.  Blank lines are skipped.
    """

    def __init__(self, limit: int = MAX_LINE_BYTES) -> None:
        self.limit = limit
        self._pending = bytearray()
        self._discarding = False

    def feed(self, chunk: bytes) -> list[bytes | LineTooLong]:
        out: list[bytes | LineTooLong] = []
        start = 0
        while start < len(chunk):
            newline = chunk.find(b"\n", start)
            end = len(chunk) if newline < 0 else newline
            piece = chunk[start:end]
            if self._discarding:
                if newline >= 0:
                    self._discarding = False
            elif len(self._pending) + len(piece) > self.limit:
                out.append(LineTooLong(len(self._pending) + len(piece)))
                self._pending.clear()
                self._discarding = newline < 0
            else:
                self._pending += piece
                if newline >= 0:
                    line = bytes(self._pending).rstrip(b"\r")
                    self._pending.clear()
                    if line.strip():
                        out.append(line)
            if newline < 0:
                break
            start = newline + 1
        return out

    @property
    def buffered(self) -> int:
        """Bytes held for the line in progress (never more than ``limit``)."""
        return len(self._pending)


class PeerClosed(ConnectionError):
    """The peer closed (``reset``: reset) the connection; the lines it sent before are all served first."""

    def __init__(self, reset: bool = False) -> None:
        super().__init__(f"the peer {'reset' if reset else 'closed'} the connection")
        self.reset = reset


class LineOverLimit(Exception):
    """The peer sent a line over the limit; what follows it on the connection is still served."""

    def __init__(self, size_seen: int, limit: int) -> None:
        super().__init__(f"a line of at least {size_seen} bytes, over the {limit}-byte limit")
        self.size_seen = size_seen


class SocketLines:
    """The lines of a blocking stream socket, one at a time, each wait bounded by a deadline.

    The one reader of the blocking clients (``mimic_core.sync_client`` for
    the daemon, ``mimic_core.inspector_protocol`` for the app's inspector),
    framed by ``LineBuffer``: memory stays bounded whatever the peer sends.
    Each client turns the three outcomes that are not a line into its own
    errors: ``TimeoutError`` (no line before the deadline), ``PeerClosed``
    and ``LineOverLimit``; other ``OSError``s of the socket pass through.
    """

    RECV_BYTES = 65536

    def __init__(self, sock: socket.socket, limit: int = MAX_LINE_BYTES) -> None:
        self._sock = sock
        self._buffer = LineBuffer(limit)
        self._ready: deque[bytes | LineTooLong] = deque()
        self._closed = False

    def next_line(self, deadline: float) -> bytes:
        """The next complete line (newline removed, blank lines skipped), waiting until ``deadline`` (monotonic)."""
        while not self._ready:
            if self._closed:
                raise PeerClosed()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("no line in time")
            self._sock.settimeout(remaining)
            try:
                chunk = self._sock.recv(self.RECV_BYTES)
            except TimeoutError:
                raise TimeoutError("no line in time") from None
            except ConnectionResetError as exc:
                self._closed = True
                raise PeerClosed(reset=True) from exc
            if not chunk:
                self._closed = True
                continue
            self._ready.extend(self._buffer.feed(chunk))
        line = self._ready.popleft()
        if isinstance(line, LineTooLong):
            raise LineOverLimit(line.size_seen, self._buffer.limit)
        return line
