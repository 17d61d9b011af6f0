"""One running lab: every simulated service in one asyncio process.

One process and one event loop, because the conditions must apply to all
services at the same instant (turning the internet off stops the web
endpoints and the VPN servers together) and because a single process is
quick to start for every test.
"""

from __future__ import annotations

import asyncio
import logging
import random
from pathlib import Path
from typing import Final

from aiohttp import web

from lab.condition_board import ConditionBoard
from lab.debug_view.arrivals import ArrivalFeed
from lab.debug_view.routes import DebugView
from lab.http_account import AccountRoutes
from lab.http_connectivity import ConnectivityRoutes
from lab.http_control import ControlRoutes
from lab.pipeline.edge import EdgeRoutes
from lab.pipeline.store import LINGER_S, PipelineStore
from lab.server_catalog import ServerCatalog
from lab.vpn_servers import VpnServers

log = logging.getLogger(__name__)

# Glean pings are small and compressed; a generous cap still stops a
# runaway upload.
_MAX_BODY: Final = 16 * 1024 * 1024
# Open event streams end when the board closes; nothing else may hold up
# shutdown for long.
_SHUTDOWN_TIMEOUT_S: Final = 2.0


class World:
    """The lab's services; :meth:`start` them, then :meth:`close` them."""

    def __init__(
        self,
        catalog: ServerCatalog,
        db_path: Path,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        seed: int | None = None,
        access_log: bool = False,
        batch_linger_s: float = LINGER_S,
    ) -> None:
        self._host = host
        self._port = port
        self._access_log = access_log
        self.board = ConditionBoard(catalog.names())
        self.arrivals = ArrivalFeed()
        self.store = PipelineStore(db_path, linger_s=batch_linger_s, on_committed=self.arrivals.stored)
        self.servers = VpnServers(catalog, self.board, random.Random(seed), host)
        self.stop_requested = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> str:
        """Open everything; the base URL of the HTTP services."""
        try:
            await self.store.open()
            await self.servers.start()
            self._runner = await self._start_http()
        except BaseException:
            await self.close()
            raise
        return self.url

    async def _start_http(self) -> web.AppRunner:
        app = web.Application(client_max_size=_MAX_BODY)
        control = ControlRoutes(self.board, self.store, self.servers, self.stop_requested.set)
        debug_view = DebugView(self.store, self.arrivals)
        for routes in (
            ConnectivityRoutes(self.board),
            AccountRoutes(self.board, self.servers),
            EdgeRoutes(self.board, self.store),
            control,
            debug_view,
        ):
            app.add_routes(routes.routes())
        app.on_shutdown.append(self._end_event_streams)
        # The debug view's reads end before the store closes its database (close(), after the runner's cleanup).
        app.on_cleanup.append(debug_view.cleanup)
        runner = web.AppRunner(
            app,
            handle_signals=False,
            shutdown_timeout=_SHUTDOWN_TIMEOUT_S,
            access_log=logging.getLogger("aiohttp.access") if self._access_log else None,
            # The edge keeps bodies as sent; the decoder decompresses (and bounds) them.
            auto_decompress=False,
        )
        await runner.setup()
        try:
            site = web.TCPSite(runner, self._host, self._port)
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        port = runner.addresses[0][1]
        host = f"[{self._host}]" if ":" in self._host else self._host
        self.url = f"http://{host}:{port}"
        return runner

    async def _end_event_streams(self, app: web.Application) -> None:
        self.board.close()
        self.arrivals.close()

    async def close(self) -> None:
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()
        await self.servers.close()
        await self.store.close()
