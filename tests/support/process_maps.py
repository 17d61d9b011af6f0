"""What a running process has mapped (``/proc/<pid>/maps``), for checks of what it loaded."""

from __future__ import annotations

from pathlib import Path
from typing import Final

YAML_TOOLING_MARKERS: Final = ("/rpds/", "/yaml/_yaml", "/markupsafe/", "/jsonschema", "/jinja2/")
"""Paths of files mapped once glean_parser is imported (its compiled dependencies)."""


def mapped_files(pid: int | str) -> set[str]:
    lines = Path(f"/proc/{pid}/maps").read_text().splitlines()
    return {line.split(maxsplit=5)[5] for line in lines if len(line.split(maxsplit=5)) == 6}


def yaml_tooling(files: set[str]) -> list[str]:
    return sorted(path for path in files if any(marker in path for marker in YAML_TOOLING_MARKERS))
