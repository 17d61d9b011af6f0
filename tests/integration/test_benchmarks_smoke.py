"""The benchmark harness runs end to end and writes every figure.

One quick pass (one iteration, a short idle window) of ``python -m
benchmarks`` against the real app, daemon and lab: the numbers themselves
are not judged here (they depend on the machine), only that every figure
was measured, carries numbers and a verdict, and that nothing the harness
started is left running.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from benchmarks import (
    activation,
    burst_delivery,
    cold_start,
    daemon_rtt,
    diagnosis,
    failover,
    growth,
    idle,
    malformed,
    pipeline,
    telemetry,
)
from benchmarks.ipc_figures import MODULE as IPC_MODULE
from benchmarks.world import HOME_PREFIX
from lab.lab_process import REPO_ROOT

EXPECTED = [
    spec.key
    for module in (
        activation,
        diagnosis,
        failover,
        cold_start,
        daemon_rtt,
        idle,
        growth,
        telemetry,
        malformed,
        burst_delivery,
        pipeline,
    )
    for spec in module.SPECS
]
RUN_TIMEOUT_S = 240


def processes_in(homes: list[str]) -> list[str]:
    """Command lines of the processes living in any of ``homes``."""
    markers = {f"MIMIC_HOME={home}".encode() for home in homes}
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if markers & set(environ.split(b"\0")):
            words = command.replace(b"\0", b" ").decode(errors="replace")
            found.append(f"{entry.name}: {words}")
    return found


@pytest.mark.slow
@pytest.mark.timeout(RUN_TIMEOUT_S + 30)
def test_quick_run_writes_every_figure_with_numbers(tmp_path: Path) -> None:
    environment = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--iterations", "1", "--out", str(tmp_path)],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-6000:]

    results: dict[str, Any] = json.loads((tmp_path / "results.json").read_text())
    figures = {figure["key"]: figure for figure in results["figures"]}
    assert set(EXPECTED) <= set(figures), f"missing figures: {sorted(set(EXPECTED) - set(figures))}"
    for key in EXPECTED:
        figure = figures[key]
        assert figure["status"] in ("pass", "fail", "reported"), (key, figure.get("error"))
        assert figure["numbers"], key
        assert all(isinstance(value, int | float) for value in figure["numbers"].values()), key
        if figure["reference"] is not None:
            assert figure["reference"]["numbers"], key
    ipc = [figure for key, figure in figures.items() if key.startswith("ipc")]
    assert ipc, f"no row for {IPC_MODULE}"
    assert all(figure["status"] in ("reported", "missing") for figure in ipc), ipc
    assert all(figure["numbers"] for figure in ipc if figure["status"] == "reported"), ipc

    machine = results["machine"]
    assert machine["cpu_count"] >= 1 and machine["python"] and machine["pyside6"] and machine["date"]
    table = (tmp_path / "results.md").read_text()
    assert "| Figure |" in table
    assert all(figure["title"] in table for figure in results["figures"])
    homes = results["run"]["homes"]
    assert homes and all(Path(home).name.startswith(HOME_PREFIX) for home in homes)
    assert processes_in(homes) == [], "the harness left processes running"
    assert not any(Path(home).exists() for home in homes), "the harness left its homes behind"
