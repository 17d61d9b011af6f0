"""Where the daemon's log goes: a rotating file, and the last lines in memory.

The in-memory copy answers the ``logs`` request, so the app can show or
attach the daemon's recent log without reading files it may not be able to
find (the daemon may run with other locations than the app).
"""

from __future__ import annotations

import logging
import logging.handlers
import threading
from collections import deque
from pathlib import Path
from typing import Final

RECENT_LINES: Final = 1000
# A single formatted record is cut to this many characters in memory, so a
# huge message cannot push every other line out of a ``logs`` reply.
MAX_RECENT_LINE_CHARS: Final = 2000
LOG_FILE_BYTES: Final = 1024 * 1024
LOG_FILE_BACKUPS: Final = 3
FORMAT: Final = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class RecentLogHandler(logging.Handler):
    """Keeps the last ``capacity`` formatted lines (a traceback stays one entry)."""

    def __init__(self, capacity: int = RECENT_LINES) -> None:
        super().__init__()
        self._lines: deque[str] = deque(maxlen=capacity)
        self._guard = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record)
        except Exception:
            self.handleError(record)
            return
        if len(line) > MAX_RECENT_LINE_CHARS:
            line = line[: MAX_RECENT_LINE_CHARS - 1] + "…"
        with self._guard:
            self._lines.append(line)

    def last(self, count: int) -> list[str]:
        """The newest ``count`` lines, oldest first."""
        if count <= 0:
            return []
        with self._guard:
            lines = list(self._lines)
        return lines[-count:]


def configure_logging(log_dir: Path, level: str) -> RecentLogHandler:
    """Send the root logger to ``log_dir/daemon.log`` and to memory; returns the memory handler."""
    log_dir.mkdir(parents=True, exist_ok=True)
    formatter = logging.Formatter(FORMAT)
    file_handler = logging.handlers.RotatingFileHandler(
        log_dir / "daemon.log", maxBytes=LOG_FILE_BYTES, backupCount=LOG_FILE_BACKUPS, encoding="utf-8"
    )
    file_handler.setFormatter(formatter)
    recent = RecentLogHandler()
    recent.setFormatter(formatter)
    root = logging.getLogger()
    root.setLevel(level)
    root.addHandler(file_handler)
    root.addHandler(recent)
    # The event loop's own debug output is noise at any level the daemon is run with.
    logging.getLogger("qasync").setLevel(max(logging.INFO, root.level))
    return recent
