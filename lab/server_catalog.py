"""Which VPN servers the lab plays: read from a list, or made up in bulk.

The product ships ``resources/servers.json`` (countries, cities, server
names).  Growth benchmarks need far more servers than that, so a synthetic
catalog of any size can be generated, spread over countries and cities the
way a real provider's list is, with names in the same style.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final, TypeAlias

import msgspec

from mimic_core import assets
from mimic_core.server_list import City, Country, ServerList, ServerName

# The lab package sits next to resources/ in the source tree, which is also
# where an editable install (pip install -e .) leaves it.
DEFAULT_CATALOG: Final = assets.resource("servers.json")


ServerCatalog: TypeAlias = ServerList[ServerName]
"""The same shape as ``resources/servers.json``: servers by name, without addresses."""


def load_catalog(path: Path = DEFAULT_CATALOG) -> ServerCatalog:
    """The catalog in ``path``, or ``ValueError`` if it is unusable."""
    try:
        catalog = msgspec.json.decode(path.read_bytes(), type=ServerCatalog)
    except FileNotFoundError:
        raise ValueError(f"server list {path} does not exist") from None
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise ValueError(f"server list {path} is not valid: {exc}") from exc
    validate_catalog(catalog)
    return catalog


def validate_catalog(catalog: ServerCatalog) -> None:
    names = catalog.names()
    if not names:
        raise ValueError("the server list has no servers")
    seen: set[str] = set()
    for name in names:
        if not name or name == "*":
            raise ValueError(f"invalid server name {name!r}")
        if name in seen:
            raise ValueError(f"server {name!r} appears twice in the server list")
        seen.add(name)


# Enough places that even a thousand servers look like a real provider's
# list: several cities per country, a few dozen servers per city at most.
_PLACES: Final[tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...]] = (
    ("Germany", "de", (("Berlin", "ber"), ("Frankfurt", "fra"), ("Munich", "muc"))),
    ("United States", "us", (("New York", "nyc"), ("Seattle", "sea"), ("Dallas", "dal"), ("Miami", "mia"))),
    ("France", "fr", (("Paris", "par"), ("Marseille", "mrs"))),
    ("Japan", "jp", (("Tokyo", "tyo"), ("Osaka", "osa"))),
    ("Brazil", "br", (("São Paulo", "sao"), ("Rio de Janeiro", "rio"))),
    ("United Kingdom", "gb", (("London", "lon"), ("Manchester", "man"))),
    ("Canada", "ca", (("Toronto", "tor"), ("Vancouver", "van"), ("Montréal", "mtl"))),
    ("Australia", "au", (("Sydney", "syd"), ("Melbourne", "mel"))),
    ("Netherlands", "nl", (("Amsterdam", "ams"),)),
    ("Sweden", "se", (("Stockholm", "sto"), ("Gothenburg", "got"))),
    ("Singapore", "sg", (("Singapore", "sin"),)),
    ("Spain", "es", (("Madrid", "mad"), ("Barcelona", "bcn"))),
    ("Italy", "it", (("Milan", "mil"), ("Rome", "rom"))),
    ("Switzerland", "ch", (("Zürich", "zrh"),)),
    ("India", "in", (("Mumbai", "bom"), ("Delhi", "del"))),
    ("South Africa", "za", (("Johannesburg", "jnb"),)),
)


def synthetic_catalog(count: int) -> ServerCatalog:
    """A catalog of exactly ``count`` servers spread over countries and cities.

    Servers are dealt round-robin over cities, taking one city per country
    in turn, so a small catalog still spans many countries and a large one
    fills every city evenly.
    """
    if count < 1:
        raise ValueError("the server count must be at least 1")
    cities_in_turn: list[tuple[int, int]] = []
    deepest = max(len(cities) for _, _, cities in _PLACES)
    for depth in range(deepest):
        for country_index, (_, _, cities) in enumerate(_PLACES):
            if depth < len(cities):
                cities_in_turn.append((country_index, depth))
    per_city: dict[tuple[int, int], list[ServerName]] = {}
    for index in range(count):
        country_index, city_index = cities_in_turn[index % len(cities_in_turn)]
        servers = per_city.setdefault((country_index, city_index), [])
        _, country_code, cities = _PLACES[country_index]
        city_code = cities[city_index][1]
        servers.append(ServerName(f"{country_code}-{city_code}-wg-{len(servers) + 1:03d}"))
    countries: list[Country[ServerName]] = []
    for country_index, (country_name, country_code, cities) in enumerate(_PLACES):
        catalog_cities = [
            City(city_name, city_code, per_city[(country_index, city_index)])
            for city_index, (city_name, city_code) in enumerate(cities)
            if (country_index, city_index) in per_city
        ]
        if catalog_cities:
            countries.append(Country(country_name, country_code, catalog_cities))
    return ServerCatalog(countries)
