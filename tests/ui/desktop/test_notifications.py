"""Desktop notifications: the exact Notify calls a real notification service receives.

The real app in this process, its real daemon and the real lab; a private
session bus with a notification service that records what it is sent
(lab/desktop_bus.py).  Every kind is produced the way a user meets
it: a lab condition, a dead server, a killed daemon.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from lab.desktop_bus import NotifyCall
from lab.lab_process import LabProcess
from mimic_core.sync_client import DaemonConnection
from mimic_vpn_testing.app import app_options, start_app
from mimic_vpn_testing.qt_driving import click, run
from tests.ui.desktop.conftest import Desktop
from vpnui.app import MimicApp
from vpnui.connection.states import VPNClientState
from vpnui.desktop.settings import NotificationKind

NORMAL, CRITICAL = 1, 2


def notifying_app(qtbot: QtBot, lab: LabProcess) -> MimicApp:
    options = app_options(lab)
    options.notification_throttle_s = 0.0  # each step below is its own notice
    return start_app(qtbot, MimicApp(options))


@pytest.fixture
def app(qtbot: QtBot, desktop: Desktop, lab: LabProcess) -> Iterator[MimicApp]:
    mimic = notifying_app(qtbot, lab)
    yield mimic
    run(qtbot, mimic.shutdown())


def unfocus(qtbot: QtBot, app: MimicApp) -> None:
    """The user is elsewhere: the window is in the tray."""
    assert app.window is not None
    app.window.hide()
    qtbot.waitUntil(lambda: app.desktop is not None and not app.desktop.window_focused(), timeout=5_000)


def wait_for(qtbot: QtBot, desktop: Desktop, summary: str) -> NotifyCall:
    qtbot.waitUntil(lambda: summary in desktop.notifications.summaries(), timeout=10_000)
    return next(call for call in desktop.notifications.calls if call.summary == summary)


def expect(call: NotifyCall, body: str, urgency: int, actions: list[str] | None = None) -> None:
    assert call.app_name == "Mimic VPN"
    assert call.body == body
    # desktop-notifier adds the "default" action (a click on the notification).
    assert call.actions == ["default", "", *(actions or [])]
    assert call.hints == {"urgency": urgency}
    assert call.icon.startswith("file://") and call.icon.endswith("resources/icons/mimic-vpn.svg")


def daemon_pid() -> int:
    with DaemonConnection() as daemon:
        return int(daemon.hello()["pid"])


def test_every_kind_is_notified_with_its_text_and_the_portal_action_turns_the_vpn_off(
    qtbot: QtBot, app: MimicApp, desktop: Desktop, lab: LabProcess
) -> None:
    manager = app.manager
    unfocus(qtbot, app)
    manager.toggle()
    qtbot.waitUntil(lambda: manager.state == VPNClientState.On, timeout=10_000)
    server = manager.serverName
    location = manager.locationName
    expect(wait_for(qtbot, desktop, f"Connected to {location}"), f"Your traffic goes through {server}.", NORMAL)

    # The connected server dies: the daemon moves the tunnel.
    lab.control.patch({"servers": {server: {"down": True}}})
    qtbot.waitUntil(lambda: manager.serverName not in ("", server), timeout=10_000)
    moved = wait_for(qtbot, desktop, f"Connection moved to {manager.serverName}")
    expect(moved, f"{server} stopped answering. The VPN stayed on.", NORMAL)
    lab.control.patch({"servers": {server: {"down": False}}})

    lab.control.patch({"internet": False})
    expect(
        wait_for(qtbot, desktop, "Internet connection lost"),
        "The VPN stays on and carries your traffic again when the internet is back.",
        CRITICAL,
    )
    lab.control.patch({"internet": True})
    expect(wait_for(qtbot, desktop, "Internet connection back"), f"Your traffic goes through {location} again.", NORMAL)

    lab.control.patch({"captive_portal": True})
    portal = wait_for(qtbot, desktop, "This network wants you to sign in")
    expect(
        portal,
        "A captive portal blocks the VPN. Turn the VPN off to reach the network's sign-in page.",
        CRITICAL,
        ["turn-off-vpn", "Turn off VPN"],
    )
    assert manager.state == VPNClientState.On
    # The user presses the notification's button once it is on screen, that
    # is once the app has read the service's reply: a signal read in the same
    # chunk as the reply reaches desktop-notifier before it knows the id
    # (it happened on a loaded CI machine).
    assert app.desktop is not None
    delivered = app.desktop.notifications.delivered
    qtbot.waitUntil(lambda: portal.summary in [note.summary for note in delivered], timeout=10_000)
    desktop.notifications.ActionInvoked(portal.id, "turn-off-vpn")
    qtbot.waitUntil(lambda: manager.state == VPNClientState.Off, timeout=10_000)
    with DaemonConnection() as daemon:
        daemon.hello()
        assert daemon.status().state == "off"
    expect(wait_for(qtbot, desktop, "VPN disconnected"), "Your traffic no longer goes through Mimic VPN.", NORMAL)
    lab.control.patch({"captive_portal": False})

    os.kill(daemon_pid(), signal.SIGKILL)
    expect(
        wait_for(qtbot, desktop, "VPN service stopped"),
        "Mimic VPN lost its background service and is starting it again.",
        CRITICAL,
    )
    expect(wait_for(qtbot, desktop, "VPN service back"), "Mimic VPN is linked to its background service again.", NORMAL)

    lab.control.patch({"subscription": "expired"})
    manager.toggle()
    expect(
        wait_for(qtbot, desktop, "Subscription expired"),
        "Your subscription has expired. Renew it to use the VPN.",
        CRITICAL,
    )
    assert desktop.notifications.summaries() == [
        f"Connected to {location}",
        f"Connection moved to {moved.summary.removeprefix('Connection moved to ')}",
        "Internet connection lost",
        "Internet connection back",
        "This network wants you to sign in",
        "VPN disconnected",
        "VPN service stopped",
        "VPN service back",
        "Subscription expired",
    ]


def test_a_change_made_in_the_focused_window_is_not_notified(qtbot: QtBot, app: MimicApp, desktop: Desktop) -> None:
    window = app.window
    assert window is not None
    window.requestActivate()
    qtbot.waitUntil(lambda: app.desktop is not None and app.desktop.window_focused(), timeout=5_000)
    click(qtbot, window, "vpnToggle")
    qtbot.waitUntil(lambda: app.manager.state == VPNClientState.On, timeout=10_000)
    click(qtbot, window, "vpnToggle")
    qtbot.waitUntil(lambda: app.manager.state == VPNClientState.Off, timeout=10_000)
    # The same changes with the window in the tray are notified (and prove the service is listened to).
    unfocus(qtbot, app)
    app.manager.toggle()
    wait_for(qtbot, desktop, f"Connected to {app.manager.locationName}")
    assert len(desktop.notifications.calls) == 1


def test_the_notifications_switch_silences_all_and_each_kind_has_its_own(
    qtbot: QtBot, app: MimicApp, desktop: Desktop, lab: LabProcess
) -> None:
    manager = app.manager
    unfocus(qtbot, app)
    app.preferences.notificationsEnabled = False
    manager.toggle()
    qtbot.waitUntil(lambda: manager.state == VPNClientState.On, timeout=10_000)
    manager.toggle()
    qtbot.waitUntil(lambda: manager.state == VPNClientState.Off, timeout=10_000)
    app.preferences.notificationsEnabled = True
    desktop_prefs = app.preferences.desktop
    desktop_prefs.setSwitch("notify." + NotificationKind.CONNECTED.value, False)
    assert app.settings.desktop.muted_notifications == ["connected"]
    manager.toggle()
    qtbot.waitUntil(lambda: manager.state == VPNClientState.On, timeout=10_000)
    manager.toggle()
    wait_for(qtbot, desktop, "VPN disconnected")
    assert desktop.notifications.summaries() == ["VPN disconnected"]


def test_without_a_notification_service_the_app_runs_and_says_so_once(
    qtbot: QtBot,
    qt_loop: asyncio.AbstractEventLoop,
    session_bus: object,  # an empty bus: no service, no tray host
    lab: LabProcess,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="vpnui.desktop")
    app = notifying_app(qtbot, lab)
    try:
        assert app.window is not None
        app.window.hide()
        for _ in range(2):
            app.manager.toggle()
            qtbot.waitUntil(lambda: app.manager.state == VPNClientState.On, timeout=10_000)
            app.manager.toggle()
            qtbot.waitUntil(lambda: app.manager.state == VPNClientState.Off, timeout=10_000)
        qtbot.waitUntil(lambda: any("notifications are off" in r.message for r in caplog.records), timeout=5_000)
    finally:
        run(qtbot, app.shutdown())
    said = [r for r in caplog.records if "notifications are off" in r.getMessage()]
    assert len(said) == 1 and said[0].levelno == logging.INFO
    assert "no org.freedesktop.Notifications service" in said[0].getMessage()
    assert app.desktop is not None and not app.desktop.tray.shown
