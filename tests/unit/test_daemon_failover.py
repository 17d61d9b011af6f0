"""When a keepalive answer is overdue: the suspicion timeout of ``daemon.failover``."""

from __future__ import annotations

import pytest

from daemon.failover import FLOOR_S, SuspicionTimer


@pytest.mark.parametrize(
    ("interval", "round_trips_s", "late_after"),
    [
        pytest.param(1.0, [], 1.0, id="no round trip yet: the whole interval"),
        pytest.param(1.0, [0.0003] * 20, 0.25, id="loopback: a quarter of the interval"),
        pytest.param(0.2, [0.0003] * 20, FLOOR_S, id="short interval: the absolute floor"),
        pytest.param(1.0, [0.4] * 40, 0.4, id="steady 400 ms: follows the round trip"),
        pytest.param(1.0, [2.0] * 5, 1.0, id="slower than the interval: capped by it"),
    ],
)
def test_late_after(interval: float, round_trips_s: list[float], late_after: float) -> None:
    timer = SuspicionTimer(interval)
    for rtt in round_trips_s:
        timer.record(rtt)
    assert timer.late_after == pytest.approx(late_after, abs=0.01)


def test_jitter_widens_the_timeout() -> None:
    steady, jittery = SuspicionTimer(1.0), SuspicionTimer(1.0)
    for i in range(40):
        steady.record(0.3)
        jittery.record(0.2 if i % 2 else 0.4)
    assert steady.late_after < jittery.late_after <= 1.0
