"""Two network conditions against the real client: its app, its daemon and the network lab."""

from lab.lab_process import LabProcess
from mimic_vpn_testing.daemon import Daemon
from mimic_vpn_testing.screen import Screen


def test_a_captive_portal_before_connecting(mimic_lab: LabProcess, mimic_ui: Screen, mimic_daemon: Daemon) -> None:
    mimic_lab.control.patch({"captive_portal": True})
    mimic_ui.click("vpnToggle")
    mimic_ui.wait_for_modal("modalCaptivePortal")
    mimic_ui.wait_for_state("Off")
    assert mimic_daemon.status().state == "off"  # the tunnel was never brought up

    mimic_lab.control.patch({"captive_portal": False})  # the user signs in
    mimic_ui.wait_for_no_modal()


def test_a_server_dying_while_connected(mimic_lab: LabProcess, mimic_ui: Screen, mimic_daemon: Daemon) -> None:
    mimic_ui.click("vpnToggle")
    mimic_ui.wait_for_state("On")
    first = mimic_daemon.server_name()
    session = mimic_daemon.session_id()

    mimic_lab.control.patch({"servers": {first: {"down": True}}})
    moved = mimic_daemon.wait_for(lambda s: s.server is not None and s.server.name != first, "another server")
    assert moved.session_id == session  # the same session goes on, elsewhere
    mimic_ui.wait_visible("serverMovedNotice")
    assert first in mimic_ui.text("serverMovedNotice")

    assert moved.server is not None
    mimic_lab.control.patch({"servers": {moved.server.name: {"down": True}}})  # the whole location is down
    mimic_ui.wait_for_modal("modalServerUnavailable")
    assert mimic_ui.text("modalServerUnavailableTitle") == "Location unavailable"
    assert mimic_ui.state() == "On"  # the VPN is not turned off behind the user's back
