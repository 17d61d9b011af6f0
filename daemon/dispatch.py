"""What the daemon answers to each request, independent of the socket it came on.

The control server deals with framing, the hello gate and errors; this
module only maps a valid request to the data of its reply, so the answers
are written in one place.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from typing import Any

import msgspec

from daemon.logging_setup import RecentLogHandler
from daemon.session import SessionManager
from daemon.telemetry import DaemonTelemetry
from mimic_core.protocol import (
    MAX_LINE_BYTES,
    PROTOCOL_VERSION,
    Activate,
    Deactivate,
    GetSessionId,
    Hello,
    Logs,
    Request,
    SetTelemetry,
    Status,
    TelemetryFlush,
    to_builtins,
)

log = logging.getLogger(__name__)

# Room left in a ``logs`` reply line for everything but the lines themselves.
_LOGS_REPLY_OVERHEAD = 256


@dataclass
class DaemonInfo:
    """Facts about this daemon process that ``hello`` reports or a client configures."""

    pid: int = field(default_factory=os.getpid)
    started_at: float = field(default_factory=time.time)
    installation_id: str | None = None
    telemetry_enabled: bool = True


class RequestDispatcher:
    def __init__(
        self,
        sessions: SessionManager,
        recent_logs: RecentLogHandler,
        info: DaemonInfo,
        telemetry: DaemonTelemetry | None = None,
    ) -> None:
        self.sessions = sessions
        self.telemetry = telemetry
        self.recent_logs = recent_logs
        self.info = info

    async def handle(self, request: Request, client: str = "app") -> dict[str, Any]:
        """The ``data`` of the reply; raises ``RequestFailed`` for an error reply."""
        match request:
            case Activate():
                names = ", ".join(server.name for server in request.servers)
                standby = ", ".join(server.name for server in request.standby)
                # Who asked is logged so that a session start or end can be
                # traced to its requester (the fault runner checks that the
                # app never turns the VPN off on its own).
                log.info(
                    "activate %r with candidates [%s], standby [%s] requested by %s",
                    request.location,
                    names,
                    standby,
                    client,
                )
                source = "app" if client == "app" else "daemon"
                status = await self.sessions.activate(
                    request.servers, request.location, source=source, standby=request.standby
                )
                return self._status_data(status)
            case Deactivate():
                log.info("deactivate requested by %s", client)
                return self._status_data(await self.sessions.deactivate("user"))
        data = self.handle_now(request, client)
        assert data is not None
        return data

    def handle_now(self, request: Request, client: str = "app") -> dict[str, Any] | None:
        """The reply data of a request answered without waiting, or ``None`` if it must wait.

        The server answers these in the same turn of the event loop, without
        a task: a status poll should cost a round trip, not a scheduling pass.
        """
        match request:
            case Activate() | Deactivate():
                return None
            case Hello():
                if request.installation_id:
                    if self.info.installation_id not in (None, request.installation_id):
                        log.info("installation id changed to %s", request.installation_id)
                    self.info.installation_id = request.installation_id
                    if self.telemetry is not None:
                        self.telemetry.set_installation_id(request.installation_id)
                return {
                    "version": PROTOCOL_VERSION,
                    "pid": self.info.pid,
                    "started_at": self.info.started_at,
                }
            case Status():
                return self._status_data(self.sessions.status())
            case GetSessionId():
                return {"session_id": self.sessions.session_id, "active": self.sessions.active}
            case Logs():
                return {"lines": fit_lines(self.recent_logs.last(request.lines))}
            case TelemetryFlush():
                if self.telemetry is None or self.telemetry.child is None:
                    return {"payloads": []}
                return self.telemetry.child.flush_reply()
            case SetTelemetry():
                self.info.telemetry_enabled = request.enabled
                if self.telemetry is not None:
                    self.telemetry.configure(request.enabled, request.ingestion_url, self.info.installation_id)
                log.info("telemetry %s", "enabled" if request.enabled else "disabled")
                return {}
        raise AssertionError(f"unhandled request {request!r}")  # pragma: no cover

    @staticmethod
    def _status_data(status: object) -> dict[str, Any]:
        data: dict[str, Any] = to_builtins(status)
        return data


def fit_lines(lines: list[str], budget: int = MAX_LINE_BYTES - _LOGS_REPLY_OVERHEAD) -> list[str]:
    """The newest of ``lines`` whose JSON encoding fits in ``budget`` bytes.

    A reply must fit on one protocol line, so a long log is cut from the
    oldest end rather than producing a line the client would reject.
    """
    kept: list[str] = []
    used = 0
    for line in reversed(lines):
        size = len(msgspec.json.encode(line)) + 1
        if used + size > budget:
            break
        kept.append(line)
        used += size
    kept.reverse()
    return kept
