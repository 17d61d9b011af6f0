"""The daemon logs a flood of bad lines as a few lines a second and a count."""

from __future__ import annotations

import logging

import pytest

from daemon.server import _LogBudget


def test_budget_allows_a_few_a_second_and_summarises_the_rest(caplog: pytest.LogCaptureFixture) -> None:
    budget = _LogBudget(per_second=3)
    allowed = [budget.allow(10.0 + i * 0.001) for i in range(100)]
    assert allowed[:3] == [True, True, True]
    assert not any(allowed[3:])
    with caplog.at_level(logging.INFO, logger="daemon.server"):
        assert budget.allow(11.5)  # a new second: allowed again, and the rest is counted
    assert "97 more bad lines not logged in the last second" in caplog.text


def test_budget_is_silent_when_nothing_was_suppressed(caplog: pytest.LogCaptureFixture) -> None:
    budget = _LogBudget(per_second=3)
    with caplog.at_level(logging.INFO, logger="daemon.server"):
        assert budget.allow(1.0)
        assert budget.allow(2.5)
    assert "not logged" not in caplog.text
