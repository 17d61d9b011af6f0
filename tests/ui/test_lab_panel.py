"""A user reproduces a failure by switching a fault on in the lab panel."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from lab.lab_process import LabProcess
from mimic_vpn_testing.qt_driving import click, find_item, find_object, shown
from vpnui.app import MimicApp
from vpnui.connection.states import VPNClientState


def test_switching_internet_down_in_the_panel_shows_no_internet(qtbot: QtBot, mimic: MimicApp, lab: LabProcess) -> None:
    window = mimic.window
    assert window is not None
    qtbot.waitUntil(lambda: bool(mimic.lab_conditions.servers), timeout=10_000)
    click(qtbot, window, "labPanelButton")
    qtbot.waitUntil(lambda: bool(find_object(window, "labPanel").property("opened")), timeout=5_000)
    # Every switch of the lab is a fault: off while the world is healthy.
    assert find_item(window, "labInternetDownSwitch").property("checked") is False

    click(qtbot, window, "labInternetDownSwitch")
    qtbot.waitUntil(lambda: lab.control.conditions().internet is False, timeout=5_000)
    # The panel follows the lab's event stream.
    qtbot.waitUntil(lambda: find_item(window, "labInternetDownSwitch").property("checked") is True, timeout=5_000)
    click(qtbot, window, "labPanelClose")
    qtbot.waitUntil(lambda: not find_object(window, "labPanel").property("opened"), timeout=5_000)

    click(qtbot, window, "vpnToggle")
    qtbot.waitUntil(lambda: shown(window, "bannerNoInternet"), timeout=10_000)
    assert mimic.manager.state == VPNClientState.Off


def test_every_lab_switch_is_on_exactly_while_its_fault_is(qtbot: QtBot, mimic: MimicApp, lab: LabProcess) -> None:
    window = mimic.window
    assert window is not None
    qtbot.waitUntil(lambda: bool(mimic.lab_conditions.servers), timeout=10_000)
    click(qtbot, window, "labPanelButton")
    qtbot.waitUntil(lambda: bool(find_object(window, "labPanel").property("opened")), timeout=5_000)
    server = mimic.lab_conditions.servers[0]["name"]
    switches = [
        "labInternetDownSwitch",
        "labCaptivePortalSwitch",
        "labFirewallSwitch",
        "labAccountDownSwitch",
        f"labServerDown_{server}",
    ]
    assert [find_item(window, name).property("checked") for name in switches] == [False] * len(switches)

    # One fault by the panel's own switch, the others from elsewhere (the command line).
    click(qtbot, window, "labCaptivePortalSwitch")
    qtbot.waitUntil(lambda: lab.control.conditions().captive_portal is True, timeout=5_000)
    lab.control.patch(
        {
            "internet": False,
            "firewall_blocks_udp": True,
            "account_service": "down",
            "servers": {server: {"down": True}},
        }
    )

    def all_on() -> bool:
        return all(find_item(window, name).property("checked") is True for name in switches)

    qtbot.waitUntil(all_on, timeout=5_000)
    # A reset from elsewhere turns them all off again, the one just clicked
    # too: a switch never holds a value of its own.
    lab.control.reset()
    qtbot.waitUntil(lambda: not any(find_item(window, name).property("checked") for name in switches), timeout=5_000)


def test_connection_details_show_the_live_tunnel(qtbot: QtBot, mimic: MimicApp) -> None:
    window = mimic.window
    assert window is not None
    click(qtbot, window, "vpnToggle")
    qtbot.waitUntil(lambda: mimic.manager.state == VPNClientState.On, timeout=10_000)
    # The details exist while there is a live tunnel to show.
    qtbot.waitUntil(
        lambda: (
            shown(window, "detailsRoundTrip") and "ms" in str(find_item(window, "detailsRoundTrip").property("text"))
        ),
        timeout=5_000,
    )
    assert str(find_item(window, "detailsServer").property("text")).startswith("de-ber")
    assert "↓" in str(find_item(window, "detailsTraffic").property("text"))
    # A healthy link shows no loss figure: loss is the Unstable banner's to name.
    assert "loss" not in str(find_item(window, "detailsRoundTrip").property("text"))
