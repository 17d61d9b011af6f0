"""The lab answers an upload once it is in the spool, stores it a batch later, and loses none of them.

The edge answers 200 after one write to the spool (lab/pipeline/spool.py);
the store's thread decodes and commits the uploads in batches.  A lab killed
with SIGKILL before committing its batch (made to wait a minute for more
uploads, ``--batch-linger-ms``) has answered uploads it never stored: the
next lab on the same store must store exactly those, once each, and leave
the spool empty when it stops.
"""

from __future__ import annotations

import json
import os
import signal
import uuid
from pathlib import Path

import duckdb
import msgspec

from lab.lab_process import LabProcess
from lab.pipeline import spool
from lab.pipeline.store import RAW
from tests.support.edge_uploads import copy_of_recording, upload_ping


def spooled_bytes(spool_dir: Path) -> int:
    return sum(path.stat().st_size for path in spool_dir.glob("segment-*.bin"))


def test_a_killed_lab_loses_no_upload_it_answered(tmp_path: Path) -> None:
    home = tmp_path / "home"
    answered: list[str] = []
    lab = LabProcess(home=home, args=["--batch-linger-ms", "60000"])
    spool_dir = lab.db.with_name(f"{lab.db.name}.spool")
    try:
        for copy in (1, 2, 3):
            for ping in copy_of_recording(copy):
                assert upload_ping(lab.url, ping) == 200
                answered.append(ping.document_id)
            if copy == 1:
                # A query comes after the uploads answered before it: this commits the first copy.
                assert len(lab.control.pings(limit=1000)) == len(answered)
        os.kill(lab.pid, signal.SIGKILL)
        assert lab.wait() == -signal.SIGKILL
    finally:
        lab.stop()
    # Answered, never committed: the spool is all that holds the second and third copies.
    committed = len(copy_of_recording(1))
    assert [submission.doc_id for submission in spool.recover(spool_dir)[0]] == answered[committed:]

    with LabProcess(home=home) as restarted:
        assert restarted.db == lab.db
        # Asked after the restart, the lab already has them: they were stored before it announced itself.
        stored = {ping.document_id for ping in restarted.control.pings(limit=1000)}
        assert stored == set(answered)
        assert restarted.stop() == 0
    assert spooled_bytes(spool_dir) == 0
    db = duckdb.connect(str(lab.db), read_only=True)
    try:
        rows = db.execute(f"SELECT document_id, COUNT(*) FROM {RAW} GROUP BY 1").fetchall()
    finally:
        db.close()
    # Each once: what the killed lab had committed is not stored again.
    assert dict(rows) == dict.fromkeys(answered, 1)


def test_an_orderly_stop_stores_every_answered_upload_and_empties_the_spool(tmp_path: Path) -> None:
    with LabProcess(home=tmp_path / "home") as lab:
        pings = copy_of_recording(1)
        for ping in pings:
            assert upload_ping(lab.url, ping) == 200
        assert lab.stop() == 0
    assert spooled_bytes(lab.db.with_name(f"{lab.db.name}.spool")) == 0
    db = duckdb.connect(str(lab.db), read_only=True)
    try:
        (count,) = db.execute(f"SELECT COUNT(*) FROM {RAW}").fetchone() or (0,)
    finally:
        db.close()
    assert count == len(pings)


def test_a_ping_a_table_refuses_is_an_insert_error_and_costs_no_other_upload(tmp_path: Path) -> None:
    pings = copy_of_recording(1)
    template = next(ping for ping in pings if ping.ping == "vpnsession")
    payload = json.loads(json.dumps(template.payload))
    # Valid for the Glean schema (an integer), beyond the table's INT64.
    payload.setdefault("metrics", {}).setdefault("counter", {})["tunnel.rx_bytes"] = 2**70
    refused = msgspec.structs.replace(template, document_id=str(uuid.uuid4()), payload=payload)
    # One batch holds them all: the lab waits for the query below before committing.
    with LabProcess(home=tmp_path / "home", args=["--batch-linger-ms", "60000"]) as lab:
        for ping in [*pings[:5], refused, *pings[5:]]:
            assert upload_ping(lab.url, ping) == 200
        stored = {ping.document_id for ping in lab.control.pings(limit=1000)}
        assert stored == {ping.document_id for ping in pings}
        # The store goes on: a later upload is stored too.
        later = copy_of_recording(2)[0]
        assert upload_ping(lab.url, later) == 200
        assert later.document_id in {ping.document_id for ping in lab.control.pings(limit=1000)}
        assert lab.stop() == 0
    db = duckdb.connect(str(lab.db), read_only=True)
    try:
        errors = db.execute(
            "SELECT document_id, error_type, error_message FROM payload_bytes_error.structured"
        ).fetchall()
        (raw,) = db.execute(f"SELECT COUNT(*) FROM {RAW}").fetchone() or (0,)
    finally:
        db.close()
    ((document_id, error_type, message),) = errors
    assert (document_id, error_type) == (refused.document_id, "insert")
    assert "Conversion" in message
    assert raw == len(pings) + 2
