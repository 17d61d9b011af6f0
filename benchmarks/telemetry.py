"""Telemetry: what a Glean record call costs in the app, and how long a ping takes to reach ingestion.

Measured in the real app (a process of its own, with the Glean the app
starts itself, uploading to the lab's ingestion endpoint), on the app's UI
thread:

- one record call, timed alone with ``perf_counter_ns``: a counter add, a
  timing-distribution sample and a labeled-counter add, on the app's own
  metrics (Glean queues the work for its own thread; this is what the caller
  pays);
- a ``vpnsession`` ping from ``GleanRuntime.submit`` to stored by the lab
  (the lab's own ``received_at`` stamp against the wall clock at submit, one
  ping at a time; a few are timed: the burst figures are
  ``benchmarks.burst_delivery``'s).

No targets: these figures are reported.
"""

from __future__ import annotations

from typing import Final

from benchmarks.report import Figure, Spec, numbers_of
from benchmarks.settings import RunSettings
from benchmarks.stats import summarize
from benchmarks.world import BenchError, Child, private_world

DRIVER_TIMEOUT_S: Final = 120.0
CALLS: Final = {
    "counter_add": "counter add (tunnel.rx_bytes)",
    "timing_sample": "timing sample (tunnel.keepalive_rtt)",
    "labeled_counter_add": "labeled counter add (connection.failures)",
}

RECORD_SPECS: Final = tuple(
    Spec(
        key=f"telemetry_{call}",
        title=f"Glean record call: {label}",
        unit="µs",
        target="reported",
        definition=f"one {label} in the app's process, on its UI thread, with the app's running Glean",
    )
    for call, label in CALLS.items()
)
SUBMIT_SPEC: Final = Spec(
    key="telemetry_submit_to_stored",
    title="Glean ping: submit to stored at ingestion",
    unit="ms",
    target="reported",
    definition=(
        "GleanRuntime.submit('vpnsession', 'timer') in the app to the lab's received_at for that ping "
        "(in-process uploader thread, loopback ingestion)"
    ),
)
SPECS: Final = (*RECORD_SPECS, SUBMIT_SPEC)


def run(settings: RunSettings) -> list[Figure]:
    records: dict[str, list[float]] = {}
    stored: list[float] = []
    seen: list[float] = []
    with private_world() as world:
        driver = Child(
            [
                "-m",
                "benchmarks.app_driver",
                "--lab-url",
                world.lab_url,
                "telemetry",
                "--records",
                str(settings.telemetry_records),
                "--submits",
                str(settings.telemetry_submits),
            ],
            world,
            "telemetry-driver",
        )
        try:
            driver.expect("ready", DRIVER_TIMEOUT_S)
            while True:
                event = driver.read_event(DRIVER_TIMEOUT_S)
                if event["event"] == "record":
                    records[str(event["call"])] = [ns / 1000 for ns in event["ns"]]
                elif event["event"] == "submit":
                    stored.append(float(event["stored_s"]) * 1000)
                    seen.append(float(event["seen_s"]) * 1000)
                elif event["event"] == "done":
                    upload = event.get("upload")
                    break
        finally:
            driver.stop()
    if not stored:
        raise BenchError("no ping was timed")
    figures = [
        figure_spec.figure(numbers_of(summarize(records[call]), 2), "reported")
        for call, figure_spec in zip(CALLS, RECORD_SPECS, strict=True)
    ]
    figures.append(
        SUBMIT_SPEC.figure(
            numbers_of(summarize(stored), 1),
            "reported",
            details={"seen_by_polling_ms": numbers_of(summarize(seen), 1), "upload_stats": upload},
        )
    )
    return figures
