"""Daemon-recorded metrics replayed into the app's real Glean and read back from the lab's ingestion.

The app side is a real ``GleanRuntime`` in this test process uploading to a
real lab on loopback; the daemon side is a ``ChildRecorder``, in this
process or (once) in a separate Python process that ships its buffers back
as base64 lines, which is the real boundary's shape.  Every stored ping is
validated against the ingestion schema.
"""

from __future__ import annotations

import asyncio
import base64
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Final

import pytest

from daemon.ipc_recorder import AUTOMATION_ENV, ChildRecorder
from lab.lab_process import LabProcess
from mimic_core import protocol
from mimic_core.glean_definitions import METRICS_FILE
from mimic_core.glean_runtime import GleanRuntime
from mimic_core.ipc_payload import (
    MAX_PAYLOAD_BYTES,
    ChildEvent,
    Payload,
    encode,
    from_wire,
    pack_fields,
    split_flush_reply,
    to_wire,
)
from mimic_core.lab_api import StoredPing
from mimic_core.lab_client import LabControl
from mimic_core.paths import locations
from mimic_core.protocol import MAX_LINE_BYTES, Result, TelemetryPayload
from tests.support.checkout_process import run_checkout_python
from tests.support.glean_schema import validate_ping
from tests.support.yaml_definitions import parse_definitions, replay_catalog
from tests.unit.test_ipc_recorder import EXTRA_METRICS
from vpnui.ipc_replay import IpcParent, replay

APP_VERSION: Final = "0.1.0"
DELIVERY_TIMEOUT_S: Final = 5.0
SHUTDOWN_BOUND_S: Final = 5.0
APP: Final = "mimic-vpn"


@pytest.fixture
def app_glean(lab: LabProcess, mimic_home: Path) -> Iterator[GleanRuntime]:
    """The app's Glean, uploading to this test's lab."""
    runtime = GleanRuntime.start("app", locations().glean_dir("app"), lab.url, True, APP_VERSION)
    try:
        yield runtime
    finally:
        assert runtime.shutdown(SHUTDOWN_BOUND_S), f"Glean shutdown did not finish within {SHUTDOWN_BOUND_S} s"


def start_session(runtime: GleanRuntime) -> str:
    """A fresh shared session id, recorded as the app does at session start."""
    session_id = str(uuid.uuid4())
    runtime.metrics.session.shared_session_id.set(uuid.UUID(session_id))
    return session_id


def submit_and_read(runtime: GleanRuntime, control: LabControl, reason: str, name: str = "vpnsession") -> StoredPing:
    """Submits ping ``name`` and returns it as the lab stored it, validated against the schema."""
    before = len(control.pings(app=APP, ping=name))
    runtime.submit(name, reason)
    deadline = time.monotonic() + DELIVERY_TIMEOUT_S
    while True:
        stored = control.pings(app=APP, ping=name)
        if len(stored) > before:
            ping = stored[-1]
            assert ping.payload["ping_info"]["reason"] == reason
            validate_ping(ping.payload)
            return ping
        if time.monotonic() >= deadline:
            raise AssertionError(f"the {reason} {name} ping did not arrive within {DELIVERY_TIMEOUT_S} s")
        time.sleep(0.02)


def link_health(runtime: GleanRuntime, control: LabControl) -> StoredPing:
    """The ``vpnclient`` ping, where the app reports the health of its link to the daemon's buffers (fog_ipc.*)."""
    return submit_and_read(runtime, control, "timer", "vpnclient")


def metric(ping: StoredPing, kind: str, metric_id: str) -> Any:
    return ping.payload.get("metrics", {}).get(kind, {}).get(metric_id)


def flush(parent: IpcParent, recorder: ChildRecorder, session_id: str, timeout_s: float = 2.0) -> Any:
    """What the app does before a submit, with the daemon's answer being the recorder's pending buffers."""

    async def request_flush() -> list[str]:
        await asyncio.sleep(0)  # an answer from another process arrives later
        return [to_wire(payload) for payload in recorder.take_payloads()]

    return asyncio.run(parent.flush_all_children(request_flush, session_id, timeout_s))


def record_tunnel_metrics(metrics: Any) -> None:
    """The same calls on the app's Glean metrics or on the daemon's recorder."""
    metrics.tunnel.rx_bytes.add(1500)
    metrics.tunnel.rx_bytes.add(2500)
    metrics.tunnel.tx_bytes.add(700)
    metrics.tunnel.stability_changes["unstable"].add(1)
    metrics.tunnel.stability_changes["stable"].add(2)
    metrics.tunnel.keepalive_rtt.accumulate_samples([12, 15, 40, 0])
    metrics.tunnel.keepalive_rtt.accumulate_single_sample(250)
    metrics.tunnel.handshake_duration.accumulate_single_sample(80)
    metrics.connection.check_duration["internet"].accumulate_samples([35, 36])
    metrics.connection.check_duration["server"].accumulate_single_sample(5)


COMPARED: Final = [
    ("counter", "tunnel.rx_bytes"),
    ("counter", "tunnel.tx_bytes"),
    ("labeled_counter", "tunnel.stability_changes"),
    ("timing_distribution", "tunnel.keepalive_rtt"),
    ("timing_distribution", "tunnel.handshake_duration"),
    ("labeled_timing_distribution", "connection.check_duration"),
]


def test_daemon_values_reach_the_ping_exactly_as_direct_glean_calls(lab: LabProcess, app_glean: GleanRuntime) -> None:
    session_id = start_session(app_glean)
    record_tunnel_metrics(app_glean.metrics)
    direct = submit_and_read(app_glean, lab.control, "start")

    recorder = ChildRecorder()
    recorder.begin_session(session_id)
    record_tunnel_metrics(recorder)
    result = flush(IpcParent(), recorder, session_id)
    assert result.ok and result.replayed == 1, result
    replayed = submit_and_read(app_glean, lab.control, "timer")
    health = link_health(app_glean, lab.control)

    for kind, metric_id in COMPARED:
        assert metric(replayed, kind, metric_id) == metric(direct, kind, metric_id) is not None, metric_id
    assert metric(replayed, "counter", "tunnel.rx_bytes") == 4000
    assert metric(replayed, "labeled_counter", "tunnel.stability_changes") == {"unstable": 1, "stable": 2}
    rtt = metric(replayed, "timing_distribution", "tunnel.keepalive_rtt")
    assert rtt["sum"] == (12 + 15 + 40 + 1 + 250) * 1_000_000  # 0 counts as one unit, as in Glean
    assert sum(rtt["values"].values()) == 5
    (size,) = [
        int(key)
        for key, count in metric(health, "memory_distribution", "fog_ipc.buffer_sizes")["values"].items()
        for _ in range(count)
    ]
    assert 0 < size < 1024
    assert sum(metric(health, "timing_distribution", "fog_ipc.flush_durations")["values"].values()) == 1
    assert metric(health, "labeled_counter", "fog_ipc.discarded_payloads") is None
    assert metric(health, "counter", "fog_ipc.replay_failures") is None


def test_every_commutative_type_is_replayed(
    lab: LabProcess, app_glean: GleanRuntime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    extra = tmp_path / "metrics.yaml"
    extra.write_text(EXTRA_METRICS)
    files = [METRICS_FILE, extra]
    recorder = ChildRecorder(definitions=parse_definitions(files))
    parent = IpcParent(catalog=replay_catalog(files))
    session_id = start_session(app_glean)
    recorder.begin_session(session_id)

    test = recorder.ipc_test
    test.words.add("alpha")
    test.words.add("beta")
    test.sizes.accumulate_samples([3, 500])
    test.memory.accumulate(2)  # kilobytes
    test.fine_timing.accumulate_raw_samples_nanos([1_234_567])  # microsecond metric, nanoseconds kept
    test.happened.record({"what": "up", "count": 2})
    test.happened.record()
    monkeypatch.setenv(AUTOMATION_ENV, "0")  # as in production: counted, not raised
    recorder.session.app_session_start.set()
    test.flag.set(True)
    test.flag.set(False)

    result = flush(parent, recorder, session_id)
    assert result.ok and result.outcomes[0].failed_entries == 0, result
    ping = submit_and_read(app_glean, lab.control, "timer")
    health = link_health(app_glean, lab.control)

    assert sorted(metric(ping, "string_list", "ipc_test.words")) == ["alpha", "beta"]
    assert metric(ping, "custom_distribution", "ipc_test.sizes")["sum"] == 503
    assert metric(ping, "memory_distribution", "ipc_test.memory")["sum"] == 2048
    assert metric(ping, "timing_distribution", "ipc_test.fine_timing")["sum"] == 1_234_567
    events = [event for event in ping.payload.get("events", []) if event["category"] == "ipc_test"]
    assert [(event["name"], event.get("extra", {}).get("what")) for event in events] == [
        ("happened", "up"),
        ("happened", None),
    ]
    assert events[0]["extra"]["count"] == "2"
    assert metric(health, "labeled_counter", "fog_ipc.forbidden_operations") == {"datetime_set": 1, "boolean_set": 2}
    assert metric(ping, "datetime", "session.app_session_start") is None
    assert metric(ping, "boolean", "ipc_test.flag") is None


CHILD_SCRIPT: Final = """
import base64, sys
from daemon.ipc_recorder import ChildRecorder

session_id = sys.argv[1]
recorder = ChildRecorder()
recorder.tunnel.rx_bytes.add(99)  # before the session: under the inactive id
recorder.begin_session(session_id)
for amount in range(1, 1001):
    recorder.tunnel.rx_bytes.add(amount)
recorder.tunnel.tx_bytes.add(321)
recorder.tunnel.stability_changes["unstable"].add(3)
recorder.tunnel.keepalive_rtt.accumulate_raw_samples_nanos([1_234_567, 20_000_001])
recorder.tunnel.keepalive_rtt.accumulate_single_sample(30)
timer = recorder.tunnel.handshake_duration.start()
recorder.tunnel.handshake_duration.stop_and_accumulate(timer)
for payload in recorder.take_payloads():  # the orderly-shutdown flush
    print(base64.b64encode(payload).decode("ascii"))
"""


def test_a_recorder_in_another_process_reaches_the_ping(lab: LabProcess, app_glean: GleanRuntime) -> None:
    session_id = start_session(app_glean)
    result = run_checkout_python("-c", CHILD_SCRIPT, session_id, timeout=60)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.split()
    assert len(lines) == 2  # the inactive id's buffer, then the session's

    parent = IpcParent()
    outcomes = [parent.receive(line, session_id) for line in lines]
    assert [outcome.discarded for outcome in outcomes] == ["other_session", None]
    ping = submit_and_read(app_glean, lab.control, "timer")
    health = link_health(app_glean, lab.control)

    assert metric(ping, "counter", "tunnel.rx_bytes") == 500_500
    assert metric(ping, "counter", "tunnel.tx_bytes") == 321
    assert metric(ping, "labeled_counter", "tunnel.stability_changes") == {"unstable": 3}
    rtt = metric(ping, "timing_distribution", "tunnel.keepalive_rtt")
    assert rtt["sum"] == 1_234_567 + 20_000_001 + 30_000_000  # the nanoseconds are kept
    assert sum(rtt["values"].values()) == 3
    handshake = metric(ping, "timing_distribution", "tunnel.handshake_duration")
    assert sum(handshake["values"].values()) == 1
    assert handshake["sum"] >= 1_000_000  # at least one unit, as Glean's own timer
    assert metric(health, "labeled_counter", "fog_ipc.discarded_payloads") == {"other_session": 1}
    assert sum(metric(health, "memory_distribution", "fog_ipc.buffer_sizes")["values"].values()) == 2


def test_a_payload_of_another_session_is_discarded_and_counted(lab: LabProcess, app_glean: GleanRuntime) -> None:
    session_id = start_session(app_glean)
    late = ChildRecorder()
    late.begin_session(str(uuid.uuid4()))  # the previous session: its data arrives after the switch
    late.tunnel.rx_bytes.add(1000)
    late.tunnel.keepalive_rtt.accumulate_single_sample(20)
    late.end_session()
    late.tunnel.tx_bytes.add(5)  # recorded while no session was active

    result = flush(IpcParent(), late, session_id)
    assert result.ok
    assert [outcome.discarded for outcome in result.outcomes] == ["other_session", "other_session"]
    ping = submit_and_read(app_glean, lab.control, "timer")
    health = link_health(app_glean, lab.control)

    assert metric(health, "labeled_counter", "fog_ipc.discarded_payloads") == {"other_session": 2}
    assert metric(ping, "counter", "tunnel.rx_bytes") is None
    assert metric(ping, "counter", "tunnel.tx_bytes") is None
    assert metric(ping, "timing_distribution", "tunnel.keepalive_rtt") is None


def test_corrupt_payloads_are_counted_and_nothing_crashes(lab: LabProcess, app_glean: GleanRuntime) -> None:
    session_id = start_session(app_glean)
    parent = IpcParent()
    valid_with_unknown_metric = encode(
        Payload(
            session_id=session_id,
            counters={"tunnel.rx_bytes": 10, "tunnel.nothing": 5, "tunnel.keepalive_rtt": 3},
            events=[ChildEvent("tunnel.state_changed", 1)],  # a daemonsession event: not replayable here
        )
    )
    received = [
        b"\x00garbage\xff" * 10,
        pack_fields(session_id, {"c": {"tunnel.rx_bytes": 1}})[:-2],
        b"\x82\xa1v\x07\xa1s\xa0",  # format version 7
        b"\x00" * (MAX_PAYLOAD_BYTES + 1),
        valid_with_unknown_metric,
    ]
    outcomes = [replay(payload, session_id) for payload in received]
    outcomes.append(parent.receive("!!not base64!!", session_id))
    assert [outcome.discarded for outcome in outcomes] == [
        "undecodable",
        "undecodable",
        "version",
        "overflow",
        None,
        "undecodable",
    ]
    assert outcomes[4].replayed and outcomes[4].entries == 1 and outcomes[4].failed_entries == 3
    ping = submit_and_read(app_glean, lab.control, "timer")
    health = link_health(app_glean, lab.control)

    assert metric(health, "labeled_counter", "fog_ipc.discarded_payloads") == {
        "undecodable": 3,
        "version": 1,
        "overflow": 1,
    }
    assert metric(health, "counter", "fog_ipc.replay_failures") == 1
    assert metric(ping, "counter", "tunnel.rx_bytes") == 10
    assert sum(metric(health, "memory_distribution", "fog_ipc.buffer_sizes")["values"].values()) == len(outcomes)


def test_the_watermark_pushes_data_through_the_protocol_without_a_request(
    lab: LabProcess, app_glean: GleanRuntime
) -> None:
    """The daemon side pushes ``telemetry_payload`` events when its watermark is reached; the app replays them."""
    session_id = start_session(app_glean)
    parent = IpcParent()
    lines: list[bytes] = []

    async def scenario() -> list[str]:
        loop = asyncio.get_running_loop()
        received: list[str] = []

        def push() -> None:  # what the daemon's on_full schedules: one event line per buffer
            for payload in recorder.take_payloads():
                line = protocol.encode(TelemetryPayload(payload=to_wire(payload), reason="watermark"))
                lines.append(line)
                app_receives(line)

        def app_receives(line: bytes) -> None:
            message = protocol.decode_daemon_message(line.rstrip(b"\n"))
            assert isinstance(message, TelemetryPayload)
            received.append(message.reason)
            parent.receive(message.payload, session_id)

        recorder = ChildRecorder(watermark=20, on_full=lambda: loop.call_soon(push))
        recorder.begin_session(session_id)
        for _ in range(19):
            recorder.tunnel.rx_bytes.add(10)
        await asyncio.sleep(0.01)
        assert received == []
        recorder.tunnel.keepalive_rtt.accumulate_single_sample(20)  # the 20th operation
        await asyncio.sleep(0.01)
        recorder.tunnel.tx_bytes.add(1)  # after the push: stays pending
        assert recorder.pending_operations == 1
        return received

    assert asyncio.run(scenario()) == ["watermark"]
    ping = submit_and_read(app_glean, lab.control, "timer")

    assert metric(ping, "counter", "tunnel.rx_bytes") == 190
    assert sum(metric(ping, "timing_distribution", "tunnel.keepalive_rtt")["values"].values()) == 1
    assert metric(ping, "counter", "tunnel.tx_bytes") is None
    assert all(len(line) - 1 <= MAX_LINE_BYTES for line in lines)


def test_a_large_flush_fits_protocol_lines_and_arrives_complete(lab: LabProcess, app_glean: GleanRuntime) -> None:
    """More pending data than one reply line: older buffers are pushed as events first, the rest is the reply."""
    session_id = start_session(app_glean)
    recorder = ChildRecorder()
    recorder.begin_session(session_id)
    for index in range(30_000):
        recorder.tunnel.keepalive_rtt.accumulate_single_sample(1 + index % 500)
        recorder.tunnel.rx_bytes.add(1)
    parent = IpcParent()

    async def request_flush() -> Sequence[str]:
        push_first, reply = split_flush_reply(recorder.take_payloads())
        assert push_first, "the scenario needs more than one line"
        for text in push_first:  # events before the reply, on the same connection
            line = protocol.encode(TelemetryPayload(payload=text, reason="watermark"))
            assert len(line) - 1 <= MAX_LINE_BYTES
            event = protocol.decode_daemon_message(line.rstrip(b"\n"))
            assert isinstance(event, TelemetryPayload)
            assert parent.receive(event.payload, session_id).replayed
        line = protocol.encode(Result(id=7, data={"payloads": reply}))
        assert len(line) - 1 <= MAX_LINE_BYTES
        answer = protocol.decode_daemon_message(line.rstrip(b"\n"))
        assert isinstance(answer, Result)
        payloads: list[str] = answer.data["payloads"]
        return payloads

    result = asyncio.run(parent.flush_all_children(request_flush, session_id, 5.0))
    assert result.ok and result.replayed >= 1
    ping = submit_and_read(app_glean, lab.control, "timer")
    health = link_health(app_glean, lab.control)

    assert metric(ping, "counter", "tunnel.rx_bytes") == 30_000
    rtt = metric(ping, "timing_distribution", "tunnel.keepalive_rtt")
    assert sum(rtt["values"].values()) == 30_000
    assert rtt["sum"] == sum(1 + index % 500 for index in range(30_000)) * 1_000_000
    assert metric(health, "labeled_counter", "fog_ipc.discarded_payloads") is None


def test_a_flush_that_fails_or_never_answers_is_bounded_and_counted(lab: LabProcess, app_glean: GleanRuntime) -> None:
    session_id = start_session(app_glean)
    parent = IpcParent()
    still_running: list[bool] = []

    async def resists_cancellation() -> list[bytes]:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            await asyncio.sleep(0.5)  # ignores the first cancellation for a while: the wait must not follow it
        return []

    async def fails() -> list[bytes]:
        raise ConnectionResetError("the daemon went away")

    async def answers_nothing() -> list[bytes]:
        return []

    async def timed(request: Callable[[], Awaitable[list[bytes]]], timeout_s: float) -> tuple[Any, float]:
        started = time.monotonic()
        result = await parent.flush_all_children(request, session_id, timeout_s)
        elapsed = time.monotonic() - started
        still_running.append(any(not task.done() for task in asyncio.all_tasks() - {asyncio.current_task()}))
        return result, elapsed

    hung, hung_s = asyncio.run(timed(resists_cancellation, 0.2))
    failed, _ = asyncio.run(timed(fails, 1.0))
    empty, _ = asyncio.run(timed(answers_nothing, 1.0))
    assert not hung.ok and "did not answer within 0.2 s" in (hung.error or "")
    assert 0.2 <= hung_s < 0.65  # following the cancellation would take 0.7 s or more
    assert still_running == [True, False, False]  # the hung request was abandoned, not awaited
    assert not failed.ok and "ConnectionResetError" in (failed.error or "")
    assert empty.ok and empty.outcomes == ()
    health = link_health(app_glean, lab.control)

    assert metric(health, "counter", "fog_ipc.flush_failures") == 2
    assert sum(metric(health, "timing_distribution", "fog_ipc.flush_durations")["values"].values()) == 1


def test_replayed_payload_bytes_survive_the_wire_form() -> None:
    payload = pack_fields(str(uuid.uuid4()), {"c": {"tunnel.rx_bytes": 1}})
    assert from_wire(base64.b64encode(payload).decode()) == payload
