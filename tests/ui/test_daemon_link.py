"""The app's link to the daemon: sessions outlive the app, a killed daemon is restarted."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from pytestqt.qtbot import QtBot

from lab.lab_process import LabProcess
from mimic_core.paths import locations
from mimic_core.sync_client import DaemonConnection
from mimic_vpn_testing.app import make_app, start_app
from mimic_vpn_testing.qt_driving import click, run, text_of
from vpnui.app import MimicApp
from vpnui.connection.states import VPNClientState
from vpnui.daemon_client import LinkState


def daemon_status() -> tuple[str, float | None, int]:
    with DaemonConnection() as daemon:
        info = daemon.hello()
        status = daemon.status()
        return status.state, status.connected_since, int(info["pid"])


def test_session_survives_app_exit_and_is_picked_up(qtbot: QtBot, qt_loop: object, lab: LabProcess) -> None:
    first = start_app(qtbot, make_app(lab))
    assert first.window is not None
    click(qtbot, first.window, "vpnToggle")
    qtbot.waitUntil(lambda: first.manager.state == VPNClientState.On, timeout=10_000)
    since = first.manager.connectedSince
    run(qtbot, first.shutdown())

    state, daemon_since, _ = daemon_status()
    assert state == "on"
    assert daemon_since == since

    second = start_app(qtbot, make_app(lab))
    assert second.window is not None
    qtbot.waitUntil(lambda: second.manager.state == VPNClientState.On, timeout=10_000)
    # The timer continues from the daemon's session start, not from the relaunch.
    assert second.manager.connectedSince == since
    assert text_of(second.window, "statusTitle") == "VPN is on"
    run(qtbot, second.shutdown())


def test_killed_daemon_is_noticed_and_restarted(qtbot: QtBot, mimic: MimicApp) -> None:
    _, _, pid = daemon_status()
    os.kill(pid, signal.SIGKILL)
    qtbot.waitUntil(lambda: mimic.manager.link_state is not LinkState.READY, timeout=5_000)
    assert mimic.window is not None
    qtbot.waitUntil(lambda: mimic.manager.link_state is LinkState.READY, timeout=15_000)
    _, _, new_pid = daemon_status()
    assert new_pid != pid
    assert locations().socket.exists()
    # The restarted daemon serves the toggle like the first one.
    click(qtbot, mimic.window, "vpnToggle")
    qtbot.waitUntil(lambda: mimic.manager.state == VPNClientState.On, timeout=10_000)


def test_session_started_from_the_command_line_is_picked_up(qtbot: QtBot, qt_loop: object, lab: LabProcess) -> None:
    started = subprocess.run(
        [sys.executable, "-m", "vpnui.ctl", "activate", "jp/tyo"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert started.returncode == 0, started.stderr
    state, since, _ = daemon_status()
    assert state == "on"

    app = start_app(qtbot, make_app(lab))
    qtbot.waitUntil(lambda: app.manager.state == VPNClientState.On, timeout=10_000)
    assert app.manager.connectedSince == since
    assert app.manager.serverName.startswith("jp-tyo")
    run(qtbot, app.shutdown())
