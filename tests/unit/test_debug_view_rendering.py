"""The debug view's HTML escapes every value it inserts: text from a ping never becomes markup."""

from __future__ import annotations

from html.parser import HTMLParser

from lab.debug_view.queries import Ping, RefusedSubmission
from lab.debug_view.rendering import clock, render

HOSTILE = '"><script>alert(1)</script><img src=x onerror=alert(2)>'


class Elements(HTMLParser):
    """The tags and attribute names of a document."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.update(name for name, _ in attrs)


def elements(html: str) -> Elements:
    parser = Elements()
    parser.feed(html)
    return parser


def test_hostile_values_in_a_ping_and_a_refused_body_stay_text() -> None:
    ping = Ping(
        arrival=1, document_id=HOSTILE, app=HOSTILE, process=HOSTILE, ping=HOSTILE, received_at=HOSTILE, tag=HOSTILE,
        source_tags=HOSTILE, client_id=HOSTILE, reason=HOSTILE, seq=None, session_id=HOSTILE,
        installation_id=HOSTILE, end_time=HOSTILE, payload=HOSTILE,
    )  # fmt: skip
    refused = RefusedSubmission(1, HOSTILE, HOSTILE, HOSTILE, HOSTILE, HOSTILE, HOSTILE, 3, HOSTILE)
    html = render(
        "pings_page.html",
        {
            "title": HOSTILE, "heading": HOSTILE, "lead": HOSTILE, "tag": HOSTILE, "regions": (), "generation": 1,
            "pings": [ping], "ping_count": 1, "errors": [refused], "error_count": 1, "timelines": [],
        },
    )  # fmt: skip
    found = elements(html)
    assert "img" not in found.tags[found.tags.index("main") :]
    assert found.tags.count("script") == 1  # the page's own, in <head>
    assert "onerror" not in found.attributes
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_clock_keeps_the_time_of_day() -> None:
    assert clock("2026-12-01T16:55:08.177+00:00") == "16:55:08.177"
    assert clock("not a time") == "not a time"
