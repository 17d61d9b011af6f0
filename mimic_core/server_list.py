"""The server list: countries, cities and the servers of each city, in one shape for every side.

The lab's catalogue (``resources/servers.json``: names only), the account
service's list the app downloads (with each server's address) and the lab's
own view of it (with each server's condition) are the same tree with more or
less known about each server, so they share one generic model: a
``ServerList[ServerName]``, a ``ServerList[ServerAddress]`` and a
``ServerList[LabServer]`` (``mimic_core.lab_api``).  Decoding into these
typed structs rejects a malformed list when it arrives instead of failing
later inside a picker or a probe.
"""

from __future__ import annotations

from typing import Generic, TypeVar

import msgspec

from mimic_core.protocol import ServerEndpoint


class ServerName(msgspec.Struct, frozen=True):
    """A server as the catalogue lists it: a unique name."""

    name: str


class ServerAddress(ServerName, frozen=True):
    """A server as a client reaches it."""

    host: str
    udp_port: int
    tcp_port: int = 0


S = TypeVar("S", bound=ServerName)
A = TypeVar("A", bound=ServerAddress)


class City(msgspec.Struct, Generic[S], frozen=True):
    name: str
    code: str
    servers: list[S]


class Country(msgspec.Struct, Generic[S], frozen=True):
    name: str
    code: str
    cities: list[City[S]]


class ServerList(msgspec.Struct, Generic[S], frozen=True):
    """``{"countries": [{"name", "code", "cities": [{"name", "code", "servers": [...]}]}]}``."""

    countries: list[Country[S]]

    def country(self, country_code: str) -> Country[S] | None:
        for country in self.countries:
            if country.code == country_code:
                return country
        return None

    def city(self, country_code: str, city_code: str) -> City[S] | None:
        """The city with these codes, or ``None`` if the list has no such location."""
        country = self.country(country_code)
        if country is None:
            return None
        for city in country.cities:
            if city.code == city_code:
                return city
        return None

    def servers(self) -> list[S]:
        """Every server, country by country and city by city."""
        return [server for country in self.countries for city in country.cities for server in city.servers]

    def names(self) -> list[str]:
        return [server.name for server in self.servers()]

    def find(self, name: str) -> S:
        """The server called ``name``; ``KeyError`` if there is none."""
        for server in self.servers():
            if server.name == name:
                return server
        raise KeyError(name)

    def endpoints(self: ServerList[A], country_code: str, city_code: str) -> list[ServerEndpoint]:
        """The servers of a location as the daemon and the server probe take them.

        Empty for an unknown location, which the server probe then reports
        as unavailable rather than raising in the middle of a check run.
        """
        city = self.city(country_code, city_code)
        if city is None:
            return []
        return [
            ServerEndpoint(
                name=server.name,
                host=server.host,
                udp_port=server.udp_port,
                tcp_port=server.tcp_port,
                city=city.code,
                country=country_code,
            )
            for server in city.servers
        ]
