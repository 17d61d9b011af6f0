"""The app's daemon link (``DaemonClient``) against a peer that sends malformed lines.

A malformed line from the daemon's socket is logged and skipped: no
exception escapes into Qt's event loop (pytest-qt fails the test if one
does), the link stays up, and the lines after it are read in order.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from mimic_core import protocol
from mimic_core.protocol import DaemonError
from mimic_vpn_testing.qt_driving import run
from tests.support.hostile_peer import HOSTILE_LINES, HostilePeer
from vpnui.daemon_client import DaemonClient, LinkState


@pytest.fixture
def socket_path(mimic_home: Path) -> Iterator[Path]:
    directory = Path(tempfile.mkdtemp(prefix="mv-", dir="/tmp"))
    yield directory / "hostile.sock"
    directory.rmdir()


def respond(request: dict[str, Any]) -> list[bytes]:
    if request["type"] == "hello":
        # Every malformed line first, then the reply and an event behind them.
        hello = protocol.Result(id=request["id"], data={"version": protocol.PROTOCOL_VERSION, "pid": 1})
        on = protocol.StateChanged(state="on")
        return [line for line, _ in HOSTILE_LINES] + [protocol.encode(hello), protocol.encode(on)]
    return [protocol.encode(protocol.Result(id=request["id"], data={"state": "exploded"}))]


def test_malformed_lines_from_the_daemon_are_skipped(
    qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop, socket_path: Path
) -> None:
    with HostilePeer(socket_path, respond):
        client = DaemonClient("3f1a0c7e-1111-4222-8333-444455556666", socket_path=socket_path)
        events: list[object] = []
        client.eventReceived.connect(events.append)
        try:
            with qtbot.waitSignal(client.eventReceived, timeout=10_000):
                client.start()
            assert events == [protocol.StateChanged(state="on")]
            qtbot.waitUntil(lambda: client.link_state is LinkState.READY, timeout=5_000)
            with pytest.raises(DaemonError) as caught:
                run(qtbot, client.status())
            assert caught.value.code == "invalid_field"
            assert client.link_state is LinkState.READY
        finally:
            client.close()
