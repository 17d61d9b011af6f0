"""Load for the lab's edge: recorded real pings POSTed gzipped, as Glean's uploader sends them.

Runs in a process of its own (so the sender's CPU does not sit in the
process that times keepalives): ``senders`` concurrent aiohttp clients post
until ``count`` submissions were answered or ``limit_s`` passed, each with a
fresh document id.  Only a 200 counts as stored: the edge answers once the
submission is committed.
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


async def _send(url: str, count: int, limit_s: float, senders: int) -> tuple[int, dict[int, int], float]:
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
    return statuses.get(200, 0), statuses, time.monotonic() - began


def send(url: str, count: int, limit_s: float, senders: int) -> tuple[int, dict[int, int], float]:
    """(stored, answers by status, seconds from the first request to the last answer)."""
    return asyncio.run(_send(url, count, limit_s, senders))
