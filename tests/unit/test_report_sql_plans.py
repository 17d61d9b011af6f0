"""The report's SQL runs on DuckDB as plain scans, unnests and hash joins, never as a correlated join.

A ``CROSS JOIN UNNEST`` with a filter on the unnested values, or over a field
of a wider struct, and a subquery over ``UNNEST`` of a column, are planned by
DuckDB as duplicate-eliminating ("delim") joins that hash the correlated
column for every row: what made the report take 80 s over a million pings.
``lab.pipeline.duckdb_unnest`` and the generated views avoid them; these
tests keep it so by reading DuckDB's plans (no time is measured), and check
that the rewrite returns the rows BigQuery's ``CROSS JOIN UNNEST`` does.
"""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest
import sqlglot

from lab.pipeline.duckdb_unnest import unnest_in_select
from lab.pipeline.sql_runner import SQL_DIR, Param, transpiled
from lab.session_report import ALLOWED
from tests.support.recorded_run import recorded_store

PARAMS: dict[str, Param] = {
    "allowed_under_inactive_id": ALLOWED,
    "all_sessions": False,
    "counted_from_zero": True,
    "debug_tag": None,
}


@pytest.fixture(scope="module")
def db() -> Iterator[duckdb.DuckDBPyConnection]:
    store = recorded_store()
    yield store
    store.close()


def _plan(db: duckdb.DuckDBPyConnection, sql: str) -> str:
    return "\n".join(str(row[1]) for row in db.execute(f"EXPLAIN {sql}").fetchall())


@pytest.mark.parametrize("debug_tag", [None, "run-1"])
@pytest.mark.parametrize("name", sorted(path.stem for path in SQL_DIR.glob("*.sql")))
def test_no_report_query_is_planned_as_a_correlated_join(
    db: duckdb.DuckDBPyConnection, name: str, debug_tag: str | None
) -> None:
    plan = _plan(db, transpiled(name, "duckdb", **{**PARAMS, "debug_tag": debug_tag}))
    assert "delim" not in plan.lower(), plan


@pytest.mark.parametrize("name", sorted(path.stem for path in SQL_DIR.glob("*.sql")))
def test_every_report_query_is_limited_by_the_debug_tag(name: str) -> None:
    text = (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")
    assert "@debug_tag IS NULL OR" in text, f"{name}.sql does not filter on @debug_tag"


def _duckdb(bigquery: str, *, rewrite: bool) -> str:
    tree = sqlglot.parse_one(bigquery, read="bigquery")
    return (unnest_in_select(tree) if rewrite else tree).sql(dialect="duckdb")


@pytest.mark.parametrize(
    "query",
    [
        "SELECT t.id, label.key, label.value FROM t CROSS JOIN UNNEST(t.labels) AS label ORDER BY 1, 2",
        "SELECT id, label.key FROM t CROSS JOIN UNNEST(labels) AS label WHERE label.value != 0 ORDER BY 1, 2",
        "SELECT id, SUM(label.value) FROM t, UNNEST(t.labels) AS label GROUP BY 1 ORDER BY 1",
        "SELECT a.id, COUNT(*) FROM t AS a CROSS JOIN UNNEST(a.labels) AS l1, UNNEST(a.labels) AS l2 GROUP BY 1",
        "SELECT id, (SELECT COUNT(*) FROM UNNEST(labels) AS label WHERE label.value > 1) FROM t ORDER BY 1",
    ],
)
def test_the_rewrite_returns_the_rows_of_the_lateral_join(query: str) -> None:
    db = duckdb.connect()
    try:
        db.execute(
            "CREATE TABLE t AS SELECT * FROM (VALUES"
            " (1, [{'key': 'a', 'value': 1}, {'key': 'b', 'value': 0}]),"
            " (2, []::STRUCT(key VARCHAR, value BIGINT)[]),"
            " (3, NULL::STRUCT(key VARCHAR, value BIGINT)[]),"
            " (4, [{'key': 'c', 'value': 5}])) AS v(id, labels)"
        ).fetchall()
        rewritten = _duckdb(query, rewrite=True)
        assert sorted(db.execute(rewritten).fetchall()) == sorted(db.execute(_duckdb(query, rewrite=False)).fetchall())
        if "JOIN" in query or ", UNNEST" in query:
            assert "delim" not in _plan(db, rewritten).lower()
    finally:
        db.close()
