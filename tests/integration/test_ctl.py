"""``vpnui-ctl`` against the real daemon and lab, run as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
import time

from lab.lab_process import LabProcess


def ctl(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vpnui.ctl", *args], capture_output=True, text=True, timeout=timeout, check=False
    )


def test_status_without_a_daemon_says_so(lab: LabProcess) -> None:
    result = ctl("status")
    assert result.returncode == 2
    assert "daemon is not running" in result.stderr


def test_activate_status_logs_deactivate(lab: LabProcess) -> None:
    activated = ctl("activate", "fr/par")
    assert activated.returncode == 0, activated.stderr
    assert "state:      on" in activated.stdout
    assert "fr-par-wg-" in activated.stdout

    status = json.loads(ctl("status", "--json").stdout)
    assert status["state"] == "on"
    assert status["location"] == "Paris, France"
    assert status["connected_since"] > 0

    logs = ctl("logs", "-n", "20")
    assert logs.returncode == 0
    assert "started on fr-par-wg-" in logs.stdout

    deactivated = ctl("deactivate")
    assert deactivated.returncode == 0
    assert json.loads(ctl("status", "--json").stdout)["state"] == "off"


def test_unknown_location_is_refused(lab: LabProcess) -> None:
    result = ctl("activate", "atlantis")
    assert result.returncode == 2
    assert "no location 'atlantis'" in result.stderr


def test_locations_lists_the_server_list(lab: LabProcess) -> None:
    result = ctl("locations")
    assert result.returncode == 0
    assert "de/ber" in result.stdout and "Tokyo, Japan" in result.stdout


def test_stop_daemon_shuts_it_down(lab: LabProcess) -> None:
    assert ctl("activate").returncode == 0
    stopped = ctl("stop-daemon")
    assert stopped.returncode == 0, stopped.stderr
    deadline = time.monotonic() + 10
    while ctl("status").returncode == 0:
        assert time.monotonic() < deadline, "the daemon kept running"
        time.sleep(0.1)
    assert "daemon is not running" in ctl("status").stderr
