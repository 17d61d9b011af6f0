"""The report's figures as bar charts: geometry computed here, drawn as SVG by the page's template.

Three charts, each from one part of the session report's JSON
(``lab/session_report.py``), and nothing else: session types per side,
delivery delay per application and ping (mean, with the min-max range),
and the decoder's errors by type.  Every bar carries the figure it stands
for in ``data-*`` attributes, exactly as the report has it, so a reader
(or a test) can check a chart against the report without measuring pixels.

Horizontal bars, hand-drawn: three small charts do not need a charting
library, and the page runs no script of anyone else's.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Final

import msgspec

from lab.session_report import SessionReport

LABEL_WIDTH: Final = 250
BAR_AREA: Final = 330
VALUE_WIDTH: Final = 110
BAR_HEIGHT: Final = 18
ROW_HEIGHT: Final = 26
MARGIN: Final = 6

SIDE_NAMES: Final = {"vpnsession": "app", "daemonsession": "daemon"}


class Row(msgspec.Struct, frozen=True):
    """One bar's figures, before layout."""

    label: str
    value: float
    text: str
    """The figure printed after the bar."""
    data: dict[str, str]
    """``data-*`` attributes (without the prefix): the report's figures behind the bar."""
    low: float | None = None
    high: float | None = None
    """A range drawn over the bar (min and max), when the figure has one."""


class Bar(msgspec.Struct, frozen=True):
    label: str
    text: str
    data: dict[str, str]
    x: float
    y: float
    width: float
    low_x: float | None
    high_x: float | None
    value_x: float
    """Where the printed figure starts: after the bar and its range."""


class Chart(msgspec.Struct, frozen=True):
    name: str
    """``session-types``, ``delivery-delay``, ``errors-by-type``: the ``data-chart`` of its SVG."""
    title: str
    note: str
    empty: str
    """What the chart says when the report has nothing for it."""
    bars: list[Bar]
    zero_x: float
    label_x: float
    """Where the labels end (they are right-aligned)."""
    width: int
    height: int


def _figure(value: float | int | None) -> str:
    """A figure as a data attribute: the report's number, written as Python writes it (round-trips for floats)."""
    return "" if value is None else repr(value)


def layout(name: str, title: str, note: str, empty: str, rows: Sequence[Row]) -> Chart:
    """Bars scaled to the largest figure (and the smallest, when some are negative)."""
    values = [row.value for row in rows] + [edge for row in rows for edge in (row.low, row.high) if edge is not None]
    low, high = min([0.0, *values]), max([0.0, *values])
    span = high - low or 1.0

    def x(value: float) -> float:
        return round(LABEL_WIDTH + (value - low) / span * BAR_AREA, 1)

    zero = x(0.0)
    bars = [
        Bar(
            label=row.label,
            text=row.text,
            data=row.data,
            x=min(zero, x(row.value)),
            y=MARGIN + index * ROW_HEIGHT,
            width=round(abs(x(row.value) - zero), 1),
            low_x=None if row.low is None else x(row.low),
            high_x=None if row.high is None else x(row.high),
            value_x=max(zero, x(row.value), x(row.high) if row.high is not None else zero) + 6,
        )
        for index, row in enumerate(rows)
    ]
    height = 2 * MARGIN + max(len(rows), 1) * ROW_HEIGHT
    return Chart(name, title, note, empty, bars, zero, LABEL_WIDTH - 8, LABEL_WIDTH + BAR_AREA + VALUE_WIDTH, height)


def session_types(report: SessionReport) -> Chart:
    rows = [
        Row(
            label=f"{SIDE_NAMES.get(side, side)} · {session_type}",
            value=count,
            text=str(count),
            data={"side": side, "type": session_type, "value": _figure(count)},
        )
        for side, types in report.session_types.items()
        for session_type, count in types.items()
    ]
    return layout(
        "session-types",
        "Session types",
        "per side, over every shared session id but the inactive one (graceful: one start and one end)",
        "no session yet",
        rows,
    )


def delivery_delay(report: SessionReport) -> Chart:
    rows = [
        Row(
            label=f"{delay.app} {delay.ping}",
            value=delay.mean_s or 0.0,
            text=f"mean {delay.mean_s:.3f} s" if delay.mean_s is not None else "-",
            data={
                "app": delay.app,
                "ping": delay.ping,
                "pings": _figure(delay.pings),
                "negative": _figure(delay.negative),
                "mean-s": _figure(delay.mean_s),
                "min-s": _figure(delay.min_s),
                "max-s": _figure(delay.max_s),
            },
            low=delay.min_s,
            high=delay.max_s,
        )
        for delay in report.delivery_delay
    ]
    return layout(
        "delivery-delay",
        "Delivery delay",
        "submission time at the edge - ping_info.end_time, seconds: mean bar, min-max line",
        "no ping with an end time yet",
        rows,
    )


def errors_by_type(report: SessionReport) -> Chart:
    totals: Counter[str] = Counter()
    where: dict[str, list[str]] = {}
    for counts in report.pipeline:
        for error_type, errors in counts.errors_by_type.items():
            totals[error_type] += errors
            where.setdefault(error_type, []).append(f"{counts.namespace}/{counts.document_type}: {errors}")
    rows = [
        Row(
            label=error_type,
            value=count,
            text=str(count),
            data={"error-type": error_type, "value": _figure(count), "where": ", ".join(where[error_type])},
        )
        for error_type, count in sorted(totals.items())
    ]
    return layout(
        "errors-by-type",
        "Decoder errors by type",
        "submissions the decoder refused, over every namespace and document type",
        "no decoder error",
        rows,
    )


def charts(report: SessionReport) -> list[Chart]:
    return [session_types(report), delivery_delay(report), errors_by_type(report)]
