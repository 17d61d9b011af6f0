"""A user reproduces a modal by flipping a condition in the lab panel."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from lab.lab_process import LabProcess
from mimic_vpn_testing.qt_driving import click, find_item, find_object
from vpnui.app import MimicApp
from vpnui.connection.states import VPNClientState


def test_flipping_internet_in_the_panel_shows_no_internet(qtbot: QtBot, mimic: MimicApp, lab: LabProcess) -> None:
    window = mimic.window
    assert window is not None
    qtbot.waitUntil(lambda: bool(mimic.lab_conditions.servers), timeout=10_000)
    click(qtbot, window, "labPanelButton")
    qtbot.waitUntil(lambda: bool(find_object(window, "labPanel").property("opened")), timeout=5_000)
    assert find_item(window, "labInternetSwitch").property("checked") is True

    click(qtbot, window, "labInternetSwitch")
    qtbot.waitUntil(lambda: lab.control.conditions().internet is False, timeout=5_000)
    # The panel follows the lab's event stream.
    qtbot.waitUntil(lambda: find_item(window, "labInternetSwitch").property("checked") is False, timeout=5_000)
    click(qtbot, window, "labPanelClose")
    qtbot.waitUntil(lambda: not find_object(window, "labPanel").property("opened"), timeout=5_000)

    click(qtbot, window, "vpnToggle")
    qtbot.waitUntil(lambda: bool(find_object(window, "modalNoInternet").property("opened")), timeout=10_000)
    assert mimic.manager.state == VPNClientState.Off


def test_connection_details_show_the_live_tunnel(qtbot: QtBot, mimic: MimicApp) -> None:
    window = mimic.window
    assert window is not None
    click(qtbot, window, "vpnToggle")
    qtbot.waitUntil(lambda: mimic.manager.state == VPNClientState.On, timeout=10_000)
    qtbot.waitUntil(lambda: "ms" in str(find_item(window, "detailsRoundTrip").property("text")), timeout=5_000)
    assert str(find_item(window, "detailsServer").property("text")).startswith("de-ber")
    assert "↓" in str(find_item(window, "detailsTraffic").property("text"))
