"""Runs the report's SQL files (``lab/sql/``, BigQuery's dialect) on DuckDB or Spark, transpiled by sqlglot.

The files are the specification an analyst reads and could paste into
BigQuery; here each is transpiled per engine and run.  Query parameters
(``@name`` in BigQuery) are substituted as literals in sqlglot's tree before
the SQL is generated, the same way for every engine: Spark SQL has no
``@name`` parameters (its parser refuses them) and DuckDB's ``$name`` would
make the two engines run different text.  Results come back as
:class:`Rows`: the column names and the rows as tuples, in order.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Protocol, runtime_checkable

import duckdb
import sqlglot
from sqlglot import exp

from lab.pipeline.duckdb_unnest import unnest_in_select

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

SQL_DIR: Final = Path(__file__).resolve().parents[1] / "sql"

Param = bool | int | float | str | None | tuple[str, ...]


class MissingParameterError(ValueError):
    """A SQL file names ``@name`` but the caller gave no value for it."""


def sql_text(name: str) -> str:
    """The BigQuery text of ``lab/sql/<name>.sql``."""
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


@functools.cache
def _parsed(name: str) -> exp.Expr:
    return sqlglot.parse_one(sql_text(name), read="bigquery")


def _literal(value: Param) -> exp.Expr:
    if value is None:
        return exp.Null()
    if isinstance(value, tuple):
        return exp.Array(expressions=[exp.Literal.string(item) for item in value])
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int | float):
        return exp.Literal.number(value)
    return exp.Literal.string(value)


def transpiled(name: str, dialect: str, **params: Param) -> str:
    """``lab/sql/<name>.sql`` in ``dialect``, with each ``@param`` replaced by the literal given for it."""
    return _transpiled(name, dialect, tuple(sorted(params.items())))


@functools.lru_cache(maxsize=512)
def _transpiled(name: str, dialect: str, param_items: tuple[tuple[str, Param], ...]) -> str:
    """:func:`transpiled`, kept: copying and generating sqlglot's tree costs more than a small query runs.

    A report runs every file (the debug view's every 2 s); 512 holds every
    file for a few dozen debug tags.
    """
    params = dict(param_items)

    def substitute(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Parameter):
            key = node.name
            if key not in params:
                raise MissingParameterError(f"{name}.sql needs @{key}")
            return _literal(params[key])
        return node

    tree = _parsed(name).copy().transform(substitute)
    if dialect == "duckdb":
        tree = unnest_in_select(tree)
    return tree.sql(dialect=dialect)


def forget_transpiled() -> None:
    """Drop the parsed and transpiled SQL kept so far: the next query parses and transpiles its file again.

    For measurements of a first report, whatever ran before in the process.
    """
    _parsed.cache_clear()
    _transpiled.cache_clear()


class Rows:
    """What one query returned: its column names, and its rows as tuples in the query's order.

    Iterating gives a dict per row, for the small results.  The large ones
    (a million pings make hundreds of thousands of session rows) are read by
    position through :meth:`getter`: a dict per row costs more than DuckDB
    takes to compute them.
    """

    __slots__ = ("columns", "tuples")

    def __init__(self, columns: Sequence[str], tuples: list[tuple[Any, ...]]) -> None:
        self.columns = tuple(columns)
        self.tuples = tuples

    def __len__(self) -> int:
        return len(self.tuples)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return (dict(zip(self.columns, row, strict=True)) for row in self.tuples)

    def dicts(self) -> list[dict[str, Any]]:
        return list(self)

    def getter(self, *names: str) -> Callable[[tuple[Any, ...]], tuple[Any, ...]]:
        """A function picking ``names``, in that order, out of one of :attr:`tuples`."""
        indices = [self.columns.index(name) for name in names]
        if len(indices) == 1:
            (index,) = indices
            return lambda row: (row[index],)
        return operator.itemgetter(*indices)


def query_duckdb(db: duckdb.DuckDBPyConnection, name: str, **params: Param) -> Rows:
    cursor = db.execute(transpiled(name, "duckdb", **params))
    return Rows([column[0] for column in cursor.description or []], cursor.fetchall())


def run_duckdb(db: duckdb.DuckDBPyConnection, name: str, **params: Param) -> list[dict[str, Any]]:
    """The rows of ``lab/sql/<name>.sql`` run on ``db``, as dicts."""
    return query_duckdb(db, name, **params).dicts()


class Query(Protocol):
    """Runs one file of ``lab/sql/`` on some engine: what the report needs from an engine."""

    def __call__(self, name: str, **params: Param) -> Rows: ...


Call = tuple[str, dict[str, Param]]
"""A file of ``lab/sql/`` and the parameters to run it with."""


@runtime_checkable
class RunsAhead(Protocol):
    """A :class:`Query` that can start files before they are asked for."""

    def ahead(self, calls: Sequence[Call]) -> None: ...


def _call_key(name: str, params: Mapping[str, Param]) -> tuple[str, tuple[tuple[str, Param], ...]]:
    return name, tuple(sorted(params.items()))


AHEAD_WORKERS: Final = 3
"""Files run at once by :class:`DuckDBQuery`: most of a report's files are short scans whose planning,
transpiling and single-threaded steps leave a core idle (over a million pings on 2 cores, three at a
time was the quickest of two, three and four: a report of about 0.7 s, against 0.8 s one by one)."""


class DuckDBQuery:
    """:class:`Query` on one DuckDB database that runs the files given to :meth:`ahead` in threads.

    Each file started ahead runs on a cursor of its own (a DuckDB connection is
    not for two threads at once), made here on the caller's thread, with the
    caller's time zone.  Asking for a file started ahead waits for its rows;
    any other runs on ``db``.  Each query reads the latest committed data, as
    one after another would outside a transaction (inside one, they would not
    share its snapshot).  Use as a context manager: leaving waits for what
    still runs and closes its cursors.
    """

    def __init__(self, db: duckdb.DuckDBPyConnection, workers: int = AHEAD_WORKERS) -> None:
        self._db = db
        self._workers = workers
        self._pool: ThreadPoolExecutor | None = None
        self._started: dict[tuple[str, tuple[tuple[str, Param], ...]], Future[Rows]] = {}
        self._cursors: list[duckdb.DuckDBPyConnection] = []

    def __call__(self, name: str, **params: Param) -> Rows:
        future = self._started.pop(_call_key(name, params), None)
        if future is not None:
            return future.result()
        return query_duckdb(self._db, name, **params)

    def ahead(self, calls: Sequence[Call]) -> None:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="report-sql")
        (zone,) = self._db.execute("SELECT current_setting('TimeZone')").fetchone() or ("UTC",)
        for name, params in calls:
            cursor = self._db.cursor()
            self._cursors.append(cursor)
            cursor.execute(f"SET TimeZone = '{str(zone).replace(chr(39), chr(39) * 2)}'").fetchall()
            self._started[_call_key(name, params)] = self._pool.submit(_run_on, cursor, name, params)

    def unused(self) -> list[str]:
        """The files started ahead and not asked for (yet): work a caller's list of calls did in vain."""
        return sorted(name for name, _ in self._started)

    def __enter__(self) -> DuckDBQuery:
        return self

    def __exit__(self, *_exc: object) -> None:
        for future in self._started.values():
            future.cancel()
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        for cursor in self._cursors:
            cursor.close()  # those of cancelled files; closing a closed one does nothing
        self._started.clear()
        self._cursors.clear()


def _run_on(cursor: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, Param]) -> Rows:
    try:
        return query_duckdb(cursor, name, **params)
    finally:
        cursor.close()


def run_ahead(query: Query, calls: Sequence[Call]) -> None:
    """Start ``calls`` on ``query`` now when it can run files ahead; otherwise each runs when asked for."""
    if isinstance(query, RunsAhead):
        query.ahead(calls)


def with_params(query: Query, **bound: Param) -> Query:
    """``query`` giving ``bound`` to every file (a file ignores the parameters it does not name)."""

    def bound_query(name: str, **params: Param) -> Rows:
        return query(name, **bound, **params)

    return bound_query


def duckdb_query(db: duckdb.DuckDBPyConnection) -> Query:
    return functools.partial(query_duckdb, db)


def spark_query(spark: SparkSession) -> Query:
    return functools.partial(query_spark, spark)


def query_spark(spark: SparkSession, name: str, **params: Param) -> Rows:
    """``lab/sql/<name>.sql`` run on ``spark`` (tables registered by :func:`spark_statements`)."""
    frame = spark.sql(transpiled(name, "spark", **params))
    rows = [row.asDict(recursive=True) for row in frame.collect()]
    return Rows(frame.columns, [tuple(row[column] for column in frame.columns) for row in rows])


def spark_statements(parquet_dir: Path, tables: list[tuple[str, str]], view_statements: list[str]) -> list[str]:
    """Spark SQL that registers exported Parquet tables under their dataset names, then the views."""
    statements = [f"CREATE DATABASE IF NOT EXISTS {schema}" for schema in sorted({schema for schema, _ in tables})]
    statements.append("CREATE DATABASE IF NOT EXISTS mimic_vpn")
    for schema, name in tables:
        location = str(parquet_dir / schema / f"{name}.parquet").replace("'", "\\'")
        statements.append(f"CREATE TABLE IF NOT EXISTS {schema}.{name} USING parquet LOCATION '{location}'")
    return statements + [
        sqlglot.transpile(statement, read="bigquery", write="spark")[0] for statement in view_statements
    ]
