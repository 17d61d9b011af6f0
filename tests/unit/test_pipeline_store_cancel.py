"""A query whose waiter gives up does not stop the store, nor lose the submissions queued with it.

When the wait for a query is cancelled (the lab shutting down with a page
being built, a caller's timeout), the store's thread still holds its future.
It must neither die on it nor drop what was queued beside it: the store
keeps taking submissions afterwards, the one answered while it was busy
included.  The store's thread is held by a gated query, so the cancellation
surely comes first (no timing).
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import duckdb

from lab.pipeline.store import PipelineStore
from tests.support.submissions import edge_submission, raw_rows

BOUND_S = 10.0


async def abandon_then_submit(tmp_path: Path) -> tuple[int, bool]:
    store = PipelineStore(tmp_path / "telemetry.duckdb")
    await store.open()
    entered, gate = threading.Event(), threading.Event()

    def held(db: duckdb.DuckDBPyConnection) -> None:
        entered.set()
        gate.wait(BOUND_S)

    try:
        busy = asyncio.ensure_future(store.query(held))
        assert await asyncio.to_thread(entered.wait, BOUND_S)
        abandoned_submission = asyncio.ensure_future(store.submit(edge_submission()))
        abandoned_query = asyncio.ensure_future(store.query(raw_rows))
        await asyncio.sleep(0)  # both are queued behind the held query
        abandoned_submission.cancel()
        abandoned_query.cancel()
        gate.set()
        await busy
        await asyncio.wait_for(store.submit(edge_submission()), BOUND_S)
        stored = await asyncio.wait_for(store.query(raw_rows), BOUND_S)
        await abandoned_submission  # answered once spooled, before its batch is committed
        return stored, abandoned_query.cancelled()
    finally:
        gate.set()
        await store.close()


def test_an_abandoned_query_neither_stops_the_store_nor_loses_a_submission(tmp_path: Path) -> None:
    assert asyncio.run(abandon_then_submit(tmp_path)) == (2, True)
