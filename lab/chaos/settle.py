"""When a step has settled, and what it means if it never does.

After every action the runner polls the app (through its inspector) and
the daemon (``status``) until both rest in the same state: no activation
or teardown under way in the daemon, the app's link ready and its client
state Off or On, matching the daemon's, on the same server and with the
same session start.  ``judge`` is that rule, as a pure function of one
poll; a state that does not settle within the step's bound becomes the
problem the verdict names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from lab.chaos.record import StateProblem
from mimic_core.inspector_protocol import AppState
from mimic_core.protocol import StatusData
from mimic_core.telemetry_names import INACTIVE_SESSION_ID

RESTING_APP_STATES: Final = frozenset({"Off", "On"})
SINCE_TOLERANCE_S: Final = 1.0
"""The app shows the daemon's ``connected_since``; it may only round it."""


@dataclass(frozen=True)
class Verdict:
    settled: bool
    waiting_for: str = ""
    """What is not at rest yet (empty when settled)."""
    problem: StateProblem | None = None
    """What it is if it stays so past the step's bound (``None``: nothing wrong, only slow)."""


def describe_app(app: AppState | None) -> str:
    if app is None:
        return ""
    parts = [app.client_state, f"link {app.link_state}"]
    if app.server_name:
        parts.append(app.server_name)
    if app.failure:
        parts.append(f"failure {app.failure}")
    if app.connection_state not in ("Idle",):
        parts.append(app.connection_state)
    return ", ".join(parts)


def describe_daemon(daemon: StatusData | None) -> str:
    if daemon is None:
        return "not running"
    server = f" {daemon.server.name}" if daemon.server is not None and daemon.state == "on" else ""
    return f"{daemon.state}{server}"


def judge(app: AppState | None, app_running: bool, daemon: StatusData | None) -> Verdict:
    """Whether one poll of the app (``None``: no answer) and the daemon (``None``: none answers) is at rest."""
    session = daemon.session_id if daemon is not None and daemon.session_id != INACTIVE_SESSION_ID else None
    if daemon is None:
        if not app_running:
            return Verdict(True)
        return Verdict(
            False,
            "a daemon (the running app starts one)",
            StateProblem("app_matches_daemon", "the app runs but no daemon answers: the app did not start one"),
        )
    if daemon.state in ("connecting", "disconnecting"):
        # A long "connecting" is judged from the daemon's own state changes (see invariants).
        problem = (
            StateProblem("daemon_not_stuck_connecting", "the daemon stayed 'disconnecting'", session)
            if daemon.state == "disconnecting"
            else None
        )
        return Verdict(False, f"the daemon ({daemon.state})", problem)
    if not app_running:
        return Verdict(True)
    if app is None:
        return Verdict(
            False,
            "the app's inspector",
            StateProblem("app_matches_daemon", "the app runs but does not answer its inspector", session),
        )
    shown = f"the app shows {describe_app(app)} while the daemon is {describe_daemon(daemon)}"
    if app.link_state != "ready":
        return Verdict(False, "the app's daemon link", StateProblem("app_matches_daemon", shown, session))
    if app.client_state not in RESTING_APP_STATES:
        return Verdict(False, f"the app ({app.client_state})", StateProblem("app_matches_daemon", shown, session))
    if (app.client_state == "On") != (daemon.state == "on"):
        return Verdict(False, "the app to follow the daemon", StateProblem("app_matches_daemon", shown, session))
    if daemon.state == "on":
        server = daemon.server.name if daemon.server is not None else ""
        if app.server_name and server and app.server_name != server:
            return Verdict(False, "the app's server", StateProblem("app_matches_daemon", shown, session))
        if (
            app.connected_since is not None
            and daemon.connected_since is not None
            and abs(app.connected_since - daemon.connected_since) > SINCE_TOLERANCE_S
        ):
            message = (
                f"the app counts the session from {app.connected_since:.3f}, the daemon from"
                f" {daemon.connected_since:.3f}"
            )
            return Verdict(False, "the app's timer", StateProblem("app_matches_daemon", message, session))
    return Verdict(True)
