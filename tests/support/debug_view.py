"""Driving the lab's debug view (``/debug``) in a real headless Chromium, and feeding it real submissions.

The browser is Debian's ``chromium`` (``python -m lab.debug_view.system_check``
provides it; Playwright's own browser download is not used), driven by
Playwright's Python API.  Submissions go to the lab's edge as Glean sends
them: a gzip POST to ``/submit/<namespace>/<docType>/1/<docId>`` with the
``X-Debug-ID`` header.
"""

from __future__ import annotations

import gzip
import http.client
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

from lab.debug_view import system_check
from mimic_core.telemetry_names import INSTALLATION_ID, SHARED_SESSION_ID
from tests.support.glean_schema import validate_ping


def glean_ping(
    *,
    client_id: str,
    seq: int,
    reason: str,
    session_id: str | None = None,
    installation_id: str | None = None,
    end_time: datetime | None = None,
    os_name: str = "Linux",
) -> dict[str, Any]:
    """A ping as glean-sdk 71 assembles it (checked against the Glean ping schema)."""
    end = end_time if end_time is not None else datetime.now(UTC)
    uuids = {
        name: value for name, value in ((SHARED_SESSION_ID, session_id), (INSTALLATION_ID, installation_id)) if value
    }
    payload: dict[str, Any] = {
        "ping_info": {
            "seq": seq,
            "reason": reason,
            "start_time": (end - timedelta(seconds=30)).isoformat(timespec="milliseconds"),
            "end_time": end.isoformat(timespec="milliseconds"),
        },
        "client_info": {
            "telemetry_sdk_build": "71.0.0",
            "client_id": client_id,
            "first_run_date": "2026-12-01+00:00",
            "os": os_name,
            "os_version": "6.1",
            "architecture": "x86_64",
            "app_build": "0.1.0",
            "app_display_version": "0.1.0",
        },
        "metrics": {"uuid": uuids} if uuids else {},
    }
    validate_ping(payload)
    return payload


def submit(
    lab_url: str,
    body: bytes,
    *,
    namespace: str = "mimic-vpn",
    doc_type: str = "vpnsession",
    tag: str | None = None,
    document_id: str | None = None,
) -> str:
    """POST ``body`` to the lab's edge as Glean does; the document id. Fails unless the edge answers 200."""
    address = urlsplit(lab_url)
    document_id = document_id if document_id is not None else str(uuid.uuid4())
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "Glean/71.0.0 (Python on Linux)"}
    if body.startswith(b"\x1f\x8b"):
        headers["Content-Encoding"] = "gzip"
    if tag is not None:
        headers["X-Debug-ID"] = tag
    connection = http.client.HTTPConnection(address.hostname or "127.0.0.1", address.port, timeout=10)
    try:
        connection.request("POST", f"/submit/{namespace}/{doc_type}/1/{document_id}", body=body, headers=headers)
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    assert response.status == 200, f"the edge answered {response.status}"
    return document_id


def gzip_json(payload: dict[str, Any]) -> bytes:
    return gzip.compress(json.dumps(payload).encode())


@dataclass
class BrowserLog:
    """What a page said on its console and what it threw: a clean page says nothing of either."""

    problems: list[str] = field(default_factory=list)

    def attach(self, page: Page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"uncaught: {error}"))
        page.on("requestfailed", lambda request: self.problems.append(f"request failed: {request.url}"))

    def _console(self, message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            self.problems.append(f"console {message.type}: {message.text} ({message.location})")


@contextmanager
def chromium() -> Iterator[Browser]:
    """A headless Chromium of Debian's package, driven by Playwright."""
    executable = system_check.chromium()
    assert executable is not None, "no `chromium`: run `python -m lab.debug_view.system_check` (make test does)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(executable), headless=True)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def debug_page(browser: Browser, url: str) -> Iterator[tuple[Page, BrowserLog]]:
    """``url`` open in a fresh page, its live stream connected; closed afterwards (before the lab stops)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    log = BrowserLog()
    log.attach(page)
    try:
        page.goto(url)
        page.wait_for_selector('#live-state[data-state="live"]', timeout=10_000)
        yield page, log
    finally:
        context.close()
