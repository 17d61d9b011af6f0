"""Runs the report's SQL files (``lab/sql/``, BigQuery's dialect) on DuckDB, transpiled by sqlglot.

The files are the specification an analyst reads and could paste into
BigQuery; here each is transpiled once per engine and run with its query
parameters (``@name`` in BigQuery).  Results come back as dicts by column name.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Final

import duckdb
import sqlglot

SQL_DIR: Final = Path(__file__).resolve().parents[1] / "sql"


def sql_text(name: str) -> str:
    """The BigQuery text of ``lab/sql/<name>.sql``."""
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


@functools.cache
def transpiled(name: str, dialect: str) -> str:
    return sqlglot.transpile(sql_text(name), read="bigquery", write=dialect)[0]


def run_duckdb(db: duckdb.DuckDBPyConnection, name: str, **params: Any) -> list[dict[str, Any]]:
    cursor = db.execute(transpiled(name, "duckdb"), params or None)
    columns = [column[0] for column in cursor.description or []]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


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
