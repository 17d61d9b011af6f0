"""A process-local stand-in for a daemon that answers with malformed lines.

The real daemon never sends a malformed line, so the clients' defences can
only be tried against a peer that does: this one listens on a Unix socket
like the daemon, reads request lines, and answers each through a function
the test gives it (the lines it returns are sent as they are).  It runs on a
thread of the test process and stops with the ``with`` block.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

# Lines no daemon sends, each with the code the decoders refuse it with.
HOSTILE_LINES: list[tuple[bytes, str]] = [
    (b'{"type": "result", "id": 7, "data": {"x": ' + b"[" * 5000 + b"]" * 5000 + b"}}", "too_deep"),
    (b"[" * 60_000, "too_deep"),
    (b'{"type": "error", "id": true, "code": "internal", "message": "x"}', "invalid_field"),
    (b'{"type": "result", "id": 1.5, "data": {}}', "invalid_field"),
    (b'{"type": "health", "rtt_ms": "fast"}', "invalid_field"),
    (b'{"type": "result", "id": 7, "data": {}', "invalid_json"),
    (b"\xff\xfe not json", "invalid_json"),
]

Responder = Callable[[dict[str, Any]], list[bytes]]


class HostilePeer:
    """Serves ``path``; every request line (a JSON object) is answered with ``respond(request)``."""

    def __init__(self, path: Path, respond: Responder) -> None:
        self.path = path
        self._respond = respond
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._listener.bind(str(path))
        self._listener.listen()
        self._listener.settimeout(0.05)  # so the accepting thread sees ``stop`` soon
        self._stopping = threading.Event()
        self._connections: list[socket.socket] = []
        self._thread = threading.Thread(target=self._serve, name="hostile-peer", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stopping.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # closed by ``stop``
            connection.settimeout(None)
            self._connections.append(connection)
            threading.Thread(target=self._talk, args=(connection,), daemon=True).start()

    def _talk(self, connection: socket.socket) -> None:
        with contextlib.suppress(OSError), connection.makefile("rb") as reader:
            for line in reader:
                request = json.loads(line)
                for answer in self._respond(request):
                    connection.sendall(answer.rstrip(b"\n") + b"\n")

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=5)
        self._listener.close()
        for connection in self._connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
            connection.close()
        self.path.unlink(missing_ok=True)

    def __enter__(self) -> HostilePeer:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
