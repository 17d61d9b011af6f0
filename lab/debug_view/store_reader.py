"""Reading the lab's store for the debug view without holding up ingestion or the event loop.

The store's own thread writes submissions in batches and runs the control
API's queries between them, so a long query there (the whole report, on a
big store) would hold every upload waiting.  The debug view reads through
a connection of its own to the same database instead (a DuckDB cursor,
taken on the store's thread, which owns the database), on a thread of its
own: DuckDB lets one process read and write through separate connections
at once, a reader seeing the last committed state, so uploads go on while
a page is built, and the event loop only awaits the result.

Each piece of work runs in one read transaction, so everything one page
shows comes from one committed state of the store.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import duckdb

from lab.pipeline.store import PipelineStore

log = logging.getLogger(__name__)

_T = TypeVar("_T")


class ReaderClosedError(RuntimeError):
    """The lab is closing: no more reads."""


class StoreReader:
    """Runs read-only work on the store's database, one piece at a time, off the loop and off the store's thread."""

    def __init__(self, store: PipelineStore) -> None:
        self._store = store
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="debug-view-reader")
        self._cursor: duckdb.DuckDBPyConnection | None = None
        self._opening = asyncio.Lock()
        self._closed = False

    async def read(self, work: Callable[[duckdb.DuckDBPyConnection], _T]) -> _T:
        """``work(connection)`` in one read transaction; its result."""
        cursor = await self._connection()
        return await asyncio.get_running_loop().run_in_executor(self._executor, _in_transaction, cursor, work)

    async def _connection(self) -> duckdb.DuckDBPyConnection:
        async with self._opening:
            if self._closed:
                raise ReaderClosedError("the lab is closing")
            if self._cursor is None:
                # cursor() on the store's thread: the connection it duplicates belongs to that thread.
                self._cursor = await self._store.query(lambda db: db.cursor())
            return self._cursor

    async def close(self) -> None:
        """Stop a query under way and close the connection; before the store closes its database."""
        async with self._opening:
            self._closed = True
            cursor, self._cursor = self._cursor, None
        if cursor is not None:
            cursor.interrupt()  # a long report must not hold up the lab's shutdown
            await asyncio.get_running_loop().run_in_executor(self._executor, cursor.close)
        await asyncio.to_thread(self._executor.shutdown)


def _in_transaction(cursor: duckdb.DuckDBPyConnection, work: Callable[[duckdb.DuckDBPyConnection], _T]) -> _T:
    cursor.execute("BEGIN TRANSACTION").fetchall()
    try:
        return work(cursor)
    finally:
        cursor.execute("ROLLBACK").fetchall()  # nothing was written: ending the snapshot is all there is to do
