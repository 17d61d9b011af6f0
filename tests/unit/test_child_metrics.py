"""When the daemon hands its measurements over: watermark, idle, shutdown, and only to a listening app."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from daemon import child_metrics
from daemon.child_metrics import ChildMetrics
from daemon.ipc_recorder import ChildRecorder
from daemon.tunnel import HealthSample
from mimic_core.ipc_payload import decode, from_wire
from mimic_core.protocol import Event, TelemetryPayload


def sample(rx: int) -> HealthSample:
    return HealthSample(server="s1", rtt_ms=1.5, loss=0.0, rx_bytes=rx, tx_bytes=rx, missed_in_a_row=0)


def payloads(events: list[Event]) -> list[TelemetryPayload]:
    return [e for e in events if isinstance(e, TelemetryPayload)]


def test_the_watermark_pushes_a_full_buffer_to_the_app() -> None:
    async def scenario() -> tuple[list[Event], str]:
        events: list[Event] = []
        metrics = ChildMetrics(events.append, lambda: True)
        # A low watermark, so a few keepalive samples fill the buffer.
        metrics.recorder = ChildRecorder(watermark=5, on_full=metrics._on_full)
        session = str(uuid.uuid4())
        metrics.session_started(session)
        for rx in range(100, 700, 100):
            metrics.tunnel_health(sample(rx))
        await asyncio.sleep(0)  # the push runs once the record call returned
        pushed_before_shutdown = list(events)
        metrics.shutdown()
        return pushed_before_shutdown, session

    events, session = asyncio.run(scenario())
    pushed = payloads(events)
    assert pushed, "the watermark pushed nothing"
    assert {p.reason for p in pushed} == {"watermark"}
    assert decode(from_wire(pushed[0].payload)).session_id == session


def test_idle_moments_push_pending_data_only_when_an_app_listens(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(child_metrics, "IDLE_PUSH_S", 0.05)
    listening = {"app": False}

    async def scenario() -> tuple[list[Event], str]:
        events: list[Event] = []
        metrics = ChildMetrics(events.append, lambda: listening["app"])
        session = str(uuid.uuid4())
        metrics.session_started(session)
        metrics.tunnel_health(sample(100))
        await asyncio.sleep(0.2)
        assert payloads(events) == []  # nobody to hand it to: it stays pending
        listening["app"] = True
        await asyncio.sleep(0.2)
        metrics.shutdown()
        return events, session

    events, session = asyncio.run(scenario())
    pushed = payloads(events)
    assert [p.reason for p in pushed][:1] == ["idle"]
    assert decode(from_wire(pushed[0].payload)).session_id == session


def test_shutdown_hands_over_what_is_pending() -> None:
    async def scenario() -> tuple[list[Event], str]:
        events: list[Event] = []
        metrics = ChildMetrics(events.append, lambda: True)
        session = str(uuid.uuid4())
        metrics.session_started(session)
        metrics.handshake_done(0.012)
        metrics.tunnel_health(sample(64))
        metrics.shutdown()
        return events, session

    events, session = asyncio.run(scenario())
    pushed = payloads(events)
    assert [p.reason for p in pushed] == ["shutdown"]
    assert decode(from_wire(pushed[0].payload)).session_id == session
