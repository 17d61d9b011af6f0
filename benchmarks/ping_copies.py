"""Many pings made from a few recorded real ones: fresh ids and fresh times per copy.

Copy ``k`` of the recorded set is the same pings with every UUID given the
first eight hex digits of ``k`` (document, client, session and installation
ids, so each copy is clients and sessions of its own, joined the same way
as the recorded ones) and every date moved on by ``k`` days.  The inactive
session id stays what it is: the report counts values under it.

The same rule is written twice, as SQL over a store's rows (millions of rows
are made inside DuckDB, never as Python objects) and in Python over
``StoredPing`` (what the Python report took): both sides of the comparison
read the same pings.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Final

import duckdb
import msgspec
from duckdb.sqltypes import DuckDBPyType

from benchmarks.world import BenchError
from lab.pipeline.store import DECODED, load_pings
from mimic_core.lab_api import StoredPing
from mimic_core.telemetry_names import INACTIVE_SESSION_ID

RECORDED: Final = Path(__file__).resolve().parent.parent / "tests" / "data" / "recorded_pings_seed146.json"
UUID_TAIL: Final = r"(-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
UUID_RE: Final = re.compile(r"\b[0-9a-f]{8}" + UUID_TAIL + r"\b")
INACTIVE_TAIL: Final = INACTIVE_SESSION_ID[8:]
CHUNK_ROWS: Final = 2_000_000
"""Rows made per INSERT: bounds what DuckDB holds at once."""
ID_FIELDS: Final = frozenset({"document_id", "client_info.client_id"})
"""Besides ``metrics.uuid.*``: the fields holding the recording's UUIDs (found by reading it)."""
DAY_FIELDS: Final = frozenset({"ping_info.start_time", "ping_info.end_time", "client_info.first_run_date"})
"""Besides ``metrics.datetime.*`` and every TIMESTAMP: the fields holding the recording's day."""


def recorded() -> list[StoredPing]:
    return msgspec.json.decode(RECORDED.read_bytes(), type=list[StoredPing])


def recorded_day(pings: list[StoredPing]) -> str:
    """The one day the recording covers: a copy moves it by whole days."""
    days = {ping.received_at[:10] for ping in pings}
    if len(days) != 1:
        raise BenchError(f"the recorded pings span several days ({sorted(days)}); copies would overlap")
    return days.pop()


def fresh_copy(text: str, k: int, day: str) -> str:
    text = UUID_RE.sub(lambda match: f"{k:08x}{match.group(1)}", text)
    text = text.replace(f"{k:08x}{INACTIVE_TAIL}", INACTIVE_SESSION_ID)
    return text.replace(day, (date.fromisoformat(day) + timedelta(days=k)).isoformat())


def copies_for(pings: int, template: int) -> int:
    return max(1, -(-pings // template))


def stored_pings(count: int) -> Iterator[StoredPing]:
    """At least ``count`` pings as the lab's control API served them (whole copies of the recording)."""
    template = recorded()
    day = recorded_day(template)
    texts = [msgspec.json.encode(ping).decode() for ping in template]
    for k in range(copies_for(count, len(template))):
        for text in texts:
            yield msgspec.json.decode(fresh_copy(text, k, day), type=StoredPing)


def _tables(db: duckdb.DuckDBPyConnection) -> list[str]:
    rows = db.execute(
        "SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' ORDER BY 1, 2"
    ).fetchall()
    return [f"{schema}.{name}" for schema, name in rows]


def _is_id(path: str) -> bool:
    return path in ID_FIELDS or path.startswith("metrics.uuid.")


def _has_day(path: str) -> bool:
    return path in DAY_FIELDS or path.startswith("metrics.datetime.")


def _rewritten(expression: str, kind: DuckDBPyType, path: str) -> str | None:
    """SQL for copy ``k`` of ``expression`` (a column or field at ``path``); None when it stays as it is."""
    if kind.id == "struct":
        changes = [
            f'"{name}" := {new}'
            for name, child in kind.children
            if isinstance(child, DuckDBPyType)
            and (new := _rewritten(f'{expression}."{name}"', child, f"{path}.{name}" if path else name)) is not None
        ]
        return f"struct_update({expression}, {', '.join(changes)})" if changes else None
    if kind.id.startswith("timestamp"):
        return f"{expression} + to_days(CAST(k AS INTEGER))"
    if kind.id == "varchar" and _is_id(path):
        return f"fresh_id({expression}, k)"
    if kind.id == "varchar" and _has_day(path):
        return f"fresh_day({expression}, k)"
    return None


def _copy_select(db: duckdb.DuckDBPyConnection, table: str) -> str:
    """``SELECT`` of copy ``k`` (a column of the FROM) of every row of ``table``, a snapshot of the recording."""
    relation = db.sql(f"SELECT * FROM {table}")
    columns: list[str] = []
    for name, kind in zip(relation.columns, relation.types, strict=True):
        if name == "uri":  # /submit/<namespace>/<type>/<version>/<document id>
            columns.append("replace(uri, document_id, fresh_id(document_id, k)) AS uri")
        else:
            rewritten = _rewritten(f't."{name}"', kind, name)
            columns.append(f'{rewritten} AS "{name}"' if rewritten is not None else f't."{name}"')
    return f"SELECT {', '.join(columns)} FROM {table} AS t"


def store_with(pings: int, path: Path) -> int:
    """A store file at ``path`` holding copies of the recording, at least ``pings`` stable rows; their number.

    Copy 0 goes through the decoder (the lab's own writer); the others are
    made from its rows inside DuckDB, table by table, by rewriting the ids
    and dates of every row (:func:`_rewritten`): no JSON round trip, so ten
    million pings take minutes, not an hour.  The raw table's payload (the
    gzip bytes as received) is copied unchanged: nothing reads its ids.
    The decoded table (each ping's JSON, what ``/lab/pings`` serves; the
    report never reads it) keeps copy 0 only: its ten million JSON texts
    alone would be most of the file and of the time.
    """
    template = recorded()
    day = recorded_day(template)
    copies = copies_for(pings, len(template))
    db = load_pings(template, path)
    try:
        db.execute("SET enable_progress_bar = false").fetchall()
        db.execute(
            "CREATE OR REPLACE TEMP MACRO fresh_id(x, k) AS"
            f" CASE WHEN x IS NULL OR x = '{INACTIVE_SESSION_ID}' OR length(x) != 36 THEN x"
            " ELSE printf('%08x', k) || substr(x, 9) END"
        ).fetchall()
        db.execute(
            "CREATE OR REPLACE TEMP MACRO fresh_day(x, k) AS"
            f" replace(x, '{day}', strftime(DATE '{day}' + CAST(k AS INTEGER), '%Y-%m-%d'))"
        ).fetchall()
        for table in _tables(db):
            if table == DECODED:
                continue
            (rows,) = db.execute(f"SELECT count(*) FROM {table}").fetchone() or (0,)
            if rows == 0:
                continue
            # Copies are made from a snapshot of copy 0: the table itself grows with every INSERT.
            db.execute(f"CREATE OR REPLACE TEMP TABLE recording AS SELECT * FROM {table}").fetchall()
            select = _copy_select(db, "recording")
            step = max(1, CHUNK_ROWS // rows)
            for first in range(1, copies, step):
                db.execute(
                    f"INSERT INTO {table} BY NAME {select} CROSS JOIN range(?, ?) r(k)",
                    [first, min(copies, first + step)],
                ).fetchall()
        (stable,) = db.execute("SELECT count(*) FROM mimic_vpn.all_pings").fetchone() or (0,)
        db.execute("CHECKPOINT").fetchall()
        return int(stable)
    finally:
        db.close()
