"""The debug view reads the store without holding up ingestion: a read under way does not stop a submission.

The store's own query path (``PipelineStore.query``) runs on the thread that
writes, between batches, so a long query there keeps every upload waiting;
the debug view's :class:`StoreReader` reads through a connection of its own
on a thread of its own.  A read is held open here by a gate (no timing), and
a submission must be committed while it is (the edge answers once a submission
is spooled; the store's own query comes after its commit).
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import duckdb

from lab.debug_view.store_reader import ReaderClosedError, StoreReader
from lab.pipeline.store import PipelineStore
from tests.support.submissions import edge_submission, raw_rows

BOUND_S = 10.0


async def held_read_and_submission(tmp_path: Path) -> tuple[int, int, int, int]:
    store = PipelineStore(tmp_path / "telemetry.duckdb")
    await store.open()
    reader = StoreReader(store)
    entered, gate = threading.Event(), threading.Event()

    def held(db: duckdb.DuckDBPyConnection) -> tuple[int, int]:
        before = raw_rows(db)
        entered.set()
        assert gate.wait(BOUND_S), "the gate was never opened"
        return before, raw_rows(db)  # the same snapshot: one read transaction

    try:
        read = asyncio.ensure_future(reader.read(held))
        assert await asyncio.to_thread(entered.wait, BOUND_S)
        # While the read is held open, a submission is committed (the loop and the store's thread are free).
        await asyncio.wait_for(store.submit(edge_submission()), BOUND_S)
        # The store's own query runs once every answered submission is committed: it is, with the read still held.
        committed = await asyncio.wait_for(store.query(raw_rows), BOUND_S)
        gate.set()
        before, after_in_snapshot = await read
        after = await reader.read(raw_rows)
    finally:
        gate.set()
        await reader.close()
        await store.close()
    return before, after_in_snapshot, committed, after


def test_a_read_under_way_does_not_hold_up_a_submission(tmp_path: Path) -> None:
    assert asyncio.run(held_read_and_submission(tmp_path)) == (0, 0, 1, 1)


def test_a_closed_reader_refuses_reads(tmp_path: Path) -> None:
    async def run() -> None:
        store = PipelineStore(tmp_path / "telemetry.duckdb")
        await store.open()
        reader = StoreReader(store)
        try:
            assert await reader.read(raw_rows) == 0
            await reader.close()
            try:
                await reader.read(raw_rows)
            except ReaderClosedError:
                return
            raise AssertionError("a closed reader read")
        finally:
            await store.close()

    asyncio.run(run())
