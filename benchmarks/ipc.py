"""What recording the app's metrics in the daemon costs, beside the same work done with direct Glean calls.

The daemon records ``vpnsession`` metrics through ``ChildRecorder``
(``daemon/ipc_recorder.py``) and the app replays the buffers
(``vpnui/ipc_replay.py``).  The figures that matter for that design:

* **the cost of one record call** on the daemon's hot path (a counter add,
  a timing sample), median and p95, measured in batches of
  ``BATCH`` calls (a single call is too short for the clock), beside the
  same call on the app's own Glean metric (which queues the operation for
  Glean's thread);
* **buffer bytes per operation**: what the daemon ships per recorded call,
  for counters (summed, so nearly nothing), timing samples (raw
  nanoseconds) and a mixed keepalive workload;
* **flush + replay** of ``iterations`` operations: encode in the daemon,
  decode and replay in the app until Glean has applied everything, beside
  recording the same operations directly in Glean until applied.

Glean runs for real (``GleanRuntime``, its own temporary data directory, a
loopback endpoint that is never used because nothing is submitted).
Run: ``python -m benchmarks.ipc [iterations]``; prints JSON.
"""

from __future__ import annotations

import asyncio
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

from daemon.ipc_recorder import ChildRecorder
from mimic_core.glean_runtime import GleanRuntime
from mimic_core.telemetry_names import APP_PING
from vpnui.ipc_replay import IpcParent

DEFAULT_ITERATIONS: Final = 100_000
BATCH: Final = 100
"""Calls per timed batch: the per-call figure is the batch's time divided by this."""
UNUSED_ENDPOINT: Final = "http://127.0.0.1:9"
"""Loopback; nothing is submitted, so nothing is ever sent there."""


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _per_call_ns(call: Callable[[], object], calls: int) -> dict[str, float]:
    """Median and p95 of the per-call time over batches of ``BATCH`` calls, in nanoseconds."""
    for _ in range(BATCH * 10):  # warm-up
        call()
    per_call: list[float] = []
    clock = time.perf_counter_ns
    for _ in range(max(1, calls // BATCH)):
        started = clock()
        for _ in range(BATCH):
            call()
        per_call.append((clock() - started) / BATCH)
    return {
        "median_ns": round(statistics.median(per_call), 1),
        "p95_ns": round(_percentile(per_call, 0.95), 1),
    }


def _drain(runtime: GleanRuntime) -> None:
    """Wait until Glean's thread has applied every queued operation (test getters block on it)."""
    runtime.metrics.tunnel.rx_bytes.test_get_value(APP_PING)


def _rtt_samples_ms(count: int) -> list[int]:
    generator = random.Random(7)
    return [generator.randint(5, 200) for _ in range(count)]


def _keepalive_round(metrics: Any, rtt_ms: int, index: int) -> None:
    """What the daemon records per keepalive: an RTT sample, bytes both ways, now and then a stability change."""
    metrics.tunnel.keepalive_rtt.accumulate_single_sample(rtt_ms)
    metrics.tunnel.rx_bytes.add(1400)
    metrics.tunnel.tx_bytes.add(96)
    if index % 50 == 0:
        metrics.tunnel.stability_changes["unstable" if index % 100 else "stable"].add(1)


def _bytes_per_operation(workload: Callable[[ChildRecorder], int]) -> dict[str, float]:
    recorder = ChildRecorder(watermark=10**9)
    recorder.begin_session(str(uuid.uuid4()))
    operations = workload(recorder)
    payloads = recorder.take_payloads()
    total = sum(len(payload) for payload in payloads)
    return {
        "operations": operations,
        "buffers": len(payloads),
        "bytes": total,
        "bytes_per_operation": round(total / operations, 3),
    }


def run(iterations: int = DEFAULT_ITERATIONS) -> dict[str, Any]:
    """The figures described in the module docstring, for ``iterations`` operations per measurement."""
    data_dir = Path(tempfile.mkdtemp(prefix="mimic-bench-ipc-"))
    runtime = GleanRuntime.start("app", data_dir / "glean", UNUSED_ENDPOINT, True, "0.1.0")
    try:
        return _measure(runtime, iterations)
    finally:
        runtime.shutdown(10.0)
        shutil.rmtree(data_dir, ignore_errors=True)


def _measure(runtime: GleanRuntime, iterations: int) -> dict[str, Any]:
    glean_metrics = runtime.metrics
    session_id = str(uuid.uuid4())
    recorder = ChildRecorder(watermark=10**9)
    recorder.begin_session(session_id)
    samples = _rtt_samples_ms(iterations)

    # -- one record call --------------------------------------------------------
    calls = min(iterations, 20_000)
    record_call = {
        "counter_add": {
            "child_recorder": _per_call_ns(lambda: recorder.tunnel.rx_bytes.add(1), calls),
            "direct_glean": _per_call_ns(lambda: glean_metrics.tunnel.rx_bytes.add(1), calls),
        },
        "timing_sample": {
            "child_recorder": _per_call_ns(lambda: recorder.tunnel.keepalive_rtt.accumulate_single_sample(20), calls),
            "direct_glean": _per_call_ns(
                lambda: glean_metrics.tunnel.keepalive_rtt.accumulate_single_sample(20), calls
            ),
        },
        "labeled_counter_add": {
            "child_recorder": _per_call_ns(lambda: recorder.tunnel.stability_changes["stable"].add(1), calls),
            "direct_glean": _per_call_ns(lambda: glean_metrics.tunnel.stability_changes["stable"].add(1), calls),
        },
    }
    recorder.take_payloads()
    _drain(runtime)

    # -- bytes per operation ------------------------------------------------------
    def counters(child: ChildRecorder) -> int:
        for _ in range(iterations):
            child.tunnel.rx_bytes.add(1400)
        return iterations

    def timing(child: ChildRecorder) -> int:
        for rtt in samples:
            child.tunnel.keepalive_rtt.accumulate_single_sample(rtt)
        return iterations

    def keepalives(child: ChildRecorder) -> int:
        rounds = iterations // 3
        for index in range(rounds):
            _keepalive_round(child, samples[index], index)
        return rounds * 3 + rounds // 50

    payload_bytes = {
        "counter_add": _bytes_per_operation(counters),
        "timing_sample": _bytes_per_operation(timing),
        "keepalive_mix": _bytes_per_operation(keepalives),
    }

    # -- flush + replay of `iterations` operations, beside direct Glean ---------------------------
    rounds = iterations // 3
    operations = rounds * 3 + rounds // 50
    started = time.perf_counter()
    for index in range(rounds):
        _keepalive_round(recorder, samples[index], index)
    child_record_s = time.perf_counter() - started

    parent = IpcParent()

    async def request_flush() -> list[bytes]:
        return recorder.take_payloads()

    started = time.perf_counter()
    result = asyncio.run(parent.flush_all_children(request_flush, session_id, 30.0))
    flushed_s = time.perf_counter() - started
    _drain(runtime)
    flush_applied_s = time.perf_counter() - started
    if not result.ok or any(not outcome.replayed for outcome in result.outcomes):
        raise RuntimeError(f"the flush failed: {result}")

    started = time.perf_counter()
    for index in range(rounds):
        _keepalive_round(glean_metrics, samples[index], index)
    direct_record_s = time.perf_counter() - started
    _drain(runtime)
    direct_applied_s = time.perf_counter() - started

    return {
        "iterations": iterations,
        "batch": BATCH,
        "record_call": record_call,
        "payload_bytes": payload_bytes,
        "flush_and_replay": {
            "operations": operations,
            "buffers": len(result.outcomes),
            "bytes": sum(outcome.size for outcome in result.outcomes),
            "child_record_s": round(child_record_s, 4),
            "flush_replay_call_s": round(flushed_s, 4),
            "flush_replay_until_applied_s": round(flush_applied_s, 4),
            "child_total_s": round(child_record_s + flush_applied_s, 4),
            "direct_glean_record_s": round(direct_record_s, 4),
            "direct_glean_until_applied_s": round(direct_applied_s, 4),
        },
    }


def main(argv: list[str] | None = None) -> None:
    arguments = sys.argv[1:] if argv is None else argv
    iterations = int(arguments[0]) if arguments else DEFAULT_ITERATIONS
    print(json.dumps(run(iterations), indent=2))


if __name__ == "__main__":
    main()
