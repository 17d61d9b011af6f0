"""A connected server that dies is left for one that answers, silently; a dead location is named.

The real app in this process, its real daemon and the real lab: the
connected server is marked down in the lab, and the test checks what the
daemon did (its status: server, session id, ``connected_since``) and what
the user sees (state, timer, the one-line notice, no "Unstable").
"""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from lab.lab_process import LabProcess
from mimic_core.protocol import StatusData
from mimic_core.sync_client import DaemonConnection
from mimic_vpn_testing.app import switch_on
from mimic_vpn_testing.qt_driving import shown, text_of
from tests.ui.test_conditions import messages
from vpnui.app import MimicApp
from vpnui.connection.states import VPNClientState

# The bound for naming a dead location while on.
LOCATION_UNAVAILABLE_WITHIN_MS = 8_000


def daemon_status() -> StatusData:
    with DaemonConnection() as daemon:
        daemon.hello()
        return daemon.status()


def daemon_log() -> list[str]:
    with DaemonConnection() as daemon:
        daemon.hello()
        return daemon.logs(lines=5000)


def connected_server() -> str:
    server = daemon_status().server
    return server.name if server is not None else ""


def test_a_dead_server_is_left_for_a_live_one_then_a_dead_location_is_named(
    qtbot: QtBot, mimic: MimicApp, lab: LabProcess
) -> None:
    manager = mimic.manager
    window = mimic.window
    assert window is not None
    session_id = switch_on(qtbot, mimic)
    before = daemon_status()
    assert before.server is not None and before.connected_since is not None
    dead = before.server.name
    location = [name for name in lab.endpoints() if name.startswith(dead.rsplit("-", 1)[0])]
    assert len(location) == 2, location  # the app's default location has two servers
    (alive,) = [name for name in location if name != dead]
    since = manager.connectedSince
    assert since == before.connected_since

    unstable_seen: list[str] = []
    failures_seen: list[str] = []
    moves: list[tuple[str, str]] = []
    manager.stabilityChanged.connect(lambda: unstable_seen.append(manager.stabilityText) if manager.unstable else None)
    manager.failureRaised.connect(failures_seen.append)
    if hasattr(manager, "serverMoved"):
        manager.serverMoved.connect(lambda source, target: moves.append((source, target)))

    lab.control.patch({"servers": {dead: {"down": True}}})
    # The tunnel moves to the server that answers, by itself.
    qtbot.waitUntil(lambda: connected_server() == alive, timeout=8_000)
    after = daemon_status()
    assert after.state == "on"
    assert after.session_id == session_id
    assert after.connected_since == before.connected_since
    qtbot.waitUntil(lambda: manager.serverName == alive, timeout=5_000)
    assert manager.state == VPNClientState.On
    assert manager.connectedSince == since  # the timer was not reset
    # Told in one line, in the window.
    assert moves == [(dead, alive)]
    qtbot.waitUntil(lambda: shown(window, "serverMovedNotice"), timeout=5_000)
    text = text_of(window, "serverMovedNoticeText")
    assert dead in text and alive in text and "\n" not in text
    assert manager.property("movedNotice") == text
    # Traffic flows on the new server, and a dead server was never "unstable".
    qtbot.waitUntil(lambda: manager.roundTrip != "" and not manager.roundTrip.startswith("no answer"), timeout=5_000)
    assert unstable_seen == [] and not manager.unstable
    assert failures_seen == [] and messages(mimic) == []

    # Now nothing of the location answers: named as such, and quickly.
    lab.control.patch({"servers": {alive: {"down": True}}})
    qtbot.waitUntil(lambda: messages(mimic) == ["modalServerUnavailable"], timeout=LOCATION_UNAVAILABLE_WITHIN_MS)
    assert manager.failure_key == "serverUnavailable"
    assert manager.state == VPNClientState.On
    assert unstable_seen == []
    final = daemon_status()
    assert final.state == "on" and final.session_id == session_id
    assert final.connected_since == before.connected_since
    # The daemon was never asked to turn the VPN off.
    log = "\n".join(daemon_log())
    assert "deactivate requested" not in log and "-> disconnecting" not in log
