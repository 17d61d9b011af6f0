"""What the daemon measures for the app's ``vpnsession`` ping.

Keepalive round trips, bytes through the tunnel, stability changes and
handshake durations are measured here but reported in the app's ping, so
they are recorded through the child-side recorder (``ipc_recorder``) and
shipped to the app as buffers tagged with the session they belong to, the
way Firefox's child processes hand their data to the parent:

* the app asks (``telemetry_flush``) before every ``vpnsession`` submit;
* a full buffer (the operation watermark) is pushed at once;
* pending data is pushed at idle moments and at an orderly shutdown.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, Literal

from daemon.ipc_recorder import ChildRecorder
from daemon.tunnel import HealthSample
from mimic_core.ipc_payload import split_flush_reply, to_wire
from mimic_core.protocol import Event, TelemetryPayload

log = logging.getLogger(__name__)

IDLE_PUSH_S = 5.0
# The daemon's own verdict per keepalive, for counting stability changes.
UNSTABLE_LOSS = 0.2

PushReason = Literal["watermark", "idle", "shutdown"]


class ChildMetrics:
    def __init__(
        self,
        publish: Callable[[Event], None],
        app_listening: Callable[[], bool],
        recorder: ChildRecorder | None = None,
    ) -> None:
        self._publish = publish
        # Pushed buffers nobody receives would be lost; without an app they
        # stay pending, and the app discards (and counts) them when it asks.
        self._app_listening = app_listening
        self.recorder = recorder or ChildRecorder(on_full=self._on_full)
        self._rx = 0
        self._tx = 0
        self._stable: bool | None = None
        self._idle_task: asyncio.Task[None] | None = None
        self._full_pending = False

    # ---------------------------------------------------------- sessions

    def session_started(self, session_id: str) -> None:
        self.recorder.begin_session(session_id)
        self._rx = self._tx = 0
        self._stable = None
        if self._idle_task is None:
            self._idle_task = asyncio.get_running_loop().create_task(self._idle_pushes(), name="child-metrics-idle")

    def session_ended(self) -> None:
        # The ended session's data stays pending, tagged with its id, until
        # the app asks for it before submitting that session's end ping.
        self.recorder.end_session()

    # ------------------------------------------------------ measurements

    def handshake_done(self, seconds: float) -> None:
        self.recorder.tunnel.handshake_duration.accumulate_raw_samples_nanos([int(seconds * 1e9)])

    def tunnel_health(self, sample: HealthSample) -> None:
        tunnel: Any = self.recorder.tunnel
        if sample.rtt_ms is not None:
            tunnel.keepalive_rtt.accumulate_raw_samples_nanos([int(sample.rtt_ms * 1e6)])
        # Byte counts are cumulative per tunnel; a switch starts a new tunnel.
        rx_delta = sample.rx_bytes - self._rx if sample.rx_bytes >= self._rx else sample.rx_bytes
        tx_delta = sample.tx_bytes - self._tx if sample.tx_bytes >= self._tx else sample.tx_bytes
        self._rx, self._tx = sample.rx_bytes, sample.tx_bytes
        if rx_delta:
            tunnel.rx_bytes.add(rx_delta)
        if tx_delta:
            tunnel.tx_bytes.add(tx_delta)
        stable = sample.rtt_ms is not None and sample.loss < UNSTABLE_LOSS
        if stable != self._stable:
            if self._stable is not None:
                tunnel.stability_changes["stable" if stable else "unstable"].add(1)
            self._stable = stable

    # ----------------------------------------------------------- flushes

    def flush_reply(self) -> dict[str, Any]:
        """``telemetry_flush``: every pending buffer, the older ones pushed first if the line is too small."""
        push_first, reply = split_flush_reply(self.recorder.take_payloads())
        for text in push_first:
            self._publish(TelemetryPayload(payload=text, reason="watermark"))
        return {"payloads": reply}

    def push_pending(self, reason: PushReason) -> None:
        """Hand every pending buffer to the app now (if one listens)."""
        if self._app_listening():
            self._push(self.recorder.take_payloads(), reason)

    def shutdown(self) -> None:
        if self._idle_task is not None:
            self._idle_task.cancel()
            self._idle_task = None
        self.push_pending("shutdown")

    def _on_full(self) -> None:
        # Called from inside a record call: push once the call has returned.
        if not self._full_pending:
            self._full_pending = True
            asyncio.get_running_loop().call_soon(self._push_full)

    def _push_full(self) -> None:
        self._full_pending = False
        self.push_pending("watermark")

    async def _idle_pushes(self) -> None:
        while True:
            await asyncio.sleep(IDLE_PUSH_S)
            if self._app_listening():
                self._push(self.recorder.on_idle(), "idle")

    def _push(self, payloads: list[bytes], reason: PushReason) -> None:
        for payload in payloads:
            self._publish(TelemetryPayload(payload=to_wire(payload), reason=reason))
