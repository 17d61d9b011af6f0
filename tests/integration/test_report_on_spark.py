"""The report's SQL files, transpiled by sqlglot, give the same figures on Apache Spark as on DuckDB.

The fleet-scale half of the design: the recorded run of real pings
(tests/support/recorded_run.py) is written as Parquet by ``lab.pipeline.export``
(every table: the report also reads the raw, error and live tables), a local
Spark session registers the files under their dataset names and creates the
union views from the same BigQuery DDL, and the whole report is built from
``lab/sql/`` run on Spark.  It must equal the DuckDB report field for field,
and match the figures computed by hand.

Needs a JRE: ``make test`` provides one (``python -m lab.pipeline.system_check``).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import duckdb
import pytest

from lab.pipeline.catalog import bundled_catalog
from lab.pipeline.export import export_parquet, tables
from lab.pipeline.sql_runner import SQL_DIR, Param, Rows, run_duckdb, spark_query, spark_statements
from lab.pipeline.tables import view_ddl
from lab.session_report import ALLOWED, SessionReport, render_json, report_from_db, report_from_query
from tests.support.recorded_run import assert_expected, recorded_store

pyspark_sql = pytest.importorskip("pyspark.sql", reason="pyspark is a test dependency (pip install -e '.[test]')")


@pytest.fixture(scope="module")
def duck() -> Iterator[duckdb.DuckDBPyConnection]:
    db = recorded_store()
    yield db
    db.close()


@pytest.fixture(scope="module")
def spark(duck: duckdb.DuckDBPyConnection, tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    if shutil.which("java") is None:
        pytest.fail("no `java` on PATH: run `python -m lab.pipeline.system_check` (make test does) to get a JRE")
    out = tmp_path_factory.mktemp("parquet")
    written = export_parquet(duck, out, every_table=True)
    assert written, "the export wrote no table"
    session = (
        pyspark_sql.SparkSession.builder.master("local[1]")
        .appName("mimic-vpn-report")
        # BigQuery's TIMESTAMP is an instant: read and show it in UTC, as the DuckDB store does.
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.sql.warehouse.dir", str(tmp_path_factory.mktemp("warehouse")))
        .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={tmp_path_factory.mktemp('derby')}")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    for statement in spark_statements(out, tables(duck, every_table=True), view_ddl(bundled_catalog())):
        session.sql(statement)
    yield session
    session.stop()
    end_spark_jvm()


def end_spark_jvm(timeout_s: float = 30.0) -> None:
    """End the JVM Spark ran in: ``SparkSession.stop()`` leaves it running.

    pyspark (4.3.0, as 3.5) starts one JVM per Python process and keeps it,
    for a later session, until the process exits and its stdin pipe closes;
    the run's check of processes left behind (mimic_vpn_testing) would rightly
    find it still there.  Its handles are SparkContext's class attributes
    (``_gateway``, ``_jvm``; ``gateway.proc`` is the JVM's Popen).
    """
    from pyspark import SparkContext  # noqa: PLC0415

    gateway = SparkContext._gateway
    if gateway is None:
        return
    gateway.shutdown()
    process = getattr(gateway, "proc", None)
    if process is not None:
        if process.stdin is not None:
            process.stdin.close()  # the JVM exits on EOF (PythonGatewayServer)
        process.wait(timeout=timeout_s)
    SparkContext._gateway = None
    SparkContext._jvm = None


@pytest.fixture(scope="module")
def spark_run(spark: object) -> tuple[SessionReport, dict[str, Rows]]:
    """The report on Spark, and the rows each file of ``lab/sql/`` gave it (each file runs once, ~20 s in all).

    The report runs every file with the parameters the row tests below give
    (``debug_tag`` NULL, counted from zero, the allowed metrics, every session listed), so those
    tests compare these very rows with DuckDB's instead of running them again.
    """
    given: dict[str, Rows] = {}
    on_spark = spark_query(spark)  # type: ignore[arg-type]

    def recording(name: str, **params: Param) -> Rows:
        assert name not in given, f"the report ran {name}.sql twice"
        given[name] = on_spark(name, **params)
        return given[name]

    return report_from_query(recording, all_sessions=True), given


@pytest.fixture(scope="module")
def spark_report(spark_run: tuple[SessionReport, dict[str, Rows]]) -> SessionReport:
    return spark_run[0]


@pytest.fixture(scope="module")
def spark_rows(spark_run: tuple[SessionReport, dict[str, Rows]]) -> dict[str, Rows]:
    return spark_run[1]


def test_the_parquet_export_holds_every_row(duck: duckdb.DuckDBPyConnection, spark: object) -> None:
    for schema, name in tables(duck, every_table=True):
        (expected,) = duck.execute(f"SELECT COUNT(*) FROM {schema}.{name}").fetchone() or (0,)
        (got,) = spark.sql(f"SELECT COUNT(*) FROM {schema}.{name}").collect()[0]  # type: ignore[attr-defined]
        assert got == expected, f"{schema}.{name}"


@pytest.mark.parametrize(
    "name",
    [
        "ping_counts",
        "sessions",
        "session_durations",
        "delivery_delay",
        "inactive_pings",
        "inactive_id",
        "metric_values",
        "retrieval",
        "pipeline_errors",
        "seq_series",
        "seq_gaps",
        "glean_losses",
        "client_pings",
    ],
)
def test_each_query_returns_the_same_rows(
    duck: duckdb.DuckDBPyConnection, spark_rows: dict[str, Rows], name: str
) -> None:
    params: dict[str, Param] = {
        "counted_from_zero": True,
        "allowed_under_inactive_id": ALLOWED,
        "all_sessions": True,
        "debug_tag": None,
    }
    assert spark_rows[name].dicts() == run_duckdb(duck, name, **params)


def test_the_session_pings_are_the_same_in_the_same_order(
    duck: duckdb.DuckDBPyConnection, spark_rows: dict[str, Rows]
) -> None:
    assert spark_rows["session_pings"].dicts() == run_duckdb(duck, "session_pings", debug_tag=None, all_sessions=True)


def test_the_report_ran_every_file_on_spark(spark_rows: dict[str, Rows]) -> None:
    assert sorted(spark_rows) == sorted(path.stem for path in SQL_DIR.glob("*.sql"))


def test_the_report_on_spark_is_the_report_on_duckdb(
    duck: duckdb.DuckDBPyConnection, spark_report: SessionReport
) -> None:
    assert render_json(spark_report) == render_json(report_from_db(duck, all_sessions=True))


def test_the_report_on_spark_matches_the_hand_computed_figures(spark_report: SessionReport) -> None:
    assert_expected(spark_report)
