"""The delivery part of the report (lab/ping_delivery.py): seq gaps and Glean's own loss counts.

The pings are fabricated, each checked against the Glean ping schema first;
the health pings carry the ``glean.upload.*`` metrics the way glean-sdk 71
sends them (see the integration test that makes a real Glean delete pings).
"""

from __future__ import annotations

import itertools
import json
from typing import Any, Final

from lab.ping_delivery import DELETED_AFTER_QUOTA, DELETED_BY_QUOTA, DISCARDED_TOO_LARGE, UPLOAD_FAILURES, delivery
from lab.session_report import build_report, render_json, render_table
from mimic_core.lab_api import StoredPing
from tests.support.glean_schema import validate_ping

APP: Final = "mimic-vpn"
DAEMON: Final = "mimic-vpn-daemon"
CLIENT_A: Final = "c0ffeec0-ffee-4c0f-8eec-0ffeec0ffee0"
CLIENT_B: Final = "decafbad-0000-4bad-8bad-decafbad0000"

_documents = itertools.count()


def stored(
    app: str, ping: str, seq: int, *, client_id: str = CLIENT_A, metrics: dict[str, Any] | None = None
) -> StoredPing:
    payload: dict[str, Any] = {
        "ping_info": {"seq": seq, "start_time": "2024-05-01T10:20+02:00", "end_time": "2024-05-01T11:02+02:00"},
        "client_info": {
            "telemetry_sdk_build": "71.0.0",
            "client_id": client_id,
            "first_run_date": "2024-05-01+02:00",
            "os": "Linux",
            "os_version": "Unknown",
            "architecture": "x86_64",
            "app_build": "0.1.0",
            "app_display_version": "0.1.0",
        },
    }
    if ping == "health":
        payload["ping_info"]["reason"] = "pre_init"
    if metrics:
        payload["metrics"] = metrics
    validate_ping(payload)
    return StoredPing(
        document_id=f"00000000-0000-4000-8000-{next(_documents):012d}",
        app=app,
        ping=ping,
        version="1",
        received_at="2024-05-01T09:02:03.456+00:00",
        headers={},
        payload=payload,
    )


def series(app: str, ping: str, seqs: list[int], **kwargs: Any) -> list[StoredPing]:
    return [stored(app, ping, seq, **kwargs) for seq in seqs]


def test_complete_series_have_no_gaps_and_series_never_mix() -> None:
    pings = [
        *series(DAEMON, "daemonsession", [2, 0, 1]),  # arrival order does not matter
        *series(APP, "vpnsession", [0, 1]),
        *series(DAEMON, "daemonsession", [0], client_id=CLIENT_B),  # another installation starts at 0 again
        *series(DAEMON, "health", [0]),
    ]

    result = delivery(pings)

    assert (result.series, result.missing, result.gaps) == (4, 0, [])
    assert result.counted_from_zero


def test_missing_seq_numbers_are_counted_per_series_as_ranges() -> None:
    pings = [
        *series(DAEMON, "daemonsession", [3, 4, 6, 9]),
        *series(DAEMON, "daemonsession", [0, 1], client_id=CLIENT_B),
        *series(APP, "vpnsession", [1]),
    ]

    result = delivery(pings)

    assert result.missing == 3 + 1 + 2 + 1
    assert [(gap.app, gap.client_id, gap.ping, gap.stored, gap.missing, gap.missing_ranges) for gap in result.gaps] == [
        (APP, CLIENT_A, "vpnsession", 1, 1, [(0, 0)]),
        (DAEMON, CLIENT_A, "daemonsession", 4, 6, [(0, 2), (5, 5), (7, 8)]),
    ]


def test_only_the_latest_pings_are_counted_from_the_lowest_stored_seq() -> None:
    result = delivery(series(DAEMON, "daemonsession", [500, 501, 503]), counted_from_zero=False)

    assert not result.counted_from_zero
    (gap,) = result.gaps
    assert (gap.counted_from, gap.missing, gap.missing_ranges) == (500, 1, [(502, 502)])


def test_what_glean_reports_in_its_health_pings_is_summed_per_application() -> None:
    pings = [
        stored(
            DAEMON,
            "health",
            0,
            metrics={
                "counter": {DELETED_AFTER_QUOTA: 16, "glean.upload.pending_pings": 21},
                "labeled_counter": {DELETED_BY_QUOTA: {"count_quota": 16}},
            },
        ),
        stored(
            DAEMON,
            "health",
            1,
            metrics={
                "counter": {DELETED_AFTER_QUOTA: 2},
                "labeled_counter": {
                    DELETED_BY_QUOTA: {"size_quota": 2},
                    # 5xx and network errors are retried: not a loss.
                    UPLOAD_FAILURES: {"status_code_4xx": 1, "status_code_5xx": 7, "recoverable": 3},
                },
                "memory_distribution": {DISCARDED_TOO_LARGE: {"sum": 2100, "values": {"1024": 1, "1100": 1}}},
            },
        ),
        stored(APP, "health", 0, metrics={"labeled_counter": {UPLOAD_FAILURES: {"recoverable": 3}}}),
    ]

    result = delivery(pings)

    app, daemon = result.glean_reported
    assert (app.app, app.health_pings, app.lost) == (APP, 1, 0)
    assert daemon.app == DAEMON and daemon.health_pings == 2
    assert daemon.deleted_after_quota == 18
    assert daemon.deleted_by_quota == {"count_quota": 16, "size_quota": 2}
    assert daemon.discarded_too_large == 2
    assert daemon.given_up_after_upload == {"status_code_4xx": 1}
    assert daemon.lost == 18 + 2 + 1
    assert result.glean_reported_lost == 21


def test_the_session_report_shows_delivery_in_its_table_and_json() -> None:
    pings = [
        *series(DAEMON, "daemonsession", [0, 1, 4]),
        stored(DAEMON, "health", 0, metrics={"counter": {DELETED_AFTER_QUOTA: 2}}),
    ]

    report = build_report(pings)
    table = render_table(report)
    document = json.loads(render_json(report))

    assert "4. Delivery: 2 pings missing (seq gaps, counted from 0, over 2 series);" in table
    assert "Glean reports 2 pings deleted or given up." in table
    assert f"missing {DAEMON} daemonsession (client {CLIENT_A}): 2 of seq 0-4 [2-3]" in table
    assert f"Glean of {DAEMON} (1 health pings): 2 lost (deleted over the pending-pings cap 2" in table
    assert document["delivery"]["missing"] == 2
    assert document["delivery"]["gaps"][0]["missing_ranges"] == [[2, 3]]
    assert document["delivery"]["glean_reported"][0]["deleted_after_quota"] == 2
    assert {"missing_ping", "glean_reported_loss"} <= set(document["definitions"])
    assert not build_report(pings, complete=False).delivery.counted_from_zero
