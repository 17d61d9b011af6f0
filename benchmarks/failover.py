"""Failover: the connected server dies while another of the location answers, until traffic flows there.

The real app (default ``ConnectionSettings``) against a real lab and a
daemon with its default options (keepalive every 1 s, handshake 1 s).  The
location is the one a fresh app selects (the list's first city, two
servers).  With the VPN On and the tunnel answering, after a random 1-2 s
(0.2-0.5 s in a quick run: the death falls anywhere in the keepalive
schedule) the connected server is marked down in the lab; the figure runs
from just before the lab is asked until the app receives the daemon's first
health event with an answered keepalive from another server ("traffic on
the new server").  Then the server is brought back, and the next run kills
the one now in use.

The reference is the keepalive interval.  The floor is one overdue
keepalive plus a handshake; with a dead server at a random phase the
daemon notices within an interval plus two suspicion timeouts (see
``daemon/failover.py``).  Every run must also keep the session (VPN On, the
timer's ``connected_since`` and the shared session id unchanged), show the
one-line notice, and show neither "Unstable" nor a failure; a run that does
not fails the figure whatever its time.
"""

from __future__ import annotations

from typing import Any, Final

from benchmarks.report import Figure, Reference, Spec, numbers_of, ratio, verdict
from benchmarks.settings import RunSettings
from benchmarks.stats import summarize
from benchmarks.world import BenchError, Child, private_world
from daemon.options import DaemonOptions

TARGET_S: Final = 1.5
DRIVER_TIMEOUT_S: Final = 120.0

SPEC: Final = Spec(
    key="failover",
    title="Failover: connected server dies",
    unit="s",
    target=f"median ≤ {TARGET_S} s",
    definition=(
        "VPN On at a two-server location, then the connected server down in the lab (after a random 1-2 s): "
        "from the lab request until the app receives the daemon's first answered keepalive from the other "
        "server; every run must keep the session (On, same connected_since and session id), show the one-line "
        "notice and no Unstable or failure; default settings, daemon keepalive 1 s; reference: the keepalive "
        "interval"
    ),
)
SPECS: Final = (SPEC,)


def _broken(event: dict[str, Any]) -> list[str]:
    """What a run got wrong besides its time."""
    problems = []
    if not event["still_on"]:
        problems.append("VPN no longer On")
    if not event["timer_kept"]:
        problems.append("timer reset")
    if len(event["sessions"]) != 1:
        problems.append(f"session ids {event['sessions']}")
    if not event["notice"]:
        problems.append("no notice")
    if event["unstable_seen"]:
        problems.append(f"Unstable shown: {event['unstable_seen']}")
    if event["failures_seen"]:
        problems.append(f"failures shown: {event['failures_seen']}")
    return problems


def run(settings: RunSettings) -> list[Figure]:
    keepalive_s = DaemonOptions().keepalive_interval
    phase = (0.2, 0.5) if settings.quick else (1.0, 2.0)
    found: list[dict[str, Any]] = []
    with private_world() as world:
        driver = Child(
            [
                "-m",
                "benchmarks.app_driver",
                "--lab-url",
                world.lab_url,
                "failover",
                "--count",
                str(settings.failovers),
                "--warmup",
                str(settings.warmup),
                "--phase-min",
                str(phase[0]),
                "--phase-max",
                str(phase[1]),
            ],
            world,
            "failover-driver",
        )
        try:
            driver.expect("ready", DRIVER_TIMEOUT_S)
            while True:
                event = driver.read_event(DRIVER_TIMEOUT_S)
                if event["event"] == "failover" and not event["warmup"]:
                    found.append(event)
                elif event["event"] == "done":
                    break
        finally:
            driver.stop()
    if not found:
        raise BenchError("no failover was reported")
    seconds = summarize([float(event["seconds"]) for event in found])
    moved = summarize([float(event["moved_s"]) for event in found if event["moved_s"] is not None])
    problems = {index: _broken(event) for index, event in enumerate(found) if _broken(event)}
    slowest = max(found, key=lambda event: float(event["seconds"]))
    return [
        SPEC.figure(
            numbers_of(seconds),
            verdict(seconds.median <= TARGET_S and not problems),
            reference=Reference("keepalive interval", {"value": keepalive_s}),
            ratio=ratio(seconds.median, keepalive_s),
            details={
                "server_moved_event_s": numbers_of(moved),
                "runs_with_problems": problems,
                "moves": [f"{event['from_server']} -> {event['to_server']}" for event in found],
                "missed_keepalives_reported": [event["missed_keepalives"] for event in found],
                "notice": found[0]["notice"],
                "slowest": {key: slowest[key] for key in ("seconds", "moved_s", "patch_s", "from_server")},
            },
        )
    ]
