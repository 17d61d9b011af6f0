"""Loss and miss counting over the most recent keepalives.

The app's stability check judges the tunnel from these numbers, so they are
defined once here: loss is the fraction of the last ``size`` keepalives that
got no answer in time, and ``missed_in_a_row`` is the current run of misses
(zero as soon as one answer arrives).
"""

from __future__ import annotations

from collections import deque
from typing import Final

LOSS_WINDOW: Final = 10


class KeepaliveWindow:
    def __init__(self, size: int = LOSS_WINDOW) -> None:
        self._answered: deque[bool] = deque(maxlen=size)
        self.missed_in_a_row = 0

    def record(self, answered: bool) -> None:
        self._answered.append(answered)
        self.missed_in_a_row = 0 if answered else self.missed_in_a_row + 1

    @property
    def loss(self) -> float:
        if not self._answered:
            return 0.0
        return self._answered.count(False) / len(self._answered)
