"""Where the lab's telemetry endpoint keeps every ping it accepted.

SQLite, because the session report joins app and daemon pings with SQL and
because the file outlives the lab for inspection.  Glean retries a ping it
believes failed, so the document id is unique and a retry is accepted
without a second row, as Mozilla's pipeline deduplicates.

All database work runs on one dedicated thread: sqlite3 calls block, and
the same event loop is answering VPN keepalives whose latency is measured.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Final, TypeVar

import msgspec

from mimic_core.lab_api import StoredPing

_T = TypeVar("_T")

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS pings (
    id          INTEGER PRIMARY KEY,
    document_id TEXT NOT NULL UNIQUE,
    app         TEXT NOT NULL,
    ping        TEXT NOT NULL,
    version     TEXT NOT NULL,
    received_at TEXT NOT NULL,
    headers     TEXT NOT NULL,
    payload     TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS pings_by_app_ping ON pings (app, ping);
"""


class IngestionStore:
    """The SQLite file of received pings, used from the event loop."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingestion-db")
        self._db: sqlite3.Connection | None = None

    async def open(self) -> None:
        await self._run(self._open)

    async def store(
        self,
        *,
        document_id: str,
        app: str,
        ping: str,
        version: str,
        headers: Mapping[str, str],
        payload: str,
    ) -> bool:
        """Keep a ping; False if that document id was already stored."""
        received_at = datetime.now(UTC).isoformat(timespec="milliseconds")
        header_json = msgspec.json.encode(dict(headers)).decode()

        def insert(db: sqlite3.Connection) -> bool:
            with db:
                cursor = db.execute(
                    "INSERT OR IGNORE INTO pings"
                    " (document_id, app, ping, version, received_at, headers, payload)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (document_id, app, ping, version, received_at, header_json, payload),
                )
                return cursor.rowcount == 1

        return await self._run_on_db(insert)

    async def pings(self, *, app: str | None = None, ping: str | None = None, limit: int = 100) -> list[StoredPing]:
        """The latest ``limit`` matching pings, oldest first."""

        def select(db: sqlite3.Connection) -> list[tuple[str, str, str, str, str, str, str]]:
            clauses: list[str] = []
            params: list[str | int] = []
            if app is not None:
                clauses.append("app = ?")
                params.append(app)
            if ping is not None:
                clauses.append("ping = ?")
                params.append(ping)
            where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
            params.append(limit)
            rows: list[tuple[str, str, str, str, str, str, str]] = db.execute(
                "SELECT document_id, app, ping, version, received_at, headers, payload"
                f" FROM pings {where} ORDER BY id DESC LIMIT ?",
                params,
            ).fetchall()
            return rows

        rows = await self._run_on_db(select)
        return [
            StoredPing(
                document_id=document_id,
                app=app_name,
                ping=ping_name,
                version=version,
                received_at=received_at,
                headers=msgspec.json.decode(headers, type=dict[str, str]),
                payload=msgspec.json.decode(payload),
            )
            for document_id, app_name, ping_name, version, received_at, headers, payload in reversed(rows)
        ]

    async def close(self) -> None:
        if self._db is not None:
            await self._run(self._close)
        self._executor.shutdown(wait=True)

    def _open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, check_same_thread=False, isolation_level="DEFERRED")
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA busy_timeout=5000")
            db.executescript(_SCHEMA)
        except sqlite3.Error:
            db.close()
            raise
        self._db = db

    def _close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    async def _run_on_db(self, work: Callable[[sqlite3.Connection], _T]) -> _T:
        def on_thread() -> _T:
            if self._db is None:
                raise RuntimeError("the ingestion store is closed")
            return work(self._db)

        return await self._run(on_thread)

    async def _run(self, work: Callable[[], _T]) -> _T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, work)
