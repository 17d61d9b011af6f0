"""No ping is lost through bursts of sessions and restarts, and what Glean still deletes is reported.

Real daemon, real lab, real Glean uploading to the lab's ingestion.  A
burst here is activate/deactivate requests answered one after the other,
as fast as the daemon serves them: each session sends three
``daemonsession`` pings (``flush``, ``daemon_start``, ``daemon_end``).  The
bursts are sized to exceed glean-core's default limits (15 uploads a minute,
500 pending pings), which lost pings before the limits were set for this
client (``mimic_core.glean_delivery``); the report's delivery section is the
judge (``ping_info.seq`` without gaps, every session with its start and end).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import pytest

from lab.daemon_process import DaemonProcess
from lab.lab_process import LabProcess
from lab.session_report import SessionReport, build_report
from mimic_core.glean_delivery import GLEAN_DEFAULT_LIMITS, DeliveryLimits
from mimic_core.glean_runtime import GleanRuntime
from mimic_core.paths import locations
from mimic_core.protocol import ServerEndpoint
from mimic_core.sync_client import DaemonConnection

DAEMON_APP: Final = "mimic-vpn-daemon"
APP: Final = "mimic-vpn"
SERVER: Final = "de-ber-wg-001"
BURST_REQUESTS: Final = 400
"""200 sessions, 600 daemonsession pings: more than 500 pending, and 40 minutes at 15 uploads a minute."""
PINGS_PER_SESSION: Final = 3
DELIVERY_TIMEOUT_S: Final = 40.0
"""Bounded wait for 600-1,200 pings; at glean-core's default rate it would take 40-80 minutes."""


@pytest.fixture
def start_daemon(lab: LabProcess, mimic_home: Path) -> Iterator[list[DaemonProcess]]:
    """Daemons uploading to this test's lab, stopped at the end; their log must hold no traceback."""
    started: list[DaemonProcess] = []
    yield started
    for daemon in started:
        daemon.stop()
    log = (mimic_home / "logs" / "daemon.log").read_text()
    assert "Traceback" not in log, log


def new_daemon(started: list[DaemonProcess], lab: LabProcess) -> DaemonProcess:
    daemon = DaemonProcess(keepalive_interval=1.0, handshake_timeout=0.5, extra_args=["--telemetry-url", lab.url])
    started.append(daemon)
    return daemon


def burst(connection: DaemonConnection, server: ServerEndpoint, requests: int) -> list[str]:
    """``requests`` activate/deactivate requests, each sent once the last one was answered; the session ids."""
    sessions: list[str] = []
    for _ in range(requests // 2):
        sessions.append(connection.activate([server], "Berlin", timeout=10.0).session_id)
        connection.deactivate(timeout=10.0)
        connection.drain_events()
    return sessions


def pending_pings() -> int:
    folder = locations().glean_dir("daemon") / "pending_pings"
    return sum(1 for entry in folder.iterdir() if entry.is_file()) if folder.is_dir() else 0


def undelivered(report: SessionReport, sessions: list[str]) -> list[str]:
    """What is still missing for the burst's sessions to count as delivered in full, empty when nothing is."""
    by_id = {session.session_id: session for session in report.sessions}
    problems = [f"{report.delivery.missing} pings missing (seq gaps)"] if report.delivery.missing else []
    incomplete = [
        session_id
        for session_id in sessions
        if session_id not in by_id
        or (daemon := by_id[session_id].daemon) is None
        or daemon.missing_start
        or daemon.missing_end
    ]
    if incomplete:
        problems.append(f"{len(incomplete)} of {len(sessions)} sessions without daemon_start or daemon_end")
    return problems


def wait_for_delivery(lab: LabProcess, sessions: list[str]) -> SessionReport:
    """The report once every session's pings arrived without a gap (bounded); fails with what is missing."""
    deadline = time.monotonic() + DELIVERY_TIMEOUT_S
    while True:
        report = build_report(lab.control.pings(limit=100_000), all_sessions=True)
        problems = undelivered(report, sessions)
        if not problems:
            return report
        if time.monotonic() >= deadline:
            stored = report.pings.daemonsession
            raise AssertionError(
                f"not delivered within {DELIVERY_TIMEOUT_S} s: {'; '.join(problems)};"
                f" {stored} daemonsession pings stored, {pending_pings()} still pending on the daemon's disk"
            )
        time.sleep(0.5)


def test_the_burst_exceeds_glean_default_limits() -> None:
    """The premise of the tests below: these bursts lose pings under glean-core's defaults."""
    pings = BURST_REQUESTS // 2 * PINGS_PER_SESSION
    assert pings > GLEAN_DEFAULT_LIMITS.max_pending_pings + GLEAN_DEFAULT_LIMITS.pings_per_interval
    assert pings / GLEAN_DEFAULT_LIMITS.pings_per_minute * 60 > 10 * DELIVERY_TIMEOUT_S


def test_a_burst_of_sessions_is_delivered_in_full(
    lab: LabProcess, start_daemon: list[DaemonProcess], mimic_home: Path
) -> None:
    daemon = new_daemon(start_daemon, lab)
    sessions = burst(daemon.connect(), lab.endpoints()[SERVER], BURST_REQUESTS)

    report = wait_for_delivery(lab, sessions)

    assert report.pings.daemonsession == len(sessions) * PINGS_PER_SESSION
    assert report.delivery.glean_reported_lost == 0
    assert report.daemon_sessions.missing_start == report.daemon_sessions.missing_end == 0


def test_a_daemon_restarted_with_a_backlog_over_glean_default_cap_loses_nothing(
    lab: LabProcess, start_daemon: list[DaemonProcess], mimic_home: Path
) -> None:
    # The ingestion refuses connections during the burst, so the whole burst
    # is still queued on disk when the daemon gets SIGTERM.
    lab.control.set("ingestion=down")
    daemon = new_daemon(start_daemon, lab)
    sessions = burst(daemon.connect(), lab.endpoints()[SERVER], BURST_REQUESTS)
    assert daemon.terminate() == 0
    queued = pending_pings()
    assert queued >= len(sessions) * PINGS_PER_SESSION > GLEAN_DEFAULT_LIMITS.max_pending_pings
    lab.control.reset()

    new_daemon(start_daemon, lab)
    report = wait_for_delivery(lab, sessions)

    assert report.pings.daemonsession == len(sessions) * PINGS_PER_SESSION
    # The next daemon's health ping says what its Glean found at start, and that it deleted nothing.
    (losses,) = report.delivery.glean_reported
    assert losses.app == DAEMON_APP and losses.health_pings >= 1
    assert losses.lost == 0
    deadline = time.monotonic() + DELIVERY_TIMEOUT_S
    while pending_pings():
        assert time.monotonic() < deadline, f"{pending_pings()} pings left on the daemon's disk"
        time.sleep(0.2)


def test_the_app_glean_sends_a_burst_of_vpnsession_pings_without_waiting(lab: LabProcess, mimic_home: Path) -> None:
    """The app's Glean (started with the same runtime and limits as in the app) under a burst of its own pings."""
    runtime = GleanRuntime.start("app", locations().glean_dir("app"), lab.url, True, "0.1.0")
    try:
        count = BURST_REQUESTS // 2 * PINGS_PER_SESSION
        for _ in range(count // 2):
            runtime.metrics.session.shared_session_id.set(uuid.uuid4())
            runtime.submit("vpnsession", "start")
            runtime.submit("vpnsession", "end")
        deadline = time.monotonic() + DELIVERY_TIMEOUT_S
        while len(stored := lab.control.pings(app=APP, ping="vpnsession", limit=100_000)) < count:
            assert time.monotonic() < deadline, f"{len(stored)} of {count} vpnsession pings stored"
            time.sleep(0.5)
    finally:
        assert runtime.shutdown(5.0)
    assert sorted(ping.payload["ping_info"]["seq"] for ping in stored) == list(range(count))
    assert build_report(lab.control.pings(limit=100_000)).delivery.missing == 0


def test_pings_glean_deletes_over_its_cap_show_in_the_report(lab: LabProcess, mimic_home: Path) -> None:
    """Glean's own count of deleted pings reaches the lab in its health ping; the seq gaps agree with it."""
    data_dir = locations().glean_dir("daemon")
    small = DeliveryLimits(
        pings_per_interval=100, seconds_per_interval=1, max_pending_pings=5, max_pending_bytes=1 << 20
    )
    lab.control.set("ingestion=down")
    runtime = GleanRuntime.start("daemon", data_dir, lab.url, True, "0.1.0", limits=small)
    for _ in range(20):
        runtime.submit("daemonsession", "daemon_timer")
    assert runtime.shutdown(5.0)
    lab.control.reset()
    # This start finds 21 pings (the 20 and the first start's health ping) and keeps the newest 5 ...
    runtime = GleanRuntime.start("daemon", data_dir, lab.url, True, "0.1.0", limits=small)
    deadline = time.monotonic() + DELIVERY_TIMEOUT_S
    while runtime.pending_ping_count():
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert runtime.shutdown(5.0)
    # ... and the next one's health ping reports the deletion.
    runtime = GleanRuntime.start("daemon", data_dir, lab.url, True, "0.1.0", limits=small)
    try:
        while len(lab.control.pings(app=DAEMON_APP, ping="health")) < 3:
            assert time.monotonic() < deadline
            time.sleep(0.1)
    finally:
        assert runtime.shutdown(5.0)

    delivery = build_report(lab.control.pings(limit=1000)).delivery
    (losses,) = delivery.glean_reported
    # The oldest went: the 20 pings were written before that start's own health ping.  (Its next health
    # ping is written while the directory is scanned: if the scan sees it too, one more goes.)
    (gap,) = delivery.gaps
    assert (gap.app, gap.ping) == (DAEMON_APP, "daemonsession")
    assert gap.missing in (16, 17) and gap.missing_ranges == [(0, gap.missing - 1)]
    assert losses.deleted_after_quota == losses.deleted_by_quota["count_quota"] == losses.lost == gap.missing
    assert delivery.missing == delivery.glean_reported_lost == gap.missing
