"""Did every ping arrive?  Two independent answers, from the stored pings alone.

1. **Sequence gaps.**  Glean numbers the pings of each name it sends from
   one client (``ping_info.seq``: 0, 1, 2, ...), and the number is taken
   only when a ping is actually assembled.  A number missing below the
   highest one stored is a ping this store never received: deleted by the
   client, refused, or still queued on it.
2. **What Glean itself counts.**  glean-core records every ping it deletes
   or gives up in its ``glean.upload.*`` metrics, sent in its ``health``
   ping (at each start, with what happened since the previous one): pings
   deleted because the pending-pings cap was exceeded, pings too large to
   upload, and pings given up after the endpoint refused them (4xx) or the
   upload could not be attempted.  Retried failures (5xx, network errors)
   are not losses and are left out.

Either way a loss shows up as a number with the pings behind it, instead of
a session that quietly lacks its start or end.  Both are SQL
(``lab/sql/seq_gaps.sql``, ``glean_losses.sql``) over the Mozilla-shaped
tables; this module turns their rows into :class:`Delivery`, which the
session report renders.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

import duckdb
import msgspec

from lab.pipeline.sql_runner import Query, duckdb_query, with_params
from lab.pipeline.store import load_pings
from mimic_core.lab_api import StoredPing

HEALTH_PING: Final = "health"

DELETED_AFTER_QUOTA: Final = "glean.upload.deleted_pings_after_quota_hit"
DELETED_BY_QUOTA: Final = "glean.upload.pending_pings_deleted"
DISCARDED_TOO_LARGE: Final = "glean.upload.discarded_exceeding_pings_size"
UPLOAD_FAILURES: Final = "glean.upload.ping_upload_failure"
GIVEN_UP_LABELS: Final = ("status_code_4xx", "unrecoverable", "incapable")
"""Labels of ``glean.upload.ping_upload_failure`` after which glean-core deletes the ping (its upload policy)."""

DEFINITIONS: Final[Mapping[str, str]] = {
    "missing_ping": (
        "a ping_info.seq number, from 0 up to the highest one stored for that application, Glean client_id and "
        "ping name, that no stored ping carries (from the lowest stored one when the report was given only the "
        "latest pings): lost, refused, still queued on the client, or sent to another endpoint"
    ),
    "glean_reported_loss": (
        f"summed over the health pings of one application: {DELETED_AFTER_QUOTA} (deleted because the pending-pings "
        f"cap was exceeded), the samples of {DISCARDED_TOO_LARGE} (too large to upload) and the "
        f"{', '.join(GIVEN_UP_LABELS)} labels of {UPLOAD_FAILURES} (given up after the upload)"
    ),
}


class SeqGap(msgspec.Struct, frozen=True):
    """The pings of one series (application, Glean client, ping name) this store never received."""

    app: str
    client_id: str | None
    ping: str
    stored: int
    """Distinct seq numbers stored for this series."""
    counted_from: int
    """0, or the lowest stored seq when the report saw only the latest pings."""
    highest_seq: int
    missing: int
    missing_ranges: list[tuple[int, int]]
    """Missing seq numbers as inclusive ranges, lowest first."""


class GleanLosses(msgspec.Struct, frozen=True):
    """What one application's Glean reported deleting, from its health pings."""

    app: str
    health_pings: int
    deleted_after_quota: int
    deleted_by_quota: dict[str, int]
    """``count_quota`` / ``size_quota``: which cap made Glean delete them."""
    discarded_too_large: int
    given_up_after_upload: dict[str, int]
    lost: int
    """deleted_after_quota + discarded_too_large + the given-up counts."""


class Delivery(msgspec.Struct, frozen=True):
    """The delivery question: did every ping arrive?"""

    series: int
    """(application, client_id, ping name) series with at least one seq number stored."""
    counted_from_zero: bool
    """False when the report saw only the latest pings: gaps are then counted from the lowest stored seq."""
    missing: int
    gaps: list[SeqGap]
    """Only the series with missing pings."""
    glean_reported_lost: int
    glean_reported: list[GleanLosses]
    """One entry per application that sent health pings."""


def delivery_from_db(
    db: duckdb.DuckDBPyConnection, *, counted_from_zero: bool = True, debug_tag: str | None = None
) -> Delivery:
    """Missing pings and Glean's own loss counts, from ``lab/sql/`` (seq_series, seq_gaps, glean_losses)."""
    return delivery_from_query(with_params(duckdb_query(db), debug_tag=debug_tag), counted_from_zero=counted_from_zero)


def delivery_from_query(query: Query, *, counted_from_zero: bool = True) -> Delivery:
    """:func:`delivery_from_db` on any engine: ``query`` runs one file of ``lab/sql/``, its ``@debug_tag`` bound."""
    ((series,),) = query("seq_series").tuples
    rows = query("seq_gaps", counted_from_zero=counted_from_zero)
    series_of = rows.getter("app", "client_id", "ping", "stored", "counted_from", "highest")
    range_of = rows.getter("first_missing", "last_missing")
    ranges: dict[tuple[Any, ...], list[tuple[int, int]]] = {}
    for line in rows.tuples:
        # One row per missing range, the ranges of a series together and in order.
        first, last = range_of(line)
        ranges.setdefault(series_of(line), []).append((first, last))
    found = [
        SeqGap(app, client_id, ping, stored, counted_from, highest, sum(b - a + 1 for a, b in missing), missing)
        for (app, client_id, ping, stored, counted_from, highest), missing in ranges.items()
    ]
    by_app: dict[str, dict[tuple[str, str | None], int]] = {}
    for row in query("glean_losses"):
        by_app.setdefault(row["app"], {})[(row["metric"], row["label"])] = int(row["count"] or 0)
    reported: list[GleanLosses] = []
    for app, figures in by_app.items():
        deleted = figures.get(("deleted_after_quota", None), 0)
        too_large = figures.get(("discarded_too_large", None), 0)
        by_quota = {
            label: count for (metric, label), count in figures.items() if metric == "deleted_by_quota" and label
        }
        given_up = {
            label: count for (metric, label), count in figures.items() if metric == "given_up_after_upload" and label
        }
        reported.append(
            GleanLosses(
                app=app,
                health_pings=figures.get(("health_pings", None), 0),
                deleted_after_quota=deleted,
                deleted_by_quota=by_quota,
                discarded_too_large=too_large,
                given_up_after_upload=given_up,
                lost=deleted + too_large + sum(given_up.values()),
            )
        )
    return Delivery(
        series=series,
        counted_from_zero=counted_from_zero,
        missing=sum(gap.missing for gap in found),
        gaps=found,
        glean_reported_lost=sum(losses.lost for losses in reported),
        glean_reported=reported,
    )


def delivery(pings: Iterable[StoredPing], *, counted_from_zero: bool = True) -> Delivery:
    """Missing pings and Glean's own loss counts over ``pings`` (any order), by the same SQL as the store's report.

    ``counted_from_zero=False`` when ``pings`` are only the latest of a
    store: the earliest seq numbers are then missing from the input, not
    from the store.
    """
    db = load_pings(pings)
    try:
        return delivery_from_db(db, counted_from_zero=counted_from_zero)
    finally:
        db.close()


def _label_counts(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{label} {count}" for label, count in counts.items()) or "none"


def _range_text(ranges: Sequence[tuple[int, int]]) -> str:
    return ", ".join(str(first) if first == last else f"{first}-{last}" for first, last in ranges)


def headline(result: Delivery) -> list[str]:
    """The delivery lines of the report's table: the figures, then each gap and each reporting application."""
    counted = "from 0" if result.counted_from_zero else "from the lowest stored seq (only the latest pings were read)"
    lines = [
        f"4. Delivery: {result.missing} pings missing (seq gaps, counted {counted}, over {result.series} series);"
        f" Glean reports {result.glean_reported_lost} pings deleted or given up.",
    ]
    for gap in result.gaps:
        lines.append(
            f"   missing {gap.app} {gap.ping} (client {gap.client_id or '?'}):"
            f" {gap.missing} of seq {gap.counted_from}-{gap.highest_seq} [{_range_text(gap.missing_ranges)}]"
        )
    for losses in result.glean_reported:
        lines.append(
            f"   Glean of {losses.app} ({losses.health_pings} health pings): {losses.lost} lost"
            f" (deleted over the pending-pings cap {losses.deleted_after_quota}"
            f" [{_label_counts(losses.deleted_by_quota)}], too large {losses.discarded_too_large},"
            f" given up after upload {_label_counts(losses.given_up_after_upload)})"
        )
    return lines
