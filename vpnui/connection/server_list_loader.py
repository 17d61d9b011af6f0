"""Getting the server list, however long the network takes to allow it.

Without the list the location row has nothing to show and the toggle has no
servers to check, so a failed fetch is never the end of it: the loader tries
again after a doubling delay (capped, so an outage that lasts hours costs
one request every ``max_s``, never a busy loop), and at once when something
suggests the network is back (an OS or lab network change, a check that
found the internet).  One attempt runs at a time; whoever needs the list
right now (the toggle's checks) joins the next attempt instead of starting
a second one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator

from vpnui.connection.server_list import ServerList, ServerListError

log = logging.getLogger(__name__)


def retry_delays(first_s: float, max_s: float) -> Iterator[float]:
    """``first_s``, doubling, then ``max_s`` forever: the waits between failed attempts."""
    if not 0 < first_s <= max_s:
        raise ValueError(f"retry delays must satisfy 0 < first <= max, got {first_s} and {max_s}")
    delay = first_s
    while True:
        yield delay
        delay = min(delay * 2, max_s)


class ServerListLoader:
    """Fetches the server list until it has it; :meth:`run` is the loader's task."""

    def __init__(
        self,
        fetch: Callable[[], Awaitable[ServerList]],
        on_loaded: Callable[[ServerList], None],
        *,
        first_retry_s: float,
        max_retry_s: float,
    ) -> None:
        self._fetch = fetch
        self._on_loaded = on_loaded
        self._first_retry_s = first_retry_s
        self._max_retry_s = max_retry_s
        retry_delays(first_retry_s, max_retry_s)  # refuse bad values here, not in the task
        self._wake = asyncio.Event()
        self._reset_backoff = False
        self._attempts_ended = 0
        self._attempting = False
        self._ended = asyncio.Condition()
        self.server_list: ServerList | None = None
        self.last_error = ""

    @property
    def attempts(self) -> int:
        """Attempts that have ended, successful or not."""
        return self._attempts_ended

    def network_back(self) -> None:
        """The network may be back (or different): try at once and restart the backoff."""
        if self.server_list is None:
            self._reset_backoff = True
            self._wake.set()

    async def load_now(self) -> ServerList | None:
        """Try at once and return the list once that attempt ended (``None`` if it failed).

        An attempt already under way is joined rather than doubled.
        """
        if self.server_list is not None:
            return self.server_list
        target = self._attempts_ended + 1
        if not self._attempting:
            self._wake.set()
        async with self._ended:
            await self._ended.wait_for(lambda: self._attempts_ended >= target or self.server_list is not None)
        return self.server_list

    async def run(self) -> None:
        """Attempt until the list is loaded; cancel the task to stop early."""
        delays = retry_delays(self._first_retry_s, self._max_retry_s)
        while True:
            # Cleared before the attempt: a wake-up that arrives during it
            # (the network changed under it) earns another attempt at once.
            self._wake.clear()
            self._attempting = True
            try:
                server_list = await self._fetch()
            except ServerListError as exc:
                # Said once per cause: an outage of hours must not fill the log.
                level = logging.INFO if str(exc) == self.last_error else logging.WARNING
                log.log(level, "%s; retrying", exc)
                self.last_error = str(exc)
            else:
                self.server_list = server_list
                self.last_error = ""
                self._on_loaded(server_list)
            finally:
                self._attempting = False
                self._attempts_ended += 1
                async with self._ended:
                    self._ended.notify_all()
            if self.server_list is not None:
                return
            delay = next(delays)
            try:
                await asyncio.wait_for(self._wake.wait(), delay)
            except TimeoutError:
                continue
            if self._reset_backoff:
                self._reset_backoff = False
                delays = retry_delays(self._first_retry_s, self._max_retry_s)
