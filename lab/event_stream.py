"""Server-Sent Events from the lab: who is told of a change, and how a stream is served.

Two things in the lab announce changes to browsers and tools: the condition
board (``/lab/events``) and the debug view's arrivals of pings
(``/debug/events``).  Both fan out to any number of watchers through a
:class:`Broadcast`, and both streams are served by :func:`serve_events`:
the current state first, then every change, a heartbeat comment while
nothing happens (so proxies and browsers keep the connection), and the end
of the stream when the lab closes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Final, Generic, TypeVar

from aiohttp import web

_T = TypeVar("_T")

HEARTBEAT_S: Final = 15.0
"""A comment line this often while nothing changes."""
WATCHER_BACKLOG: Final = 64
"""Changes a slow watcher may fall behind by before the oldest are dropped:
every stream here only needs the latest state to be correct."""


def sse_message(event: str, data: bytes) -> bytes:
    """One SSE message; ``data`` must be a single line (JSON is)."""
    return b"event: " + event.encode() + b"\ndata: " + data + b"\n\n"


class Broadcast(Generic[_T]):
    """Hands every announced item to every current watcher; a watcher that stops reading holds up no one."""

    def __init__(self) -> None:
        self._watchers: set[asyncio.Queue[_T | None]] = set()

    @contextmanager
    def watch(self) -> Iterator[asyncio.Queue[_T | None]]:
        """A queue receiving every later item; ``None`` means the lab is closing."""
        queue: asyncio.Queue[_T | None] = asyncio.Queue(maxsize=WATCHER_BACKLOG)
        self._watchers.add(queue)
        try:
            yield queue
        finally:
            self._watchers.discard(queue)

    def announce(self, item: _T) -> None:
        for queue in self._watchers:
            self._offer(queue, item)

    def close(self) -> None:
        """Tell every watcher to stop."""
        for queue in self._watchers:
            self._offer(queue, None)

    @staticmethod
    def _offer(queue: asyncio.Queue[_T | None], item: _T | None) -> None:
        if queue.full():
            queue.get_nowait()
        queue.put_nowait(item)


async def serve_events(
    request: web.Request,
    changes: asyncio.Queue[_T | None],
    encode: Callable[[_T], bytes],
    *,
    first: bytes | None = None,
    merge: Callable[[_T, _T], _T] | None = None,
    settle_s: float = 0.0,
) -> web.StreamResponse:
    """Stream ``changes`` (from :meth:`Broadcast.watch`) to ``request`` as SSE messages made by ``encode``.

    With ``merge``, items that queued up while the previous message was
    written (or during ``settle_s`` after it) are merged into one message:
    for announcements whose every item makes the browser do some work, a
    burst of a thousand costs one message, not a thousand.
    """
    response = web.StreamResponse(headers={"Cache-Control": "no-cache"})
    response.content_type = "text/event-stream"
    try:
        await response.prepare(request)
        if first is not None:
            await response.write(first)
        while True:
            try:
                item = await asyncio.wait_for(changes.get(), HEARTBEAT_S)
            except TimeoutError:
                await response.write(b": heartbeat\n\n")
                continue
            if item is None:  # the lab is closing
                break
            if merge is not None:
                while not changes.empty():
                    following = changes.get_nowait()
                    if following is None:
                        return response
                    item = merge(item, following)
            await response.write(encode(item))
            if settle_s:
                await asyncio.sleep(settle_s)
    except ConnectionError:
        pass  # the watcher went away
    return response
