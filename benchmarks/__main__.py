"""``python -m benchmarks [--quick] [--iterations N] [--out DIR] [--only NAME,...]``.

Runs every benchmark one after the other (never two at once: on a small
machine they would measure each other), writes ``results.json`` and
``results.md`` into ``--out`` (default ``benchmarks/results``) and prints
the table.  A benchmark that fails is recorded as an error for each of its
figures and the run goes on, so one broken benchmark never hides the
others; the exit code is 1 if any did.  Missed targets are results, not
errors: the exit code stays 0.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Final

# Every Qt process a benchmark starts renders offscreen.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# And none reaches the desktop of the person running the benchmarks (a tray
# icon, notifications): the figures measured with a tray get a private one
# (benchmarks/desktop_session.py), the others no session bus at all.
# DISPLAY goes too: without the bus address, D-Bus clients look for the X
# session's bus through it.
os.environ.pop("DBUS_SESSION_BUS_ADDRESS", None)
os.environ.pop("DISPLAY", None)

from benchmarks import (
    activation,
    burst_delivery,
    cold_start,
    daemon_rtt,
    diagnosis,
    failover,
    growth,
    idle,
    ipc_figures,
    malformed,
    pipeline,
    telemetry,
)
from benchmarks.report import Figure, Spec, counts, machine_info, write_results
from benchmarks.settings import DEFAULT_ITERATIONS, RunSettings
from benchmarks.world import homes_used

DEFAULT_OUT: Final = Path(__file__).resolve().parent / "results"
REPO_ROOT: Final = Path(__file__).resolve().parent.parent
PRODUCT_DIRS: Final = ("vpnui", "daemon", "lab", "qml", "resources")

Benchmark = tuple[str, Callable[[RunSettings], list[Figure]], tuple[Spec, ...]]
BENCHMARKS: Final[tuple[Benchmark, ...]] = (
    ("activation", activation.run, activation.SPECS),
    ("diagnosis", diagnosis.run, diagnosis.SPECS),
    ("failover", failover.run, failover.SPECS),
    ("cold_start", cold_start.run, cold_start.SPECS),
    ("daemon_rtt", daemon_rtt.run, daemon_rtt.SPECS),
    ("idle", idle.run, idle.SPECS),
    ("growth", growth.run, growth.SPECS),
    ("telemetry", telemetry.run, telemetry.SPECS),
    ("malformed", malformed.run, malformed.SPECS),
    ("burst_delivery", burst_delivery.run, burst_delivery.SPECS),
    ("pipeline", pipeline.run, pipeline.SPECS),
    # Last: it runs Glean inside this process.
    ("ipc", ipc_figures.run, (ipc_figures.SPEC,)),
)
NAMES: Final = tuple(name for name, _, _ in BENCHMARKS)


def product_files() -> dict[str, float]:
    """Modification time of every product source file: figures only describe the code they ran."""
    found: dict[str, float] = {}
    for directory in PRODUCT_DIRS:
        for path in (REPO_ROOT / directory).rglob("*"):
            if (
                path.is_file()
                and path.suffix in (".py", ".qml", ".yaml", ".json", ".js")
                and "__pycache__" not in path.parts
            ):
                found[str(path.relative_to(REPO_ROOT))] = path.stat().st_mtime
    return found


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description="Measure Mimic VPN's figures.")
    parser.add_argument(
        "--quick", action="store_true", help="a short idle window and one warm-up run (for the smoke test)"
    )
    parser.add_argument(
        "--iterations",
        type=int,
        default=DEFAULT_ITERATIONS,
        metavar="N",
        help="scales every benchmark's sample count (default: %(default)s)",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, metavar="DIR", help="where to write the results")
    parser.add_argument(
        "--only",
        type=lambda text: [name.strip() for name in text.split(",") if name.strip()],
        default=list(NAMES),
        metavar="NAME,...",
        help=f"run only these benchmarks ({', '.join(NAMES)})",
    )
    args = parser.parse_args(argv)
    if args.iterations < 1:
        parser.error("--iterations must be at least 1")
    unknown = sorted(set(args.only) - set(NAMES))
    if unknown:
        parser.error(f"unknown benchmarks: {', '.join(unknown)}; known: {', '.join(NAMES)}")
    return args


def _exit_on_sigterm(signum: int, _frame: object) -> None:
    # As SystemExit, so every world being measured is left through its
    # ``finally``: its lab, daemon and app processes are ended, not orphaned.
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    args = parse_args(argv)
    settings = RunSettings(iterations=args.iterations, quick=args.quick)
    machine = machine_info()
    before = product_files()
    started = time.monotonic()
    figures: list[Figure] = []
    errors = 0
    for name, run, specs in BENCHMARKS:
        if name not in args.only:
            continue
        log(f"{name} ...")
        began = time.monotonic()
        try:
            produced = run(settings)
        except Exception as exc:
            errors += 1
            message = f"{type(exc).__name__}: {exc}"
            log(f"{name} failed: {message}\n{traceback.format_exc()}")
            produced = [spec.failed(message) for spec in specs]
        for figure in produced:
            figure.details.setdefault("benchmark_s", round(time.monotonic() - began, 1))
        figures += produced
        log(f"{name} done in {time.monotonic() - began:.0f} s")
    changed = sorted(name for name, mtime in product_files().items() if before.get(name) != mtime)
    run_info = {
        "quick": settings.quick,
        "iterations": settings.iterations,
        "benchmarks": [name for name in NAMES if name in args.only],
        "duration_s": round(time.monotonic() - started, 1),
        "command": " ".join(["python -m benchmarks", *(sys.argv[1:] if argv is None else argv)]),
        "homes": list(homes_used),
        "product_changed_during_run": changed,
    }
    if changed:
        log(f"product files changed during the run: {', '.join(changed)}")
    json_path, md_path = write_results(args.out, figures, machine, run_info)
    print(md_path.read_text(encoding="utf-8"))
    log(f"results: {json_path} and {md_path}; {counts(figures)}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
