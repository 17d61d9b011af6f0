"""The decoder (lab/pipeline/decoder.py): each bad submission becomes an error of its type, never an exception."""

from __future__ import annotations

import gzip
import json
import zlib
from datetime import UTC, datetime
from typing import Any

import jsonschema
import pytest

from lab.pipeline.catalog import bundled_catalog
from lab.pipeline.decoder import (
    MAX_DECOMPRESSED_BYTES,
    Decoded,
    DecodeError,
    Submission,
    _validator,
    decode,
    schema_error,
)
from tests.support.glean_schema import validate_ping

DOC_ID = "2F6B8F0E-3C4A-4E8E-9D9C-0A1B2C3D4E5F"


def ping() -> dict[str, Any]:
    payload: dict[str, Any] = {
        "ping_info": {"seq": 3, "start_time": "2024-05-01T10:20+02:00", "end_time": "2024-05-01T11:02+02:00"},
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
        "metrics": {
            "labeled_counter": {"connection.failures": {"no_internet": 2}},
            "timing_distribution": {"tunnel.keepalive_rtt": {"sum": 5, "values": {"1": 2}}},
            "counter": {"not.defined_here": 1},
        },
        "events": [{"timestamp": 0, "category": "tunnel", "name": "state_changed", "extra": {"state": "up"}}],
    }
    validate_ping(payload)
    return payload


def submission(payload: bytes, doc_type: str = "vpnsession", doc_id: str = DOC_ID) -> Submission:
    return Submission(
        submission_timestamp=datetime(2024, 5, 1, 9, 30, tzinfo=UTC),
        uri="/submit",
        namespace="mimic-vpn",
        doc_type=doc_type,
        doc_version="1",
        doc_id=doc_id,
        method="POST",
        content_length=len(payload),
        user_agent="Glean/71.0.0 (Python on Linux)",
        headers={"x_source_tags": "automation, perf"},
        payload=payload,
    )


def test_a_valid_ping_becomes_a_mozilla_shaped_row() -> None:
    result = decode(submission(gzip.compress(json.dumps(ping()).encode())), bundled_catalog())
    assert isinstance(result, Decoded)
    row = result.row
    assert row["document_id"] == DOC_ID.lower()
    assert row["client_info"]["client_id"] == "c0ffeec0-ffee-4c0f-8eec-0ffeec0ffee0"
    assert row["sample_id"] == zlib.crc32(b"c0ffeec0-ffee-4c0f-8eec-0ffeec0ffee0") % 100
    assert row["ping_info"]["parsed_end_time"] == "2024-05-01T09:02:00+00:00"
    assert row["metrics"]["labeled_counter"]["connection_failures"] == [{"key": "no_internet", "value": 2}]
    assert row["metrics"]["timing_distribution"]["tunnel_keepalive_rtt"] == {
        "count": 2,
        "sum": 5,
        "values": [{"key": "1", "value": 2}],
    }
    assert row["events"][0]["extra"] == [{"key": "state", "value": "up"}]
    assert row["metadata"]["header"]["parsed_x_source_tags"] == ["automation", "perf"]
    assert row["metadata"]["user_agent"] == {"browser": "Glean", "os": "Linux", "version": "71.0.0"}
    assert json.loads(row["additional_properties"]) == {"metrics": {"counter": {"not.defined_here": 1}}}
    assert result.automation


@pytest.mark.parametrize(
    ("body", "doc_type", "doc_id", "error_type"),
    [
        (b"\x1f\x8b\x08\x00garbage", "vpnsession", DOC_ID, "decompression"),
        # mtime=0: the gzip header holds the time, and the bytes are in the
        # test's id, which every xdist worker must collect alike.
        (gzip.compress(b"{}", mtime=0)[:-4], "vpnsession", DOC_ID, "decompression"),
        (gzip.compress(b" " * (MAX_DECOMPRESSED_BYTES + 1), mtime=0), "vpnsession", DOC_ID, "submission_bytes"),
        (b"{not json", "vpnsession", DOC_ID, "json_parse"),
        (b"\xff\xfe", "vpnsession", DOC_ID, "json_parse"),
        (b"[1, 2]", "vpnsession", DOC_ID, "json_parse"),
        (json.dumps(ping()).encode(), "no-such-ping", DOC_ID, "invalid_doc_type"),
        (b'{"ping_info": {"seq": "one"}}', "vpnsession", DOC_ID, "schema_validation"),
        (json.dumps(ping()).encode(), "vpnsession", "not-a-uuid", "uri"),
    ],
)
def test_each_failure_is_an_error_of_its_type(body: bytes, doc_type: str, doc_id: str, error_type: str) -> None:
    result = decode(submission(body, doc_type, doc_id), bundled_catalog())
    assert isinstance(result, DecodeError)
    assert result.error_type == error_type
    assert result.error_message


def _invalid_pings() -> list[dict[str, Any]]:
    valid = ping()
    cases: list[dict[str, Any]] = []
    for path, value in [
        (("ping_info", "seq"), "one"),
        (("ping_info", "start_time"), 5),
        (("client_info", "client_id"), ["not", "a", "string"]),
        (("metrics", "labeled_counter"), {"connection.failures": {"no_internet": "two"}}),
        (("metrics", "counter"), {"Not A Valid Name": 1}),
        (("events",), [{"category": "tunnel"}]),
    ]:
        case = json.loads(json.dumps(valid))
        target = case
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        cases.append(case)
    del cases[0]["client_info"]
    return cases


@pytest.mark.parametrize("payload", [ping(), *_invalid_pings()])
def test_the_fast_schema_check_agrees_with_python_jsonschema(payload: dict[str, Any]) -> None:
    # jsonschema-rs decides "valid"; python-jsonschema names the error of what it refuses, as before.
    reference = jsonschema.exceptions.best_match(_validator().iter_errors(payload))
    found = schema_error(payload)
    assert (found is None) == (reference is None)
    if reference is not None:
        assert found is not None
        assert (found.message, list(found.absolute_path)) == (reference.message, list(reference.absolute_path))
