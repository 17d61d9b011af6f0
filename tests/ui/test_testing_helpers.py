"""The plugin's window helpers: they act as a user does, and a wait that runs out says what was on screen."""

from __future__ import annotations

import pytest

from lab.lab_process import LabProcess
from mimic_vpn_testing.daemon import Daemon
from mimic_vpn_testing.screen import Screen


def test_typing_a_space_on_the_focused_switch_turns_the_vpn_on(mimic_ui: Screen, mimic_daemon: Daemon) -> None:
    mimic_ui.type("vpnToggle", " ")
    mimic_ui.wait_for_state("On")
    mimic_ui.wait_for_text("statusTitle", "VPN is on")
    assert mimic_daemon.wait_for_state("on").server is not None


def test_a_wait_that_runs_out_says_what_was_on_screen(mimic_ui: Screen, mimic_lab: LabProcess) -> None:
    mimic_lab.control.patch({"internet": False})
    mimic_ui.click("vpnToggle")
    mimic_ui.wait_for_banner("bannerNoInternet")

    with pytest.raises(AssertionError) as failure:
        mimic_ui.wait_for_modal("modalCaptivePortal", timeout=0.5)

    message = str(failure.value)
    assert message.startswith("the modal modalCaptivePortal did not happen within 0.5 s; on screen: state Off")
    assert "failure noInternet" in message and "open modals none, banners ['bannerNoInternet']" in message
    with pytest.raises(LookupError, match=r"no item named 'noSuchItem' in the window; visible now: .*vpnToggle"):
        mimic_ui.click("noSuchItem")
    with pytest.raises(ValueError, match="'statusTitle' is not a modal"):
        mimic_ui.wait_for_modal("statusTitle")
    with pytest.raises(ValueError, match="'modalCaptivePortal' is not a banner"):
        mimic_ui.wait_for_banner("modalCaptivePortal")


def test_a_daemon_wait_that_runs_out_says_what_the_daemon_reported(mimic_ui: Screen, mimic_daemon: Daemon) -> None:
    with pytest.raises(AssertionError) as failure:
        mimic_daemon.wait_for_state("on", timeout=0.3)
    assert "did not reach state 'on' within 0.3 s; it reports state 'off', server none" in str(failure.value)
