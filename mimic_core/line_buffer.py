"""Splits a byte stream into protocol lines without ever holding more than one line.

Kept apart from the socket code so the framing rules (the line limit, and
what happens to the rest of an over-long line) are plain logic with plain
tests.
"""

from __future__ import annotations

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
