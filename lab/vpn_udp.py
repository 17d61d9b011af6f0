"""The UDP side of one simulated VPN server: handshakes and keepalives.

Failures are made the way a network makes them: a blocked, lost or dead
server simply never answers, and latency delays the answer.  Nothing a
client sends can stop the server, since a real one faces arbitrary traffic.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import random
from typing import cast

from lab.condition_board import ConditionBoard
from mimic_core import wire

log = logging.getLogger(__name__)

Address = tuple[str | int, ...]


class UdpServerProtocol(asyncio.DatagramProtocol):
    """Answers ``hs`` and ``ka`` datagrams as the server ``name``."""

    def __init__(self, name: str, board: ConditionBoard, rng: random.Random) -> None:
        self.name = name
        self._board = board
        self._rng = rng
        self._transport: asyncio.DatagramTransport | None = None
        self._delayed: dict[int, asyncio.TimerHandle] = {}
        self._ids = itertools.count()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: Address) -> None:
        conditions = self._board.current
        if not conditions.udp_reaches(self.name):
            return
        server = conditions.server(self.name)
        if server.loss >= 1.0 or (server.loss > 0.0 and self._rng.random() < server.loss):
            return
        reply = self._reply_to(wire.decode(data))
        if reply is None:
            return
        if server.latency_ms > 0:
            key = next(self._ids)
            self._delayed[key] = asyncio.get_running_loop().call_later(
                server.latency_ms / 1000, self._send_delayed, key, reply, addr
            )
        else:
            self._send(reply, addr)

    def error_received(self, exc: Exception) -> None:
        # ICMP errors from clients that went away; nothing to do about them.
        log.debug("%s: %s", self.name, exc)

    def close(self) -> None:
        for handle in self._delayed.values():
            handle.cancel()
        self._delayed.clear()
        if self._transport is not None:
            self._transport.close()

    def _reply_to(self, datagram: wire.Datagram | None) -> bytes | None:
        if isinstance(datagram, wire.Handshake):
            return wire.encode(wire.HandshakeOk(n=datagram.n, s=self.name))
        if isinstance(datagram, wire.Keepalive):
            return wire.encode(wire.KeepaliveOk(q=datagram.q, s=self.name, p=datagram.p))
        return None  # bye, a reply sent to us, or garbage: no answer

    def _send_delayed(self, key: int, reply: bytes, addr: Address) -> None:
        self._delayed.pop(key, None)
        self._send(reply, addr)

    def _send(self, reply: bytes, addr: Address) -> None:
        if self._transport is not None and not self._transport.is_closing():
            self._transport.sendto(reply, addr)
