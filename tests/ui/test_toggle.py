"""The toggle in the real window turns the real daemon's tunnel on and off."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from mimic_core.sync_client import DaemonConnection
from mimic_vpn_testing.qt_driving import click, text_of
from vpnui.app import MimicApp
from vpnui.connection.states import VPNClientState


def daemon_state() -> str:
    with DaemonConnection() as daemon:
        daemon.hello()
        return daemon.status().state


def test_toggle_connects_and_disconnects(qtbot: QtBot, mimic: MimicApp) -> None:
    window = mimic.window
    assert window is not None
    assert text_of(window, "statusTitle") == "VPN is off"

    click(qtbot, window, "vpnToggle")
    qtbot.waitUntil(lambda: mimic.manager.state == VPNClientState.On, timeout=10_000)
    assert text_of(window, "statusTitle") == "VPN is on"
    assert "Berlin, Germany" in text_of(window, "statusSubtitle")
    assert daemon_state() == "on"

    click(qtbot, window, "vpnToggle")
    qtbot.waitUntil(lambda: mimic.manager.state == VPNClientState.Off, timeout=10_000)
    assert text_of(window, "statusTitle") == "VPN is off"
    assert daemon_state() == "off"
