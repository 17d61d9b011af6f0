"""Shared fixtures: every test runs in its own temporary product locations."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from lab.leftovers import end_processes
from mimic_core import early_start

# Qt must never need a display in tests.
os.environ["QT_QPA_PLATFORM"] = "offscreen"
# As in the app once its window is up: Python's own import, not PySide6's
# (which PySide6 puts in place when it is first imported).
import PySide6.QtCore  # noqa: F401

early_start.restore_python_import()

pytest_plugins = ["tests.support.fixtures"]


@pytest.fixture
def mimic_home(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh MIMIC_HOME for this test.

    Created under /tmp with a short name because the daemon's Unix socket
    path must stay under 108 bytes, which pytest's own tmp_path can exceed.
    """
    home = Path(tempfile.mkdtemp(prefix="mv-", dir="/tmp"))
    monkeypatch.setenv("MIMIC_HOME", str(home))
    yield home
    end_processes(home)
    shutil.rmtree(home, ignore_errors=True)


FOLDER_MARKERS = {"unit", "integration", "ui", "chaos"}
"""Each test folder is a marker of the same name (registered in pyproject.toml): ``-m unit`` runs the fast ones."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    tests_dir = Path(__file__).parent
    for item in items:
        folder = item.path.relative_to(tests_dir).parts[0] if item.path.is_relative_to(tests_dir) else ""
        if folder in FOLDER_MARKERS:
            item.add_marker(folder)
