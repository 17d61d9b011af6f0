"""The session telemetry report: the RFC's validation questions, answered from stored pings.

The shared session id design (seeds/session-id-sharing-rfc.md) is only
trustworthy if three assumptions hold in the data that actually arrives:

1. no data is recorded outside a session, i.e. under the inactive id;
2. the daemon sees every session whole, so each daemon session has a
   ``daemon_start`` ping and a ``daemon_end`` or ``flush_init`` ping;
3. the app almost always obtains the id from the daemon.

It also checks the design's delivery guarantee, that no ping is lost
(``lab.ping_delivery``): a missing ping would otherwise only show as a
session without its start or end, for no visible reason.

This module measures each of them and joins the app's and the daemon's pings
per session, so a broken assumption shows up as a number and the sessions
behind it can be looked at one by one.  The figures are the rows of the SQL
files of ``lab/sql/`` (run on DuckDB, or any engine holding the
Mozilla-shaped tables); this module assembles them into
:class:`SessionReport` and renders it.  A debug tag limits every figure to
the pings uploaded with that ``X-Debug-ID`` (one fleet run among others).

The JSON form (:func:`render_json`) is the encoding of :class:`SessionReport`;
its field order is the declaration order below and its ``format`` value
changes whenever a field changes meaning, so scripts can rely on it.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import operator
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Final

import duckdb
import msgspec

from lab import ping_delivery
from lab.ping_delivery import Delivery
from lab.pipeline.sql_runner import Call, DuckDBQuery, Query, Rows, duckdb_query, run_ahead, with_params
from lab.pipeline.store import load_pings
from mimic_core.lab_api import StoredPing
from mimic_core.telemetry_names import (
    ALLOWED_UNDER_INACTIVE_ID,
    APP_PING,
    CLIENT_PING,
    DAEMON_PING,
    INACTIVE_SESSION_ID,
    RETRIEVAL_ERRORS,
    AppPingReason,
    DaemonPingReason,
)

REPORT_FORMAT: Final = "mimic-vpn-session-report/5"
"""/4 added ``debug_tag``; /5 lists only the flagged sessions unless every one is asked for
(``sessions_listed``), added ``session_counts.flagged`` and each session's ``flags``, and counts a side
reporting two installation ids as an installation mismatch."""

SESSIONS_ALL: Final = "all"
SESSIONS_FLAGGED: Final = "flagged"

ALLOWED: Final = tuple(sorted(ALLOWED_UNDER_INACTIVE_ID))
"""``@allowed_under_inactive_id`` of inactive_id.sql and metric_values.sql: not data under the inactive id."""

APP_START_REASON: Final = AppPingReason.START
DAEMON_START_REASON: Final = DaemonPingReason.DAEMON_START
DAEMON_END_REASON: Final = DaemonPingReason.DAEMON_END
FLUSH_INIT_REASON: Final = DaemonPingReason.FLUSH_INIT

NO_REASON: Final = "(none)"
"""The key under which pings submitted without a reason are counted."""

DEFINITIONS: Final[Mapping[str, str]] = {
    "metric_value": (
        "one recorded value in one ping: a metric of a plain type counts once, a labeled metric once per label, "
        "a dual-labeled counter once per key and category, an event once per event record. The metrics a ping "
        f"under the inactive id may carry ({', '.join(ALLOWED)}: the identifiers, and the id-retrieval errors "
        "recorded exactly when there is no id) and empty containers ({}, [], null) are not values."
    ),
    "inactive_id_share": "values in pings under the inactive id / values in all session pings (0 when there are none)",
    "daemon_session": (
        "the daemonsession pings sharing one shared_session_id other than the inactive id; it lacks an end when it "
        "has neither a daemon_end nor a flush_init ping (a session still in progress also lacks one)"
    ),
    "successful_retrieval": (
        "a vpnsession ping with reason 'start' whose shared_session_id is present and not the inactive id: the "
        "app records the id it obtained from the daemon before submitting it"
    ),
    "retrieval_error_rate": (
        f"sum of {RETRIEVAL_ERRORS} over all vpnsession pings / (that sum + successful retrievals); "
        "0 when there were no attempts"
    ),
    "session": (
        "every shared_session_id other than the inactive id seen in a vpnsession or daemonsession ping; "
        "joined = pings on both sides, app_only / daemon_only = pings on one side only"
    ),
    "installation_mismatch": (
        "both sides of a session report installation ids (session.installation_id), and not one and the same id: "
        "a side reporting two ids is a mismatch too, since a session belongs to one installation"
    ),
    "flagged_session": (
        "a session breaking an assumption of the design: seen by one side only, a daemon side without its "
        "daemon_start or without a daemon_end/flush_init ping, an installation mismatch, or several start or end "
        "pings on a side (app_only or daemon_only, and the flags no_daemon_start, no_daemon_end, "
        "installation_mismatch, several_starts_or_ends)"
    ),
    "sessions_listed": (
        f"'{SESSIONS_FLAGGED}': the report lists the flagged sessions only (the default: a fleet has a session "
        f"per connection); '{SESSIONS_ALL}': every session (vpnui-lab report --all-sessions)"
    ),
    "client_pings": f"the app's {CLIENT_PING} pings (data of no session) in the stable tables, by reason",
    "debug_tag": (
        "when set, every figure (pings, sessions, delivery, the pipeline's submissions, errors and duplicates) "
        "counts only the submissions whose X-Debug-ID header (metadata.header.x_debug_id) equals it"
    ),
    **ping_delivery.DEFINITIONS,
}


class PingCounts(msgspec.Struct, frozen=True):
    """How many pings the report saw, so a reader can tell an empty report from an empty store."""

    total: int
    vpnsession: int
    daemonsession: int
    other: int
    """Pings of other names (Glean's own pings, for instance): not part of any figure."""
    without_session_id: int
    """Session pings with no usable shared_session_id: attributable to no session."""


class InactivePing(msgspec.Struct, frozen=True):
    """A ping under the inactive id that carries data, with the metrics that carry it."""

    document_id: str
    ping: str
    reason: str | None
    metrics: list[str]


class InactiveIdData(msgspec.Struct, frozen=True):
    """Question 1: data recorded outside any session.

    A sound design and implementation leave nothing here but the identifiers
    of ``flush``/``flush_init`` pings; anything else was recorded while no
    session was active, or was attributed to the wrong session.
    """

    pings: int
    pings_by_reason: dict[str, dict[str, int]]
    """Ping name -> reason -> pings under the inactive id."""
    pings_with_data: int
    metrics_with_data: dict[str, int]
    """Metric (or event) name -> how many pings under the inactive id carry it."""
    values_under_inactive_id: int
    values_total: int
    share: float
    pings_with_data_list: list[InactivePing]


class DaemonSessions(msgspec.Struct, frozen=True):
    """Question 2: does the daemon see every session from start to end?"""

    total: int
    with_daemon_end: int
    ended_by_flush_init_only: int
    """Sessions closed by the next daemon start after the daemon was killed."""
    missing_start: int
    missing_end: int
    missing_start_ids: list[str]
    """In the order the report lists sessions (by their first submission)."""
    missing_end_ids: list[str]


class Retrieval(msgspec.Struct, frozen=True):
    """Question 3: how often the app failed to obtain the session id from the daemon."""

    errors_by_label: dict[str, int]
    errors: int
    successful_retrievals: int
    attempts: int
    error_rate: float


class PingRef(msgspec.Struct, frozen=True):
    """One ping of one side of a session, as its ``ping_info`` describes it."""

    document_id: str
    reason: str | None
    seq: int | None
    start_time: str | None
    end_time: str | None


class AppSide(msgspec.Struct, frozen=True):
    """What the app's ``vpnsession`` pings say about one session."""

    pings: list[PingRef]
    reasons: list[str]
    installation_ids: list[str]
    session_start: str | None
    session_end: str | None


class DaemonSide(msgspec.Struct, frozen=True):
    """What the daemon's ``daemonsession`` pings say about one session."""

    pings: list[PingRef]
    reasons: list[str]
    installation_ids: list[str]
    session_start: str | None
    session_end: str | None
    session_source: str | None
    missing_start: bool
    missing_end: bool


class JoinedSession(msgspec.Struct, frozen=True):
    """Question 4: both sides of one session, side by side.

    ``installation_ids_match`` is null unless both sides report an
    installation id; it is false when their ids differ, which would mean
    two installations claimed the same session.
    """

    session_id: str
    joined: bool
    app_only: bool
    daemon_only: bool
    installation_ids_match: bool | None
    flags: list[str]
    """What the session breaks besides being seen by one side only (see the definition of a flagged session)."""
    app: AppSide | None
    daemon: DaemonSide | None


class SessionCounts(msgspec.Struct, frozen=True):
    total: int
    joined: int
    app_only: int
    daemon_only: int
    installation_mismatch: int
    flagged: int
    """Sessions breaking an assumption: the ones listed unless every session is asked for."""


class Durations(msgspec.Struct, frozen=True):
    """Session lengths of one side (end datetime metric - start datetime metric), in seconds."""

    side: str
    sessions: int
    negative: int
    min_s: float | None
    max_s: float | None
    mean_s: float | None


class DeliveryDelay(msgspec.Struct, frozen=True):
    """submission_timestamp - ping_info.end_time for one application's pings of one name, in seconds."""

    app: str
    ping: str
    pings: int
    negative: int
    min_s: float | None
    max_s: float | None
    mean_s: float | None


class PipelineCounts(msgspec.Struct, frozen=True):
    """What the pipeline did with one namespace's submissions of one document type."""

    namespace: str
    document_type: str
    submissions: int
    errors: int
    errors_by_type: dict[str, int]
    live_rows: int
    duplicates: int
    automation: int
    stable_rows: int
    error_ratio: float
    duplicate_ratio: float


class SessionReport(msgspec.Struct, frozen=True):
    """The whole report; its JSON encoding is the ``--json`` output."""

    format: str
    debug_tag: str | None
    """When set, every figure counts only the submissions sent with this ``X-Debug-ID`` header."""
    inactive_session_id: str
    definitions: dict[str, str]
    pings: PingCounts
    inactive_id: InactiveIdData
    daemon_sessions: DaemonSessions
    retrieval: Retrieval
    session_counts: SessionCounts
    sessions_listed: str
    """Which sessions ``sessions`` lists: every one (``all``) or the flagged ones (``flagged``)."""
    sessions: list[JoinedSession]
    delivery: Delivery
    """The design's delivery guarantee (no ping lost): seq gaps and what Glean reports deleting."""
    session_types: dict[str, dict[str, int]]
    """Side (vpnsession, daemonsession) -> session type -> sessions."""
    durations: list[Durations]
    delivery_delay: list[DeliveryDelay]
    pipeline: list[PipelineCounts]
    """Per namespace and document type: submissions, errors by type, duplicates, automation, stable rows."""
    client_pings: dict[str, int]
    """The app's vpnclient pings (data of no session) by reason."""


# --- the questions, from the SQL of lab/sql/ --------------------------------------------------------------------------


def _count(value: object) -> int:
    """A count from SQL: an aggregate over no rows is NULL on some engines (COUNTIF as SUM on DuckDB)."""
    return int(value) if isinstance(value, int | float) else 0


def _share(part: int, whole: int) -> float:
    return round(part / whole, 6) if whole else 0.0


def _seconds(milliseconds: int | None) -> float | None:
    return None if milliseconds is None else round(milliseconds / 1000, 3)


def _inactive_id_data(query: Query) -> InactiveIdData:
    by_reason: dict[str, dict[str, int]] = {}
    for row in query("inactive_pings"):
        reasons = by_reason.setdefault(row["document_type"], {})
        reason = row["reason"] or NO_REASON
        reasons[reason] = reasons.get(reason, 0) + _count(row["pings"])
    metrics_with_data: Counter[str] = Counter()
    offending: dict[str, InactivePing] = {}
    values_inactive = 0
    for row in query("inactive_id", allowed_under_inactive_id=ALLOWED):
        values_inactive += _count(row["value_count"])
        metrics_with_data[row["metric"]] += 1
        document_id = row["document_id"]
        found = offending.get(document_id)
        if found is None:
            found = offending[document_id] = InactivePing(document_id, row["document_type"], row["reason"], [])
        found.metrics.append(row["metric"])
    (totals,) = query("metric_values", allowed_under_inactive_id=ALLOWED)
    values_total = _count(totals["values_total"])
    return InactiveIdData(
        pings=sum(sum(reasons.values()) for reasons in by_reason.values()),
        pings_by_reason={ping: dict(sorted(reasons.items())) for ping, reasons in sorted(by_reason.items())},
        pings_with_data=len(offending),
        metrics_with_data=dict(sorted(metrics_with_data.items())),
        values_under_inactive_id=values_inactive,
        values_total=values_total,
        share=_share(values_inactive, values_total),
        pings_with_data_list=list(offending.values()),
    )


def _retrieval(query: Query) -> Retrieval:
    errors: dict[str, int] = {}
    successes = 0
    for row in query("retrieval"):
        if row["label"] is None:
            successes = _count(row["count"])
        else:
            errors[row["label"]] = _count(row["count"])
    total_errors = sum(errors.values())
    attempts = total_errors + successes
    return Retrieval(
        errors_by_label=dict(sorted(errors.items())),
        errors=total_errors,
        successful_retrievals=successes,
        attempts=attempts,
        error_rate=_share(total_errors, attempts),
    )


SESSION_PING_COLUMNS: Final = (
    "session_id",
    "side",
    "document_id",
    "reason",
    "seq",
    "start_time",
    "end_time",
    "installation_id",
    "session_start",
    "session_end",
    "session_source",
    "missing_start",
    "missing_end",
    "installation_mismatch",
    "several_starts_or_ends",
)
"""The columns of session_pings.sql the report reads, in the order :func:`_side` and :func:`_session` take them."""


def _side(rows: list[tuple[Any, ...]], daemon: bool) -> AppSide | DaemonSide:
    """One side of a session from its rows of session_pings.sql (in :data:`SESSION_PING_COLUMNS` order).

    The session's datetimes and source are the first ones its pings carry, in ping order.
    """
    pings: list[PingRef] = []
    reasons: list[str] = []
    installation_ids: set[str] = set()
    session_start = session_end = session_source = None
    for _, _, document_id, reason, seq, start_time, end_time, installation_id, start, end, source, *_ in rows:
        pings.append(PingRef(document_id, reason, seq, start_time, end_time))
        reasons.append(reason or NO_REASON)
        if installation_id:
            installation_ids.add(installation_id)
        session_start = start if session_start is None else session_start
        session_end = end if session_end is None else session_end
        session_source = source if session_source is None else session_source
    if not daemon:
        return AppSide(pings, reasons, sorted(installation_ids), session_start, session_end)
    missing_start, missing_end = rows[0][11:13]
    return DaemonSide(
        pings,
        reasons,
        sorted(installation_ids),
        session_start,
        session_end,
        session_source,
        missing_start=bool(missing_start),
        missing_end=bool(missing_end),
    )


def _session(session_id: str, rows: list[tuple[Any, ...]]) -> JoinedSession:
    """One session from its rows of session_pings.sql, which come together, app side first."""
    sides = {side: list(side_rows) for side, side_rows in itertools.groupby(rows, operator.itemgetter(1))}
    app = _side(sides[APP_PING], daemon=False) if APP_PING in sides else None
    daemon = _side(sides[DAEMON_PING], daemon=True) if DAEMON_PING in sides else None
    _, _, mismatch, several = rows[0][11:15]
    match: bool | None = None
    if app is not None and daemon is not None and app.installation_ids and daemon.installation_ids:
        match = not mismatch
    flags = [
        flag
        for flag, raised in (
            ("no_daemon_start", isinstance(daemon, DaemonSide) and daemon.missing_start),
            ("no_daemon_end", isinstance(daemon, DaemonSide) and daemon.missing_end),
            ("installation_mismatch", match is False),
            ("several_starts_or_ends", bool(several)),
        )
        if raised
    ]
    return JoinedSession(
        session_id=session_id,
        joined=app is not None and daemon is not None,
        app_only=daemon is None,
        daemon_only=app is None,
        installation_ids_match=match,
        flags=flags,
        app=app,  # type: ignore[arg-type]
        daemon=daemon,  # type: ignore[arg-type]
    )


def _sessions(query: Query, *, all_sessions: bool) -> list[JoinedSession]:
    """The sessions session_pings.sql lists (every one, or the flagged ones), in its order."""
    rows = query("session_pings", all_sessions=all_sessions)
    return [
        _session(session_id, list(session_rows))
        for session_id, session_rows in itertools.groupby(
            map(rows.getter(*SESSION_PING_COLUMNS), rows.tuples), key=operator.itemgetter(0)
        )
    ]


class _SessionSummary(msgspec.Struct, frozen=True):
    """What sessions.sql counts: the sessions by join, the daemon's sessions, the session types, the flagged."""

    counts: SessionCounts
    daemon: DaemonSessions
    types: dict[str, dict[str, int]]


def _session_summary(classes: Rows, listed: Sequence[JoinedSession]) -> _SessionSummary:
    """The counts from the ``classes`` of sessions.sql (a row per class); the ids of question 2 from ``listed``.

    Every session missing a daemon start or end is flagged, so it is listed whichever sessions are.
    """
    joins: Counter[str] = Counter()
    daemon: Counter[str] = Counter()
    types: dict[str, Counter[str]] = {}
    mismatch = flagged = 0
    for row in classes:
        sessions = _count(row["sessions"])
        joins[row["join_state"]] += sessions
        mismatch += sessions if row["installation_mismatch"] else 0
        flagged += sessions if row["flagged"] else 0
        for side, kind in ((APP_PING, row["app_type"]), (DAEMON_PING, row["daemon_type"])):
            if kind is not None:
                types.setdefault(side, Counter())[kind] += sessions
        if row["daemon_type"] is not None:
            daemon["total"] += sessions
            daemon["missing_start"] += sessions if row["missing_start"] else 0
            daemon["missing_end"] += sessions if row["missing_end"] else 0
            daemon[row["ended_by"] or "no end"] += sessions
    return _SessionSummary(
        counts=SessionCounts(
            total=joins.total(),
            joined=joins["joined"],
            app_only=joins["app_only"],
            daemon_only=joins["daemon_only"],
            installation_mismatch=mismatch,
            flagged=flagged,
        ),
        daemon=DaemonSessions(
            total=daemon["total"],
            with_daemon_end=daemon[DAEMON_END_REASON],
            ended_by_flush_init_only=daemon[FLUSH_INIT_REASON],
            missing_start=daemon["missing_start"],
            missing_end=daemon["missing_end"],
            missing_start_ids=[
                session.session_id for session in listed if session.daemon and session.daemon.missing_start
            ],
            missing_end_ids=[session.session_id for session in listed if session.daemon and session.daemon.missing_end],
        ),
        types={side: dict(sorted(kinds.items())) for side, kinds in sorted(types.items())},
    )


def _pipeline(query: Query) -> list[PipelineCounts]:
    counts: dict[tuple[str, str], PipelineCounts] = {}
    for row in query("pipeline_errors"):
        key = (row["namespace"], row["document_type"])
        if row["error_type"] is None:
            submissions, live = _count(row["submissions"]), _count(row["live_rows"])
            counts[key] = PipelineCounts(
                namespace=row["namespace"],
                document_type=row["document_type"],
                submissions=submissions,
                errors=_count(row["errors"]),
                errors_by_type={},
                live_rows=live,
                duplicates=_count(row["duplicates"]),
                automation=_count(row["automation"]),
                stable_rows=_count(row["stable_rows"]),
                error_ratio=_share(_count(row["errors"]), submissions),
                duplicate_ratio=_share(_count(row["duplicates"]), live),
            )
        else:
            counts[key].errors_by_type[row["error_type"]] = _count(row["errors"])
    return list(counts.values())


def report_from_db(
    db: duckdb.DuckDBPyConnection,
    *,
    complete: bool = True,
    debug_tag: str | None = None,
    all_sessions: bool = False,
    one_snapshot: bool = False,
) -> SessionReport:
    """Answer the validation questions from the tables of a pipeline store (``lab/sql/``, run on DuckDB).

    ``debug_tag``: only the submissions sent with that ``X-Debug-ID`` header (a fleet run's pings).
    ``all_sessions``: list every session, not only the flagged ones.
    ``one_snapshot``: every file on ``db`` itself, one after another, for a caller that reads in one
    transaction: the files started ahead run on cursors of their own, which read the latest commit,
    outside it.
    """
    if one_snapshot:
        return report_from_query(duckdb_query(db), complete=complete, debug_tag=debug_tag, all_sessions=all_sessions)
    with DuckDBQuery(db) as query:
        return report_from_query(query, complete=complete, debug_tag=debug_tag, all_sessions=all_sessions)


@contextlib.contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while the report's objects are made.

    A report over a million pings makes a couple of million small objects
    (rows, session sides, ping references), none of them in a reference
    cycle; the collector would otherwise walk the whole growing heap again
    and again, a third of the report's CPU time.  Reference counting still
    frees everything; the collector runs again as usual afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def report_from_query(
    query: Query, *, complete: bool = True, debug_tag: str | None = None, all_sessions: bool = False
) -> SessionReport:
    """The report from ``lab/sql/`` run by ``query`` on any engine holding the Mozilla-shaped tables."""
    run_ahead(query, _calls(complete=complete, debug_tag=debug_tag, all_sessions=all_sessions))
    with _cyclic_gc_paused():
        return _report(
            with_params(query, debug_tag=debug_tag), complete=complete, debug_tag=debug_tag, all_sessions=all_sessions
        )


def _calls(*, complete: bool, debug_tag: str | None, all_sessions: bool) -> list[Call]:
    """Every file :func:`_report` runs, with the parameters it gives, the longest first.

    The listing of the flagged sessions is not among them: it runs only when
    sessions.sql finds some.  A test checks that the report asks for each.
    """
    calls: list[Call] = [("session_pings", {"all_sessions": True})] if all_sessions else []
    calls += [
        ("sessions", {}),
        ("inactive_id", {"allowed_under_inactive_id": ALLOWED}),
        ("pipeline_errors", {}),
        ("seq_gaps", {"counted_from_zero": complete}),
        ("metric_values", {"allowed_under_inactive_id": ALLOWED}),
        ("session_durations", {}),
        ("ping_counts", {}),
        ("seq_series", {}),
        ("inactive_pings", {}),
        ("delivery_delay", {}),
        ("retrieval", {}),
        ("glean_losses", {}),
        ("client_pings", {}),
    ]
    return [(name, {"debug_tag": debug_tag, **params}) for name, params in calls]


def _report(query: Query, *, complete: bool, debug_tag: str | None, all_sessions: bool) -> SessionReport:
    (counts,) = query("ping_counts")
    classes = query("sessions")
    # Nothing to list when no session is flagged: session_pings.sql would return no row.
    any_flagged = any(row["flagged"] for row in classes)
    sessions = _sessions(query, all_sessions=all_sessions) if all_sessions or any_flagged else []
    summary = _session_summary(classes, sessions)
    durations = [
        Durations(
            side=row["side"],
            sessions=_count(row["sessions"]),
            negative=_count(row["negative"]),
            min_s=_seconds(row["min_ms"]),
            max_s=_seconds(row["max_ms"]),
            mean_s=_seconds(round(row["total_ms"] / row["sessions"])) if row["sessions"] else None,
        )
        for row in query("session_durations")
    ]
    delays = [
        DeliveryDelay(
            app=row["app"],
            ping=row["ping"],
            pings=_count(row["pings"]),
            negative=_count(row["negative"]),
            min_s=_seconds(row["min_ms"]),
            max_s=_seconds(row["max_ms"]),
            mean_s=_seconds(round(row["total_ms"] / row["pings"])) if row["pings"] else None,
        )
        for row in query("delivery_delay")
    ]
    return SessionReport(
        format=REPORT_FORMAT,
        debug_tag=debug_tag,
        inactive_session_id=INACTIVE_SESSION_ID,
        definitions=dict(DEFINITIONS),
        pings=PingCounts(
            total=_count(counts["total"]),
            vpnsession=_count(counts["vpnsession"]),
            daemonsession=_count(counts["daemonsession"]),
            other=_count(counts["other"]),
            without_session_id=_count(counts["without_session_id"]),
        ),
        inactive_id=_inactive_id_data(query),
        daemon_sessions=summary.daemon,
        retrieval=_retrieval(query),
        session_counts=summary.counts,
        sessions_listed=SESSIONS_ALL if all_sessions else SESSIONS_FLAGGED,
        sessions=sessions,
        delivery=ping_delivery.delivery_from_query(query, counted_from_zero=complete),
        session_types=summary.types,
        durations=durations,
        delivery_delay=delays,
        pipeline=_pipeline(query),
        client_pings={row["reason"]: _count(row["pings"]) for row in query("client_pings")},
    )


def build_report(
    pings: Iterable[StoredPing], *, complete: bool = True, debug_tag: str | None = None, all_sessions: bool = False
) -> SessionReport:
    """The report over ``pings`` (oldest first), loaded into an in-memory store: the same SQL as a lab's store.

    ``complete=False`` when ``pings`` are only the latest of a store, so that
    the pings before them are not counted as missing.
    """
    db = load_pings(pings)
    try:
        return report_from_db(db, complete=complete, debug_tag=debug_tag, all_sessions=all_sessions)
    finally:
        db.close()


# --- rendering -------------------------------------------------------------------------------------------------------


def render_json(report: SessionReport) -> str:
    return msgspec.json.format(msgspec.json.encode(report), indent=2).decode()


def _percent(share: float) -> str:
    return f"{share * 100:.1f}%"


def _counts(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{name} {count}" for name, count in counts.items()) or "none"


def _headlines(report: SessionReport) -> list[str]:
    inactive, daemon, retrieval = report.inactive_id, report.daemon_sessions, report.retrieval
    by_reason = "; ".join(f"{ping}: {_counts(reasons)}" for ping, reasons in inactive.pings_by_reason.items())
    lines = [
        f"1. Data under the inactive id ({report.inactive_session_id}):",
        f"   {inactive.pings} pings carry the inactive id ({by_reason or 'none'});",
        f"   {inactive.pings_with_data} of them carry data besides the ids"
        f" (metrics: {_counts(inactive.metrics_with_data)});",
        f"   {inactive.values_under_inactive_id} of {inactive.values_total} non-id metric values"
        f" ({_percent(inactive.share)}) sit under the inactive id.",
        f"2. Daemon sessions: {daemon.total};"
        f" without a daemon_start ping: {daemon.missing_start};"
        f" without a daemon_end or flush_init ping: {daemon.missing_end}"
        f" (ended by daemon_end: {daemon.with_daemon_end}, by flush_init only: {daemon.ended_by_flush_init_only}).",
    ]
    if daemon.missing_start_ids:
        lines.append(f"   without daemon_start: {', '.join(daemon.missing_start_ids)}")
    if daemon.missing_end_ids:
        lines.append(f"   without daemon_end/flush_init: {', '.join(daemon.missing_end_ids)}")
    lines += [
        f"3. Session id retrieval error rate: {_percent(retrieval.error_rate)}"
        f" ({retrieval.errors} errors / {retrieval.attempts} attempts;"
        f" {retrieval.successful_retrievals} successful retrievals;"
        f" errors by label: {_counts(retrieval.errors_by_label)}).",
        f"   A successful retrieval is {DEFINITIONS['successful_retrieval']}.",
        *ping_delivery.headline(report.delivery),
    ]
    return lines


def _seconds_text(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _sections(report: SessionReport) -> list[str]:
    """The figures after the headlines: session types, durations, delivery delay, the pipeline, vpnclient pings."""
    types = "; ".join(f"{side}: {_counts(counts)}" for side, counts in report.session_types.items())
    lines = [f"5. Session types: {types or 'none'}."]
    lines.append("6. Session durations (end - start datetime metrics):" if report.durations else "6. Durations: none.")
    for item in report.durations:
        lines.append(
            f"   {item.side}: {item.sessions} sessions, {item.negative} negative;"
            f" min {_seconds_text(item.min_s)} s, mean {_seconds_text(item.mean_s)} s,"
            f" max {_seconds_text(item.max_s)} s"
        )
    lines.append(
        "7. Delivery delay (submission_timestamp - ping_info.end_time):" if report.delivery_delay else "7. Delay: none."
    )
    for delay in report.delivery_delay:
        lines.append(
            f"   {delay.app} {delay.ping}: {delay.pings} pings, {delay.negative} negative;"
            f" min {_seconds_text(delay.min_s)} s, mean {_seconds_text(delay.mean_s)} s,"
            f" max {_seconds_text(delay.max_s)} s"
        )
    lines.append("8. Pipeline, per ping type:" if report.pipeline else "8. Pipeline: no submission.")
    for counts in report.pipeline:
        lines.append(
            f"   {counts.namespace} {counts.document_type}: {counts.submissions} submissions,"
            f" {counts.errors} errors ({_percent(counts.error_ratio)}; {_counts(counts.errors_by_type)}),"
            f" {counts.duplicates} duplicates ({_percent(counts.duplicate_ratio)}),"
            f" {counts.automation} automation, {counts.stable_rows} stable rows"
        )
    total = sum(report.client_pings.values())
    lines.append(f"9. {CLIENT_PING} pings (data of no session): {total} ({_counts(report.client_pings)}).")
    return lines


def _side_pings(side: AppSide | DaemonSide | None) -> str:
    if side is None:
        return "-"
    return " ".join(f"{ping.reason or NO_REASON}#{'?' if ping.seq is None else ping.seq}" for ping in side.pings)


def _table(rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    return ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]


def render_table(report: SessionReport) -> str:
    """The report for a person: the headline figures, then one line per listed session."""
    counts, sessions = report.pings, report.session_counts
    lines = [
        f"Session telemetry report: {counts.total} pings ({counts.vpnsession} vpnsession,"
        f" {counts.daemonsession} daemonsession, {counts.other} other,"
        f" {counts.without_session_id} without a session id)"
        + ("" if report.debug_tag is None else f", only those sent with X-Debug-ID {report.debug_tag}"),
        "",
        *_headlines(report),
        *_sections(report),
        "",
        f"Sessions: {sessions.total} (joined {sessions.joined}, app only {sessions.app_only},"
        f" daemon only {sessions.daemon_only}, installation id mismatch {sessions.installation_mismatch};"
        f" flagged {sessions.flagged})",
    ]
    if report.sessions_listed == SESSIONS_FLAGGED:
        lines.append(
            "Listed: the flagged sessions"
            + (" (none)." if not report.sessions else ".")
            + (" --all-sessions lists every one." if sessions.total > len(report.sessions) else "")
        )
    if not report.sessions:
        return "\n".join(lines)
    header = (
        "SESSION",
        "JOIN",
        "APP PINGS (reason#seq)",
        "DAEMON PINGS (reason#seq)",
        "INSTALL",
        "APP START",
        "APP END",
        "DAEMON START",
        "DAEMON END",
        "SOURCE",
        "FLAGS",
    )
    rows: list[tuple[str, ...]] = [header]
    for session in report.sessions:
        join = "joined" if session.joined else "app_only" if session.app_only else "daemon_only"
        install = {True: "match", False: "MISMATCH", None: "-"}[session.installation_ids_match]
        app, daemon = session.app, session.daemon
        rows.append(
            (
                session.session_id,
                join,
                _side_pings(app),
                _side_pings(daemon),
                install,
                (app.session_start if app else None) or "-",
                (app.session_end if app else None) or "-",
                (daemon.session_start if daemon else None) or "-",
                (daemon.session_end if daemon else None) or "-",
                (daemon.session_source if daemon else None) or "-",
                ",".join(session.flags) or "-",
            )
        )
    return "\n".join([*lines, "", *_table(rows)])
