"""``vpnui-lab export``: the pipeline's tables as Parquet, one file per table, for any other engine.

``<out>/<dataset>/<table>.parquet``, e.g. ``mimic_vpn_stable/vpnsession_v1.parquet``: the
layout Spark, BigQuery loads or pandas read directly.  By default the stable tables only
(what analyses read); ``every_table`` adds the raw, error, decoded and live tables.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

VIEW_DATASETS = frozenset({"mimic_vpn"})


def tables(db: duckdb.DuckDBPyConnection, *, every_table: bool = False) -> list[tuple[str, str]]:
    rows = db.execute(
        "SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE'"
        " ORDER BY table_schema, table_name"
    ).fetchall()
    return [(schema, name) for schema, name in rows if every_table or schema.endswith("_stable")]


def export_parquet(db: duckdb.DuckDBPyConnection, out: Path, *, every_table: bool = False) -> list[Path]:
    written: list[Path] = []
    for schema, name in tables(db, every_table=every_table):
        target = out / schema / f"{name}.parquet"
        target.parent.mkdir(parents=True, exist_ok=True)
        # The path is ours (schema and table names are identifiers); DuckDB's COPY takes no parameter for it.
        quoted = str(target).replace("'", "''")
        db.execute(f"COPY (SELECT * FROM {schema}.{name}) TO '{quoted}' (FORMAT parquet)").fetchall()
        written.append(target)
    return written
