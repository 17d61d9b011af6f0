"""The tunnel against a small in-process UDP server speaking mimic_core/wire.py's server side.

These are the tunnel's fine-grained rules (nonces, garbage, make-before-break,
byte counts); the integration tests run the same code in the real daemon
against the real lab.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest

from daemon.tunnel import ActivationFailed, HealthSample, Tunnel, TunnelSettings
from mimic_core import wire
from mimic_core.protocol import ServerEndpoint

T = TypeVar("T")

INTERVAL = 0.05
SETTINGS = TunnelSettings(keepalive_interval=INTERVAL, handshake_timeout=0.05, handshake_retries=1)


def run(coro_fn: Callable[[], Awaitable[T]], timeout: float = 10.0) -> T:
    async def bounded() -> T:
        return await asyncio.wait_for(coro_fn(), timeout)

    return asyncio.run(bounded())


class Responder(asyncio.DatagramProtocol):
    """Answers hs and ka like a VPN server; can be silenced, lie about nonces or add garbage."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.answering = True
        # Fraction of datagrams dropped at random (seeded: the same run every time).
        self.loss = 0.0
        self._rng = random.Random(name)
        self.wrong_nonce = False
        self.garbage_first = False
        self.received: list[wire.Datagram | None] = []
        self.bytes_received = 0
        self.bytes_sent = 0
        self.transport: asyncio.DatagramTransport | None = None
        self.port = 0

    async def start(self) -> Responder:
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(lambda: self, local_addr=("127.0.0.1", 0))
        self.transport = transport
        self.port = self.transport.get_extra_info("sockname")[1]
        return self

    @property
    def endpoint(self) -> ServerEndpoint:
        return ServerEndpoint(name=self.name, host="127.0.0.1", udp_port=self.port)

    def kinds(self) -> list[str]:
        return [type(d).__name__ if d is not None else "garbage" for d in self.received]

    def datagram_received(self, data: bytes, addr: Any) -> None:
        self.bytes_received += len(data)
        datagram = wire.decode(data)
        self.received.append(datagram)
        if not self.answering or self.transport is None:
            return
        if self.loss and self._rng.random() < self.loss:
            return
        reply: wire.Datagram | None = None
        if isinstance(datagram, wire.Handshake):
            reply = wire.HandshakeOk(n=datagram.n + 1 if self.wrong_nonce else datagram.n, s=self.name)
        elif isinstance(datagram, wire.Keepalive):
            reply = wire.KeepaliveOk(q=datagram.q, s=self.name, p=datagram.p)
        if reply is None:
            return
        if self.garbage_first:
            for junk in (b"\xff\x00 not json", b'{"t": "ka_ok", "q": "seven"}', b"[]"):
                self._send(junk, addr)
        self._send(wire.encode(reply), addr)

    def _send(self, data: bytes, addr: Any) -> None:
        assert self.transport is not None
        self.transport.sendto(data, addr)
        self.bytes_sent += len(data)

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


async def eventually(condition: Callable[[], bool], timeout: float = 2.0) -> None:
    """Datagrams are delivered asynchronously, even on loopback: poll briefly."""
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.005)


class Samples:
    def __init__(self) -> None:
        self.items: list[HealthSample] = []
        self._event = asyncio.Event()

    def __call__(self, sample: HealthSample) -> None:
        self.items.append(sample)
        self._event.set()

    async def wait_for(self, predicate: Callable[[HealthSample], bool], timeout: float = 3.0) -> HealthSample:
        async with asyncio.timeout(timeout):
            while True:
                for sample in self.items:
                    if predicate(sample):
                        self.items.remove(sample)
                        return sample
                self._event.clear()
                await self._event.wait()

    async def next(self, timeout: float = 3.0) -> HealthSample:
        return await self.wait_for(lambda _: True, timeout)


def test_handshake_then_keepalives_with_rtt_and_exact_byte_counts() -> None:
    async def scenario() -> None:
        server = await Responder("a").start()
        samples = Samples()
        tunnel = Tunnel(SETTINGS, samples)
        try:
            assert await tunnel.activate([server.endpoint]) == server.endpoint
            assert tunnel.is_up and tunnel.server == server.endpoint
            loop = asyncio.get_running_loop()
            started = loop.time()
            got = [await samples.next() for _ in range(5)]
            elapsed = loop.time() - started
            assert all(s.rtt_ms is not None and 0 <= s.rtt_ms < INTERVAL * 1000 for s in got)
            assert all(s.loss == 0 and s.missed_in_a_row == 0 and s.server == "a" for s in got)
            assert [s.tx_bytes for s in got] == sorted({s.tx_bytes for s in got})  # strictly growing
            assert [s.rx_bytes for s in got] == sorted({s.rx_bytes for s in got})
            # Five rounds on a fixed schedule: the first at once, then one per interval.
            assert 3.5 * INTERVAL <= elapsed <= 4 * INTERVAL + 0.5
            keepalives = [d for d in server.received if isinstance(d, wire.Keepalive)]
            assert [k.q for k in keepalives] == list(range(1, len(keepalives) + 1))
            assert all(len(k.p) >= 64 for k in keepalives)
        finally:
            await tunnel.deactivate()
            await eventually(lambda: server.kinds()[-1] == "Bye")
            server.close()
        assert server.kinds()[0] == "Handshake"
        assert not tunnel.is_up and tunnel.rx_bytes == 0 and tunnel.tx_bytes == 0

    run(scenario)


def test_byte_counters_match_what_the_server_saw() -> None:
    async def scenario() -> None:
        server = await Responder("a").start()
        samples = Samples()
        tunnel = Tunnel(SETTINGS, samples)
        try:
            await tunnel.activate([server.endpoint])
            sample = await samples.wait_for(lambda s: s.tx_bytes > 300)
            assert sample.tx_bytes <= server.bytes_received
            assert sample.rx_bytes <= server.bytes_sent
            await asyncio.sleep(INTERVAL / 2)
            assert tunnel.tx_bytes == server.bytes_received
            assert tunnel.rx_bytes == server.bytes_sent
        finally:
            await tunnel.deactivate()
            server.close()

    run(scenario)


def test_first_silent_server_is_skipped_for_the_next() -> None:
    async def scenario() -> None:
        silent = await Responder("silent").start()
        silent.answering = False
        live = await Responder("live").start()
        tunnel = Tunnel(SETTINGS, Samples())
        try:
            assert await tunnel.activate([silent.endpoint, live.endpoint]) == live.endpoint
            # One attempt plus one retry, each with its own nonce.
            handshakes = [d for d in silent.received if isinstance(d, wire.Handshake)]
            assert len(handshakes) == 2 and handshakes[0].n != handshakes[1].n
            assert not any(isinstance(d, wire.Bye) for d in silent.received)
        finally:
            await tunnel.deactivate()
            silent.close()
            live.close()

    run(scenario)


def test_all_silent_raises_naming_every_server() -> None:
    async def scenario() -> None:
        first = await Responder("first").start()
        second = await Responder("second").start()
        first.answering = second.answering = False
        tunnel = Tunnel(SETTINGS, Samples())
        try:
            with pytest.raises(ActivationFailed) as caught:
                await tunnel.activate([first.endpoint, second.endpoint])
            assert [f.server.name for f in caught.value.failures] == ["first", "second"]
            message = str(caught.value)
            assert "first" in message and "second" in message and "2 handshake attempt" in message
            assert not tunnel.is_up
        finally:
            first.close()
            second.close()

    run(scenario)


def test_no_server_at_all() -> None:
    async def scenario() -> None:
        with pytest.raises(ActivationFailed, match="no server to connect to"):
            await Tunnel(SETTINGS, Samples()).activate([])

    run(scenario)


def test_a_handshake_answer_with_the_wrong_nonce_is_not_accepted() -> None:
    async def scenario() -> None:
        liar = await Responder("liar").start()
        liar.wrong_nonce = True
        tunnel = Tunnel(SETTINGS, Samples())
        try:
            with pytest.raises(ActivationFailed):
                await tunnel.activate([liar.endpoint])
        finally:
            liar.close()

    run(scenario)


def test_garbage_datagrams_are_ignored_but_counted() -> None:
    async def scenario() -> None:
        server = await Responder("noisy").start()
        server.garbage_first = True
        samples = Samples()
        tunnel = Tunnel(SETTINGS, samples)
        try:
            await tunnel.activate([server.endpoint])
            sample = await samples.next()
            assert sample.rtt_ms is not None and sample.missed_in_a_row == 0
            await asyncio.sleep(INTERVAL / 2)
            assert tunnel.rx_bytes == server.bytes_sent
        finally:
            await tunnel.deactivate()
            server.close()

    run(scenario)


def test_a_silent_server_shows_as_misses_and_the_tunnel_recovers_by_itself() -> None:
    async def scenario() -> None:
        server = await Responder("flaky").start()
        samples = Samples()
        tunnel = Tunnel(SETTINGS, samples)
        try:
            await tunnel.activate([server.endpoint])
            await samples.wait_for(lambda s: s.rtt_ms is not None)
            server.answering = False
            missing = await samples.wait_for(lambda s: s.missed_in_a_row >= 3)
            assert missing.rtt_ms is None and missing.loss >= 0.3
            assert tunnel.is_up  # never torn down by silence
            server.answering = True
            back = await samples.wait_for(lambda s: s.rtt_ms is not None)
            assert back.missed_in_a_row == 0 and back.loss > 0
            healed = await samples.wait_for(lambda s: s.loss == 0, timeout=5.0)
            assert healed.rtt_ms is not None
        finally:
            await tunnel.deactivate()
            server.close()

    run(scenario)


def test_switch_is_make_before_break_and_keeps_counting() -> None:
    async def scenario() -> None:
        old = await Responder("old").start()
        new = await Responder("new").start()
        dead = await Responder("dead").start()
        dead.answering = False
        samples = Samples()
        tunnel = Tunnel(SETTINGS, samples)
        try:
            await tunnel.activate([old.endpoint])
            before = await samples.wait_for(lambda s: s.tx_bytes > 0)
            # A switch to a dead server fails and leaves the old link alone.
            with pytest.raises(ActivationFailed):
                await tunnel.activate([dead.endpoint])
            assert tunnel.server == old.endpoint
            assert not any(isinstance(d, wire.Bye) for d in old.received)
            await samples.wait_for(lambda s: s.server == "old" and s.rtt_ms is not None)
            # A switch to a live one replaces it; the old server is told bye.
            assert await tunnel.activate([new.endpoint]) == new.endpoint
            await eventually(lambda: isinstance(old.received[-1], wire.Bye))
            after = await samples.wait_for(lambda s: s.server == "new")
            assert after.rtt_ms is not None
            assert after.tx_bytes > before.tx_bytes and after.rx_bytes > before.rx_bytes
            assert tunnel.tx_bytes >= old.bytes_received + new.bytes_received - 200
        finally:
            await tunnel.deactivate()
            for server in (old, new, dead):
                server.close()

    run(scenario)


def test_cancelling_an_activation_closes_its_socket() -> None:
    async def scenario() -> None:
        silent = await Responder("silent").start()
        silent.answering = False
        tunnel = Tunnel(TunnelSettings(handshake_timeout=5.0, handshake_retries=0), Samples())
        try:
            attempt = asyncio.ensure_future(tunnel.activate([silent.endpoint]))
            await asyncio.sleep(0.1)
            attempt.cancel()
            with pytest.raises(asyncio.CancelledError):
                await attempt
            assert not tunnel.is_up
        finally:
            silent.close()

    run(scenario)


# ---------------------------------------------------------------- failover


class Moves:
    """Records the tunnel's own moves, (from, to) by name."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []

    def __call__(self, old: ServerEndpoint, new: ServerEndpoint) -> None:
        self.items.append((old.name, new.name))


@pytest.mark.parametrize("other_as", ["candidate", "standby"])
def test_a_silent_server_is_left_for_another_that_answers(other_as: str) -> None:
    async def scenario() -> None:
        first = await Responder("first").start()
        second = await Responder("second").start()
        samples, moves = Samples(), Moves()
        tunnel = Tunnel(SETTINGS, samples, moves)
        try:
            if other_as == "candidate":
                assert await tunnel.activate([first.endpoint, second.endpoint]) == first.endpoint
            else:
                assert await tunnel.activate([first.endpoint], standby=[second.endpoint]) == first.endpoint
            before = await samples.wait_for(lambda s: s.server == "first" and s.rtt_ms is not None)
            first.answering = False
            after = await samples.wait_for(lambda s: s.server == "second" and s.rtt_ms is not None)
            assert moves.items == [("first", "second")]
            assert tunnel.server == second.endpoint and tunnel.is_up
            # One tunnel: its byte counts go on across the move.
            assert after.rx_bytes > before.rx_bytes and after.tx_bytes > before.tx_bytes
            await eventually(lambda: isinstance(first.received[-1], wire.Bye))
            # The silent server was probed (small keepalives) before it was left.
            assert sum(isinstance(d, wire.Keepalive) and d.q < 0 for d in first.received) > 0
        finally:
            await tunnel.deactivate()
            first.close()
            second.close()

    run(scenario)


def test_a_lossy_server_is_not_left() -> None:
    """60 % of its datagrams lost at random: keepalives go missing, but it answers probes: it stays."""

    async def scenario() -> None:
        lossy = await Responder("lossy").start()
        other = await Responder("other").start()
        samples, moves = Samples(), Moves()
        tunnel = Tunnel(SETTINGS, samples, moves)
        try:
            await tunnel.activate([lossy.endpoint, other.endpoint])
            lossy.loss = 0.6
            missed = 0
            for _ in range(80):
                sample = await samples.next()
                missed += sample.rtt_ms is None
            assert missed > 20  # the loss shows in the health samples...
            assert moves.items == [] and tunnel.server == lossy.endpoint  # ...and is the stability check's business
        finally:
            await tunnel.deactivate()
            lossy.close()
            other.close()

    run(scenario, timeout=30.0)


def test_with_no_other_server_answering_the_tunnel_stays_then_moves_when_one_does() -> None:
    async def scenario() -> None:
        first = await Responder("first").start()
        second = await Responder("second").start()
        samples, moves = Samples(), Moves()
        tunnel = Tunnel(SETTINGS, samples, moves)
        try:
            await tunnel.activate([first.endpoint, second.endpoint])
            await samples.wait_for(lambda s: s.rtt_ms is not None)
            first.answering = second.answering = False
            silent = await samples.wait_for(lambda s: s.missed_in_a_row >= 5)
            assert silent.server == "first" and moves.items == [] and tunnel.server == first.endpoint
            second.answering = True
            await samples.wait_for(lambda s: s.server == "second" and s.rtt_ms is not None)
            assert moves.items == [("first", "second")]
        finally:
            await tunnel.deactivate()
            first.close()
            second.close()

    run(scenario)


def test_a_switch_asked_for_wins_over_a_move_in_progress() -> None:
    async def scenario() -> None:
        first = await Responder("first").start()
        slow = await Responder("slow").start()
        target = await Responder("target").start()
        settings = TunnelSettings(keepalive_interval=INTERVAL, handshake_timeout=1.0, handshake_retries=0)
        samples, moves = Samples(), Moves()
        tunnel = Tunnel(settings, samples, moves)
        try:
            await tunnel.activate([first.endpoint, slow.endpoint])
            await samples.wait_for(lambda s: s.rtt_ms is not None)
            slow.answering = first.answering = False
            await samples.wait_for(lambda s: s.missed_in_a_row >= 1)
            # A move is under way (the slow candidate gets a second to answer); the switch comes first.
            slow.answering = True
            assert await tunnel.activate([target.endpoint]) == target.endpoint
            await samples.wait_for(lambda s: s.server == "target" and s.rtt_ms is not None)
            await asyncio.sleep(1.2)
            assert moves.items == [] and tunnel.server == target.endpoint
        finally:
            await tunnel.deactivate()
            for server in (first, slow, target):
                server.close()

    run(scenario)
