"""The figures of ``benchmarks.ipc`` (recording the app's metrics in the daemon), in this run's results.

``benchmarks.ipc`` is a self-contained benchmark with its own command line;
this module imports it, calls its ``run(iterations)`` and turns what it
returns into rows of the results table.  Without that module the run says
so (a ``missing`` row) instead of failing, and if its output has another
shape its numbers are still kept, flattened into one row.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any, Final

from benchmarks.report import Figure, Numbers, Reference, Spec, ratio
from benchmarks.settings import RunSettings
from benchmarks.world import private_world

MODULE: Final = "benchmarks.ipc"
SPEC: Final = Spec(
    key="ipc",
    title="Daemon-side metric recording (benchmarks.ipc)",
    unit="",
    target="reported",
    definition="benchmarks.ipc: the daemon's child recorder beside direct Glean calls (see that module)",
    shown=(),
)
CALL_TITLES: Final = {
    "counter_add": "counter add",
    "timing_sample": "timing sample",
    "labeled_counter_add": "labeled counter add",
}


def _flatten(data: Mapping[str, Any], prefix: str = "") -> Numbers:
    found: Numbers = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, bool):
            continue
        if isinstance(value, int | float):
            found[name] = value
        elif isinstance(value, Mapping):
            found.update(_flatten(value, f"{name}."))
    return found


def _record_call_figures(data: Mapping[str, Any]) -> list[Figure]:
    figures: list[Figure] = []
    for call, title in CALL_TITLES.items():
        entry = data["record_call"][call]
        child = {"median": entry["child_recorder"]["median_ns"] / 1000, "p95": entry["child_recorder"]["p95_ns"] / 1000}
        direct = {"median": entry["direct_glean"]["median_ns"] / 1000, "p95": entry["direct_glean"]["p95_ns"] / 1000}
        spec = Spec(
            key=f"ipc_record_{call}",
            title=f"Daemon child recorder: {title}",
            unit="µs",
            target="reported",
            definition=f"one {title} through the daemon's ChildRecorder (benchmarks.ipc); reference: the same call "
            "on the app's Glean",
        )
        figures.append(
            spec.figure(
                {key: round(value, 3) for key, value in child.items()},
                "reported",
                reference=Reference("direct Glean call", {key: round(value, 3) for key, value in direct.items()}),
                ratio=ratio(child["median"], direct["median"]),
                details={"bytes_per_operation": data.get("payload_bytes", {}).get(call, {}).get("bytes_per_operation")},
            )
        )
    flush = data["flush_and_replay"]
    spec = Spec(
        key="ipc_flush_and_replay",
        title=f"Daemon metrics: record, flush and replay {flush['operations']} operations",
        unit="ms",
        target="reported",
        definition="record in the daemon's ChildRecorder, flush, replay in the app until Glean applied everything "
        "(benchmarks.ipc); reference: the same operations recorded directly in Glean until applied",
        shown=("value",),
    )
    figures.append(
        spec.figure(
            {"value": round(flush["child_total_s"] * 1000, 2)},
            "reported",
            reference=Reference("direct Glean", {"value": round(flush["direct_glean_until_applied_s"] * 1000, 2)}),
            ratio=ratio(flush["child_total_s"], flush["direct_glean_until_applied_s"]),
            details=dict(flush),
        )
    )
    return figures


def run(settings: RunSettings) -> list[Figure]:
    try:
        module = importlib.import_module(MODULE)
    except ModuleNotFoundError as exc:
        if exc.name != MODULE:
            raise
        missing = SPEC.figure({}, "missing")
        missing.error = f"{MODULE} is not there, so its figures are not in this run"
        return [missing]
    with private_world(lab_args=None, daemon=False):
        data: dict[str, Any] = module.run(settings.ipc_iterations)
    try:
        figures = _record_call_figures(data)
    except (KeyError, TypeError, ZeroDivisionError):
        figures = [SPEC.figure(_flatten(data), "reported", details={"raw": data})]
    for figure in figures:
        figure.details.setdefault("iterations", settings.ipc_iterations)
    return figures
