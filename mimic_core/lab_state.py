"""The file through which a running lab tells others where it is.

The lab listens on a port the kernel picks, so clients (the command line,
the app) find it by reading this file.  It is written atomically, so a
reader never sees half an address, and removed on exit only by the lab
that wrote it, so a second lab's address is never deleted by the first.
"""

from __future__ import annotations

import json
from pathlib import Path

import msgspec

from mimic_core.atomic_file import write_atomically


class LabState(msgspec.Struct, frozen=True):
    """The ready announcement, as printed on stdout and stored in the file."""

    url: str
    pid: int
    event: str = "ready"


def ready_line(url: str, pid: int) -> str:
    return json.dumps({"event": "ready", "url": url, "pid": pid})


def write_state(path: Path, line: str) -> None:
    write_atomically(path, (line + "\n").encode("utf-8"))


def read_state(path: Path) -> LabState | None:
    """The announcement in ``path``; ``None`` if there is none or it is unreadable."""
    try:
        return msgspec.json.decode(path.read_bytes(), type=LabState)
    except (OSError, msgspec.DecodeError, msgspec.ValidationError):
        return None


def remove_state(path: Path, pid: int) -> None:
    """Remove ``path`` if it still announces the lab ``pid``."""
    state = read_state(path)
    if state is not None and state.pid == pid:
        path.unlink(missing_ok=True)
