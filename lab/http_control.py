"""The lab's own control API under ``/lab/``.

It is how tests, benchmarks, the command line and the app's lab panel
drive the world, so it never obeys the conditions it controls: with the
internet "down" the lab must still be reachable to bring it back up.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from pathlib import Path
from typing import Final

import duckdb
import msgspec
from aiohttp import web

from lab.condition_board import ConditionBoard
from lab.event_stream import serve_events, sse_message
from lab.http_replies import error_reply, json_reply
from lab.pipeline.store import PipelineStore
from lab.vpn_servers import VpnServers
from mimic_core.lab_api import ExportRequest, ExportResult, Health
from mimic_core.network_conditions import Conditions, to_json

_DEFAULT_PING_LIMIT: Final = 100
_MAX_PING_LIMIT: Final = 100_000


def sse_event(conditions: Conditions) -> bytes:
    return sse_message("conditions", to_json(conditions))


_BOOLEANS: Final = {"1": True, "true": True, "0": False, "false": False}
"""The values a boolean query parameter takes."""


class ControlRoutes:
    def __init__(
        self,
        board: ConditionBoard,
        store: PipelineStore,
        servers: VpnServers,
        request_shutdown: Callable[[], None],
    ) -> None:
        self._board = board
        self._store = store
        self._servers = servers
        self._request_shutdown = request_shutdown

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/lab/health", self.health),
            web.get("/lab/conditions", self.conditions),
            web.patch("/lab/conditions", self.patch_conditions),
            web.post("/lab/reset", self.reset),
            web.get("/lab/events", self.events),
            web.get("/lab/pings", self.pings),
            web.get("/lab/report", self.report),
            web.post("/lab/export", self.export),
            web.get("/lab/servers", self.servers),
            web.post("/lab/shutdown", self.shutdown),
        ]

    async def health(self, request: web.Request) -> web.StreamResponse:
        return json_reply(Health(ok=True, pid=os.getpid()))

    async def conditions(self, request: web.Request) -> web.StreamResponse:
        return json_reply(self._board.current)

    async def patch_conditions(self, request: web.Request) -> web.StreamResponse:
        try:
            patch = msgspec.json.decode(await request.read())
        except msgspec.DecodeError as exc:
            return error_reply(f"the patch is not valid JSON: {exc}", 400)
        try:
            return json_reply(self._board.patch(patch))
        except ValueError as exc:
            return error_reply(str(exc), 400)

    async def reset(self, request: web.Request) -> web.StreamResponse:
        return json_reply(self._board.reset())

    async def events(self, request: web.Request) -> web.StreamResponse:
        """Server-Sent Events: the current conditions, then every change."""
        with self._board.watch() as changes:
            return await serve_events(request, changes, sse_event, first=sse_event(self._board.current))

    async def pings(self, request: web.Request) -> web.StreamResponse:
        query = request.query
        try:
            limit = int(query.get("limit", _DEFAULT_PING_LIMIT))
        except ValueError:
            return error_reply("limit must be a whole number", 400)
        if not 1 <= limit <= _MAX_PING_LIMIT:
            return error_reply(f"limit must be between 1 and {_MAX_PING_LIMIT}", 400)
        stored = await self._store.pings(app=query.get("app") or None, ping=query.get("ping") or None, limit=limit)
        return json_reply(stored)

    async def report(self, request: web.Request) -> web.StreamResponse:
        """The session report; ``?debug_tag=TAG`` limits it to the submissions sent with ``X-Debug-ID: TAG``.

        ``?all_sessions=1`` lists every session, not only the flagged ones.
        """
        from lab.session_report import report_from_db  # noqa: PLC0415  (only this endpoint needs it)

        debug_tag = request.query.get("debug_tag") or None
        all_sessions = _BOOLEANS.get(request.query.get("all_sessions", "0").lower())
        if all_sessions is None:
            return error_reply("all_sessions must be 1, 0, true or false", 400)

        def report(db: duckdb.DuckDBPyConnection) -> bytes:
            # Encoded off the event loop too: every session of a million pings is a document of tens of megabytes.
            return msgspec.json.encode(report_from_db(db, debug_tag=debug_tag, all_sessions=all_sessions))

        # The SQL reads on connections of its own (each file the latest commit): submissions keep being stored.
        return web.Response(body=await self._store.read(report), content_type="application/json")

    async def export(self, request: web.Request) -> web.StreamResponse:
        """Write the store's tables as Parquet under ``out`` (an absolute directory); the files written.

        DuckDB lets one process at a time open the store's file, so while the
        lab runs it is the lab that exports, from a snapshot, as ingestion goes on.
        """
        from lab.pipeline.export import export_parquet  # noqa: PLC0415  (only this endpoint needs it)

        try:
            export = msgspec.json.decode(await request.read(), type=ExportRequest)
        except msgspec.DecodeError as exc:
            return error_reply(f"the export request is not valid: {exc}", 400)
        out = Path(export.out)
        if not out.is_absolute():
            return error_reply(f"out must be an absolute directory, not {export.out!r}", 400)
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            return error_reply(f"cannot write to {out}: {exc}", 400)
        try:
            written = await self._store.read(lambda db: export_parquet(db, out, every_table=export.every_table))
        except (OSError, duckdb.Error) as exc:
            return error_reply(f"the export failed: {exc}", 500)
        return json_reply(ExportResult(written=[str(path) for path in written]))

    async def servers(self, request: web.Request) -> web.StreamResponse:
        return json_reply(self._servers.directory(with_conditions=True))

    async def shutdown(self, request: web.Request) -> web.StreamResponse:
        # Answer first; the lab closes once this response is on its way.
        asyncio.get_running_loop().call_soon(self._request_shutdown)
        return json_reply({"ok": True})
