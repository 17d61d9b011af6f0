"""The server list: countries, cities and the servers behind each city.

The account service publishes it; the location picker shows it and the
server probe needs the servers of the chosen city as the daemon's
``ServerEndpoint``.  Decoding into typed structs rejects a malformed list
when it arrives instead of failing later inside the picker.
"""

from __future__ import annotations

import aiohttp
import msgspec

from mimic_core.protocol import ServerEndpoint
from vpnui.connection.http_probes import TRANSPORT_ERRORS, describe_transport_error, open_probe_session
from vpnui.connection.settings import ConnectionSettings


class ServerListError(Exception):
    """The server list could not be fetched or is not a valid list."""


class Server(msgspec.Struct, frozen=True):
    name: str
    host: str
    udp_port: int
    tcp_port: int = 0


class City(msgspec.Struct, frozen=True):
    name: str
    code: str
    servers: list[Server]


class Country(msgspec.Struct, frozen=True):
    name: str
    code: str
    cities: list[City]


class ServerList(msgspec.Struct, frozen=True):
    """``{"countries": [{"name", "code", "cities": [{"name", "code", "servers": [...]}]}]}``."""

    countries: list[Country]

    def country(self, country_code: str) -> Country | None:
        for country in self.countries:
            if country.code == country_code:
                return country
        return None

    def city(self, country_code: str, city_code: str) -> City | None:
        """The city with these codes, or ``None`` if the list has no such location."""
        country = self.country(country_code)
        if country is None:
            return None
        for city in country.cities:
            if city.code == city_code:
                return city
        return None

    def endpoints(self, country_code: str, city_code: str) -> list[ServerEndpoint]:
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


_decoder = msgspec.json.Decoder(ServerList)


def decode_server_list(data: bytes) -> ServerList:
    """A server list from its JSON, or ``ServerListError`` naming what is wrong."""
    try:
        return _decoder.decode(data)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise ServerListError(f"invalid server list: {exc}") from None


async def fetch_server_list(
    servers_url: str, settings: ConnectionSettings, session: aiohttp.ClientSession | None = None
) -> ServerList:
    """The server list from the account service, or ``ServerListError``.

    ``session`` defaults to a private one that is closed before returning.
    """
    if session is None:
        async with open_probe_session() as own_session:
            return await fetch_server_list(servers_url, settings, own_session)
    timeout = aiohttp.ClientTimeout(total=settings.server_list_timeout_s)
    try:
        async with session.get(servers_url, timeout=timeout) as response:
            if response.status != 200:
                raise ServerListError(f"server list unavailable: HTTP {response.status} from {servers_url}")
            data = await response.read()
    except TRANSPORT_ERRORS as exc:
        reason = describe_transport_error(exc, settings.server_list_timeout_s)
        raise ServerListError(f"server list unavailable from {servers_url}: {reason}") from exc
    return decode_server_list(data)
