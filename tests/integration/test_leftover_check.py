"""The plugin fails a run that leaves a process behind, names it and the test, and ends it.

Each case is a pytest run of its own (the plugin as a project loads it:
``-p mimic_vpn_testing.plugin``) over a small project in a temporary folder.
"""

from __future__ import annotations

import sys
import textwrap
import time
from pathlib import Path

import pytest

from lab.leftovers import alive
from tests.support.checkout_process import run_plugin_project

LEAVES_A_PROCESS = """
import subprocess, sys
from pathlib import Path

STARTED = []


def test_starts_a_detached_process():
    # Its own session, as the app starts the daemon: the test's process tree does not hold it.
    process = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(600)"], start_new_session=True
    )
    STARTED.append(process)
    Path("{pid_file}").write_text(str(process.pid))


def test_another():
    pass
"""

WORKERS = ("--numprocesses", "2", "--dist", "loadfile")
"""As make test runs the suite: the test that leaves a process runs in a worker, not in the controller."""

CLEAN = """
import subprocess, sys


def test_waits_for_its_process():
    subprocess.run([sys.executable, "-c", "pass"], check=True)
"""


@pytest.mark.parametrize("options", [(), WORKERS], ids=["one process", "xdist workers"])
def test_a_process_left_running_fails_the_run_and_is_ended(tmp_path: Path, options: tuple[str, ...]) -> None:
    project = tmp_path / "project"
    project.mkdir()
    pid_file = tmp_path / "pid"
    (project / "test_leaves.py").write_text(textwrap.dedent(LEAVES_A_PROCESS.format(pid_file=pid_file)))
    (project / "test_clean.py").write_text(CLEAN)

    result = run_plugin_project(project, *options)

    pid = int(pid_file.read_text())
    assert result.returncode == 1, result.stdout + result.stderr
    assert "3 passed" in result.stdout
    assert "processes left behind" in result.stdout
    assert f"{pid}: {sys.executable} -c import time; time.sleep(600)" in result.stdout
    assert "first seen after test_leaves.py::test_starts_a_detached_process" in result.stdout
    deadline = time.monotonic() + 5
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(pid), "the check did not end the process it found"


@pytest.mark.parametrize("options", [(), WORKERS], ids=["one process", "xdist workers"])
def test_a_run_whose_processes_all_ended_passes(tmp_path: Path, options: tuple[str, ...]) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "test_clean.py").write_text(CLEAN)
    (project / "test_clean_too.py").write_text(CLEAN)

    result = run_plugin_project(project, *options)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "processes left behind" not in result.stdout
