"""The blocking client (``vpnui-ctl``, tools) against a peer that sends malformed lines.

Each malformed line must come out as the client's own ``DaemonError``, which
its callers handle, never as another exception, and the connection must go
on serving the requests after it.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mimic_core.protocol import MAX_LINE_BYTES, DaemonError, Result, encode, to_builtins
from mimic_core.sync_client import DaemonConnection
from tests.support.hostile_peer import HOSTILE_LINES, HostilePeer

STATUS: dict[str, Any] = {
    "state": "off",
    "server": None,
    "location": "",
    "connected_since": None,
    "rx_bytes": 0,
    "tx_bytes": 0,
    "rtt_ms": None,
    "loss": 0.0,
    "session_id": "00000000-0000-0000-0000-000000000000",
}


@pytest.fixture
def socket_path() -> Iterator[Path]:
    directory = Path(tempfile.mkdtemp(prefix="mv-", dir="/tmp"))
    yield directory / "hostile.sock"
    directory.rmdir()


def test_each_malformed_line_is_a_daemon_error_and_the_connection_goes_on(socket_path: Path) -> None:
    pending = list(HOSTILE_LINES)

    def respond(request: dict[str, Any]) -> list[bytes]:
        # Before each reply, the next malformed line (while there are any).
        hostile = [pending.pop(0)[0]] if pending else []
        return [*hostile, encode(Result(id=request["id"], data=STATUS))]

    with HostilePeer(socket_path, respond), DaemonConnection(socket_path) as connection:
        for _, code in HOSTILE_LINES:
            with pytest.raises(DaemonError) as caught:
                connection.status()
            assert caught.value.code == code
        # The replies held up behind the bad lines are skipped (not the current id); this one is read.
        assert to_builtins(connection.status()) == STATUS


@pytest.mark.parametrize(
    ("data", "call"),
    [
        ({"state": "exploded"}, "status"),
        ({"session_id": 7}, "session_id"),
        ({"lines": "all of them"}, "logs"),
    ],
)
def test_a_reply_with_the_wrong_data_is_a_daemon_error(socket_path: Path, data: dict[str, Any], call: str) -> None:
    with (
        HostilePeer(socket_path, lambda request: [encode(Result(id=request["id"], data=data))]),
        DaemonConnection(socket_path) as connection,
        pytest.raises(DaemonError) as caught,
    ):
        getattr(connection, call)()
    assert caught.value.code == "invalid_field"


def test_a_line_over_the_limit_is_one_daemon_error_and_the_next_reply_is_read(socket_path: Path) -> None:
    sent_long: list[bool] = []

    def respond(request: dict[str, Any]) -> list[bytes]:
        long = [] if sent_long else [b'{"type": "result", "id": 1, "data": "' + b"x" * MAX_LINE_BYTES + b'"}']
        sent_long.append(True)
        return [*long, encode(Result(id=request["id"], data=STATUS))]

    with HostilePeer(socket_path, respond), DaemonConnection(socket_path) as connection:
        with pytest.raises(DaemonError) as caught:
            connection.status()
        assert caught.value.code == "line_too_long"
        # The long line was dropped whole: the reply behind it is the next thing read.
        assert to_builtins(connection.status()) == STATUS
