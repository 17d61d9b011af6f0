"""Leaving a connected server that stopped answering for another server of the location.

Where: in the daemon, not in the app.  The daemon holds every fact the move
needs and the app holds none of them first-hand:

* It sees the keepalives.  The app hears of a silent tunnel only from a
  health sample, a whole keepalive interval after the keepalive was sent,
  and would then need its own checks and an ``activate`` round trip; the
  daemon can act a fraction of an interval after an answer is overdue.
  The design target is traffic on the new server within a median of
  1.5 s of the old one dying, with the default 1 s keepalive.
* It was given the candidates at ``activate``: the servers the app ranked
  (best first) and the rest of the location (``standby``).
* It owns the session.  A move inside the tunnel leaves the session id and
  ``connected_since`` alone, so the app's timer, the shared session id and
  the telemetry of the session carry on: a silent switch, as Mozilla's
  client does.  The daemon announces it (``server_moved``); the app only
  tells the user in one line.
* It keeps working when the app is not running (a session started from the
  command line, or an app that was quit).

The app's checks still run when the tunnel goes silent, to name a cause;
they move nothing, so "Location unavailable" means exactly that no server
of the location answered.

When: a server is left only when it is silent, never because it is slow or
lossy (that is "Unstable", a live server, for the app to show).  The steps:

1. A keepalive not answered within ``SuspicionTimer.late_after`` (a
   retransmission timeout in the manner of RFC 6298: smoothed round trip
   plus four deviations, at least a quarter of the keepalive interval)
   makes the server suspect.  The keepalive itself still counts as lost
   only after the whole interval, so loss figures keep their meaning.
2. For one more such timeout, ``PROBES`` small keepalives are sent to the
   suspect while every other candidate (``PARALLEL`` at a time, in the
   app's order) is asked for a handshake.
3. Any answer from the suspect (the late keepalive, a probe) ends it: the
   server lives.  Otherwise, once that time is up, the first candidate to
   complete its handshake (the fastest to answer, now) gets the tunnel.
   If none answers, the tunnel stays where it is and the next late
   keepalive starts over.

A live server that loses a fraction ``p`` of the datagrams at random is
left only if it loses the keepalive and every probe: ``p ** (PROBES + 1)``
per late keepalive, about 3e-6 at 60 % loss.  A server whose latency jumps
past two timeouts at once while another server of the location answers
quickly is indistinguishable from a dead one in that time and is left; at
a steady latency the timeout follows the round trip and nothing happens.

With the default 1 s keepalive and a fast server, the suspicion comes
0.25 s after the keepalive, the verdict 0.25 s later, and the new
server's first keepalive is answered a round trip after that: a server
dying at a random moment is replaced after 0.5 s to 1.5 s (the wait for
the next keepalive, up to one interval, plus two timeouts).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Final, Protocol, TypeVar

from mimic_core.protocol import ServerEndpoint

log = logging.getLogger(__name__)

PROBES: Final = 24
"""Keepalives sent to a suspect server; they are small, and any answer clears it."""
PARALLEL: Final = 4
"""Candidates asked for a handshake at once, so a big location does not flood the network."""
FLOOR_FRACTION: Final = 0.25
"""The suspicion timeout is at least this fraction of the keepalive interval..."""
FLOOR_S: Final = 0.1
"""...and at least this long: a scheduling hiccup of a loaded machine is not a dead server."""


class SuspicionTimer:
    """How long a keepalive may go unanswered before its server is suspect (RFC 6298's estimator)."""

    def __init__(self, interval: float) -> None:
        self._interval = interval
        self._srtt: float | None = None
        self._rttvar = 0.0

    def record(self, rtt_s: float) -> None:
        if self._srtt is None:
            self._srtt, self._rttvar = rtt_s, rtt_s / 2
            return
        self._rttvar = 0.75 * self._rttvar + 0.25 * abs(self._srtt - rtt_s)
        self._srtt = 0.875 * self._srtt + 0.125 * rtt_s

    @property
    def late_after(self) -> float:
        """Seconds; the whole interval until a round trip was measured (a new server may be far away)."""
        if self._srtt is None:
            return self._interval
        floor = max(FLOOR_S, FLOOR_FRACTION * self._interval)
        return min(self._interval, max(floor, self._srtt + 4 * self._rttvar))


class ProbedLink(Protocol):
    """What the failover needs of a tunnel link (``daemon.tunnel``'s, or a test's)."""

    @property
    def server(self) -> ServerEndpoint: ...

    def watch_answers(self) -> asyncio.Event:
        """An event set by every answer from the server from now on."""
        ...

    def unwatch_answers(self, event: asyncio.Event) -> None: ...

    def send_probe(self) -> None:
        """Send one small keepalive that any live server answers."""
        ...

    async def handshake(self) -> bool: ...

    def close(self, *, say_bye: bool) -> None: ...


L = TypeVar("L", bound=ProbedLink)
LinkOpener = Callable[[ServerEndpoint], Awaitable[L]]


async def find_replacement(
    current: L,
    candidates: Sequence[ServerEndpoint],
    open_link: LinkOpener[L],
    window_s: float,
    *,
    probes: int = PROBES,
    parallel: int = PARALLEL,
) -> L | None:
    """A link to the best answering candidate if ``current`` stays silent for ``window_s``, else ``None``.

    The returned link has completed its handshake and belongs to the caller;
    every other link opened here is closed.
    """
    loop = asyncio.get_running_loop()
    answered = current.watch_answers()
    alive = loop.create_task(answered.wait(), name=f"answer-from-{current.server.name}")
    probing = loop.create_task(_probe(current, probes, window_s / 2), name=f"probe-{current.server.name}")
    hunt = loop.create_task(_first_to_answer(candidates, open_link, parallel), name="failover-candidates")
    replacement: L | None = None
    try:
        await asyncio.wait({alive}, timeout=window_s)
        if not alive.done():
            await asyncio.wait({alive, hunt}, return_when=asyncio.FIRST_COMPLETED)
        if alive.done():
            log.debug("%s answered again: it stays", current.server.name)
        else:
            replacement = hunt.result()
        return replacement
    finally:
        current.unwatch_answers(answered)
        pending = [task for task in (alive, probing, hunt) if not task.done()]
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending)
        if hunt.done() and not hunt.cancelled() and hunt.exception() is None:
            found = hunt.result()
            if found is not None and found is not replacement:
                found.close(say_bye=True)  # the old server answered after all


async def _probe(link: ProbedLink, count: int, over_s: float) -> None:
    # Spread over the first half of the window, so the last answers can still arrive within it.
    for _ in range(count):
        link.send_probe()
        await asyncio.sleep(over_s / count)


async def _first_to_answer(candidates: Sequence[ServerEndpoint], open_link: LinkOpener[L], parallel: int) -> L | None:
    """The first candidate link to complete a handshake, at most ``parallel`` tried at a time."""
    waiting = list(candidates)
    running: dict[asyncio.Task[bool], L] = {}
    winner: L | None = None
    try:
        while waiting or running:
            while waiting and len(running) < parallel:
                server = waiting.pop(0)
                try:
                    link = await open_link(server)
                except (OSError, ValueError, OverflowError) as exc:
                    log.info("cannot reach %s: %s", server.name, exc)
                    continue
                running[asyncio.get_running_loop().create_task(link.handshake())] = link
            if not running:
                break
            done, _ = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                link = running.pop(task)
                if winner is None and not task.cancelled() and task.exception() is None and task.result():
                    winner = link
                else:
                    link.close(say_bye=False)
            if winner is not None:
                return winner
        return None
    finally:
        for task in running:
            task.cancel()
        for link in running.values():
            link.close(say_bye=False)
        if running:
            await asyncio.wait(running)
