"""The daemon's measurements reach the app's vpnsession ping of their own session only."""

from __future__ import annotations

import subprocess
import sys
import time
from typing import Any

from pytestqt.qtbot import QtBot

from lab.lab_process import LabProcess
from mimic_core import protocol
from mimic_core.lab_api import StoredPing
from mimic_core.sync_client import DaemonConnection
from mimic_vpn_testing.app import make_app, start_app, switch_on
from mimic_vpn_testing.qt_driving import click, run
from tests.ui.test_session_telemetry import shared_id, wait_for_pings
from vpnui.app import MimicApp
from vpnui.connection.states import VPNClientState


def metric(ping: StoredPing, kind: str, name: str) -> Any:
    return ping.payload.get("metrics", {}).get(kind, {}).get(name)


def session_pings(pings: list[StoredPing], session_id: str) -> list[StoredPing]:
    return [p for p in pings if p.ping == "vpnsession" and shared_id(p) == session_id]


def test_daemon_values_land_in_the_apps_ping_with_the_right_sums(
    qtbot: QtBot, mimic: MimicApp, lab: LabProcess
) -> None:
    health: list[protocol.Health] = []
    mimic.client.eventReceived.connect(lambda e: health.append(e) if isinstance(e, protocol.Health) else None)
    live = switch_on(qtbot, mimic)
    qtbot.waitUntil(lambda: len(health) >= 5, timeout=10_000)
    assert mimic.window is not None
    click(qtbot, mimic.window, "vpnToggle")
    qtbot.waitUntil(lambda: mimic.manager.state == VPNClientState.Off, timeout=10_000)
    pings = session_pings(wait_for_pings(qtbot, lab, {"vpnsession": ["start", "end"]}), live)

    rx = sum(metric(p, "counter", "tunnel.rx_bytes") or 0 for p in pings)
    tx = sum(metric(p, "counter", "tunnel.tx_bytes") or 0 for p in pings)
    # Every byte the tunnel counted, reported once: the last health sample is cumulative.
    assert rx == health[-1].rx_bytes and tx == health[-1].tx_bytes
    answered = [h for h in health if h.rtt_ms is not None]
    rtt_samples = sum(
        sum((metric(p, "timing_distribution", "tunnel.keepalive_rtt") or {}).get("values", {}).values()) for p in pings
    )
    assert rtt_samples == len(answered)
    handshakes = [metric(p, "timing_distribution", "tunnel.handshake_duration") for p in pings]
    assert sum(sum(h["values"].values()) for h in handshakes if h) == 1


def test_session_without_the_app_is_discarded_and_counted(qtbot: QtBot, qt_loop: object, lab: LabProcess) -> None:
    def ctl(*args: str) -> None:
        done = subprocess.run(
            [sys.executable, "-m", "vpnui.ctl", *args], capture_output=True, text=True, timeout=60, check=False
        )
        assert done.returncode == 0, done.stderr

    ctl("activate", "de/ber")
    with DaemonConnection() as daemon:
        daemon.hello()
        away = daemon.session_id().session_id
    time.sleep(1.0)  # keepalives recorded for the app's ping, with no app to receive them
    ctl("deactivate")

    app = start_app(qtbot, make_app(lab))
    # flush_init's flush discards them; the link's health goes out in the vpnclient ping after it.
    pings = wait_for_pings(qtbot, lab, {"vpnsession": ["flush_init"], "vpnclient": ["startup"]})
    startup = next(p for p in pings if p.ping == "vpnclient")
    discarded = metric(startup, "labeled_counter", "fog_ipc.discarded_payloads") or {}
    assert discarded.get("other_session", 0) >= 1
    for ping in pings:
        if ping.ping == "vpnsession":
            assert metric(ping, "counter", "tunnel.rx_bytes") is None, "data of the session run without the app leaked"
            assert shared_id(ping) != away
    run(qtbot, app.shutdown())


def test_orderly_daemon_shutdown_hands_over_pending_data(qtbot: QtBot, mimic: MimicApp, lab: LabProcess) -> None:
    live = switch_on(qtbot, mimic)
    qtbot.wait(1000)
    stopped = subprocess.run(
        [sys.executable, "-m", "vpnui.ctl", "stop-daemon"], capture_output=True, text=True, timeout=30, check=False
    )
    assert stopped.returncode == 0, stopped.stderr
    pings = session_pings(wait_for_pings(qtbot, lab, {"vpnsession": ["start", "end"]}), live)
    end = next(p for p in pings if p.payload["ping_info"]["reason"] == "end")
    # The keepalives after the start ping reached the end ping through the shutdown push.
    assert (metric(end, "counter", "tunnel.rx_bytes") or 0) > 0
