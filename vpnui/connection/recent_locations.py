"""The locations the user chose last, most recent first, for the top of the location picker."""

from __future__ import annotations

from typing import Final

KEEP: Final = 3
"""How many are remembered: the picker shows them all above the full list."""


def location_key(country_code: str, city_code: str) -> str:
    """How a location is remembered (and named to QML): ``de/ber``."""
    return f"{country_code}/{city_code}"


def remember(recent: list[str], key: str, keep: int = KEEP) -> list[str]:
    """``recent`` with ``key`` first, without a repeat, at most ``keep`` long."""
    return [key, *(other for other in recent if other != key)][:keep]
