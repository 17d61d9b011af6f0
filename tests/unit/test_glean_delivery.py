"""The delivery limits and how the rate limit reaches glean-core (glean_delivery, glean_compat).

glean-core itself is replaced here by a recorder of what ``glean_initialize``
receives; that the limits take effect in a real Glean is shown by
tests/integration/test_ping_delivery.py.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from glean import _uniffi

from mimic_core.glean_compat import initialize_with_rate_limit
from mimic_core.glean_delivery import DELIVERY_LIMITS, GLEAN_DEFAULT_LIMITS, DeliveryLimits


def test_the_product_limits_are_above_glean_defaults() -> None:
    assert DELIVERY_LIMITS.pings_per_minute > GLEAN_DEFAULT_LIMITS.pings_per_minute
    assert DELIVERY_LIMITS.seconds_per_interval <= GLEAN_DEFAULT_LIMITS.seconds_per_interval
    assert DELIVERY_LIMITS.max_pending_pings > GLEAN_DEFAULT_LIMITS.max_pending_pings
    assert GLEAN_DEFAULT_LIMITS.pings_per_minute == 15


@pytest.mark.parametrize(
    "field", ["pings_per_interval", "seconds_per_interval", "max_pending_pings", "max_pending_bytes"]
)
def test_a_limit_below_one_is_refused(field: str) -> None:
    values = {"pings_per_interval": 1, "seconds_per_interval": 1, "max_pending_pings": 1, "max_pending_bytes": 1}
    with pytest.raises(ValueError, match=field):
        DeliveryLimits(**(values | {field: 0}))


def test_the_rate_limit_is_set_on_the_configuration_glean_core_receives(monkeypatch: pytest.MonkeyPatch) -> None:
    received: list[Any] = []
    monkeypatch.setattr(_uniffi, "glean_initialize", lambda cfg, client_info, callbacks: received.append(cfg))
    recorder = _uniffi.glean_initialize
    configuration = SimpleNamespace(rate_limit=None)
    limits = DeliveryLimits(pings_per_interval=7, seconds_per_interval=2, max_pending_pings=9, max_pending_bytes=10)

    applied = initialize_with_rate_limit(
        limits.seconds_per_interval,
        limits.pings_per_interval,
        lambda: _uniffi.glean_initialize(configuration, None, None),
    )

    assert applied
    assert received == [configuration]
    assert configuration.rate_limit == _uniffi.PingRateLimit(seconds_per_interval=2, pings_per_interval=7)
    assert _uniffi.glean_initialize is recorder


def test_an_initialize_that_never_reaches_glean_core_is_reported_and_restores_it() -> None:
    original = _uniffi.glean_initialize

    assert not initialize_with_rate_limit(
        DELIVERY_LIMITS.seconds_per_interval, DELIVERY_LIMITS.pings_per_interval, lambda: None
    )
    assert _uniffi.glean_initialize is original

    def failing() -> None:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        initialize_with_rate_limit(DELIVERY_LIMITS.seconds_per_interval, DELIVERY_LIMITS.pings_per_interval, failing)
    assert _uniffi.glean_initialize is original
