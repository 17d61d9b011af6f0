"""``vpnui-lab`` as a user runs it: ``serve`` in one process, commands from another."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from lab.daemon_process import checkout_environment
from lab.lab_process import LabProcess
from lab.pipeline.store import load_pings
from mimic_core.lab_state import read_state
from mimic_core.network_conditions import Conditions
from mimic_core.paths import locations
from mimic_core.telemetry_names import INACTIVE_SESSION_ID
from tests.support.edge_uploads import copy_of_recording, upload_ping
from tests.support.recorded_run import FIRST_SESSION, SECOND_SESSION, recorded_pings


def vpnui_lab(*args: str, timeout: float = 15.0) -> subprocess.CompletedProcess[str]:
    """``python -m lab ARGS`` in this test's MIMIC_HOME."""
    env = checkout_environment()
    return subprocess.run(
        [sys.executable, "-m", "lab", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )


def test_serve_announces_itself_in_the_state_file(lab: LabProcess, mimic_home: Path) -> None:
    assert lab.state_file == locations().lab_state
    assert lab.state_file.is_relative_to(mimic_home)
    state = read_state(lab.state_file)
    assert state is not None
    assert (state.event, state.url, state.pid) == ("ready", lab.url, lab.pid)
    assert json.loads(lab.state_file.read_text()) == {"event": "ready", "url": lab.url, "pid": lab.pid}
    assert lab.state_file.stat().st_mode & 0o077 == 0
    assert lab.state_file.parent.stat().st_mode & 0o777 == 0o700
    assert lab.db.is_file()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_the_lab_in_order(mimic_home: Path, signum: signal.Signals) -> None:
    with LabProcess() as process:
        assert process.state_file.exists()
        os.kill(process.pid, signum)
        assert process.wait() == 0
        assert not process.state_file.exists()
        assert "Traceback" not in process.stderr


def test_set_show_reset_through_the_command_line(lab: LabProcess) -> None:
    changed = vpnui_lab("set", "internet=down", "server.de-ber-wg-001.latency_ms=50", "subscription=expired")
    assert changed.returncode == 0, changed.stderr
    assert json.loads(changed.stdout)["internet"] is False

    shown = vpnui_lab("show")
    assert shown.returncode == 0, shown.stderr
    conditions = json.loads(shown.stdout)
    assert conditions["internet"] is False
    assert conditions["subscription"] == "expired"
    assert conditions["servers"]["de-ber-wg-001"]["latency_ms"] == 50
    assert lab.control.conditions().server("de-ber-wg-001").latency_ms == 50

    wildcard = vpnui_lab("set", "server.*.loss=0.3")
    assert wildcard.returncode == 0, wildcard.stderr
    assert len(lab.control.conditions().servers) == len(lab.control.servers().servers())

    reset = vpnui_lab("reset")
    assert reset.returncode == 0, reset.stderr
    assert lab.control.conditions() == Conditions()


def test_servers_and_pings_through_the_command_line(lab: LabProcess) -> None:
    servers = vpnui_lab("servers")
    assert servers.returncode == 0, servers.stderr
    assert "de-ber-wg-001" in servers.stdout
    pings = vpnui_lab("pings", "--ping", "vpnsession", "--json")
    assert pings.returncode == 0, pings.stderr
    assert json.loads(pings.stdout) == []


def test_invalid_assignments_are_explained(lab: LabProcess) -> None:
    bad_value = vpnui_lab("set", "internet=sideways")
    assert bad_value.returncode == 1
    assert "internet must be one of" in bad_value.stderr
    unknown_server = vpnui_lab("set", "server.xx-nowhere-001.down=true")
    assert unknown_server.returncode == 1
    assert "unknown server 'xx-nowhere-001'" in unknown_server.stderr
    assert lab.control.conditions() == Conditions()


def test_stop_through_the_command_line(lab: LabProcess) -> None:
    stopped = vpnui_lab("stop")
    assert stopped.returncode == 0, stopped.stderr
    assert lab.wait() == 0
    assert not lab.state_file.exists()


def test_commands_say_when_no_lab_runs(mimic_home: Path) -> None:
    for command in (["show"], ["set", "internet=down"], ["reset"], ["pings"], ["stop"]):
        result = vpnui_lab(*command)
        assert result.returncode == 2, command
        assert "no lab is running" in result.stderr
        assert "Traceback" not in result.stderr


def test_commands_say_when_the_lab_is_unreachable(mimic_home: Path) -> None:
    result = vpnui_lab("show", "--url", "http://127.0.0.1:9", "--timeout", "2")
    assert result.returncode == 2
    assert "not reachable" in result.stderr


def test_a_stale_state_file_is_reported_as_unreachable(mimic_home: Path) -> None:
    with LabProcess() as process:
        url = process.url
        saved = process.state_file.read_text()
        assert process.stop() == 0
    # A lab killed without cleaning up leaves its announcement behind.
    process.state_file.write_text(saved)
    result = vpnui_lab("show", "--timeout", "2")
    assert result.returncode == 2
    assert url in result.stderr
    assert "not reachable" in result.stderr


def test_serve_refuses_an_unusable_server_list(mimic_home: Path) -> None:
    result = vpnui_lab("serve", "--servers", str(mimic_home / "missing.json"))
    assert result.returncode == 1
    assert "does not exist" in result.stderr


def test_export_writes_the_stable_tables_as_parquet(mimic_home: Path, tmp_path: Path) -> None:
    store = locations().data / "lab" / "telemetry.duckdb"
    store.parent.mkdir(parents=True)
    load_pings(recorded_pings(), store).close()
    out = tmp_path / "export"

    result = vpnui_lab("export", "--out", str(out))

    assert result.returncode == 0, result.stderr
    written = sorted(path.relative_to(out).as_posix() for path in out.rglob("*.parquet"))
    assert result.stdout.split() == [str(out / path) for path in written]
    assert "mimic_vpn_stable/vpnsession_v1.parquet" in written
    assert "mimic_vpn_daemon_stable/daemonsession_v1.parquet" in written
    assert all(path.split("/")[0].endswith("_stable") for path in written)
    db = duckdb.connect()
    # The retried daemon_end upload is in the stable table once.
    (daemon_rows,) = db.execute(
        "SELECT COUNT(*) FROM read_parquet(?)", [str(out / "mimic_vpn_daemon_stable/daemonsession_v1.parquet")]
    ).fetchone() or (None,)
    assert daemon_rows == 6
    (session_ids,) = db.execute(
        "SELECT list_sort(list(DISTINCT metrics.uuid.session_shared_session_id)) FROM read_parquet(?)"
        " WHERE metrics.uuid.session_shared_session_id IS NOT NULL",
        [str(out / "mimic_vpn_stable/vpnsession_v1.parquet")],
    ).fetchone() or (None,)
    assert session_ids == sorted([INACTIVE_SESSION_ID, FIRST_SESSION, SECOND_SESSION])


def test_export_all_tables_adds_the_raw_error_and_live_tables(mimic_home: Path, tmp_path: Path) -> None:
    store = tmp_path / "store.duckdb"
    load_pings(recorded_pings(), store).close()

    result = vpnui_lab("export", "--db", str(store), "--out", str(tmp_path / "all"), "--all-tables")

    assert result.returncode == 0, result.stderr
    assert (tmp_path / "all" / "payload_bytes_raw" / "structured.parquet").is_file()
    assert (tmp_path / "all" / "payload_bytes_error" / "structured.parquet").is_file()
    assert (tmp_path / "all" / "mimic_vpn_daemon_live" / "daemonsession_v1.parquet").is_file()


def test_export_explains_a_missing_or_locked_store(lab: LabProcess, tmp_path: Path) -> None:
    missing = vpnui_lab("export", "--db", str(tmp_path / "nothing.duckdb"), "--out", str(tmp_path / "out"))
    assert missing.returncode == 1
    assert "no ping store at" in missing.stderr
    assert not (tmp_path / "nothing.duckdb").exists()

    # The running lab holds its store: the export says so instead of a traceback.
    locked = vpnui_lab("export", "--db", str(lab.db), "--out", str(tmp_path / "out"))
    assert locked.returncode == 1
    assert "is a lab still running on it?" in locked.stderr
    assert "Traceback" not in locked.stderr


def test_export_asks_the_running_lab_which_keeps_ingesting(lab: LabProcess, tmp_path: Path) -> None:
    first, second = copy_of_recording(1), copy_of_recording(2)
    for ping in first:
        assert upload_ping(lab.url, ping) == 200
    out = tmp_path / "while-running"

    # No --db: the lab holds its store, so the lab writes the files (from a snapshot).
    result = vpnui_lab("export", "--out", str(out), "--all-tables", timeout=120)

    assert result.returncode == 0, result.stderr
    written = sorted(Path(line) for line in result.stdout.split())
    assert written == sorted(out.rglob("*.parquet"))
    db = duckdb.connect()
    (stable,) = db.execute(
        "SELECT COUNT(*) FROM read_parquet(?)", [str(out / "mimic_vpn_stable" / "vpnsession_v1.parquet")]
    ).fetchone() or (None,)
    assert stable == sum(ping.ping == "vpnsession" for ping in first)
    (raw,) = db.execute(
        "SELECT COUNT(*) FROM read_parquet(?)", [str(out / "payload_bytes_raw" / "structured.parquet")]
    ).fetchone() or (None,)
    assert raw == len(first)
    # The lab went on ingesting and answering.
    for ping in second:
        assert upload_ping(lab.url, ping) == 200
    assert len(lab.control.pings(limit=1000)) == len(first) + len(second)
    assert lab.running()


def test_export_to_a_relative_directory_asks_the_lab_with_its_absolute_path(
    lab: LabProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    result = vpnui_lab("export", "--out", "relative")

    assert result.returncode == 0, result.stderr
    assert (tmp_path / "relative" / "mimic_vpn_stable" / "vpnsession_v1.parquet").is_file()
