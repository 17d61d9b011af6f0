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

from benchmarks.world import BenchError
from lab.pipeline.store import load_pings
from mimic_core.lab_api import StoredPing
from mimic_core.telemetry_names import INACTIVE_SESSION_ID

RECORDED: Final = Path(__file__).resolve().parent.parent / "tests" / "data" / "recorded_pings_seed146.json"
UUID_TAIL: Final = r"(-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
UUID_RE: Final = re.compile(r"\b[0-9a-f]{8}" + UUID_TAIL + r"\b")
INACTIVE_TAIL: Final = INACTIVE_SESSION_ID[8:]
COPY_SQL: Final = (
    "CREATE OR REPLACE TEMP MACRO fresh_copy(j, k, day) AS replace(replace("
    f"regexp_replace(j, '\\b[0-9a-f]{{8}}{UUID_TAIL}\\b', printf('%08x', k) || '\\1', 'g'),"
    f" printf('%08x{INACTIVE_TAIL}', k), '{INACTIVE_SESSION_ID}'),"
    " day, strftime(CAST(day AS DATE) + CAST(k AS INTEGER), '%Y-%m-%d'))"
)
"""``fresh_copy(json_text, k, recorded_day)``: the Python :func:`fresh_copy`, in DuckDB."""
CHUNK_ROWS: Final = 500_000
"""Rows made per INSERT: bounds the JSON text DuckDB holds at once."""


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


def _tables(db: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    rows = db.execute(
        "SELECT c.table_schema, c.table_name, c.column_name, c.data_type FROM information_schema.columns c"
        " JOIN information_schema.tables t USING (table_schema, table_name)"
        " WHERE t.table_type = 'BASE TABLE' ORDER BY 1, 2, c.ordinal_position"
    ).fetchall()
    types: dict[str, list[str]] = {}
    for schema, name, column, kind in rows:
        types.setdefault(f"{schema}.{name}", []).append(f'"{column}" {kind}')
    return [(table, "STRUCT(" + ", ".join(columns) + ")") for table, columns in types.items()]


def store_with(pings: int, path: Path) -> int:
    """A store file at ``path`` holding copies of the recording, at least ``pings`` stable rows; their number.

    Copy 0 goes through the decoder (the lab's own writer); the others are
    made from its rows by :data:`COPY_SQL`, table by table, the decoded-JSON
    table included, so every table the report reads grows alike.
    """
    template = recorded()
    day = recorded_day(template)
    copies = copies_for(pings, len(template))
    db = load_pings(template, path)
    try:
        db.execute(COPY_SQL).fetchall()
        for table, row_type in _tables(db):
            (rows,) = db.execute(f"SELECT count(*) FROM {table}").fetchone() or (0,)
            if rows == 0:
                continue
            db.execute(f"CREATE TEMP TABLE template AS SELECT to_json(t)::VARCHAR AS j FROM {table} t").fetchall()
            step = max(1, CHUNK_ROWS // rows)
            for first in range(1, copies, step):
                db.execute(
                    f"INSERT INTO {table} BY NAME SELECT unnest(CAST(fresh_copy(j, k, ?)::JSON AS {row_type}))"
                    " FROM template, range(?, ?) r(k)",
                    [day, first, min(copies, first + step)],
                ).fetchall()
            db.execute("DROP TABLE template").fetchall()
        (stable,) = db.execute("SELECT count(*) FROM mimic_vpn.all_pings").fetchone() or (0,)
        db.execute("CHECKPOINT").fetchall()
        return int(stable)
    finally:
        db.close()
