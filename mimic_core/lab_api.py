"""The JSON shapes of the lab's HTTP API, shared by the lab and its clients.

Defined once so the server that encodes them and the control client (used
by tests, benchmarks and the app's lab panel) that decodes them cannot drift
apart.
"""

from __future__ import annotations

from typing import Any

import msgspec

from mimic_core.network_conditions import ServerCondition


class ServerEndpoint(msgspec.Struct, frozen=True, omit_defaults=True):
    """One VPN server as a client reaches it.

    ``condition`` is only filled in by the lab's own ``/lab/servers`` view;
    the account service's server list never reveals it.
    """

    name: str
    host: str
    udp_port: int
    tcp_port: int
    condition: ServerCondition | None = None


class CityDirectory(msgspec.Struct, frozen=True):
    name: str
    code: str
    servers: list[ServerEndpoint]


class CountryDirectory(msgspec.Struct, frozen=True):
    name: str
    code: str
    cities: list[CityDirectory]


class ServerDirectory(msgspec.Struct, frozen=True):
    """The server list with addresses, as ``GET /api/v1/servers`` returns it."""

    countries: list[CountryDirectory]

    def servers(self) -> list[ServerEndpoint]:
        return [server for country in self.countries for city in country.cities for server in city.servers]

    def find(self, name: str) -> ServerEndpoint:
        for server in self.servers():
            if server.name == name:
                return server
        raise KeyError(name)


class Health(msgspec.Struct, frozen=True):
    ok: bool
    pid: int


class StoredPing(msgspec.Struct, frozen=True):
    """A telemetry ping as the ingestion endpoint stored it."""

    document_id: str
    app: str
    ping: str
    version: str
    received_at: str
    """UTC, ISO 8601."""
    headers: dict[str, str]
    payload: dict[str, Any]


class ErrorReply(msgspec.Struct, frozen=True):
    error: str
