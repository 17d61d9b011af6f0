"""Messages in tiers: a modal only for a decision, closable; a lost daemon said once, by the status card.

The real app against the real daemon and lab; keys are real key events sent
to the window.
"""

from __future__ import annotations

import os
import signal
from typing import Any

import pytest
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtQuick import QQuickWindow
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from lab.lab_process import LabProcess
from mimic_core.sync_client import DaemonConnection
from mimic_vpn_testing.qt_driving import click, find_item, find_object, open_popups, shown, text_of
from mimic_vpn_testing.surface import BANNERS, MODALS
from vpnui.app import MimicApp
from vpnui.connection.states import VPNClientState
from vpnui.daemon_client import LinkState


def berlin_down(lab: LabProcess) -> dict[str, Any]:
    names = [s.name for s in lab.control.servers().servers() if s.name.startswith("de-ber")]
    return {"servers": {name: {"down": True} for name in names}}


def daemon_state() -> str:
    with DaemonConnection() as daemon:
        daemon.hello()
        return daemon.status().state


class OpenedUrls(QObject):
    """Qt's own hook for the URLs an app asks the desktop to open (QDesktopServices.setUrlHandler)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url.toString())


CONDITIONS = [
    ("captive portal", {"captive_portal": True}, "modalCaptivePortal"),
    ("subscription expired", {"subscription": "expired"}, "modalNoSubscription"),
    ("firewall blocks UDP", {"firewall_blocks_udp": True}, "modalFirewallBlocking"),
    ("every server of the location down", "berlin down", "modalServerUnavailable"),
]


@pytest.mark.parametrize(("patch", "modal"), [c[1:] for c in CONDITIONS], ids=[c[0] for c in CONDITIONS])
def test_every_modal_closes_with_escape_and_with_its_close_button(
    qtbot: QtBot, mimic: MimicApp, lab: LabProcess, patch: Any, modal: str
) -> None:
    window = mimic.window
    assert window is not None
    lab.control.patch(berlin_down(lab) if patch == "berlin down" else patch)
    for close in ("Escape", "close button"):
        click(qtbot, window, "vpnToggle")
        qtbot.waitUntil(lambda: open_popups(window, MODALS) == [modal], timeout=10_000)
        qtbot.waitUntil(lambda: mimic.manager.state == VPNClientState.Off, timeout=5_000)
        if close == "Escape":
            QTest.keyClick(window, Qt.Key.Key_Escape)
        else:
            click(qtbot, window, modal + "Close")
        qtbot.waitUntil(lambda: open_popups(window, MODALS) == [], timeout=2_000)
        # Closing is dismissing: the failure is no longer shown anywhere.
        assert mimic.manager.failure_key == ""


def test_captive_portal_while_on_leads_with_turning_off_and_opening_the_page(
    qtbot: QtBot, mimic: MimicApp, lab: LabProcess
) -> None:
    window = mimic.window
    assert window is not None
    click(qtbot, window, "vpnToggle")
    qtbot.waitUntil(lambda: mimic.manager.state == VPNClientState.On, timeout=10_000)
    lab.control.patch({"captive_portal": True})
    qtbot.waitUntil(lambda: open_popups(window, MODALS) == ["modalCaptivePortal"], timeout=10_000)

    # The first action, and the one Return presses: the tunnel hides the sign-in page.
    lead = find_item(window, "modalCaptivePortalTurnOffAndOpen")
    assert lead.isVisible() and lead.hasActiveFocus()
    assert lead.property("text") == "Turn off VPN and open the sign-in page"
    assert not find_item(window, "modalCaptivePortalOpen").isVisible()

    opened = OpenedUrls()
    # PySide6 6.11.3 types the method name as bytes, yet refuses bytes at run time (ValueError): it takes a str.
    QDesktopServices.setUrlHandler("http", opened, "open")  # type: ignore[arg-type]
    try:
        QTest.keyClick(window, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: mimic.manager.state == VPNClientState.Off, timeout=10_000)
    finally:
        QDesktopServices.unsetUrlHandler("http")
    assert opened.urls == [mimic.manager.portalUrl]
    assert daemon_state() == "off"


def _screen(window: QQuickWindow, app: MimicApp) -> dict[str, Any]:
    return {
        "title": text_of(window, "statusTitle"),
        "subtitle": text_of(window, "statusSubtitle"),
        "switch enabled": bool(find_item(window, "vpnToggle").property("enabled")),
        "modals": open_popups(window, MODALS),
        "banners": [name for name in (*BANNERS, "daemonLinkBanner") if shown(window, name)],
        "link": app.manager.link_state,
    }


def test_a_lost_daemon_reads_status_unknown_reconnecting_once_with_the_switch_disabled(
    qtbot: QtBot, mimic: MimicApp
) -> None:
    window = mimic.window
    assert window is not None
    announcer = find_object(window, "announcer")
    said: list[str] = []
    announcer.messageChanged.connect(lambda: said.append(str(announcer.property("message"))))  # type: ignore[attr-defined]
    with DaemonConnection() as daemon:
        pid = int(daemon.hello()["pid"])
    os.kill(pid, signal.SIGKILL)

    qtbot.waitUntil(lambda: mimic.manager.link_state is LinkState.LOST, timeout=5_000)
    qtbot.waitUntil(lambda: text_of(window, "statusTitle") == "Status unknown", timeout=2_000)
    assert _screen(window, mimic) == {
        "title": "Status unknown",
        "subtitle": "Reconnecting to the VPN service…",
        "switch enabled": False,
        "modals": [],
        "banners": [],
        "link": LinkState.LOST,
    }
    qtbot.waitUntil(lambda: mimic.manager.link_state is LinkState.READY, timeout=20_000)
    qtbot.waitUntil(lambda: text_of(window, "statusTitle") == "VPN is off", timeout=2_000)
    assert find_item(window, "vpnToggle").property("enabled") is True
    # Said to a screen reader once, and nothing else said it.
    lost = "Status unknown. Reconnecting to the VPN service…"
    assert said.count(lost) == 1
    assert [message for message in said if "service" in message.lower()] == [lost]
