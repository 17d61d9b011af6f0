"""The telemetry pipeline's report: its time over a million pings on DuckDB beside the Python report it replaced.

The store is a DuckDB file filled with copies of the recorded real pings
(``tests/data/recorded_pings_seed146.json``, 19 pings) with fresh ids and
times (:mod:`benchmarks.ping_copies`): copy 0 through the lab's decoder and
writer, the rest made in bulk by SQL.  Timed: ``report_from_db`` on a fresh
connection to that file, every file of ``lab/sql/`` run.  The reference is
the Python report of the commit before the pipeline
(:mod:`benchmarks.legacy_report`) over the same copies at two smaller sizes,
scaled linearly to the store's size (the two sizes show how it grows).
A quick run uses 20,000 pings.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any, Final

import duckdb

from benchmarks import legacy_report, ping_copies
from benchmarks.report import Figure, Reference, Spec, ratio, verdict
from benchmarks.settings import RunSettings
from lab.session_report import report_from_db

TARGET_S: Final = 10.0
TARGET_SPEEDUP: Final = 20.0
FULL_PINGS: Final = 1_000_000
QUICK_PINGS: Final = 20_000
LEGACY_SIZES: Final = {False: (50_000, 100_000), True: (2_000, 5_000)}

REPORT_SPEC: Final = Spec(
    key="pipeline_report_1m",
    title="Session report (SQL on DuckDB) over 1 million pings",
    unit="s",
    target=f"≤ {TARGET_S:.0f} s and ≥ {TARGET_SPEEDUP:.0f}x faster than the Python report",
    definition=(
        "report_from_db on a DuckDB store file holding 1,000,008 stable pings (20,007 in a quick run), copies of "
        "the 19 recorded real pings with fresh ids and dates; reference: the Python report of the commit before "
        "the pipeline over the same copies at 100,000 and 50,000 pings, scaled linearly to the store's size"
    ),
    shown=("value",),
)
SPECS: Final = (REPORT_SPEC,)


def _legacy_seconds(sizes: tuple[int, ...]) -> dict[int, float] | None:
    with legacy_report.scratch_dir() as scratch:
        build = legacy_report.load(Path(scratch))
        if build is None:
            return None
        seconds: dict[int, float] = {}
        for size in sizes:
            pings = list(ping_copies.stored_pings(size))
            began = time.perf_counter()
            build(pings)
            seconds[len(pings)] = time.perf_counter() - began
        return seconds


def _report(settings: RunSettings) -> Figure:
    wanted = QUICK_PINGS if settings.quick else FULL_PINGS
    with tempfile.TemporaryDirectory(prefix="mimic-pipeline-bench-") as folder:
        path = Path(folder) / "pipeline.duckdb"
        began = time.monotonic()
        pings = ping_copies.store_with(wanted, path)
        generated_s = time.monotonic() - began
        db = duckdb.connect(str(path))
        try:
            db.execute("SET TimeZone = 'UTC'").fetchall()
            began = time.perf_counter()
            report = report_from_db(db)
            seconds = time.perf_counter() - began
        finally:
            db.close()
        store_mb = path.stat().st_size / 1e6
    legacy = _legacy_seconds(LEGACY_SIZES[settings.quick])
    details: dict[str, Any] = {
        "stable_pings": pings,
        "sessions": report.session_counts.total,
        "generation_s": round(generated_s, 1),
        "store_mb": round(store_mb, 1),
    }
    if legacy is None:
        details["reference"] = "reference unavailable (not a git checkout)"
        return REPORT_SPEC.figure({"value": round(seconds, 2)}, verdict(seconds <= TARGET_S), details=details)
    details["python_report_s"] = {str(size): round(value, 3) for size, value in legacy.items()}
    largest = max(legacy)
    scaled = legacy[largest] * pings / largest
    speedup = scaled / seconds if seconds > 0 else 0.0
    details["speedup"] = round(speedup, 2)
    return REPORT_SPEC.figure(
        {"value": round(seconds, 2)},
        verdict(seconds <= TARGET_S and speedup >= TARGET_SPEEDUP),
        reference=Reference(f"Python report, {largest:,} pings scaled to {pings:,}", {"value": round(scaled, 2)}),
        ratio=ratio(seconds, scaled),
        details=details,
    )


def run(settings: RunSettings) -> list[Figure]:
    return [_report(settings)]
