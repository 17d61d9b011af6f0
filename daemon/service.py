"""The daemon's lifetime once it owns its lock: serve until a signal, then shut down in order.

Shutdown order matters to clients: the tunnel is closed (the server gets
``bye``), the session ends, every client is told ``disconnected`` with
reason ``shutdown``, and only then does the socket go away, so an app sees
why the daemon left rather than a bare connection loss.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal

from daemon.child_metrics import ChildMetrics
from daemon.dispatch import DaemonInfo, RequestDispatcher
from daemon.logging_setup import RecentLogHandler
from daemon.options import DaemonOptions
from daemon.server import ControlServer
from daemon.session import SessionManager
from daemon.session_store import SessionStore
from daemon.telemetry import DaemonTelemetry
from daemon.tunnel import TunnelSettings
from mimic_core.paths import Locations

log = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class DaemonService:
    def __init__(self, options: DaemonOptions, where: Locations, recent_logs: RecentLogHandler) -> None:
        self.options = options
        self.where = where
        self.info = DaemonInfo()
        self.server = ControlServer()
        self.sessions = SessionManager(
            TunnelSettings(
                keepalive_interval=options.keepalive_interval,
                handshake_timeout=options.handshake_timeout,
                handshake_retries=options.handshake_retries,
                client_id=f"mimic-daemon/{self.info.pid}",
            ),
            SessionStore(where.daemon_state),
            publish=self.server.broadcast,
        )
        child = ChildMetrics(self.server.broadcast, lambda: self.server.has_client("app"))
        self.telemetry = DaemonTelemetry(where, options.telemetry_url, options.telemetry_timer_interval, child)
        self.sessions.hooks = self.telemetry
        self.dispatcher = RequestDispatcher(self.sessions, recent_logs, self.info, self.telemetry)
        self._stop = asyncio.Event()

    async def run(self) -> int:
        """Serve until SIGTERM/SIGINT; the exit code of the process."""
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(_log_loop_exception)
        for signum in STOP_SIGNALS:
            loop.add_signal_handler(signum, self._on_signal, signum)
        self.telemetry.start()
        # A session id left by a killed daemon: its data goes out in a
        # flush_init ping, then the id is forgotten.
        if self.telemetry.recover(self.sessions.load_lingering_session()):
            self.sessions.forget_lingering_session()
        self.server.listen(self.where.socket, self.dispatcher.handle, self.dispatcher.handle_now)
        _announce_ready(str(self.where.socket))
        log.info("daemon %d ready", self.info.pid)
        await self._stop.wait()
        await self.shutdown()
        return 0

    async def shutdown(self) -> None:
        log.info("shutting down")
        # The app gets the session's pending metrics before it hears the
        # session end, so they land in that session's end ping.
        if self.telemetry.child is not None:
            self.telemetry.child.push_pending("shutdown")
        try:
            await self.sessions.shutdown()
        finally:
            self.telemetry.shutdown()
            await self.server.close()
        log.info("daemon %d stopped", self.info.pid)

    def _on_signal(self, signum: int) -> None:
        log.info("received %s", signal.Signals(signum).name)
        self._stop.set()


def _announce_ready(socket_path: str) -> None:
    """The one stdout line a launcher waits for."""
    line = json.dumps({"event": "ready", "socket": socket_path, "pid": os.getpid()}, separators=(",", ":"))
    try:
        print(line, flush=True)
    except OSError as exc:  # nobody reads stdout: the daemon still works
        log.warning("cannot write the ready line: %s", exc)


def _log_loop_exception(loop: asyncio.AbstractEventLoop, context: dict[str, object]) -> None:
    exc = context.get("exception")
    message = context.get("message", "unhandled error in the event loop")
    if isinstance(exc, BaseException):
        log.error("%s", message, exc_info=exc)
    else:
        log.error("%s: %s", message, context)
