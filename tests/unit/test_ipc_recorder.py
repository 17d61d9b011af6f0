"""The daemon's recorder of app-owned metrics: exact sums and samples, forbidden operations, sessions, flushing."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from typing import Any, Final

import pytest
from glean.metrics import EventExtras

from daemon.ipc_recorder import (
    AUTOMATION_ENV,
    MAX_OPERATION_BYTES,
    ChildRecorder,
    ForbiddenInChildError,
    in_automation,
)
from mimic_core.glean_definitions import METRICS_FILE
from mimic_core.ipc_payload import (
    MAX_PAYLOAD_BYTES,
    MetricDefinition,
    Payload,
    decode,
    load_definitions,
)
from mimic_core.telemetry_names import INACTIVE_SESSION_ID
from tests.support.yaml_definitions import parse_definitions

SESSION_A: Final = "a1b2c3d4-1111-4111-8111-1111111111aa"
SESSION_B: Final = "b2c3d4e5-2222-4222-8222-2222222222bb"

_COMMON: Final = """
    lifetime: ping
    send_in_pings: [vpnsession]
    bugs: [https://example.invalid/mimic-vpn/issues/15]
    data_reviews: [https://example.invalid/mimic-vpn/data-reviews/1]
    notification_emails: [telemetry@mimic-vpn.example.invalid]
    expires: never
"""

EXTRA_METRICS: Final = "---\n$schema: moz://mozilla.org/schemas/glean/metrics/2-0-0\n\nipc_test:\n" + "".join(
    f"  {name}:\n    type: {kind}\n    description: A metric only the IPC tests define.\n{extra}{_COMMON}"
    for name, kind, extra in [
        ("flag", "boolean", ""),
        ("label_text", "string", ""),
        ("level", "quantity", "    unit: things\n"),
        ("took", "timespan", "    time_unit: millisecond\n"),
        ("tags", "labeled_string", ""),
        ("flags", "labeled_boolean", ""),
        ("levels", "labeled_quantity", "    unit: things\n"),
        ("words", "string_list", ""),
        (
            "sizes",
            "custom_distribution",
            "    range_min: 0\n    range_max: 1000\n    bucket_count: 10\n    histogram_type: linear\n",
        ),
        ("memory", "memory_distribution", "    memory_unit: kilobyte\n"),
        ("byte_memory", "memory_distribution", "    memory_unit: byte\n"),
        ("fine_timing", "timing_distribution", "    time_unit: microsecond\n"),
        (
            "happened",
            "event",
            "    extra_keys:\n      what:\n        description: What happened.\n        type: string\n"
            "      count:\n        description: How often.\n        type: quantity\n",
        ),
    ]
)


@pytest.fixture(scope="module")
def definitions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, MetricDefinition]:
    """``metrics.yaml``'s vpnsession metrics plus the test-only ``ipc_test`` ones (every type the recorder knows)."""
    extra = tmp_path_factory.mktemp("ipc-metrics") / "metrics.yaml"
    extra.write_text(EXTRA_METRICS)
    return parse_definitions([METRICS_FILE, extra])


@pytest.fixture
def recorder(definitions: dict[str, MetricDefinition]) -> ChildRecorder:
    return ChildRecorder(definitions=definitions)


def leave_automation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Neither pytest nor automation visible, as in production: forbidden operations are counted no-ops.

    Called in the test body: pytest sets ``PYTEST_CURRENT_TEST`` again at
    the start of every phase, so a fixture could not remove it for the call.
    """
    monkeypatch.delenv(AUTOMATION_ENV, raising=False)
    monkeypatch.delenv("PYTEST_CURRENT_TEST", raising=False)
    assert not in_automation()


def only(recorder: ChildRecorder) -> Payload:
    payloads = [decode(payload) for payload in recorder.take_payloads()]
    assert len(payloads) == 1, payloads
    return payloads[0]


# -- commutative operations: exact sums and samples ------------------------------------------------


def test_counters_are_summed_exactly(recorder: ChildRecorder) -> None:
    recorder.begin_session(SESSION_A)
    for amount in range(1, 101):
        recorder.tunnel.rx_bytes.add(amount)
    recorder.tunnel.tx_bytes.add()
    recorder.tunnel.stability_changes["unstable"].add(1)
    recorder.tunnel.stability_changes["unstable"].add(2)
    recorder.tunnel.stability_changes["stable"].add(1)
    payload = only(recorder)
    assert payload.session_id == SESSION_A
    assert payload.counters == {"tunnel.rx_bytes": 5050, "tunnel.tx_bytes": 1}
    assert payload.labeled_counters == {"tunnel.stability_changes": {"unstable": 3, "stable": 1}}


def test_counter_adds_follow_glean_rules(recorder: ChildRecorder) -> None:
    counter = recorder.tunnel.rx_bytes
    counter.add(0)  # ignored, as Glean does
    counter.add(-4)  # an invalid_value error at replay, as Glean records it
    counter.add(True)
    recorder.tunnel.stability_changes["stable"].add(-1)
    with pytest.raises(ValueError, match="i32"):
        counter.add(2**31)
    with pytest.raises(TypeError):
        counter.add(1.5)
    with pytest.raises(TypeError):
        counter.add("3")
    payload = only(recorder)
    assert payload.counters == {"tunnel.rx_bytes": 1}
    assert payload.invalid_adds == {"tunnel.rx_bytes": {"": 1}, "tunnel.stability_changes": {"stable": 1}}


def test_a_counter_sum_may_exceed_32_bits_in_the_buffer(recorder: ChildRecorder) -> None:
    for _ in range(3):
        recorder.tunnel.rx_bytes.add(2**31 - 1)
    assert only(recorder).counters == {"tunnel.rx_bytes": 3 * (2**31 - 1)}


def test_timing_samples_are_in_the_metric_unit_and_kept_as_nanoseconds(recorder: ChildRecorder) -> None:
    rtt = recorder.tunnel.keepalive_rtt  # milliseconds
    rtt.accumulate_single_sample(20)
    rtt.accumulate_samples([1, 2, 3])
    rtt.accumulate_raw_samples_nanos([1_234_567, 5])
    recorder.ipc_test.fine_timing.accumulate_single_sample(7)  # microseconds
    recorder.connection.check_duration["internet"].accumulate_samples([35])
    recorder.connection.check_duration["server"].accumulate_raw_samples_nanos([42])
    payload = only(recorder)
    assert payload.timing_samples == {
        "tunnel.keepalive_rtt": [20_000_000, 1_000_000, 2_000_000, 3_000_000, 1_234_567, 5],
        "ipc_test.fine_timing": [7_000],
    }
    assert payload.labeled_timing_samples == {"connection.check_duration": {"internet": [35_000_000], "server": [42]}}


def test_out_of_range_samples_are_clamped_to_64_bits(recorder: ChildRecorder) -> None:
    recorder.tunnel.keepalive_rtt.accumulate_single_sample(2**62)
    recorder.tunnel.keepalive_rtt.accumulate_single_sample(-(2**62))
    assert only(recorder).timing_samples == {"tunnel.keepalive_rtt": [2**63 - 1, -(2**63)]}


def test_timers_measure_on_the_daemon_clock(recorder: ChildRecorder) -> None:
    handshake = recorder.tunnel.handshake_duration
    before = time.monotonic_ns()
    timer = handshake.start()
    time.sleep(0.01)
    handshake.stop_and_accumulate(timer)
    elapsed = time.monotonic_ns() - before
    handshake.stop_and_accumulate(timer)  # already stopped: ignored, as in Glean
    cancelled = handshake.start()
    handshake.cancel(cancelled)
    handshake.stop_and_accumulate(cancelled)
    with handshake.measure():
        pass
    with pytest.raises(RuntimeError), handshake.measure():
        raise RuntimeError("not timed")
    labeled = recorder.connection.check_duration
    started = labeled["firewall"].start()
    labeled["firewall"].stop_and_accumulate(started)
    payload = only(recorder)
    first, second = payload.timing_samples["tunnel.handshake_duration"]
    assert 10_000_000 <= first <= elapsed
    assert 0 <= second < 10_000_000
    assert len(payload.labeled_timing_samples["connection.check_duration"]["firewall"]) == 1


def test_memory_custom_string_list_and_events(recorder: ChildRecorder) -> None:
    class Extra(EventExtras):  # type: ignore[misc]
        def to_ffi_extra(self) -> dict[str, str]:
            return {"what": "up"}

    test = recorder.ipc_test
    test.memory.accumulate(3)
    test.memory.accumulate_samples([4, 5])
    test.byte_memory.accumulate(100)
    test.sizes.accumulate_samples([1, 999])
    test.sizes.accumulate_single_sample(50)
    test.words.add("alpha")
    test.words.add("β" * 300)
    before = time.time_ns() // 1_000_000
    test.happened.record(Extra())
    test.happened.record({"what": "down", "count": 3})
    test.happened.record()
    after = time.time_ns() // 1_000_000
    with pytest.raises(TypeError, match="no extra key"):
        test.happened.record({"unknown": "x"})
    with pytest.raises(TypeError):
        test.happened.record(42)
    payload = only(recorder)
    assert payload.memory_samples == {"ipc_test.memory": [3, 4, 5], "ipc_test.byte_memory": [100]}
    assert payload.custom_samples == {"ipc_test.sizes": [1, 999, 50]}
    assert payload.string_lists == {"ipc_test.words": ["alpha", "β" * 101]}  # cut just above Glean's limit
    assert [(event.metric_id, event.extras) for event in payload.events] == [
        ("ipc_test.happened", {"what": "up"}),
        ("ipc_test.happened", {"what": "down", "count": "3"}),
        ("ipc_test.happened", {}),
    ]
    assert all(before <= event.timestamp_ms <= after for event in payload.events)


def test_only_metrics_of_the_vpnsession_ping_have_handles() -> None:
    recorder = ChildRecorder()
    assert recorder.tunnel.rx_bytes is not None
    with pytest.raises(AttributeError, match="recorded with the daemon's Glean"):
        _ = recorder.tunnel.state_changed  # sent in daemonsession
    with pytest.raises(AttributeError, match="no metric category"):
        _ = recorder.nothing
    assert set(load_definitions()) >= {"tunnel.rx_bytes", "tunnel.keepalive_rtt", "tunnel.stability_changes"}


def test_concurrent_adds_lose_nothing(recorder: ChildRecorder) -> None:
    def work() -> None:
        for _ in range(5_000):
            recorder.tunnel.rx_bytes.add(1)
            recorder.tunnel.keepalive_rtt.accumulate_single_sample(1)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    payloads = [decode(payload) for payload in recorder.take_payloads()]
    assert sum(payload.counters.get("tunnel.rx_bytes", 0) for payload in payloads) == 20_000
    assert sum(len(payload.timing_samples.get("tunnel.keepalive_rtt", [])) for payload in payloads) == 20_000


# -- forbidden operations ---------------------------------------------------------------------------

FORBIDDEN_CALLS: Final[list[tuple[str, str, Any]]] = [
    ("boolean set", "boolean_set", lambda r: r.ipc_test.flag.set(True)),
    ("string set", "string_set", lambda r: r.ipc_test.label_text.set("x")),
    ("quantity set", "quantity_set", lambda r: r.ipc_test.level.set(3)),
    ("uuid set", "uuid_set", lambda r: r.session.shared_session_id.set(uuid.uuid4())),
    ("uuid generate_and_set", "uuid_set", lambda r: r.session.installation_id.generate_and_set()),
    ("datetime set", "datetime_set", lambda r: r.session.app_session_start.set()),
    ("string_list set", "string_list_set", lambda r: r.ipc_test.words.set(["a"])),
    ("timespan start", "timespan", lambda r: r.ipc_test.took.start()),
    ("timespan stop", "timespan", lambda r: r.ipc_test.took.stop()),
    ("timespan cancel", "timespan", lambda r: r.ipc_test.took.cancel()),
    ("timespan set_raw_nanos", "timespan", lambda r: r.ipc_test.took.set_raw_nanos(5)),
    ("labeled string set", "labeled_set", lambda r: r.ipc_test.tags["a"].set("x")),
    ("labeled boolean set", "labeled_set", lambda r: r.ipc_test.flags["a"].set(True)),
    ("labeled quantity set", "labeled_set", lambda r: r.ipc_test.levels["a"].set(1)),
    ("ping submit", "ping_submit", lambda r: r.submit("vpnsession", "end")),
]


@pytest.mark.parametrize(
    ("operation", "call"), [(op, call) for _, op, call in FORBIDDEN_CALLS], ids=[name for name, _, _ in FORBIDDEN_CALLS]
)
def test_forbidden_operations_raise_under_tests(recorder: ChildRecorder, operation: str, call: Any) -> None:
    assert in_automation()
    with pytest.raises(ForbiddenInChildError, match="not allowed in the daemon"):
        call(recorder)
    assert recorder.take_payloads() == []


def test_a_timespan_measure_is_forbidden_too(recorder: ChildRecorder) -> None:
    with pytest.raises(ForbiddenInChildError), recorder.ipc_test.took.measure():
        pass


def test_forbidden_operations_are_counted_no_ops_in_production(
    recorder: ChildRecorder, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    leave_automation(monkeypatch)
    caplog.set_level(logging.ERROR, logger="daemon.ipc_recorder")
    for _, _, call in FORBIDDEN_CALLS:
        call(recorder)
    recorder.session.shared_session_id.set(uuid.uuid4())  # a second time: counted, not logged again
    recorder.tunnel.rx_bytes.add(1)
    payload = only(recorder)
    assert payload.forbidden == {
        "boolean_set": 1,
        "string_set": 1,
        "quantity_set": 1,
        "uuid_set": 3,
        "datetime_set": 1,
        "string_list_set": 1,
        "timespan": 4,
        "labeled_set": 3,
        "ping_submit": 1,
    }
    assert payload.counters == {"tunnel.rx_bytes": 1}
    logged = [record.getMessage() for record in caplog.records if "not allowed in the daemon" in record.getMessage()]
    # Once per metric and operation: the four timespan calls share one.
    assert len(logged) == len(FORBIDDEN_CALLS) - 3
    assert sum("session.shared_session_id" in message for message in logged) == 1


def test_the_automation_variable_decides_over_pytest(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(AUTOMATION_ENV, "0")
    assert not in_automation()
    ChildRecorder().session.shared_session_id.set(uuid.uuid4())  # no raise
    monkeypatch.delenv("PYTEST_CURRENT_TEST", raising=False)
    monkeypatch.setenv(AUTOMATION_ENV, "1")
    assert in_automation()
    with pytest.raises(ForbiddenInChildError):
        ChildRecorder().session.shared_session_id.set(uuid.uuid4())
    monkeypatch.delenv(AUTOMATION_ENV)
    assert not in_automation()
    assert ChildRecorder(automation=True)._automation is True


# -- sessions -----------------------------------------------------------------------------------------


def test_data_is_tagged_with_the_session_it_was_recorded_under(recorder: ChildRecorder) -> None:
    assert recorder.session_id == INACTIVE_SESSION_ID
    recorder.tunnel.rx_bytes.add(1)
    recorder.begin_session(SESSION_A)
    recorder.tunnel.rx_bytes.add(10)
    recorder.begin_session(SESSION_B)
    recorder.tunnel.rx_bytes.add(100)
    recorder.end_session()
    recorder.tunnel.rx_bytes.add(1000)  # the inactive id's buffer again
    recorder.begin_session(SESSION_A)
    recorder.tunnel.rx_bytes.add(20)
    payloads = [decode(payload) for payload in recorder.take_payloads()]
    assert [(payload.session_id, payload.counters["tunnel.rx_bytes"]) for payload in payloads] == [
        (INACTIVE_SESSION_ID, 1001),
        (SESSION_A, 30),
        (SESSION_B, 100),
    ]
    assert recorder.session_id == SESSION_A
    recorder.tunnel.rx_bytes.add(5)
    assert only(recorder).session_id == SESSION_A


def test_a_session_id_must_be_a_canonical_uuid(recorder: ChildRecorder) -> None:
    for bad in ["", "session-1", SESSION_A.upper(), "{" + SESSION_A + "}"]:
        with pytest.raises(ValueError, match="canonical"):
            recorder.begin_session(bad)
    assert recorder.session_id == INACTIVE_SESSION_ID


def test_the_inactive_id_is_the_daemons() -> None:
    assert ChildRecorder().inactive_session_id == INACTIVE_SESSION_ID == str(uuid.UUID(int=0))


# -- flushing -------------------------------------------------------------------------------------------


def test_take_payloads_resets_and_leaves_out_empty_buffers(recorder: ChildRecorder) -> None:
    assert recorder.take_payloads() == []
    recorder.begin_session(SESSION_A)
    recorder.end_session()
    assert recorder.take_payloads() == []
    recorder.tunnel.rx_bytes.add(1)
    assert recorder.pending_operations == 1
    assert len(recorder.take_payloads()) == 1
    assert recorder.pending_operations == 0
    assert recorder.take_payloads() == []


def test_the_watermark_calls_on_full_at_the_configured_count(definitions: dict[str, MetricDefinition]) -> None:
    calls: list[int] = []

    def on_full() -> None:
        calls.append(child.pending_operations)

    child = ChildRecorder(definitions=definitions, watermark=5, on_full=on_full)
    for _ in range(4):
        child.tunnel.rx_bytes.add(1)
    assert calls == []
    child.tunnel.keepalive_rtt.accumulate_single_sample(1)
    assert calls == [5]
    for _ in range(20):
        child.tunnel.rx_bytes.add(1)
    assert calls == [5]  # once until the data is taken
    child.take_payloads()
    for _ in range(5):
        child.tunnel.stability_changes["stable"].add(1)
    assert calls == [5, 5]


def test_on_full_may_take_the_payloads_itself(definitions: dict[str, MetricDefinition]) -> None:
    pushed: list[bytes] = []

    def on_full() -> None:
        pushed.extend(child.take_payloads())

    child = ChildRecorder(definitions=definitions, watermark=3, on_full=on_full)
    for _ in range(7):
        child.tunnel.rx_bytes.add(1)
    assert [decode(payload).counters for payload in pushed] == [{"tunnel.rx_bytes": 3}, {"tunnel.rx_bytes": 3}]
    assert child.pending_operations == 1


def test_a_failing_on_full_does_not_break_recording(
    definitions: dict[str, MetricDefinition], caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> None:
        raise RuntimeError("push failed")

    recorder = ChildRecorder(definitions=definitions, watermark=1, on_full=broken)
    recorder.tunnel.rx_bytes.add(1)
    recorder.tunnel.rx_bytes.add(1)
    assert only(recorder).counters == {"tunnel.rx_bytes": 2}
    assert "on_full callback" in caplog.text


def test_a_buffer_is_closed_before_it_outgrows_one_protocol_line(definitions: dict[str, MetricDefinition]) -> None:
    calls: list[int] = []
    recorder = ChildRecorder(definitions=definitions, watermark=10**9, on_full=lambda: calls.append(1))
    recorder.begin_session(SESSION_A)
    samples = list(range(1, 30_001))
    recorder.tunnel.keepalive_rtt.accumulate_raw_samples_nanos(samples)
    for sample in range(30_001, 40_001):
        recorder.tunnel.keepalive_rtt.accumulate_raw_samples_nanos([sample])
    recorder.tunnel.rx_bytes.add(7)
    assert calls == [1]
    payloads = recorder.take_payloads()
    assert len(payloads) > 1
    assert all(len(payload) <= MAX_PAYLOAD_BYTES for payload in payloads)
    decoded = [decode(payload) for payload in payloads]
    assert all(payload.session_id == SESSION_A for payload in decoded)
    assert [s for payload in decoded for s in payload.timing_samples.get("tunnel.keepalive_rtt", [])] == list(
        range(1, 40_001)
    )
    assert sum(payload.counters.get("tunnel.rx_bytes", 0) for payload in decoded) == 7


def test_untaken_buffers_beyond_the_bound_are_dropped_and_counted(definitions: dict[str, MetricDefinition]) -> None:
    recorder = ChildRecorder(
        definitions=definitions, max_payload_bytes=4 * MAX_OPERATION_BYTES, max_pending_bytes=3 * MAX_OPERATION_BYTES
    )
    for sample in range(20_000):
        recorder.tunnel.keepalive_rtt.accumulate_raw_samples_nanos([sample])
    payloads = [decode(payload) for payload in recorder.take_payloads()]
    assert sum(payload.dropped_buffers for payload in payloads) > 0
    kept = [s for payload in payloads for s in payload.timing_samples.get("tunnel.keepalive_rtt", [])]
    assert kept == sorted(kept) and kept[-1] == 19_999  # the newest are kept


def test_on_idle_hands_over_only_when_something_is_pending(recorder: ChildRecorder) -> None:
    assert recorder.on_idle() == []
    recorder.tunnel.rx_bytes.add(1)
    assert recorder.on_idle(min_operations=2) == []
    recorder.tunnel.rx_bytes.add(1)
    (payload,) = recorder.on_idle(min_operations=2)
    assert decode(payload).counters == {"tunnel.rx_bytes": 2}


def test_long_extra_values_are_cut_just_above_glean_limit(recorder: ChildRecorder) -> None:
    """Glean still sees a value over its 500-byte limit (and records the overflow), yet the buffer stays small."""
    recorder.ipc_test.happened.record({"what": "é" * 5000})
    assert len(only(recorder).events[0].extras["what"]) == 501


def test_one_record_call_is_cheap(recorder: ChildRecorder) -> None:
    """A loose bound, so that a regression to something slow (encoding per call) fails here."""
    add = recorder.tunnel.rx_bytes.add
    started = time.perf_counter()
    for _ in range(20_000):
        add(1)
    per_call = (time.perf_counter() - started) / 20_000
    assert per_call < 50e-6
