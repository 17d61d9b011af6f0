"""The debug view's HTTP routes on the lab's app, under ``/debug``.

Like the control API, the pages obey none of the lab's conditions: with
the internet "down" or the ingestion failing, the page still shows what
happened.  Every read of the store goes through the view's
:class:`~lab.debug_view.store_reader.StoreReader` and every page is
rendered on a worker thread, so neither a big store nor a big page holds
up the event loop that answers the VPN keepalives, nor the store's thread
that takes the uploads.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from aiohttp import web

from lab.debug_view import arrivals, pages
from lab.debug_view.arrivals import ArrivalFeed, Arrivals
from lab.debug_view.pages import Page
from lab.debug_view.store_reader import StoreReader
from lab.event_stream import serve_events
from lab.pipeline.store import PipelineStore
from mimic_core import assets

STATIC_DIR: Final = Path(__file__).resolve().parent / "static"
STATIC_FILES: Final = {
    "debug-view.js": (STATIC_DIR / "debug-view.js", "text/javascript"),
    "debug-view.css": (STATIC_DIR / "debug-view.css", "text/css"),
    "icon.svg": (assets.resource("icons/mimic-vpn.svg"), "image/svg+xml"),
}
SETTLE_S: Final = 0.5
"""After telling a page of arrivals, the stream waits this long and sends what came meanwhile as one message."""
REPORT_INTERVAL_S: Final = 2.0
"""The report is read again at most this often: it is SQL over the whole store, and a fleet stores pings
many times a second.  A page given an older report asks again (its region's generation is behind).  Each debug
tag's report (and the whole store's) is throttled on its own."""
REPORTS_KEPT: Final = 8
"""Reports kept between arrivals: the whole store's and those of the debug tags asked last.  A fleet names a tag
per run, so the tags asked are few at a time; one asked again after being dropped is read at once."""
CONTENT_SECURITY_POLICY: Final = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
"""The pages' own script, style sheet and icon, and nothing else: no inline script or style, no other origin."""
SECURITY_HEADERS: Final = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


@dataclass(frozen=True)
class _Report:
    """One report region's values and the generation they were read at."""

    generation: int
    values: dict[str, Any]
    read_at: float
    """The event loop's clock when it was read."""


class DebugView:
    """The ``/debug`` pages of one lab; :meth:`cleanup` (the app's cleanup) comes before the store closes."""

    def __init__(self, store: PipelineStore, feed: ArrivalFeed) -> None:
        self._reader = StoreReader(store)
        self._feed = feed
        self._report_lock = asyncio.Lock()
        self._reports: OrderedDict[str | None, _Report] = OrderedDict()
        """By debug tag (``None``: the whole store), the one asked last at the end."""

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/debug", self.overview),
            web.get("/debug/", self.overview),
            web.get("/debug/untagged", self.untagged),
            web.get("/debug/tags/{tag:.+}", self.tag),
            web.get("/debug/clients/{client_id}", self.client),
            web.get("/debug/events", self.events),
            web.get("/debug/static/{name}", self.static),
        ]

    async def cleanup(self, app: web.Application) -> None:
        await self._reader.close()

    async def overview(self, request: web.Request) -> web.StreamResponse:
        return await self._page(request, pages.overview())

    async def untagged(self, request: web.Request) -> web.StreamResponse:
        return await self._page(request, pages.tag_page(""))

    async def tag(self, request: web.Request) -> web.StreamResponse:
        return await self._page(request, pages.tag_page(request.match_info["tag"]))

    async def client(self, request: web.Request) -> web.StreamResponse:
        return await self._page(request, pages.client_page(request.match_info["client_id"].lower()))

    async def events(self, request: web.Request) -> web.StreamResponse:
        """SSE: the current generation at once (arrivals between a page's load and this stream show), then arrivals."""
        with self._feed.watch() as changes:
            first = arrivals.encode(Arrivals(self._feed.generation, frozenset()))
            return await serve_events(
                request, changes, arrivals.encode, first=first, merge=arrivals.merge, settle_s=SETTLE_S
            )

    async def static(self, request: web.Request) -> web.StreamResponse:
        found = STATIC_FILES.get(request.match_info["name"])
        if found is None:
            raise web.HTTPNotFound()
        path, content_type = found
        body = await asyncio.to_thread(path.read_bytes)
        return web.Response(body=body, content_type=content_type, headers=SECURITY_HEADERS)

    async def _page(self, request: web.Request, page: Page) -> web.StreamResponse:
        region = request.query.get("region")
        if region is not None and region not in page.regions:
            raise web.HTTPNotFound(text=f"this page has no region {region!r}")
        regions = page.regions if region is None else (region,)
        generation = self._feed.generation
        values = page.context(generation)
        from_store = [name for name in regions if name != "report"]
        if from_store:
            values.update(await self._reader.read(lambda db: pages.load(db, page, from_store)))
        if "report" in regions:
            report_generation, report = await self._report_values(page.report_tag)
            values.update(report)
            values["generation"] = min(generation, report_generation) if region is None else report_generation
        # Imported on the first page (Jinja): a lab nobody looks at does not load it at start.
        from lab.debug_view.rendering import render  # noqa: PLC0415

        template = page.template if region is None else f"region_{region}.html"
        text = await asyncio.to_thread(render, template, values)
        return web.Response(
            text=text, content_type="text/html", headers={**SECURITY_HEADERS, "Cache-Control": "no-store"}
        )

    async def _report_values(self, debug_tag: str | None) -> tuple[int, dict[str, Any]]:
        """The report region's values for ``debug_tag`` (``None``: the whole store) and their generation: read
        again when a submission was stored since the last read, and that read is :data:`REPORT_INTERVAL_S` old.

        The generation counts every stored submission, whatever its tag, so a tag's report is also read again
        after other tags' arrivals (still at most every :data:`REPORT_INTERVAL_S`): the page's generation, which
        the browser compares with the stream's, stays one number for every region.
        """
        async with self._report_lock:
            generation = self._feed.generation
            loop = asyncio.get_running_loop()
            kept = self._reports.get(debug_tag)
            if kept is None or (kept.generation != generation and loop.time() - kept.read_at >= REPORT_INTERVAL_S):
                values = await self._reader.read(lambda db: pages.report_region(db, debug_tag))
                kept = _Report(generation, values, loop.time())
                self._reports[debug_tag] = kept
            self._reports.move_to_end(debug_tag)
            while len(self._reports) > REPORTS_KEPT:
                self._reports.popitem(last=False)
            return kept.generation, kept.values
