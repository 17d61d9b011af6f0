"""The generated Glean definitions file: current, complete, and read the way both processes read it."""

from __future__ import annotations

from pathlib import Path

import pytest

from mimic_core import build_glean_definitions, generated_file
from mimic_core.build_glean_definitions import DefinitionError, generate, render
from mimic_core.glean_definitions import (
    DEFINITIONS_FILE,
    METRICS_FILE,
    PINGS_FILE,
    DefinitionsFileError,
    GleanDefinitions,
    bundled_definitions,
    read_definitions,
)
from mimic_core.ipc_payload import OWNING_PING, load_definitions
from tests.support.yaml_definitions import parse_definitions

METRIC_HEADER = "---\n$schema: moz://mozilla.org/schemas/glean/metrics/2-0-0\n\n"
METADATA = """    description: A metric only this test defines, to check the generator.
    lifetime: ping
    send_in_pings: [vpnsession]
    bugs: [https://example.invalid/1]
    data_reviews: [https://example.invalid/2]
    notification_emails: [test@example.invalid]
    expires: never
"""


def metric_yaml(tmp_path: Path, metric_type: str, extra: str = "") -> Path:
    path = tmp_path / "metrics.yaml"
    path.write_text(f"{METRIC_HEADER}gen_test:\n  probe:\n    type: {metric_type}\n{METADATA}{extra}")
    return path


def test_the_checked_in_file_is_what_the_generator_makes_of_the_yaml() -> None:
    """Edit metrics.yaml or pings.yaml, then run `make glean-definitions`: this fails until then."""
    expected = render(generate([METRICS_FILE, PINGS_FILE]))
    assert DEFINITIONS_FILE.read_text(encoding="utf-8") == expected


def test_check_mode_tells_a_current_file_from_a_stale_one(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "definitions.json"
    assert build_glean_definitions.main(["--output", str(output)]) == 0
    assert output.read_bytes() == DEFINITIONS_FILE.read_bytes()
    assert build_glean_definitions.main(["--check", "--output", str(output)]) == 0
    output.write_text(output.read_text().replace('"disabled": false', '"disabled": true', 1))
    assert build_glean_definitions.main(["--check", "--output", str(output)]) == generated_file.EXIT_STALE
    assert "out of date" in capsys.readouterr().err


def test_output_is_stable_and_sorted() -> None:
    first = render(generate([METRICS_FILE, PINGS_FILE]))
    assert render(generate([METRICS_FILE, PINGS_FILE])) == first
    definitions = read_definitions()
    assert list(definitions.metrics) == sorted(definitions.metrics)
    for entries in definitions.metrics.values():
        assert list(entries) == sorted(entries)
    assert list(definitions.pings) == sorted(definitions.pings)


def test_it_holds_what_both_processes_need() -> None:
    definitions = bundled_definitions()
    assert isinstance(definitions, GleanDefinitions)
    assert definitions.sources == ("metrics.yaml", "pings.yaml")
    keepalive = definitions.metrics["tunnel"]["keepalive_rtt"]
    assert (keepalive.type, keepalive.time_unit, keepalive.lifetime) == ("timing_distribution", "millisecond", "ping")
    assert keepalive.send_in_pings == ("vpnsession",)
    assert definitions.metrics["fog_ipc"]["buffer_sizes"].memory_unit == "byte"
    assert definitions.metrics["tunnel"]["stability_changes"].labels == ("stable", "unstable")
    assert definitions.metrics["tunnel"]["state_changed"].extra_keys == {"server": "string", "state": "string"}
    assert definitions.metrics["session"]["installation_id"].send_in_pings == ("daemonsession", "vpnsession")
    vpnsession = definitions.pings["vpnsession"]
    assert vpnsession.reasons == ("end", "flush", "flush_init", "start", "timer")
    assert vpnsession.include_client_id and vpnsession.send_if_empty
    assert vpnsession.precise_timestamps and vpnsession.include_info_sections
    assert vpnsession.enabled and vpnsession.follows_collection_enabled
    assert vpnsession.schedules_pings == () and vpnsession.uploader_capabilities == ()


def test_the_recorder_definitions_from_the_file_equal_those_parsed_from_the_yaml() -> None:
    from_file = load_definitions()
    assert from_file == parse_definitions([METRICS_FILE], OWNING_PING)
    assert "tunnel.keepalive_rtt" in from_file and "tunnel.state_changed" not in from_file


def test_types_without_a_usable_python_implementation_are_refused(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError, match=r"gen_test\.probe: metric type 'url'"):
        generate([metric_yaml(tmp_path, "url")])


def test_invalid_yaml_is_refused_with_glean_parsers_errors(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError, match="time_unit"):
        generate([metric_yaml(tmp_path, "timespan", "    time_unit: fortnight\n")])


def test_a_missing_or_foreign_file_is_reported_with_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(DefinitionsFileError, match="make glean-definitions"):
        read_definitions(tmp_path / "absent.json")
    foreign = tmp_path / "foreign.json"
    foreign.write_text('{"metrics": {}}')
    with pytest.raises(DefinitionsFileError, match="not a Glean definitions file"):
        read_definitions(foreign)
