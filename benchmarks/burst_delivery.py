"""Burst delivery: every ping of a burst of sessions stored by the lab, and how long after the burst.

A real daemon (default options) and lab in a private world.  One client
sends 1,000 requests, ``activate`` and ``deactivate`` alternately, each once
the previous one was answered: 500 sessions, 1,500 ``daemonsession`` pings
(``flush``, ``daemon_start``, ``daemon_end`` per session).  The burst ends
with the last reply.  Delivery is complete when the session report finds
every session of the burst with its ``daemon_start`` and ``daemon_end`` and
no ``ping_info.seq`` number missing; the figure runs from the end of the
burst to the lab's own ``received_at`` of the last ``daemonsession`` ping.

Two runs, each in a world of its own:

- the daemon keeps running;
- the daemon gets SIGTERM as soon as the burst ends, while the backlog is
  queued, and a new daemon starts: its Glean finds the pending pings on
  disk and sends them.

The reference is the burst's own duration.  With glean-core's default
limits (15 uploads a minute, 500 pending pings) the 1,500 pings need 100
minutes, and a restart right after the burst deleted the oldest 1,000 of
them (measured before the limits were set).
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any, Final

from benchmarks.report import Figure, Reference, Spec, ratio, verdict
from benchmarks.settings import RunSettings
from benchmarks.world import BenchError, World, private_world
from lab.session_report import SessionReport, build_report
from mimic_core.lab_api import StoredPing
from mimic_core.paths import locations

DAEMON_APP: Final = "mimic-vpn-daemon"
PING: Final = "daemonsession"
TARGET_S: Final = 120.0
DELIVERY_BOUND_S: Final = 600.0
"""How long a run waits for delivery before it is recorded as missed."""
POLL_S: Final = 1.0
REQUEST_TIMEOUT_S: Final = 30.0
PINGS_PER_SESSION: Final = 3


def _spec(key: str, title: str, how: str) -> Spec:
    return Spec(
        key=key,
        title=title,
        unit="s",
        target=f"≤ {TARGET_S:.0f} s, 0 pings lost",
        definition=(
            "1,000 activate/deactivate requests (100 in a quick run) to the daemon, each sent once the last was "
            "answered (default options); "
            f"{how}from the last reply to the lab's received_at of the last daemonsession ping, once every session "
            "has daemon_start and daemon_end and no seq number is missing; reference: the burst's duration"
        ),
        shown=("value",),
    )


RUNNING_SPEC: Final = _spec("burst_delivery", "Burst delivery: all pings of 1,000 requests stored", "")
RESTART_SPEC: Final = _spec(
    "burst_delivery_restart",
    "Burst delivery through a daemon restart (SIGTERM at the burst's end)",
    "the daemon gets SIGTERM at the burst's end and a new one starts; ",
)
SPECS: Final = (RUNNING_SPEC, RESTART_SPEC)


def _burst(world: World, requests: int) -> tuple[list[str], float, float]:
    """The session ids, the burst's duration and its end (wall clock, as the lab stamps pings)."""
    assert world.daemon is not None and world.lab is not None
    server = next(iter(world.lab.endpoints().values()))
    connection = world.daemon.connect()
    sessions: list[str] = []
    began = time.monotonic()
    for _ in range(requests // 2):
        sessions.append(connection.activate([server], "Burst", timeout=REQUEST_TIMEOUT_S).session_id)
        connection.deactivate(timeout=REQUEST_TIMEOUT_S)
        connection.drain_events()
    return sessions, time.monotonic() - began, time.time()


def _pending_pings() -> int:
    folder = locations().glean_dir("daemon") / "pending_pings"
    return sum(1 for entry in folder.iterdir() if entry.is_file()) if folder.is_dir() else 0


def _complete(report: SessionReport, sessions: list[str]) -> bool:
    by_id = {session.session_id: session.daemon for session in report.sessions}
    return report.delivery.missing == 0 and all(
        (side := by_id.get(session_id)) is not None and not side.missing_start and not side.missing_end
        for session_id in sessions
    )


def _wait_for_delivery(world: World, sessions: list[str]) -> tuple[list[StoredPing], SessionReport, bool]:
    assert world.lab is not None
    deadline = time.monotonic() + DELIVERY_BOUND_S
    while True:
        # Fetching every ping costs the lab time: only once the daemon's disk is empty.
        if _pending_pings() == 0 or time.monotonic() >= deadline:
            stored = world.lab.control.pings(app=DAEMON_APP, limit=100_000)
            report = build_report(stored, all_sessions=True)
            if _complete(report, sessions):
                return stored, report, True
            if time.monotonic() >= deadline:
                return stored, report, False
        time.sleep(POLL_S)


def _measure(spec: Spec, requests: int, *, restart: bool) -> Figure:
    with private_world() as world:
        assert world.daemon is not None
        sessions, burst_s, burst_end = _burst(world, requests)
        details: dict[str, Any] = {"requests": requests, "sessions": len(sessions), "burst_s": round(burst_s, 2)}
        if restart:
            stopping = time.monotonic()
            code = world.daemon.stop()
            details["sigterm_to_exit_s"] = round(time.monotonic() - stopping, 2)
            if code != 0:
                raise BenchError(f"the daemon exited with {code} on SIGTERM")
            details["pending_at_restart"] = _pending_pings()
            world.start_daemon()
        stored, report, delivered = _wait_for_delivery(world, sessions)
    session_pings = [ping for ping in stored if ping.ping == PING]
    last = max((datetime.fromisoformat(ping.received_at).timestamp() for ping in session_pings), default=burst_end)
    seconds = round(max(0.0, last - burst_end), 2)
    lost = report.delivery.missing
    details |= {
        "delivered": delivered,
        "daemonsession_pings": len(session_pings),
        "expected_pings": len(sessions) * PINGS_PER_SESSION,
        "missing_pings": lost,
        "sessions_without_start": report.daemon_sessions.missing_start,
        "sessions_without_end": report.daemon_sessions.missing_end,
        "glean_reported_lost": report.delivery.glean_reported_lost,
        "default_glean_rate_would_take_min": round(len(sessions) * PINGS_PER_SESSION / 15, 1),
    }
    return spec.figure(
        {"value": seconds},
        verdict(delivered and lost == 0 and seconds <= TARGET_S),
        reference=Reference("the burst itself", {"value": round(burst_s, 2)}),
        ratio=ratio(seconds, burst_s),
        details=details,
    )


def run(settings: RunSettings) -> list[Figure]:
    requests = settings.burst_requests
    return [_measure(RUNNING_SPEC, requests, restart=False), _measure(RESTART_SPEC, requests, restart=True)]
