"""A connection of the runner's own to the daemon, kept open on a thread, recording what it announces.

The daemon broadcasts its events to every greeted client: sessions
starting and ending (with the session id and ``connected_since``), state
changes, and the buffers of data it recorded for the app's ping.  Polling
``status`` after each step would miss what happens within a step (a burst
starts and ends dozens of sessions), so a thread reads the stream as it
comes and time-stamps every event.  When the daemon goes away the thread
reconnects to the next one and asks for its status, so a session started
before it got there is known too.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Final

from lab.chaos.record import ConnectingSpell, ObservedPayload, ObservedSession, SessionEnd
from mimic_core import ipc_payload
from mimic_core.protocol import (
    Connected,
    DaemonError,
    Event,
    SessionEnded,
    SessionStarted,
    StateChanged,
    TelemetryPayload,
)
from mimic_core.sync_client import DaemonConnection, DaemonUnavailable
from mimic_core.telemetry_names import INACTIVE_SESSION_ID

log = logging.getLogger(__name__)

OBSERVER_CLIENT: Final = "automation"
"""The ``hello`` client kind: not ``app`` (the daemon pushes its buffers only while an ``app`` listens)."""
RECONNECT_S: Final = 0.1
READ_TIMEOUT_S: Final = 0.5


class DaemonObserver:
    """Follows whichever daemon answers on ``socket_path`` until ``stop``."""

    def __init__(self, socket_path: Path) -> None:
        self._socket_path = socket_path
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._connected = threading.Event()
        self._thread = threading.Thread(target=self._run, name="chaos-daemon-observer", daemon=True)
        self.sessions: dict[str, ObservedSession] = {}
        self.payloads: list[ObservedPayload] = []
        self.connecting: list[ConnectingSpell] = []
        self.daemon_pids: list[int] = []
        self._live: str | None = None
        self._pid: int | None = None
        self._expected: dict[int, SessionEnd] = {}

    # ------------------------------------------------------------- control

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5.0)

    def wait_connected(self, timeout: float) -> bool:
        return self._connected.wait(timeout)

    @property
    def connected_pid(self) -> int | None:
        """The daemon the observer is connected to (``None`` between daemons)."""
        with self._lock:
            return self._pid if self._connected.is_set() else None

    def expect_exit(self, pid: int, how: SessionEnd) -> None:
        """The runner is about to end daemon ``pid`` (``killed``): what it runs ends that way when it goes."""
        with self._lock:
            self._expected[pid] = how

    def snapshot(self) -> tuple[list[ObservedSession], list[ObservedPayload], list[ConnectingSpell], list[int]]:
        with self._lock:
            return (
                [_copy(session) for session in self.sessions.values()],
                list(self.payloads),
                [
                    ConnectingSpell(started_at=s.started_at, ended_at=s.ended_at, ended_by=s.ended_by)
                    for s in self.connecting
                ],
                list(self.daemon_pids),
            )

    # -------------------------------------------------------------- thread

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                connection = DaemonConnection(self._socket_path, timeout=2.0)
            except (DaemonUnavailable, OSError):
                self._stop.wait(RECONNECT_S)
                continue
            try:
                with connection:
                    self._follow(connection)
            except (DaemonUnavailable, DaemonError, TimeoutError, OSError) as exc:
                log.debug("observer lost the daemon: %s", exc)
            except Exception:
                # Whatever a daemon sends, the observer goes on: a dead
                # observer would hide sessions from the checks.
                log.exception("observer failed on the daemon's stream; reconnecting")
            self._connected.clear()
            with self._lock:
                # Unless the runner said it would end it, the daemon went on
                # its own (an orderly exit has ended its session already).
                how = self._expected.pop(self._pid, "lost") if self._pid is not None else "lost"
                self._end_all(time.time(), how)
                self._pid = None
            self._stop.wait(RECONNECT_S)

    def _follow(self, connection: DaemonConnection) -> None:
        pid = int(connection.hello(client=OBSERVER_CLIENT)["pid"])
        status = connection.status()
        with self._lock:
            self._pid = pid
            if pid not in self.daemon_pids:
                self.daemon_pids.append(pid)
            now = time.time()
            if status.session_id != INACTIVE_SESSION_ID:
                session = self._session(status.session_id, now)
                session.started_at = status.connected_since
                session.server = status.server.name if status.server is not None else ""
                self._live = status.session_id
            self._state(status.state, now)
        self._connected.set()
        while not self._stop.is_set():
            try:
                event = connection.next_event(timeout=READ_TIMEOUT_S)
            except TimeoutError:
                continue
            with self._lock:
                self._on_event(event, time.time())

    # ------------------------------------------------------------- records

    def _on_event(self, event: Event, now: float) -> None:
        match event:
            case SessionStarted(session_id=session_id):
                self._session(session_id, now)
                self._live = session_id
            case Connected(session_id=session_id, connected_since=since, server=server):
                session = self._session(session_id, now)
                session.started_at = since
                session.server = server.name
            case SessionEnded(session_id=session_id):
                session = self._session(session_id, now)
                if session.end is None:
                    session.ended_at, session.end = now, "ended"
                if self._live == session_id:
                    self._live = None
            case StateChanged(state=state):
                self._state(state, now)
            case TelemetryPayload(payload=text, reason=reason):
                self.payloads.append(_payload(text, reason, now, self._live))

    def _session(self, session_id: str, now: float) -> ObservedSession:
        session = self.sessions.get(session_id)
        if session is None:
            session = self.sessions[session_id] = ObservedSession(session_id=session_id, seen_at=now)
        return session

    def _state(self, state: str, now: float) -> None:
        open_spell = self.connecting[-1] if self.connecting and self.connecting[-1].ended_at is None else None
        if state == "connecting" and open_spell is None:
            self.connecting.append(ConnectingSpell(started_at=now))
        elif state != "connecting" and open_spell is not None:
            open_spell.ended_at, open_spell.ended_by = now, state

    def _end_all(self, at: float, how: SessionEnd) -> None:
        if self._live is not None:
            session = self.sessions.get(self._live)
            if session is not None and session.end is None:
                session.ended_at, session.end = at, how
            self._live = None
        if self.connecting and self.connecting[-1].ended_at is None:
            self.connecting[-1].ended_at, self.connecting[-1].ended_by = at, how


def _payload(text: str, reason: str, now: float, live: str | None) -> ObservedPayload:
    try:
        decoded = ipc_payload.decode(ipc_payload.from_wire(text))
    except ipc_payload.PayloadError as exc:
        return ObservedPayload(at=now, reason=reason, tag=None, live_session=live, problem=str(exc))
    return ObservedPayload(
        at=now,
        reason=reason,
        tag=decoded.session_id,
        live_session=live,
        event_times_ms=[event.timestamp_ms for event in decoded.events],
    )


def _copy(session: ObservedSession) -> ObservedSession:
    return ObservedSession(
        session_id=session.session_id,
        seen_at=session.seen_at,
        started_at=session.started_at,
        server=session.server,
        ended_at=session.ended_at,
        end=session.end,
    )
