"""A status reply read together with a newer session event does not undo the event.

The daemon client resolves a reply's future (its coroutine resumes on the
next loop turn) but emits an event's signal at once.  When the reply to the
status asked after (re)linking and a ``connected`` event sent just after it
arrive in one socket read, the manager handled the event first and then the
older "off" status, and showed Off while the daemon ran a session.  A
scripted peer on a real socket sends exactly that.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from mimic_core import protocol
from mimic_vpn_testing.qt_driving import run
from tests.support.hostile_peer import HostilePeer
from vpnui.connection.manager import ConnectionManager
from vpnui.connection.settings import ConnectionSettings
from vpnui.connection.states import VPNClientState
from vpnui.controller import Controller
from vpnui.daemon_client import DaemonClient, LinkState
from vpnui.settings import Settings

SERVER = protocol.ServerEndpoint(name="de-ber-wg-001", host="127.0.0.1", udp_port=9, country="de", city="ber")
SESSION_ID = "6c1f0b4e-2a3d-4e5f-8a9b-0c1d2e3f4a5b"


@pytest.fixture
def socket_path(mimic_home: Path) -> Iterator[Path]:
    directory = Path(tempfile.mkdtemp(prefix="mv-", dir="/tmp"))
    yield directory / "daemon.sock"
    directory.rmdir()


def respond(request: dict[str, Any]) -> list[bytes]:
    request_id = request["id"]
    if request["type"] == "hello":
        return [protocol.encode(protocol.Result(id=request_id, data={"version": protocol.PROTOCOL_VERSION, "pid": 1}))]
    if request["type"] == "status":
        off = protocol.StatusData(
            state="off",
            server=None,
            location="",
            connected_since=None,
            rx_bytes=0,
            tx_bytes=0,
            rtt_ms=None,
            loss=0.0,
            session_id="00000000-0000-0000-0000-000000000000",
        )
        connected = protocol.Connected(
            server=SERVER, location="Berlin, Germany", connected_since=time.time(), session_id=SESSION_ID
        )
        # One write: the reply (taken before the session started), then the event.
        return [protocol.encode(protocol.Result(id=request_id, data=_as_dict(off))) + protocol.encode(connected)]
    return [protocol.encode(protocol.Result(id=request_id, data={}))]


def _as_dict(status: protocol.StatusData) -> dict[str, Any]:
    return {field: getattr(status, field) for field in status.__struct_fields__}


def test_a_connected_event_behind_an_older_status_reply_wins(
    qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop, socket_path: Path
) -> None:
    with HostilePeer(socket_path, respond):
        client = DaemonClient("3f1a0c7e-1111-4222-8333-444455556666", socket_path=socket_path)
        manager = ConnectionManager(client, Controller(client), Settings(), ConnectionSettings())
        try:
            client.start()
            qtbot.waitUntil(lambda: client.link_state is LinkState.READY, timeout=5_000)
            qtbot.waitUntil(lambda: manager.property("state") == VPNClientState.On, timeout=5_000)
            # Long enough for the stale reply's coroutine to have resumed.
            qtbot.wait(300)
            assert manager.property("state") == VPNClientState.On
        finally:
            client.close()
            run(qtbot, manager.shutdown())
