"""The invariants a fault run checks, as pure functions of its record and the stored pings.

Each check returns the violations it finds, every one with the session and
the pings (document id, reason, ``seq``) behind it, so a failing seed can be
looked into without running it again.  The per-session questions of the
session design are answered by ``lab.session_report`` (the same code as
``vpnui-lab report``); the checks here add what only a run that caused the
faults can tell: which process was killed when, which sessions the daemon
announced, what the app showed after every step.

What counts, decided here and documented in the README ("Fault injection"):

* **A ping in flight at a kill.**  Glean submits asynchronously: a process
  SIGKILLed right after a submit can lose that ping, possibly after its
  ``seq`` was taken (glean-sdk 71; see DESIGN §6).  A missing ``seq`` is
  excused only by a SIGKILL of the process that owns the ping between the
  neighbouring pings' submissions, and each kill excuses one ``seq`` of each
  ping at most.  Likewise a daemon session may lack ``daemon_start`` only if
  its daemon was SIGKILLed within ``KILL_IN_FLIGHT_S`` of the session start.
* **An app session's end after an app kill** is the app's ``flush_init``
  under that session's id (the app submits ``flush_init`` at every start
  with the id it had stored); after a daemon loss it is an ``end`` (or a
  ``flush_init``) of the app, which must come all the same.
* **Allowed under the inactive id**: the identifiers, and
  ``session.session_id_retrieval_errors``: the RFC's own error path records
  it when the app could not obtain an id, so no session id exists to file
  it under.  What the app measures outside any session goes into its
  ``vpnclient`` ping, which in turn must carry no session id and none of a
  session ping's metrics (only its own, and Glean's own ``glean.*`` errors).
* **Another session's data** shows in its datetimes: the daemon's session
  start is its ``connected_since`` and its end within ``END_TOLERANCE_S`` of
  the announced end; the app's session start lies in the session (allowing
  ``APP_LAG_S`` to hear of it) and its end is not before the session began.
  Buffers the daemon pushes must not be tagged with the inactive id, and
  events in them must lie in the session they are tagged with.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

import msgspec

from lab.chaos.plan import APP_TURN_OFF_KINDS, describe, kind_of
from lab.chaos.record import ObservedSession, ProcessRole, RunRecord, Step
from lab.session_report import SessionReport, build_report
from mimic_core.glean_definitions import bundled_definitions
from mimic_core.lab_api import StoredPing
from mimic_core.telemetry_names import (
    ALLOWED_UNDER_INACTIVE_ID,
    APP_PING,
    APP_SESSION_END,
    APP_SESSION_START,
    CLIENT_PING,
    DAEMON_PING,
    DAEMON_SESSION_END,
    DAEMON_SESSION_START,
    INACTIVE_SESSION_ID,
    PING_OWNERS,
    SHARED_SESSION_ID,
)

KILL_IN_FLIGHT_S: Final = 2.0
"""A ping submitted at most this long before a SIGKILL of its process may be lost with it."""
START_TOLERANCE_S: Final = 1.0
END_TOLERANCE_S: Final = 3.0
"""The runner hears of a session's end over a socket, a little after the daemon recorded it."""
APP_LAG_S: Final = 10.0
"""How late the app may record a session's start after the session ended (it hears of it over a socket)."""
SEQ_WINDOW_TOLERANCE_S: Final = 1.0
STUCK_CONNECTING_S: Final = 30.0
"""The daemon's longest honest ``connecting``: every candidate's handshake timing out, on a loaded machine."""

PING_OWNER: Final[Mapping[str, ProcessRole]] = PING_OWNERS
"""Every ping of the product and the process that sends it (its ``seq`` stream is checked)."""

INVARIANTS: Final[Mapping[str, str]] = {
    "daemon_session_complete": "every daemon session has daemon_start, and daemon_end or flush_init",
    "app_session_complete": "every app session that saw a start has its end (or the app's flush_init after a crash)",
    "inactive_id_empty": "no metric under the inactive session id except the identifiers"
    " (and the id-retrieval errors of the design's error path)",
    "client_ping_sessionless": f"the app's {CLIENT_PING} ping carries no session id and no metric of a session ping",
    "no_cross_session_data": "no ping or daemon buffer carries data recorded in another session",
    "no_ping_lost": "Glean's seq has no gap per process and ping (a SIGKILL excuses the ping in flight), "
    "and every queued ping is delivered",
    "daemon_not_stuck_connecting": f"the daemon is never 'connecting' for more than {STUCK_CONNECTING_S:.0f} s",
    "app_matches_daemon": "once a step settles and the app's link is ready, the app shows what the daemon does",
    "app_never_turns_vpn_off": "the daemon's deactivate requests from the app follow the runner's own toggles",
    "processes_stay_up": "no app or daemon process ends unless the runner ended it",
}


class PingRef(msgspec.Struct, frozen=True):
    document_id: str
    ping: str
    reason: str | None
    seq: int | None
    client_id: str | None
    delivered: bool = True
    """False for a ping still queued on its process's disk when the run ended."""


class Violation(msgspec.Struct, frozen=True, kw_only=True):
    invariant: str
    message: str
    session_id: str | None = None
    pings: list[PingRef] = []
    step: int | None = None


# --- reading pings ---------------------------------------------------------------------------------------------------


def _section(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _info(stored: StoredPing) -> Mapping[str, Any]:
    return _section(stored.payload.get("ping_info"))


def seq_of(stored: StoredPing) -> int | None:
    seq = _info(stored).get("seq")
    return seq if type(seq) is int else None


def client_id_of(stored: StoredPing) -> str | None:
    value = _section(stored.payload.get("client_info")).get("client_id")
    return value if isinstance(value, str) else None


def reason_of(stored: StoredPing) -> str | None:
    reason = _info(stored).get("reason")
    return reason if isinstance(reason, str) else None


def session_id_of(stored: StoredPing) -> str | None:
    value = _section(_section(stored.payload.get("metrics")).get("uuid")).get("session.shared_session_id")
    return value.lower() if isinstance(value, str) else None


def datetime_metric(stored: StoredPing, name: str) -> float | None:
    value = _section(_section(stored.payload.get("metrics")).get("datetime")).get(name)
    return parse_time(value) if isinstance(value, str) else None


def parse_time(text: str) -> float | None:
    """Epoch seconds of a Glean datetime (always with an offset), ``None`` if unreadable."""
    try:
        return dt.datetime.fromisoformat(text).timestamp()
    except ValueError:
        return None


def _end_time(stored: StoredPing) -> float | None:
    value = _info(stored).get("end_time")
    return parse_time(value) if isinstance(value, str) else None


def ref(stored: StoredPing) -> PingRef:
    # A queued ping read from disk was never received (see Installation.queued_ping_contents).
    return PingRef(
        stored.document_id,
        stored.ping,
        reason_of(stored),
        seq_of(stored),
        client_id_of(stored),
        delivered=bool(stored.received_at),
    )


def _session_pings(pings: Iterable[StoredPing]) -> list[StoredPing]:
    return [ping for ping in pings if ping.ping in PING_OWNER]


def _by_session(pings: Iterable[StoredPing]) -> dict[str, list[StoredPing]]:
    found: dict[str, list[StoredPing]] = defaultdict(list)
    for stored in pings:
        session_id = session_id_of(stored)
        if session_id is not None:
            found[session_id].append(stored)
    return found


# --- the checks ------------------------------------------------------------------------------------------------------


def check_all(record: RunRecord, pings: Sequence[StoredPing]) -> list[Violation]:
    """Every invariant over one run, in the order of ``INVARIANTS``.

    ``pings`` are the stored pings and those still queued on the processes'
    disks (``received_at`` empty): a queued ping is late, which the delivery
    check reports, not lost, and what it carries is checked all the same.
    """
    stored = _session_pings(pings)
    # Every session: the checks below look at each session the daemon saw, not only the flagged ones.
    report = build_report(stored, all_sessions=True)
    return [
        *daemon_sessions_complete(record, stored, report),
        *app_sessions_complete(record, stored),
        *inactive_id_empty(stored, report),
        *client_ping_sessionless(stored),
        *no_cross_session_data(record, stored),
        *no_ping_lost(record, stored),
        *daemon_not_stuck_connecting(record),
        *state_problems(record, "app_matches_daemon"),
        *app_never_turns_vpn_off(record),
        *processes_stay_up(record),
    ]


def _observed(record: RunRecord) -> dict[str, ObservedSession]:
    return {session.session_id: session for session in record.sessions}


def _start(session: ObservedSession) -> float:
    return session.started_at if session.started_at is not None else session.seen_at


def _still_running(session: ObservedSession) -> bool:
    return session.end is None


def _in_flight_at_kills(record: RunRecord) -> tuple[set[str], set[str]]:
    """The sessions whose start, and whose end, a daemon SIGKILL may have caught in flight.

    One of each per kill at most: the last session that started (ended)
    within ``KILL_IN_FLIGHT_S`` before it.  A burst of sessions right before
    a kill does not excuse them all: their pings were submitted long before.
    """
    starts: set[str] = set()
    ends: set[str] = set()
    for kill in record.kills("daemon"):
        started = [s for s in record.sessions if kill.at - KILL_IN_FLIGHT_S <= _start(s) <= kill.at + START_TOLERANCE_S]
        if started:
            starts.add(max(started, key=_start).session_id)
        ended = [
            s
            for s in record.sessions
            if s.ended_at is not None and kill.at - KILL_IN_FLIGHT_S <= s.ended_at <= kill.at + START_TOLERANCE_S
        ]
        if ended:
            ends.add(max(ended, key=lambda s: s.ended_at or 0.0).session_id)
    return starts, ends


def daemon_sessions_complete(record: RunRecord, pings: Sequence[StoredPing], report: SessionReport) -> list[Violation]:
    by_session = _by_session(ping for ping in pings if ping.ping == DAEMON_PING)
    observed = _observed(record)
    start_in_flight, end_in_flight = _in_flight_at_kills(record)
    violations: list[Violation] = []
    session_ids = [session.session_id for session in report.sessions if session.daemon is not None]
    session_ids += [session_id for session_id in observed if session_id not in by_session]
    for session_id in session_ids:
        refs = [ref(stored) for stored in by_session.get(session_id, [])]
        reasons = {item.reason for item in refs}
        seen = observed.get(session_id)
        how = f"; the session {seen.end}" if seen is not None and seen.end else ""
        # Not over when the run ended: it cannot have its end yet.
        running = seen is not None and _still_running(seen)
        lacks_start = "daemon_start" not in reasons and session_id not in start_in_flight
        lacks_end = not ({"daemon_end", "flush_init"} & reasons) and session_id not in end_in_flight and not running
        if not refs and (lacks_start or lacks_end):
            message = f"no daemonsession ping at all for this session{how}"
        elif lacks_start and lacks_end:
            message = f"no daemon_start, and no daemon_end or flush_init ping{how}"
        elif lacks_start:
            message = "no daemon_start ping"
        elif lacks_end:
            message = f"no daemon_end or flush_init ping{how}"
        else:
            continue
        violations.append(
            Violation(invariant="daemon_session_complete", session_id=session_id, message=message, pings=refs)
        )
    return violations


def app_sessions_complete(record: RunRecord, pings: Sequence[StoredPing]) -> list[Violation]:
    observed = _observed(record)
    violations: list[Violation] = []
    for session_id, session_pings in _by_session(ping for ping in pings if ping.ping == APP_PING).items():
        if session_id == INACTIVE_SESSION_ID:
            continue
        seen = observed.get(session_id)
        if seen is not None and _still_running(seen):
            continue
        for start in (ping for ping in session_pings if reason_of(ping) == "start"):
            start_seq = seq_of(start)
            closing = [
                ping
                for ping in session_pings
                if reason_of(ping) in ("end", "flush_init")
                and client_id_of(ping) == client_id_of(start)
                and start_seq is not None
                and (seq_of(ping) or -1) > start_seq
            ]
            if not closing:
                how = f"; the session {seen.end}" if seen is not None and seen.end else ""
                violations.append(
                    Violation(
                        invariant="app_session_complete",
                        session_id=session_id,
                        message=f"the app's start (seq {start_seq}) is followed by no end or flush_init{how}",
                        pings=[ref(ping) for ping in sorted(session_pings, key=lambda p: seq_of(p) or -1)],
                    )
                )
    return violations


def inactive_id_empty(pings: Sequence[StoredPing], report: SessionReport) -> list[Violation]:
    by_document = {ping.document_id: ping for ping in pings}
    violations: list[Violation] = []
    for found in report.inactive_id.pings_with_data_list:
        metrics = [name for name in found.metrics if name not in ALLOWED_UNDER_INACTIVE_ID]
        if not metrics:
            continue
        stored = by_document.get(found.document_id)
        violations.append(
            Violation(
                invariant="inactive_id_empty",
                session_id=INACTIVE_SESSION_ID,
                message=f"{found.ping} {found.reason or '(no reason)'} ping under the inactive id carries "
                + ", ".join(metrics),
                pings=[ref(stored)] if stored is not None else [],
            )
        )
    return violations


def client_metric_ids() -> frozenset[str]:
    """The metrics defined for the ``vpnclient`` ping (``resources/glean_definitions.json``)."""
    return frozenset(
        f"{category}.{name}"
        for category, entries in bundled_definitions().metrics.items()
        for name, entry in entries.items()
        if CLIENT_PING in entry.send_in_pings
    )


def _carried(stored: StoredPing) -> set[str]:
    """Every metric and event name a ping carries, empty values included."""
    names = {name for values in _section(stored.payload.get("metrics")).values() for name in _section(values)}
    events = stored.payload.get("events")
    for event in events if isinstance(events, list) else []:
        record = _section(event)
        names.add(f"{record.get('category', '?')}.{record.get('name', '?')}")
    return names


def client_ping_sessionless(pings: Sequence[StoredPing]) -> list[Violation]:
    """A ``vpnclient`` ping is of no session: no session id, only its own metrics (and Glean's ``glean.*``)."""
    own = client_metric_ids()
    violations: list[Violation] = []
    for stored in pings:
        if stored.ping != CLIENT_PING:
            continue
        names = _carried(stored)
        foreign = sorted(name for name in names if name not in own and not name.startswith("glean."))
        if SHARED_SESSION_ID in names:
            session = session_id_of(stored)
            message = f"{CLIENT_PING} {reason_of(stored) or '(no reason)'} ping carries the session id {session}"
            violations.append(
                Violation(invariant="client_ping_sessionless", session_id=session, message=message, pings=[ref(stored)])
            )
        others = [name for name in foreign if name != SHARED_SESSION_ID]
        if others:
            violations.append(
                Violation(
                    invariant="client_ping_sessionless",
                    message=f"{CLIENT_PING} {reason_of(stored) or '(no reason)'} ping carries session metrics: "
                    + ", ".join(others),
                    pings=[ref(stored)],
                )
            )
    return violations


def no_cross_session_data(record: RunRecord, pings: Sequence[StoredPing]) -> list[Violation]:
    observed = _observed(record)
    violations: list[Violation] = []
    for stored in pings:
        session_id = session_id_of(stored)
        seen = observed.get(session_id or "")
        if seen is None:
            continue
        for problem in _datetime_problems(stored, seen):
            violations.append(
                Violation(
                    invariant="no_cross_session_data", session_id=session_id, message=problem, pings=[ref(stored)]
                )
            )
    for payload in record.payloads:
        if payload.tag is None:
            continue
        if payload.tag == INACTIVE_SESSION_ID:
            violations.append(
                Violation(
                    invariant="no_cross_session_data",
                    session_id=INACTIVE_SESSION_ID,
                    message=f"the daemon pushed a buffer ({payload.reason}) of data recorded under the inactive id"
                    f" at {_clock(payload.at)}",
                )
            )
            continue
        seen = observed.get(payload.tag)
        if seen is None:
            continue
        start, end = _start(seen), seen.ended_at
        for at_ms in payload.event_times_ms:
            at = at_ms / 1000
            if at < start - START_TOLERANCE_S or (end is not None and at > end + END_TOLERANCE_S):
                violations.append(
                    Violation(
                        invariant="no_cross_session_data",
                        session_id=payload.tag,
                        message=f"a buffer tagged with this session holds an event of {_clock(at)},"
                        f" outside the session ({_interval(seen)})",
                    )
                )
    return violations


def _datetime_problems(stored: StoredPing, seen: ObservedSession) -> list[str]:
    start, end = _start(seen), seen.ended_at
    problems: list[str] = []
    found = {name: datetime_metric(stored, name) for name in _SESSION_DATETIMES}
    daemon_start = found[DAEMON_SESSION_START]
    if daemon_start is not None and abs(daemon_start - start) > START_TOLERANCE_S:
        problems.append(f"{DAEMON_SESSION_START} {_clock(daemon_start)} is not this session's start ({_clock(start)})")
    daemon_end = found[DAEMON_SESSION_END]
    if daemon_end is not None and (
        daemon_end < start - START_TOLERANCE_S or (end is not None and daemon_end > end + END_TOLERANCE_S)
    ):
        problems.append(f"{DAEMON_SESSION_END} {_clock(daemon_end)} lies outside this session ({_interval(seen)})")
    app_start = found[APP_SESSION_START]
    if app_start is not None and (
        app_start < start - START_TOLERANCE_S or (end is not None and app_start > end + APP_LAG_S)
    ):
        problems.append(f"{APP_SESSION_START} {_clock(app_start)} lies outside this session ({_interval(seen)})")
    app_end = found[APP_SESSION_END]
    if app_end is not None and app_end < start - START_TOLERANCE_S:
        problems.append(f"{APP_SESSION_END} {_clock(app_end)} is before this session began ({_clock(start)})")
    return problems


_SESSION_DATETIMES: Final = (DAEMON_SESSION_START, DAEMON_SESSION_END, APP_SESSION_START, APP_SESSION_END)


def no_ping_lost(record: RunRecord, pings: Sequence[StoredPing]) -> list[Violation]:
    violations: list[Violation] = []
    streams: dict[tuple[str, str], dict[int, StoredPing]] = defaultdict(dict)
    for stored in pings:
        client, seq = client_id_of(stored), seq_of(stored)
        if client is not None and seq is not None:
            streams[(client, stored.ping)].setdefault(seq, stored)
    for (client, ping), by_seq in sorted(streams.items()):
        role = PING_OWNER[ping]
        kills = sorted(kill.at for kill in record.kills(role))
        used: set[float] = set()
        missing = [seq for seq in range(max(by_seq) + 1) if seq not in by_seq]
        for seq in missing:
            before = max((s for s in by_seq if s < seq), default=None)
            after = min(s for s in by_seq if s > seq)
            low = _end_time(by_seq[before]) if before is not None else None
            high = _end_time(by_seq[after])
            excuse = next(
                (
                    kill
                    for kill in kills
                    if kill not in used
                    and (low is None or kill >= low - SEQ_WINDOW_TOLERANCE_S)
                    and (high is None or kill <= high + SEQ_WINDOW_TOLERANCE_S)
                ),
                None,
            )
            if excuse is not None:
                used.add(excuse)
                continue
            neighbours = [by_seq[s] for s in (before, after) if s is not None]
            violations.append(
                Violation(
                    invariant="no_ping_lost",
                    session_id=session_id_of(by_seq[after]),
                    message=f"{ping} seq {seq} of {role} client {client} never arrived"
                    f" (between seq {before if before is not None else '-'} and {after};"
                    f" no SIGKILL of the {role} in between to excuse it)",
                    pings=[ref(ping_) for ping_ in neighbours],
                )
            )
    delivery = record.delivery
    if delivery is not None and not delivery.complete:
        violations.append(
            Violation(
                invariant="no_ping_lost",
                message=f"not delivered {delivery.timeout_s:.0f} s after the world was healthy again:"
                f" {delivery.queued_app} app and {delivery.queued_daemon} daemon pings still queued on disk",
            )
        )
    return violations


def daemon_not_stuck_connecting(record: RunRecord) -> list[Violation]:
    violations = state_problems(record, "daemon_not_stuck_connecting")
    end_of_run = record.ended_at or record.started_at
    for spell in record.connecting:
        ended = spell.ended_at if spell.ended_at is not None else end_of_run
        if ended - spell.started_at > STUCK_CONNECTING_S:
            violations.append(
                Violation(
                    invariant="daemon_not_stuck_connecting",
                    message=f"the daemon was 'connecting' for {ended - spell.started_at:.1f} s from"
                    f" {_clock(spell.started_at)} (then {spell.ended_by or 'the run ended'})",
                    step=_step_at(record.steps, spell.started_at),
                )
            )
    return violations


def state_problems(record: RunRecord, invariant: str) -> list[Violation]:
    return [
        Violation(invariant=invariant, message=problem.message, session_id=problem.session_id, step=step.index)
        for step in record.steps
        for problem in step.problems
        if problem.invariant == invariant
    ]


def app_never_turns_vpn_off(record: RunRecord) -> list[Violation]:
    violations: list[Violation] = []
    for request in record.deactivations:
        if request.client != "app":
            continue
        index = _step_at(record.steps, request.at)
        step = next((step for step in record.steps if step.index == index), None)
        if step is not None and kind_of(step.action) in APP_TURN_OFF_KINDS:
            continue
        during = f"during step {index} ({describe(step.action)})" if step is not None else "before the first step"
        session = _session_at(record.sessions, request.at)
        violations.append(
            Violation(
                invariant="app_never_turns_vpn_off",
                session_id=session,
                message=f"the app asked the daemon to deactivate at {_clock(request.at)} {during},"
                " with no toggle of the runner behind it",
                step=index,
            )
        )
    return violations


def processes_stay_up(record: RunRecord) -> list[Violation]:
    violations = state_problems(record, "processes_stay_up")
    for pid, code in record.app_exits:
        violations.append(
            Violation(invariant="processes_stay_up", message=f"the app (pid {pid}) exited on its own with code {code}")
        )
    ended = {entry.pid for entry in record.signalled if entry.process == "daemon"}
    for pid in record.daemon_pids[:-1]:
        if pid not in ended:
            violations.append(
                Violation(invariant="processes_stay_up", message=f"the daemon (pid {pid}) went away on its own")
            )
    return violations


# --- helpers ---------------------------------------------------------------------------------------------------------


def _step_at(steps: Sequence[Step], at: float) -> int | None:
    """The index of the step under way at ``at`` (steps follow each other without gaps)."""
    current: int | None = None
    for step in steps:
        if step.started_at <= at:
            current = step.index
        else:
            break
    return current


def _session_at(sessions: Sequence[ObservedSession], at: float) -> str | None:
    for session in sessions:
        end = session.ended_at if session.ended_at is not None else float("inf")
        if _start(session) - START_TOLERANCE_S <= at <= end + END_TOLERANCE_S:
            return session.session_id
    return None


def _clock(at: float) -> str:
    return dt.datetime.fromtimestamp(at, dt.UTC).strftime("%H:%M:%S.%f")[:-3]


def _interval(session: ObservedSession) -> str:
    end = _clock(session.ended_at) if session.ended_at is not None else "still on"
    return f"{_clock(_start(session))} to {end}"
