"""The VPN session the daemon owns: its state, its id, and the events it announces.

A session starts when a tunnel first comes up after the VPN was off, and
ends when the VPN is turned off (or the daemon shuts down).  A server switch
does not start a new one: the session id and ``connected_since`` carry over,
which is what lets the app's timer survive a switch and lets telemetry join
the app's and the daemon's data for the whole session.  The same holds when
the tunnel moves by itself off a server that stopped answering
(``daemon/failover.py``): that is announced as ``server_moved``.

The daemon, not the app, owns the session id because the daemon is the
process guaranteed to live through the whole session (the app may be quit
or killed while the VPN stays on).

Every change is announced through ``publish`` (the control server
broadcasts it); later parts (telemetry) hook in by listening to the same
``session_started``/``session_ended`` events.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Protocol

from daemon.errors import RequestFailed
from daemon.session_store import PersistedSession, SessionStore
from daemon.tunnel import ActivationFailed, HealthSample, Tunnel, TunnelSettings
from mimic_core.protocol import (
    BackendFailure,
    Connected,
    Disconnected,
    Event,
    Health,
    ServerEndpoint,
    ServerMoved,
    SessionEnded,
    SessionStarted,
    StateChanged,
    StatusData,
    VpnState,
)
from mimic_core.telemetry_names import INACTIVE_SESSION_ID

log = logging.getLogger(__name__)

EventSink = Callable[[Event], None]


class SessionHooks(Protocol):
    """Told about session boundaries, in order (daemon telemetry listens)."""

    def before_session_start(self) -> None: ...
    def session_id_created(self, session_id: str) -> None: ...
    def session_started(self, session_id: str, started_at: float, source: str) -> None: ...
    def session_ending(self, session_id: str) -> None: ...
    def session_ended(self) -> None: ...
    def handshake_done(self, seconds: float) -> None: ...
    def tunnel_health(self, sample: HealthSample) -> None: ...


class NoHooks:
    """Nobody listens (telemetry off, or tests of the session logic alone)."""

    def before_session_start(self) -> None:
        pass

    def session_id_created(self, session_id: str) -> None:
        pass

    def session_started(self, session_id: str, started_at: float, source: str) -> None:
        pass

    def session_ending(self, session_id: str) -> None:
        pass

    def session_ended(self) -> None:
        pass

    def handshake_done(self, seconds: float) -> None:
        pass

    def tunnel_health(self, sample: HealthSample) -> None:
        pass


class SessionManager:
    """Turns activate/deactivate requests into tunnel operations, state and events.

    At most one activation (or switch) runs at a time; ``deactivate``
    cancels it.  Teardowns are serialised by a lock so that two
    ``deactivate`` calls end one session once.
    """

    def __init__(
        self,
        settings: TunnelSettings,
        store: SessionStore,
        publish: EventSink,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._tunnel = Tunnel(settings, self._on_health, self._on_moved)
        self._store = store
        self._publish = publish
        self._clock = clock
        self.state: VpnState = "off"
        self.location = ""
        self.connected_since: float | None = None
        self.session_id: str = INACTIVE_SESSION_ID
        self.rtt_ms: float | None = None
        self.loss = 0.0
        self.lingering: PersistedSession | None = None
        self.hooks: SessionHooks = NoHooks()
        self._source = "app"
        self._operation: asyncio.Task[StatusData] | None = None
        self._cancel_reason = ""
        self._teardown_lock = asyncio.Lock()

    @property
    def active(self) -> bool:
        """A session is live (its id is not the inactive one)."""
        return self.session_id != INACTIVE_SESSION_ID

    def forget_lingering_session(self) -> None:
        """The lingering session was accounted for (its data flushed): clear it."""
        if self.lingering is None:
            return
        try:
            self._store.clear()
        except OSError as exc:
            log.error("cannot clear the lingering session %s: %s", self.lingering.session_id, exc)
        self.lingering = None

    def load_lingering_session(self) -> PersistedSession | None:
        """The session a previous daemon process left behind (it died without ending it).

        The state file is left in place: the telemetry side records its id
        (``flush_init``) and then clears it.
        """
        self.lingering = self._store.load()
        if self.lingering is not None:
            log.warning(
                "found session %s (started %s) left by a previous daemon that did not end it",
                self.lingering.session_id,
                time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.lingering.started_at)),
            )
        return self.lingering

    def status(self) -> StatusData:
        return StatusData(
            state=self.state,
            server=self._tunnel.server,
            location=self.location,
            connected_since=self.connected_since,
            rx_bytes=self._tunnel.rx_bytes,
            tx_bytes=self._tunnel.tx_bytes,
            rtt_ms=self.rtt_ms,
            loss=self.loss,
            session_id=self.session_id,
        )

    async def activate(
        self,
        servers: Sequence[ServerEndpoint],
        location: str,
        source: str = "app",
        standby: Sequence[ServerEndpoint] = (),
    ) -> StatusData:
        """Bring the tunnel up to the first answering server (or switch to it when on).

        Returns once the handshake is done; raises ``RequestFailed`` with
        ``activation_failed`` if no server answered or ``deactivate``
        cancelled it, ``busy`` if another activation or a teardown runs.
        ``standby``: more servers of the location the tunnel may move to later.
        """
        if self._operation is not None or self.state in ("connecting", "disconnecting"):
            raise RequestFailed("busy", f"the VPN is {self.state}; an activation is already in progress")
        switching = self.state == "on"
        if not switching:
            self._source = source
            self._set_state("connecting")
        operation = asyncio.get_running_loop().create_task(
            self._run_activation(list(servers), location, switching, list(standby)), name="activation"
        )
        self._operation = operation
        operation.add_done_callback(self._operation_finished)
        try:
            return await operation
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if operation.cancelled() and (current is None or current.cancelling() == 0):
                message = f"activation cancelled: {self._cancel_reason}"
                raise RequestFailed("activation_failed", message) from None
            raise
        finally:
            self._operation_finished(operation)

    async def deactivate(self, reason: str = "user") -> StatusData:
        """Cancel any activation, close the tunnel and end the session."""
        await self._teardown(reason)
        return self.status()

    async def shutdown(self) -> None:
        """Orderly daemon exit: as ``deactivate``, and clients always hear ``disconnected``."""
        if not await self._teardown("shutdown"):
            self._publish(Disconnected(reason="shutdown"))

    def _operation_finished(self, task: asyncio.Task[StatusData]) -> None:
        if self._operation is task:
            self._operation = None

    async def _run_activation(
        self, servers: list[ServerEndpoint], location: str, switching: bool, standby: list[ServerEndpoint]
    ) -> StatusData:
        """Handshake, then start (or continue) the session, with no await in between.

        Running all of it inside one task means a cancel either stops the
        handshake or comes after the session started, never in between.
        """
        began = time.monotonic()
        try:
            server = await self._tunnel.activate(servers, standby)
        except ActivationFailed as exc:
            log.warning("activation failed: %s", exc)
            self._activation_failed(switching, "activation_failed", str(exc))
            raise RequestFailed("activation_failed", str(exc)) from None
        except Exception as exc:
            # A bug, not a network condition; the state must still return to off.
            log.exception("activation failed unexpectedly")
            message = f"internal error during activation: {type(exc).__name__}: {exc}"
            self._activation_failed(switching, "internal", message)
            raise RequestFailed("internal", message) from None
        self.location = location
        if not switching:
            self._start_session(server)
            self._set_state("on")
        # After the session started, so the measurement belongs to it.
        self.hooks.handshake_done(time.monotonic() - began)
        self.rtt_ms = None
        self.loss = 0.0
        assert self.connected_since is not None
        self._publish(
            Connected(
                server=server,
                location=location,
                connected_since=self.connected_since,
                session_id=self.session_id,
            )
        )
        return self.status()

    def _activation_failed(self, switching: bool, code: str, message: str) -> None:
        """Announce the failure; a failed switch leaves the session on its old server."""
        self._publish(BackendFailure(code=code, message=message))
        if not switching:
            self._set_state("off")
            self._publish(Disconnected(reason="activation_failed"))

    async def _teardown(self, reason: str) -> bool:
        """Returns whether a ``disconnected`` event went out (there was something to stop)."""
        async with self._teardown_lock:
            operation = self._operation
            if operation is not None and not operation.done():
                self._cancel_reason = (
                    "the daemon is shutting down" if reason == "shutdown" else "the VPN was turned off"
                )
                operation.cancel()
                await asyncio.wait({operation})
            if self.state == "off" and not self._tunnel.is_up:
                return False
            if self.state == "on":
                self._set_state("disconnecting")
            await self._tunnel.deactivate()
            self._end_session()
            self._set_state("off")
            self._publish(Disconnected(reason=reason))
            return True

    def _start_session(self, server: ServerEndpoint) -> None:
        # The order is the session design's: flush what lingers, then the new
        # id (recorded, persisted), then the session's own data and start.
        self.hooks.before_session_start()
        self.session_id = str(uuid.uuid4())
        self.hooks.session_id_created(self.session_id)
        self.connected_since = self._clock()
        try:
            self._store.save(
                PersistedSession(
                    session_id=self.session_id,
                    started_at=self.connected_since,
                    server=server,
                    location=self.location,
                )
            )
        except OSError as exc:
            # The VPN works without the file; only crash recovery of telemetry suffers.
            log.error("cannot persist session %s: %s", self.session_id, exc)
        self.hooks.session_started(self.session_id, self.connected_since, self._source)
        log.info("session %s started on %s", self.session_id, server.name)
        self._publish(SessionStarted(session_id=self.session_id))

    def _end_session(self) -> None:
        if not self.active:
            return
        ended = self.session_id
        self.hooks.session_ending(ended)
        try:
            self._store.clear()
        except OSError as exc:
            log.error("cannot clear the state file for session %s: %s", ended, exc)
        self.session_id = INACTIVE_SESSION_ID
        self.hooks.session_ended()
        self.connected_since = None
        self.location = ""
        self.rtt_ms = None
        self.loss = 0.0
        log.info("session %s ended", ended)
        self._publish(SessionEnded(session_id=ended))

    def _set_state(self, state: VpnState) -> None:
        if state == self.state:
            return
        log.info("state %s -> %s", self.state, state)
        self.state = state
        self._publish(StateChanged(state=state))

    def _on_moved(self, old: ServerEndpoint, new: ServerEndpoint) -> None:
        """The tunnel left ``old``, which stopped answering, for ``new``: same session."""
        if self.state != "on" or self.connected_since is None:
            return  # only while a session runs can the tunnel move (see Tunnel.activate/deactivate)
        self.rtt_ms = None
        self.loss = 0.0
        log.info("session %s moved from %s to %s", self.session_id, old.name, new.name)
        self._publish(
            ServerMoved(
                from_server=old,
                server=new,
                location=self.location,
                connected_since=self.connected_since,
                session_id=self.session_id,
            )
        )

    def _on_health(self, sample: HealthSample) -> None:
        self.hooks.tunnel_health(sample)
        self.rtt_ms = sample.rtt_ms
        self.loss = sample.loss
        self._publish(
            Health(
                rtt_ms=sample.rtt_ms,
                loss=sample.loss,
                rx_bytes=sample.rx_bytes,
                tx_bytes=sample.tx_bytes,
                missed_in_a_row=sample.missed_in_a_row,
                server=sample.server,
            )
        )
