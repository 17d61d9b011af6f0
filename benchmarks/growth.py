"""Growth: activation time and app memory with 10, 100 and 1000 servers in the list.

For each size a lab serves a generated list of that many servers
(``serve --server-count N``, spread over the same countries and cities, so
the selected location grows with the list) and a fresh app, in a process of
its own, activates repeatedly (the manager's activation time), then holds
the VPN On and reports its resident memory.

The 10-server figures are the reference.  "No faster than linearly" is
judged on the three sizes: a cost growing faster than linearly puts the
100-server figure below the straight line from the 10- to the 1000-server
one, so it must not fall below that line by more than the noise (10 % of
the 10-server figure, or the measured p95-median spread if larger).  The
1000-server activation must also stay within twice the 10-server one.
"""

from __future__ import annotations

from typing import Any, Final

from benchmarks.report import Figure, Reference, Spec, numbers_of, ratio, verdict
from benchmarks.settings import RunSettings
from benchmarks.stats import Summary, summarize
from benchmarks.world import Child, private_world

SIZES: Final = (10, 100, 1000)
MAX_ACTIVATION_RATIO: Final = 2.0
FLAT_FRACTION: Final = 0.10
DRIVER_TIMEOUT_S: Final = 180.0


def _activation_spec(size: int) -> Spec:
    target = (
        "reference"
        if size == SIZES[0]
        else f"≤ {MAX_ACTIVATION_RATIO:.0f}x the 10-server figure, at most linear"
        if size == SIZES[-1]
        else "reported"
    )
    return Spec(
        key=f"growth_activation_{size}",
        title=f"Activation with {size} servers",
        unit="ms",
        target=target,
        definition=(
            f"toggle() to On (activationMeasured) with a {size}-server list (lab --server-count {size}), "
            "0 ms latency, default settings"
        ),
    )


def _rss_spec(size: int) -> Spec:
    return Spec(
        key=f"growth_app_rss_{size}",
        title=f"App RSS with {size} servers",
        unit="MB",
        target="at most linear" if size == SIZES[-1] else ("reference" if size == SIZES[0] else "reported"),
        definition=f"app VmRSS with the VPN On after the activations, {size}-server list, MiB",
        shown=("value",),
    )


SPECS: Final = tuple(_activation_spec(size) for size in SIZES) + tuple(_rss_spec(size) for size in SIZES)


def at_most_linear(values: dict[int, float], noise: float = 0.0) -> tuple[bool, dict[str, float]]:
    """Whether the 100-server figure is not below the straight line from 10 to 1000 servers (within noise).

    A cost that grows faster than linearly (convex) puts the middle size
    below the chord between the ends; a linear or slower one puts it on or
    above.  The tolerance is ``FLAT_FRACTION`` of the 10-server figure, or
    ``noise`` if larger (the measured spread).
    """
    small, middle, large = (values[size] for size in SIZES)
    chord = small + (large - small) * (SIZES[1] - SIZES[0]) / (SIZES[2] - SIZES[0])
    tolerance = max(FLAT_FRACTION * small, noise)
    return middle >= chord - tolerance, {
        "at_100_on_the_line_from_10_to_1000": round(chord, 3),
        "at_100_measured": round(middle, 3),
        "tolerance": round(tolerance, 3),
        "per_server_10_to_100": round((middle - small) / (SIZES[1] - SIZES[0]), 5),
        "per_server_100_to_1000": round((large - middle) / (SIZES[2] - SIZES[1]), 5),
    }


def measure(size: int, settings: RunSettings) -> tuple[Summary, float, int]:
    """Activation times (ms), the app's RSS (MiB) and the location's server count for one list size."""
    with private_world(lab_args=["--server-count", str(size)]) as world:
        driver = Child(
            [
                "-m",
                "benchmarks.app_driver",
                "--lab-url",
                world.lab_url,
                "activation",
                "--count",
                str(settings.growth_activations),
                "--warmup",
                str(settings.warmup),
                "--hold",
            ],
            world,
            f"growth-driver-{size}",
        )
        samples: list[float] = []
        try:
            driver.expect("ready", DRIVER_TIMEOUT_S)
            while True:
                event = driver.read_event(DRIVER_TIMEOUT_S)
                if event["event"] == "activation" and not event["warmup"]:
                    samples.append(float(event["seconds"]))
                elif event["event"] == "done":
                    break
        finally:
            driver.stop()
    return summarize(samples).scaled(1000), event["rss_kb"]["VmRSS"] / 1024, int(event["servers"])


def run(settings: RunSettings) -> list[Figure]:
    activation: dict[int, Summary] = {}
    rss: dict[int, float] = {}
    location: dict[int, int] = {}
    for size in SIZES:
        activation[size], rss[size], location[size] = measure(size, settings)
    spread = max(summary.p95 - summary.median for summary in activation.values())
    linear_time, time_slopes = at_most_linear({size: activation[size].median for size in SIZES}, spread)
    linear_rss, rss_slopes = at_most_linear(rss)
    base = activation[SIZES[0]]
    figures: list[Figure] = []
    for size, figure_spec in zip(SIZES, SPECS[: len(SIZES)], strict=True):
        measured_ratio = ratio(activation[size].median, base.median)
        details: dict[str, Any] = {"servers_in_selected_location": location[size]}
        if size == SIZES[-1]:
            details["linear"] = linear_time
            details.update(time_slopes)
            status = verdict(linear_time and measured_ratio is not None and measured_ratio <= MAX_ACTIVATION_RATIO)
        else:
            status = "reported"
        figures.append(
            figure_spec.figure(
                numbers_of(activation[size]),
                status,
                reference=Reference("10 servers", numbers_of(base)) if size != SIZES[0] else None,
                ratio=measured_ratio if size != SIZES[0] else None,
                details=details,
            )
        )
    for size, figure_spec in zip(SIZES, SPECS[len(SIZES) :], strict=True):
        rss_details: dict[str, Any] = {}
        if size == SIZES[-1]:
            rss_details = {"linear": linear_rss, **rss_slopes}
        figures.append(
            figure_spec.figure(
                {"value": round(rss[size], 1)},
                verdict(linear_rss) if size == SIZES[-1] else "reported",
                reference=Reference("10 servers", {"value": round(rss[SIZES[0]], 1)}) if size != SIZES[0] else None,
                ratio=ratio(rss[size], rss[SIZES[0]]) if size != SIZES[0] else None,
                details=rss_details,
            )
        )
    return figures
