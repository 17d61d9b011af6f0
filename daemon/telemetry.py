"""The daemon's telemetry: its own Glean and the ``daemonsession`` ping.

The daemon owns the shared session id (it is the one process guaranteed to
live through a whole VPN session), so it follows the session design's
triggers exactly, in order:

* session start: ``daemonsession`` ``flush`` (nothing of the last session may
  leak into the new one), the new id recorded (and persisted by the session
  manager), the session's own metrics, then a ``daemon_start`` ping;
* session end: ``daemon_end``, the state file cleared, the id set to the
  inactive nil UUID;
* process start with a lingering id (the last daemon was killed): that id
  recorded, ``flush_init``, then the state file cleared;
* a ``daemon_timer`` ping at an interval during long sessions.

Telemetry never stops the VPN: a failure here is logged and the session
goes on.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import uuid
from typing import Any

from daemon.child_metrics import ChildMetrics
from daemon.session_store import PersistedSession
from daemon.tunnel import HealthSample
from mimic_core.atomic_file import write_atomically
from mimic_core.glean_runtime import GleanRuntime, GleanRuntimeError
from mimic_core.paths import Locations
from mimic_core.telemetry_names import DAEMON_PING, INACTIVE_SESSION_ID, DaemonPingReason

log = logging.getLogger(__name__)

VERSION = "0.1.0"
SHUTDOWN_TIMEOUT_S = 3.0


class DaemonTelemetry:
    """Implements ``daemon.session.SessionHooks`` on top of one GleanRuntime."""

    def __init__(
        self,
        where: Locations,
        endpoint: str | None,
        timer_interval_s: float,
        child: ChildMetrics | None = None,
    ) -> None:
        self._where = where
        # Measurements the daemon takes for the app's ping (cross-process).
        self.child = child
        self._endpoint = endpoint
        self._timer_interval_s = timer_interval_s
        self._settings_file = where.state / "daemon-telemetry.json"
        self._enabled = self._load_enabled()
        self._runtime: GleanRuntime | None = None
        self._timer: asyncio.Task[None] | None = None
        self._installation_id: str | None = None
        self._session_id = INACTIVE_SESSION_ID

    # ------------------------------------------------------------- set-up

    @property
    def running(self) -> bool:
        return self._runtime is not None

    def start(self) -> None:
        if self._endpoint is None:
            log.info("no telemetry endpoint known yet; waiting for the app to name one")
            return
        try:
            self._runtime = GleanRuntime.start(
                "daemon", self._where.glean_dir("daemon"), self._endpoint, self._enabled, VERSION
            )
        except (GleanRuntimeError, ValueError) as exc:
            log.error("telemetry unavailable: %s", exc)
            self._runtime = None
            return
        log.info("telemetry %s, sending to %s", "on" if self._enabled else "off", self._endpoint)
        self._set_id(INACTIVE_SESSION_ID if self._session_id == INACTIVE_SESSION_ID else self._session_id)

    def configure(self, enabled: bool, endpoint: str | None, installation_id: str | None) -> None:
        """What the app says: on/off (applies to both processes) and where to send."""
        if installation_id:
            self.set_installation_id(installation_id)
        if enabled != self._enabled:
            self._enabled = enabled
            self._save_enabled()
            if self._runtime is not None:
                self._runtime.set_upload_enabled(enabled)
            log.info("telemetry %s", "enabled" if enabled else "disabled")
        if self._runtime is None and endpoint:
            self._endpoint = endpoint
            self.start()

    def set_installation_id(self, installation_id: str) -> None:
        self._installation_id = installation_id
        self._metric(lambda m: m.session.installation_id.set(uuid.UUID(installation_id)))

    def recover(self, lingering: PersistedSession | None) -> bool:
        """At process start: flush the data of a session the last daemon did not end.

        Returns whether the lingering session was accounted for (then the
        caller clears the state file).
        """
        if lingering is None:
            self._set_id(INACTIVE_SESSION_ID)
            return False
        if self._runtime is None:
            return False
        self._set_id(lingering.session_id)
        self._submit(DaemonPingReason.FLUSH_INIT)
        self._set_id(INACTIVE_SESSION_ID)
        return True

    def shutdown(self) -> None:
        """Bounded: the daemon is exiting and has no UI to keep responsive."""
        self._stop_timer()
        if self.child is not None:
            self.child.shutdown()
        if self._runtime is not None:
            runtime, self._runtime = self._runtime, None
            if not runtime.shutdown(SHUTDOWN_TIMEOUT_S):
                log.warning("telemetry shutdown took over %.0f s; unsent pings stay on disk", SHUTDOWN_TIMEOUT_S)

    # ------------------------------------------------------ session hooks

    def before_session_start(self) -> None:
        self._submit(DaemonPingReason.FLUSH)

    def session_id_created(self, session_id: str) -> None:
        self._set_id(session_id)
        if self.child is not None:
            self.child.session_started(session_id)

    def session_started(self, session_id: str, started_at: float, source: str) -> None:
        start = dt.datetime.fromtimestamp(started_at, dt.UTC)
        self._metric(lambda m: m.session.daemon_session_start.set(start))
        self._metric(lambda m: m.session.daemon_session_source.set(source))
        if self._installation_id:
            self.set_installation_id(self._installation_id)
        self._submit(DaemonPingReason.DAEMON_START)
        self._start_timer()

    def session_ending(self, session_id: str) -> None:
        self._stop_timer()
        self._metric(lambda m: m.session.daemon_session_end.set(dt.datetime.now(dt.UTC)))
        self._submit(DaemonPingReason.DAEMON_END)

    def session_ended(self) -> None:
        self._set_id(INACTIVE_SESSION_ID)
        if self.child is not None:
            self.child.session_ended()

    def handshake_done(self, seconds: float) -> None:
        if self.child is not None:
            self.child.handshake_done(seconds)

    def tunnel_health(self, sample: HealthSample) -> None:
        if self.child is not None:
            self.child.tunnel_health(sample)

    # ----------------------------------------------------------- helpers

    def _set_id(self, session_id: str) -> None:
        self._session_id = session_id
        self._metric(lambda m: m.session.shared_session_id.set(uuid.UUID(session_id)))

    def _metric(self, record: Any) -> None:
        if self._runtime is None:
            return
        try:
            record(self._runtime.metrics)
        except (GleanRuntimeError, ValueError, TypeError) as exc:
            log.error("telemetry record failed: %s", exc)

    def _submit(self, reason: str) -> None:
        if self._runtime is None:
            return
        try:
            self._runtime.submit(DAEMON_PING, reason)
        except GleanRuntimeError as exc:
            log.error("cannot submit %s/%s: %s", DAEMON_PING, reason, exc)

    def _start_timer(self) -> None:
        self._stop_timer()
        self._timer = asyncio.get_running_loop().create_task(self._tick(), name="daemon-timer-ping")

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(self._timer_interval_s)
            self._submit(DaemonPingReason.DAEMON_TIMER)

    def _load_enabled(self) -> bool:
        try:
            data = json.loads(self._settings_file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return True
        except (OSError, ValueError) as exc:
            log.error("unreadable %s (%s); telemetry stays on", self._settings_file, exc)
            return True
        return bool(data.get("enabled", True)) if isinstance(data, dict) else True

    def _save_enabled(self) -> None:
        try:
            write_atomically(self._settings_file, json.dumps({"enabled": self._enabled}).encode())
        except OSError as exc:
            log.error("cannot save the telemetry setting: %s", exc)
