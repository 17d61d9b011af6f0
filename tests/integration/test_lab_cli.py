"""``vpnui-lab`` as a user runs it: ``serve`` in one process, commands from another."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from lab.lab_process import REPO_ROOT, LabProcess
from mimic_core.lab_state import read_state
from mimic_core.network_conditions import Conditions
from mimic_core.paths import locations


def vpnui_lab(*args: str, timeout: float = 15.0) -> subprocess.CompletedProcess[str]:
    """``python -m lab ARGS`` in this test's MIMIC_HOME."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH", "")]))
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
