"""The telemetry definitions (resources/metrics.yaml, pings.yaml) against glean_parser and the design.

glean_parser is the tool Mozilla's build and probe-scraper run on these
files, so its errors and lint nits are what would block them there; the
rest checks the contract of the session-id design (pings, reasons,
identifiers in both pings) and of cross-process recording (only metrics
with commutative operations are measured by the daemon for the app's ping).
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from glean._loader import UnsupportedMetricType
from glean_parser import lint, metrics, parser
from glean_parser import pings as parser_pings

from mimic_core import glean_runtime, telemetry_names
from mimic_core.build_glean_definitions import quiet_glean_parser
from mimic_core.glean_definitions import METRICS_FILE, PINGS_FILE
from mimic_core.telemetry_names import PING_OWNERS

EXPECTED_REASONS = {
    "vpnsession": {"flush", "start", "timer", "end", "flush_init"},
    "daemonsession": {"flush", "daemon_start", "daemon_timer", "daemon_end", "flush_init"},
    "vpnclient": {"startup", "session_start", "activation_failed", "timer", "shutdown"},
}
SESSION_PINGS = {"vpnsession", "daemonsession"}

# metric identifier -> (type, pings it is sent in)
EXPECTED_METRICS: dict[str, tuple[str, set[str]]] = {
    "session.shared_session_id": ("uuid", {"vpnsession", "daemonsession"}),
    "session.installation_id": ("uuid", {"vpnsession", "daemonsession"}),
    "session.app_session_start": ("datetime", {"vpnsession"}),
    "session.app_session_end": ("datetime", {"vpnsession"}),
    "session.daemon_session_start": ("datetime", {"daemonsession"}),
    "session.daemon_session_end": ("datetime", {"daemonsession"}),
    "session.daemon_session_source": ("string", {"daemonsession"}),
    "session.session_id_retrieval_errors": ("labeled_counter", {"vpnsession"}),
    "connection.activation_duration": ("timing_distribution", {"vpnsession"}),
    "connection.check_duration": ("labeled_timing_distribution", {"vpnsession"}),
    "connection.failures": ("labeled_counter", {"vpnsession"}),
    "no_session.check_duration": ("labeled_timing_distribution", {"vpnclient"}),
    "no_session.failures": ("labeled_counter", {"vpnclient"}),
    "tunnel.keepalive_rtt": ("timing_distribution", {"vpnsession"}),
    "tunnel.rx_bytes": ("counter", {"vpnsession"}),
    "tunnel.tx_bytes": ("counter", {"vpnsession"}),
    "tunnel.stability_changes": ("labeled_counter", {"vpnsession"}),
    "tunnel.handshake_duration": ("timing_distribution", {"vpnsession"}),
    "tunnel.state_changed": ("event", {"daemonsession"}),
    "fog_ipc.buffer_sizes": ("memory_distribution", {"vpnclient"}),
    "fog_ipc.flush_durations": ("timing_distribution", {"vpnclient"}),
    "fog_ipc.flush_failures": ("counter", {"vpnclient"}),
    "fog_ipc.replay_failures": ("counter", {"vpnclient"}),
    "fog_ipc.discarded_payloads": ("labeled_counter", {"vpnclient"}),
    "fog_ipc.forbidden_operations": ("labeled_counter", {"vpnclient"}),
}

EXPECTED_LABELS = {
    "session.session_id_retrieval_errors": {"no_daemon", "timeout", "inactive_id", "invalid_reply"},
    "connection.check_duration": {"internet", "captive_portal", "subscription", "firewall", "server"},
    "connection.failures": {
        "no_internet",
        "captive_portal",
        "account_service_unreachable",
        "no_subscription",
        "firewall_blocking",
        "server_unavailable",
        "daemon_lost",
    },
    "tunnel.stability_changes": {"stable", "unstable"},
    "fog_ipc.discarded_payloads": {"other_session", "undecodable", "overflow", "version"},
}

# What a non-owning process may record for another process's ping: only
# operations whose result does not depend on ordering (FOG's rule).
COMMUTATIVE_TYPES = {
    "counter",
    "labeled_counter",
    "timing_distribution",
    "labeled_timing_distribution",
    "memory_distribution",
    "labeled_memory_distribution",
    "custom_distribution",
    "labeled_custom_distribution",
    "string_list",
    "event",
}

# Types the Python SDK's loader turns into placeholders that raise on use.
UNSUPPORTED_BY_PYTHON_SDK = {"url", "text", "rate", "numerator", "denominator", "dual_labeled_counter"}


def parse(*paths: Path) -> tuple[list[str], Any]:
    """glean_parser's errors and object tree for ``paths``."""
    with quiet_glean_parser():
        result = parser.parse_objects(list(paths), {})
        errors = list(result)
    return errors, result.value


@pytest.fixture(scope="module")
def objects() -> Any:
    """Both files parsed together, as glean_parser's tools do (pings are needed to lint send_in_pings)."""
    errors, tree = parse(METRICS_FILE, PINGS_FILE)
    assert errors == []
    return tree


def all_metrics(objects: Any) -> Iterator[metrics.Metric]:
    for category, items in objects.items():
        if category in ("pings", "tags"):
            continue
        yield from items.values()


def identifier(metric: metrics.Metric) -> str:
    return f"{metric.category}.{metric.name}"


def labels_of(metric: metrics.Metric) -> set[str]:
    """Plain strings: glean_parser's label type only compares equal to its own kind."""
    return {str(label) for label in getattr(metric, "ordered_labels", None) or ()}


def test_glean_parser_reports_no_errors_and_no_lint_nits(objects: Any) -> None:
    report = io.StringIO()
    nits = lint.lint_metrics(objects, {}, file=report)
    assert [nit.format() for nit in nits] == [], report.getvalue()


def test_each_file_also_parses_on_its_own() -> None:
    """glean.load_metrics and load_pings read the files separately."""
    for path in (METRICS_FILE, PINGS_FILE):
        errors, _ = parse(path)
        assert errors == [], path


def test_pings_have_exactly_the_reasons_of_the_design(objects: Any) -> None:
    found = {name: set(ping.reason_codes) for name, ping in objects["pings"].items()}
    assert found == EXPECTED_REASONS


def test_pings_are_sent_even_if_empty_and_carry_the_client_id(objects: Any) -> None:
    """flush, start, end and flush_init are lifecycle markers the validation questions count;
    vpnclient marks nothing and is sent only with data."""
    for name, ping in objects["pings"].items():
        assert isinstance(ping, parser_pings.Ping)
        assert ping.send_if_empty == (name in SESSION_PINGS), name
        assert ping.include_client_id, name
        assert ping.description.strip(), name
        assert ping.bugs and ping.data_reviews and ping.notification_emails, name


def test_every_ping_has_an_owning_process(objects: Any) -> None:
    assert set(objects["pings"]) == set(PING_OWNERS)
    assert PING_OWNERS == {"vpnsession": "app", "daemonsession": "daemon", "vpnclient": "app"}


def test_the_shared_vocabulary_names_what_the_yaml_defines(objects: Any) -> None:
    """Pings, reasons and metric ids spelled out in code on both sides of a process boundary."""
    reasons = {name: set(ping.reason_codes) for name, ping in objects["pings"].items()}
    assert set(telemetry_names.AppPingReason) == reasons[telemetry_names.APP_PING]
    assert set(telemetry_names.DaemonPingReason) == reasons[telemetry_names.DAEMON_PING]
    assert set(telemetry_names.ClientPingReason) == reasons[telemetry_names.CLIENT_PING]
    found = {identifier(metric) for metric in all_metrics(objects)}
    named = {value for key, value in vars(telemetry_names).items() if key.isupper() and isinstance(value, str)}
    metric_ids = {name for name in named if "." in name}
    assert metric_ids <= found
    assert len(metric_ids) == 8
    assert uuid.UUID(telemetry_names.INACTIVE_SESSION_ID).int == 0


def test_the_design_metrics_exist_with_their_types_and_pings(objects: Any) -> None:
    found = {identifier(metric): (metric.type, set(metric.send_in_pings)) for metric in all_metrics(objects)}
    missing = set(EXPECTED_METRICS) - set(found)
    assert not missing
    for name, expected in EXPECTED_METRICS.items():
        assert found[name] == expected, name


def test_labeled_metrics_have_their_static_labels(objects: Any) -> None:
    found = {identifier(metric): metric for metric in all_metrics(objects)}
    for name, labels in EXPECTED_LABELS.items():
        assert labels_of(found[name]) == labels, name
    forbidden = labels_of(found["fog_ipc.forbidden_operations"])
    assert {"boolean_set", "string_set", "uuid_set", "datetime_set", "timespan", "ping_submit"} <= forbidden


def test_every_metric_is_documented_and_never_expires(objects: Any) -> None:
    for metric in all_metrics(objects):
        name = identifier(metric)
        assert metric.description.strip(), name
        assert len(metric.description.split()) >= 8, f"{name}: say what it measures and why"
        assert metric.expires == "never", name
        assert metric.data_sensitivity, name
        assert metric.bugs and metric.data_reviews and metric.notification_emails, name
        assert metric.send_in_pings, name
        assert set(metric.send_in_pings) <= set(PING_OWNERS), f"{name} is sent in a ping nobody submits"


def test_identifiers_live_as_long_as_the_user_and_session_data_per_ping(objects: Any) -> None:
    """A user-lifetime id can only be overwritten (hence the nil UUID); ping lifetime keeps sessions apart."""
    for metric in all_metrics(objects):
        name = identifier(metric)
        if name in ("session.shared_session_id", "session.installation_id"):
            assert metric.lifetime == metrics.Lifetime.user, name
        else:
            assert metric.lifetime == metrics.Lifetime.ping, name


def test_daemon_measured_metrics_of_the_app_ping_are_commutative(objects: Any) -> None:
    """The tunnel metrics cross from the daemon to the app, so they must not depend on ordering."""
    for metric in all_metrics(objects):
        if metric.category == "tunnel" and "vpnsession" in metric.send_in_pings:
            assert metric.type in COMMUTATIVE_TYPES, identifier(metric)


def test_only_types_the_python_sdk_can_record(objects: Any) -> None:
    for metric in all_metrics(objects):
        assert metric.type not in UNSUPPORTED_BY_PYTHON_SDK, identifier(metric)
    loaded = glean_runtime.metrics()
    for metric in all_metrics(objects):
        value = getattr(getattr(loaded, metric.category), metric.name)
        assert not isinstance(value, UnsupportedMetricType), identifier(metric)


def test_runtime_helpers_list_pings_and_reasons() -> None:
    assert glean_runtime.ping_names() == ("daemonsession", "vpnclient", "vpnsession")
    for ping, reasons in EXPECTED_REASONS.items():
        assert set(glean_runtime.reason_names(ping)) == reasons


def test_reason_codes_are_indices_into_the_sorted_reasons() -> None:
    """Why ``GleanRuntime.submit`` passes ``.value``: glean-sdk 71 indexes the sorted reason list with it."""
    codes = glean_runtime.pings().vpnsession_reason_codes
    assert [member.value for member in codes] == list(range(len(EXPECTED_REASONS["vpnsession"])))
    assert codes.FLUSH_INIT.value == sorted(EXPECTED_REASONS["vpnsession"]).index("flush_init")
