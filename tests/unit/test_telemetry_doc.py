"""docs/telemetry.md is what ``glean_parser translate -f markdown`` makes of the YAML, and glinter finds nothing.

Edit resources/metrics.yaml or pings.yaml, then run `make glean-definitions`:
the first test fails until then.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from mimic_core import build_telemetry_doc, generated_file
from mimic_core.build_telemetry_doc import DOC_FILE, TranslationError, render
from mimic_core.glean_definitions import METRICS_FILE, PINGS_FILE


def test_the_checked_in_doc_is_what_glean_parser_makes_of_the_yaml() -> None:
    assert DOC_FILE.read_text(encoding="utf-8") == render([METRICS_FILE, PINGS_FILE])


def test_the_doc_has_every_ping_and_reason() -> None:
    text = DOC_FILE.read_text(encoding="utf-8")
    for heading in ("## vpnsession", "## daemonsession", "## vpnclient"):
        assert heading in text
    for reason in ("`flush_init`", "`daemon_start`", "`activation_failed`"):
        assert reason in text
    assert "session.shared_session_id" in text


def test_check_mode_tells_a_current_doc_from_a_stale_one(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "telemetry.md"
    assert build_telemetry_doc.main(["--check", "--output", str(output)]) == generated_file.EXIT_STALE
    assert build_telemetry_doc.main(["--output", str(output)]) == 0
    assert output.read_bytes() == DOC_FILE.read_bytes()
    assert build_telemetry_doc.main(["--check", "--output", str(output)]) == 0
    output.write_text(output.read_text().replace("Session ping of the daemon", "Session ping of the app", 1))
    assert build_telemetry_doc.main(["--check", "--output", str(output)]) == generated_file.EXIT_STALE
    assert "out of date" in capsys.readouterr().err


def test_glinter_finds_nothing_in_either_file() -> None:
    """``glean_parser glinter``, the command Mozilla's CI runs on a Glean application's definitions."""
    result = subprocess.run(
        [sys.executable, "-m", "glean_parser", "glinter", str(METRICS_FILE), str(PINGS_FILE)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Your metrics are Glean!" in result.stdout + result.stderr


def test_a_definition_glinter_flags_stops_the_doc(tmp_path: Path) -> None:
    """A unit in a metric's name is a lint nit (UNIT_IN_NAME): translate refuses, and so does the build."""
    metrics = tmp_path / "metrics.yaml"
    metrics.write_text(
        "---\n$schema: moz://mozilla.org/schemas/glean/metrics/2-0-0\n\nlint_test:\n  load_time_ms:\n"
        "    type: timing_distribution\n    time_unit: millisecond\n"
        "    description: A metric only this test defines, with its unit in its name.\n"
        "    lifetime: ping\n    send_in_pings: [vpnsession]\n    bugs: [https://example.invalid/1]\n"
        "    data_reviews: [https://example.invalid/2]\n    notification_emails: [test@example.invalid]\n"
        "    expires: never\n"
    )
    with pytest.raises(TranslationError, match="UNIT_IN_NAME"):
        render([metrics, PINGS_FILE])
