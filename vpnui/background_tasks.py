"""The app's background coroutines, each kept until it ends.

asyncio holds only weak references to tasks, so a task nobody keeps can
vanish mid-flight; and at shutdown every one of them must be cancelled and
awaited before the loop goes.  Every QObject that starts coroutines owns one
of these instead of a set of its own.

asyncio is imported when the first task starts, not with this module (nor
with the others the window's objects are made of): it and what it imports
(ssl, subprocess...) take about 20 ms, and the app's objects exist before
the window's screens are shown, while the loop only runs after that.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import asyncio

log = logging.getLogger(__name__)


class BackgroundTasks:
    def __init__(self, owner: str) -> None:
        self._owner = owner
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, coro: Awaitable[Any]) -> asyncio.Task[Any]:
        import asyncio  # noqa: PLC0415  (see the module's doc)

        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    async def cancel_all(self) -> None:
        """Cancel every running task and wait until all have ended."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            import asyncio  # noqa: PLC0415

            await asyncio.gather(*tasks, return_exceptions=True)

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("%s task failed", self._owner, exc_info=task.exception())
