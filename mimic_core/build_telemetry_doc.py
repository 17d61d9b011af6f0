"""Generates ``docs/telemetry.md``, the telemetry's documentation, from ``metrics.yaml`` and ``pings.yaml``.

The text is what ``glean_parser translate -f markdown`` makes of both files
(the command is run into a temporary folder, so that ``--check`` can
compare without writing anything): every ping with its reasons and its
metrics, as Mozilla documents Glean applications.  ``glean_parser`` lints
the files before translating them (``glinter``), so a definition it finds
fault with stops the build, with its findings.

Run ``python -m mimic_core.build_telemetry_doc`` (``make glean-definitions``
runs it after the definitions file) after changing the YAML; ``--check``
only reports whether the checked-in document is current, as the tests do.
The header names glean_parser's version: another version of the tool may
write the document differently, and the check then asks for it to be
written again.

A build-time tool, like ``build_glean_definitions``: no process imports it.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from mimic_core.assets import CHECKOUT_ROOT
from mimic_core.generated_file import write_or_check
from mimic_core.glean_definitions import METRICS_FILE, PINGS_FILE

DOC_FILE: Final = CHECKOUT_ROOT / "docs" / "telemetry.md"
PROJECT_TITLE: Final = "Mimic VPN"
EXIT_INVALID: Final = 2
TIMEOUT_S: Final = 120.0


class TranslationError(ValueError):
    """glean_parser refused the files (lint or validation); the message is what it printed."""


def render(files: Sequence[Path] = (METRICS_FILE, PINGS_FILE)) -> str:
    """The Markdown ``glean_parser translate -f markdown`` makes of ``files``.

    Run as the command itself, in a child process: its linter writes to the
    ``sys.stderr`` of the moment glean_parser was imported, which only a
    process of its own lets us capture and show when it refuses.
    """
    with tempfile.TemporaryDirectory() as folder:
        command = [
            sys.executable, "-m", "glean_parser", "translate", "--format", "markdown", "--output", folder,
            "--option", f"project_title={PROJECT_TITLE}", *(str(file) for file in files),
        ]  # fmt: skip
        result = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
        written = Path(folder) / "metrics.md"
        if result.returncode != 0 or not written.exists():
            raise TranslationError((result.stdout + result.stderr).strip() or f"exit status {result.returncode}")
        return written.read_text(encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m mimic_core.build_telemetry_doc",
        description="Write the telemetry's documentation from metrics.yaml and pings.yaml (glean_parser's Markdown).",
    )
    parser.add_argument("--output", type=Path, default=DOC_FILE, help="the file to write (default: %(default)s)")
    parser.add_argument("--check", action="store_true", help="only check that the file is current (exit 1 if not)")
    parser.add_argument("files", nargs="*", type=Path, default=[METRICS_FILE, PINGS_FILE], help="YAML definitions")
    options = parser.parse_args(argv)
    try:
        text = render(options.files)
    except TranslationError as exc:
        print(f"glean_parser refused the definitions:\n{exc}", file=sys.stderr)
        return EXIT_INVALID
    return write_or_check(options.output, text, check=options.check, make_target="glean-definitions")


if __name__ == "__main__":
    sys.exit(main())
