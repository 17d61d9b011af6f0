"""The server-list loader: retries with a capped backoff, at once when the network is back, one attempt at a time.

The fetch is a stand-in (pure logic); the real fetch against a real lab is
covered by tests/ui/test_server_list_reload.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from itertools import islice
from typing import TypeVar

import pytest

from mimic_core.server_list import City, Country, ServerAddress
from vpnui.connection.server_list import ServerList, ServerListError
from vpnui.connection.server_list_loader import ServerListLoader, retry_delays

_T = TypeVar("_T")

SERVER_LIST = ServerList(
    countries=[
        Country(
            name="Germany",
            code="de",
            cities=[City(name="Berlin", code="ber", servers=[ServerAddress(name="s1", host="127.0.0.1", udp_port=1)])],
        )
    ]
)
# Long enough that a test only passes if something other than the timer made the loader try again.
NEVER_S = 3600.0
BOUND_S = 5.0


class FlakyFetch:
    """Fails ``failures`` times, then returns the list; counts its calls; may be held."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls = 0
        self.release = asyncio.Event()
        self.release.set()
        self.entered = asyncio.Event()

    async def __call__(self) -> ServerList:
        self.calls += 1
        self.entered.set()
        await self.release.wait()
        if self.calls <= self.failures:
            raise ServerListError("server list unavailable: the connection closed without a response")
        return SERVER_LIST


def run(test: Callable[[], Awaitable[_T]]) -> _T:
    async def bounded() -> _T:
        return await asyncio.wait_for(test(), BOUND_S)

    return asyncio.run(bounded())


def test_delays_double_up_to_the_cap_and_stay_there() -> None:
    assert list(islice(retry_delays(1.0, 30.0), 8)) == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0, 30.0]


@pytest.mark.parametrize(("first", "cap"), [(0.0, 1.0), (-1.0, 1.0), (2.0, 1.0)])
def test_delays_refuse_a_busy_loop_or_a_cap_below_the_start(first: float, cap: float) -> None:
    with pytest.raises(ValueError, match="retry delays"):
        next(retry_delays(first, cap))


def test_a_failed_fetch_is_retried_by_itself_until_the_list_comes() -> None:
    async def scenario() -> None:
        fetch = FlakyFetch(failures=3)
        loaded: list[ServerList] = []
        loader = ServerListLoader(fetch, loaded.append, first_retry_s=0.01, max_retry_s=0.02)
        await loader.run()  # returns once loaded
        assert fetch.calls == 4
        assert loaded == [SERVER_LIST]
        assert loader.server_list == SERVER_LIST
        assert loader.last_error == ""

    run(scenario)


def test_network_back_retries_at_once_instead_of_waiting_out_the_backoff() -> None:
    async def scenario() -> None:
        fetch = FlakyFetch(failures=1)
        loaded: list[ServerList] = []
        loader = ServerListLoader(fetch, loaded.append, first_retry_s=NEVER_S, max_retry_s=NEVER_S)
        task = asyncio.ensure_future(loader.run())
        while loader.attempts < 1:
            await asyncio.sleep(0)
        assert loader.server_list is None
        assert "connection closed" in loader.last_error
        loader.network_back()
        await task
        assert fetch.calls == 2
        assert loaded == [SERVER_LIST]

    run(scenario)


def test_network_back_during_an_attempt_earns_another_one_at_once() -> None:
    async def scenario() -> None:
        fetch = FlakyFetch(failures=1)
        fetch.release.clear()
        loader = ServerListLoader(fetch, lambda _: None, first_retry_s=NEVER_S, max_retry_s=NEVER_S)
        task = asyncio.ensure_future(loader.run())
        await fetch.entered.wait()
        loader.network_back()  # the attempt under way may be on the old network
        fetch.release.set()
        await task
        assert fetch.calls == 2

    run(scenario)


def test_load_now_joins_the_attempt_under_way_and_reports_its_failure() -> None:
    async def scenario() -> None:
        fetch = FlakyFetch(failures=1)
        fetch.release.clear()
        loader = ServerListLoader(fetch, lambda _: None, first_retry_s=NEVER_S, max_retry_s=NEVER_S)
        task = asyncio.ensure_future(loader.run())
        await fetch.entered.wait()
        first, second = asyncio.ensure_future(loader.load_now()), asyncio.ensure_future(loader.load_now())
        await asyncio.sleep(0)
        fetch.release.set()
        assert await first is None
        assert await second is None
        assert fetch.calls == 1  # joined, not doubled
        # Asked again while the loader waits out its backoff: a new attempt, at once.
        assert await loader.load_now() == SERVER_LIST
        assert fetch.calls == 2
        await task

    run(scenario)


def test_once_loaded_nothing_is_fetched_again() -> None:
    async def scenario() -> None:
        fetch = FlakyFetch(failures=0)
        loader = ServerListLoader(fetch, lambda _: None, first_retry_s=0.01, max_retry_s=0.01)
        await loader.run()
        loader.network_back()
        assert await loader.load_now() == SERVER_LIST
        assert fetch.calls == 1

    run(scenario)
