"""The daemon's state file: the live session, persisted so that it survives a crash.

The session-id design needs the daemon to know, when it starts, whether the
previous process died in the middle of a session (then it has lingering
telemetry to flush under that id).  So the live session is written when it
starts and removed when it ends; a file found at start-up means the last
session never ended properly.

Writes are atomic (temporary file in the same directory, fsync, rename), so
a crash mid-write leaves either the old file or the new one, never half of
one.  A file that cannot be read anyway (disk trouble, hand edits) is moved
aside rather than trusted or fatal.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Final

import msgspec

from mimic_core.atomic_file import fsync_dir, write_atomically
from mimic_core.protocol import ServerEndpoint

log = logging.getLogger(__name__)

STATE_FORMAT: Final = 1
CORRUPT_SUFFIX: Final = ".corrupt"


class PersistedSession(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """What is known about a live session, as written to the state file."""

    session_id: str
    started_at: float  # epoch seconds; the session's connected_since
    server: ServerEndpoint | None
    location: str
    format: int = STATE_FORMAT


_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(PersistedSession)


class SessionStore:
    """Reads and writes one state file (``locations().daemon_state`` in the daemon)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def save(self, session: PersistedSession) -> None:
        """Replace the file's content atomically and durably."""
        write_atomically(self.path, _encoder.encode(session) + b"\n")

    def clear(self) -> None:
        """Forget the live session (the session ended normally)."""
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            return
        fsync_dir(self.path.parent)

    def load(self) -> PersistedSession | None:
        """The session left by a previous process, or ``None``.

        An unreadable or invalid file is logged, renamed to ``*.corrupt``
        (replacing an older one) and reported as no session: a broken file
        must never keep the daemon from starting.
        """
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            log.error("cannot read the state file %s: %s", self.path, exc)
            self._move_aside()
            return None
        try:
            session = _decoder.decode(data)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            log.error("state file %s is corrupt (%s); moving it aside", self.path, exc)
            self._move_aside()
            return None
        if session.format != STATE_FORMAT:
            log.error("state file %s has unknown format %s; moving it aside", self.path, session.format)
            self._move_aside()
            return None
        return session

    @property
    def corrupt_path(self) -> Path:
        return self.path.with_name(self.path.name + CORRUPT_SUFFIX)

    def _move_aside(self) -> None:
        try:
            os.replace(self.path, self.corrupt_path)
        except OSError as exc:
            log.error("cannot move %s aside: %s", self.path, exc)
        else:
            log.warning("moved the unreadable state file to %s", self.corrupt_path)
