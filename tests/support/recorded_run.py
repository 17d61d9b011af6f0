"""A recorded set of real pings and the report's figures over it, computed by hand.

``tests/data/recorded_pings_seed146.json`` holds every ping the lab stored
during ``vpnui-lab chaos --seed 146 --rounds 8`` (the real app, daemon and
their Glean, uploading to the real lab): two sessions, the first ended by a
daemon SIGKILL (closed by the restarted daemon's ``flush_init``), the second
ended by ``vpnui-ctl deactivate``.  Two submissions are added to exercise
the pipeline's counts: the daemon's ``daemon_end`` ping uploaded again (a
retried upload, same document id, a second later) and a copy of the app's
first ``vpnclient`` ping under a new document id tagged ``automation``; and
:func:`recorded_store` adds a ``vpnsession`` submission whose body is not
JSON, which the decoder puts in the error table.

:data:`EXPECTED` was worked out by reading the pings (times, reasons, seq
numbers, metrics), not by running the report: it is what the SQL must find.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import duckdb
import msgspec

from lab.pipeline.decoder import Submission
from lab.pipeline.store import Writer, load_pings
from mimic_core.lab_api import StoredPing

DATA: Final = Path(__file__).resolve().parents[1] / "data" / "recorded_pings_seed146.json"

FIRST_SESSION: Final = "10a36efc-1125-4728-97a8-389661e05940"
SECOND_SESSION: Final = "3ec7a3b4-619c-472e-9906-5db83486b1fa"
AUTOMATION_COPY: Final = "0a0a0a0a-0a0a-4a0a-8a0a-0a0a0a0a0a0a"
CORRUPT: Final = "0b0b0b0b-0b0b-4b0b-8b0b-0b0b0b0b0b0b"


def recorded_pings() -> list[StoredPing]:
    """The recorded pings, oldest first, plus the retried ``daemon_end`` and the automation-tagged copy."""
    pings = msgspec.json.decode(DATA.read_bytes(), type=list[StoredPing])
    daemon_end = next(p for p in pings if p.payload["ping_info"].get("reason") == "daemon_end")
    first_vpnclient = next(p for p in pings if p.ping == "vpnclient")
    retried = msgspec.structs.replace(daemon_end, received_at="2026-12-01T15:30:18.832+00:00")
    automation = msgspec.structs.replace(
        first_vpnclient,
        document_id=AUTOMATION_COPY,
        received_at="2026-12-01T15:30:23.000+00:00",
        headers={**first_vpnclient.headers, "x_source_tags": "automation"},
    )
    return [*pings, retried, automation]


def recorded_store() -> duckdb.DuckDBPyConnection:
    """An in-memory pipeline store holding :func:`recorded_pings` and one corrupt submission."""
    db = load_pings(recorded_pings())
    body = b"{not json"
    corrupt = Submission(
        submission_timestamp=datetime(2026, 12, 1, 15, 30, 24, tzinfo=UTC),
        uri=f"/submit/mimic-vpn/vpnsession/1/{CORRUPT}",
        namespace="mimic-vpn",
        doc_type="vpnsession",
        doc_version="1",
        doc_id=CORRUPT,
        method="POST",
        content_length=len(body),
        user_agent=None,
        headers={},
        payload=body,
    )
    Writer(db).write([corrupt])
    return db


EXPECTED: Final[dict[str, Any]] = {
    # 19 recorded pings: vpnsession 7, daemonsession 6, health 3 (app 1, daemon 2), vpnclient 3. The app's
    # first ping (flush_init at startup, before any session) carries no session id at all.
    "pings": {"total": 19, "vpnsession": 7, "daemonsession": 6, "other": 6, "without_session_id": 1},
    # The flush pings of each side before each session carry the inactive id and nothing else.
    "inactive_id": {
        "pings": 4,
        "pings_by_reason": {"daemonsession": {"flush": 2}, "vpnsession": {"flush": 2}},
        "pings_with_data": 0,
        "values_under_inactive_id": 0,
    },
    # Session 1: daemon_start then flush_init (daemon killed); session 2: daemon_start then daemon_end.
    "daemon_sessions": {
        "total": 2,
        "with_daemon_end": 1,
        "ended_by_flush_init_only": 1,
        "missing_start": 0,
        "missing_end": 0,
    },
    # Two 'start' pings with a real id, no session.session_id_retrieval_errors recorded.
    "retrieval": {"errors": 0, "successful_retrievals": 2, "attempts": 2, "error_rate": 0.0},
    "session_counts": {
        "total": 2,
        "joined": 2,
        "app_only": 0,
        "daemon_only": 0,
        "installation_mismatch": 0,
        "flagged": 0,
    },
    # Listed when every session is asked for (none is flagged).
    "session_ids": [FIRST_SESSION, SECOND_SESSION],
    # App: start and end in both sessions. Daemon: session 1 has a start and no daemon_end.
    "session_types": {
        "daemonsession": {"graceful": 1, "non_graceful": 1},
        "vpnsession": {"graceful": 2},
    },
    # App: 15:30:15.334 - 15:30:13.981 = 1353 ms, 15:30:17.829 - 15:30:17.142 = 687 ms (mean 1020 ms).
    # Daemon: session 2 only (session 1 has no end): 15:30:17.827 - 15:30:17.129 = 698 ms.
    "durations": [
        {"side": "daemonsession", "sessions": 1, "negative": 0, "min_s": 0.698, "max_s": 0.698, "mean_s": 0.698},
        {"side": "vpnsession", "sessions": 2, "negative": 0, "min_s": 0.687, "max_s": 1.353, "mean_s": 1.02},
    ],
    # received_at - ping_info.end_time of each stable ping, in ms:
    #   app health 16; app vpnclient 26, 4, 3; app vpnsession 3, 4, 15, 4, 48, 75, 12 (161 / 7 = 23);
    #   daemon daemonsession 37, 57, 20, 5, 33, 5 (157 / 6 = 26.2 -> 26); daemon health 5, 33.
    "delivery_delay": [
        {
            "app": "mimic-vpn",
            "ping": "health",
            "pings": 1,
            "negative": 0,
            "min_s": 0.016,
            "max_s": 0.016,
            "mean_s": 0.016,
        },
        {
            "app": "mimic-vpn",
            "ping": "vpnclient",
            "pings": 3,
            "negative": 0,
            "min_s": 0.003,
            "max_s": 0.026,
            "mean_s": 0.011,
        },
        {
            "app": "mimic-vpn",
            "ping": "vpnsession",
            "pings": 7,
            "negative": 0,
            "min_s": 0.003,
            "max_s": 0.075,
            "mean_s": 0.023,
        },
        {
            "app": "mimic-vpn-daemon",
            "ping": "daemonsession",
            "pings": 6,
            "negative": 0,
            "min_s": 0.005,
            "max_s": 0.057,
            "mean_s": 0.026,
        },
        {
            "app": "mimic-vpn-daemon",
            "ping": "health",
            "pings": 2,
            "negative": 0,
            "min_s": 0.005,
            "max_s": 0.033,
            "mean_s": 0.019,
        },
    ],
    # seq 0..n without a hole in every series: app health, vpnclient, vpnsession; daemon daemonsession, health.
    "delivery": {"series": 5, "missing": 0},
    # (namespace, document type): submissions, errors, live rows, duplicates, automation, stable rows.
    # startup, session_start (the second session), shutdown; the automation-tagged copy is not in the stable table.
    "client_pings": {"session_start": 1, "shutdown": 1, "startup": 1},
    "pipeline": {
        ("mimic-vpn", "health"): (1, 0, 1, 0, 0, 1),
        ("mimic-vpn", "vpnclient"): (4, 0, 4, 0, 1, 3),
        ("mimic-vpn", "vpnsession"): (8, 1, 7, 0, 0, 7),
        ("mimic-vpn-daemon", "daemonsession"): (7, 0, 7, 1, 0, 6),
        ("mimic-vpn-daemon", "health"): (2, 0, 2, 0, 0, 2),
    },
}


def assert_expected(report: Any) -> None:
    """``report`` (a :class:`lab.session_report.SessionReport` listing every session) shows :data:`EXPECTED`."""
    builtins = msgspec.to_builtins(report)
    assert builtins["pings"] == EXPECTED["pings"]
    inactive = builtins["inactive_id"]
    assert {key: inactive[key] for key in EXPECTED["inactive_id"]} == EXPECTED["inactive_id"]
    daemon = builtins["daemon_sessions"]
    assert {key: daemon[key] for key in EXPECTED["daemon_sessions"]} == EXPECTED["daemon_sessions"]
    retrieval = builtins["retrieval"]
    assert {key: retrieval[key] for key in EXPECTED["retrieval"]} == EXPECTED["retrieval"]
    assert builtins["session_counts"] == EXPECTED["session_counts"]
    assert [session["session_id"] for session in builtins["sessions"]] == EXPECTED["session_ids"]
    assert builtins["session_types"] == EXPECTED["session_types"]
    assert builtins["client_pings"] == EXPECTED["client_pings"]
    assert builtins["durations"] == EXPECTED["durations"]
    assert builtins["delivery_delay"] == EXPECTED["delivery_delay"]
    delivery = builtins["delivery"]
    assert {key: delivery[key] for key in EXPECTED["delivery"]} == EXPECTED["delivery"]
    pipeline = {
        (row["namespace"], row["document_type"]): (
            row["submissions"],
            row["errors"],
            row["live_rows"],
            row["duplicates"],
            row["automation"],
            row["stable_rows"],
        )
        for row in builtins["pipeline"]
    }
    assert pipeline == EXPECTED["pipeline"]
    errors = {(row["namespace"], row["document_type"]): row["errors_by_type"] for row in builtins["pipeline"]}
    assert errors[("mimic-vpn", "vpnsession")] == {"json_parse": 1}
