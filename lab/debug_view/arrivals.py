"""What the debug view's pages are told when the edge has stored a submission.

The edge calls :meth:`ArrivalFeed.stored` once a submission is committed,
on the event loop; the feed numbers it and announces the debug tag it came
with, so a page showing one tag refreshes only for its own pings.  A burst
of arrivals reaches a page as one message (:func:`merge`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager

import msgspec

from lab.event_stream import Broadcast, sse_message
from lab.pipeline.decoder import Submission

UNTAGGED = ""
"""The tag announced for a submission without ``X-Debug-ID``."""


class Arrivals(msgspec.Struct, frozen=True):
    generation: int
    """Submissions stored since the lab started, the latest included: a page's data is current at this number."""
    tags: frozenset[str]
    """The debug tags of the submissions announced (``""``: none)."""


def merge(earlier: Arrivals, later: Arrivals) -> Arrivals:
    return Arrivals(max(earlier.generation, later.generation), earlier.tags | later.tags)


def encode(arrivals: Arrivals) -> bytes:
    body = {"generation": arrivals.generation, "tags": sorted(arrivals.tags)}
    return sse_message("stored", msgspec.json.encode(body))


class ArrivalFeed:
    """Counts stored submissions and tells every watching page."""

    def __init__(self) -> None:
        self.generation = 0
        self._broadcast: Broadcast[Arrivals] = Broadcast()

    def stored(self, submission: Submission) -> None:
        self.generation += 1
        tag = submission.headers.get("x_debug_id") or UNTAGGED
        self._broadcast.announce(Arrivals(self.generation, frozenset({tag})))

    @contextmanager
    def watch(self) -> Iterator[asyncio.Queue[Arrivals | None]]:
        with self._broadcast.watch() as queue:
            yield queue

    def close(self) -> None:
        self._broadcast.close()
