"""The lab's debug view (``/debug``) in a real headless Chromium, against a real lab, daemon and edge.

The browser is Debian's ``chromium``, driven by Playwright's Python API
(``make test`` provides it: ``python -m lab.debug_view.system_check``).
Every page must load with nothing on the browser's console: no error, no
warning, no failed request, no uncaught exception.

- A ping POSTed to the edge as Glean sends it shows on its debug tag's page
  within 2 s, through the page's live stream (a bounded wait, not a timing
  measurement), and pings of other tags do not.
- What a hostile client sends (markup in a payload, in the debug tag, in a
  body the decoder refuses) is shown as text, on the first load and on a
  live refresh alike: nothing of it becomes an element or runs.
- The report's charts carry the very figures of the report's JSON
  (``/lab/report``; on a tag's page, ``/lab/report?debug_tag=TAG``), read
  from the ``data-*`` attributes of their bars,
  over pings of a real daemon (tagged through ``GLEAN_DEBUG_VIEW_TAG``, as
  Glean's Debug View asks) and refused submissions.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest

pytest.importorskip("playwright.sync_api", reason="playwright is a test dependency (pip install -e '.[test]')")

from playwright.sync_api import Browser, Page

from lab.installation import Installation, wait_until
from lab.lab_process import LabProcess
from tests.support.debug_view import chromium, debug_page, glean_ping, gzip_json, submit

SHOWN_WITHIN_MS = 2000
"""How long a just-stored ping may take to show on an open page."""
SETTLED_MS = 15_000
"""How long the report region may take to catch up with the last submission (the report is SQL over the store)."""
DELIVERY_TIMEOUT_S = 30.0


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


def test_a_submitted_ping_shows_on_its_tag_page_within_two_seconds(lab: LabProcess, browser: Browser) -> None:
    tag = "browser-live"
    client_id, session_id = str(uuid.uuid4()), str(uuid.uuid4())
    with debug_page(browser, f"{lab.url}/debug/tags/{tag}") as (page, log):
        assert page.locator("#region-pings .empty").is_visible()

        ping = glean_ping(client_id=client_id, seq=0, reason="start", session_id=session_id)
        first = submit(lab.url, gzip_json(ping), tag=tag)
        item = page.locator(f'#region-pings li[data-document-id="{first}"]')
        item.wait_for(timeout=SHOWN_WITHIN_MS)

        assert item.get_attribute("data-reason") == "start"
        assert item.get_attribute("data-session-id") == session_id
        item.locator("summary").click()
        shown = json.loads(item.locator("pre.payload").inner_text())
        assert shown["client_info"]["client_id"] == client_id
        assert shown["ping_info"]["reason"] == "start"

        # Another tag's ping stays off this page; the next one of this tag comes after the first.
        other = submit(lab.url, gzip_json(glean_ping(client_id=client_id, seq=1, reason="timer")), tag="other-tag")
        second = submit(lab.url, gzip_json(glean_ping(client_id=client_id, seq=2, reason="end")), tag=tag)
        page.locator(f'#region-pings li[data-document-id="{second}"]').wait_for(timeout=SHOWN_WITHIN_MS)
        listed = page.locator("#region-pings li[data-document-id]")
        assert [listed.nth(i).get_attribute("data-document-id") for i in range(listed.count())] == [first, second]
        assert page.locator(f'[data-document-id="{other}"]').count() == 0
        # The ping opened before the refresh is still open.
        assert item.locator("details").get_attribute("open") is not None
        assert log.problems == []


HOSTILE = "<script>window.__pwned = 1</script><img src=x onerror='window.__pwned = 2'>"
"""Markup a hostile client could put anywhere it writes text."""
HOSTILE_REASON = "<img src=x onerror=f()>"
"""Markup that fits in ``ping_info.reason`` (at most 30 characters in the Glean schema)."""


def assert_inert(page: Page) -> None:
    """Nothing of :data:`HOSTILE` became an element, and nothing ran."""
    assert page.evaluate("() => window.__pwned") is None
    assert page.locator("main script, main img, main iframe").count() == 0
    assert page.locator("[onerror]").count() == 0


def test_hostile_text_is_shown_as_text_and_never_runs(lab: LabProcess, browser: Browser) -> None:
    tag = '<img src="y" onerror="window.__pwned = 3">'
    client_id = str(uuid.uuid4())
    stored_before = submit(
        lab.url, gzip_json(glean_ping(client_id=client_id, seq=0, reason=HOSTILE_REASON, os_name=HOSTILE)), tag=tag
    )
    refused_before = submit(lab.url, HOSTILE.encode(), tag=tag)  # not JSON: a row of the error table
    with debug_page(browser, f"{lab.url}/debug/tags/{quote(tag, safe='')}") as (page, log):
        assert page.locator("h1").inner_text() == f"Debug tag {tag}"
        pings = page.locator(f'#region-pings li[data-document-id="{stored_before}"]')
        assert pings.get_attribute("data-reason") == HOSTILE_REASON
        assert HOSTILE in (pings.locator("pre.payload").text_content() or "")
        refused = page.locator(f'#region-errors li[data-document-id="{refused_before}"]')
        assert refused.get_attribute("data-error-type") == "json_parse"
        assert HOSTILE in (refused.locator("pre.payload").text_content() or "")
        assert_inert(page)

        # The same through a live refresh of the open page.
        live = submit(
            lab.url, gzip_json(glean_ping(client_id=client_id, seq=1, reason=HOSTILE_REASON, os_name=HOSTILE)), tag=tag
        )
        item = page.locator(f'#region-pings li[data-document-id="{live}"]')
        item.wait_for(timeout=SHOWN_WITHIN_MS)
        item.locator("summary").click()
        assert HOSTILE in item.locator("pre.payload").inner_text()
        assert item.locator(".reason").inner_text() == HOSTILE_REASON
        assert_inert(page)
        assert log.problems == []

    with debug_page(browser, f"{lab.url}/debug") as (page, log):
        assert page.locator("#region-tags tr[data-tag] code").first.inner_text() == tag
        assert_inert(page)
        assert log.problems == []


def bars(page: Page, chart: str) -> list[dict[str, str]]:
    """The ``data-*`` attributes of every bar of ``chart``, by their names in the HTML (``mean-s``...)."""
    figures: list[dict[str, str]] = page.locator(f'svg[data-chart="{chart}"] rect.bar').evaluate_all(
        "rects => rects.map(rect => Object.fromEntries([...rect.attributes]"
        ".filter(attribute => attribute.name.startsWith('data-'))"
        ".map(attribute => [attribute.name.slice(5), attribute.value])))"
    )
    return figures


def number(text: str) -> float | None:
    return None if text == "" else float(text)


def assert_charts_show(page: Page, report: dict[str, Any]) -> None:
    """The report region's three charts carry ``report``'s figures (the JSON of ``/lab/report``)."""
    session_types = {(bar["side"], bar["type"]): int(bar["value"]) for bar in bars(page, "session-types")}
    assert session_types == {
        (side, kind): count for side, kinds in report["session_types"].items() for kind, count in kinds.items()
    }
    assert session_types[("daemonsession", "graceful")] == 2
    assert session_types[("daemonsession", "non_graceful")] == 1

    delays = {
        (bar["app"], bar["ping"]): tuple(number(bar[key]) for key in ("pings", "negative", "mean-s", "min-s", "max-s"))
        for bar in bars(page, "delivery-delay")
    }
    assert delays == {
        (row["app"], row["ping"]): (row["pings"], row["negative"], row["mean_s"], row["min_s"], row["max_s"])
        for row in report["delivery_delay"]
    }
    assert ("mimic-vpn-daemon", "daemonsession") in delays

    errors: Counter[str] = Counter()
    for counts in report["pipeline"]:
        errors.update(counts["errors_by_type"])
    assert {bar["error-type"]: int(bar["value"]) for bar in bars(page, "errors-by-type")} == dict(errors)
    assert dict(errors) == {"decompression": 1, "invalid_doc_type": 1, "schema_validation": 1}


def daemon_reasons(lab: LabProcess) -> list[str | None]:
    return [
        ping.payload["ping_info"].get("reason")
        for ping in lab.control.pings(app="mimic-vpn-daemon", ping="daemonsession")
    ]


def test_the_charts_show_the_figures_of_the_report(
    mimic_installation: Installation, lab: LabProcess, browser: Browser
) -> None:
    tag = "browser-report"
    # The daemon's own Glean tags its pings, as Glean's Debug View asks (vpnui-ctl starts the daemon with this env).
    mimic_installation.env["GLEAN_DEBUG_VIEW_TAG"] = tag
    for step in (("activate", "fr/par"), ("deactivate",), ("activate", "de/ber")):
        result = mimic_installation.ctl(*step)
        assert result.returncode == 0, result.stderr
    # Killed once its daemon_start is stored (a SIGKILL may lose a ping submitted in its last moments):
    # the session of de/ber then ends by the next daemon's flush_init.
    assert wait_until(lambda: daemon_reasons(lab).count("daemon_start") == 2, DELIVERY_TIMEOUT_S)
    killed = mimic_installation.kill_daemon()
    assert killed is not None
    for step in (("activate", "fr/par"), ("deactivate",)):
        result = mimic_installation.ctl(*step)
        assert result.returncode == 0, result.stderr
    submit(lab.url, b"\x1f\x8b\x08\x00 a torn gzip body", tag=tag)  # decompression
    submit(lab.url, gzip_json({"not": "a ping"}), tag=tag)  # schema_validation
    submit(lab.url, gzip_json({"x": 1}), doc_type="no-such-ping", tag=tag)  # invalid_doc_type

    def delivered() -> bool:
        report = lab.control.report()
        return mimic_installation.queued_pings("daemon") == 0 and report["daemon_sessions"]["total"] == 3

    assert wait_until(delivered, DELIVERY_TIMEOUT_S), "the daemon's pings did not all arrive"
    report = lab.control.report()
    submissions = sum(counts["submissions"] for counts in report["pipeline"])

    with debug_page(browser, f"{lab.url}/debug") as (page, log):
        page.locator(f'#region-report[data-submissions="{submissions}"]').wait_for(timeout=SETTLED_MS)
        assert lab.control.report() == report  # nothing arrived meanwhile: the page and the JSON see one store
        assert_charts_show(page, report)
        assert log.problems == []

    # The real daemon's pings are on the tag's page, with the three refused submissions beside them, and the
    # report over the tag's submissions alone, with the very figures of /lab/report?debug_tag=TAG (that a tag's
    # figures differ from the whole store's is tests/unit/test_debug_view_tag_report.py's).
    tagged = lab.control.report(tag)
    tagged_submissions = sum(counts["submissions"] for counts in tagged["pipeline"])
    with debug_page(browser, f"{lab.url}/debug/tags/{tag}") as (page, log):
        page.locator(f'#region-report[data-submissions="{tagged_submissions}"]').wait_for(timeout=SETTLED_MS)
        assert lab.control.report(tag) == tagged
        assert tagged["debug_tag"] == tag
        assert_charts_show(page, tagged)
        reasons = page.locator("#region-pings li[data-ping=daemonsession]").evaluate_all(
            "items => items.map(item => item.dataset.reason)"
        )
        assert reasons.count("daemon_start") == 3
        assert reasons.count("daemon_end") == 2
        assert reasons.count("flush_init") == 1
        assert page.locator("#region-errors li[data-error-type]").count() == 3
        lines: list[dict[str, Any]] = page.locator("#region-timelines g.session-line").evaluate_all(
            "lines => lines.map(line => ({session: line.dataset.sessionId,"
            " reasons: [...line.querySelectorAll('.mark')].map(mark => mark.dataset.reason)}))"
        )
        sessions = {line["session"]: line["reasons"] for line in lines if line["session"]}
        assert len(sessions) == 3
        assert sorted(map(sorted, sessions.values())) == sorted(
            [["daemon_end", "daemon_start"], ["daemon_end", "daemon_start"], ["daemon_start", "flush_init"]]
        )
        assert log.problems == []
