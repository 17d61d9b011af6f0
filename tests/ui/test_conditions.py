"""Every network condition, produced by the lab, gives exactly its own message: a modal, or a banner.

A failure the user must decide about opens its modal; one that clears by
itself shows its banner and blocks nothing.  Each test clicks the real
toggle in the real window, against the real daemon and lab, and checks both
what the user sees (objectNames) and what the daemon really does.
"""

from __future__ import annotations

from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from lab.lab_process import LabProcess
from mimic_core.sync_client import DaemonConnection
from mimic_vpn_testing.app import make_app
from mimic_vpn_testing.qt_driving import click, find_object, open_popups, run, shown, text_of
from mimic_vpn_testing.surface import BANNERS, MODALS
from vpnui.app import MimicApp
from vpnui.connection.states import VPNClientState
from vpnui.daemon_client import LinkState


def daemon_state() -> str:
    with DaemonConnection() as daemon:
        daemon.hello()
        return daemon.status().state


def messages(app: MimicApp) -> list[str]:
    """The failure modals open and the failure banners shown."""
    assert app.window is not None
    window = app.window
    return open_popups(window, MODALS) + [name for name in BANNERS if shown(window, name)]


def berlin_servers(lab: LabProcess) -> list[str]:
    return [s.name for s in lab.control.servers().servers() if s.name.startswith("de-ber")]


def turn_on_expecting(qtbot: QtBot, app: MimicApp, message: str) -> None:
    assert app.window is not None
    click(qtbot, app.window, "vpnToggle")
    qtbot.waitUntil(lambda: messages(app) == [message], timeout=10_000)
    qtbot.waitUntil(lambda: app.manager.state == VPNClientState.Off, timeout=5_000)
    assert daemon_state() == "off"


def turn_on(qtbot: QtBot, app: MimicApp) -> None:
    assert app.window is not None
    click(qtbot, app.window, "vpnToggle")
    qtbot.waitUntil(lambda: app.manager.state == VPNClientState.On, timeout=10_000)
    assert daemon_state() == "on"


PATCHES: list[tuple[str, dict[str, Any], str]] = [
    ("internet down", {"internet": False}, "bannerNoInternet"),
    ("captive portal", {"captive_portal": True}, "modalCaptivePortal"),
    ("firewall blocks UDP", {"firewall_blocks_udp": True}, "modalFirewallBlocking"),
    ("account service down", {"account_service": "down"}, "bannerAccountServiceUnreachable"),
    ("subscription expired", {"subscription": "expired"}, "modalNoSubscription"),
    ("no subscription", {"subscription": "none"}, "modalNoSubscription"),
]


@pytest.mark.parametrize(("patch", "message"), [p[1:] for p in PATCHES], ids=[p[0] for p in PATCHES])
def test_condition_before_turning_on_shows_its_message_then_clears(
    qtbot: QtBot, mimic: MimicApp, lab: LabProcess, patch: dict[str, Any], message: str
) -> None:
    lab.control.patch(patch)
    turn_on_expecting(qtbot, mimic, message)
    assert mimic.window is not None
    assert text_of(mimic.window, message + "Title") != ""
    lab.control.reset()
    # The modal or banner goes by itself once the condition is gone.
    qtbot.waitUntil(lambda: messages(mimic) == [], timeout=10_000)
    turn_on(qtbot, mimic)


def test_expired_subscription_is_explained_as_expired(qtbot: QtBot, mimic: MimicApp, lab: LabProcess) -> None:
    lab.control.patch({"subscription": "expired"})
    turn_on_expecting(qtbot, mimic, "modalNoSubscription")
    assert mimic.window is not None
    assert "expired" in text_of(mimic.window, "modalNoSubscriptionBody")


def test_every_server_of_the_location_down(qtbot: QtBot, mimic: MimicApp, lab: LabProcess) -> None:
    lab.control.patch({"servers": {name: {"down": True} for name in berlin_servers(lab)}})
    turn_on_expecting(qtbot, mimic, "modalServerUnavailable")
    lab.control.reset()
    qtbot.waitUntil(lambda: messages(mimic) == [], timeout=10_000)


def test_one_server_down_connects_to_the_other(qtbot: QtBot, mimic: MimicApp, lab: LabProcess) -> None:
    dead, alive = berlin_servers(lab)
    lab.control.patch({"servers": {dead: {"down": True}}})
    turn_on(qtbot, mimic)
    with DaemonConnection() as daemon:
        daemon.hello()
        status = daemon.status()
    assert status.server is not None and status.server.name == alive
    assert messages(mimic) == []


def test_captive_portal_appearing_while_on(qtbot: QtBot, mimic: MimicApp, lab: LabProcess) -> None:
    turn_on(qtbot, mimic)
    lab.control.patch({"captive_portal": True})
    qtbot.waitUntil(lambda: messages(mimic) == ["modalCaptivePortal"], timeout=10_000)
    # Never "server unavailable" behind a portal, and the daemon is not touched.
    assert mimic.manager.state == VPNClientState.On
    assert daemon_state() == "on"
    assert mimic.manager.portalUrl.endswith("/portal")
    lab.control.reset()
    qtbot.waitUntil(lambda: messages(mimic) == [], timeout=10_000)
    assert daemon_state() == "on"


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ({"internet": False}, "bannerNoInternet"),
        ({"firewall_blocks_udp": True}, "modalFirewallBlocking"),
        ("berlin down", "modalServerUnavailable"),
    ],
    ids=["internet down", "firewall", "servers down"],
)
def test_tunnel_stops_answering_while_on_names_the_cause(
    qtbot: QtBot, mimic: MimicApp, lab: LabProcess, patch: Any, message: str
) -> None:
    turn_on(qtbot, mimic)
    if patch == "berlin down":
        patch = {"servers": {name: {"down": True} for name in berlin_servers(lab)}}
    lab.control.patch(patch)
    qtbot.waitUntil(lambda: messages(mimic) == [message], timeout=10_000)
    assert mimic.manager.state == VPNClientState.On
    assert daemon_state() == "on"
    lab.control.reset()
    qtbot.waitUntil(lambda: messages(mimic) == [], timeout=10_000)
    assert daemon_state() == "on"


def test_loss_while_on_is_unstable_then_recovers(qtbot: QtBot, mimic: MimicApp, lab: LabProcess) -> None:
    turn_on(qtbot, mimic)
    with DaemonConnection() as daemon:
        daemon.hello()
        server = daemon.status().server
    assert server is not None
    lab.control.patch({"servers": {server.name: {"loss": 0.6}}})
    window = mimic.window
    assert window is not None
    qtbot.waitUntil(lambda: mimic.manager.unstable, timeout=15_000)
    qtbot.waitUntil(lambda: shown(window, "stabilityIndicator"), timeout=1_000)
    reason = mimic.manager.stabilityText
    assert "loss" in reason.lower()
    # Said once: the reason in the banner, not again under the title nor in the details.
    assert reason in text_of(window, "stabilityIndicatorText")
    assert text_of(window, "statusSubtitle") == "Unstable connection"
    assert "loss" not in text_of(window, "detailsRoundTrip")
    assert messages(mimic) == []
    lab.control.reset()
    qtbot.waitUntil(lambda: not mimic.manager.unstable, timeout=15_000)
    qtbot.waitUntil(lambda: not shown(window, "stabilityIndicator"), timeout=1_000)
    assert daemon_state() == "on"


def test_offline_at_start_shows_no_server_unavailable(qtbot: QtBot, qt_loop: object, lab: LabProcess) -> None:
    lab.control.patch({"internet": False})
    app = make_app(lab)
    window = app.show()
    qtbot.waitExposed(window)
    run(qtbot, app.start())
    qtbot.waitUntil(lambda: app.manager.link_state is LinkState.READY, timeout=20_000)
    qtbot.wait(1500)
    assert messages(app) == []
    click(qtbot, window, "vpnToggle")
    qtbot.waitUntil(lambda: messages(app) == ["bannerNoInternet"], timeout=10_000)
    run(qtbot, app.shutdown())


def test_switching_location_while_on_keeps_the_timer(qtbot: QtBot, mimic: MimicApp) -> None:
    turn_on(qtbot, mimic)
    since = mimic.manager.connectedSince
    window = mimic.window
    assert window is not None
    click(qtbot, window, "locationButton")
    qtbot.waitUntil(lambda: bool(find_object(window, "locationPicker").property("opened")), timeout=5_000)
    click(qtbot, window, "location_fr_par")
    qtbot.waitUntil(lambda: mimic.manager.serverName.startswith("fr-par"), timeout=10_000)
    assert mimic.manager.state == VPNClientState.On
    assert mimic.manager.connectedSince == since
    with DaemonConnection() as daemon:
        daemon.hello()
        status = daemon.status()
    assert status.server is not None and status.server.name.startswith("fr-par")
    assert status.connected_since == since
