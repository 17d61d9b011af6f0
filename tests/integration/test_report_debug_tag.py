"""``vpnui-lab report --debug-tag TAG``: every figure limited to the pings sent with ``X-Debug-ID: TAG``.

Three runs upload copies of the recorded real pings to a real lab: run-a one
copy and a retried upload of one of its pings, run-b two copies and a body
that is not JSON, and a third copy goes without the header.  The report of
each tag must count its own pings, sessions, duplicates and errors and
nothing of the others', through the control API and the command line alike.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from typing import Any

import pytest

from lab.daemon_process import checkout_environment
from lab.lab_process import LabProcess
from lab.session_report import REPORT_FORMAT
from tests.support.edge_uploads import copy_of_recording, upload, upload_ping
from tests.support.recorded_run import FIRST_SESSION, SECOND_SESSION

PINGS_PER_COPY = 19


def sessions_of(*copies: int) -> list[str]:
    return sorted(f"{k:08x}{session[8:]}" for k in copies for session in (FIRST_SESSION, SECOND_SESSION))


def pipeline_totals(report: dict[str, Any]) -> dict[str, int]:
    keys = ("submissions", "errors", "live_rows", "duplicates", "stable_rows")
    return {key: sum(entry[key] for entry in report["pipeline"]) for key in keys}


def cli_report(lab: LabProcess, *args: str) -> subprocess.CompletedProcess[str]:
    env = checkout_environment()
    return subprocess.run(
        [sys.executable, "-m", "lab", "report", "--url", lab.url, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_each_debug_tag_gets_the_figures_of_its_own_pings(lab: LabProcess) -> None:
    uploads: list[tuple[int, str | None]] = [(1, "run-a"), (2, "run-b"), (3, "run-b"), (4, None)]
    for copy, tag in uploads:
        headers = {"X-Debug-ID": tag} if tag else {}
        for ping in copy_of_recording(copy):
            assert upload_ping(lab.url, ping, headers) == 200
    retried = next(ping for ping in copy_of_recording(1) if ping.ping == "daemonsession")
    assert upload_ping(lab.url, retried, {"X-Debug-ID": "run-a"}) == 200
    corrupt = f"/submit/mimic-vpn/vpnsession/1/{uuid.uuid4()}"
    assert upload(lab.url, corrupt, gzip.compress(b"{not json"), {"X-Debug-ID": "run-b"}) == 200

    whole = lab.control.report(all_sessions=True)
    run_a = lab.control.report(debug_tag="run-a", all_sessions=True)
    run_b = lab.control.report(debug_tag="run-b", all_sessions=True)
    nothing = lab.control.report(debug_tag="no-such-run", all_sessions=True)

    assert [report["format"] for report in (whole, run_a, run_b)] == [REPORT_FORMAT] * 3
    assert [report["debug_tag"] for report in (whole, run_a, run_b)] == [None, "run-a", "run-b"]
    assert whole["pings"]["total"] == 4 * PINGS_PER_COPY
    assert run_a["pings"]["total"] == PINGS_PER_COPY
    assert run_b["pings"]["total"] == 2 * PINGS_PER_COPY
    assert nothing["pings"]["total"] == 0
    assert sorted(session["session_id"] for session in whole["sessions"]) == sessions_of(1, 2, 3, 4)
    assert sorted(session["session_id"] for session in run_a["sessions"]) == sessions_of(1)
    assert sorted(session["session_id"] for session in run_b["sessions"]) == sessions_of(2, 3)
    assert nothing["sessions"] == []
    assert run_a["daemon_sessions"]["total"] == 2
    assert run_b["daemon_sessions"]["total"] == 4
    assert run_a["inactive_id"]["pings"] == 4
    assert run_b["inactive_id"]["pings"] == 8
    assert run_a["delivery"]["series"] == 5
    assert run_b["delivery"]["series"] == 10
    # The retried upload is run-a's duplicate, the corrupt body run-b's error.
    assert pipeline_totals(run_a) == {
        "submissions": PINGS_PER_COPY + 1,
        "errors": 0,
        "live_rows": PINGS_PER_COPY + 1,
        "duplicates": 1,
        "stable_rows": PINGS_PER_COPY,
    }
    assert pipeline_totals(run_b) == {
        "submissions": 2 * PINGS_PER_COPY + 1,
        "errors": 1,
        "live_rows": 2 * PINGS_PER_COPY,
        "duplicates": 0,
        "stable_rows": 2 * PINGS_PER_COPY,
    }
    errors = {(entry["document_type"], kind) for entry in run_b["pipeline"] for kind in entry["errors_by_type"]}
    assert errors == {("vpnsession", "json_parse")}
    assert pipeline_totals(whole)["submissions"] == 4 * PINGS_PER_COPY + 2

    # The command line asks the lab for the same document, and says which tag the text covers.
    as_json = cli_report(lab, "--debug-tag", "run-a", "--json", "--all-sessions")
    assert as_json.returncode == 0, as_json.stderr
    assert json.loads(as_json.stdout) == run_a
    as_text = cli_report(lab, "--debug-tag", "run-b")
    assert as_text.returncode == 0, as_text.stderr
    assert f"{2 * PINGS_PER_COPY} pings" in as_text.stdout.splitlines()[0]
    assert "only those sent with X-Debug-ID run-b" in as_text.stdout.splitlines()[0]


def test_the_lab_lists_the_flagged_sessions_unless_asked_for_every_one(lab: LabProcess) -> None:
    for ping in copy_of_recording(5):
        assert upload_ping(lab.url, ping, {"X-Debug-ID": "run-c"}) == 200
    # A daemon session seen by the daemon alone, without its daemon_start.
    lone = next(
        p
        for p in copy_of_recording(6)
        if p.ping == "daemonsession" and p.payload["ping_info"]["reason"] == "flush_init"
    )
    assert upload_ping(lab.url, lone, {"X-Debug-ID": "run-c"}) == 200

    flagged = lab.control.report(debug_tag="run-c")
    every = lab.control.report(debug_tag="run-c", all_sessions=True)

    assert (flagged["sessions_listed"], every["sessions_listed"]) == ("flagged", "all")
    assert flagged["session_counts"] == every["session_counts"]
    assert every["session_counts"]["total"] == 3
    assert [s["session_id"] for s in flagged["sessions"]] == [
        s["session_id"] for s in every["sessions"] if s["flags"] or not s["joined"]
    ]
    assert len(flagged["sessions"]) == flagged["session_counts"]["flagged"] == 1
    assert flagged["sessions"][0]["flags"] == ["no_daemon_start"]

    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{lab.url}/lab/report?all_sessions=maybe", timeout=30)
    assert refused.value.code == 400
    assert b"all_sessions must be 1, 0, true or false" in refused.value.read()
