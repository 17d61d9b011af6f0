"""Medians and tail percentiles of samples.

Every figure is reported as a distribution (median and p95, p99 for
latencies with many samples) rather than a mean: a mean hides the slow runs
users notice, and one outlier moves it more than the median.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Summary:
    """A distribution of samples, in the unit the samples were given in."""

    n: int
    median: float
    p95: float
    p99: float
    min: float
    max: float
    mean: float

    def as_dict(self, digits: int = 3) -> dict[str, float | int]:
        return {
            key: (round(value, digits) if isinstance(value, float) else value) for key, value in asdict(self).items()
        }

    def scaled(self, factor: float) -> Summary:
        """The same distribution in another unit (e.g. seconds to milliseconds)."""
        return Summary(
            n=self.n,
            median=self.median * factor,
            p95=self.p95 * factor,
            p99=self.p99 * factor,
            min=self.min * factor,
            max=self.max * factor,
            mean=self.mean * factor,
        )


def percentile(sorted_samples: Sequence[float], fraction: float) -> float:
    """Linear interpolation between closest ranks (numpy's default method)."""
    if not sorted_samples:
        raise ValueError("no samples")
    position = (len(sorted_samples) - 1) * fraction
    low = math.floor(position)
    high = math.ceil(position)
    if low == high:
        return float(sorted_samples[low])
    weight = position - low
    return float(sorted_samples[low] * (1 - weight) + sorted_samples[high] * weight)


def summarize(samples: Sequence[float]) -> Summary:
    """The summary of ``samples``; ``ValueError`` when there are none."""
    ordered = sorted(float(sample) for sample in samples)
    if not ordered:
        raise ValueError("no samples to summarize")
    return Summary(
        n=len(ordered),
        median=percentile(ordered, 0.5),
        p95=percentile(ordered, 0.95),
        p99=percentile(ordered, 0.99),
        min=ordered[0],
        max=ordered[-1],
        mean=sum(ordered) / len(ordered),
    )
