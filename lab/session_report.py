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

This module measures each of them over a list of stored pings and joins the
app's and the daemon's pings per session, so a broken assumption shows up as
a number and the sessions behind it can be looked at one by one.  It is pure
computation over :class:`~mimic_core.lab_api.StoredPing` values plus rendering:
where the pings come from (a running lab, or its SQLite file after the lab
has gone) is the command line's business.

The JSON form (:func:`render_json`) is the encoding of :class:`SessionReport`;
its field order is the declaration order below and its ``format`` value
changes whenever a field changes meaning, so scripts can rely on it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

import msgspec

from lab import ping_delivery
from lab.ping_delivery import Delivery
from mimic_core.lab_api import StoredPing
from mimic_core.telemetry_names import (
    APP_PING,
    APP_SESSION_END,
    APP_SESSION_START,
    DAEMON_PING,
    DAEMON_SESSION_END,
    DAEMON_SESSION_SOURCE,
    DAEMON_SESSION_START,
    INACTIVE_SESSION_ID,
    INSTALLATION_ID,
    RETRIEVAL_ERRORS,
    SHARED_SESSION_ID,
    AppPingReason,
    DaemonPingReason,
)

REPORT_FORMAT: Final = "mimic-vpn-session-report/1"

ID_METRICS: Final = frozenset({SHARED_SESSION_ID, INSTALLATION_ID})

APP_START_REASON: Final = AppPingReason.START
DAEMON_START_REASON: Final = DaemonPingReason.DAEMON_START
DAEMON_END_REASON: Final = DaemonPingReason.DAEMON_END
FLUSH_INIT_REASON: Final = DaemonPingReason.FLUSH_INIT

NO_REASON: Final = "(none)"
"""The key under which pings submitted without a reason are counted."""

DEFINITIONS: Final[Mapping[str, str]] = {
    "metric_value": (
        "one recorded value in one ping: a metric of a plain type counts once, a labeled metric once per label, "
        "a dual-labeled counter once per key and category, an event once per event record. The identifiers "
        f"({SHARED_SESSION_ID}, {INSTALLATION_ID}) and empty containers ({{}}, [], null) are not values."
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
    app: AppSide | None
    daemon: DaemonSide | None


class SessionCounts(msgspec.Struct, frozen=True):
    total: int
    joined: int
    app_only: int
    daemon_only: int
    installation_mismatch: int


class SessionReport(msgspec.Struct, frozen=True):
    """The whole report; its JSON encoding is the ``--json`` output."""

    format: str
    inactive_session_id: str
    definitions: dict[str, str]
    pings: PingCounts
    inactive_id: InactiveIdData
    daemon_sessions: DaemonSessions
    retrieval: Retrieval
    session_counts: SessionCounts
    sessions: list[JoinedSession]
    delivery: Delivery
    """The design's delivery guarantee (no ping lost): seq gaps and what Glean reports deleting."""


# --- reading one payload ---------------------------------------------------------------------------------------------


def _mapping(value: object) -> Mapping[str, Any]:
    """``value`` if it is a JSON object, else an empty one: a malformed section has no data to report."""
    return value if isinstance(value, dict) else {}


def _metric(payload: Mapping[str, Any], metric_type: str, name: str) -> object:
    return _mapping(_mapping(payload.get("metrics")).get(metric_type)).get(name)


def _string_metric(payload: Mapping[str, Any], metric_type: str, name: str) -> str | None:
    value = _metric(payload, metric_type, name)
    return value if isinstance(value, str) else None


def _uuid(payload: Mapping[str, Any], name: str) -> str | None:
    """A uuid metric, lower-cased because UUIDs compare case-insensitively."""
    value = _string_metric(payload, "uuid", name)
    return value.lower() if value else None


def _ping_info(payload: Mapping[str, Any]) -> Mapping[str, Any]:
    return _mapping(payload.get("ping_info"))


def _reason(payload: Mapping[str, Any]) -> str | None:
    reason = _ping_info(payload).get("reason")
    return reason if isinstance(reason, str) else None


def _is_empty(value: object) -> bool:
    return value is None or (isinstance(value, dict | list) and not value)


def _value_count(metric_type: str, value: object) -> int:
    """How many values (see ``DEFINITIONS["metric_value"]``) one metric entry holds."""
    if _is_empty(value):
        return 0
    if metric_type == "dual_labeled_counter":
        return sum(
            sum(1 for inner in _mapping(categories).values() if not _is_empty(inner))
            for categories in _mapping(value).values()
        )
    if metric_type.startswith("labeled_"):
        return sum(1 for inner in _mapping(value).values() if not _is_empty(inner))
    return 1


def data_values(payload: Mapping[str, Any]) -> Counter[str]:
    """Metric or event name -> values it holds in this ping, identifiers and empty containers left out."""
    values: Counter[str] = Counter()
    for metric_type, metrics in _mapping(payload.get("metrics")).items():
        for name, value in _mapping(metrics).items():
            if name in ID_METRICS:
                continue
            count = _value_count(metric_type, value)
            if count:
                values[name] += count
    events = payload.get("events")
    for event in events if isinstance(events, list) else []:
        record = _mapping(event)
        if record:
            values[f"{record.get('category', '?')}.{record.get('name', '?')}"] += 1
    return values


def _ping_ref(stored: StoredPing) -> PingRef:
    info = _ping_info(stored.payload)
    seq = info.get("seq")
    start, end = info.get("start_time"), info.get("end_time")
    return PingRef(
        document_id=stored.document_id,
        reason=_reason(stored.payload),
        seq=seq if isinstance(seq, int) and not isinstance(seq, bool) else None,
        start_time=start if isinstance(start, str) else None,
        end_time=end if isinstance(end, str) else None,
    )


# --- the questions ---------------------------------------------------------------------------------------------------


def _share(part: int, whole: int) -> float:
    return round(part / whole, 6) if whole else 0.0


def _inactive_id_data(session_pings: Sequence[StoredPing]) -> InactiveIdData:
    by_reason: dict[str, Counter[str]] = {}
    metrics_with_data: Counter[str] = Counter()
    offending: list[InactivePing] = []
    inactive_pings = values_inactive = values_total = 0
    for stored in session_pings:
        values = data_values(stored.payload)
        values_total += sum(values.values())
        if _uuid(stored.payload, SHARED_SESSION_ID) != INACTIVE_SESSION_ID:
            continue
        inactive_pings += 1
        reason = _reason(stored.payload)
        by_reason.setdefault(stored.ping, Counter())[reason or NO_REASON] += 1
        if values:
            values_inactive += sum(values.values())
            metrics_with_data.update(values.keys())
            offending.append(InactivePing(stored.document_id, stored.ping, reason, sorted(values)))
    return InactiveIdData(
        pings=inactive_pings,
        pings_by_reason={ping: dict(sorted(reasons.items())) for ping, reasons in sorted(by_reason.items())},
        pings_with_data=len(offending),
        metrics_with_data=dict(sorted(metrics_with_data.items())),
        values_under_inactive_id=values_inactive,
        values_total=values_total,
        share=_share(values_inactive, values_total),
        pings_with_data_list=offending,
    )


def _retrieval(app_pings: Sequence[StoredPing]) -> Retrieval:
    errors: Counter[str] = Counter()
    successes = 0
    for stored in app_pings:
        for label, count in _mapping(_metric(stored.payload, "labeled_counter", RETRIEVAL_ERRORS)).items():
            if isinstance(count, int) and not isinstance(count, bool):
                errors[label] += count
        session_id = _uuid(stored.payload, SHARED_SESSION_ID)
        if _reason(stored.payload) == APP_START_REASON and session_id and session_id != INACTIVE_SESSION_ID:
            successes += 1
    total_errors = sum(errors.values())
    attempts = total_errors + successes
    return Retrieval(
        errors_by_label=dict(sorted(errors.items())),
        errors=total_errors,
        successful_retrievals=successes,
        attempts=attempts,
        error_rate=_share(total_errors, attempts),
    )


def _ordered(pings: Iterable[tuple[int, StoredPing]]) -> list[StoredPing]:
    """One side's pings in the order they were submitted.

    ``seq`` is the submission order within one Glean client; arrival order
    only breaks ties, since an upload retried later arrives out of order.
    """

    def key(item: tuple[int, StoredPing]) -> tuple[bool, int, int]:
        arrival, stored = item
        seq = _ping_ref(stored).seq
        return (seq is None, seq or 0, arrival)

    return [stored for _, stored in sorted(pings, key=key)]


def _first(pings: Sequence[StoredPing], metric_type: str, name: str) -> str | None:
    for stored in pings:
        value = _string_metric(stored.payload, metric_type, name)
        if value is not None:
            return value
    return None


def _installation_ids(pings: Sequence[StoredPing]) -> list[str]:
    return sorted({value for stored in pings if (value := _uuid(stored.payload, INSTALLATION_ID))})


def _reasons(pings: Sequence[StoredPing]) -> list[str]:
    return [_reason(stored.payload) or NO_REASON for stored in pings]


def _app_side(pings: Sequence[StoredPing]) -> AppSide:
    return AppSide(
        pings=[_ping_ref(stored) for stored in pings],
        reasons=_reasons(pings),
        installation_ids=_installation_ids(pings),
        session_start=_first(pings, "datetime", APP_SESSION_START),
        session_end=_first(pings, "datetime", APP_SESSION_END),
    )


def _daemon_side(pings: Sequence[StoredPing]) -> DaemonSide:
    reasons = _reasons(pings)
    return DaemonSide(
        pings=[_ping_ref(stored) for stored in pings],
        reasons=reasons,
        installation_ids=_installation_ids(pings),
        session_start=_first(pings, "datetime", DAEMON_SESSION_START),
        session_end=_first(pings, "datetime", DAEMON_SESSION_END),
        session_source=_first(pings, "string", DAEMON_SESSION_SOURCE),
        missing_start=DAEMON_START_REASON not in reasons,
        missing_end=DAEMON_END_REASON not in reasons and FLUSH_INIT_REASON not in reasons,
    )


def _join(session_id: str, app: AppSide | None, daemon: DaemonSide | None) -> JoinedSession:
    match: bool | None = None
    if app is not None and daemon is not None and app.installation_ids and daemon.installation_ids:
        match = app.installation_ids == daemon.installation_ids
    return JoinedSession(
        session_id=session_id,
        joined=app is not None and daemon is not None,
        app_only=daemon is None,
        daemon_only=app is None,
        installation_ids_match=match,
        app=app,
        daemon=daemon,
    )


def _daemon_sessions(sessions: Sequence[JoinedSession]) -> DaemonSessions:
    sides = [(session.session_id, session.daemon) for session in sessions if session.daemon is not None]
    missing_start = [session_id for session_id, side in sides if side.missing_start]
    missing_end = [session_id for session_id, side in sides if side.missing_end]
    with_end = sum(1 for _, side in sides if DAEMON_END_REASON in side.reasons)
    flush_init_only = sum(
        1 for _, side in sides if FLUSH_INIT_REASON in side.reasons and DAEMON_END_REASON not in side.reasons
    )
    return DaemonSessions(
        total=len(sides),
        with_daemon_end=with_end,
        ended_by_flush_init_only=flush_init_only,
        missing_start=len(missing_start),
        missing_end=len(missing_end),
        missing_start_ids=missing_start,
        missing_end_ids=missing_end,
    )


def build_report(pings: Iterable[StoredPing], *, complete: bool = True) -> SessionReport:
    """Answer the validation questions over ``pings`` (in arrival order, oldest first).

    ``complete=False`` when ``pings`` are only the latest of a store, so that
    the pings before them are not counted as missing.
    """
    stored = list(pings)
    session_pings = [ping for ping in stored if ping.ping in (APP_PING, DAEMON_PING)]
    app_pings = [ping for ping in session_pings if ping.ping == APP_PING]

    # Session id -> side -> (arrival index, ping); dict order is first arrival.
    by_session: dict[str, dict[str, list[tuple[int, StoredPing]]]] = {}
    without_id = 0
    for arrival, ping in enumerate(session_pings):
        session_id = _uuid(ping.payload, SHARED_SESSION_ID)
        if session_id is None:
            without_id += 1
        elif session_id != INACTIVE_SESSION_ID:
            by_session.setdefault(session_id, {}).setdefault(ping.ping, []).append((arrival, ping))

    sessions: list[JoinedSession] = []
    for session_id, sides in by_session.items():
        app_side = _app_side(_ordered(sides[APP_PING])) if APP_PING in sides else None
        daemon_side = _daemon_side(_ordered(sides[DAEMON_PING])) if DAEMON_PING in sides else None
        sessions.append(_join(session_id, app_side, daemon_side))

    return SessionReport(
        format=REPORT_FORMAT,
        inactive_session_id=INACTIVE_SESSION_ID,
        definitions=dict(DEFINITIONS),
        pings=PingCounts(
            total=len(stored),
            vpnsession=len(app_pings),
            daemonsession=len(session_pings) - len(app_pings),
            other=len(stored) - len(session_pings),
            without_session_id=without_id,
        ),
        inactive_id=_inactive_id_data(session_pings),
        daemon_sessions=_daemon_sessions(sessions),
        retrieval=_retrieval(app_pings),
        session_counts=SessionCounts(
            total=len(sessions),
            joined=sum(session.joined for session in sessions),
            app_only=sum(session.app_only for session in sessions),
            daemon_only=sum(session.daemon_only for session in sessions),
            installation_mismatch=sum(session.installation_ids_match is False for session in sessions),
        ),
        sessions=sessions,
        delivery=ping_delivery.delivery(stored, counted_from_zero=complete),
    )


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


def _side_pings(side: AppSide | DaemonSide | None) -> str:
    if side is None:
        return "-"
    return " ".join(f"{ping.reason or NO_REASON}#{'?' if ping.seq is None else ping.seq}" for ping in side.pings)


def _flags(session: JoinedSession) -> str:
    flags: list[str] = []
    if session.daemon is not None and session.daemon.missing_start:
        flags.append("no_daemon_start")
    if session.daemon is not None and session.daemon.missing_end:
        flags.append("no_daemon_end")
    if session.installation_ids_match is False:
        flags.append("installation_mismatch")
    return ",".join(flags) or "-"


def _table(rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    return ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]


def render_table(report: SessionReport) -> str:
    """The report for a person: the three headline figures, then one line per session."""
    counts, sessions = report.pings, report.session_counts
    lines = [
        f"Session telemetry report: {counts.total} pings ({counts.vpnsession} vpnsession,"
        f" {counts.daemonsession} daemonsession, {counts.other} other,"
        f" {counts.without_session_id} without a session id)",
        "",
        *_headlines(report),
        "",
        f"Sessions: {sessions.total} (joined {sessions.joined}, app only {sessions.app_only},"
        f" daemon only {sessions.daemon_only}, installation id mismatch {sessions.installation_mismatch})",
    ]
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
                _flags(session),
            )
        )
    return "\n".join([*lines, "", *_table(rows)])
