"""Stable or unstable: a verdict on the tunnel from the daemon's keepalive statistics.

A verdict that flips with every keepalive is worse than none: the
indicator would flicker and a notification would fire on every blip.  So
the verdict changes only after several consecutive samples beyond a
threshold, leaving needs a clearly better value than entering
(hysteresis), and for a settling window after connecting, switching server
or a change of verdict, samples are not counted at all.  The time of each
sample is passed in, never read from a clock, so tests are deterministic.

A tunnel that stops answering entirely is a separate, immediate signal
(``tunnel_lost``): it is not "unstable", it means the checks must find out
why.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from mimic_core.protocol import Health
from vpnui.connection.settings import ConnectionSettings


class _Sample(Enum):
    BAD = "bad"
    GOOD = "good"
    BETWEEN = "between"
    """Between the leave and enter thresholds: evidence for neither change."""


@dataclass(frozen=True)
class StabilityUpdate:
    """The verdicts after one sample, and which of them this sample changed."""

    unstable: bool
    unstable_changed: bool
    tunnel_lost: bool
    tunnel_lost_changed: bool
    reason: str


class StabilityTracker:
    """Turns a stream of health samples into ``unstable`` and ``tunnel_lost``."""

    def __init__(self, settings: ConnectionSettings) -> None:
        self._settings = settings
        self._unstable = False
        self._tunnel_lost = False
        self._reason = ""
        self._streak = 0
        self._settled_at: float | None = None

    @property
    def unstable(self) -> bool:
        return self._unstable

    @property
    def tunnel_lost(self) -> bool:
        return self._tunnel_lost

    @property
    def reason(self) -> str:
        """Why the connection is unstable, in words for the user ("" when stable)."""
        return self._reason

    def reset(self, now: float) -> None:
        """Start over as stable, with a settling window from ``now``.

        Called when the connection comes On or moves to another server: the
        first keepalives of a new tunnel say little about its quality.
        """
        self._unstable = False
        self._tunnel_lost = False
        self._reason = ""
        self._streak = 0
        self._settled_at = now + self._settings.stability_settling_s

    def feed_health(self, health: Health, now: float) -> StabilityUpdate:
        """``feed`` with the fields of the daemon's health event."""
        return self.feed(health.rtt_ms, health.loss, health.missed_in_a_row, now)

    def feed(self, rtt_ms: float | None, loss: float, missed_in_a_row: int, now: float) -> StabilityUpdate:
        """Take one keepalive round; ``rtt_ms`` is ``None`` when it got no answer."""
        was_lost = self._tunnel_lost
        # Not subject to the settling window: a tunnel that does not answer
        # must be investigated at once, even just after connecting.
        self._tunnel_lost = missed_in_a_row >= self._settings.tunnel_lost_missed_keepalives
        was_unstable = self._unstable
        if self._settled_at is not None and now < self._settled_at:
            self._streak = 0
        else:
            self._count(self._classify(rtt_ms, loss), rtt_ms, loss, now)
        return StabilityUpdate(
            unstable=self._unstable,
            unstable_changed=self._unstable != was_unstable,
            tunnel_lost=self._tunnel_lost,
            tunnel_lost_changed=self._tunnel_lost != was_lost,
            reason=self._reason,
        )

    def _classify(self, rtt_ms: float | None, loss: float) -> _Sample:
        settings = self._settings
        slow = rtt_ms is not None and rtt_ms >= settings.unstable_rtt_enter_ms
        if loss >= settings.unstable_loss_enter or slow:
            return _Sample.BAD
        # A keepalive without an answer is never evidence of a good link.
        fast = rtt_ms is not None and rtt_ms <= settings.unstable_rtt_leave_ms
        if fast and loss <= settings.unstable_loss_leave:
            return _Sample.GOOD
        return _Sample.BETWEEN

    def _count(self, sample: _Sample, rtt_ms: float | None, loss: float, now: float) -> None:
        towards = _Sample.GOOD if self._unstable else _Sample.BAD
        if sample is _Sample.BAD and self._unstable:
            # Keep the message about what is wrong now.
            self._reason = self._describe(rtt_ms, loss)
        if sample is not towards:
            self._streak = 0
            return
        self._streak += 1
        if self._streak < self._settings.stability_samples_required:
            return
        self._unstable = not self._unstable
        self._reason = self._describe(rtt_ms, loss) if self._unstable else ""
        self._streak = 0
        self._settled_at = now + self._settings.stability_settling_s

    def _describe(self, rtt_ms: float | None, loss: float) -> str:
        if loss >= self._settings.unstable_loss_enter:
            return f"High packet loss ({loss:.0%})"
        return f"High latency ({rtt_ms or 0:.0f} ms)"
