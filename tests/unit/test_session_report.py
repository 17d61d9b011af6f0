"""The session report (lab/session_report.py) answers the RFC's validation questions correctly.

The pings are fabricated here, but every one is checked against the Glean
ping schema first, so the report is tested on the shape ingestion really
stores.  The last test runs the command line on a DuckDB store written through
the pipeline's own code, the way a store is read after the lab stopped.
"""

from __future__ import annotations

import itertools
import json
import subprocess
from pathlib import Path
from typing import Any, Final

import msgspec
import pytest

from lab.pipeline.sql_runner import DuckDBQuery, duckdb_query
from lab.pipeline.store import load_pings
from lab.session_report import (
    REPORT_FORMAT,
    SessionReport,
    build_report,
    render_json,
    render_table,
    report_from_db,
    report_from_query,
)
from mimic_core.lab_api import StoredPing
from mimic_core.telemetry_names import INACTIVE_SESSION_ID
from tests.support.checkout_process import run_checkout_python
from tests.support.glean_schema import validate_ping

SESSION_A: Final = "2f6b8f0e-3c4a-4e8e-9d9c-0a1b2c3d4e5f"
SESSION_B: Final = "7d1c4b2a-9e8f-4a6b-8c5d-1e2f3a4b5c6d"
SESSION_C: Final = "c3a1e5f7-2b4d-4f6a-9c8e-0d2b4f6a8c0e"
INSTALLATION: Final = "1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d"
OTHER_INSTALLATION: Final = "9f8e7d6c-5b4a-4e2d-8c0b-9a8f7e6d5c4b"
CLIENT_DOCUMENT: Final = "5e1f0c1e-0000-4000-8000-000000000000"
START: Final = "2024-05-01T10:20:30.123+02:00"
END: Final = "2024-05-01T11:02:03.456+02:00"

_documents = itertools.count()


def ping(
    name: str,
    reason: str | None,
    session_id: str | None,
    *,
    seq: int = 0,
    metrics: dict[str, dict[str, Any]] | None = None,
    events: list[dict[str, Any]] | None = None,
    installation_id: str | None = INSTALLATION,
) -> StoredPing:
    """A stored ``vpnsession``/``daemonsession`` ping, shaped and validated like a real Glean ping."""
    uuids = {}
    if session_id is not None:
        uuids["session.shared_session_id"] = session_id
    if installation_id is not None:
        uuids["session.installation_id"] = installation_id
    all_metrics: dict[str, dict[str, Any]] = {"uuid": uuids} if uuids else {}
    for metric_type, values in (metrics or {}).items():
        all_metrics.setdefault(metric_type, {}).update(values)
    ping_info: dict[str, Any] = {
        "seq": seq,
        "start_time": "2024-05-01T10:20+02:00",
        "end_time": "2024-05-01T11:02+02:00",
    }
    if reason is not None:
        ping_info["reason"] = reason
    payload: dict[str, Any] = {
        "ping_info": ping_info,
        "client_info": {
            "telemetry_sdk_build": "71.0.0",
            "client_id": "c0ffeec0-ffee-4c0f-8eec-0ffeec0ffee0",
            "first_run_date": "2024-05-01+02:00",
            "os": "Linux",
            "os_version": "6.1",
            "architecture": "x86_64",
            "app_build": "0.1.0",
            "app_display_version": "0.1.0",
        },
    }
    if all_metrics:
        payload["metrics"] = all_metrics
    if events is not None:
        payload["events"] = events
    validate_ping(payload)
    app = {"vpnsession": "mimic-vpn", "daemonsession": "mimic-vpn-daemon"}.get(name, "mimic-vpn")
    return StoredPing(
        document_id=f"00000000-0000-4000-8000-{next(_documents):012d}",
        app=app,
        ping=name,
        version="1",
        received_at="2024-05-01T09:02:03.456+00:00",
        headers={},
        payload=payload,
    )


def app(reason: str | None, session_id: str | None, **kwargs: Any) -> StoredPing:
    return ping("vpnsession", reason, session_id, **kwargs)


def daemon(reason: str | None, session_id: str | None, **kwargs: Any) -> StoredPing:
    return ping("daemonsession", reason, session_id, **kwargs)


def clean_session(session_id: str = SESSION_A) -> list[StoredPing]:
    """The pings of one session that went by the book, in the order the RFC submits them."""
    return [
        daemon("flush", INACTIVE_SESSION_ID, seq=0),
        daemon(
            "daemon_start",
            session_id,
            seq=1,
            metrics={
                "datetime": {"session.daemon_session_start": START},
                "string": {"session.daemon_session_source": "app"},
            },
        ),
        app("flush", INACTIVE_SESSION_ID, seq=0),
        app("start", session_id, seq=1, metrics={"datetime": {"session.app_session_start": START}}),
        app(
            "end",
            session_id,
            seq=2,
            metrics={"datetime": {"session.app_session_end": END}, "counter": {"tunnel.rx_bytes": 4096}},
        ),
        daemon(
            "daemon_end",
            session_id,
            seq=2,
            metrics={"datetime": {"session.daemon_session_end": END}},
            events=[
                {"timestamp": 0, "category": "tunnel", "name": "state_changed", "extra": {"state": "up"}},
                {"timestamp": 9, "category": "tunnel", "name": "state_changed", "extra": {"state": "down"}},
            ],
        ),
    ]


def only_session(report: SessionReport) -> Any:
    assert len(report.sessions) == 1
    return report.sessions[0]


def test_a_clean_session_is_joined_and_nothing_is_flagged() -> None:
    report = build_report(clean_session(), all_sessions=True)

    assert report.pings.total == 6
    assert (report.pings.vpnsession, report.pings.daemonsession, report.pings.other) == (3, 3, 0)
    assert report.inactive_id.pings == 2
    assert report.inactive_id.pings_by_reason == {"daemonsession": {"flush": 1}, "vpnsession": {"flush": 1}}
    assert report.inactive_id.pings_with_data == 0
    assert report.inactive_id.values_under_inactive_id == 0
    assert report.inactive_id.share == 0.0
    # start, end, source, end + rx_bytes + two events: every non-id value counts once.
    assert report.inactive_id.values_total == 8
    assert report.daemon_sessions.total == 1
    assert report.daemon_sessions.missing_start == report.daemon_sessions.missing_end == 0
    assert report.daemon_sessions.with_daemon_end == 1
    assert report.retrieval.errors == 0
    assert report.retrieval.successful_retrievals == 1
    assert report.retrieval.error_rate == 0.0

    session = only_session(report)
    assert session.session_id == SESSION_A
    assert (session.joined, session.app_only, session.daemon_only) == (True, False, False)
    assert session.installation_ids_match is True
    assert session.app.reasons == ["start", "end"]
    assert [(p.reason, p.seq) for p in session.app.pings] == [("start", 1), ("end", 2)]
    assert session.app.pings[0].start_time == "2024-05-01T10:20+02:00"
    assert session.app.installation_ids == [INSTALLATION]
    assert (session.app.session_start, session.app.session_end) == (START, END)
    assert session.daemon.reasons == ["daemon_start", "daemon_end"]
    assert (session.daemon.session_start, session.daemon.session_end) == (START, END)
    assert session.daemon.session_source == "app"
    assert not session.daemon.missing_start and not session.daemon.missing_end


def test_a_killed_daemon_session_closed_by_flush_init_has_an_end() -> None:
    report = build_report(
        [
            daemon("flush", INACTIVE_SESSION_ID, seq=0),
            daemon("daemon_start", SESSION_A, seq=1),
            daemon("flush_init", SESSION_A, seq=2, metrics={"counter": {"fog_ipc.flush_failures": 1}}),
        ]
    )

    assert report.daemon_sessions.total == 1
    assert report.daemon_sessions.missing_end == 0
    assert report.daemon_sessions.missing_end_ids == []
    assert report.daemon_sessions.with_daemon_end == 0
    assert report.daemon_sessions.ended_by_flush_init_only == 1
    session = only_session(report)
    assert session.daemon.reasons == ["daemon_start", "flush_init"]
    assert not session.daemon.missing_end
    assert session.daemon_only


def test_daemon_sessions_without_a_start_or_an_end_are_flagged_and_listed() -> None:
    report = build_report(
        [
            daemon("daemon_timer", SESSION_A, seq=4),
            daemon("daemon_end", SESSION_A, seq=5),
            daemon("daemon_start", SESSION_B, seq=6),
            daemon("daemon_timer", SESSION_B, seq=7),
            *clean_session(SESSION_C),
        ]
    )

    sessions = report.daemon_sessions
    assert sessions.total == 3
    assert (sessions.missing_start, sessions.missing_start_ids) == (1, [SESSION_A])
    assert (sessions.missing_end, sessions.missing_end_ids) == (1, [SESSION_B])
    assert "no_daemon_start" in render_table(report)
    assert "no_daemon_end" in render_table(report)


def test_data_under_the_inactive_id_is_counted_with_its_metric_names() -> None:
    pings = [
        *clean_session(),
        # Only identifiers and an empty container: expected and fine.
        app("flush_init", INACTIVE_SESSION_ID, seq=3, metrics={"labeled_counter": {"fog_ipc.discarded_payloads": {}}}),
        # Data recorded outside any session.
        app(
            "flush",
            INACTIVE_SESSION_ID,
            seq=4,
            metrics={
                "labeled_counter": {"connection.failures": {"no_internet": 2, "captive_portal": 1}},
                "counter": {"tunnel.tx_bytes": 10},
            },
        ),
        daemon(
            "flush",
            INACTIVE_SESSION_ID,
            seq=3,
            events=[{"timestamp": 5, "category": "tunnel", "name": "state_changed", "extra": {"state": "failed"}}],
        ),
    ]
    inactive = build_report(pings).inactive_id

    assert inactive.pings == 5
    assert inactive.pings_by_reason == {"daemonsession": {"flush": 2}, "vpnsession": {"flush": 2, "flush_init": 1}}
    assert inactive.pings_with_data == 2
    assert inactive.metrics_with_data == {"connection.failures": 1, "tunnel.state_changed": 1, "tunnel.tx_bytes": 1}
    # Two labels, one counter, one event; the clean session holds 8 more.
    assert inactive.values_under_inactive_id == 4
    assert inactive.values_total == 12
    assert inactive.share == round(4 / 12, 6)
    assert [(p.ping, p.reason, p.metrics) for p in inactive.pings_with_data_list] == [
        ("vpnsession", "flush", ["connection.failures", "tunnel.tx_bytes"]),
        ("daemonsession", "flush", ["tunnel.state_changed"]),
    ]


def test_the_retrieval_error_rate_counts_errors_by_label_against_successful_starts() -> None:
    errors = {"labeled_counter": {"session.session_id_retrieval_errors": {"no_daemon": 2, "timeout": 1}}}
    report = build_report(
        [
            app("flush_init", INACTIVE_SESSION_ID, seq=0, metrics=errors),
            app("start", SESSION_A, seq=1),
            app(
                "end",
                SESSION_A,
                seq=2,
                metrics={"labeled_counter": {"session.session_id_retrieval_errors": {"inactive_id": 1}}},
            ),
            # A start under the inactive id is no successful retrieval.
            app("start", INACTIVE_SESSION_ID, seq=3),
        ]
    )

    retrieval = report.retrieval
    assert retrieval.errors_by_label == {"inactive_id": 1, "no_daemon": 2, "timeout": 1}
    assert (retrieval.errors, retrieval.successful_retrievals, retrieval.attempts) == (4, 1, 5)
    assert retrieval.error_rate == 0.8
    assert "80.0%" in render_table(report)


def test_sessions_seen_by_one_side_only_are_flagged_as_such() -> None:
    report = build_report(
        [
            app("start", SESSION_A, seq=1),
            app("end", SESSION_A, seq=2),
            daemon("daemon_start", SESSION_B, seq=1, metrics={"string": {"session.daemon_session_source": "daemon"}}),
            daemon("daemon_end", SESSION_B, seq=2),
        ]
    )

    app_only, daemon_only = report.sessions
    assert (app_only.session_id, app_only.app_only, app_only.joined, app_only.daemon_only) == (
        SESSION_A,
        True,
        False,
        False,
    )
    assert app_only.daemon is None and app_only.installation_ids_match is None
    assert (daemon_only.session_id, daemon_only.daemon_only, daemon_only.joined) == (SESSION_B, True, False)
    assert daemon_only.app is None
    assert daemon_only.daemon is not None and daemon_only.daemon.session_source == "daemon"
    counts = report.session_counts
    assert (counts.total, counts.joined, counts.app_only, counts.daemon_only) == (2, 0, 1, 1)
    # Only sessions the daemon saw are daemon sessions.
    assert report.daemon_sessions.total == 1


def test_different_installation_ids_on_the_two_sides_are_a_mismatch() -> None:
    report = build_report(
        [app("start", SESSION_A, seq=1), daemon("daemon_start", SESSION_A, seq=1, installation_id=OTHER_INSTALLATION)]
    )

    session = only_session(report)
    assert session.installation_ids_match is False
    assert session.daemon.installation_ids == [OTHER_INSTALLATION]
    assert report.session_counts.installation_mismatch == 1
    assert "installation_mismatch" in render_table(report)


SESSION_D: Final = "d4b2f6a8-3c5e-4a7b-9d1f-2e4a6c8b0d2f"
SESSION_E: Final = "e5c3a7b9-4d6f-4b8c-8e2a-3f5b7d9c1e3a"


def several_kinds_of_session() -> list[StoredPing]:
    """A clean session, then one of each kind that breaks an assumption, then another clean one."""
    return [
        *clean_session(SESSION_A),
        daemon("daemon_timer", SESSION_B, seq=4),  # no daemon_start, no end
        app("start", SESSION_C, seq=5),  # seen by the app only
        app("start", SESSION_D, seq=6),
        app("start", SESSION_D, seq=7),  # two starts on the app's side
        app("end", SESSION_D, seq=8),
        daemon("daemon_start", SESSION_D, seq=5),
        daemon("daemon_end", SESSION_D, seq=6),
        app("start", SESSION_E, seq=9),
        daemon("daemon_start", SESSION_E, seq=7, installation_id=OTHER_INSTALLATION),
        daemon("daemon_end", SESSION_E, seq=8),
        *clean_session("f6d4b8c0-5e7a-4c9d-8f3b-4a6c8e0d2f4b"),
    ]


def test_by_default_only_the_flagged_sessions_are_listed_with_what_they_break() -> None:
    report = build_report(several_kinds_of_session())

    assert report.sessions_listed == "flagged"
    assert [(session.session_id, session.app_only, session.flags) for session in report.sessions] == [
        (SESSION_B, False, ["no_daemon_start", "no_daemon_end"]),
        (SESSION_C, True, []),
        (SESSION_D, False, ["several_starts_or_ends"]),
        (SESSION_E, False, ["installation_mismatch"]),
    ]
    counts = report.session_counts
    assert (counts.total, counts.flagged, counts.joined, counts.installation_mismatch) == (6, 4, 4, 1)
    assert (report.daemon_sessions.missing_start_ids, report.daemon_sessions.missing_end_ids) == (
        [SESSION_B],
        [SESSION_B],
    )
    assert report.session_types["vpnsession"]["several_starts_or_ends"] == 1
    table = render_table(report)
    assert "flagged 4)" in table
    assert "Listed: the flagged sessions. --all-sessions lists every one." in table
    assert SESSION_A not in table


def test_every_session_is_listed_when_asked_and_the_flagged_ones_are_the_same() -> None:
    pings = several_kinds_of_session()
    flagged, every = build_report(pings), build_report(pings, all_sessions=True)

    assert every.sessions_listed == "all"
    assert len(every.sessions) == every.session_counts.total == 6
    assert [session for session in every.sessions if session.flags or not session.joined] == flagged.sessions
    # Everything but the listing is the same report.
    assert msgspec.structs.replace(every, sessions=[], sessions_listed="flagged") == msgspec.structs.replace(
        flagged, sessions=[]
    )


def test_with_nothing_flagged_the_listing_is_empty_and_says_so() -> None:
    report = build_report(clean_session())

    assert report.sessions == []
    assert report.session_counts.total == 1
    assert report.session_counts.flagged == 0
    assert "Listed: the flagged sessions (none). --all-sessions lists every one." in render_table(report)
    assert "SESSION " not in render_table(report)


def test_a_side_reporting_two_installation_ids_is_a_mismatch() -> None:
    report = build_report(
        [
            app("start", SESSION_A, seq=1),
            app("end", SESSION_A, seq=2, installation_id=OTHER_INSTALLATION),
            daemon("daemon_start", SESSION_A, seq=1),
            daemon("daemon_end", SESSION_A, seq=2, installation_id=OTHER_INSTALLATION),
        ]
    )

    session = only_session(report)
    assert session.app.installation_ids == session.daemon.installation_ids == sorted([INSTALLATION, OTHER_INSTALLATION])
    assert session.installation_ids_match is False
    assert session.flags == ["installation_mismatch"]
    assert report.session_counts.installation_mismatch == 1


def test_a_side_is_ordered_by_seq_even_when_uploads_arrived_out_of_order() -> None:
    session = only_session(
        build_report(
            [app("end", SESSION_A, seq=3), app("start", SESSION_A, seq=1), app("timer", SESSION_A, seq=2)],
            all_sessions=True,
        )
    )

    assert session.app.reasons == ["start", "timer", "end"]


def test_other_pings_and_pings_without_a_session_id_belong_to_no_session() -> None:
    report = build_report(
        [
            ping("metrics", None, None, metrics={"counter": {"glean.validation.foreground_count": 1}}),
            app("flush_init", None, seq=0),
            *clean_session(),
        ]
    )

    assert (report.pings.total, report.pings.other, report.pings.without_session_id) == (8, 1, 1)
    assert report.session_counts.total == 1
    assert report.inactive_id.values_total == 8


def test_an_empty_store_gives_zeros_without_dividing_by_zero() -> None:
    report = build_report([])

    assert report.pings.total == 0
    assert report.inactive_id.pings == report.inactive_id.values_total == 0
    assert report.inactive_id.share == 0.0
    assert report.daemon_sessions.total == report.daemon_sessions.missing_end == 0
    assert report.retrieval.attempts == 0
    assert report.retrieval.error_rate == 0.0
    assert report.sessions == []
    table = render_table(report)
    assert "0 pings carry the inactive id" in table
    assert "error rate: 0.0%" in table
    assert json.loads(render_json(report))["session_counts"]["total"] == 0


def test_the_json_structure_has_its_documented_keys() -> None:
    document = json.loads(render_json(build_report(clean_session(), all_sessions=True)))

    assert list(document) == [
        "format",
        "debug_tag",
        "inactive_session_id",
        "definitions",
        "pings",
        "inactive_id",
        "daemon_sessions",
        "retrieval",
        "session_counts",
        "sessions_listed",
        "sessions",
        "delivery",
        "session_types",
        "durations",
        "delivery_delay",
        "pipeline",
        "client_pings",
    ]
    assert document["format"] == REPORT_FORMAT == "mimic-vpn-session-report/5"
    assert document["debug_tag"] is None
    assert document["sessions_listed"] == "all"
    assert set(document["session_counts"]) == {
        "total",
        "joined",
        "app_only",
        "daemon_only",
        "installation_mismatch",
        "flagged",
    }
    assert document["inactive_session_id"] == INACTIVE_SESSION_ID
    assert set(document["definitions"]) >= {"metric_value", "successful_retrieval", "retrieval_error_rate"}
    assert set(document["inactive_id"]) == {
        "pings",
        "pings_by_reason",
        "pings_with_data",
        "metrics_with_data",
        "values_under_inactive_id",
        "values_total",
        "share",
        "pings_with_data_list",
    }
    assert set(document["daemon_sessions"]) == {
        "total",
        "with_daemon_end",
        "ended_by_flush_init_only",
        "missing_start",
        "missing_end",
        "missing_start_ids",
        "missing_end_ids",
    }
    assert set(document["retrieval"]) == {
        "errors_by_label",
        "errors",
        "successful_retrievals",
        "attempts",
        "error_rate",
    }
    (session,) = document["sessions"]
    assert set(session) == {
        "session_id",
        "joined",
        "app_only",
        "daemon_only",
        "installation_ids_match",
        "flags",
        "app",
        "daemon",
    }
    assert set(session["app"]) == {"pings", "reasons", "installation_ids", "session_start", "session_end"}
    assert set(session["daemon"]) == {
        "pings",
        "reasons",
        "installation_ids",
        "session_start",
        "session_end",
        "session_source",
        "missing_start",
        "missing_end",
    }
    assert set(session["app"]["pings"][0]) == {"document_id", "reason", "seq", "start_time", "end_time"}


def test_the_table_starts_with_the_three_headline_figures() -> None:
    pings = [
        *clean_session(),
        app("flush", INACTIVE_SESSION_ID, seq=3, metrics={"counter": {"tunnel.tx_bytes": 10}}),
        app(
            "flush_init",
            INACTIVE_SESSION_ID,
            seq=4,
            metrics={"labeled_counter": {"session.session_id_retrieval_errors": {"timeout": 1}}},
        ),
        daemon("daemon_start", SESSION_B, seq=3),
    ]
    table = render_table(build_report(pings, all_sessions=True))
    lines = table.splitlines()

    headline_1 = next(i for i, line in enumerate(lines) if line.startswith("1. "))
    headline_2 = next(i for i, line in enumerate(lines) if line.startswith("2. "))
    headline_3 = next(i for i, line in enumerate(lines) if line.startswith("3. "))
    header = next(i for i, line in enumerate(lines) if line.startswith("SESSION "))
    assert headline_1 < headline_2 < headline_3 < header
    assert "4 pings carry the inactive id" in table
    # The retrieval error is allowed under the inactive id (ALLOWED_UNDER_INACTIVE_ID): only tx_bytes is data.
    assert "1 of them carry data besides the ids" in table
    assert "(metrics: tunnel.tx_bytes 1)" in table
    assert "1 of 9 non-id metric values (11.1%)" in table
    assert lines[headline_2].startswith("2. Daemon sessions: 2; without a daemon_start ping: 0;")
    assert "without a daemon_end or flush_init ping: 1" in lines[headline_2]
    assert f"without daemon_end/flush_init: {SESSION_B}" in table
    assert lines[headline_3].startswith("3. Session id retrieval error rate: 50.0% (1 errors / 2 attempts;")
    assert "timeout 1" in lines[headline_3]
    assert any(line.startswith(SESSION_A) and "joined" in line and "start#1 end#2" in line for line in lines)
    assert any(line.startswith(SESSION_B) and "daemon_only" in line for line in lines)


def test_the_report_command_reads_a_store_without_a_lab(tmp_path: Path) -> None:
    db = tmp_path / "telemetry.duckdb"
    load_pings([*clean_session(), daemon("daemon_start", SESSION_B, seq=3)], db).close()

    def report_command(*arguments: str) -> subprocess.CompletedProcess[str]:
        return run_checkout_python(
            "-m", "lab", "report", *arguments, timeout=30, environment={"MIMIC_HOME": str(tmp_path / "home")}
        )

    result = report_command("--json", "--db", str(db))

    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["format"] == REPORT_FORMAT
    assert document["pings"]["total"] == 7
    assert document["inactive_id"]["pings"] == 2
    assert document["daemon_sessions"]["missing_end_ids"] == [SESSION_B]
    assert document["retrieval"]["successful_retrievals"] == 1
    assert document["sessions_listed"] == "flagged"
    assert [(s["session_id"], s["flags"]) for s in document["sessions"]] == [(SESSION_B, ["no_daemon_end"])]

    every = report_command("--json", "--all-sessions", "--db", str(db))
    assert every.returncode == 0, every.stderr
    assert [(s["session_id"], s["joined"], s["daemon_only"]) for s in json.loads(every.stdout)["sessions"]] == [
        (SESSION_A, True, False),
        (SESSION_B, False, True),
    ]

    missing = report_command("--db", str(tmp_path / "absent.duckdb"))
    assert missing.returncode == 1
    assert "no ping store" in missing.stderr
    assert not (tmp_path / "absent.sqlite3").exists()


def test_the_table_shows_types_durations_delay_pipeline_and_vpnclient_pings() -> None:
    client = msgspec.structs.replace(
        app("session_start", None, seq=0, installation_id=None), ping="vpnclient", document_id=CLIENT_DOCUMENT
    )
    table = render_table(build_report([*clean_session(), client]))
    lines = table.splitlines()

    assert "5. Session types: daemonsession: graceful 1; vpnsession: graceful 1." in lines
    # START 10:20:30.123, END 11:02:03.456 (+02:00): 2493.333 s on both sides.
    assert "   vpnsession: 1 sessions, 0 negative; min 2493.333 s, mean 2493.333 s, max 2493.333 s" in lines
    assert "   daemonsession: 1 sessions, 0 negative; min 2493.333 s, mean 2493.333 s, max 2493.333 s" in lines
    # Every fabricated ping ends 11:02 +02:00 and is received 09:02:03.456 UTC (+ a microsecond per tie).
    assert any(line.startswith("   mimic-vpn vpnsession: 3 pings, 0 negative; min 3.456 s") for line in lines)
    assert any(
        line.startswith("   mimic-vpn-daemon daemonsession: 3 submissions, 0 errors (0.0%; none), 0 duplicates")
        for line in lines
    )
    assert "9. vpnclient pings (data of no session): 1 (session_start 1)." in lines


@pytest.mark.parametrize("all_sessions", [False, True])
@pytest.mark.parametrize("flagged", [False, True])
def test_the_report_asks_for_every_file_it_starts_ahead_and_gets_the_same_report(
    all_sessions: bool, flagged: bool
) -> None:
    pings = several_kinds_of_session() if flagged else clean_session()
    db = load_pings(pings)
    try:
        with DuckDBQuery(db) as ahead:
            concurrent = report_from_query(ahead, all_sessions=all_sessions)
            assert ahead.unused() == []
        one_by_one = report_from_query(duckdb_query(db), all_sessions=all_sessions)
    finally:
        db.close()

    assert render_json(concurrent) == render_json(one_by_one)


def test_a_file_failing_ahead_fails_when_asked_for() -> None:
    db = load_pings([])
    try:
        with DuckDBQuery(db) as ahead:
            ahead.ahead([("no_such_file", {}), ("client_pings", {"debug_tag": None})])
            assert ahead("client_pings", debug_tag=None).dicts() == []
            with pytest.raises(FileNotFoundError):
                ahead("no_such_file")
    finally:
        db.close()


def test_one_snapshot_keeps_every_figure_in_the_callers_transaction() -> None:
    db = load_pings(clean_session())
    reader = db.cursor()
    try:
        reader.execute("BEGIN TRANSACTION").fetchall()
        assert reader.execute("SELECT count(*) FROM mimic_vpn.vpnsession").fetchall() == [(3,)]
        # Committed by another connection after the reader's transaction began.
        db.execute(
            "INSERT INTO mimic_vpn_stable.vpnsession_v1"
            " SELECT * REPLACE ('late-document' AS document_id) FROM mimic_vpn_stable.vpnsession_v1 LIMIT 1"
        ).fetchall()

        assert report_from_db(reader, one_snapshot=True).pings.vpnsession == 3
        # Files started ahead run on cursors of their own, outside the transaction: they see the late ping.
        assert report_from_db(reader).pings.vpnsession == 4
        reader.execute("ROLLBACK").fetchall()
    finally:
        reader.close()
        db.close()
