"""A debug tag's page shows the session report over that tag's pings alone, with the overview's template.

Over the recorded run of real pings (tests/support/recorded_run.py) split
between two debug tags: the tag page's headline figures and chart figures
must be ``report_from_db(db, debug_tag=TAG)``'s, and differ from the whole
store's.  The routes keep one report per tag asked (the whole store's under
``None``), and only the few asked last.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import msgspec
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from lab.debug_view import charts, pages
from lab.debug_view.arrivals import ArrivalFeed
from lab.debug_view.rendering import render
from lab.debug_view.routes import REPORTS_KEPT, DebugView
from lab.pipeline.decoder import Submission
from lab.pipeline.store import PipelineStore, Writer, load_pings
from lab.session_report import SessionReport, report_from_db
from tests.support.recorded_run import recorded_pings
from tests.support.submissions import edge_submission

FIRST, SECOND = "run-a", "run-b"
SPLIT = 10
"""The recorded pings before this index are sent with :data:`FIRST`, the rest with :data:`SECOND`."""


def refused(tag: str | None) -> Submission:
    return edge_submission(b"{not json", tag=tag, received=datetime(2026, 12, 1, 15, 31, tzinfo=UTC))


@pytest.fixture(scope="module")
def db() -> Iterator[duckdb.DuckDBPyConnection]:
    pings = [
        msgspec.structs.replace(ping, headers={**ping.headers, "x_debug_id": FIRST if index < SPLIT else SECOND})
        for index, ping in enumerate(recorded_pings())
    ]
    store = load_pings(pings)
    Writer(store).write([refused(SECOND), refused(None)])
    yield store
    store.close()


class Figures(HTMLParser):
    """The report region's headline figures (``data-figure``) and its bars' ``data-*`` attributes, per chart."""

    def __init__(self) -> None:
        super().__init__()
        self.in_report = False
        self.chart: str | None = None
        self.figure: str | None = None
        self.figures: dict[str, str] = {}
        self.bars: dict[str, list[dict[str, str]]] = {}
        self.submissions: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if found.get("id") == "region-report":
            self.in_report = True
            self.submissions = found["data-submissions"]
        if not self.in_report:
            return
        if "data-figure" in found:
            self.figure = found["data-figure"]
        if tag == "svg" and "data-chart" in found:
            self.chart = found["data-chart"]
            self.bars[self.chart] = []
        if tag == "rect" and "bar" in found.get("class", "").split() and self.chart is not None:
            self.bars[self.chart].append({name[5:]: value for name, value in found.items() if name.startswith("data-")})

    def handle_endtag(self, tag: str) -> None:
        if tag == "section":
            self.in_report = False
        if tag == "dd":
            self.figure = None

    def handle_data(self, data: str) -> None:
        if self.figure is not None:
            self.figures[self.figure] = self.figures.get(self.figure, "") + data


def figures(html: str) -> Figures:
    parser = Figures()
    parser.feed(html)
    return parser


def expected_figures(report: SessionReport) -> dict[str, str]:
    """What the region's headline figures say, written from the report's JSON."""
    return {
        "inactive-values": f"{report.inactive_id.values_under_inactive_id} of {report.inactive_id.values_total}",
        "daemon-missing": f"{report.daemon_sessions.missing_start} / {report.daemon_sessions.missing_end}"
        f" of {report.daemon_sessions.total}",
        "retrieval-error-rate": f"{report.retrieval.error_rate * 100:.1f} % ({report.retrieval.errors}"
        f" of {report.retrieval.attempts})",
        "sessions": f"{report.session_counts.joined} / {report.session_counts.app_only}"
        f" / {report.session_counts.daemon_only}",
        "flagged": f"{report.session_counts.flagged} of {report.session_counts.total}",
    }


def expected_bars(report: SessionReport) -> dict[str, list[dict[str, str]]]:
    return {chart.name: [bar.data for bar in chart.bars] for chart in charts.charts(report)}


def rendered(db: duckdb.DuckDBPyConnection, page: pages.Page) -> str:
    values = page.context(1)
    values.update(pages.load(db, page, [name for name in page.regions if name != "report"]))
    if "report" in page.regions:
        values.update(pages.report_region(db, page.report_tag))
    return render(page.template, values)


@pytest.mark.parametrize("tag", [FIRST, SECOND])
def test_a_tag_page_shows_the_report_of_its_tag(db: duckdb.DuckDBPyConnection, tag: str) -> None:
    report = report_from_db(db, debug_tag=tag)
    shown = figures(rendered(db, pages.tag_page(tag)))
    assert shown.figures == expected_figures(report)
    assert shown.bars == expected_bars(report)
    assert shown.submissions == str(sum(counts.submissions for counts in report.pipeline))


def test_the_tags_reports_differ_from_each_other_and_from_the_whole_stores(db: duckdb.DuckDBPyConnection) -> None:
    whole, first, second = (report_from_db(db, debug_tag=tag) for tag in (None, FIRST, SECOND))
    overview = figures(rendered(db, pages.overview()))
    assert overview.figures == expected_figures(whole)
    assert overview.bars == expected_bars(whole)
    assert overview.submissions == str(sum(counts.submissions for counts in whole.pipeline))
    pages_shown = [figures(rendered(db, pages.tag_page(tag))) for tag in (FIRST, SECOND)]
    for shown in pages_shown:
        assert (shown.figures, shown.bars) != (overview.figures, overview.bars)
    assert (pages_shown[0].figures, pages_shown[0].bars) != (pages_shown[1].figures, pages_shown[1].bars)
    # The split is real: the tags' counts add up to the store's but for the untagged refused body.
    assert first.pings.total + second.pings.total == whole.pings.total
    assert expected_bars(second)["errors-by-type"] == [
        {"error-type": "json_parse", "value": "1", "where": "mimic-vpn/vpnsession: 1"}
    ]
    assert expected_bars(whole)["errors-by-type"][0]["value"] == "2"


def test_the_untagged_page_says_it_has_no_report(db: duckdb.DuckDBPyConnection) -> None:
    page = pages.tag_page("")
    assert "report" not in page.regions
    html = rendered(db, page)
    assert 'id="region-report"' not in html
    assert "No session report here" in html


def test_the_tag_reports_link_names_its_tag(db: duckdb.DuckDBPyConnection) -> None:
    html = rendered(db, pages.tag_page("a b&c"))
    assert 'href="/lab/report?debug_tag=a%20b%26c"' in html
    assert 'data-report-tag="a b&amp;c"' in html


async def served_regions(tmp_path: Path) -> tuple[dict[str | None, str], list[str | None]]:
    """The report region's ``data-submissions`` per page, and the tags whose reports the routes then keep."""
    store = PipelineStore(tmp_path / "telemetry.duckdb")
    await store.open()
    view = DebugView(store, ArrivalFeed())
    app = web.Application()
    app.add_routes(view.routes())
    app.on_cleanup.append(view.cleanup)
    try:
        for tag in (FIRST, SECOND, SECOND):
            await store.submit(refused(tag))
        await store.query(lambda db: None)  # every answered submission is committed before it
        found: dict[str | None, str] = {}
        asked: list[tuple[str | None, str]] = [(None, "/debug"), (FIRST, f"/debug/tags/{FIRST}")]
        asked.append((SECOND, f"/debug/tags/{SECOND}"))
        async with TestClient(TestServer(app)) as client:
            for asked_tag, url in asked:
                response = await client.get(url, params={"region": "report"})
                assert response.status == 200
                found[asked_tag] = figures(await response.text()).submissions or ""
            for index in range(REPORTS_KEPT + 3):
                assert (await client.get(f"/debug/tags/other-{index}", params={"region": "report"})).status == 200
            assert (await client.get(f"/debug/tags/{SECOND}", params={"region": "report"})).status == 200
            kept = list(view._reports)  # the bound is the cache's own: no page shows it
    finally:
        await store.close()
    return found, kept


def test_the_routes_keep_a_report_per_tag_and_only_the_tags_asked_last(tmp_path: Path) -> None:
    found, kept = asyncio.run(served_regions(tmp_path))
    assert found == {None: "3", FIRST: "1", SECOND: "2"}
    assert len(kept) == REPORTS_KEPT
    assert kept[-1] == SECOND  # asked again after the others: read again, and now the latest
    assert kept[:-1] == [f"other-{index}" for index in range(4, REPORTS_KEPT + 3)]
