"""The UDP server probe and the TCP firewall check, over real loopback sockets.

Each test runs tiny responders that speak ``mimic_core.wire`` in one specific
way (slow, silent, answering late, dropping the first datagram), which is
how the probe's timing and matching rules are pinned down; the integration
tests run the same probes against the network lab's servers.
"""

from __future__ import annotations

import asyncio
import functools
import socket
import time
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from typing import Any, TypeVar, cast

import msgspec
import pytest

from mimic_core import wire
from mimic_core.protocol import ServerEndpoint
from vpnui.connection.server_probes import probe_firewall, probe_servers
from vpnui.connection.settings import ConnectionSettings
from vpnui.connection.states import FailureCause

_T = TypeVar("_T")

FAST = ConnectionSettings(
    server_handshake_timeout_s=0.2,
    server_handshake_attempts=2,
    server_parallelism=4,
    firewall_tcp_timeout_s=0.3,
)


def run(coroutine: Coroutine[Any, Any, _T]) -> _T:
    return asyncio.run(coroutine)


class Responder(asyncio.DatagramProtocol):
    """Answers handshakes after ``delay_s``, unless told to stay silent or drop some."""

    def __init__(self, name: str, *, delay_s: float = 0.0, silent: bool = False, drop_first: int = 0) -> None:
        self.name = name
        self.delay_s = delay_s
        self.silent = silent
        self.drop_first = drop_first
        self.received: list[wire.Datagram | None] = []
        self.transport: asyncio.DatagramTransport | None = None
        self._pending: set[asyncio.TimerHandle] = set()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # (Python 3.11's datagram transport does not subclass DatagramTransport.)
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        datagram = wire.decode(data)
        self.received.append(datagram)
        if self.silent or not isinstance(datagram, wire.Handshake):
            return
        if len(self.received) <= self.drop_first:
            return
        reply = wire.encode(wire.HandshakeOk(n=datagram.n, s=self.name))
        if self.delay_s:
            loop = asyncio.get_running_loop()
            self._pending.add(loop.call_later(self.delay_s, self._send, reply, addr))
        else:
            self._send(reply, addr)

    def _send(self, reply: bytes, addr: tuple[str | int, ...]) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.sendto(reply, addr)

    def close(self) -> None:
        for handle in self._pending:
            handle.cancel()
        if self.transport is not None:
            self.transport.close()


def _same(protocol: Responder) -> Responder:
    return protocol


@asynccontextmanager
async def responders(*protocols: Responder) -> AsyncIterator[list[ServerEndpoint]]:
    """Start the responders on loopback; their endpoints (without TCP ports)."""
    loop = asyncio.get_running_loop()
    endpoints: list[ServerEndpoint] = []
    try:
        for protocol in protocols:
            transport, _ = await loop.create_datagram_endpoint(
                functools.partial(_same, protocol), local_addr=("127.0.0.1", 0)
            )
            port = transport.get_extra_info("sockname")[1]
            endpoints.append(ServerEndpoint(protocol.name, "127.0.0.1", port))
        yield endpoints
    finally:
        for protocol in protocols:
            protocol.close()
        await asyncio.sleep(0)


@asynccontextmanager
async def tcp_control(reply: bytes) -> AsyncIterator[int]:
    """A TCP control port answering every line with ``reply``; its port."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.readline()
            writer.write(reply)
            await writer.drain()
        finally:
            writer.close()
            await writer.wait_closed()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


def free_port(kind: socket.SocketKind) -> int:
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# ------------------------------------------------------------ server probe


def test_answering_servers_are_ranked_fastest_first() -> None:
    async def scenario() -> None:
        slow, fast = Responder("slow", delay_s=0.08), Responder("fast")
        async with responders(slow, fast) as servers:
            result = await probe_servers(servers, FAST)
        assert result.ok and result.failure is None
        assert [server.name for server in result.ranked] == ["fast", "slow"]
        assert [answer.server.name for answer in result.answers] == ["slow", "fast"]
        slow_rtt, fast_rtt = result.rtt_ms("slow"), result.rtt_ms("fast")
        assert slow_rtt is not None and fast_rtt is not None
        assert fast_rtt < slow_rtt
        assert slow_rtt >= 80
        assert "fastest fast" in result.detail

    run(scenario())


def test_silent_servers_are_unavailable_after_every_attempt() -> None:
    async def scenario() -> None:
        silent = Responder("silent", silent=True)
        async with responders(silent) as servers:
            result = await probe_servers(servers, FAST)
        assert not result.ok
        assert result.failure == FailureCause.ServerUnavailable
        assert result.ranked == ()
        assert result.answers[0].rtt_ms is None
        handshakes = [d for d in silent.received if isinstance(d, wire.Handshake)]
        assert len(handshakes) == FAST.server_handshake_attempts
        assert len({d.n for d in handshakes}) == len(handshakes)  # a fresh nonce each attempt
        # All attempts fit in one timeout window.
        assert FAST.server_handshake_timeout_s <= result.duration_s < FAST.server_handshake_timeout_s + 0.5

    run(scenario())


def test_one_dead_one_alive_picks_the_live_one() -> None:
    async def scenario() -> None:
        async with responders(Responder("dead", silent=True), Responder("alive")) as servers:
            result = await probe_servers(servers, FAST)
        assert result.ok
        assert [server.name for server in result.ranked] == ["alive"]
        assert result.rtt_ms("dead") is None

    run(scenario())


def test_a_closed_port_fails_without_waiting_for_the_timeout() -> None:
    settings = ConnectionSettings(server_handshake_timeout_s=2.0, server_handshake_attempts=2)

    async def scenario() -> None:
        server = ServerEndpoint("closed", "127.0.0.1", free_port(socket.SOCK_DGRAM))
        result = await probe_servers([server], settings)
        assert result.failure == FailureCause.ServerUnavailable
        assert result.duration_s < 1.0

    run(scenario())


def test_a_late_answer_to_the_first_attempt_still_counts() -> None:
    async def scenario() -> None:
        # Answers after 3/4 of the window: after the second attempt was sent.
        late = Responder("late", delay_s=FAST.server_handshake_timeout_s * 0.75)
        async with responders(late) as servers:
            result = await probe_servers(servers, FAST)
        assert result.ok
        rtt = result.rtt_ms("late")
        assert rtt is not None
        # Measured from the datagram it answers, not from the second send.
        assert rtt >= FAST.server_handshake_timeout_s * 0.75 * 1000

    run(scenario())


def test_a_lost_first_datagram_is_retried() -> None:
    async def scenario() -> None:
        lossy = Responder("lossy", drop_first=1)
        async with responders(lossy) as servers:
            result = await probe_servers(servers, FAST)
        assert result.ok
        assert len(lossy.received) == 2

    run(scenario())


def test_replies_with_unknown_nonces_or_garbage_are_ignored() -> None:
    class Impostor(Responder):
        def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
            self.received.append(wire.decode(data))
            self._send(b"not json", addr)
            self._send(wire.encode(wire.HandshakeOk(n=12345, s=self.name)), addr)
            self._send(wire.encode(wire.KeepaliveOk(q=1, s=self.name)), addr)

    async def scenario() -> None:
        async with responders(Impostor("impostor")) as servers:
            result = await probe_servers(servers, FAST)
        assert result.failure == FailureCause.ServerUnavailable

    run(scenario())


@pytest.mark.parametrize(("parallelism", "rounds"), [(2, 3), (6, 1)])
def test_at_most_parallelism_servers_are_probed_at_once(parallelism: int, rounds: int) -> None:
    timeout_s = 0.25
    settings = ConnectionSettings(
        server_handshake_timeout_s=timeout_s, server_handshake_attempts=1, server_parallelism=parallelism
    )

    async def scenario() -> None:
        silent = [Responder(f"silent-{i}", silent=True) for i in range(6)]
        async with responders(*silent) as servers:
            result = await probe_servers(servers, settings)
        assert not result.ok
        assert all(len(responder.received) == 1 for responder in silent)
        # Exactly ``rounds`` timeouts in a row: fewer would mean more at
        # once than allowed, more would mean less parallel than allowed.
        assert rounds * timeout_s <= result.duration_s < (rounds + 0.9) * timeout_s

    run(scenario())


def test_no_servers_is_unavailable() -> None:
    result = run(probe_servers([], FAST))
    assert result.failure == FailureCause.ServerUnavailable
    assert "no servers" in result.detail


def test_an_unresolvable_host_is_no_answer() -> None:
    server = ServerEndpoint("nowhere", "no-such-host.invalid", 51820)
    result = run(probe_servers([server], FAST))
    assert result.failure == FailureCause.ServerUnavailable


# ---------------------------------------------------------------- firewall


def test_firewall_is_not_checked_when_a_server_answered() -> None:
    async def scenario() -> None:
        async with responders(Responder("alive")) as servers:
            udp = await probe_servers(servers, FAST)
            result = await probe_firewall(servers, udp, FAST)
        assert result.ok and not result.tcp_tried

    run(scenario())


def test_tcp_answer_without_udp_answer_is_a_firewall() -> None:
    async def scenario() -> None:
        async with (
            responders(Responder("blocked", silent=True)) as servers,
            tcp_control(b"PONG blocked\n") as port,
        ):
            endpoints = [ServerEndpoint("blocked", "127.0.0.1", servers[0].udp_port, port)]
            udp = await probe_servers(endpoints, FAST)
            result = await probe_firewall(endpoints, udp, FAST)
        assert result.failure == FailureCause.FirewallBlocking
        assert [server.name for server in result.tcp_answered] == ["blocked"]
        assert "blocked" in result.detail

    run(scenario())


def test_no_tcp_answer_either_means_the_servers_are_down_not_blocked() -> None:
    async def scenario() -> None:
        async with responders(Responder("down", silent=True)) as servers:
            endpoints = [ServerEndpoint("down", "127.0.0.1", servers[0].udp_port, free_port(socket.SOCK_STREAM))]
            udp = await probe_servers(endpoints, FAST)
            result = await probe_firewall(endpoints, udp, FAST)
        assert result.ok and result.failure is None
        assert result.tcp_tried
        assert result.tcp_answered == ()

    run(scenario())


def test_a_tcp_answer_that_is_not_pong_does_not_count() -> None:
    async def scenario() -> None:
        async with responders(Responder("odd", silent=True)) as servers, tcp_control(b"HELLO\n") as port:
            endpoints = [ServerEndpoint("odd", "127.0.0.1", servers[0].udp_port, port)]
            udp = await probe_servers(endpoints, FAST)
            result = await probe_firewall(endpoints, udp, FAST)
        assert result.ok
        assert result.tcp_answered == ()

    run(scenario())


def test_a_silent_tcp_port_times_out() -> None:
    async def scenario() -> None:
        async def never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                await reader.read()
            finally:
                writer.close()
                await writer.wait_closed()

        server = await asyncio.start_server(never_answer, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        try:
            endpoints = [ServerEndpoint("mute", "127.0.0.1", free_port(socket.SOCK_DGRAM), port)]
            udp = await probe_servers(endpoints, FAST)
            started = time.monotonic()
            result = await probe_firewall(endpoints, udp, FAST)
            elapsed = time.monotonic() - started
        finally:
            server.close()
            await server.wait_closed()
        assert result.ok
        assert FAST.firewall_tcp_timeout_s <= elapsed < FAST.firewall_tcp_timeout_s + 0.3

    run(scenario())


def test_firewall_without_tcp_ports_is_inconclusive() -> None:
    async def scenario() -> None:
        async with responders(Responder("udp-only", silent=True)) as servers:
            udp = await probe_servers(servers, FAST)
            result = await probe_firewall(servers, udp, FAST)
        assert result.inconclusive
        assert result.failure is None

    run(scenario())


def test_a_big_location_stops_once_enough_servers_answered() -> None:
    async def scenario() -> None:
        settings = msgspec.structs.replace(FAST, server_parallelism=2, server_probe_enough=2)
        alive = [Responder(f"alive-{i}") for i in range(6)]
        async with responders(*alive) as servers:
            result = await probe_servers(servers, settings)
        assert result.ok
        assert len(result.ranked) == 2
        # The first batch answered: the other four were never asked.
        assert [bool(r.received) for r in alive] == [True, True, False, False, False, False]

    run(scenario())


def test_a_dead_first_batch_moves_on_to_the_next() -> None:
    async def scenario() -> None:
        settings = msgspec.structs.replace(FAST, server_parallelism=2, server_probe_enough=2)
        servers_in_order = [Responder("dead-1", silent=True), Responder("dead-2", silent=True)]
        servers_in_order += [Responder("alive-1"), Responder("alive-2")]
        async with responders(*servers_in_order) as servers:
            result = await probe_servers(servers, settings)
        assert {s.name for s in result.ranked} == {"alive-1", "alive-2"}
        assert len(result.answers) == 4

    run(scenario())
