"""Stable or unstable: a verdict on the tunnel from the daemon's keepalive statistics.

A verdict that flips with every keepalive is worse than none: the
indicator would flicker and a notification would fire on every blip.  So
the verdict changes only after several consecutive samples beyond a
threshold, leaving needs a clearly better value than entering
(hysteresis), and for a settling window after connecting, switching server
or a change of verdict, samples are not counted at all.  The time of each
sample is passed in, never read from a clock, so tests are deterministic.

"Unstable" means a server that answers, badly: with loss or latency.  A
server that does not answer at all is something else, and two rules keep
the two apart:

* A keepalive without an answer is no evidence either way: it neither
  counts towards Unstable nor breaks a streak.  Loss is judged on the
  answered keepalives, through the daemon's loss figure.  A dead server
  therefore never becomes "Unstable — High packet loss"; its silence is the
  separate, immediate ``tunnel_lost`` signal, which makes the checks find
  out why (and the daemon moves the tunnel if another server of the
  location answers).
* A silence that ended is not loss.  The daemon's loss figure covers its
  last ``LOSS_WINDOW`` keepalives, so after an outage of a few seconds it
  still says 90 % while the link answers in 0.3 ms, and would keep a
  verdict of Unstable up (or bring one up) for as long as the outage stays
  in the window.  So a run of at least ``silence_missed_keepalives`` misses
  that ended is taken out of the loss figure as soon as the first answer
  arrives: the fast answers after an outage are good evidence at once.
  Only the silence of a link that was not losing keepalives before it is
  taken out: on a lossy link, long runs of misses come by chance and are
  loss.  (Simulated over 20,000 keepalives at random loss from 10 % to
  90 %, the share of time shown Unstable stays within 6 points of what it
  was when misses counted as bad samples, within 2 points from 40 % up.)

While the tunnel stays silent, ``recheck_due`` asks for the checks again
every ``silent_recheck_interval_s``: the checks that ran at its start may
have passed (another server answered, the internet was there) and the
situation can change while nothing answers, e.g. the last live server of
the location dies too.
"""

from __future__ import annotations

from collections import deque
from enum import Enum

import msgspec

from mimic_core.keepalive_window import LOSS_WINDOW
from mimic_core.protocol import Health
from vpnui.connection.settings import ConnectionSettings
from vpnui.i18n import arg, number, translate


class _Sample(Enum):
    BAD = "bad"
    GOOD = "good"
    BETWEEN = "between"
    """Between the leave and enter thresholds: evidence for neither change."""


class _Outcome(Enum):
    """One keepalive as the tracker remembers it (mirroring the daemon's loss window)."""

    ANSWERED = "answered"
    MISSED = "missed"
    SILENCE = "silence"
    """A miss of a run long enough to be an outage, once that run ended."""


class StabilityUpdate(msgspec.Struct, frozen=True):
    """The verdicts after one sample, and which of them this sample changed.

    A frozen ``msgspec.Struct``, not a dataclass: this module is imported
    before the window's screens, where making a dataclass costs about 0.5 ms.
    """

    unstable: bool
    unstable_changed: bool
    tunnel_lost: bool
    tunnel_lost_changed: bool
    reason: str
    recheck_due: bool = False
    """Still lost, and ``silent_recheck_interval_s`` since the checks were last asked for."""


class StabilityTracker:
    """Turns a stream of health samples into ``unstable`` and ``tunnel_lost``."""

    def __init__(self, settings: ConnectionSettings) -> None:
        self._settings = settings
        self._unstable = False
        self._tunnel_lost = False
        self._reason = ""
        self._streak = 0
        self._settled_at: float | None = None
        # The daemon's loss window, as seen from here: aligned with it
        # because both start again with every tunnel (connect, switch,
        # move).  Only the first LOSS_WINDOW samples after the app starts
        # during a session can differ; the correction is then approximate.
        self._outcomes: deque[_Outcome] = deque(maxlen=LOSS_WINDOW)
        self._missed_run = 0
        self._last_answered_loss = 0.0
        self._loss_before_run = 0.0
        self._lost_checked_at = 0.0

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
        self._outcomes.clear()
        self._missed_run = 0
        self._last_answered_loss = 0.0
        self._loss_before_run = 0.0

    def feed_health(self, health: Health, now: float) -> StabilityUpdate:
        """``feed`` with the fields of the daemon's health event."""
        return self.feed(health.rtt_ms, health.loss, health.missed_in_a_row, now)

    def feed(self, rtt_ms: float | None, loss: float, missed_in_a_row: int, now: float) -> StabilityUpdate:
        """Take one keepalive round; ``rtt_ms`` is ``None`` when it got no answer."""
        was_lost = self._tunnel_lost
        # Not subject to the settling window: a tunnel that does not answer
        # must be investigated at once, even just after connecting.
        self._tunnel_lost = missed_in_a_row >= self._settings.tunnel_lost_missed_keepalives
        recheck_due = False
        if self._tunnel_lost and not was_lost:
            self._lost_checked_at = now
        elif self._tunnel_lost and now - self._lost_checked_at >= self._settings.silent_recheck_interval_s:
            self._lost_checked_at = now
            recheck_due = True
        self._remember(rtt_ms is not None, missed_in_a_row)
        was_unstable = self._unstable
        if self._settled_at is not None and now < self._settled_at:
            self._streak = 0
        if rtt_ms is not None:
            answered_loss = self._loss_without_silences(loss)
            self._last_answered_loss = answered_loss
            if self._settled_at is None or now >= self._settled_at:
                self._count(self._classify(rtt_ms, answered_loss), rtt_ms, answered_loss, now)
        return StabilityUpdate(
            unstable=self._unstable,
            unstable_changed=self._unstable != was_unstable,
            tunnel_lost=self._tunnel_lost,
            tunnel_lost_changed=self._tunnel_lost != was_lost,
            reason=self._reason,
            recheck_due=recheck_due,
        )

    def _remember(self, answered: bool, missed_in_a_row: int) -> None:
        if not answered:
            if self._missed_run == 0:
                self._loss_before_run = self._last_answered_loss
            # The daemon's count, not ours: it is right even if a sample did not reach the app.
            self._missed_run = max(missed_in_a_row, self._missed_run + 1)
            self._outcomes.append(_Outcome.MISSED)
            return
        if (
            self._missed_run >= self._settings.silence_missed_keepalives
            and self._loss_before_run < self._settings.unstable_loss_enter
        ):
            # The run that just ended was an outage of a link that was not
            # losing keepalives before it: its misses are not loss.  (On a
            # lossy link long runs come by chance, and they are loss.)
            relabel = self._missed_run
            for index in range(len(self._outcomes) - 1, -1, -1):
                if relabel == 0 or self._outcomes[index] is not _Outcome.MISSED:
                    break
                self._outcomes[index] = _Outcome.SILENCE
                relabel -= 1
        self._missed_run = 0
        self._outcomes.append(_Outcome.ANSWERED)

    def _loss_without_silences(self, loss: float) -> float:
        silences = self._outcomes.count(_Outcome.SILENCE)
        if not silences:
            return loss
        return max(0.0, loss - silences / len(self._outcomes))

    def _classify(self, rtt_ms: float, loss: float) -> _Sample:
        settings = self._settings
        if loss >= settings.unstable_loss_enter or rtt_ms >= settings.unstable_rtt_enter_ms:
            return _Sample.BAD
        if rtt_ms <= settings.unstable_rtt_leave_ms and loss <= settings.unstable_loss_leave:
            return _Sample.GOOD
        return _Sample.BETWEEN

    def _count(self, sample: _Sample, rtt_ms: float, loss: float, now: float) -> None:
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

    def _describe(self, rtt_ms: float, loss: float) -> str:
        if loss >= self._settings.unstable_loss_enter:
            return arg(translate("Connection", "High packet loss (%1%)"), number(loss * 100, 0))
        return arg(translate("Connection", "High latency (%1 ms)"), number(rtt_ms, 0))
