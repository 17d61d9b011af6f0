"""When a fault-run step has settled (lab/chaos/settle.py), and what an unsettled state means."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from lab.chaos.settle import judge
from mimic_core.inspector_protocol import AppState
from mimic_core.protocol import ServerEndpoint, StatusData
from mimic_core.telemetry_names import INACTIVE_SESSION_ID

SESSION = "2f6b8f0e-3c4a-4e8e-9d9c-0a1b2c3d4e5f"
SINCE = 1_800_000_000.25
SERVER = ServerEndpoint(name="de-ber-wg-001", host="127.0.0.1", udp_port=1)


def app(client_state: str = "Off", **changes: Any) -> AppState:
    state = AppState(
        pid=1,
        client_state=client_state,
        connection_state="Idle",
        link_state="ready",
        failure="",
        failure_detail="",
        title="",
        subtitle="",
        server_name="de-ber-wg-001" if client_state == "On" else "",
        country_code="de",
        city_code="ber",
        location_name="Berlin, Germany",
        connected_since=SINCE if client_state == "On" else None,
        locations_loaded=True,
        telemetry_session_id=None,
        palette="light",
        system_color_scheme="Unknown",
    )
    return msgspec.structs.replace(state, **changes)


def daemon(state: str = "off", **changes: Any) -> StatusData:
    on = state == "on"
    status = StatusData(
        state=state,  # type: ignore[arg-type]
        server=SERVER if on else None,
        location="Berlin, Germany" if on else "",
        connected_since=SINCE if on else None,
        rx_bytes=0,
        tx_bytes=0,
        rtt_ms=None,
        loss=0.0,
        session_id=SESSION if on else INACTIVE_SESSION_ID,
    )
    return msgspec.structs.replace(status, **changes)


@pytest.mark.parametrize(
    ("shown", "running", "status"),
    [
        (app("Off"), True, daemon("off")),
        (app("On"), True, daemon("on")),
        (None, False, daemon("on")),  # the app is not running: the daemon's state stands alone
        (None, False, None),  # nothing runs (a killed daemon, no app to restart it)
        (app("On", connected_since=SINCE + 0.4), True, daemon("on")),
    ],
)
def test_states_at_rest(shown: AppState | None, running: bool, status: StatusData | None) -> None:
    assert judge(shown, running, status).settled


@pytest.mark.parametrize(
    ("shown", "running", "status", "invariant"),
    [
        (app("Off"), True, None, "app_matches_daemon"),  # the app should have started a daemon
        (None, True, daemon("off"), "app_matches_daemon"),  # the app does not answer
        (app("Off", link_state="lost"), True, daemon("off"), "app_matches_daemon"),
        (app("Connecting"), True, daemon("off"), "app_matches_daemon"),
        (app("Switching"), True, daemon("on"), "app_matches_daemon"),
        (app("Off"), True, daemon("on"), "app_matches_daemon"),
        (app("On"), True, daemon("off"), "app_matches_daemon"),
        (app("On", server_name="fr-par-wg-001"), True, daemon("on"), "app_matches_daemon"),
        (app("On", connected_since=SINCE - 30), True, daemon("on"), "app_matches_daemon"),
        (app("Off"), True, daemon("disconnecting"), "daemon_not_stuck_connecting"),
        (app("Connecting"), True, daemon("connecting"), None),  # only slow (its length is judged elsewhere)
    ],
)
def test_states_not_at_rest_and_what_they_mean_if_they_stay(
    shown: AppState | None, running: bool, status: StatusData | None, invariant: str | None
) -> None:
    verdict = judge(shown, running, status)
    assert not verdict.settled and verdict.waiting_for
    assert (verdict.problem.invariant if verdict.problem else None) == invariant


def test_a_mismatch_names_both_sides_and_the_session() -> None:
    verdict = judge(app("Off"), True, daemon("on"))
    assert verdict.problem is not None
    assert verdict.problem.session_id == SESSION
    assert verdict.problem.message == "the app shows Off, link ready while the daemon is on de-ber-wg-001"
