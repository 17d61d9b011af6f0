"""The app's telemetry: its own Glean, the ``vpnsession`` ping and the ``vpnclient`` ping.

The daemon owns the shared session id; the app asks it and follows the
session design's triggers in order:

* app start: ``vpnsession`` ``flush_init`` every time (there may be data of
  a session that ended while the app was not running), then the daemon is
  asked for a live id; the live id or the inactive one is recorded.  The
  ``flush_init`` goes out under the id of the session the stored data is of
  (kept on disk, ``vpnui/reported_session.py``), with the daemon's data of
  that session replayed into it, and closes that session for this run;
* session start (the daemon reports one): ask the daemon for the id, then
  ``flush``, the id recorded, the session's metrics, ``start``; a failed
  retrieval, or the inactive id, is counted by cause instead;
* session end: ``end`` (after the daemon's child data is replayed), then
  the inactive id;
* a ``timer`` ping at an interval during long sessions.

Measurements made before the session exists (the checks of the activation
that starts it) are held back and recorded once the session's id is, so no
ping carries data recorded in another session.

What belongs to no session never goes into ``vpnsession``: checks and
failures while no session runs (a failed activation's held-back checks
included) are recorded in their ``no_session`` twins, and the daemon link's
health (``fog_ipc.*``) is defined in the ``vpnclient`` ping, which carries no
session id.  ``vpnclient`` goes out at app start (after ``flush_init``), when
a session starts (before its ``flush``), when an activation ends without a
session, at the timer and at shutdown, so nothing of it waits long or is
lost (it is sent only when it has data).

Attribution through faults.  Losing the daemon link does not end the
session the app is in (the daemon may be alive and the link come back:
the session goes on under its id, whole).  Each time the link is ready
again the app asks the daemon for its live id; if it is not the app's
session (the daemon was killed and restarted, which ends the session with
the daemon's ``flush_init``, or the session ended while the app could not
hear it), that session is gone and the app submits its ``end`` ping under
its own id at once, with everything recorded in it (the daemon-lost
failure included), before it adopts the live id or anything of a next
session is recorded.  Its ``app_session_end`` is then the moment the app
last saw it running (when the link went down).  While the app changes
sessions, daemon buffers of the other session are kept aside and replayed
once their session's id is the app's, never into the ping being closed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

from PySide6.QtCore import QObject, QTimer

from mimic_core import protocol
from mimic_core.glean_runtime import GleanRuntime, GleanRuntimeError
from mimic_core.paths import locations
from mimic_core.protocol import DaemonError
from mimic_core.telemetry_names import APP_PING, CLIENT_PING, INACTIVE_SESSION_ID, AppPingReason, ClientPingReason
from vpnui.background_tasks import BackgroundTasks
from vpnui.connection.manager import ConnectionManager
from vpnui.connection.states import VPNClientState
from vpnui.daemon_client import DaemonClient, DaemonLinkError, LinkState
from vpnui.ipc_replay import IpcParent
from vpnui.preferences import Preferences
from vpnui.reported_session import ReportedSession
from vpnui.settings import Settings

log = logging.getLogger(__name__)

VERSION = "0.1.0"
DEFAULT_TIMER_INTERVAL_S = 3 * 3600.0
SESSION_ID_TIMEOUT_S = 2.0
SHUTDOWN_TIMEOUT_S = 2.0
# At app start flush_init waits this long for the daemon link (so the
# daemon's pending data can be replayed or discarded first), then goes anyway.
FLUSH_INIT_WAIT_S = 5.0

# FailureCause keys (presentation.FAILURE_KEYS) -> labels of connection.failures.
FAILURE_LABELS = {
    "noInternet": "no_internet",
    "captivePortal": "captive_portal",
    "accountServiceUnreachable": "account_service_unreachable",
    "noSubscription": "no_subscription",
    "firewallBlocking": "firewall_blocking",
    "serverUnavailable": "server_unavailable",
    "daemonLost": "daemon_lost",
}

BeforeSubmit = Callable[[str, str], Awaitable[None]]  # (session id, reason)
FLUSH_TIMEOUT_S = 1.0


@dataclass(frozen=True, slots=True)
class Measurement:
    """One connection measurement, kept as data until it is known which ping it belongs to.

    ``check``: a check's duration (``label`` the check); ``failure``: a
    diagnosed failure (``label`` its ``connection.failures`` label);
    ``activation``: a successful activation's duration.
    """

    kind: Literal["check", "failure", "activation"]
    label: str = ""
    ms: int = 0

    def record_in_session(self, metrics: Any) -> None:
        """Into the session's ``vpnsession`` metrics (``connection.*``)."""
        connection = metrics.connection
        if self.kind == "check":
            connection.check_duration[self.label].accumulate_single_sample(self.ms)
        elif self.kind == "failure":
            connection.failures[self.label].add(1)
        else:
            connection.activation_duration.accumulate_single_sample(self.ms)

    def record_outside_session(self, metrics: Any) -> None:
        """Into the ``no_session`` twins of the ``vpnclient`` ping.

        An activation's duration has no twin: it is measured only when the
        tunnel came up, and a tunnel whose session id the app could not
        obtain is counted in ``session.session_id_retrieval_errors`` instead.
        """
        if self.kind == "check":
            metrics.no_session.check_duration[self.label].accumulate_single_sample(self.ms)
        elif self.kind == "failure":
            metrics.no_session.failures[self.label].add(1)


class AppTelemetry(QObject):
    def __init__(
        self,
        client: DaemonClient,
        manager: ConnectionManager,
        *,
        preferences: Preferences,
        settings: Settings,
        timer_interval_s: float = DEFAULT_TIMER_INTERVAL_S,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._client = client
        self._manager = manager
        self._preferences = preferences
        self._settings = settings
        self._runtime: GleanRuntime | None = None
        self._ingestion_url: str | None = None
        self.session_id = INACTIVE_SESSION_ID
        # The id of the session the stored data is of, for the next app run.
        self._reported = ReportedSession(locations().state / "app-session.json")
        self._saved_id: str | None = None
        # Measurements of an activation whose session is not known yet.
        self._held_back: list[Measurement] = []
        # The daemon announced a session whose id is still being fetched.
        self._session_starting = False
        # Re-links whose check of the daemon's live id has not finished.
        self._relinks = 0
        # When the link went down during the current session: the last time
        # the app saw it running (its end time if it turns out to be gone).
        self._last_seen_running: dt.datetime | None = None
        self._tasks = BackgroundTasks("telemetry")
        self._queue: asyncio.Lock | None = None
        # Called before every vpnsession submit; the first flushes the
        # daemon's child data into the ping of the session it belongs to.
        self.ipc = IpcParent()
        # Daemon buffers of a session the app may be about to take up,
        # received while it changes sessions.
        self._held_payloads: list[str] = []
        # The session the app is changing to, once known (announced by the
        # daemon, or its live id after a re-link).
        self._next_session_id: str | None = None
        self.before_submit: list[BeforeSubmit] = [self._flush_children]
        self._timer = QTimer(self)
        self._timer.setInterval(int(timer_interval_s * 1000))
        self._timer.timeout.connect(lambda: self._spawn(self._submit(AppPingReason.TIMER)))
        # vpnclient's timer runs all the time: a failure modal's re-checks and
        # the link's health accumulate while the VPN is off, or on for long.
        self._client_timer = QTimer(self)
        self._client_timer.setInterval(int(timer_interval_s * 1000))
        self._client_timer.timeout.connect(lambda: self._submit_client(ClientPingReason.TIMER))
        self._flush_init_pending = False
        self._flush_init_fallback = QTimer(self)
        self._flush_init_fallback.setSingleShot(True)
        self._flush_init_fallback.timeout.connect(lambda: self._spawn(self._flush_init()))

        client.eventReceived.connect(self._on_daemon_event)
        client.linkStateChanged.connect(self._on_link_state)
        manager.activationMeasured.connect(self._on_activation)
        manager.checkMeasured.connect(self._on_check)
        manager.failureRaised.connect(self._on_failure)
        manager.stateChanged.connect(self._on_state_changed)
        preferences.telemetryEnabledChanged.connect(self._on_enabled_changed)

    @property
    def runtime(self) -> GleanRuntime | None:
        return self._runtime

    # ------------------------------------------------------------- set-up

    def start(self, ingestion_url: str) -> None:
        """App start: Glean up, ``flush_init``, then the daemon's live id (when linked)."""
        self._ingestion_url = ingestion_url
        try:
            self._runtime = GleanRuntime.start(
                "app", locations().glean_dir("app"), ingestion_url, self._settings.telemetry_enabled, VERSION
            )
        except (GleanRuntimeError, ValueError) as exc:
            log.error("telemetry unavailable: %s", exc)
            return
        self._record(lambda m: m.session.installation_id.set(uuid.UUID(self._settings.installation_id)))
        # The session the last run's data is of: flush_init replays the
        # daemon's data of it too (kept for the app while none listened).
        self.session_id = self._saved_id = self._reported.load() or INACTIVE_SESSION_ID
        self._flush_init_pending = True
        self._flush_init_fallback.start(int(FLUSH_INIT_WAIT_S * 1000))
        self._client_timer.start()
        if self._client.link_state is LinkState.READY:
            self._on_link_state(LinkState.READY.value)

    async def shutdown(self) -> None:
        self._timer.stop()
        self._client_timer.stop()
        self._flush_init_fallback.stop()
        await self._tasks.cancel_all()
        if self._held_back and not self._session_starting:
            self._release_held_outside_session()
        self._submit_client(ClientPingReason.SHUTDOWN)
        if self._runtime is not None:
            runtime, self._runtime = self._runtime, None
            # Bounded: the window may still be on screen.
            if not runtime.shutdown(SHUTDOWN_TIMEOUT_S):
                log.warning("telemetry shutdown took over %.0f s; unsent pings stay on disk", SHUTDOWN_TIMEOUT_S)

    # ------------------------------------------------------------ daemon

    def _on_link_state(self, state: str) -> None:
        if state == LinkState.READY.value:
            if self._runtime is not None:
                # Buffers pushed from now on wait until the live id is known.
                self._relinks += 1
                self._spawn(self._adopt_live_session())
        elif self.session_id != INACTIVE_SESSION_ID and self._last_seen_running is None:
            self._last_seen_running = dt.datetime.now(dt.UTC)

    async def _flush_init(self) -> None:
        """App start: ``flush_init`` once (the daemon's pending data replayed first, when linked)."""
        async with self._serial():
            await self._flush_init_now()

    async def _flush_init_now(self) -> None:
        if not self._flush_init_pending:
            return
        self._flush_init_pending = False
        self._flush_init_fallback.stop()
        await self._submit_now(AppPingReason.FLUSH_INIT)
        # What the last run recorded outside a session and did not send.
        self._submit_client(ClientPingReason.STARTUP)
        # flush_init closes the last run's session for this app; what
        # follows is the daemon's live id (the same session if it still runs).
        self._set_id(INACTIVE_SESSION_ID)
        self._last_seen_running = None

    async def _adopt_live_session(self) -> None:
        """After (re)linking: share the telemetry setting, then follow the daemon's live session.

        The first time, ``flush_init`` goes out before the live id is asked
        for, as the session design orders it.
        """
        try:
            await self._flush_init()
            try:
                await self._client.request(
                    protocol.SetTelemetry(
                        id=0, enabled=self._settings.telemetry_enabled, ingestion_url=self._ingestion_url
                    )
                )
            except (DaemonLinkError, DaemonError, TimeoutError) as exc:
                log.warning("could not share the telemetry setting with the daemon: %s", exc)
            async with self._serial():
                live = await self._ask_session_id()
                if live is None:
                    # No answer is no evidence that the session is gone: keep
                    # it; the next re-link asks again.
                    return
                if self.session_id not in (INACTIVE_SESSION_ID, live):
                    self._next_session_id = live
                    await self._end_session(ended_at=self._last_seen_running)
                self._last_seen_running = None
                self._set_id(live)
                self._replay_held(live)
                if live != INACTIVE_SESSION_ID:
                    self._timer.start()
                    if not self._session_starting and self._client_state() != VPNClientState.Connecting:
                        # An activation the app took up without seeing its
                        # start (the link came back to it): its checks are its.
                        self._record_held_in_session()
        finally:
            self._relinks -= 1
            self._release_held()

    def _on_daemon_event(self, event: object) -> None:
        if self._runtime is None:
            return
        if isinstance(event, protocol.TelemetryPayload):
            if self._changing_session() and self.ipc.recorded_under(event.payload) not in (
                self.session_id,
                INACTIVE_SESSION_ID,
                None,
            ):
                self._held_payloads.append(event.payload)  # its session's id may be on its way
            else:
                self.ipc.receive(event.payload, self.session_id)
        elif isinstance(event, protocol.SessionStarted):
            self._session_starting = True
            self._next_session_id = event.session_id
            self._spawn(self._session_started())
        elif isinstance(event, protocol.SessionEnded):
            self._spawn(self._session_ended())

    async def _ask_session_id(self) -> str | None:
        """The daemon's answer (its live id, or the inactive one), or ``None`` (the failure counted by cause)."""
        cause: str
        try:
            data = await self._client.request(protocol.GetSessionId(id=0), timeout=SESSION_ID_TIMEOUT_S)
        except DaemonLinkError:
            cause = "no_daemon"
        except TimeoutError:
            cause = "timeout"
        except DaemonError:
            cause = "invalid_reply"
        else:
            session_id = data.get("session_id")
            if isinstance(session_id, str) and _is_uuid(session_id):
                return str(uuid.UUID(session_id))
            cause = "invalid_reply"
        self._count_retrieval_error(cause)
        return None

    def _count_retrieval_error(self, cause: str) -> None:
        log.warning("session id retrieval failed: %s", cause)
        self._record(lambda m: m.session.session_id_retrieval_errors[cause].add(1))

    async def _session_started(self) -> None:
        try:
            await self._start_session()
        finally:
            self._session_starting = False
            self._release_held()

    async def _start_session(self) -> None:
        async with self._serial():
            await self._flush_init_now()  # the app start's, if not out yet: the last run's data first
            session_id = await self._ask_session_id()
            if session_id is not None and self.session_id not in (INACTIVE_SESSION_ID, session_id):
                # The daemon runs another session (or none): the app's is gone.
                self._next_session_id = session_id
                await self._end_session(ended_at=self._last_seen_running)
            if session_id is None or session_id == INACTIVE_SESSION_ID:
                if session_id == INACTIVE_SESSION_ID:
                    self._count_retrieval_error("inactive_id")
                # No id to file the activation under: its checks are of no session.
                self._session_starting = False
                self._release_held_outside_session()
                return
            self._last_seen_running = None
            # What was recorded outside any session goes out first, in its own ping.
            self._submit_client(ClientPingReason.SESSION_START)
            if session_id != self.session_id:
                # Not when a re-link already adopted this session: the
                # flush closes the previous one, and that is done.
                await self._submit_now(AppPingReason.FLUSH)
                self._set_id(session_id)
            self._record(lambda m: m.session.installation_id.set(uuid.UUID(self._settings.installation_id)))
            self._record(lambda m: m.session.app_session_start.set(dt.datetime.now(dt.UTC)))
            self._record_held_in_session()
            self._replay_held(session_id)
            await self._submit_now(AppPingReason.START)
            self._timer.start()

    async def _session_ended(self) -> None:
        async with self._serial():
            await self._flush_init_now()  # as at a session start: the last run's data first
            if self.session_id != INACTIVE_SESSION_ID:
                await self._end_session(ended_at=None)
            self._timer.stop()

    async def _end_session(self, ended_at: dt.datetime | None) -> None:
        """``end`` under the session's own id, then the inactive id (under the serial lock).

        ``ended_at``: when it ended as far as the app knows; ``None`` is now.
        """
        self._timer.stop()
        end = ended_at or dt.datetime.now(dt.UTC)
        self._replay_held(self.session_id)
        self._record(lambda m: m.session.app_session_end.set(end))
        await self._submit_now(AppPingReason.END)
        self._set_id(INACTIVE_SESSION_ID)
        self._last_seen_running = None

    # ----------------------------------------------------- measurements

    # Glean takes timing samples in the metric's time_unit (milliseconds for
    # both, see metrics.yaml), not in nanoseconds.
    def _on_activation(self, seconds: float) -> None:
        self._measured(Measurement("activation", ms=_milliseconds(seconds)))

    def _on_check(self, check: str, seconds: float) -> None:
        self._measured(Measurement("check", check, _milliseconds(seconds)))

    def _on_failure(self, key: str) -> None:
        label = FAILURE_LABELS.get(key)
        if label is not None:
            self._measured(Measurement("failure", label))

    def _measured(self, measurement: Measurement) -> None:
        """Into the running session's ping, or the ``vpnclient`` ping when none runs.

        While an activation is under way (or its session's id is being
        fetched) it is held until it is known whether a session comes of it.
        """
        if self._session_starting or self._client_state() == VPNClientState.Connecting:
            self._held_back.append(measurement)
        elif self.session_id != INACTIVE_SESSION_ID:
            self._record(measurement.record_in_session)
        else:
            self._record(measurement.record_outside_session)

    def _client_state(self) -> VPNClientState:
        return VPNClientState(self._manager.property("state"))

    def _on_state_changed(self) -> None:
        # Back to Off with measurements held and no session starting: the
        # activation they were held for ended without a session.
        if self._client_state() == VPNClientState.Off and self._held_back and not self._session_starting:
            self._release_held_outside_session()

    def _record_held_in_session(self) -> None:
        held, self._held_back = self._held_back, []
        for measurement in held:
            self._record(measurement.record_in_session)

    def _release_held_outside_session(self) -> None:
        """An activation ended without a session: its measurements go out in ``vpnclient`` now."""
        held, self._held_back = self._held_back, []
        for measurement in held:
            self._record(measurement.record_outside_session)
        self._submit_client(ClientPingReason.ACTIVATION_FAILED)

    def _on_enabled_changed(self, enabled: bool) -> None:
        if self._runtime is not None:
            self._runtime.set_upload_enabled(enabled)
        self._spawn(self._tell_daemon(enabled))

    async def _tell_daemon(self, enabled: bool) -> None:
        try:
            await self._client.request(protocol.SetTelemetry(id=0, enabled=enabled, ingestion_url=self._ingestion_url))
        except (DaemonLinkError, DaemonError, TimeoutError) as exc:
            log.warning("the daemon did not take the telemetry setting: %s", exc)

    # ----------------------------------------------------------- helpers

    def _serial(self) -> asyncio.Lock:
        # Session start and end must not interleave (an end racing a start
        # would submit the start under the inactive id).
        if self._queue is None:
            self._queue = asyncio.Lock()
        return self._queue

    def _set_id(self, session_id: str) -> None:
        changed = session_id != self._saved_id and self._runtime is not None
        if changed:
            self._reported.forget()
        self.session_id = session_id
        self._record(lambda m: m.session.shared_session_id.set(uuid.UUID(session_id)))
        if changed:
            self._reported.save(session_id)
            self._saved_id = session_id

    def _record(self, record: Callable[[Any], None]) -> None:
        if self._runtime is None:
            return
        try:
            record(self._runtime.metrics)
        except (GleanRuntimeError, ValueError, TypeError, KeyError) as exc:
            log.error("telemetry record failed: %s", exc)

    def _submit_client(self, reason: str) -> None:
        """Submit ``vpnclient`` (not sent if empty); it is of no session, so nothing is flushed first."""
        if self._runtime is None:
            return
        try:
            self._runtime.submit(CLIENT_PING, reason)
        except GleanRuntimeError as exc:
            log.error("cannot submit %s/%s: %s", CLIENT_PING, reason, exc)

    async def _submit(self, reason: str) -> None:
        async with self._serial():
            await self._submit_now(reason)

    async def _submit_now(self, reason: str) -> None:
        if self._runtime is None:
            return
        for hook in self.before_submit:
            try:
                await hook(self.session_id, reason)
            except Exception:
                log.exception("a pre-submit step failed; submitting anyway")
        try:
            self._runtime.submit(APP_PING, reason)
        except GleanRuntimeError as exc:
            log.error("cannot submit %s/%s: %s", APP_PING, reason, exc)

    async def _flush_children(self, session_id: str, reason: str) -> None:
        """Replay the daemon's pending data of this session before its ping goes out.

        Not before ``flush``: that ping closes the previous session, and the
        daemon's pending data already belongs to the new one.
        """
        if reason == AppPingReason.FLUSH or self._client.link_state is not LinkState.READY:
            return
        await self.ipc.flush_all_children(self._request_flush, session_id, FLUSH_TIMEOUT_S)

    async def _request_flush(self) -> list[str]:
        data = await self._client.request(protocol.TelemetryFlush(id=0), timeout=FLUSH_TIMEOUT_S)
        payloads = data.get("payloads", [])
        texts = [p for p in payloads if isinstance(p, str)] if isinstance(payloads, list) else []
        following = self._next_session_id
        if following in (None, INACTIVE_SESSION_ID, self.session_id):
            return texts
        # The daemon hands over every pending buffer: while the app closes a
        # session to take up the next, the next one's are kept for it instead
        # of being discarded by the replay into this ping.
        for_this_ping: list[str] = []
        for text in texts:
            (self._held_payloads if self.ipc.recorded_under(text) == following else for_this_ping).append(text)
        return for_this_ping

    # ----------------------------------------------------- held buffers

    def _changing_session(self) -> bool:
        return self._session_starting or self._relinks > 0

    def _replay_held(self, session_id: str) -> None:
        """Replay the held buffers of ``session_id`` (now the app's id); keep the others."""
        keep: list[str] = []
        for payload in self._held_payloads:
            if self.ipc.recorded_under(payload) == session_id:
                self.ipc.receive(payload, session_id)
            else:
                keep.append(payload)
        self._held_payloads = keep

    def _release_held(self) -> None:
        """Once no session change is under way: what is still held is of no session the app
        reports; it goes through ``receive``, which discards and counts it."""
        if self._changing_session():
            return
        self._next_session_id = None
        held, self._held_payloads = self._held_payloads, []
        for payload in held:
            self.ipc.receive(payload, self.session_id)

    def _spawn(self, coro: Awaitable[Any]) -> None:
        self._tasks.spawn(coro)


def _milliseconds(seconds: float) -> int:
    """A duration as a Glean millisecond sample (at least 1: Glean drops 0)."""
    return max(1, round(seconds * 1000))


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
