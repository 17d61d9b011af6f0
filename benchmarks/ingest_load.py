"""Load for the lab's edge: recorded real pings POSTed gzipped, as Glean's uploader sends them.

Runs in a process of its own (so the sender's CPU does not sit in the
process that times keepalives): ``senders`` concurrent aiohttp clients post
until ``count`` submissions were answered or ``limit_s`` passed, each with a
fresh document id.  Only a 200 counts: the edge answers once an upload is
in the lab's spool, and a query to the lab after the last answer returns
once every answered upload is committed to the store, which dates "stored".
"""

from __future__ import annotations

import asyncio
import gzip
import itertools
import time
import uuid
from email.utils import formatdate

import aiohttp
import msgspec

from benchmarks.ping_copies import recorded


def _bodies() -> list[tuple[str, bytes]]:
    return [
        (f"{ping.app}/{ping.ping}/{ping.version}", gzip.compress(msgspec.json.encode(ping.payload)))
        for ping in recorded()
    ]


async def _send(url: str, count: int, limit_s: float, senders: int) -> tuple[int, dict[int, int], float, float]:
    bodies = _bodies()
    turns = itertools.count()
    statuses: dict[int, int] = {}
    deadline = time.monotonic() + limit_s

    async def sender(session: aiohttp.ClientSession) -> None:
        while (turn := next(turns)) < count and time.monotonic() < deadline:
            path, body = bodies[turn % len(bodies)]
            headers = {
                "Content-Type": "application/json; charset=utf-8",
                "Content-Encoding": "gzip",
                "Date": formatdate(usegmt=True),
                "X-Telemetry-Agent": "Glean/71.0.0 (Python on Linux)",
            }
            async with session.post(f"{url}/submit/{path}/{uuid.uuid4()}", data=body, headers=headers) as reply:
                await reply.read()
                statuses[reply.status] = statuses.get(reply.status, 0) + 1

    began = time.monotonic()
    async with aiohttp.ClientSession() as session:
        await asyncio.gather(*(sender(session) for _ in range(senders)))
        answered_s = time.monotonic() - began
        # A query is answered after every upload answered before it is committed.
        async with session.get(f"{url}/lab/pings", params={"limit": "1"}) as reply:
            await reply.read()
            if reply.status != 200:
                raise RuntimeError(f"the lab answered {reply.status} to the query after the uploads")
        stored_s = time.monotonic() - began
    return statuses.get(200, 0), statuses, answered_s, stored_s


def send(url: str, count: int, limit_s: float, senders: int) -> tuple[int, dict[int, int], float, float]:
    """(answered 200, answers by status, seconds until the last answer, seconds until all were committed)."""
    return asyncio.run(_send(url, count, limit_s, senders))
