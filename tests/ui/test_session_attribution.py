"""Session attribution through faults: the real app, the real daemon killed with SIGKILL, real ingestion.

The session design's promise: every metric in a ``vpnsession`` ping was
recorded during the session whose id it carries.  When the app learns that
the session it was in is gone (its daemon was killed and restarted, or the
session ended while the app's link was down), that session's data goes out
under its own id in an ``end`` ping before anything of the next session; a
link that drops and comes back to the same running session keeps it whole.
Each scenario reads the pings back from the lab's ingestion store.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

from PySide6.QtNetwork import QLocalSocket
from pytestqt.qtbot import QtBot

from lab.lab_process import LabProcess
from mimic_core.lab_api import StoredPing
from mimic_core.sync_client import DaemonConnection
from mimic_core.telemetry_names import INACTIVE_SESSION_ID, RETRIEVAL_ERRORS
from mimic_vpn_testing.app import make_app, start_app
from mimic_vpn_testing.qt_driving import run
from tests.ui.test_session_telemetry import APP_DRIVER, daemon_pid, report, session_data, shared_id, wait_for_pings
from vpnui.app import MimicApp
from vpnui.connection.states import VPNClientState
from vpnui.daemon_client import LinkState

TUNNEL_METRICS = {
    "timing_distribution:tunnel.keepalive_rtt",
    "counter:tunnel.rx_bytes",
    "counter:tunnel.tx_bytes",
}


def ctl(*args: str) -> None:
    """``vpnui-ctl``, as a user runs it beside the app."""
    done = subprocess.run(
        [sys.executable, "-m", "vpnui.ctl", *args], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr


def live_session_id() -> str:
    with DaemonConnection() as daemon:
        daemon.hello()
        return daemon.session_id().session_id


def app_pings(pings: list[StoredPing]) -> list[StoredPing]:
    """The app's ``vpnsession`` pings in the order the app submitted them (Glean's ``seq``)."""
    return sorted((p for p in pings if p.ping == "vpnsession"), key=lambda p: int(p.payload["ping_info"]["seq"]))


def reason(ping: StoredPing) -> str:
    return str(ping.payload["ping_info"].get("reason", ""))


def failures(ping: StoredPing) -> dict[str, Any]:
    value: dict[str, Any] = session_data(ping).get("labeled_counter:connection.failures", {})
    return value


def stored_starts(lab: LabProcess) -> set[str | None]:
    """The ids of the app's stored ``start`` pings."""
    return {shared_id(p) for p in lab.control.pings(ping="vpnsession", limit=1000) if reason(p) == "start"}


def start_session_from_ctl(qtbot: QtBot, app: MimicApp, lab: LabProcess, location: str) -> str:
    """``vpnui-ctl activate``; the app picks the session up and its ``start`` is stored; the session's id."""
    # The app has taken in the daemon's state since it linked (its flush_init
    # follows that): a session started in the same instant as the link came
    # up can be shown Off by the app (the link's status reply, older than the
    # session, handled after it), which is not what these tests are about.
    qtbot.waitUntil(lambda: bool(lab.control.pings(ping="vpnsession", limit=1)), timeout=10_000)
    ctl("activate", location)
    session_id = live_session_id()
    qtbot.waitUntil(lambda: app.manager.state == VPNClientState.On, timeout=10_000)
    qtbot.waitUntil(lambda: session_id in stored_starts(lab), timeout=10_000)
    return session_id


def wait_for_tunnel_data(qtbot: QtBot, app: MimicApp) -> None:
    """Until the daemon's tunnel measurements of the session are in the app's Glean (an idle push)."""
    assert app.telemetry.runtime is not None
    tunnel = app.telemetry.runtime.metrics.tunnel
    qtbot.waitUntil(
        lambda: (tunnel.rx_bytes.test_get_value() or 0) > 0 and tunnel.keepalive_rtt.test_get_value() is not None,
        timeout=15_000,
    )


def kill_daemon_and_wait_for_the_next(qtbot: QtBot, app: MimicApp) -> None:
    """SIGKILL the daemon; the app starts a new one, links to it and shows the VPN off."""
    killed = daemon_pid()
    os.kill(killed, signal.SIGKILL)
    qtbot.waitUntil(lambda: app.manager.link_state is not LinkState.READY, timeout=10_000)
    qtbot.waitUntil(lambda: app.manager.link_state is LinkState.READY, timeout=20_000)
    assert daemon_pid() != killed
    qtbot.waitUntil(lambda: app.manager.state == VPNClientState.Off, timeout=10_000)


def assert_nothing_under_the_inactive_id(pings: list[StoredPing]) -> None:
    """No session ping under the nil id (or none yet) carries anything but the identifiers.

    The one exception is the design's own error path: an id the app could
    not obtain is counted (``session.session_id_retrieval_errors``) where
    there is no id.  The link's health (``fog_ipc.*``) is in ``vpnclient``.
    """
    for ping in pings:
        if ping.ping not in ("vpnsession", "daemonsession") or shared_id(ping) not in (None, INACTIVE_SESSION_ID):
            continue
        data = {k: v for k, v in session_data(ping).items() if k != f"labeled_counter:{RETRIEVAL_ERRORS}"}
        assert data == {}, (ping.ping, reason(ping), shared_id(ping), sorted(data))


def test_killed_daemon_session_ends_under_its_own_id_before_the_next(
    qtbot: QtBot, mimic: MimicApp, lab: LabProcess
) -> None:
    """The reported scenario: session A, daemon SIGKILLed, the app restarts it, then session B."""
    session_a = start_session_from_ctl(qtbot, mimic, lab, "de/ber")
    wait_for_tunnel_data(qtbot, mimic)
    kill_daemon_and_wait_for_the_next(qtbot, mimic)
    session_b = start_session_from_ctl(qtbot, mimic, lab, "fr/par")
    assert session_b != session_a

    pings = wait_for_pings(
        qtbot, lab, {"vpnsession": ["flush_init", "flush", "flush", "start", "start"], "daemonsession": ["flush_init"]}
    )
    ordered = app_pings(pings)
    # The flush right before B's start, under the inactive id, carries nothing of A.
    flush_b = next(ordered[i - 1] for i, p in enumerate(ordered) if shared_id(p) == session_b and reason(p) == "start")
    assert (reason(flush_b), shared_id(flush_b)) == ("flush", INACTIVE_SESSION_ID)
    assert session_data(flush_b) == {}
    # A's own measurements, taken by the daemon and by the app, went out under A in its end ...
    of_a = [p for p in ordered if shared_id(p) == session_a]
    assert [reason(p) for p in of_a] == ["start", "end"], [(reason(p), shared_id(p)) for p in ordered]
    end_a = of_a[-1]
    assert set(session_data(end_a)) >= TUNNEL_METRICS, sorted(session_data(end_a))
    assert failures(end_a) == {"daemon_lost": 1}
    assert "datetime:session.app_session_end" in session_data(end_a)
    # ... before anything of B.
    assert int(end_a.payload["ping_info"]["seq"]) < int(flush_b.payload["ping_info"]["seq"])
    assert_nothing_under_the_inactive_id(pings)

    daemon_flush_init = [p for p in pings if p.ping == "daemonsession" and reason(p) == "flush_init"]
    assert [shared_id(p) for p in daemon_flush_init] == [session_a]

    ctl("deactivate")
    pings = wait_for_pings(qtbot, lab, {"vpnsession": ["end", "end"], "daemonsession": ["daemon_end"]})
    assert [shared_id(p) for p in app_pings(pings) if reason(p) == "end"] == [session_a, session_b]
    assert_nothing_under_the_inactive_id(pings)
    figures = report(lab)
    # A ended with the restarted daemon's flush_init, B with its daemon_end; both joined to the app's.
    assert figures["daemon_sessions"]["total"] == 2
    assert figures["daemon_sessions"]["missing_start"] == 0
    assert figures["daemon_sessions"]["missing_end"] == 0
    assert figures["session_counts"]["joined"] == 2
    # Nothing but the design's own retrieval errors may sit under the inactive id.
    assert set(figures["inactive_id"]["metrics_with_data"]) <= {RETRIEVAL_ERRORS}


def test_killed_daemon_session_ends_without_a_next_session(qtbot: QtBot, mimic: MimicApp, lab: LabProcess) -> None:
    """The restarted daemon sends the lingering id's ``flush_init``; the app ends A on its own, nothing follows."""
    session_a = start_session_from_ctl(qtbot, mimic, lab, "de/ber")
    wait_for_tunnel_data(qtbot, mimic)
    kill_daemon_and_wait_for_the_next(qtbot, mimic)

    pings = wait_for_pings(qtbot, lab, {"vpnsession": ["start", "end"], "daemonsession": ["flush_init"]})
    end_a = next(p for p in app_pings(pings) if reason(p) == "end")
    assert shared_id(end_a) == session_a
    assert set(session_data(end_a)) >= TUNNEL_METRICS
    assert failures(end_a) == {"daemon_lost": 1}
    assert mimic.telemetry.session_id == INACTIVE_SESSION_ID
    assert_nothing_under_the_inactive_id(pings)


def drop_link(app: MimicApp) -> None:
    """Abort the app's socket to the daemon, as a hiccup of the local socket would."""
    socket = app.client.findChild(QLocalSocket)
    assert socket is not None
    socket.abort()


def test_link_hiccup_keeps_the_running_session_whole(qtbot: QtBot, mimic: MimicApp, lab: LabProcess) -> None:
    """The link drops and comes back to the same daemon and session: no end, no split, one id."""
    pid = daemon_pid()
    session_a = start_session_from_ctl(qtbot, mimic, lab, "de/ber")
    drop_link(mimic)
    qtbot.waitUntil(lambda: mimic.manager.link_state is not LinkState.READY, timeout=5_000)
    qtbot.waitUntil(
        lambda: mimic.manager.link_state is LinkState.READY and mimic.manager.failure_key == "", timeout=10_000
    )
    assert daemon_pid() == pid
    assert mimic.manager.state == VPNClientState.On
    assert mimic.telemetry.session_id == session_a
    wait_for_tunnel_data(qtbot, mimic)
    ctl("deactivate")

    pings = wait_for_pings(qtbot, lab, {"vpnsession": ["start", "end"], "daemonsession": ["daemon_end"]})
    ordered = app_pings(pings)
    assert [reason(p) for p in ordered if shared_id(p) == session_a] == ["start", "end"]
    end_a = next(p for p in ordered if reason(p) == "end")
    assert set(session_data(end_a)) >= TUNNEL_METRICS
    assert failures(end_a) == {"daemon_lost": 1}
    assert_nothing_under_the_inactive_id(pings)


def test_session_ended_while_the_link_was_down_ends_under_its_id(
    qtbot: QtBot, mimic: MimicApp, lab: LabProcess
) -> None:
    """Another client ends A and starts C while the app is not linked: A ends under A, then C is picked up."""
    session_a = start_session_from_ctl(qtbot, mimic, lab, "de/ber")
    wait_for_tunnel_data(qtbot, mimic)
    mimic.client.close()
    ctl("deactivate")
    ctl("activate", "fr/par")
    session_c = live_session_id()
    mimic.client.start()
    qtbot.waitUntil(lambda: mimic.telemetry.session_id == session_c, timeout=10_000)
    qtbot.waitUntil(lambda: mimic.manager.state == VPNClientState.On, timeout=10_000)
    wait_for_tunnel_data(qtbot, mimic)
    ctl("deactivate")

    pings = wait_for_pings(
        qtbot, lab, {"vpnsession": ["start", "end", "end"], "daemonsession": ["daemon_end", "daemon_end"]}
    )
    ordered = app_pings(pings)
    by_id = {sid: [reason(p) for p in ordered if shared_id(p) == sid] for sid in (session_a, session_c)}
    # The app never saw C start (it was not linked then): C has no start, but its own end.
    assert by_id == {session_a: ["start", "end"], session_c: ["end"]}, [(reason(p), shared_id(p)) for p in ordered]
    end_a, end_c = (next(p for p in ordered if shared_id(p) == sid and reason(p) == "end") for sid in by_id)
    assert int(end_a.payload["ping_info"]["seq"]) < int(end_c.payload["ping_info"]["seq"])
    assert set(session_data(end_a)) >= TUNNEL_METRICS
    assert set(session_data(end_c)) >= TUNNEL_METRICS
    assert_nothing_under_the_inactive_id(pings)


def test_killed_app_relaunched_sends_the_sessions_pending_data_under_its_id(
    qtbot: QtBot, qt_loop: object, lab: LabProcess
) -> None:
    """The app is killed in session A, A ends without it; relaunched, its flush_init carries A's rest under A."""
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
        session_a = line[1]
    finally:
        driver.kill()
        driver.wait()
        if driver.stdout is not None:
            driver.stdout.close()
    wait_for_pings(qtbot, lab, {"vpnsession": ["start"]})
    # The daemon goes on measuring A for the app's ping, and keeps it for the next app.
    qtbot.wait(2_500)
    ctl("deactivate")

    app = start_app(qtbot, make_app(lab))
    pings = wait_for_pings(qtbot, lab, {"vpnsession": ["flush_init", "flush_init"], "vpnclient": ["startup"]})
    ordered = app_pings(pings)
    assert [(reason(p), shared_id(p) == session_a) for p in ordered][-2:] == [("start", True), ("flush_init", True)]
    flush_init = ordered[-1]
    assert set(session_data(flush_init)) >= TUNNEL_METRICS, sorted(session_data(flush_init))
    # None of the daemon's buffers of A was discarded (the link's health is in vpnclient).
    startup = [p for p in pings if p.ping == "vpnclient" and reason(p) == "startup"][-1]
    assert "labeled_counter:fog_ipc.discarded_payloads" not in session_data(startup)
    # flush_init is the relaunched app's close of A: no end follows, and the app is between sessions.
    assert app.telemetry.session_id == INACTIVE_SESSION_ID
    qtbot.wait(500)
    assert [reason(p) for p in app_pings(lab.control.pings(limit=1000)) if shared_id(p) == session_a] == [
        "start",
        "flush_init",
    ]
    assert_nothing_under_the_inactive_id(pings)
    run(qtbot, app.shutdown())
