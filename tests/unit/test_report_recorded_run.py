"""The report's SQL, on DuckDB, finds the figures worked out by hand over a recorded run of real pings.

The differential half of the report's specification: the other unit tests
(test_session_report.py) pin each definition on fabricated pings; this one
checks every section at once on what the real app, daemon and lab produced
(tests/support/recorded_run.py says how the set was recorded and the
figures computed).  tests/integration/test_report_on_spark.py checks the
same figures on Spark.
"""

from __future__ import annotations

from lab.session_report import report_from_db
from tests.support.recorded_run import assert_expected, recorded_store


def test_the_report_on_duckdb_matches_the_hand_computed_figures() -> None:
    db = recorded_store()
    try:
        assert_expected(report_from_db(db, all_sessions=True))
    finally:
        db.close()
