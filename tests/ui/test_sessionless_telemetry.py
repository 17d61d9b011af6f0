"""What the app measures outside any VPN session: the real app, lab and daemon, real ingestion.

The session design's validation question: "if the design is completely air
tight, i.e. all collected data is related to an active session id, there
should be no data on inactive session flush pings".  A failed activation's
checks and failure, a modal's re-checks and the daemon link's own health
belong to no session: they go out in the app's ``vpnclient`` ping, which
carries no session id, and nothing of them in a ``vpnsession`` ping under
the inactive id, which carries the identifiers and (the design's own error
path) ``session.session_id_retrieval_errors`` only.
"""

from __future__ import annotations

from typing import Any

from pytestqt.qtbot import QtBot

from lab.lab_process import LabProcess
from mimic_core.lab_api import StoredPing
from mimic_core.telemetry_names import INACTIVE_SESSION_ID
from mimic_vpn_testing.app import switch_on
from mimic_vpn_testing.qt_driving import click, shown
from tests.ui.test_session_telemetry import session_data, shared_id, wait_for_pings
from vpnui.app import MimicApp
from vpnui.connection.states import VPNClientState

ALLOWED_UNDER_INACTIVE_ID = {"labeled_counter:session.session_id_retrieval_errors"}


def reason(ping: StoredPing) -> str:
    return str(ping.payload["ping_info"].get("reason", ""))


def summed_counter(pings: list[StoredPing], name: str) -> dict[str, int]:
    total: dict[str, int] = {}
    for ping in pings:
        for label, count in session_data(ping).get(f"labeled_counter:{name}", {}).items():
            total[label] = total.get(label, 0) + int(count)
    return total


def timed_labels(pings: list[StoredPing], name: str) -> set[str]:
    found: set[str] = set()
    for ping in pings:
        found |= set(session_data(ping).get(f"labeled_timing_distribution:{name}", {}))
    return found


def client_pings_with(lab: LabProcess, metric: str) -> list[StoredPing]:
    pings = lab.control.pings(ping="vpnclient", limit=1000)
    return [p for p in pings if any(key.endswith(f":{metric}") for key in session_data(p))]


def test_failed_activation_goes_out_in_the_client_ping_not_under_the_inactive_id(
    qtbot: QtBot, mimic: MimicApp, lab: LabProcess
) -> None:
    window = mimic.window
    assert window is not None
    # A failed activation: the internet is down when the user turns the VPN on.
    lab.control.patch({"internet": False})
    click(qtbot, window, "vpnToggle")
    qtbot.waitUntil(lambda: shown(window, "bannerNoInternet"), timeout=10_000)
    qtbot.waitUntil(lambda: mimic.manager.state == VPNClientState.Off, timeout=5_000)
    # The internet returns (the banner's re-checks see it), then a session.
    lab.control.patch({"internet": True})
    qtbot.waitUntil(lambda: not shown(window, "bannerNoInternet"), timeout=10_000)
    live = switch_on(qtbot, mimic)
    click(qtbot, window, "vpnToggle")
    qtbot.waitUntil(lambda: mimic.manager.state == VPNClientState.Off, timeout=10_000)

    pings = wait_for_pings(qtbot, lab, {"vpnsession": ["flush_init", "flush", "start", "end"]})
    app_pings = [p for p in pings if p.ping == "vpnsession"]
    # Under the inactive id: the identifiers and the retrieval errors, nothing else.
    for ping in app_pings:
        if shared_id(ping) == INACTIVE_SESSION_ID:
            extra = sorted(set(session_data(ping)) - ALLOWED_UNDER_INACTIVE_ID)
            assert extra == [], (reason(ping), extra)
    # The session's pings hold its own activation's checks, not the failed one's failure.
    in_session = [p for p in app_pings if shared_id(p) == live]
    assert {"internet", "captive_portal", "subscription", "server"} <= timed_labels(
        in_session, "connection.check_duration"
    )
    assert summed_counter(in_session, "connection.failures") == {}

    # The failed activation's failure and checks arrive in the client ping.
    qtbot.waitUntil(lambda: bool(client_pings_with(lab, "no_session.failures")), timeout=20_000)
    client = wait_for_pings(qtbot, lab, {"vpnclient": ["activation_failed", "session_start"]})
    client_pings = [p for p in client if p.ping == "vpnclient"]
    assert summed_counter(client_pings, "no_session.failures").get("no_internet", 0) >= 1
    assert "internet" in timed_labels(client_pings, "no_session.check_duration")
    # The client ping is of no session: no session id, no session metric.
    for ping in client_pings:
        metrics: dict[str, Any] = ping.payload.get("metrics", {})
        names = {name for values in metrics.values() for name in values}
        assert not any(name.startswith(("session.", "connection.", "tunnel.")) for name in names), sorted(names)
