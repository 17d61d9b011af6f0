"""The checks that talk to the VPN servers themselves: UDP handshake and TCP firewall.

The server probe performs the same handshake the tunnel does (see
``mimic_core.wire``), so "a server answers" means exactly what the daemon will
need.  The firewall check only matters when no server answered: it tells a
blocked VPN port (the server answers on its TCP control port) apart from a
server that is simply down.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Final, TypeVar

from mimic_core import wire
from mimic_core.protocol import ServerEndpoint
from vpnui.connection.check_results import FirewallResult, ServerAnswer, ServerProbeResult
from vpnui.connection.settings import ConnectionSettings
from vpnui.connection.states import FailureCause

PROBE_CLIENT_ID: Final = "mimic-probe"
# Bound on waiting for a closed socket to be released by the event loop.
_CLOSE_WAIT_S: Final = 1.0
# A PONG line is short; anything longer is not a VPN server.
_MAX_PONG_LINE: Final = 1024

_T = TypeVar("_T")
_R = TypeVar("_R")


class _HandshakeProtocol(asyncio.DatagramProtocol):
    """One connected UDP socket handshaking with one server.

    Replies are matched by nonce, and every attempt's nonce stays valid, so
    a late answer to the first attempt still proves the server alive and
    still measures a true round trip (from the send of the datagram it
    answers).
    """

    def __init__(self) -> None:
        loop = asyncio.get_running_loop()
        self._sent_at: dict[int, float] = {}
        # Resolved with the round trip in ms of the first answered attempt,
        # or ``None`` if the port refused.
        self.answer: asyncio.Future[float | None] = loop.create_future()
        self.closed: asyncio.Future[None] = loop.create_future()

    def expect(self, nonce: int) -> None:
        self._sent_at[nonce] = time.monotonic()

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        reply = wire.decode(data)
        if not isinstance(reply, wire.HandshakeOk):
            return
        sent_at = self._sent_at.get(reply.n)
        if sent_at is not None:
            self._resolve((time.monotonic() - sent_at) * 1000.0)

    def error_received(self, exc: Exception) -> None:
        # On a connected socket this is the ICMP "port unreachable" of a
        # closed port: this attempt is over, no need to wait for its timeout.
        self._resolve(None)

    def connection_lost(self, exc: Exception | None) -> None:
        self._resolve(None)
        if not self.closed.done():
            self.closed.set_result(None)

    def _resolve(self, rtt_ms: float | None) -> None:
        if not self.answer.done():
            self.answer.set_result(rtt_ms)


async def handshake_rtt(
    server: ServerEndpoint, settings: ConnectionSettings, *, client_id: str = PROBE_CLIENT_ID
) -> float | None:
    """The handshake round trip to ``server`` in ms, or ``None`` if it never answered."""
    loop = asyncio.get_running_loop()
    try:
        transport, protocol = await loop.create_datagram_endpoint(
            _HandshakeProtocol, remote_addr=(server.host, server.udp_port)
        )
    except OSError:
        return None  # unresolvable host or no route: no answer possible
    # Retransmissions within one timeout window: an answer to any attempt
    # counts, so a slow first answer is not thrown away by the second send.
    spacing = settings.server_handshake_timeout_s / settings.server_handshake_attempts
    try:
        for _ in range(settings.server_handshake_attempts):
            nonce = secrets.randbits(62)
            protocol.expect(nonce)
            transport.sendto(wire.encode(wire.Handshake(n=nonce, c=client_id)))
            try:
                return await asyncio.wait_for(asyncio.shield(protocol.answer), spacing)
            except TimeoutError:
                continue
        return None
    finally:
        transport.close()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(protocol.closed), _CLOSE_WAIT_S)


async def probe_servers(
    servers: Sequence[ServerEndpoint], settings: ConnectionSettings, *, client_id: str = PROBE_CLIENT_ID
) -> ServerProbeResult:
    """Handshake with every server of a location, a few at a time.

    Each server gets its own connected socket: the kernel then filters
    replies by source address, and a closed port is reported at once by an
    ICMP error instead of costing a whole timeout.  The location is usable
    if any server answers; ``ranked`` is the order the daemon should try
    them in.
    """
    started = time.monotonic()
    if not servers:
        return ServerProbeResult(
            ok=False,
            failure=FailureCause.ServerUnavailable,
            duration_s=time.monotonic() - started,
            detail="the location has no servers",
        )
    answers = await _probe_until_enough(servers, settings, client_id)
    answered = sorted((answer for answer in answers if answer.rtt_ms is not None), key=_rtt_key)
    ranked = tuple(answer.server for answer in answered)
    duration_s = time.monotonic() - started
    if not ranked:
        return ServerProbeResult(
            ok=False,
            failure=FailureCause.ServerUnavailable,
            duration_s=duration_s,
            detail=f"none of the {len(servers)} servers answered the handshake",
            answers=answers,
        )
    best = answered[0]
    return ServerProbeResult(
        ok=True,
        failure=None,
        duration_s=duration_s,
        detail=(
            f"{len(ranked)} of {len(answers)} servers probed answered; "
            f"fastest {best.server.name} ({best.rtt_ms:.0f} ms)"
        ),
        answers=answers,
        ranked=ranked,
    )


def _rtt_key(answer: ServerAnswer) -> float:
    return answer.rtt_ms if answer.rtt_ms is not None else float("inf")


async def tcp_control_answers(server: ServerEndpoint, timeout_s: float) -> bool:
    """Whether the server's TCP control port answers ``PING`` with ``PONG``."""
    try:
        async with asyncio.timeout(timeout_s):
            reader, writer = await asyncio.open_connection(server.host, server.tcp_port)
            try:
                writer.write(wire.TCP_PING)
                await writer.drain()
                line = await reader.readline()
            finally:
                writer.close()
                await writer.wait_closed()
    except (OSError, TimeoutError, ValueError):
        return False
    return line.startswith(wire.TCP_PONG_PREFIX) and len(line) <= _MAX_PONG_LINE


async def probe_firewall(
    servers: Sequence[ServerEndpoint], udp_result: ServerProbeResult, settings: ConnectionSettings
) -> FirewallResult:
    """Whether a firewall blocks VPN traffic to servers that are otherwise there.

    Only meaningful when no server answered its UDP handshake: then a server
    answering on its TCP control port means the path is open but VPN
    datagrams are dropped (firewall blocking); no TCP answer either means
    the servers are down, which the server check reports, so this check
    passes.  Servers without a TCP port cannot be checked; if none has one
    the result is inconclusive.
    """
    started = time.monotonic()
    if udp_result.ok:
        return FirewallResult(
            ok=True,
            failure=None,
            duration_s=time.monotonic() - started,
            detail="a server answered its UDP handshake, so nothing blocks VPN traffic",
        )
    checkable = [server for server in servers if server.tcp_port > 0]
    if not checkable:
        return FirewallResult(
            ok=False,
            failure=None,
            duration_s=time.monotonic() - started,
            detail="inconclusive: no server has a TCP control port to check",
        )
    answers = await _bounded_map(
        lambda server: tcp_control_answers(server, settings.firewall_tcp_timeout_s),
        checkable,
        settings.server_parallelism,
    )
    answered = tuple(server for server, ok in zip(checkable, answers, strict=True) if ok)
    duration_s = time.monotonic() - started
    if answered:
        names = ", ".join(server.name for server in answered)
        return FirewallResult(
            ok=False,
            failure=FailureCause.FirewallBlocking,
            duration_s=duration_s,
            detail=f"{names} answer on TCP but no server answered its UDP handshake: VPN traffic is blocked",
            tcp_tried=True,
            tcp_answered=answered,
        )
    return FirewallResult(
        ok=True,
        failure=None,
        duration_s=duration_s,
        detail="no server answers on TCP either: the servers are down, not blocked",
        tcp_tried=True,
    )


async def _probe_until_enough(
    servers: Sequence[ServerEndpoint], settings: ConnectionSettings, client_id: str
) -> tuple[ServerAnswer, ...]:
    """Handshake in batches of ``server_parallelism`` until ``server_probe_enough`` answered.

    Only the servers probed are in the result (in the order given).
    """
    answers: list[ServerAnswer] = []
    for start in range(0, len(servers), settings.server_parallelism):
        batch = servers[start : start + settings.server_parallelism]
        rtts = await _bounded_map(
            lambda server: handshake_rtt(server, settings, client_id=client_id), batch, len(batch)
        )
        answers.extend(ServerAnswer(server, rtt) for server, rtt in zip(batch, rtts, strict=True))
        if sum(answer.rtt_ms is not None for answer in answers) >= settings.server_probe_enough:
            break
    return tuple(answers)


async def _bounded_map(func: Callable[[_T], Awaitable[_R]], items: Sequence[_T], parallelism: int) -> list[_R]:
    """``func`` over ``items`` with at most ``parallelism`` running at once, in order."""
    gate = asyncio.Semaphore(parallelism)

    async def bounded(item: _T) -> _R:
        async with gate:
            return await func(item)

    return list(await asyncio.gather(*(bounded(item) for item in items)))
