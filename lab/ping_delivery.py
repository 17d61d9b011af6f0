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
a session that quietly lacks its start or end.  Pure computation over
:class:`~mimic_core.lab_api.StoredPing` values; the session report renders it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

import msgspec

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


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _ranges(numbers: Sequence[int]) -> list[tuple[int, int]]:
    """Sorted, distinct ``numbers`` as inclusive ranges."""
    ranges: list[tuple[int, int]] = []
    for number in numbers:
        if ranges and ranges[-1][1] == number - 1:
            ranges[-1] = (ranges[-1][0], number)
        else:
            ranges.append((number, number))
    return ranges


def _series_order(series: tuple[str, str | None, str]) -> tuple[str, str, str]:
    app, client_id, ping = series
    return (app, client_id or "", ping)


def _gaps(pings: Sequence[StoredPing], counted_from_zero: bool) -> tuple[int, list[SeqGap]]:
    seen: dict[tuple[str, str | None, str], set[int]] = defaultdict(set)
    for stored in pings:
        seq = _int(_mapping(stored.payload.get("ping_info")).get("seq"))
        if seq is None or seq < 0:
            continue
        client_id = _mapping(stored.payload.get("client_info")).get("client_id")
        seen[(stored.app, client_id if isinstance(client_id, str) else None, stored.ping)].add(seq)
    gaps: list[SeqGap] = []
    for (app, client_id, ping), numbers in sorted(seen.items(), key=lambda item: _series_order(item[0])):
        lowest = 0 if counted_from_zero else min(numbers)
        highest = max(numbers)
        missing = [number for number in range(lowest, highest + 1) if number not in numbers]
        if missing:
            gaps.append(SeqGap(app, client_id, ping, len(numbers), lowest, highest, len(missing), _ranges(missing)))
    return len(seen), gaps


def _counts(payload: Mapping[str, Any], metric_type: str, name: str) -> dict[str, int]:
    labeled = _mapping(_mapping(_mapping(payload.get("metrics")).get(metric_type)).get(name))
    return {label: count for label, value in labeled.items() if (count := _int(value))}


def _glean_losses(app: str, health_pings: Sequence[StoredPing]) -> GleanLosses:
    deleted = 0
    by_quota: Counter[str] = Counter()
    too_large = 0
    given_up: Counter[str] = Counter()
    for stored in health_pings:
        metrics = _mapping(stored.payload.get("metrics"))
        deleted += _int(_mapping(metrics.get("counter")).get(DELETED_AFTER_QUOTA)) or 0
        by_quota.update(_counts(stored.payload, "labeled_counter", DELETED_BY_QUOTA))
        sizes = _mapping(_mapping(_mapping(metrics.get("memory_distribution")).get(DISCARDED_TOO_LARGE)).get("values"))
        too_large += sum(_int(count) or 0 for count in sizes.values())
        failures = _counts(stored.payload, "labeled_counter", UPLOAD_FAILURES)
        given_up.update({label: count for label, count in failures.items() if label in GIVEN_UP_LABELS})
    return GleanLosses(
        app=app,
        health_pings=len(health_pings),
        deleted_after_quota=deleted,
        deleted_by_quota=dict(sorted(by_quota.items())),
        discarded_too_large=too_large,
        given_up_after_upload=dict(sorted(given_up.items())),
        lost=deleted + too_large + sum(given_up.values()),
    )


def delivery(pings: Iterable[StoredPing], *, counted_from_zero: bool = True) -> Delivery:
    """Missing pings and Glean's own loss counts over ``pings`` (any order).

    ``counted_from_zero=False`` when ``pings`` are only the latest of a
    store: the earliest seq numbers are then missing from the input, not
    from the store.
    """
    stored = list(pings)
    series, gaps = _gaps(stored, counted_from_zero)
    health: dict[str, list[StoredPing]] = defaultdict(list)
    for ping in stored:
        if ping.ping == HEALTH_PING:
            health[ping.app].append(ping)
    reported = [_glean_losses(app, health[app]) for app in sorted(health)]
    return Delivery(
        series=series,
        counted_from_zero=counted_from_zero,
        missing=sum(gap.missing for gap in gaps),
        gaps=gaps,
        glean_reported_lost=sum(losses.lost for losses in reported),
        glean_reported=reported,
    )


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
