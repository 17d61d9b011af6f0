"""A tiny fleet of real installations (one client of each profile) against one lab, run as a person runs it.

``vpnui-lab fleet`` in a subprocess, on the real apps (offscreen), daemons
and lab: every invariant of the fault runner holds for every client, no
ping is lost, the report comes out, and every ping the lab stored carries
the run's debug tag and, with ``--automation``, the ``automation`` source
tag (read back from the ingestion edge's raw table, which keeps the
headers).  Ctrl-C ends a run and every process of it.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import duckdb
import pytest

from lab.daemon_process import REPO_ROOT, checkout_environment
from lab.installation import wait_until
from lab.leftovers import alive
from mimic_core.paths import HOME_ENV

pytestmark = pytest.mark.chaos

SEED: Final = 1
"""Three clients: an unlucky one (a daemon SIGKILLed twice, a location slowed and down, ingestion down), a mobile
one (a session turned on in the app and left to the daemon after the app quit), a desktop one (two sessions)."""
TAG: Final = "fleet-test-1"


@pytest.fixture
def home() -> Iterator[Path]:
    """The run's folder (short, under /tmp: every client's daemon socket lies under it)."""
    path = Path(tempfile.mkdtemp(prefix="mv-fl-", dir="/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def fleet_command(home: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "lab", "fleet", "--home", str(home), *args]


def fleet_processes(root: Path) -> list[int]:
    """Every running process whose MIMIC_HOME lies under ``root`` (the lab's and the clients')."""
    prefix = f"{HOME_ENV}={root}/".encode()
    found: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if any(item.startswith(prefix) for item in environ) and alive(int(entry.name)):
            found.append(int(entry.name))
    return found


def readable(result: dict[str, Any]) -> str:
    lines = [f"reproduce: {result['reproduce']}"]
    for client in result["client_results"]:
        lines += [f"{client['name']} {v['invariant']}: {v['message']}" for v in client["violations"]]
        if client["error"]:
            lines.append(f"{client['name']} failed: {client['error']}")
    return "\n".join(lines)


@pytest.mark.timeout(240)
def test_a_tiny_fleet_keeps_every_invariant_and_tags_every_ping(home: Path) -> None:
    run = subprocess.run(
        fleet_command(
            home, "--clients", "3", "--seconds", "25", "--seed", str(SEED), "--debug-tag", TAG, "--automation", "--json"
        ),
        capture_output=True,
        text=True,
        env=checkout_environment(),
        cwd=REPO_ROOT,
        timeout=220,
        check=False,
    )
    assert run.returncode in (0, 1), run.stderr[-4000:]
    result = json.loads(run.stdout)
    # The plan summary and a progress line a second went to stderr (stdout is the JSON).
    assert "Plan of seed 1: 3 clients (desktop 1, mobile 1, unlucky 1)" in run.stderr
    assert "running: app slots" in run.stderr
    assert fleet_processes(home) == [], "every process of the run is gone"
    assert result["violations"] == 0, readable(result)
    assert sorted(client["profile"] for client in result["client_results"]) == ["desktop", "mobile", "unlucky"]
    assert all(client["steps"] > 0 and client["pings"] > 0 for client in result["client_results"])
    assert sum(client["kills"] for client in result["client_results"]) >= 1
    assert result["lost"] == {"missing_seq": 0, "not_excused": 0, "glean_reported": 0, "queued_at_end": 0}
    assert result["pings_unattributed"] == 0 and result["pings_other_tags"] == 0
    assert result["ok"] is True and run.returncode == 0
    # The report, over the run's pings (the stable tables leave automation's out).
    report = result["report"]
    assert report["pings"]["daemonsession"] > 0 and report["pings"]["vpnsession"] > 0
    assert report["daemon_sessions"]["total"] > 0
    assert report["daemon_sessions"]["missing_start"] == 0 and report["daemon_sessions"]["missing_end"] == 0
    assert report["inactive_id"]["pings_with_data"] == 0
    # Every submission at the edge carried the run's tags.
    (store,) = home.glob("lab/data/lab/telemetry.duckdb")
    with duckdb.connect(str(store), read_only=True) as db:
        rows = db.execute(
            "SELECT document_namespace, x_debug_id, x_source_tags, COUNT(*) FROM payload_bytes_raw.structured"
            " GROUP BY ALL ORDER BY ALL"
        ).fetchall()
        stable = db.execute("SELECT COUNT(*) FROM mimic_vpn_stable.vpnsession_v1").fetchone()
    assert {namespace for namespace, *_ in rows} == {"mimic-vpn", "mimic-vpn-daemon"}
    assert {(tag, tags) for _, tag, tags, _ in rows} == {(TAG, "automation")}
    assert sum(count for *_, count in rows) == result["pings_at_lab"]
    assert stable == (0,), "automation-tagged pings stay out of the stable tables"


@pytest.mark.timeout(180)
def test_ctrl_c_ends_a_fleet_and_every_process_of_it(home: Path) -> None:
    fleet = subprocess.Popen(
        fleet_command(home, "--clients", "3", "--seconds", "120", "--seed", "4"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=checkout_environment(),
        cwd=REPO_ROOT,
    )
    seen: set[int] = set()
    try:
        # Under way: the lab, apps, and daemons (the apps' and vpnui-ctl's, detached on purpose).
        def under_way() -> bool:
            seen.update(fleet_processes(home))
            return len(fleet_processes(home)) >= 4

        assert wait_until(under_way, 90, 0.2), f"the fleet did not get going: {sorted(seen)}"
        seen.update(fleet_processes(home))
        fleet.send_signal(signal.SIGINT)
        code = fleet.wait(120)
        assert fleet.stderr is not None
        stderr = fleet.stderr.read()
        assert code == 130, stderr[-4000:]
        assert "interrupted; every process of the fleet was stopped" in stderr
        assert [pid for pid in seen if alive(pid)] == []
        assert fleet_processes(home) == []
    finally:
        if fleet.poll() is None:
            fleet.kill()
            fleet.wait()
        if fleet.stderr is not None:
            fleet.stderr.close()
