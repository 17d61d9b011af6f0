"""The lab's server lists: the shipped one, and generated ones for growth benchmarks."""

from __future__ import annotations

from pathlib import Path

import pytest

from lab.server_catalog import DEFAULT_CATALOG, load_catalog, synthetic_catalog


def test_the_shipped_list_is_found_and_valid() -> None:
    catalog = load_catalog()
    assert DEFAULT_CATALOG.is_file()
    assert "de-ber-wg-001" in catalog.names()
    assert len(set(catalog.names())) == len(catalog.names())


@pytest.mark.parametrize("count", [1, 10, 100, 1000])
def test_synthetic_list_has_exactly_count_unique_servers(count: int) -> None:
    names = synthetic_catalog(count).names()
    assert len(names) == count
    assert len(set(names)) == count


def test_synthetic_list_spreads_over_countries_and_cities() -> None:
    small = synthetic_catalog(10)
    assert len(small.countries) >= 5
    large = synthetic_catalog(1000)
    cities = [city for country in large.countries for city in country.cities]
    sizes = [len(city.servers) for city in cities]
    assert len(cities) > 20
    assert max(sizes) - min(sizes) <= 1


def test_synthetic_names_follow_the_shipped_style() -> None:
    country = synthetic_catalog(3).countries[0]
    city = country.cities[0]
    assert city.servers[0].name == f"{country.code}-{city.code}-wg-001"


def test_synthetic_list_needs_a_server() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        synthetic_catalog(0)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "not valid"),
        ('{"countries": []}', "no servers"),
        (
            '{"countries": [{"name": "A", "code": "a", "cities": [{"name": "B", "code": "b",'
            ' "servers": [{"name": "x"}, {"name": "x"}]}]}]}',
            "appears twice",
        ),
    ],
)
def test_unusable_lists_are_refused(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "servers.json"
    path.write_text(content)
    with pytest.raises(ValueError, match=message):
        load_catalog(path)


def test_a_missing_list_is_named(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="does not exist"):
        load_catalog(tmp_path / "nope.json")
