"""The shared session id the app's stored telemetry is of, kept on disk across app runs.

The app's Glean keeps ``session.shared_session_id`` (lifetime ``user``) and
the session's data when the app is killed, and the relaunched app sends both
in its ``flush_init``.  The daemon, meanwhile, keeps what it measured for
the app's ping while no app listened, tagged with that session.  To replay
that data into the ``flush_init`` of its own session, the relaunched app must
know which session its stored data is of before it may ask the daemon
anything (the session design sends ``flush_init`` first); glean-sdk 71 reads
a metric back only through its test API.  So the app writes the id it
reports here whenever it changes, and reads it at start.  A change removes
the file before the new id is recorded in Glean and writes it (atomically,
as every small state file) after, so that a kill in the middle leaves no
file rather than an id Glean's stored data is not of.

A missing, unreadable or malformed file means "unknown": the daemon's data
of that session is then discarded and counted, as data of any other session.
"""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

import msgspec

from mimic_core.atomic_file import fsync_dir, write_atomically

log = logging.getLogger(__name__)


class _Content(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    session_id: str


class ReportedSession:
    """One small JSON file: ``{"session_id": "<uuid>"}``."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> str | None:
        """The id last saved, or ``None`` if there is none or it cannot be trusted."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            log.error("cannot read %s: %s", self.path, exc)
            return None
        try:
            return str(uuid.UUID(msgspec.json.decode(data, type=_Content).session_id))
        except (msgspec.DecodeError, ValueError) as exc:
            log.error("ignoring %s, not a session id file: %s", self.path, exc)
            return None

    def forget(self) -> None:
        """Remove the file (never raises), before the id in Glean changes.

        Glean records asynchronously: if the app is killed while the id
        changes, the file must not name a session other than the one Glean's
        stored data is of, so it names none until the change is made.
        """
        try:
            self.path.unlink(missing_ok=True)
        except OSError as exc:
            log.error("cannot remove %s: %s", self.path, exc)
            return
        fsync_dir(self.path.parent)

    def save(self, session_id: str) -> None:
        """Replace the file (never raises: losing it only loses the replay after a crash)."""
        try:
            write_atomically(self.path, msgspec.json.encode(_Content(session_id)) + b"\n")
        except OSError as exc:
            log.error("cannot save the reported session id to %s: %s", self.path, exc)
