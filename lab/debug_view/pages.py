"""The debug view's pages and the regions they are made of, each loaded from the store in one read.

A page is a list of regions (``<section class="region">``); the page's URL
with ``?region=NAME`` returns that region alone, which is how the browser
refreshes a page when pings arrive.  The loaders here run on the store
reader's thread (``store_reader.py``), never on the event loop.

Pages:

- the overview (``/debug``): debug tags, clients seen, the session report
  with its charts, the latest decoder errors;
- a debug tag (``/debug/tags/<tag>``): its pings in arrival order, its
  decoder errors beside them, the session report over its pings alone, the
  session timelines of its installations;
- pings sent without a debug tag (``/debug/untagged``): the same but the
  report, which filters by one tag and has no filter for "no tag";
- a client (``/debug/clients/<client id>``): the pings and session
  timeline of the installation the client belongs to (the app and the
  daemon are two Glean clients; see ``timeline.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Final

import duckdb

from lab.debug_view import queries, timeline
from lab.debug_view.queries import Selection
from lab.pipeline.store import RAW
from mimic_core.telemetry_names import APP_PING, DAEMON_PING

PINGS_SHOWN: Final = 200
"""Pings a page lists (the latest); the page says how many there are in all."""
ERRORS_SHOWN: Final = 50
TIMELINE_PINGS: Final = 5000
"""Session pings a page's timelines are drawn from (the latest)."""
SESSION_PINGS: Final = (APP_PING, DAEMON_PING)

OVERVIEW: Final = "overview.html"
PINGS_PAGE: Final = "pings_page.html"


@dataclass(frozen=True)
class Page:
    template: str
    title: str
    regions: tuple[str, ...]
    selection: Selection = field(default_factory=Selection)
    heading: str = ""
    lead: str = ""
    tag: str | None = None
    """The one debug tag the page is about, if any (the browser refreshes it only for that tag)."""

    @property
    def report_tag(self) -> str | None:
        """The debug tag the page's report is limited to; ``None``: the whole store."""
        return self.tag or None

    def context(self, generation: int) -> dict[str, Any]:
        return {
            "title": self.title,
            "heading": self.heading,
            "lead": self.lead,
            "tag": self.tag,
            "regions": self.regions,
            "generation": generation,
        }


def overview() -> Page:
    return Page(OVERVIEW, "Overview", ("tags", "clients", "report", "errors"))


def tag_page(tag: str) -> Page:
    if not tag:
        return Page(
            PINGS_PAGE,
            "Pings without a debug tag",
            ("pings", "errors", "timelines"),
            Selection(tag=""),
            heading="Pings without a debug tag",
            lead="Submissions that came without an X-Debug-ID header, in the order the edge received them. "
            "No session report here: the report is over one debug tag or over the whole store (the overview's).",
            tag="",
        )
    return Page(
        PINGS_PAGE,
        f"Tag {tag}",
        ("pings", "errors", "report", "timelines"),
        Selection(tag=tag),
        heading=f"Debug tag {tag}",
        lead="The submissions sent with this X-Debug-ID, in the order the edge received them.",
        tag=tag,
    )


def client_page(client_id: str) -> Page:
    """The page of one client; :func:`installation_of` widens its selection to the client's installation."""
    return Page(
        PINGS_PAGE,
        f"Client {client_id}",
        ("pings", "timelines"),
        Selection(clients=(client_id,)),
        heading=f"Client {client_id}",
        lead="The pings of this client and of the other process of its installation (the app and the daemon "
        "are two Glean clients), and its sessions.",
    )


def installation_of(db: duckdb.DuckDBPyConnection, page: Page) -> Page:
    """A client page's selection widened to every client of the installation its session pings belong to."""
    (client_id,) = page.selection.clients
    for group in timeline.installations(queries.session_pings(db, Selection(), SESSION_PINGS, TIMELINE_PINGS)):
        clients = {ping.client_id for ping in group if ping.client_id}
        if client_id in clients:
            return replace(page, selection=replace(page.selection, clients=tuple(sorted(clients))))
    return page


def _tags(db: duckdb.DuckDBPyConnection, page: Page) -> dict[str, Any]:
    return {"tags": queries.tags(db)}


def _clients(db: duckdb.DuckDBPyConnection, page: Page) -> dict[str, Any]:
    return {"clients": queries.clients(db)}


def _errors(db: duckdb.DuckDBPyConnection, page: Page) -> dict[str, Any]:
    return {
        "errors": queries.errors(db, page.selection, ERRORS_SHOWN if page.tag is None else PINGS_SHOWN),
        "error_count": queries.count_errors(db, page.selection),
    }


def _pings(db: duckdb.DuckDBPyConnection, page: Page) -> dict[str, Any]:
    return {
        "pings": queries.pings(db, page.selection, PINGS_SHOWN),
        "ping_count": queries.count_pings(db, page.selection),
    }


def _timelines(db: duckdb.DuckDBPyConnection, page: Page) -> dict[str, Any]:
    return {"timelines": timeline.timelines(queries.session_pings(db, page.selection, SESSION_PINGS, TIMELINE_PINGS))}


LOADERS: Final[dict[str, Callable[[duckdb.DuckDBPyConnection, Page], dict[str, Any]]]] = {
    "tags": _tags,
    "clients": _clients,
    "errors": _errors,
    "pings": _pings,
    "timelines": _timelines,
}
"""Every region but the report, which is kept between arrivals per debug tag (``report_region``)."""


def load(db: duckdb.DuckDBPyConnection, page: Page, regions: Sequence[str]) -> dict[str, Any]:
    """The template values of ``regions`` of ``page``, in one read of the store."""
    if page.selection.clients:
        page = installation_of(db, page)
    values: dict[str, Any] = {}
    for region in regions:
        values.update(LOADERS[region](db, page))
    return values


def report_region(db: duckdb.DuckDBPyConnection, debug_tag: str | None = None) -> dict[str, Any]:
    """The report region's values: the lab's session report, its charts and its text, over the pings
    submitted with ``X-Debug-ID: debug_tag`` (``None``: the whole store).

    The report is ``lab/session_report.py``'s, built by the same SQL as
    ``vpnui-lab report --debug-tag`` and ``/lab/report?debug_tag=``, so the
    charts show the very figures of the report's JSON.
    """
    # Imported on the first report: a lab nobody looks at does not load the report's code at start.
    from lab.debug_view import charts  # noqa: PLC0415
    from lab.session_report import render_table, report_from_db  # noqa: PLC0415

    # The page's regions read one transaction (StoreReader): the report's figures come from its snapshot too.
    report = report_from_db(db, debug_tag=debug_tag, one_snapshot=True)
    (submissions,) = db.execute(
        f"SELECT count(*) FROM {RAW} WHERE ($tag IS NULL OR x_debug_id = $tag)", {"tag": debug_tag}
    ).fetchone() or (0,)
    return {
        "report_tag": debug_tag,
        "report": report,
        "submissions": int(submissions),
        "charts": charts.charts(report),
        "report_text": render_table(report),
    }
