"""Shared configuration: the suite's fixtures are the product's pytest plugin.

``mimic_vpn_testing.plugin`` (loaded by ``-p`` in ``pyproject.toml``) gives
every test its own home, lab, daemon and app; this file adds only what is
the suite's own: a marker per test folder, and the short fixture names the
suite's tests were written with.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lab.lab_process import LabProcess


@pytest.fixture
def lab(mimic_lab: LabProcess) -> LabProcess:
    """The plugin's ``mimic_lab``: a running lab in this test's home."""
    return mimic_lab


FOLDER_MARKERS = {"unit", "integration", "ui", "chaos"}
"""Each test folder is a marker of the same name (registered in pyproject.toml): ``-m unit`` runs the fast ones."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    tests_dir = Path(__file__).parent
    for item in items:
        folder = item.path.relative_to(tests_dir).parts[0] if item.path.is_relative_to(tests_dir) else ""
        if folder in FOLDER_MARKERS:
            item.add_marker(folder)
