"""The TCP control port of one simulated VPN server (the firewall check).

A client that gets no UDP answer asks this port whether the server is there
at all: ``PONG`` with the UDP handshake missing means a firewall, no
``PONG`` means the server itself is unreachable.
"""

from __future__ import annotations

import asyncio
from typing import Final, cast

from lab.condition_board import ConditionBoard
from mimic_core import wire

# A control exchange is one short line; anything longer or slower is not a
# client worth waiting for.
_MAX_LINE: Final = 64
_IDLE_TIMEOUT_S: Final = 5.0


class TcpControlProtocol(asyncio.Protocol):
    """One connection to the control port of server ``name``."""

    def __init__(self, name: str, board: ConditionBoard, open_connections: set[asyncio.Transport]) -> None:
        self.name = name
        self._board = board
        self._open = open_connections
        self._transport: asyncio.Transport | None = None
        self._buffer = bytearray()
        self._idle: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)
        if not self._board.current.tcp_reaches(self.name):
            self._transport.close()
            return
        self._open.add(self._transport)
        self._idle = asyncio.get_running_loop().call_later(_IDLE_TIMEOUT_S, self._transport.close)

    def data_received(self, data: bytes) -> None:
        assert self._transport is not None
        if self._transport.is_closing():
            return
        self._buffer += data
        end = self._buffer.find(b"\n")
        if end < 0:
            if len(self._buffer) > _MAX_LINE:
                self._transport.close()
            return
        line = bytes(self._buffer[: end + 1])
        if line == wire.TCP_PING and self._board.current.tcp_reaches(self.name):
            self._transport.write(wire.TCP_PONG_PREFIX + self.name.encode() + b"\n")
        self._transport.close()

    def eof_received(self) -> bool | None:
        return None  # close our side too

    def connection_lost(self, exc: Exception | None) -> None:
        if self._idle is not None:
            self._idle.cancel()
        if self._transport is not None:
            self._open.discard(self._transport)
