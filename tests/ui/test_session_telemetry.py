"""Session telemetry end to end: real Glean in the app and the daemon, real ingestion.

Every scenario reads back what the lab's ingestion store received and checks
the session design's promises: the pings in order, joined by one shared id,
and no ping carrying data recorded in another session.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from typing import Any

from pytestqt.qtbot import QtBot

from lab.lab_process import LabProcess
from mimic_core import protocol
from mimic_core.lab_api import StoredPing
from mimic_core.paths import locations
from mimic_core.sync_client import DaemonConnection
from mimic_core.telemetry_names import INACTIVE_SESSION_ID
from mimic_vpn_testing.app import make_app, start_app, switch_on
from mimic_vpn_testing.qt_driving import click, find_object, run
from tests.support.glean_schema import validate_ping
from vpnui.app import MimicApp
from vpnui.connection.states import VPNClientState
from vpnui.daemon_client import LinkState

ID_METRICS = {"session.shared_session_id", "session.installation_id"}


def shared_id(ping: StoredPing) -> str | None:
    value = ping.payload.get("metrics", {}).get("uuid", {}).get("session.shared_session_id")
    return str(value) if value is not None else None


def reasons(pings: list[StoredPing], name: str) -> list[str]:
    return [p.payload["ping_info"].get("reason", "") for p in pings if p.ping == name]


def wait_for_pings(
    qtbot: QtBot, lab: LabProcess, wanted: dict[str, list[str]], timeout_ms: int = 20_000
) -> list[StoredPing]:
    """Until every (ping, reason) of ``wanted`` is stored; returns all pings."""
    found: list[StoredPing] = []

    def complete() -> bool:
        found[:] = lab.control.pings(limit=1000)
        return all(
            reasons(found, name).count(reason) >= need.count(reason) for name, need in wanted.items() for reason in need
        )

    qtbot.waitUntil(complete, timeout=timeout_ms)
    for ping in found:
        validate_ping(ping.payload)
    return found


def report(lab: LabProcess) -> dict[str, Any]:
    """The report command, run as a user runs it, on this test's store."""
    result = subprocess.run(
        [sys.executable, "-m", "lab", "report", "--json", "--url", lab.url],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def session_data(ping: StoredPing) -> dict[str, Any]:
    """The metrics of a ping other than the two ids."""
    data: dict[str, Any] = {}
    for kind, values in ping.payload.get("metrics", {}).items():
        for name, value in values.items():
            if name not in ID_METRICS:
                data[f"{kind}:{name}"] = value
    return data


def test_gui_session_pings_are_joined_by_one_id(qtbot: QtBot, mimic: MimicApp, lab: LabProcess) -> None:
    live = switch_on(qtbot, mimic)
    qtbot.waitUntil(lambda: mimic.telemetry.session_id == live, timeout=10_000)
    assert mimic.window is not None
    click(qtbot, mimic.window, "vpnToggle")
    qtbot.waitUntil(lambda: mimic.manager.state == VPNClientState.Off, timeout=10_000)

    pings = wait_for_pings(
        qtbot,
        lab,
        {
            "vpnsession": ["flush_init", "flush", "start", "end"],
            "daemonsession": ["flush", "daemon_start", "daemon_end"],
        },
    )
    for ping in pings:
        validate_ping(ping.payload)
    by_reason = {(p.ping, p.payload["ping_info"]["reason"]): p for p in pings}
    for key in [
        ("vpnsession", "start"),
        ("vpnsession", "end"),
        ("daemonsession", "daemon_start"),
        ("daemonsession", "daemon_end"),
    ]:
        assert shared_id(by_reason[key]) == live, key
    # The flushes before the session carry no data of it.
    for key in [("vpnsession", "flush"), ("daemonsession", "flush")]:
        assert shared_id(by_reason[key]) != live
    # Data recorded in the session is in the session's pings, not elsewhere.
    start = session_data(by_reason[("vpnsession", "start")])
    end = session_data(by_reason[("vpnsession", "end")])
    assert "datetime:session.app_session_start" in start
    # The activation's checks ran before the session existed, and belong to it.
    # Samples are milliseconds stored as nanoseconds: a loopback check takes
    # well under 10 s (a unit mistake would make it hours).
    checks = start["labeled_timing_distribution:connection.check_duration"]
    assert set(checks) >= {"internet", "captive_portal", "subscription", "server"}
    assert all(0 < dist["sum"] < 10 * 10**9 for dist in checks.values())
    activation = end.get("timing_distribution:connection.activation_duration") or start.get(
        "timing_distribution:connection.activation_duration"
    )
    assert activation is not None and 0 < activation["sum"] < 10 * 10**9
    assert "datetime:session.app_session_end" in end
    assert "string:session.daemon_session_source" in session_data(by_reason[("daemonsession", "daemon_start")])
    assert session_data(by_reason[("daemonsession", "daemon_start")])["string:session.daemon_session_source"] == "app"
    for ping in pings:
        if ping.ping in ("vpnsession", "daemonsession") and shared_id(ping) in (None, INACTIVE_SESSION_ID):
            # Nothing sits under the inactive id: the link's own health
            # (fog_ipc.*) goes into the vpnclient ping, which has no session id.
            assert session_data(ping) == {}, ping

    figures = report(lab)
    assert figures["daemon_sessions"]["total"] == 1
    assert figures["daemon_sessions"]["missing_start"] == 0
    assert figures["daemon_sessions"]["missing_end"] == 0
    assert figures["retrieval"]["errors"] == 0
    assert figures["retrieval"]["successful_retrievals"] == 1
    assert figures["retrieval"]["error_rate"] == 0.0
    assert figures["inactive_id"]["metrics_with_data"] == {}
    assert figures["session_counts"] == {
        "total": 1,
        "joined": 1,
        "app_only": 0,
        "daemon_only": 0,
        "installation_mismatch": 0,
        "flagged": 0,
    }


def daemon_pid() -> int:
    with DaemonConnection() as daemon:
        return int(daemon.hello()["pid"])


def test_killed_daemon_flushes_the_lingering_session_on_restart(qtbot: QtBot, mimic: MimicApp, lab: LabProcess) -> None:
    live = switch_on(qtbot, mimic)
    assert locations().daemon_state.exists()
    os.kill(daemon_pid(), signal.SIGKILL)
    # The app notices, starts a new daemon, which finds the lingering id.
    qtbot.waitUntil(lambda: mimic.manager.link_state is LinkState.READY, timeout=15_000)
    pings = wait_for_pings(qtbot, lab, {"daemonsession": ["flush_init"]})
    flush_init = [p for p in pings if p.ping == "daemonsession" and p.payload["ping_info"]["reason"] == "flush_init"]
    assert [shared_id(p) for p in flush_init] == [live]
    validate_ping(flush_init[0].payload)
    qtbot.waitUntil(lambda: not locations().daemon_state.exists(), timeout=5_000)
    figures = report(lab)
    # Killed, the session has no daemon_end, but flush_init closes it.
    assert figures["daemon_sessions"]["total"] == 1
    assert figures["daemon_sessions"]["missing_end"] == 0
    assert figures["daemon_sessions"]["ended_by_flush_init_only"] == 1


APP_DRIVER = """
import asyncio, sys
from PySide6.QtGui import QGuiApplication
import qasync
from vpnui.app import AppOptions, MimicApp
from vpnui.config import lab_endpoints
from vpnui.daemon_client import LinkState
app = QGuiApplication([])
loop = qasync.QEventLoop(app)
asyncio.set_event_loop(loop)
mimic = MimicApp(AppOptions(endpoints=lab_endpoints(sys.argv[1])))
async def main():
    mimic.show()
    await mimic.start()
    while not (mimic.manager.link_state is LinkState.READY and mimic.manager.location_model.rowCount() > 0):
        await asyncio.sleep(0.05)
    mimic.manager.toggle()
    while mimic.manager.property("state") != 2 or mimic.telemetry.session_id.startswith("00000000"):
        await asyncio.sleep(0.05)
    await asyncio.sleep(1.0)  # mid-session: the start ping is out
    print("on", mimic.telemetry.session_id, flush=True)
    await asyncio.sleep(3600)
with loop:
    loop.run_until_complete(main())
"""


def test_killed_app_relaunched_flushes_then_picks_up_the_live_id(
    qtbot: QtBot, qt_loop: object, lab: LabProcess
) -> None:
    driver = subprocess.Popen(
        [sys.executable, "-c", APP_DRIVER, lab.url],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    try:
        assert driver.stdout is not None
        line = driver.stdout.readline().split()
        assert line[:1] == ["on"], line
        live = line[1]
    finally:
        driver.kill()
        driver.wait()
        if driver.stdout is not None:
            driver.stdout.close()
    wait_for_pings(qtbot, lab, {"vpnsession": ["start"]})
    before = len(reasons(lab.control.pings(limit=1000), "vpnsession"))

    app = start_app(qtbot, make_app(lab))
    qtbot.waitUntil(lambda: app.telemetry.session_id == live, timeout=10_000)
    pings = wait_for_pings(qtbot, lab, {"vpnsession": ["start", "flush_init", "flush_init"]})
    relaunch = [p for p in pings if p.ping == "vpnsession"][before:]
    assert [p.payload["ping_info"]["reason"] for p in relaunch][:1] == ["flush_init"]
    assert app.manager.state == VPNClientState.On
    run(qtbot, app.shutdown())


def test_session_from_the_command_line_then_the_app(qtbot: QtBot, qt_loop: object, lab: LabProcess) -> None:
    started = subprocess.run(
        [sys.executable, "-m", "vpnui.ctl", "activate", "de/fra"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert started.returncode == 0, started.stderr
    with DaemonConnection() as daemon:
        daemon.hello()
        live = daemon.session_id().session_id
    pings = wait_for_pings(qtbot, lab, {"daemonsession": ["flush", "daemon_start"]})
    start = next(p for p in pings if p.ping == "daemonsession" and p.payload["ping_info"]["reason"] == "daemon_start")
    assert shared_id(start) == live
    assert start.payload["metrics"]["string"]["session.daemon_session_source"] == "daemon"

    app = start_app(qtbot, make_app(lab))
    qtbot.waitUntil(lambda: app.telemetry.session_id == live, timeout=10_000)
    assert app.manager.state == VPNClientState.On
    assert app.window is not None
    click(qtbot, app.window, "vpnToggle")
    qtbot.waitUntil(lambda: app.manager.state == VPNClientState.Off, timeout=10_000)
    pings = wait_for_pings(qtbot, lab, {"vpnsession": ["end"], "daemonsession": ["daemon_end"]})
    end = next(p for p in pings if p.ping == "vpnsession" and p.payload["ping_info"]["reason"] == "end")
    assert shared_id(end) == live
    run(qtbot, app.shutdown())


def test_unreachable_daemon_at_session_start_is_counted(qtbot: QtBot, mimic: MimicApp, lab: LabProcess) -> None:
    """The daemon announces a session, then freezes before it can answer the app's id request."""
    pid = daemon_pid()
    assert mimic.window is not None and mimic.telemetry.runtime is not None
    frozen: list[bool] = []

    def freeze_on_session_start(event: object) -> None:
        # Runs in the same signal emission as the app's handler, which only
        # schedules its id request: the daemon is frozen before it is asked.
        if isinstance(event, protocol.SessionStarted) and not frozen:
            os.kill(pid, signal.SIGSTOP)
            frozen.append(True)

    mimic.client.eventReceived.connect(freeze_on_session_start)
    errors = mimic.telemetry.runtime.metrics.session.session_id_retrieval_errors
    try:
        click(qtbot, mimic.window, "vpnToggle")
        qtbot.waitUntil(lambda: bool(frozen), timeout=10_000)
        qtbot.waitUntil(lambda: (errors["timeout"].test_get_value() or 0) == 1, timeout=10_000)
    finally:
        if frozen:
            os.kill(pid, signal.SIGCONT)
        mimic.client.eventReceived.disconnect(freeze_on_session_start)
    # No start ping under a session id the app could not learn.
    assert mimic.telemetry.session_id == INACTIVE_SESSION_ID


def test_timer_pings_during_a_long_session(qtbot: QtBot, qt_loop: object, lab: LabProcess) -> None:
    app = start_app(qtbot, make_app(lab, timer_ping_s=1.0))
    live = switch_on(qtbot, app)
    pings = wait_for_pings(qtbot, lab, {"vpnsession": ["timer"], "daemonsession": ["daemon_timer"]})
    timers = [
        p
        for p in pings
        if p.ping in ("vpnsession", "daemonsession") and p.payload["ping_info"]["reason"] in ("timer", "daemon_timer")
    ]
    assert {shared_id(p) for p in timers} == {live}
    # vpnclient's own timer carries the link's health measured meanwhile, under no session id.
    assert {shared_id(p) for p in pings if p.ping == "vpnclient"} <= {None}
    run(qtbot, app.shutdown())


def test_telemetry_off_applies_to_both_processes(qtbot: QtBot, mimic: MimicApp, lab: LabProcess) -> None:
    window = mimic.window
    assert window is not None
    wait_for_pings(qtbot, lab, {"vpnsession": ["flush_init"]})
    before = {p.document_id for p in lab.control.pings(limit=1000)}
    click(qtbot, window, "settingsButton")
    qtbot.waitUntil(lambda: bool(find_object(window, "settingsPanel").property("opened")), timeout=5_000)
    click(qtbot, window, "telemetrySwitch")
    qtbot.waitUntil(lambda: not mimic.preferences.property("telemetryEnabled"), timeout=5_000)
    daemon_switch = locations().state / "daemon-telemetry.json"
    qtbot.waitUntil(
        lambda: daemon_switch.exists() and not json.loads(daemon_switch.read_text())["enabled"], timeout=5_000
    )
    click(qtbot, window, "settingsClose")
    qtbot.waitUntil(lambda: not find_object(window, "settingsPanel").property("opened"), timeout=5_000)

    click(qtbot, window, "vpnToggle")
    qtbot.waitUntil(lambda: mimic.manager.state == VPNClientState.On, timeout=10_000)
    click(qtbot, window, "vpnToggle")
    qtbot.waitUntil(lambda: mimic.manager.state == VPNClientState.Off, timeout=10_000)
    qtbot.wait(2000)
    # Glean's health ping goes out when each process starts its Glean, which
    # for the daemon can be after ``before`` was taken; so can the app's
    # ``vpnclient`` ping of its start (submitted right after ``flush_init``,
    # before telemetry was turned off).
    new = [
        p
        for p in lab.control.pings(limit=1000)
        if p.document_id not in before
        and p.ping != "health"
        and not (p.ping == "vpnclient" and p.payload["ping_info"].get("reason") == "startup")
    ]
    # Turning telemetry off sends each side's deletion request, and no session ping.
    assert {p.ping for p in new} <= {"deletion-request"}
    assert sorted(p.app for p in new) == ["mimic-vpn", "mimic-vpn-daemon"]
