"""A test fails when native code panicked during it: the plugin's check of captured stderr.

Glean's core is Rust.  A panic on one of its threads (say, its init
thread) is printed to stderr and otherwise swallowed; the Python call in
progress may even return normally.  But the core is broken for the rest of
the process: a mutex the panicking thread held is poisoned, so the next
``Glean._reset`` fails and every later ``GleanRuntime.start`` in this
process is refused.  Under pytest's capture that message would be shown
only if its own test failed, and the failure would surface in some later,
unrelated test (on another worker's schedule, another test).  So a test
phase whose captured stderr holds a panic fails, with the panic shown.
"""

from __future__ import annotations

import re
from collections.abc import Generator
from typing import Final

import pytest

PANIC: Final = re.compile(r"^thread '[^']*'(?: \(\d+\))? panicked at .*$", re.MULTILINE)
"""Rust's panic message (std::panicking, 1.x): the thread's name, since 1.89 its id, and the source position."""


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.passed:
        # This phase's output only: a report carries the earlier phases' too.
        stderr = "".join(text for name, text in report.sections if name == f"Captured stderr {report.when}")
        panic = PANIC.search(stderr)
        if panic is not None:
            report.outcome = "failed"
            report.longrepr = (
                f"native code panicked during the {report.when} of this test: {panic.group(0)}\n"
                "(the whole message is under 'Captured stderr')"
            )
    return report
