"""The analytic store: an embedded DuckDB file with the raw, error, decoded, live and stable tables.

The edge appends each submission to the spool (``lab.pipeline.spool``) and
answers; one thread of the store owns the DuckDB connection and takes the
submissions in batches (what arrived within ``LINGER_S`` of the first, up to
``BATCH_LIMIT``), decodes each and writes the batch in one transaction.  So
the event loop that also answers VPN keepalives never waits on DuckDB or on
the decoder, an upload waits for one ``write()``, and a burst costs one
commit per few hundred pings.  Queries (the control API's ping list) run on
the same thread after the submissions answered before them; reports and
exports read on a connection of their own, each statement a snapshot (:meth:`PipelineStore.read`).
On close every answered submission is committed; after a crash the next open
stores what the spool still holds.

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
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final, TypeVar

import duckdb
import msgspec

from lab.pipeline import spool
from lab.pipeline.catalog import Catalog, bundled_catalog, dataset
from lab.pipeline.decoder import Decoded, DecodeError, Submission, decode
from lab.pipeline.spool import Spool
from lab.pipeline.tables import HEADERS, table_ddl, transpile, view_ddl
from mimic_core.lab_api import StoredPing

log = logging.getLogger(__name__)

_T = TypeVar("_T")
BATCH_LIMIT: Final = 500
"""Submissions per transaction at most."""
LINGER_S: Final = 0.05
"""How long a batch waits for more submissions after its first: commits per second stay few under load."""
MAX_PENDING: Final = 100_000
"""Answered but uncommitted submissions beyond which the edge answers 503 (Glean retries later)."""
WRITE_ATTEMPTS: Final = 3
INSERT_ERROR: Final = "insert"
"""The error type of a valid ping whose row a table refuses (a counter beyond INT64, say): Mozilla's BigQuery
sink sends such failed inserts to the error output too."""
RETRY_S: Final = 0.5

_json: Final = msgspec.json.Encoder()
_BLOB_ESCAPES: Final = tuple(f"\\x{byte:02X}" for byte in range(256))
"""``\\x1F`` for each byte value: how DuckDB reads bytes from a JSON string into a BLOB."""
RAW: Final = "payload_bytes_raw.structured"
ERROR: Final = "payload_bytes_error.structured"
DECODED: Final = "payload_bytes_decoded.structured"


def connect(path: Path | None) -> duckdb.DuckDBPyConnection:
    """A connection with every table and view created; ``None`` for an in-memory database."""
    db = duckdb.connect(str(path) if path is not None else ":memory:")
    # BigQuery's TIMESTAMP is an instant; DuckDB shows TIMESTAMPTZ in the session's zone.
    db.execute("SET TimeZone = 'UTC'").fetchall()
    # DuckDB draws a progress bar on the terminal for a long query: not in the output of a command.
    db.execute("SET enable_progress_bar = false").fetchall()
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
            f"INSERT INTO {table} BY NAME {source}", [[_json.encode(row).decode() for row in rows]]
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

    def write_refused(self, submission: Submission, message: str) -> None:
        """Store ``submission`` raw and as an ``insert`` error: its decoded row was refused by the tables."""
        record = raw_record(submission)
        self._insert(RAW, [record])
        self._insert(ERROR, [{**record, "error_type": INSERT_ERROR, "error_message": message[:1000]}])


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
        "payload": "".join(map(_BLOB_ESCAPES.__getitem__, submission.payload)),
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


class StoreUnavailableError(Exception):
    """The store cannot take a submission now (too far behind, or failing): the edge answers 5xx, Glean retries."""


@dataclass(frozen=True)
class _Submitted:
    sequence: int
    submission: Submission


@dataclass(frozen=True)
class _Query:
    work: Callable[[duckdb.DuckDBPyConnection], Any]
    done: Future[Any]


class _Stop:
    pass


_Work = _Submitted | _Query | _Stop


class PipelineStore:
    """The lab's DuckDB file, written and read on one thread of its own, behind the edge's spool."""

    def __init__(
        self,
        path: Path,
        *,
        batch_limit: int = BATCH_LIMIT,
        linger_s: float = LINGER_S,
        on_committed: Callable[[Submission], None] = lambda submission: None,
    ) -> None:
        """``on_committed`` is told of each submission once it is in the tables (the debug view's live pages)."""
        self.path = path
        self.spool_dir = path.with_name(f"{path.name}.spool")
        self._batch_limit = batch_limit
        self._linger_s = linger_s
        self._on_committed = on_committed
        self._spool = Spool(self.spool_dir)
        self._queue: queue.SimpleQueue[_Work] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._opened: Future[None] = Future()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pending = 0
        """Submissions answered but not committed yet (event loop's thread only)."""
        self._failed: str | None = None

    async def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._loop = asyncio.get_running_loop()
        recovered, segments = await asyncio.to_thread(spool.recover, self.spool_dir)
        self._spool.open()
        self._thread = threading.Thread(
            target=self._serve, args=(recovered, segments), name="pipeline-store", daemon=True
        )
        self._thread.start()
        await asyncio.wrap_future(self._opened)

    async def submit(self, submission: Submission) -> None:
        """Keep ``submission``: on disk when this returns, in the tables a batch later (raw, then decoded or error).

        Raises :class:`StoreUnavailableError` when it was not kept.
        """
        if self._failed is not None:
            raise StoreUnavailableError(self._failed)
        if self._pending >= MAX_PENDING:
            raise StoreUnavailableError(f"{self._pending} submissions are waiting to be stored")
        try:
            sequence = self._spool.append(submission)
        except OSError as exc:
            raise StoreUnavailableError(f"the spool cannot be written: {exc}") from exc
        self._pending += 1
        self._queue.put(_Submitted(sequence, submission))

    async def query(self, work: Callable[[duckdb.DuckDBPyConnection], _T]) -> _T:
        """Run ``work`` on the store's thread, once every submission answered before it is committed."""
        done: Future[_T] = Future()
        self._queue.put(_Query(work, done))
        return await asyncio.wrap_future(done)

    async def read(self, work: Callable[[duckdb.DuckDBPyConnection], _T]) -> _T:
        """Run ``work`` on a connection of its own in a worker thread, while submissions keep being stored.

        The connection is made after every submission answered before this
        call is committed; each statement on it reads a snapshot (DuckDB's MVCC),
        so a long report or export neither blocks the writer nor sees half a batch.
        """
        cursor = await self.query(lambda db: db.cursor())

        def run() -> _T:
            try:
                cursor.execute("SET TimeZone = 'UTC'").fetchall()
                return work(cursor)
            finally:
                cursor.close()

        return await asyncio.to_thread(run)

    async def pings(self, *, app: str | None = None, ping: str | None = None, limit: int = 100) -> list[StoredPing]:
        """The latest ``limit`` decoded pings (once per document id), oldest first."""
        return await self.query(lambda db: stored_pings(db, app=app, ping=ping, limit=limit))

    async def close(self) -> None:
        """Store everything answered, then close; the spool is left empty."""
        if self._thread is not None:
            self._queue.put(_Stop())
            await asyncio.to_thread(self._thread.join)
            self._thread = None
            self._spool.close()

    def _committed(self, sequence: int, batch: list[Submission]) -> None:
        self._pending -= len(batch)
        self._spool.committed(sequence)
        for submission in batch:
            self._on_committed(submission)

    def _fail(self, reason: str) -> None:
        self._failed = reason

    def _serve(self, recovered: list[Submission], segments: list[Path]) -> None:
        try:
            db = connect(self.path)
            writer = Writer(db)
            if recovered:
                # What a killed lab answered but had not committed; what it had committed is skipped.
                missing = unstored(db, recovered)
                self._commit_each(writer, missing)
                log.info("stored %d of the %d submissions left in the spool", len(missing), len(recovered))
            for segment in segments:
                segment.unlink(missing_ok=True)
        except BaseException as exc:
            self._opened.set_exception(exc)
            return
        self._opened.set_result(None)
        try:
            self._write_until_stopped(writer)
        finally:
            db.close()

    def _write_until_stopped(self, writer: Writer) -> None:
        batch: list[_Submitted] = []
        flush_at = 0.0
        while True:
            try:
                item = self._queue.get(timeout=max(0.0, flush_at - time.monotonic()) if batch else None)
            except queue.Empty:
                batch = self._flush(writer, batch)
                continue
            if isinstance(item, _Submitted):
                if not batch:
                    flush_at = time.monotonic() + self._linger_s
                batch.append(item)
                if len(batch) >= self._batch_limit:
                    batch = self._flush(writer, batch)
                continue
            # A query or the stop comes after the submissions answered before it.
            batch = self._flush(writer, batch)
            if isinstance(item, _Stop):
                return
            # A query nobody waits for any more (its awaiting task was cancelled) is not run; once
            # marked running, a future can no longer be cancelled, so setting its result cannot fail.
            if not item.done.set_running_or_notify_cancel():
                continue
            try:
                item.done.set_result(item.work(writer.db))
            except Exception as exc:
                item.done.set_exception(exc)

    def _flush(self, writer: Writer, batch: list[_Submitted]) -> list[_Submitted]:
        if not batch or self._failed is not None:
            return []
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                self._commit_each(writer, [item.submission for item in batch])
                break
            except Exception:
                log.exception("could not store %d submissions (attempt %d)", len(batch), attempt)
                time.sleep(RETRY_S)
        else:
            # They stay in the spool, for the next start; taking more would only grow it.
            reason = f"the store failed to write {len(batch)} submissions; they are kept in {self.spool_dir}"
            log.error(reason)
            self._call_soon(self._fail, reason)
            return []
        self._call_soon(self._committed, batch[-1].sequence, [item.submission for item in batch])
        return []

    def _call_soon(self, callback: Callable[..., None], *args: Any) -> None:
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(callback, *args)

    @classmethod
    def _commit_each(cls, writer: Writer, submissions: list[Submission]) -> None:
        """Commit ``submissions``; one whose row a table refuses is stored as an error, not with the others.

        A failure that is not about one submission (the disk, say) fails
        storing it as an error too, and is raised.
        """
        try:
            cls._commit(writer, submissions)
            return
        except duckdb.Error as exc:
            if len(submissions) == 1:
                cls._commit_refused(writer, submissions[0], exc)
                return
        for submission in submissions:
            try:
                cls._commit(writer, [submission])
            except duckdb.Error as exc:
                cls._commit_refused(writer, submission, exc)

    @staticmethod
    def _commit_refused(writer: Writer, submission: Submission, error: duckdb.Error) -> None:
        log.warning("submission %s stored as an insert error: %s", submission.doc_id, error)
        writer.db.execute("BEGIN TRANSACTION").fetchall()
        try:
            writer.write_refused(submission, f"{type(error).__name__}: {error}")
            writer.db.execute("COMMIT").fetchall()
        except BaseException:
            writer.db.execute("ROLLBACK").fetchall()
            raise

    @staticmethod
    def _commit(writer: Writer, submissions: list[Submission]) -> None:
        if not submissions:
            return
        writer.db.execute("BEGIN TRANSACTION").fetchall()
        try:
            writer.write(submissions)
            writer.db.execute("COMMIT").fetchall()
        except BaseException:
            writer.db.execute("ROLLBACK").fetchall()
            raise


def unstored(db: duckdb.DuckDBPyConnection, submissions: list[Submission]) -> list[Submission]:
    """``submissions`` whose raw row is not in the store yet (by document id and submission time)."""
    earliest = min(submission.submission_timestamp for submission in submissions)
    stored = set(
        db.execute(
            f"SELECT document_id, submission_timestamp FROM {RAW} WHERE submission_timestamp >= ?", [earliest]
        ).fetchall()
    )
    return [
        submission for submission in submissions if (submission.doc_id, submission.submission_timestamp) not in stored
    ]


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
