"""All simulated VPN servers of the lab: one UDP socket and one TCP port each.

Every server gets its own ports (chosen by the kernel) so that a client
addresses servers exactly as it would real ones, by host and port, and so
that one server being down never affects its neighbours.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass
from typing import Final

from lab.condition_board import ConditionBoard
from lab.fd_limit import ensure_open_files
from lab.server_catalog import ServerCatalog
from lab.vpn_tcp import TcpControlProtocol
from lab.vpn_udp import UdpServerProtocol
from mimic_core.lab_api import LabServer, ServerDirectory
from mimic_core.server_list import City, Country

# Descriptors the lab needs besides the servers: HTTP listener and clients,
# the database, pipes, and whatever tests connect at once.
_SPARE_FILES: Final = 256


@dataclass
class _RunningServer:
    name: str
    udp: UdpServerProtocol
    udp_port: int
    tcp: asyncio.Server
    tcp_port: int


class VpnServers:
    """The running servers of one catalog; start with :meth:`start`."""

    def __init__(self, catalog: ServerCatalog, board: ConditionBoard, rng: random.Random, host: str) -> None:
        self._catalog = catalog
        self._board = board
        self._rng = rng
        self._host = host
        self._running: dict[str, _RunningServer] = {}
        self._tcp_connections: set[asyncio.Transport] = set()

    async def start(self) -> None:
        ensure_open_files(2 * len(self._catalog.names()) + _SPARE_FILES)
        try:
            for name in self._catalog.names():
                self._running[name] = await self._start_one(name)
        except BaseException:
            await self.close()
            raise

    async def _start_one(self, name: str) -> _RunningServer:
        loop = asyncio.get_running_loop()
        protocol = UdpServerProtocol(name, self._board, self._rng)
        transport, _ = await loop.create_datagram_endpoint(lambda: protocol, local_addr=(self._host, 0))
        try:
            tcp = await loop.create_server(
                lambda: TcpControlProtocol(name, self._board, self._tcp_connections), self._host, 0
            )
        except BaseException:
            transport.close()
            raise
        udp_port: int = transport.get_extra_info("sockname")[1]
        tcp_port: int = tcp.sockets[0].getsockname()[1]
        return _RunningServer(name, protocol, udp_port, tcp, tcp_port)

    def directory(self, *, with_conditions: bool = False) -> ServerDirectory:
        """The catalog with each server's address (and, for the lab, its condition)."""
        conditions = self._board.current
        countries: list[Country[LabServer]] = []
        for country in self._catalog.countries:
            cities: list[City[LabServer]] = []
            for city in country.cities:
                servers: list[LabServer] = []
                for server in city.servers:
                    running = self._running[server.name]
                    servers.append(
                        LabServer(
                            name=server.name,
                            host=self._host,
                            udp_port=running.udp_port,
                            tcp_port=running.tcp_port,
                            condition=conditions.server(server.name) if with_conditions else None,
                        )
                    )
                cities.append(City(city.name, city.code, servers))
            countries.append(Country(country.name, country.code, cities))
        return ServerDirectory(countries)

    async def close(self) -> None:
        running = list(self._running.values())
        self._running.clear()
        for server in running:
            server.udp.close()
            server.tcp.close()
        for connection in list(self._tcp_connections):
            connection.close()
        for server in running:
            await server.tcp.wait_closed()
        # Let the transports' close callbacks run so every socket is released.
        await asyncio.sleep(0)
