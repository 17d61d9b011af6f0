"""The fault runner's invariants (lab/chaos/invariants.py), each shown to hold and to fail, on hand-made pings.

The pings are shaped like stored Glean pings and validated against the
Glean schema, so the checks are tested on what ingestion really keeps.
Times are epoch seconds around ``T0``; a ping's ``end_time`` is its
submission time, which is what the ``seq`` check sets kills against.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any, Final

import msgspec

from lab.chaos.invariants import (
    KILL_IN_FLIGHT_S,
    STUCK_CONNECTING_S,
    Violation,
    app_never_turns_vpn_off,
    app_sessions_complete,
    check_all,
    client_ping_sessionless,
    daemon_not_stuck_connecting,
    daemon_sessions_complete,
    inactive_id_empty,
    no_cross_session_data,
    no_ping_lost,
    processes_stay_up,
    ref,
)
from lab.chaos.plan import AppToggle, LabSet, Wait
from lab.chaos.record import (
    ConnectingSpell,
    DeactivateRequest,
    Delivery,
    ObservedPayload,
    ObservedSession,
    RunRecord,
    Signalled,
    StateProblem,
    Step,
)
from lab.chaos.runner import deactivate_requests
from lab.session_report import build_report
from mimic_core.lab_api import StoredPing
from mimic_core.telemetry_names import INACTIVE_SESSION_ID
from tests.support.glean_schema import validate_ping

A: Final = "2f6b8f0e-3c4a-4e8e-9d9c-0a1b2c3d4e5f"
B: Final = "7d1c4b2a-9e8f-4a6b-8c5d-1e2f3a4b5c6d"
APP_CLIENT: Final = "c0ffeec0-ffee-4c0f-8eec-0ffeec0ffee0"
DAEMON_CLIENT: Final = "d0ffeed0-ffee-4d0f-8eed-0ffeed0ffee0"
T0: Final = 1_800_000_000.0

_documents = itertools.count()


def iso(at: float) -> str:
    return dt.datetime.fromtimestamp(at, dt.UTC).isoformat(timespec="milliseconds")


def ping(
    name: str,
    reason: str,
    session_id: str | None,
    *,
    seq: int,
    at: float,
    metrics: dict[str, dict[str, Any]] | None = None,
    client_id: str | None = None,
) -> StoredPing:
    all_metrics: dict[str, dict[str, Any]] = (
        {"uuid": {"session.shared_session_id": session_id}} if session_id is not None else {}
    )
    for metric_type, values in (metrics or {}).items():
        all_metrics.setdefault(metric_type, {}).update(values)
    payload: dict[str, Any] = {
        "ping_info": {"seq": seq, "reason": reason, "start_time": iso(at - 1), "end_time": iso(at)},
        "client_info": {
            "telemetry_sdk_build": "71.0.0",
            "client_id": client_id or (DAEMON_CLIENT if name == "daemonsession" else APP_CLIENT),
            "first_run_date": "2027-01-15+00:00",
            "os": "Linux",
            "os_version": "6.1",
            "architecture": "x86_64",
            "app_build": "0.1.0",
            "app_display_version": "0.1.0",
        },
        "metrics": all_metrics,
    }
    validate_ping(payload)
    return StoredPing(
        document_id=f"00000000-0000-4000-8000-{next(_documents):012d}",
        app="mimic-vpn-daemon" if name == "daemonsession" else "mimic-vpn",
        ping=name,
        version="1",
        received_at=iso(at),
        headers={},
        payload=payload,
    )


def app(reason: str, session_id: str, **kwargs: Any) -> StoredPing:
    return ping("vpnsession", reason, session_id, **kwargs)


def daemon(reason: str, session_id: str, **kwargs: Any) -> StoredPing:
    return ping("daemonsession", reason, session_id, **kwargs)


def session(session_id: str = A, start: float = T0, end: float | None = T0 + 10, how: str = "ended") -> ObservedSession:
    observed = ObservedSession(session_id=session_id, seen_at=start, started_at=start, server="de-ber-wg-001")
    if end is not None:
        observed.ended_at, observed.end = end, how  # type: ignore[assignment]
    return observed


def record(**fields: Any) -> RunRecord:
    return RunRecord(seed=1, rounds=1, started_at=T0 - 100, ended_at=T0 + 1000, **fields)


def kill(process: str, at: float) -> Signalled:
    return Signalled(process=process, pid=42, at=at, signal="SIGKILL", step=1)  # type: ignore[arg-type]


def daemon_session_pings(
    session_id: str = A, start: float = T0, end: float = T0 + 10, seq: int = 0
) -> list[StoredPing]:
    return [
        daemon("flush", INACTIVE_SESSION_ID, seq=seq, at=start),
        daemon(
            "daemon_start",
            session_id,
            seq=seq + 1,
            at=start,
            metrics={
                "datetime": {"session.daemon_session_start": iso(start)},
                "string": {"session.daemon_session_source": "app"},
            },
        ),
        daemon(
            "daemon_end",
            session_id,
            seq=seq + 2,
            at=end,
            metrics={"datetime": {"session.daemon_session_end": iso(end)}},
        ),
    ]


def app_session_pings(session_id: str = A, start: float = T0, end: float = T0 + 10, seq: int = 0) -> list[StoredPing]:
    return [
        app("flush", INACTIVE_SESSION_ID, seq=seq, at=start + 0.1),
        app(
            "start",
            session_id,
            seq=seq + 1,
            at=start + 0.1,
            metrics={"datetime": {"session.app_session_start": iso(start + 0.1)}},
        ),
        app(
            "end",
            session_id,
            seq=seq + 2,
            at=end + 0.1,
            metrics={"datetime": {"session.app_session_end": iso(end + 0.1)}},
        ),
    ]


def invariants(violations: list[Violation]) -> list[str]:
    return [violation.invariant for violation in violations]


# --- a clean session ------------------------------------------------------------------------------------------------


def test_a_session_by_the_book_violates_nothing() -> None:
    pings = daemon_session_pings() + app_session_pings()
    run = record(
        sessions=[session()], delivery=Delivery(waited_s=1, complete=True, queued_app=0, queued_daemon=0, timeout_s=60)
    )
    assert check_all(run, pings) == []


# --- daemon sessions -------------------------------------------------------------------------------------------------


def test_a_daemon_session_without_its_start_or_end_is_a_violation() -> None:
    flush, start, end = daemon_session_pings()
    report = build_report([flush, end])
    found = daemon_sessions_complete(record(sessions=[session()]), [flush, end], report)
    assert [v.message for v in found] == ["no daemon_start ping"]
    assert found[0].session_id == A and [p.reason for p in found[0].pings] == ["daemon_end"]

    found = daemon_sessions_complete(record(sessions=[session()]), [flush, start], build_report([flush, start]))
    assert [v.message for v in found] == ["no daemon_end or flush_init ping; the session ended"]


def test_flush_init_closes_a_daemon_session_and_a_running_one_needs_no_end() -> None:
    flush, start, _ = daemon_session_pings()
    closed = daemon("flush_init", A, seq=3, at=T0 + 20)
    pings = [flush, start, closed]
    assert daemon_sessions_complete(record(sessions=[session(how="killed")]), pings, build_report(pings)) == []
    running = session(end=None)
    assert daemon_sessions_complete(record(sessions=[running]), [flush, start], build_report([flush, start])) == []


def test_a_session_the_runner_saw_but_no_ping_tells_of_is_a_violation() -> None:
    found = daemon_sessions_complete(record(sessions=[session()]), [], build_report([]))
    assert [v.message for v in found] == ["no daemonsession ping at all for this session; the session ended"]


def test_a_kill_after_a_burst_excuses_only_the_last_session_of_it() -> None:
    burst = [session(f"00000000-0000-4000-8000-00000000000{n}", T0 + n * 0.1, T0 + n * 0.1 + 0.05) for n in range(5)]
    kill_at = T0 + 0.6
    found = daemon_sessions_complete(record(sessions=burst, signalled=[kill("daemon", kill_at)]), [], build_report([]))
    # The last session's start and end could be in flight at the kill; four sessions' pings were not.
    assert [v.session_id for v in found] == [observed.session_id for observed in burst[:4]]


def test_a_kill_right_after_the_start_excuses_only_the_daemon_start_in_flight() -> None:
    flush, _, _ = daemon_session_pings()
    closed = daemon("flush_init", A, seq=2, at=T0 + 20)
    pings = [flush, closed]
    in_flight = record(sessions=[session(how="killed")], signalled=[kill("daemon", T0 + KILL_IN_FLIGHT_S / 2)])
    assert daemon_sessions_complete(in_flight, pings, build_report(pings)) == []
    later = record(sessions=[session(how="killed")], signalled=[kill("daemon", T0 + KILL_IN_FLIGHT_S + 5)])
    assert invariants(daemon_sessions_complete(later, pings, build_report(pings))) == ["daemon_session_complete"]


# --- app sessions ----------------------------------------------------------------------------------------------------


def test_an_app_start_without_end_or_flush_init_is_a_violation() -> None:
    flush, start, _ = app_session_pings()
    found = app_sessions_complete(record(sessions=[session(how="killed")]), [flush, start])
    assert invariants(found) == ["app_session_complete"]
    assert found[0].session_id == A and "seq 1" in found[0].message and "killed" in found[0].message


def test_the_app_flush_init_after_a_crash_closes_its_session() -> None:
    flush, start, _ = app_session_pings()
    after_restart = app("flush_init", A, seq=2, at=T0 + 30)
    assert app_sessions_complete(record(sessions=[session()]), [flush, start, after_restart]) == []


def test_a_flush_init_before_the_start_does_not_close_it() -> None:
    flush, start, _ = app_session_pings(seq=1)
    earlier = app("flush_init", A, seq=0, at=T0 - 5)
    assert invariants(app_sessions_complete(record(sessions=[session()]), [earlier, flush, start])) == [
        "app_session_complete"
    ]


# --- the inactive id -------------------------------------------------------------------------------------------------


def test_data_under_the_inactive_id_is_a_violation_but_ids_and_retrieval_errors_are_not() -> None:
    only_ids = app("flush", INACTIVE_SESSION_ID, seq=0, at=T0)
    retrieval = app(
        "flush",
        INACTIVE_SESSION_ID,
        seq=1,
        at=T0,
        metrics={"labeled_counter": {"session.session_id_retrieval_errors": {"timeout": 1}}},
    )
    leaked = app(
        "flush",
        INACTIVE_SESSION_ID,
        seq=2,
        at=T0,
        metrics={"counter": {"tunnel.rx_bytes": 120}, "labeled_counter": {"connection.failures": {"daemon_lost": 1}}},
    )
    pings = [only_ids, retrieval, leaked]
    found = inactive_id_empty(pings, build_report(pings))
    assert invariants(found) == ["inactive_id_empty"]
    assert "connection.failures, tunnel.rx_bytes" in found[0].message
    assert [(p.document_id, p.seq) for p in found[0].pings] == [(leaked.document_id, 2)]


def test_the_client_ping_may_carry_its_own_metrics_but_no_session_id_or_session_metric() -> None:
    own = ping(
        "vpnclient",
        "activation_failed",
        None,
        seq=0,
        at=T0,
        metrics={
            "labeled_counter": {"no_session.failures": {"no_internet": 1}, "glean.error.invalid_label": {"x": 1}},
            "counter": {"fog_ipc.flush_failures": 1},
        },
    )
    with_id = ping("vpnclient", "timer", A, seq=1, at=T0)
    with_session_data = ping(
        "vpnclient",
        "shutdown",
        None,
        seq=2,
        at=T0,
        metrics={"labeled_counter": {"connection.failures": {"no_internet": 1}}},
    )
    found = client_ping_sessionless([own, with_id, with_session_data])
    assert invariants(found) == ["client_ping_sessionless", "client_ping_sessionless"]
    assert found[0].session_id == A and found[0].pings[0].document_id == with_id.document_id
    assert "connection.failures" in found[1].message
    assert found[1].pings[0].document_id == with_session_data.document_id


def test_a_seq_gap_of_the_client_ping_is_a_lost_ping() -> None:
    pings = [ping("vpnclient", "startup", None, seq=0, at=T0), ping("vpnclient", "timer", None, seq=2, at=T0 + 5)]
    found = no_ping_lost(record(), pings)
    assert invariants(found) == ["no_ping_lost"]
    assert "vpnclient seq 1" in found[0].message


# --- another session's data ------------------------------------------------------------------------------------------


def test_a_ping_carrying_the_previous_sessions_datetimes_is_a_violation() -> None:
    sessions = [session(A, T0, T0 + 10), session(B, T0 + 20, T0 + 30)]
    good = daemon_session_pings(A) + daemon_session_pings(B, T0 + 20, T0 + 30, seq=3)
    assert no_cross_session_data(record(sessions=sessions), good) == []
    # A's start datetime in B's ping: recorded in another session.
    mixed = app("start", B, seq=1, at=T0 + 21, metrics={"datetime": {"session.app_session_start": iso(T0 + 1)}})
    found = no_cross_session_data(record(sessions=sessions), [mixed])
    assert invariants(found) == ["no_cross_session_data"] and found[0].session_id == B
    assert "session.app_session_start" in found[0].message


def test_a_daemon_start_datetime_must_be_the_sessions_own_start() -> None:
    wrong = daemon(
        "daemon_start", B, seq=1, at=T0 + 20, metrics={"datetime": {"session.daemon_session_start": iso(T0)}}
    )
    found = no_cross_session_data(record(sessions=[session(B, T0 + 20, T0 + 30)]), [wrong])
    assert invariants(found) == ["no_cross_session_data"]


def test_a_buffer_tagged_inactive_or_holding_an_event_from_outside_its_session_is_a_violation() -> None:
    payloads = [
        ObservedPayload(at=T0 + 5, reason="idle", tag=A, live_session=A, event_times_ms=[int((T0 + 5) * 1000)]),
        ObservedPayload(at=T0 + 6, reason="idle", tag=INACTIVE_SESSION_ID, live_session=None),
        ObservedPayload(at=T0 + 7, reason="idle", tag=A, live_session=A, event_times_ms=[int((T0 - 60) * 1000)]),
    ]
    found = no_cross_session_data(record(sessions=[session()], payloads=payloads), [])
    assert [v.session_id for v in found] == [INACTIVE_SESSION_ID, A]


# --- lost pings ------------------------------------------------------------------------------------------------------


def test_a_seq_gap_is_a_lost_ping() -> None:
    pings = [
        daemon("flush", INACTIVE_SESSION_ID, seq=0, at=T0),
        daemon("flush", INACTIVE_SESSION_ID, seq=2, at=T0 + 10),
    ]
    found = no_ping_lost(record(), pings)
    assert invariants(found) == ["no_ping_lost"]
    assert "seq 1" in found[0].message and [p.seq for p in found[0].pings] == [0, 2]


def test_a_seq_gap_from_the_first_ping_on_is_a_lost_ping() -> None:
    assert invariants(no_ping_lost(record(), [app("flush_init", INACTIVE_SESSION_ID, seq=1, at=T0)])) == [
        "no_ping_lost"
    ]


def test_a_kill_of_the_owner_between_the_neighbours_excuses_one_missing_seq() -> None:
    pings = [
        daemon("flush", INACTIVE_SESSION_ID, seq=0, at=T0),
        daemon("flush", INACTIVE_SESSION_ID, seq=2, at=T0 + 10),
    ]
    assert no_ping_lost(record(signalled=[kill("daemon", T0 + 3)]), pings) == []
    # A kill of the other process, or one outside the window, excuses nothing.
    assert invariants(no_ping_lost(record(signalled=[kill("app", T0 + 3)]), pings)) == ["no_ping_lost"]
    assert invariants(no_ping_lost(record(signalled=[kill("daemon", T0 + 60)]), pings)) == ["no_ping_lost"]
    # One kill, one ping in flight: a second missing seq is a loss.
    two_missing = [pings[0], daemon("flush", INACTIVE_SESSION_ID, seq=3, at=T0 + 10)]
    assert invariants(no_ping_lost(record(signalled=[kill("daemon", T0 + 3)]), two_missing)) == ["no_ping_lost"]


def test_pings_left_queued_after_the_delivery_wait_are_a_violation() -> None:
    late = Delivery(waited_s=60, complete=False, queued_app=3, queued_daemon=0, timeout_s=60)
    found = no_ping_lost(record(delivery=late), [])
    assert invariants(found) == ["no_ping_lost"] and "3 app and 0 daemon pings" in found[0].message


# --- process states --------------------------------------------------------------------------------------------------


def test_a_long_connecting_spell_is_a_violation() -> None:
    short = ConnectingSpell(started_at=T0, ended_at=T0 + 3, ended_by="on")
    long = ConnectingSpell(started_at=T0, ended_at=T0 + STUCK_CONNECTING_S + 1, ended_by="off")
    assert daemon_not_stuck_connecting(record(connecting=[short])) == []
    assert invariants(daemon_not_stuck_connecting(record(connecting=[long]))) == ["daemon_not_stuck_connecting"]


def steps() -> list[Step]:
    return [
        Step(index=1, action=AppToggle(), started_at=T0, ended_at=T0 + 5),
        Step(index=2, action=LabSet(assignments=("internet=down",)), started_at=T0 + 5, ended_at=T0 + 10),
        Step(index=3, action=Wait(seconds=1), started_at=T0 + 10, ended_at=T0 + 11),
    ]


def test_a_deactivate_from_the_app_without_a_toggle_of_the_runner_is_a_violation() -> None:
    requests = [
        DeactivateRequest(at=T0 + 1, client="app"),  # the runner's toggle
        DeactivateRequest(at=T0 + 6, client="cli"),  # a script's
    ]
    assert app_never_turns_vpn_off(record(steps=steps(), deactivations=requests)) == []
    by_itself = DeactivateRequest(at=T0 + 7, client="app")
    found = app_never_turns_vpn_off(
        record(steps=steps(), deactivations=[by_itself], sessions=[session(start=T0 + 2, end=T0 + 7)])
    )
    assert invariants(found) == ["app_never_turns_vpn_off"]
    assert found[0].step == 2 and found[0].session_id == A and "lab.set internet=down" in found[0].message


def test_the_daemon_log_tells_who_asked_for_a_deactivate() -> None:
    lines = [
        "2027-01-15 08:00:00,250 INFO daemon.dispatch: deactivate requested by app",
        "2027-01-15 08:00:01,000 INFO daemon.session: state on -> disconnecting",
        "2027-01-15 08:00:02,500 INFO daemon.dispatch: deactivate requested by cli",
    ]
    found = deactivate_requests(lines)
    assert [request.client for request in found] == ["app", "cli"]
    assert round(found[1].at - found[0].at, 3) == 2.25


def test_a_process_that_ends_on_its_own_is_a_violation() -> None:
    assert (
        processes_stay_up(
            record(
                daemon_pids=[10, 11],
                signalled=[Signalled(process="daemon", pid=10, at=T0, signal="SIGKILL", step=1)],
            )
        )
        == []
    )
    found = processes_stay_up(record(daemon_pids=[10, 11], app_exits=[(7, -11)]))
    assert [v.message for v in found] == [
        "the app (pid 7) exited on its own with code -11",
        "the daemon (pid 10) went away on its own",
    ]


def test_state_problems_of_the_steps_become_violations() -> None:
    stuck = steps()
    stuck[2].problems.append(StateProblem("app_matches_daemon", "the app shows Off while the daemon is on", A))
    found = check_all(record(steps=stuck), [])
    assert [(v.invariant, v.step, v.session_id) for v in found] == [("app_matches_daemon", 3, A)]


def test_a_ping_still_queued_on_disk_is_late_not_lost() -> None:
    queued = msgspec.structs.replace(daemon("flush", INACTIVE_SESSION_ID, seq=1, at=T0 + 5), received_at="")
    pings = [
        daemon("flush", INACTIVE_SESSION_ID, seq=0, at=T0),
        queued,
        daemon("flush", INACTIVE_SESSION_ID, seq=2, at=T0 + 9),
    ]
    assert no_ping_lost(record(), pings) == []
    assert ref(queued).delivered is False and ref(pings[0]).delivered is True
