"""The report's charts carry the report's own figures, and their bars are drawn to scale."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from lab.debug_view import charts
from lab.debug_view.charts import BAR_AREA, LABEL_WIDTH, Row, layout
from lab.session_report import SessionReport, report_from_db
from tests.support.recorded_run import EXPECTED, recorded_store


@pytest.fixture(scope="module")
def report() -> Iterator[SessionReport]:
    db = recorded_store()
    try:
        yield report_from_db(db)
    finally:
        db.close()


def test_session_types_are_the_reports(report: SessionReport) -> None:
    chart = charts.session_types(report)
    found = {(bar.data["side"], bar.data["type"]): int(bar.data["value"]) for bar in chart.bars}
    expected = {(side, kind): n for side, kinds in EXPECTED["session_types"].items() for kind, n in kinds.items()}
    assert found == expected
    assert [bar.label for bar in chart.bars] == ["daemon · graceful", "daemon · non_graceful", "app · graceful"]


def test_delivery_delay_bars_are_the_mean_with_the_range(report: SessionReport) -> None:
    chart = charts.delivery_delay(report)
    found = {
        (bar.data["app"], bar.data["ping"]): (
            float(bar.data["mean-s"]),
            float(bar.data["min-s"]),
            float(bar.data["max-s"]),
        )
        for bar in chart.bars
    }
    assert found == {
        (row["app"], row["ping"]): (row["mean_s"], row["min_s"], row["max_s"]) for row in EXPECTED["delivery_delay"]
    }
    longest = max(chart.bars, key=lambda bar: float(bar.data["max-s"]))
    assert longest.high_x == LABEL_WIDTH + BAR_AREA  # the largest figure spans the whole area


def test_errors_by_type_add_up_every_namespace(report: SessionReport) -> None:
    (bar,) = charts.errors_by_type(report).bars
    assert bar.data == {"error-type": "json_parse", "value": "1", "where": "mimic-vpn/vpnsession: 1"}


def test_negative_figures_extend_left_of_zero() -> None:
    chart = layout("t", "t", "", "", [Row("late", 2.0, "2", {}), Row("early", -2.0, "-2", {})])
    late, early = chart.bars
    assert chart.zero_x == LABEL_WIDTH + BAR_AREA / 2
    assert (late.x, late.width) == (chart.zero_x, BAR_AREA / 2)
    assert (early.x, early.width) == (LABEL_WIDTH, BAR_AREA / 2)


def test_an_empty_chart_has_no_bars_and_room_for_its_message() -> None:
    chart = layout("t", "t", "", "nothing yet", [])
    assert chart.bars == []
    assert chart.height > 0
