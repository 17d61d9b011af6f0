"""The simulated tunnel: a UDP handshake with one server, then keepalives.

No traffic is routed, but the control datagrams are real, so a dead server,
loss or latency show up the way they would in a real tunnel: as missing or
late answers.  Every keepalive round produces a health sample; that is what
the app's stability check and the session telemetry are built on.

Three rules shape this module:

* The tunnel never tears itself down.  A server that stops answering is
  reported through health samples (misses, loss), and keepalives continue so
  that the health recovers by itself when the server is back.  Only
  ``deactivate`` ends it; deciding to give up is the app's call.
* A server that stops answering while another candidate answers is left
  for that one, by the tunnel itself (``daemon/failover.py`` says when and
  why here); ``on_moved`` tells the session.
* A switch, asked for or not, is make-before-break: the new server must
  complete its handshake before the old link is closed, so a failed switch
  leaves the tunnel as it was.

This module is plain asyncio (no Qt) so it can be tested on its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from daemon.failover import SuspicionTimer, find_replacement
from mimic_core import wire
from mimic_core.keepalive_window import KeepaliveWindow
from mimic_core.protocol import ServerEndpoint

log = logging.getLogger(__name__)

PADDING_BYTES: Final = 64


@dataclass(frozen=True)
class TunnelSettings:
    keepalive_interval: float = 1.0
    handshake_timeout: float = 1.0
    # Extra handshake attempts per server after the first one.
    handshake_retries: int = 3
    padding_bytes: int = PADDING_BYTES
    client_id: str = ""


@dataclass(frozen=True)
class HealthSample:
    """One keepalive round; byte counts are cumulative over the whole session."""

    server: str
    rtt_ms: float | None  # None: no answer within the keepalive interval
    loss: float
    rx_bytes: int
    tx_bytes: int
    missed_in_a_row: int


@dataclass(frozen=True)
class AttemptFailure:
    server: ServerEndpoint
    reason: str


class ActivationFailed(Exception):
    """No candidate completed the handshake; ``failures`` says why for each one."""

    def __init__(self, failures: Sequence[AttemptFailure]) -> None:
        self.failures = tuple(failures)
        if not self.failures:
            message = "no server to connect to"
        else:
            message = "no server answered the handshake: " + "; ".join(
                f"{f.server.name} ({f.server.host}:{f.server.udp_port}): {f.reason}" for f in self.failures
            )
        super().__init__(message)


HealthCallback = Callable[[HealthSample], None]
MoveCallback = Callable[[ServerEndpoint, ServerEndpoint], None]
"""Called with (the server left, the server now in use) after the tunnel moved by itself."""


class _LinkProtocol(asyncio.DatagramProtocol):
    def __init__(self, link: _Link) -> None:
        self._link = link

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        self._link.on_datagram(data)

    def error_received(self, exc: Exception) -> None:
        self._link.on_error(exc)


class _Link:
    """One UDP socket connected to one server: its handshake, keepalives and byte counts.

    The socket is connected, so the kernel already drops datagrams from any
    other address; what remains is decoded and matched against what this
    link is waiting for, and everything else is ignored.
    """

    def __init__(self, server: ServerEndpoint, settings: TunnelSettings) -> None:
        self.server = server
        self._settings = settings
        self._transport: asyncio.DatagramTransport | None = None
        self.rx_bytes = 0
        self.tx_bytes = 0
        self.last_error: str | None = None
        self._nonces: set[int] = set()
        self._handshake: asyncio.Future[None] | None = None
        self._keepalives: dict[int, asyncio.Future[float]] = {}
        self._answer_watchers: set[asyncio.Event] = set()
        # Probes count down from -1 so they never share a sequence number
        # with a keepalive, whose answer must time that keepalive only.
        self._probe_seq = 0

    async def open(self) -> None:
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(
            lambda: _LinkProtocol(self), remote_addr=(self.server.host, self.server.udp_port)
        )
        self._transport = transport

    def send(self, datagram: wire.Datagram) -> None:
        if self._transport is None or self._transport.is_closing():
            return
        data = wire.encode(datagram)
        self._transport.sendto(data)
        self.tx_bytes += len(data)

    def on_datagram(self, data: bytes) -> None:
        self.rx_bytes += len(data)
        message = wire.decode(data)
        if isinstance(message, wire.HandshakeOk) and message.n in self._nonces:
            if self._handshake is not None and not self._handshake.done():
                self._handshake.set_result(None)
            self._answered()
        elif isinstance(message, wire.KeepaliveOk):
            waiter = self._keepalives.get(message.q)
            if waiter is not None and not waiter.done():
                waiter.set_result(asyncio.get_running_loop().time())
            # Even a late answer to a keepalive already counted as lost, or
            # to a probe, proves the server is alive.
            self._answered()
        else:
            log.debug("ignoring a datagram of %d bytes from %s", len(data), self.server.name)

    def _answered(self) -> None:
        for event in self._answer_watchers:
            event.set()

    def watch_answers(self) -> asyncio.Event:
        """An event set by every answer from the server from now on (``unwatch_answers`` when done)."""
        event = asyncio.Event()
        self._answer_watchers.add(event)
        return event

    def unwatch_answers(self, event: asyncio.Event) -> None:
        self._answer_watchers.discard(event)

    def send_probe(self) -> None:
        """A keepalive without padding: the cheapest datagram a live server answers."""
        self._probe_seq -= 1
        self.send(wire.Keepalive(q=self._probe_seq))

    def on_error(self, exc: Exception) -> None:
        # ICMP errors (port unreachable while a server is down) arrive here;
        # they are not fatal, the next answer or the next timeout decides.
        self.last_error = f"{type(exc).__name__}: {exc}"
        log.debug("socket error on the link to %s: %s", self.server.name, exc)

    async def handshake(self) -> bool:
        """Handshake with the first attempt plus ``handshake_retries`` more; True on success.

        A new nonce per attempt, and an answer to any of them counts: an
        answer to attempt 1 arriving during attempt 2 still proves the server
        is there.
        """
        self._handshake = asyncio.get_running_loop().create_future()
        for _ in range(1 + self._settings.handshake_retries):
            nonce = secrets.randbits(32)
            self._nonces.add(nonce)
            self.send(wire.Handshake(n=nonce, c=self._settings.client_id))
            done, _ = await asyncio.wait({self._handshake}, timeout=self._settings.handshake_timeout)
            if done:
                return True
        return False

    async def keepalive(
        self, seq: int, padding: str, late_after: float | None = None, on_late: Callable[[], None] | None = None
    ) -> float | None:
        """Send one keepalive; its RTT in ms, or None if unanswered within the interval.

        ``on_late`` is called if no answer came within ``late_after`` seconds
        (the keepalive may still be answered before the interval is over), or
        within the interval when ``late_after`` is not shorter.
        """
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[float] = loop.create_future()
        self._keepalives[seq] = waiter
        sent_at = loop.time()
        interval = self._settings.keepalive_interval
        try:
            self.send(wire.Keepalive(q=seq, p=padding))
            first_wait = interval if late_after is None else min(late_after, interval)
            done, _ = await asyncio.wait({waiter}, timeout=first_wait)
            if not done and on_late is not None:
                on_late()  # overdue, or lost if the interval is all the time there is
            if not done and first_wait < interval:
                remaining = max(0.0, sent_at + interval - loop.time())
                done, _ = await asyncio.wait({waiter}, timeout=remaining)
        finally:
            del self._keepalives[seq]
        if not done:
            waiter.cancel()
            return None
        return (waiter.result() - sent_at) * 1000.0

    def close(self, *, say_bye: bool) -> None:
        if self._transport is None:
            return
        if say_bye:
            self.send(wire.Bye())
        self._transport.close()
        self._transport = None
        if self._handshake is not None and not self._handshake.done():
            self._handshake.cancel()

    def failure_reason(self) -> str:
        attempts = 1 + self._settings.handshake_retries
        timeout = self._settings.handshake_timeout
        reason = f"no answer to {attempts} handshake attempt(s) of {timeout:g} s"
        return f"{reason} (last socket error: {self.last_error})" if self.last_error else reason


class Tunnel:
    """At most one live link; health samples go to ``on_health`` after every keepalive round."""

    def __init__(
        self, settings: TunnelSettings, on_health: HealthCallback, on_moved: MoveCallback | None = None
    ) -> None:
        self._settings = settings
        self._on_health = on_health
        self._on_moved = on_moved
        self._link: _Link | None = None
        self._keepalive_task: asyncio.Task[None] | None = None
        # Keepalive loops of replaced links, cancelled but maybe not finished yet.
        self._retired: set[asyncio.Task[None]] = set()
        # Where the tunnel may move by itself: the servers of the last
        # successful activation, in the order given, then its standby ones.
        self._candidates: list[ServerEndpoint] = []
        self._failover_task: asyncio.Task[None] | None = None
        self._activating = False
        self._suspicion = SuspicionTimer(settings.keepalive_interval)
        self._window = KeepaliveWindow()
        self._seq = 0
        # Bytes of earlier links of this session (before a switch).
        self._closed_rx = 0
        self._closed_tx = 0
        self._padding = "0" * settings.padding_bytes

    @property
    def server(self) -> ServerEndpoint | None:
        return self._link.server if self._link is not None else None

    @property
    def is_up(self) -> bool:
        return self._link is not None

    @property
    def rx_bytes(self) -> int:
        return self._closed_rx + (self._link.rx_bytes if self._link is not None else 0)

    @property
    def tx_bytes(self) -> int:
        return self._closed_tx + (self._link.tx_bytes if self._link is not None else 0)

    async def activate(
        self, servers: Sequence[ServerEndpoint], standby: Sequence[ServerEndpoint] = ()
    ) -> ServerEndpoint:
        """Handshake with each candidate in order; the first to answer becomes the link.

        If a link is already up this is a switch: it stays up until the new
        server has answered, and stays up if none does.  Raises
        ``ActivationFailed`` naming every server tried.  ``standby`` servers
        are not tried now; with ``servers`` they are where the tunnel may
        move later if its server stops answering.
        """
        # A move of our own must not race the one asked for.
        self._activating = True
        try:
            await self._cancel_failover()
            server = await self._handshake_first(servers)
        finally:
            self._activating = False
        self._candidates = list(dict.fromkeys([*servers, *standby]))
        return server

    async def _handshake_first(self, servers: Sequence[ServerEndpoint]) -> ServerEndpoint:
        failures: list[AttemptFailure] = []
        for server in servers:
            link = _Link(server, self._settings)
            try:
                await link.open()
                answered = await link.handshake()
            except (OSError, ValueError, OverflowError) as exc:
                # Unresolvable host, invalid name or port: this candidate fails, the next is tried.
                link.close(say_bye=False)
                failures.append(AttemptFailure(server, f"cannot reach the address: {exc}"))
                log.info("cannot reach %s: %s", server.name, exc)
                continue
            except BaseException:
                link.close(say_bye=False)
                raise
            if answered:
                self._install(link)
                log.info("tunnel up to %s (%s:%d)", server.name, server.host, server.udp_port)
                return server
            link.close(say_bye=False)
            failures.append(AttemptFailure(server, link.failure_reason()))
            log.info("no handshake from %s: %s", server.name, failures[-1].reason)
        raise ActivationFailed(failures)

    async def deactivate(self) -> None:
        """Say bye to the server and close the socket; a no-op when down.

        The byte counters start again from zero with the next activation.
        """
        await self._cancel_failover()
        self._candidates = []
        await self._stop_keepalives()
        if self._link is not None:
            log.info("tunnel to %s closed", self._link.server.name)
            self._link.close(say_bye=True)
            self._link = None
        self._closed_rx = self._closed_tx = 0

    def _install(self, link: _Link) -> None:
        """Make ``link`` the tunnel's, closing the old one; never suspends, so never half done."""
        old = self._link
        self._retire_keepalives()
        if old is not None:
            self._closed_rx += old.rx_bytes
            self._closed_tx += old.tx_bytes
            old.close(say_bye=True)
            log.info("switched from %s to %s", old.server.name, link.server.name)
        else:
            self._closed_rx = self._closed_tx = 0
            self._seq = 0
        self._window = KeepaliveWindow()
        self._suspicion = SuspicionTimer(self._settings.keepalive_interval)
        self._link = link
        self._keepalive_task = asyncio.get_running_loop().create_task(
            self._keepalive_loop(link), name=f"keepalive-{link.server.name}"
        )

    async def _stop_keepalives(self) -> None:
        task, self._keepalive_task = self._keepalive_task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _retire_keepalives(self) -> None:
        # Cancelled without waiting (see _install); kept until it has finished.
        task, self._keepalive_task = self._keepalive_task, None
        if task is not None:
            task.cancel()
            self._retired.add(task)
            task.add_done_callback(self._retired.discard)

    # ------------------------------------------------------------ failover

    def _suspect(self, link: _Link) -> None:
        """A keepalive of ``link`` is overdue: find out whether to move (see ``daemon/failover.py``)."""
        if self._activating or self._failover_task is not None or self._link is not link:
            return
        others = [server for server in self._candidates if server != link.server]
        if not others:
            return
        log.debug(
            "%s is late with a keepalive answer; checking it and %d other server(s)", link.server.name, len(others)
        )
        task = asyncio.get_running_loop().create_task(
            self._fail_over(link, others, self._suspicion.late_after), name=f"failover-{link.server.name}"
        )
        self._failover_task = task
        task.add_done_callback(self._failover_finished)

    async def _fail_over(self, link: _Link, others: list[ServerEndpoint], window_s: float) -> None:
        replacement = await find_replacement(link, others, self._open_link, window_s)
        if replacement is None:
            return
        if self._link is not link or self._activating:
            replacement.close(say_bye=True)  # the tunnel changed meanwhile: that change wins
            return
        log.warning("%s stopped answering; the tunnel moved to %s", link.server.name, replacement.server.name)
        self._install(replacement)
        if self._on_moved is not None:
            self._on_moved(link.server, replacement.server)

    async def _open_link(self, server: ServerEndpoint) -> _Link:
        link = _Link(server, self._settings)
        try:
            await link.open()
        except BaseException:
            link.close(say_bye=False)
            raise
        return link

    def _failover_finished(self, task: asyncio.Task[None]) -> None:
        if self._failover_task is task:
            self._failover_task = None
        if not task.cancelled() and task.exception() is not None:
            log.error("failover failed", exc_info=task.exception())

    async def _cancel_failover(self) -> None:
        task = self._failover_task
        if task is not None:
            task.cancel()
            await asyncio.wait({task})

    async def _keepalive_loop(self, link: _Link) -> None:
        """One keepalive per interval, on a fixed schedule, until cancelled."""
        loop = asyncio.get_running_loop()
        interval = self._settings.keepalive_interval
        next_round = loop.time()
        while True:
            self._seq += 1
            suspicion = self._suspicion
            rtt_ms = await link.keepalive(
                self._seq, self._padding, suspicion.late_after, functools.partial(self._suspect, link)
            )
            if rtt_ms is not None:
                suspicion.record(rtt_ms / 1000.0)
            self._window.record(rtt_ms is not None)
            sample = HealthSample(
                server=link.server.name,
                rtt_ms=rtt_ms,
                loss=self._window.loss,
                rx_bytes=self.rx_bytes,
                tx_bytes=self.tx_bytes,
                missed_in_a_row=self._window.missed_in_a_row,
            )
            try:
                self._on_health(sample)
            except Exception:
                log.exception("health callback failed")
            next_round += interval
            delay = next_round - loop.time()
            if delay < 0:  # fell behind (a stalled loop): restart the schedule, never burst
                next_round = loop.time()
                delay = 0.0
            await asyncio.sleep(delay)
