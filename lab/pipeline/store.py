"""The analytic store: an embedded DuckDB file with the raw, error, decoded, live and stable tables.

One thread owns the connection.  The edge hands it submissions; it takes
whatever has queued up (up to ``BATCH_LIMIT``), decodes each, and writes the
whole batch in one transaction, then answers every waiting request.  So the
event loop that also answers VPN keepalives never waits on DuckDB or on the
decoder, and a burst of uploads costs one commit per batch, not per ping.
Queries (the control API's ping list, the report) run on the same thread,
between batches.

The stable tables keep the earliest row per ``document_id`` and nothing
tagged ``automation``, as bigquery-etl's ``copy_deduplicate`` does; the live
tables keep every decoded submission, duplicates included.
"""

from __future__ import annotations

import asyncio
import json
import logging
import queue
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final, TypeVar

import duckdb
import msgspec

from lab.pipeline.catalog import Catalog, bundled_catalog, dataset
from lab.pipeline.decoder import Decoded, DecodeError, Submission, decode
from lab.pipeline.tables import HEADERS, table_ddl, transpile, view_ddl
from mimic_core.lab_api import StoredPing

log = logging.getLogger(__name__)

_T = TypeVar("_T")
BATCH_LIMIT: Final = 500

RAW: Final = "payload_bytes_raw.structured"
ERROR: Final = "payload_bytes_error.structured"
DECODED: Final = "payload_bytes_decoded.structured"


def connect(path: Path | None) -> duckdb.DuckDBPyConnection:
    """A connection with every table and view created; ``None`` for an in-memory database."""
    db = duckdb.connect(str(path) if path is not None else ":memory:")
    # BigQuery's TIMESTAMP is an instant; DuckDB shows TIMESTAMPTZ in the session's zone.
    db.execute("SET TimeZone = 'UTC'").fetchall()
    catalog = bundled_catalog()
    for statement in transpile(table_ddl(catalog) + view_ddl(catalog), "duckdb"):
        db.execute(statement).fetchall()
    return db


def _row_type(db: duckdb.DuckDBPyConnection, table: str) -> str:
    schema, name = table.split(".")
    columns = db.execute(
        "SELECT column_name, data_type FROM information_schema.columns"
        " WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
        [schema, name],
    ).fetchall()
    return "STRUCT(" + ", ".join(f'"{column}" {kind}' for column, kind in columns) + ")"


@dataclass
class Writer:
    """Writes batches of submissions into one connection (the lab's file, or a report's in-memory copy)."""

    db: duckdb.DuckDBPyConnection
    catalog: Catalog = field(default_factory=bundled_catalog)
    _types: dict[str, str] = field(default_factory=dict)

    def _insert(self, table: str, rows: Sequence[dict[str, Any]], *, new_ids_only: bool = False) -> None:
        if not rows:
            return
        if table not in self._types:
            self._types[table] = _row_type(self.db, table)
        source = f"SELECT unnest(CAST(j::JSON AS {self._types[table]})) FROM (SELECT unnest(?::VARCHAR[]) AS j)"
        if new_ids_only:
            source = f"SELECT * FROM ({source}) WHERE document_id NOT IN (SELECT document_id FROM {table})"
        self.db.execute(
            f"INSERT INTO {table} BY NAME {source}", [[json.dumps(row, default=str) for row in rows]]
        ).fetchall()

    def write(self, submissions: Iterable[Submission]) -> None:
        """Decode and store ``submissions`` in one transaction (the caller commits or rolls back)."""
        raw: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        decoded_rows: list[dict[str, Any]] = []
        live: dict[str, list[dict[str, Any]]] = {}
        stable: dict[str, dict[str, dict[str, Any]]] = {}
        for submission in submissions:
            record = raw_record(submission)
            raw.append(record)
            result = decode(submission, self.catalog)
            if isinstance(result, DecodeError):
                errors.append({**record, "error_type": result.error_type, "error_message": result.error_message})
                continue
            table = f"{dataset(submission.namespace, '%s')}.{result.ping.table}"
            live.setdefault(table % "live", []).append(result.row)
            decoded_rows.append(decoded_record(submission, result))
            if not result.automation:
                # The earliest row per document id: a batch is in arrival order.
                stable.setdefault(table % "stable", {}).setdefault(result.row["document_id"], result.row)
        self._insert(RAW, raw)
        self._insert(ERROR, errors)
        self._insert(
            DECODED, list({row["document_id"]: row for row in reversed(decoded_rows)}.values())[::-1], new_ids_only=True
        )
        for table, rows in live.items():
            self._insert(table, rows)
        for table, by_id in stable.items():
            self._insert(table, list(by_id.values()), new_ids_only=True)


def raw_record(submission: Submission) -> dict[str, Any]:
    return {
        "submission_timestamp": submission.submission_timestamp.isoformat(),
        "uri": submission.uri,
        "document_namespace": submission.namespace,
        "document_type": submission.doc_type,
        "document_version": submission.doc_version,
        "document_id": submission.doc_id,
        "method": submission.method,
        "content_length": submission.content_length,
        "user_agent": submission.user_agent,
        **{name: submission.headers.get(name) for name in HEADERS},
        # JSON has no bytes: DuckDB reads this escaped form back into a BLOB.
        "payload": "".join(f"\\x{byte:02X}" for byte in submission.payload),
    }


def decoded_record(submission: Submission, decoded: Decoded) -> dict[str, Any]:
    return {
        "submission_timestamp": submission.submission_timestamp.isoformat(),
        "document_namespace": submission.namespace,
        "document_type": submission.doc_type,
        "document_version": submission.doc_version,
        "document_id": decoded.row["document_id"],
        "headers": json.dumps(submission.headers),
        "payload": decoded.payload,
    }


class _Stop:
    pass


_Work = tuple[Submission, Future[None]] | tuple[Callable[[duckdb.DuckDBPyConnection], Any], Future[Any]] | _Stop


class PipelineStore:
    """The lab's DuckDB file, written and read on one thread of its own."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._queue: queue.SimpleQueue[_Work] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._opened: Future[None] = Future()

    async def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._thread = threading.Thread(target=self._serve, name="pipeline-store", daemon=True)
        self._thread.start()
        await asyncio.wrap_future(self._opened)

    async def submit(self, submission: Submission) -> None:
        """Keep ``submission`` (raw, then decoded or as an error); returns once it is committed."""
        done: Future[None] = Future()
        self._queue.put((submission, done))
        await asyncio.wrap_future(done)

    async def query(self, work: Callable[[duckdb.DuckDBPyConnection], _T]) -> _T:
        """Run ``work`` on the store's thread, between batches."""
        done: Future[_T] = Future()
        self._queue.put((work, done))
        return await asyncio.wrap_future(done)

    async def pings(self, *, app: str | None = None, ping: str | None = None, limit: int = 100) -> list[StoredPing]:
        """The latest ``limit`` decoded pings (once per document id), oldest first."""
        return await self.query(lambda db: stored_pings(db, app=app, ping=ping, limit=limit))

    async def close(self) -> None:
        if self._thread is not None:
            self._queue.put(_Stop())
            await asyncio.to_thread(self._thread.join)
            self._thread = None

    def _serve(self) -> None:
        try:
            db = connect(self.path)
        except BaseException as exc:
            self._opened.set_exception(exc)
            return
        self._opened.set_result(None)
        writer = Writer(db)
        try:
            while True:
                item = self._queue.get()
                if isinstance(item, _Stop):
                    return
                if not isinstance(item[0], Submission):
                    self._run_query(db, item)
                    continue
                batch = [item]
                while len(batch) < BATCH_LIMIT:
                    try:
                        following = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if not isinstance(following, tuple) or not isinstance(following[0], Submission):
                        self._queue.put(following)  # a query or the stop: after this batch
                        break
                    batch.append(following)
                self._write(writer, batch)
        finally:
            db.close()

    @staticmethod
    def _run_query(db: duckdb.DuckDBPyConnection, item: tuple[Callable[[Any], Any], Future[Any]]) -> None:
        work, done = item
        # A query nobody waits for any more (its awaiting task was cancelled) is not run; once marked
        # running, a future can no longer be cancelled, so setting its result cannot fail.
        if not done.set_running_or_notify_cancel():
            return
        try:
            done.set_result(work(db))
        except Exception as exc:
            done.set_exception(exc)

    @staticmethod
    def _write(writer: Writer, batch: list[tuple[Submission, Future[None]]]) -> None:
        # A submission whose waiter gave up is still stored (it was received: nothing is lost);
        # only the waiters still there are answered.
        waiting = [done for _, done in batch if done.set_running_or_notify_cancel()]
        try:
            writer.db.execute("BEGIN TRANSACTION").fetchall()
            writer.write(submission for submission, _ in batch)
            writer.db.execute("COMMIT").fetchall()
        except Exception as exc:
            writer.db.execute("ROLLBACK").fetchall()
            log.exception("could not store %d submissions", len(batch))
            for done in waiting:
                done.set_exception(exc)
            return
        for done in waiting:
            done.set_result(None)


def stored_pings(
    db: duckdb.DuckDBPyConnection, *, app: str | None = None, ping: str | None = None, limit: int = 100
) -> list[StoredPing]:
    clauses, params = [], []
    if app is not None:
        clauses.append("document_namespace = ?")
        params.append(app)
    if ping is not None:
        clauses.append("document_type = ?")
        params.append(ping)
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    rows = db.execute(
        "SELECT document_id, document_namespace, document_type, document_version,"
        " strftime(submission_timestamp, '%Y-%m-%dT%H:%M:%S.%g+00:00'), headers, payload"
        f" FROM {DECODED} {where} ORDER BY rowid DESC LIMIT ?",
        [*params, limit],
    ).fetchall()
    return [
        StoredPing(
            document_id=document_id,
            app=namespace,
            ping=doc_type,
            version=version,
            received_at=received_at,
            headers=msgspec.json.decode(headers, type=dict[str, str | None]),
            payload=msgspec.json.decode(payload),
        )
        for document_id, namespace, doc_type, version, received_at, headers, payload in reversed(rows)
    ]


def _received_at(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def load_pings(pings: Iterable[StoredPing], path: Path | None = None) -> duckdb.DuckDBPyConnection:
    """A store (in memory, or the file at ``path``) holding ``pings`` (accepted pings, oldest first), decoded.

    Each ping goes through the decoder like a submission of its JSON.  Its
    ``submission_timestamp`` is its ``received_at``, moved on by a
    microsecond where needed so that arrival order is kept when stored
    times are equal (the report orders ties by arrival).
    """
    db = connect(path)
    submissions: list[Submission] = []
    previous: datetime | None = None
    for stored in pings:
        moment = _received_at(stored.received_at)
        if previous is not None and moment <= previous:
            moment = previous + timedelta(microseconds=1)
        previous = moment
        body = msgspec.json.encode(stored.payload)
        submissions.append(
            Submission(
                submission_timestamp=moment,
                uri=f"/submit/{stored.app}/{stored.ping}/{stored.version}/{stored.document_id}",
                namespace=stored.app,
                doc_type=stored.ping,
                doc_version=stored.version,
                doc_id=stored.document_id,
                method="POST",
                content_length=len(body),
                user_agent=None,
                headers={name: value for name in HEADERS if isinstance(value := stored.headers.get(name), str)},
                payload=body,
            )
        )
    Writer(db).write(submissions)
    return db
