"""The rows of the location list: every city of the server list with what the picker shows of it.

Qt-free: ``vpnui.location_model`` hands these rows to QML and compares each
new set with the one shown, so only what changed is redrawn.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import IntEnum
from typing import TYPE_CHECKING, Final

import msgspec

if TYPE_CHECKING:
    from vpnui.connection.server_list import ServerList

GOOD_BELOW_MS: Final = 100.0
"""A round trip under this feels immediate (page loads, calls)."""
MODERATE_BELOW_MS: Final = 250.0
"""Under this, browsing is fine and calls lag a little; from here on, every page waits."""


class LatencyTier(IntEnum):
    """How a location's best round trip feels; the member order is part of the QML contract."""

    Unknown = 0
    """Not probed yet."""
    Good = 1
    Moderate = 2
    Poor = 3
    Unavailable = 4
    """Probed, and no server of the location answered."""


def latency_tier(probed: bool, latency_ms: float | None) -> LatencyTier:
    """The tier of a location whose best answer took ``latency_ms`` (``None``: no answer)."""
    if not probed:
        return LatencyTier.Unknown
    if latency_ms is None:
        return LatencyTier.Unavailable
    if latency_ms < GOOD_BELOW_MS:
        return LatencyTier.Good
    if latency_ms < MODERATE_BELOW_MS:
        return LatencyTier.Moderate
    return LatencyTier.Poor


LocationKey = tuple[str, str]
"""(country code, city code)."""


class LocationRow(msgspec.Struct, frozen=True):
    """One city of the list, as the picker shows it.

    A frozen ``msgspec.Struct``, not a dataclass: made before the window's
    screens, where the dataclass took about 0.7 ms to make.
    """

    country_code: str
    city_code: str
    country: str
    city: str
    servers: int
    latency_ms: float
    """The best round trip of the last probe; -1 when not probed or no server answered."""
    latency_tier: LatencyTier
    selected: bool
    recent_rank: int
    """0 for the location used last, 1 for the one before...; -1 when not among the recent ones."""

    @property
    def key(self) -> LocationKey:
        return self.country_code, self.city_code

    @property
    def name(self) -> str:
        return f"{self.city}, {self.country}"

    @property
    def recent(self) -> bool:
        return self.recent_rank >= 0


def location_rows(
    server_list: ServerList | None,
    scores: Mapping[LocationKey, float | None],
    selected: LocationKey,
    recent: Sequence[LocationKey],
) -> list[LocationRow]:
    """Every city of ``server_list`` in its order; ``scores`` holds the probed ones (``None``: no answer)."""
    if server_list is None:
        return []
    recent_rank = {key: rank for rank, key in reversed(list(enumerate(recent)))}
    rows = []
    for country in server_list.countries:
        for city in country.cities:
            key = (country.code, city.code)
            score = scores.get(key)
            rows.append(
                LocationRow(
                    country_code=country.code,
                    city_code=city.code,
                    country=country.name,
                    city=city.name,
                    servers=len(city.servers),
                    latency_ms=-1.0 if score is None else score,
                    latency_tier=latency_tier(key in scores, score),
                    selected=key == selected,
                    recent_rank=recent_rank.get(key, -1),
                )
            )
    return rows
