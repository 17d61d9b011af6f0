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
import secrets
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
from lab.daemon_process import REPO_ROOT
from lab.desktop_bus import DBusDaemonMissing, ensure_dbus_daemon
from lab.leftovers import command_line, end_pids, processes_marked
from mimic_vpn_testing.leftover_processes import RUN_ENV

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
STOP_TIMEOUT_S = 60


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
@pytest.mark.timeout(RUN_TIMEOUT_S + STOP_TIMEOUT_S + 30)
def test_quick_run_writes_every_figure_with_numbers(tmp_path: Path) -> None:
    try:
        ensure_dbus_daemon()  # the idle and cold-start figures are measured with the tray
    except DBusDaemonMissing as exc:
        pytest.skip(str(exc))
    # The harness's processes carry a tag of this test: whatever happens to the
    # harness (a timeout included), none of them outlives the test.
    tag = f"benchmarks-smoke-{secrets.token_hex(4)}"
    environment = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    environment[RUN_ENV] = ",".join(filter(None, [os.environ.get(RUN_ENV), tag]))
    harness = subprocess.Popen(
        [sys.executable, "-m", "benchmarks", "--quick", "--iterations", "1", "--out", str(tmp_path)],
        cwd=REPO_ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _, stderr = harness.communicate(timeout=RUN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        harness.terminate()  # the harness ends its worlds on SIGTERM
        _, stderr = harness.communicate(timeout=STOP_TIMEOUT_S)
        pytest.fail(f"the quick run took over {RUN_TIMEOUT_S} s; its stderr ends with:\n{stderr[-6000:]}")
    finally:
        if harness.poll() is None:
            harness.kill()
            harness.communicate()
        left = {pid: command_line(pid) for pid in processes_marked(RUN_ENV, tag)}
        end_pids(list(left))
    assert harness.returncode == 0, stderr[-6000:]
    assert left == {}, "the harness left processes running"

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
