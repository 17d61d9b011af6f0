"""Diagnosis: a condition appears while the VPN is On, until the right modal or banner is on screen.

The real app (default ``ConnectionSettings``) runs against a real lab and a
daemon with its default options (keepalive every 1 s).  With the VPN On and
the tunnel answering, one condition is flipped in the lab (after a random
1-2 s, so the failure falls anywhere in the keepalive schedule; 0.2-0.5 s in
a quick run); the figure
runs from just before the lab is asked until the manager's ``failure`` is
the expected key *and* that failure's QML modal reports ``opened`` (its
banner is visible, for one that clears by itself).  Then the lab is reset
and the message must go by itself before the next one.

The reference is the configured keepalive interval: the daemon's only
signal that a tunnel has gone quiet comes at that pace, so a diagnosis that
depends on it cannot be quicker than about one interval.

For every condition the slowest run's timeline (state changes, checks and
their durations, keepalive answers, failures) is kept in the details: it is
the evidence of where the time went.
"""

from __future__ import annotations

from typing import Any, Final

from benchmarks.report import Figure, Reference, Spec, numbers_of, ratio, verdict
from benchmarks.settings import RunSettings
from benchmarks.stats import summarize
from benchmarks.world import BenchError, Child, private_world
from daemon.options import DaemonOptions

TARGET_S: Final = 3.0
CONDITIONS: Final[dict[str, tuple[str, str]]] = {
    # condition: (what the lab does, expected failure key)
    "server_down": ("every server of the connected location down", "serverUnavailable"),
    "internet_down": ("internet off", "noInternet"),
    "captive_portal": ("a captive portal appears", "captivePortal"),
    "firewall": ("a firewall drops VPN datagrams (UDP)", "firewallBlocking"),
}
NOTICED_BY: Final[dict[str, str]] = {
    "server_down": "noticed through missed keepalives (the tunnel stops answering)",
    "internet_down": "noticed through the lab's condition stream, which the app treats as an OS network change",
    "captive_portal": "noticed through the lab's condition stream, which the app treats as an OS network change",
    "firewall": "noticed through missed keepalives (the tunnel stops answering)",
}
DRIVER_TIMEOUT_S: Final = 120.0


def spec(condition: str) -> Spec:
    what, failure = CONDITIONS[condition]
    return Spec(
        key=f"diagnosis_{condition}",
        title=f"Diagnosis while On: {condition.replace('_', ' ')}",
        unit="s",
        target=f"median ≤ {TARGET_S:.0f} s",
        definition=(
            f"VPN On, then {what} in the lab ({NOTICED_BY[condition]}): from the lab request until "
            f"manager.failure_key == {failure!r} and its modal is opened (its banner shown); default settings, "
            "daemon keepalive 1 s; "
            "reference: the keepalive interval"
        ),
    )


SPECS: Final = tuple(spec(condition) for condition in CONDITIONS)


def _slowest(runs: list[dict[str, Any]]) -> dict[str, Any]:
    slowest = max(runs, key=lambda run: float(run["seconds"]))
    return {
        "seconds": round(float(slowest["seconds"]), 3),
        "timeline_ms": slowest["timeline"],
    }


def run(settings: RunSettings) -> list[Figure]:
    keepalive_s = DaemonOptions().keepalive_interval
    runs: dict[str, list[dict[str, Any]]] = {condition: [] for condition in CONDITIONS}
    with private_world() as world:
        driver = Child(
            [
                "-m",
                "benchmarks.app_driver",
                "--lab-url",
                world.lab_url,
                "diagnosis",
                "--count",
                str(settings.diagnoses),
                "--phase-min",
                str(settings.diagnosis_phase_s[0]),
                "--phase-max",
                str(settings.diagnosis_phase_s[1]),
            ],
            world,
            "diagnosis-driver",
        )
        try:
            driver.expect("ready", DRIVER_TIMEOUT_S)
            while True:
                event = driver.read_event(DRIVER_TIMEOUT_S)
                if event["event"] == "diagnosis":
                    runs[str(event["condition"])].append(event)
                elif event["event"] == "done":
                    break
        finally:
            driver.stop()
    figures: list[Figure] = []
    for condition, figure_spec in zip(CONDITIONS, SPECS, strict=True):
        found = runs[condition]
        if not found:
            raise BenchError(f"no diagnosis of {condition} was reported")
        seconds = summarize([float(event["seconds"]) for event in found])
        failure_named = summarize([float(event["failure_s"]) for event in found])
        expected = CONDITIONS[condition][1]
        wrong_first = [event["failures_seen"] for event in found if event["failures_seen"][:1] != [expected]]
        figures.append(
            figure_spec.figure(
                numbers_of(seconds),
                verdict(seconds.median <= TARGET_S and not wrong_first),
                reference=Reference("keepalive interval", {"value": keepalive_s}),
                ratio=ratio(seconds.median, keepalive_s),
                details={
                    "failure_named_s": numbers_of(failure_named),
                    "another_failure_shown_first": wrong_first,
                    "vpn_stayed_on": all(bool(event["still_on"]) for event in found),
                    "slowest": _slowest(found),
                },
            )
        )
    return figures
