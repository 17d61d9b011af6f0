"""How fast Glean may upload and how much it may keep queued: the delivery limits of both processes.

glean-core guards Mozilla's ingestion and the user's disk with two limits,
and with their defaults a burst of VPN sessions loses pings:

* an upload **rate limit** of 15 pings per 60 s per process, so a burst of
  1,000 activate/deactivate requests (about 1,000 daemon pings) left over an
  hour of backlog;
* a **pending-pings cap** of 500 pings (or 50 MiB), enforced when Glean
  scans its ``pending_pings`` directory at start: beyond it the *oldest*
  pings are deleted.  A daemon restarted during such a backlog lost every
  ping but the newest 500.

Mimic VPN's pings go to its own endpoint (by default the lab on loopback),
not to a pipeline shared by millions of clients, and every session ping
matters: the session design is checked ping by ping.  So the limits are set
for that client (the figures and the reasoning are in the README, "Session
telemetry"):

* the rate limit stays, as a guard against a runaway loop of submits, but
  above anything the product produces: a window of one second (a throttled
  uploader then waits at most a second, not up to a minute) and more pings
  per window than the daemon can make sessions;
* the pending cap is what bounds the backlog kept while the endpoint is
  unreachable (and what glean-core loads into memory at the next start), set
  to many days of heavy use.

Anything Glean still deletes it counts in its own ``glean.upload.*`` metrics,
sent in its ``health`` ping (enabled by the runtime for that reason) and
shown by ``vpnui-lab report``.

glean-sdk 71.0.0's Python binding exposes the pending cap
(``Configuration.max_pending_pings_count`` /
``max_pending_pings_directory_size``) but hard-codes ``rate_limit=None`` in
the ``InternalConfiguration`` it gives glean-core (``glean/glean.py``), which
then applies the 15/60 s default.  :func:`initialize_with_limits` sets the
rate limit on that configuration on its way to ``_uniffi.glean_initialize``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from glean import _uniffi

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

_initialize_lock: Final = threading.Lock()


def initialize_with_limits(limits: DeliveryLimits, initialize: Callable[[], None]) -> bool:
    """Run ``initialize`` (a ``Glean.initialize`` call) so that glean-core gets ``limits``' rate limit.

    The pending caps go through ``Configuration``; this only adds what the
    binding cannot pass.  Returns whether glean-core was initialized with
    the rate limit: False if ``initialize`` never reached
    ``_uniffi.glean_initialize`` (Glean was already initialized, or a
    future binding initializes another way), and the caller must not assume
    the limit then.
    """
    original = _uniffi.glean_initialize
    applied = False

    def glean_initialize(cfg: Any, client_info: Any, callbacks: Any) -> None:
        nonlocal applied
        cfg.rate_limit = _uniffi.PingRateLimit(
            seconds_per_interval=limits.seconds_per_interval, pings_per_interval=limits.pings_per_interval
        )
        applied = True
        original(cfg, client_info, callbacks)

    with _initialize_lock:
        _uniffi.glean_initialize = glean_initialize
        try:
            initialize()
        finally:
            _uniffi.glean_initialize = original
    return applied
