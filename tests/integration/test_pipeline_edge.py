"""The lab's ingestion follows Mozilla's edge and decoder contract (lab/pipeline/), on the real lab.

Each kind of submission ends where Mozilla's pipeline puts it: a corrupt
body, an unknown document type and a schema-invalid ping get 200 and a row
of ``payload_bytes_error`` with their error type; an oversized body is
refused (413) and stored nowhere; a duplicate is in the live table twice
and in the stable table once; an automation-tagged ping is live only.  The
lab is stopped before its DuckDB file is read, as an analyst reads it.
"""

from __future__ import annotations

import gzip
import http.client
import json
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import duckdb
import pytest

from lab.lab_process import LabProcess, isolated_lab
from tests.support.glean_schema import validate_ping


def glean_ping(seq: int = 0) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "ping_info": {"seq": seq, "start_time": "2024-05-01T10:20+02:00", "end_time": "2024-05-01T11:02+02:00"},
        "client_info": {
            "telemetry_sdk_build": "71.0.0",
            "client_id": "C0FFEEC0-FFEE-4C0F-8EEC-0FFEEC0FFEE0",
            "first_run_date": "2024-05-01+02:00",
            "os": "Linux",
            "os_version": "6.1",
            "architecture": "x86_64",
            "app_build": "0.1.0",
            "app_display_version": "0.1.0",
        },
        "metrics": {"uuid": {"session.shared_session_id": "2f6b8f0e-3c4a-4e8e-9d9c-0a1b2c3d4e5f"}},
    }
    validate_ping(payload)
    return payload


def post(lab: LabProcess, path: str, body: bytes, headers: dict[str, str] | None = None, method: str = "POST") -> int:
    url = urlsplit(lab.url)
    connection = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=5)
    try:
        connection.request(method, path, body=body, headers={"Content-Encoding": "gzip", **(headers or {})})
        return connection.getresponse().status
    finally:
        connection.close()


def path(document_id: str, doc_type: str = "vpnsession", namespace: str = "mimic-vpn") -> str:
    return f"/submit/{namespace}/{doc_type}/1/{document_id}"


class Ids:
    good = str(uuid.uuid4())
    duplicate = str(uuid.uuid4())
    automation = str(uuid.uuid4())
    corrupt = str(uuid.uuid4())
    oversized = str(uuid.uuid4())
    unknown_type = str(uuid.uuid4())
    invalid = str(uuid.uuid4())


@pytest.fixture(scope="module")
def store() -> Iterator[duckdb.DuckDBPyConnection]:
    """Submits one of each kind to a real lab, stops it, and opens its DuckDB file."""
    with isolated_lab() as lab:
        body = gzip.compress(json.dumps(glean_ping()).encode())
        statuses = {
            "good": post(lab, path(Ids.good), body, {"X-Debug-ID": "edge-test", "DNT": "1"}),
            "duplicate": post(lab, path(Ids.duplicate), body),
            "duplicate again": post(lab, path(Ids.duplicate), gzip.compress(json.dumps(glean_ping(1)).encode())),
            "automation": post(lab, path(Ids.automation), body, {"X-Source-Tags": "automation"}),
            "corrupt": post(lab, path(Ids.corrupt), b"\x1f\x8b\x08\x00garbage"),
            "oversized": post(lab, path(Ids.oversized), b"\x1f\x8b" + b"x" * (1024 * 1024)),
            "unknown type": post(lab, path(Ids.unknown_type, doc_type="no-such-ping"), body),
            "schema invalid": post(lab, path(Ids.invalid), gzip.compress(b'{"ping_info": {"seq": "one"}}')),
            "GET": post(lab, path(str(uuid.uuid4())), b"", method="GET"),
            "long header": post(lab, path(str(uuid.uuid4())), body, {"X-Debug-ID": "x" * 1025}),
        }
        assert statuses == {
            "good": 200,
            "duplicate": 200,
            "duplicate again": 200,
            "automation": 200,
            "corrupt": 200,
            "oversized": 413,
            "unknown type": 200,
            "schema invalid": 200,
            "GET": 405,
            "long header": 431,
        }
        assert lab.stop() == 0
        assert "Traceback" not in lab.stderr
        db = duckdb.connect(str(lab.db), read_only=True)
    try:
        yield db
    finally:
        db.close()


def ids(db: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return sorted(row[0] for row in db.execute(f"SELECT document_id FROM {table}").fetchall())


def test_every_accepted_submission_is_kept_raw(store: duckdb.DuckDBPyConnection) -> None:
    kept = ids(store, "payload_bytes_raw.structured")
    expected = [Ids.good, Ids.duplicate, Ids.duplicate, Ids.automation, Ids.corrupt, Ids.unknown_type, Ids.invalid]
    assert kept == sorted(expected)
    assert Ids.oversized not in kept


def test_bad_bodies_end_in_the_error_table_with_their_type(store: duckdb.DuckDBPyConnection) -> None:
    rows = store.execute(
        "SELECT document_id, error_type, octet_length(payload) FROM payload_bytes_error.structured ORDER BY error_type"
    ).fetchall()
    assert {(document_id, error_type) for document_id, error_type, _ in rows} == {
        (Ids.corrupt, "decompression"),
        (Ids.unknown_type, "invalid_doc_type"),
        (Ids.invalid, "schema_validation"),
    }
    assert all(size > 0 for _, _, size in rows)  # the raw bytes are kept


def test_live_keeps_duplicates_and_stable_keeps_the_first_without_automation(store: duckdb.DuckDBPyConnection) -> None:
    assert ids(store, "mimic_vpn_live.vpnsession_v1") == sorted(
        [Ids.good, Ids.duplicate, Ids.duplicate, Ids.automation]
    )
    assert ids(store, "mimic_vpn_stable.vpnsession_v1") == sorted([Ids.good, Ids.duplicate])
    (seq,) = store.execute(
        "SELECT ping_info.seq FROM mimic_vpn_stable.vpnsession_v1 WHERE document_id = ?", [Ids.duplicate]
    ).fetchall()[0]
    assert seq == 0  # the earliest of the two submissions


def test_the_decoder_enriches_the_row(store: duckdb.DuckDBPyConnection) -> None:
    row = store.execute(
        "SELECT client_info.client_id, sample_id, metadata.header.x_debug_id, metadata.header.dnt,"
        " metrics.uuid.session_shared_session_id, submission_timestamp IS NOT NULL"
        " FROM mimic_vpn_stable.vpnsession_v1 WHERE document_id = ?",
        [Ids.good],
    ).fetchall()[0]
    client_id = "c0ffeec0-ffee-4c0f-8eec-0ffeec0ffee0"
    import zlib  # noqa: PLC0415

    assert row == (
        client_id,
        zlib.crc32(client_id.encode()) % 100,
        "edge-test",
        "1",
        "2f6b8f0e-3c4a-4e8e-9d9c-0a1b2c3d4e5f",
        True,
    )


def test_the_report_counts_errors_and_duplicates(store: duckdb.DuckDBPyConnection) -> None:
    from lab.session_report import report_from_db  # noqa: PLC0415

    store.execute("SET TimeZone = 'UTC'").fetchall()
    pipeline = {(row.namespace, row.document_type): row for row in report_from_db(store).pipeline}
    vpnsession = pipeline[("mimic-vpn", "vpnsession")]
    assert (vpnsession.submissions, vpnsession.errors, vpnsession.live_rows) == (6, 2, 4)
    assert (vpnsession.duplicates, vpnsession.automation, vpnsession.stable_rows) == (1, 1, 2)
    assert vpnsession.errors_by_type == {"decompression": 1, "schema_validation": 1}
    assert pipeline[("mimic-vpn", "no-such-ping")].errors_by_type == {"invalid_doc_type": 1}
