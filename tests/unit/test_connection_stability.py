"""The stability verdict: thresholds, hysteresis, consecutive samples, settling, tunnel lost."""

from __future__ import annotations

import pytest

from mimic_core.keepalive_window import LOSS_WINDOW, KeepaliveWindow
from mimic_core.protocol import Health
from vpnui.connection.settings import ConnectionSettings
from vpnui.connection.stability import StabilityTracker, StabilityUpdate

SETTINGS = ConnectionSettings(
    unstable_loss_enter=0.2,
    unstable_loss_leave=0.05,
    unstable_rtt_enter_ms=400.0,
    unstable_rtt_leave_ms=250.0,
    stability_samples_required=3,
    stability_settling_s=3.0,
    tunnel_lost_missed_keepalives=2,
)
GOOD = (40.0, 0.0)
LOSSY = (40.0, 0.35)
SLOW = (620.0, 0.0)
BETWEEN = (300.0, 0.1)


def settled_tracker() -> tuple[StabilityTracker, float]:
    """A tracker reset at 0 whose settling window is over; the time to feed from."""
    tracker = StabilityTracker(SETTINGS)
    tracker.reset(0.0)
    return tracker, SETTINGS.stability_settling_s


def feed(tracker: StabilityTracker, sample: tuple[float | None, float], now: float) -> StabilityUpdate:
    rtt_ms, loss = sample
    return tracker.feed(rtt_ms, loss, 0, now)


def test_starts_stable() -> None:
    tracker = StabilityTracker(SETTINGS)
    assert not tracker.unstable
    assert not tracker.tunnel_lost
    assert tracker.reason == ""


def test_high_loss_for_n_samples_makes_it_unstable() -> None:
    tracker, now = settled_tracker()
    first = feed(tracker, LOSSY, now)
    second = feed(tracker, LOSSY, now + 1)
    assert not first.unstable and not second.unstable
    third = feed(tracker, LOSSY, now + 2)
    assert third.unstable and third.unstable_changed
    assert third.reason == "High packet loss (35%)"
    assert tracker.unstable
    assert tracker.reason == "High packet loss (35%)"


def test_high_latency_for_n_samples_makes_it_unstable() -> None:
    tracker, now = settled_tracker()
    updates = [feed(tracker, SLOW, now + i) for i in range(3)]
    assert [update.unstable_changed for update in updates] == [False, False, True]
    assert tracker.reason == "High latency (620 ms)"


def test_loss_is_named_before_latency() -> None:
    tracker, now = settled_tracker()
    for i in range(3):
        tracker.feed(700.0, 0.5, 0, now + i)
    assert tracker.reason == "High packet loss (50%)"


def test_thresholds_are_inclusive() -> None:
    tracker, now = settled_tracker()
    for i in range(3):
        feed(tracker, (399.0, 0.2), now + i)
    assert tracker.unstable
    tracker, now = settled_tracker()
    for i in range(3):
        feed(tracker, (400.0, 0.0), now + i)
    assert tracker.unstable


def test_samples_must_be_consecutive() -> None:
    tracker, now = settled_tracker()
    for i, sample in enumerate([LOSSY, LOSSY, GOOD, LOSSY, LOSSY, BETWEEN, LOSSY, LOSSY]):
        assert not feed(tracker, sample, now + i).unstable
    assert feed(tracker, LOSSY, now + 8).unstable


def test_hysteresis_between_thresholds_changes_nothing() -> None:
    tracker, now = settled_tracker()
    for i in range(10):
        feed(tracker, BETWEEN, now + i)
    assert not tracker.unstable  # not bad enough to enter
    for i in range(3):
        feed(tracker, LOSSY, now + 10 + i)
    assert tracker.unstable
    later = now + 12 + SETTINGS.stability_settling_s
    for i in range(10):
        feed(tracker, BETWEEN, later + i)
    assert tracker.unstable  # not good enough to leave


def test_leaves_unstable_after_n_good_samples_past_the_settling_window() -> None:
    tracker, now = settled_tracker()
    for i in range(3):
        feed(tracker, LOSSY, now + i)
    changed_at = now + 2
    # Right after the change, even good samples do not count.
    for i in range(5):
        assert feed(tracker, GOOD, changed_at + 0.5 * i).unstable
    after = changed_at + SETTINGS.stability_settling_s
    updates = [feed(tracker, GOOD, after + i) for i in range(3)]
    assert [update.unstable for update in updates] == [True, True, False]
    assert updates[2].unstable_changed
    assert updates[2].reason == ""
    assert tracker.reason == ""


def test_leave_thresholds_are_inclusive() -> None:
    tracker, now = settled_tracker()
    for i in range(3):
        feed(tracker, LOSSY, now + i)
    after = now + 2 + SETTINGS.stability_settling_s
    for i in range(3):
        feed(tracker, (250.0, 0.05), after + i)
    assert not tracker.unstable


def test_unanswered_keepalives_never_count_as_good() -> None:
    tracker, now = settled_tracker()
    for i in range(3):
        feed(tracker, LOSSY, now + i)
    after = now + 2 + SETTINGS.stability_settling_s
    for i in range(6):
        feed(tracker, (None, 0.0), after + i)
    assert tracker.unstable


def test_the_reason_follows_the_latest_bad_sample_while_unstable() -> None:
    tracker, now = settled_tracker()
    for i in range(3):
        feed(tracker, LOSSY, now + i)
    after = now + 2 + SETTINGS.stability_settling_s
    update = feed(tracker, SLOW, after)
    assert update.unstable and not update.unstable_changed
    assert update.reason == "High latency (620 ms)"


def test_settling_window_after_reset_ignores_samples() -> None:
    tracker = StabilityTracker(SETTINGS)
    tracker.reset(100.0)
    for i in range(10):
        assert not feed(tracker, LOSSY, 100.0 + 0.25 * i).unstable
    # Samples from inside the window do not count towards the streak either.
    assert not feed(tracker, LOSSY, 103.0).unstable
    assert not feed(tracker, LOSSY, 104.0).unstable
    assert feed(tracker, LOSSY, 105.0).unstable


def test_reset_returns_to_stable_and_clears_tunnel_lost() -> None:
    tracker, now = settled_tracker()
    for i in range(3):
        feed(tracker, LOSSY, now + i)
    tracker.feed(None, 1.0, 5, now + 3)
    assert tracker.unstable and tracker.tunnel_lost
    tracker.reset(now + 10)
    assert not tracker.unstable
    assert not tracker.tunnel_lost
    assert tracker.reason == ""


def test_without_reset_there_is_no_settling_window() -> None:
    tracker = StabilityTracker(SETTINGS)
    for i in range(3):
        feed(tracker, SLOW, float(i))
    assert tracker.unstable


def test_tunnel_lost_after_missed_keepalives_in_a_row() -> None:
    tracker, now = settled_tracker()
    updates = [tracker.feed(None, 0.5, missed, now + missed) for missed in (1, 2, 3)]
    assert [(u.tunnel_lost, u.tunnel_lost_changed) for u in updates] == [
        (False, False),
        (True, True),
        (True, False),
    ]
    recovered = tracker.feed(50.0, 0.5, 0, now + 4)
    assert (recovered.tunnel_lost, recovered.tunnel_lost_changed) == (False, True)
    again = tracker.feed(50.0, 0.4, 0, now + 5)
    assert (again.tunnel_lost, again.tunnel_lost_changed) == (False, False)


def test_tunnel_lost_is_reported_even_while_settling() -> None:
    tracker = StabilityTracker(SETTINGS)
    tracker.reset(0.0)
    update = tracker.feed(None, 1.0, 2, 0.5)
    assert update.tunnel_lost and update.tunnel_lost_changed
    assert not update.unstable


def test_feed_health_takes_the_daemon_event() -> None:
    tracker, now = settled_tracker()
    health = Health(rtt_ms=650.0, loss=0.0, rx_bytes=10, tx_bytes=10, missed_in_a_row=0, server="x")
    for i in range(3):
        update = tracker.feed_health(health, now + i)
    assert update.unstable
    assert update.reason == "High latency (650 ms)"


# ------------------------------------------------- silence is not instability
# Sequences of keepalive outcomes (True: answered in ``FAST_MS``, False: no
# answer) fed the way the daemon reports them: the loss figure and the run
# of misses come from the daemon's own ``KeepaliveWindow``.

FAST_MS = 0.3
DEFAULTS = ConnectionSettings()


def daemon_samples(pattern: str) -> list[tuple[float | None, float, int]]:
    """``pattern`` of ``+`` (answered fast) and ``-`` (no answer) as (rtt_ms, loss, missed_in_a_row) samples."""
    window = KeepaliveWindow()
    samples = []
    for outcome in pattern:
        answered = outcome == "+"
        window.record(answered)
        samples.append((FAST_MS if answered else None, window.loss, window.missed_in_a_row))
    return samples


def verdicts(tracker: StabilityTracker, pattern: str, start: float, step: float = 1.0) -> list[bool]:
    """The ``unstable`` verdict after each sample of ``pattern``, one keepalive interval apart."""
    return [
        tracker.feed(rtt_ms, loss, missed, start + i * step).unstable
        for i, (rtt_ms, loss, missed) in enumerate(daemon_samples(pattern))
    ]


@pytest.mark.parametrize(
    "pattern",
    [
        pytest.param("+++" + "-" * 80, id="server dead for 80 keepalives"),
        pytest.param("+++" + "-" * 12 + "+" * 15, id="outage of 12, then fast answers"),
        pytest.param("+++" + "-" * 5 + "+" * 15, id="outage of 5, then fast answers"),
        pytest.param("+++" + ("-" * 4 + "+" * 2) * 6 + "+" * 12, id="repeated outages of 4"),
    ],
)
def test_a_server_that_does_not_answer_is_never_unstable(pattern: str) -> None:
    tracker = StabilityTracker(DEFAULTS)
    tracker.reset(0.0)
    assert not any(verdicts(tracker, pattern, start=DEFAULTS.stability_settling_s))
    assert tracker.reason == ""


LOSSY_LINK = "+-+--+-+--+--+-+-+--+--+-+--"  # 57 % of keepalives lost, never 3 in a row


@pytest.mark.parametrize(
    ("pattern", "unstable_at_end"),
    [
        pytest.param(LOSSY_LINK, True, id="intermittent loss is unstable"),
        pytest.param("+++" + "-" * 6 + LOSSY_LINK, True, id="an outage, then intermittent loss"),
        pytest.param("+" * 10 + "+-" * 12, True, id="half of the keepalives lost"),
        pytest.param("+" * 10 + "+--" * 4 + "+----" * 8, True, id="lossy, then long runs of misses: still loss"),
        pytest.param("+" * 10 + "++-" * 8, True, id="a third lost"),
        pytest.param("+" * 10 + "+++++++++-" * 4, False, id="a tenth lost"),
    ],
)
def test_a_live_server_that_loses_keepalives_is_unstable(pattern: str, unstable_at_end: bool) -> None:
    tracker = StabilityTracker(DEFAULTS)
    tracker.reset(0.0)
    assert verdicts(tracker, pattern, start=DEFAULTS.stability_settling_s)[-1] is unstable_at_end
    if unstable_at_end:
        assert tracker.reason.startswith("High packet loss")


@pytest.mark.parametrize(
    ("outage", "answers_to_leave"),
    [
        pytest.param(9, DEFAULTS.stability_samples_required, id="outage of 9 (90 % loss in the window)"),
        pytest.param(20, DEFAULTS.stability_samples_required, id="outage of 20"),
        pytest.param(3, DEFAULTS.stability_samples_required, id="outage of 3"),
    ],
)
def test_fast_answers_after_an_outage_end_instability_without_waiting_for_the_window(
    outage: int, answers_to_leave: int
) -> None:
    """Unstable (high latency) before an outage; after it, the 0.3 ms answers are good evidence at once."""
    tracker = StabilityTracker(DEFAULTS)
    window = KeepaliveWindow()  # the daemon's, over the whole sequence
    now = 0.0
    for _ in range(DEFAULTS.stability_samples_required):
        window.record(True)
        tracker.feed(620.0, window.loss, window.missed_in_a_row, now)
        now += 1.0
    assert tracker.unstable and tracker.reason == "High latency (620 ms)"
    now += DEFAULTS.stability_settling_s
    for _ in range(outage):
        window.record(False)
        assert tracker.feed(None, window.loss, window.missed_in_a_row, now).unstable  # silence changes nothing
        now += 1.0
    left_after = None
    for answer in range(1, LOSS_WINDOW + 1):
        window.record(True)
        update = tracker.feed(FAST_MS, window.loss, window.missed_in_a_row, now)
        now += 1.0
        if not update.unstable:
            left_after = answer
            break
    assert left_after == answers_to_leave


def test_tunnel_lost_is_reported_again_while_the_tunnel_stays_silent() -> None:
    settings = ConnectionSettings(tunnel_lost_missed_keepalives=1, silent_recheck_interval_s=2.0)
    tracker = StabilityTracker(settings)
    tracker.reset(0.0)
    due = []
    for i, (rtt_ms, loss, missed) in enumerate(daemon_samples("+" + "-" * 7 + "+-")):
        update = tracker.feed(rtt_ms, loss, missed, 10.0 + i)
        due.append((update.tunnel_lost_changed, update.recheck_due))
    assert due == [
        (False, False),  # answered
        (True, False),  # lost: the edge starts the checks
        (False, False),
        (False, True),  # 2 s later, still silent: check again
        (False, False),
        (False, True),
        (False, False),
        (False, True),
        (True, False),  # answered again
        (True, False),  # lost again: a new edge
    ]
