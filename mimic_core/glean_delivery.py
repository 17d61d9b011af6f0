"""How fast Glean may upload and how much it may keep queued: the delivery limits of both processes.

glean-core guards Mozilla's ingestion and the user's disk with two limits,
and with their defaults a burst of VPN sessions lost pings:

* an upload **rate limit** of 15 pings per 60 s per process: 1,000
  activate/deactivate requests answered one after the other (500 sessions,
  1,500 ``daemonsession`` pings) left 100 minutes of backlog;
* a **pending-pings cap** of 500 pings (or 50 MiB), applied when Glean scans
  its ``pending_pings`` directory at start: beyond it the *oldest* pings are
  deleted.  The daemon restarted during that backlog deleted 1,000 of them.

Mimic VPN's pings go to its own endpoint (by default the lab on loopback),
not to a pipeline shared by millions of clients, and every session ping
matters: the session design is checked ping by ping.  So:

* the rate limit stays, as a guard against a runaway loop of submits, but
  over windows of one second (a throttled uploader then waits at most a
  second, not up to a minute) and at 100 pings a window: the backlog of that
  burst is delivered about 12 s after its end, and a runaway loop is held to
  100 pings a second, below the 200-300 a second the lab stored on a 2-core
  machine with no limit;
* the pending cap bounds the backlog kept while the endpoint is unreachable,
  and also what glean-core holds in memory at the next start (it loads
  every pending ping): 5,000 pings is over three such bursts, or weeks of
  heavy use offline, and cost the daemon 21 MB of extra RSS when it started
  with 5,000 queued.  The size cap stays glean-core's 50 MiB: it would only
  bind first if pending pings averaged over 10 KB (a ``daemonsession``
  ping is about 0.8 KB on disk).

Anything Glean still deletes it counts in its own ``glean.upload.*`` metrics,
sent in its ``health`` ping (enabled by the runtime for that reason) and
shown by ``vpnui-lab report``.  The README ("Session telemetry") has the
figures.

glean-sdk 71.0.0's Python binding exposes the pending cap
(``Configuration.max_pending_pings_count`` /
``max_pending_pings_directory_size``) but hard-codes ``rate_limit=None`` in
the ``InternalConfiguration`` it gives glean-core (``glean/glean.py``), which
then applies its 15/60 s default.  ``glean_compat.initialize_with_rate_limit``
sets the rate limit on that configuration on its way to
``_uniffi.glean_initialize``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

MIB: Final = 1024 * 1024


@dataclass(frozen=True, slots=True)
class DeliveryLimits:
    """glean-core's upload rate limit and pending-pings cap, for one process."""

    pings_per_interval: int
    """Uploads allowed per rate-limit window; the uploader waits for the next window beyond that."""
    seconds_per_interval: int
    """Length of a rate-limit window (glean-core counts in whole seconds)."""
    max_pending_pings: int
    """Pings kept on disk; beyond this the oldest are deleted when Glean starts."""
    max_pending_bytes: int
    """Size of the pending pings kept on disk; beyond this the oldest are deleted when Glean starts."""

    def __post_init__(self) -> None:
        for name in ("pings_per_interval", "seconds_per_interval", "max_pending_pings", "max_pending_bytes"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")

    @property
    def pings_per_minute(self) -> float:
        return self.pings_per_interval * 60 / self.seconds_per_interval


GLEAN_DEFAULT_LIMITS: Final = DeliveryLimits(
    pings_per_interval=15, seconds_per_interval=60, max_pending_pings=500, max_pending_bytes=50 * MIB
)
"""glean-core's own defaults (``DEFAULT_PINGS_PER_INTERVAL``, ``MAX_PENDING_PINGS_COUNT``, ...), for comparison."""

DELIVERY_LIMITS: Final = DeliveryLimits(
    pings_per_interval=100, seconds_per_interval=1, max_pending_pings=5_000, max_pending_bytes=50 * MIB
)
"""The limits both Mimic VPN processes run with (the README explains each figure)."""
