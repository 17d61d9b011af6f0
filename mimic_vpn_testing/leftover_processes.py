"""A test run may leave no process behind: the plugin's session check.

Each test's home ends its own processes (``mimic_home``), but a process
started outside any test home, or after its test's home was cleaned up
(say, a daemon an app was still restarting), would run on after pytest, and
each one left behind holds ports, files and CPU on the machine.  So the run
marks every process it starts: ``MIMIC_TEST_RUN`` in its environment (every
child inherits it, through the lab's process helpers too) carries a tag of
this run, and when the session ends any process still carrying it, after a
grace period for those on their way out, is named with the test after which
it was first seen running, ended, and the run fails.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Generator
from pathlib import Path
from typing import Any, Final

import pytest

from lab.leftovers import command_line, end_pids, processes_marked

RUN_ENV: Final = "MIMIC_TEST_RUN"
GRACE_S: Final = 5.0
"""How long processes the run just asked to stop get to exit before they count as left behind."""


class LeftoverTracker:
    """The run's tag, and after which test each of its processes was first seen running."""

    def __init__(self) -> None:
        self.tag = f"{os.getpid()}-{secrets.token_hex(4)}"
        self.inherited = os.environ.get(RUN_ENV)
        # (pid, start time): a pid the kernel gave again to a later process is another process.
        self.first_seen: dict[tuple[int, str], str] = {}

    def processes(self) -> list[int]:
        return processes_marked(RUN_ENV, self.tag)

    def note(self, nodeid: str) -> None:
        for pid in self.processes():
            self.first_seen.setdefault((pid, _start_time(pid)), nodeid)

    def started_during(self, pid: int) -> str:
        return self.first_seen.get((pid, _start_time(pid)), "no test (between or after tests)")


TRACKER: Final = pytest.StashKey[LeftoverTracker]()


def _start_time(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


def pytest_configure(config: pytest.Config) -> None:
    tracker = LeftoverTracker()
    config.stash[TRACKER] = tracker
    os.environ[RUN_ENV] = f"{tracker.inherited},{tracker.tag}" if tracker.inherited else tracker.tag


def pytest_unconfigure(config: pytest.Config) -> None:
    tracker = config.stash.get(TRACKER, None)
    if tracker is None:
        return
    if tracker.inherited is None:
        os.environ.pop(RUN_ENV, None)
    else:
        os.environ[RUN_ENV] = tracker.inherited


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None, object, object]:
    try:
        return (yield)
    finally:
        tracker = item.config.stash.get(TRACKER, None)
        if tracker is not None:
            tracker.note(item.nodeid)


WORKER_OUTPUT: Final = "mimic_leftovers"
"""Under pytest-xdist, the key of a worker's output that carries what it found left behind."""
FROM_WORKERS: Final = pytest.StashKey[list[str]]()


def _left_behind(tracker: LeftoverTracker) -> list[str]:
    """The run's processes still running after the grace period, one line each; they are ended."""
    deadline = time.monotonic() + GRACE_S
    left = tracker.processes()
    while left and time.monotonic() < deadline:
        time.sleep(0.1)
        left = tracker.processes()
    report = [f"  {pid}: {command_line(pid)}  (first seen after {tracker.started_during(pid)})" for pid in left]
    end_pids(left)
    return report


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """pytest-xdist's controller: a worker ended; keep what it found left behind."""
    found = getattr(node, "workeroutput", {}).get(WORKER_OUTPUT, [])
    node.config.stash.setdefault(FROM_WORKERS, []).extend(found)


# Last: the controller's check runs after xdist has ended its workers, which
# carry the controller's tag.  A worker checks its own processes and hands the
# lines to the controller, because a worker's exit status does not fail the run.
@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    tracker = session.config.stash.get(TRACKER, None)
    if tracker is None:
        return
    report = _left_behind(tracker)
    worker_output: dict[str, Any] | None = getattr(session.config, "workeroutput", None)
    if worker_output is not None:
        worker_output[WORKER_OUTPUT] = report
        return
    from_workers: list[str] = session.config.stash.get(FROM_WORKERS, [])
    report += from_workers
    if not report:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    message = [
        f"{len(report)} process(es) started by this test run still ran when it ended (ended now; the run fails):",
        *report,
    ]
    if reporter is not None:
        reporter.ensure_newline()
        reporter.write_sep("=", "processes left behind", red=True)
        for line in message:
            reporter.write_line(line)
    else:
        print("\n".join(message))
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
