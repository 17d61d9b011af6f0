"""How much of each benchmark one run does.

One ``--iterations`` knob scales every benchmark, each by what one sample
costs, so a full run stays within ten minutes on a two-core machine and
``--quick --iterations 1`` (the smoke test) within a minute.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

DEFAULT_ITERATIONS: Final = 20
FULL_IDLE_WINDOW_S: Final = 60.0
QUICK_IDLE_WINDOW_S: Final = 3.0


@dataclass(frozen=True)
class RunSettings:
    iterations: int = DEFAULT_ITERATIONS
    quick: bool = False

    @property
    def warmup(self) -> int:
        """Discarded first runs: the first activation opens connections, the first launch fills caches."""
        return 1 if self.quick else 2

    @property
    def activations(self) -> int:
        return max(1, self.iterations)

    @property
    def diagnoses(self) -> int:
        """Per condition; each costs seconds (a detection, then the modal or banner going by itself)."""
        return max(1, self.iterations // 4)

    @property
    def diagnosis_phase_s(self) -> tuple[float, float]:
        """How long the VPN stays On and healthy before a condition appears (a random moment in this range)."""
        return (0.2, 0.5) if self.quick else (1.0, 2.0)

    @property
    def failovers(self) -> int:
        """Each costs a few seconds: a healthy wait, the random phase, the move, the server back."""
        return max(1, self.iterations // 2)

    @property
    def launches(self) -> int:
        """Per kind of window; the minimal window's own median moved by 40 ms between runs of 10."""
        return max(1, self.iterations)

    @property
    def round_trips(self) -> int:
        return max(250, self.iterations * 250)

    @property
    def growth_activations(self) -> int:
        return max(1, self.iterations // 2)

    @property
    def idle_window_s(self) -> float:
        return QUICK_IDLE_WINDOW_S if self.quick else FULL_IDLE_WINDOW_S

    @property
    def telemetry_records(self) -> int:
        return max(100, self.iterations * 100)

    @property
    def telemetry_submits(self) -> int:
        """One ping at a time, each awaited; a few suffice for a submit-to-stored figure."""
        return min(10, max(1, self.iterations // 2))

    @property
    def burst_requests(self) -> int:
        """The burst is a fixed size (the figure is about 1,000 requests), not a sample count."""
        return 100 if self.quick else 1000

    @property
    def ipc_iterations(self) -> int:
        return max(1, self.iterations) * 1000
