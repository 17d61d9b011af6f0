"""The edge's spool: every submission on disk before it is answered, until the store has committed it.

Mozilla's edge answers a submission once it is published (to Pub/Sub, or to a
disk queue when that fails) and decodes it later.  The lab does the same: the
edge appends the submission to this spool, answers 200, and the store's
writer thread decodes and commits submissions to DuckDB in batches.  So the
answer waits for one ``write()``, not for the decoder and a DuckDB
transaction, and a batch holds whatever arrived meanwhile.

The spool is a directory of segment files, each a sequence of records
(a 4-byte little-endian length, then the :class:`Submission` as MessagePack).
A record is written by one ``write()`` call before the answer, so it survives
the lab process being killed (not the machine losing power: there is no
fsync per submission).  When the store has committed everything appended,
the segment is emptied; a segment grown past :data:`SEGMENT_BYTES` is closed
and a new one started, and deleted once committed.  What a killed lab left is
read back by :func:`recover` when the next lab opens the store, which stores
whatever its tables do not hold yet.

Appends, commits and rotation all happen on the event loop's thread, so no
lock is needed; :func:`recover` runs before the spool is opened.
"""

from __future__ import annotations

import logging
import os
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import msgspec

from lab.pipeline.decoder import Submission

log = logging.getLogger(__name__)

SEGMENT_BYTES: Final = 64 * 1024 * 1024
"""A segment past this size is closed and a new one started (the closed one is deleted once committed)."""
_LENGTH: Final = struct.Struct("<I")
_encoder: Final = msgspec.msgpack.Encoder()
_decoder: Final = msgspec.msgpack.Decoder(Submission)


def _segments(directory: Path) -> list[tuple[int, Path]]:
    found: list[tuple[int, Path]] = []
    for path in directory.glob("segment-*.bin"):
        try:
            found.append((int(path.stem.removeprefix("segment-")), path))
        except ValueError:
            continue
    return sorted(found)


def read_segment(path: Path) -> list[Submission]:
    """The complete records of one segment; a torn last record (the lab killed mid-write) is left out."""
    data = path.read_bytes()
    records: list[Submission] = []
    offset = 0
    while offset + _LENGTH.size <= len(data):
        (length,) = _LENGTH.unpack_from(data, offset)
        end = offset + _LENGTH.size + length
        if end > len(data):
            break
        try:
            records.append(_decoder.decode(data[offset + _LENGTH.size : end]))
        except msgspec.DecodeError as exc:
            log.warning("skipping an unreadable spool record in %s at byte %d: %s", path, offset, exc)
        offset = end
    return records


def recover(directory: Path) -> tuple[list[Submission], list[Path]]:
    """What the spool at ``directory`` still holds, oldest first, and its segment files (to delete once stored)."""
    if not directory.is_dir():
        return [], []
    segments = [path for _, path in _segments(directory)]
    return [record for path in segments for record in read_segment(path)], segments


@dataclass
class _Segment:
    number: int
    path: Path
    fd: int
    size: int = 0
    last_sequence: int = 0


@dataclass
class Spool:
    """The open spool: appends, and commits reported by the store."""

    directory: Path
    _current: _Segment | None = None
    _closed: list[_Segment] = field(default_factory=list)
    _sequence: int = 0

    def open(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        existing = _segments(self.directory)
        self._current = self._new_segment(existing[-1][0] + 1 if existing else 1)

    def _new_segment(self, number: int) -> _Segment:
        path = self.directory / f"segment-{number:06d}.bin"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o600)
        return _Segment(number, path, fd)

    def append(self, submission: Submission) -> int:
        """Write ``submission``; its sequence number.  OSError when it could not be written whole."""
        segment = self._current
        if segment is None:
            raise OSError("the spool is not open")
        if segment.size >= SEGMENT_BYTES:
            self._closed.append(segment)
            segment = self._current = self._new_segment(segment.number + 1)
        body = _encoder.encode(submission)
        record = _LENGTH.pack(len(body)) + body
        written = os.write(segment.fd, record)
        if written != len(record):
            # A short write to a regular file means the disk is full: cut the torn record off again.
            os.ftruncate(segment.fd, segment.size)
            raise OSError(f"the spool {segment.path} is full")
        segment.size += written
        self._sequence += 1
        segment.last_sequence = self._sequence
        return self._sequence

    def committed(self, sequence: int) -> None:
        """Everything appended up to ``sequence`` is in the store: drop what no longer needs keeping."""
        while self._closed and self._closed[0].last_sequence <= sequence:
            done = self._closed.pop(0)
            os.close(done.fd)
            done.path.unlink(missing_ok=True)
        current = self._current
        if current is not None and not self._closed and current.size and current.last_sequence <= sequence:
            os.ftruncate(current.fd, 0)
            current.size = 0

    def close(self) -> None:
        """Close the files; segments holding anything uncommitted stay for the next :func:`recover`."""
        for segment in [*self._closed, *([self._current] if self._current else [])]:
            os.close(segment.fd)
            if segment.size == 0:
                segment.path.unlink(missing_ok=True)
        self._closed = []
        self._current = None
