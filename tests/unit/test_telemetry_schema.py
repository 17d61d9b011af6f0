"""The ping validator of the tests (tests/support/glean_schema.py) validates what ingestion would.

A validator that accepts everything would make every "the ping validates"
assertion worthless, so it is shown here to reject the mistakes that matter:
missing sections, malformed ids, metric names and datetimes.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.support import glean_schema
from tests.support.glean_schema import ping_errors, validate_ping

SESSION_ID = "2f6b8f0e-3c4a-4e8e-9d9c-0a1b2c3d4e5f"


def minimal_ping() -> dict[str, Any]:
    """The smallest ping of the shape Glean sends for ``vpnsession``."""
    return {
        "ping_info": {
            "seq": 0,
            "start_time": "2024-05-01T10:20:30.123+02:00",
            "end_time": "2024-05-01T10:25:00.456+02:00",
            "reason": "start",
        },
        "client_info": {
            "telemetry_sdk_build": "71.0.0",
            "client_id": "c0ffeec0-ffee-4c0f-8eec-0ffeec0ffee0",
            "first_run_date": "2024-05-01+02:00",
            "os": "Linux",
            "os_version": "Unknown",
            "architecture": "x86_64",
            "app_build": "0.1.0",
            "app_display_version": "0.1.0",
        },
        "metrics": {
            "uuid": {"session.shared_session_id": SESSION_ID},
            "datetime": {"session.app_session_start": "2024-05-01T10:20:30.123+02:00"},
            "labeled_counter": {"connection.failures": {"no_internet": 2}},
        },
    }


def test_the_repository_copy_of_the_schema_is_used_and_matches_the_reference() -> None:
    path = glean_schema.schema_path()
    assert path == glean_schema.SCHEMA_CANDIDATES[0]
    reference = glean_schema.SCHEMA_CANDIDATES[1]
    if not reference.is_file():
        pytest.skip("the reference copy beside the repository is not present")
    assert path.read_bytes() == reference.read_bytes()


def test_a_well_formed_ping_validates() -> None:
    validate_ping(minimal_ping())
    assert ping_errors(minimal_ping()) == []


@pytest.mark.parametrize(
    ("where", "value"),
    [
        (("client_info", "client_id"), "not-a-uuid"),
        (("metrics", "uuid", "session.shared_session_id"), "1234"),
        (("metrics", "datetime", "session.app_session_start"), "yesterday at noon"),
        (("metrics", "datetime", "session.app_session_start"), "2024-05-01T10:20:30"),
        (("ping_info", "seq"), "0"),
        (("metrics", "labeled_counter", "connection.failures", "no_internet"), 1.5),
    ],
)
def test_malformed_values_are_rejected(where: tuple[str, ...], value: object) -> None:
    ping = minimal_ping()
    target: Any = ping
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = value
    assert ping_errors(ping)
    with pytest.raises(AssertionError, match="does not validate"):
        validate_ping(ping)


def test_missing_sections_and_unknown_fields_are_rejected() -> None:
    without_client_info = copy.deepcopy(minimal_ping())
    del without_client_info["client_info"]
    assert ping_errors(without_client_info)

    extra_section = copy.deepcopy(minimal_ping())
    extra_section["session"] = {}
    assert ping_errors(extra_section)


def test_metric_names_must_be_lower_case_category_dot_name() -> None:
    ping = minimal_ping()
    ping["metrics"]["uuid"] = {"Session.SharedSessionId": SESSION_ID}
    assert ping_errors(ping)
