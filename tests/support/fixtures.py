"""Fixtures that start the real processes (lab, daemon) for a test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from lab.lab_process import LabProcess


@pytest.fixture
def lab(mimic_home: Path) -> Iterator[LabProcess]:
    """A running lab in this test's MIMIC_HOME, stopped afterwards."""
    process = LabProcess()
    try:
        yield process
    finally:
        process.stop()
