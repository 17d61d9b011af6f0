"""What the debug view reads from a store: clients, debug tags, pings in arrival order, refused bodies.

Over the recorded run of real pings (tests/support/recorded_run.py), plus
submissions of our own where a case needs a debug tag or a gzip body.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from datetime import UTC, datetime

import duckdb
import pytest

from lab.debug_view import queries
from lab.debug_view.queries import Selection
from lab.pipeline.decoder import Submission
from lab.pipeline.store import Writer
from tests.support.recorded_run import AUTOMATION_COPY, CORRUPT, FIRST_SESSION, recorded_pings, recorded_store
from tests.support.submissions import edge_submission

APP_CLIENT = "d52d3512-a874-42e0-9b82-34e28e2ed10a"
INSTALLATION = "9d2c5b6c-21d1-4b60-b33a-36a41d88fc46"


def submission(document_id: str, body: bytes, tag: str | None, doc_type: str = "vpnsession") -> Submission:
    received = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)
    return edge_submission(body, document_id=document_id, doc_type=doc_type, tag=tag, received=received)


TAGGED = "5e5e5e5e-5e5e-4e5e-8e5e-5e5e5e5e5e5e"
TAGGED_ERROR = "6f6f6f6f-6f6f-4f6f-8f6f-6f6f6f6f6f6f"


@pytest.fixture(scope="module")
def db() -> Iterator[duckdb.DuckDBPyConnection]:
    store = recorded_store()
    start = next(ping for ping in recorded_pings() if ping.payload["ping_info"].get("reason") == "start")
    Writer(store).write(
        [
            submission(TAGGED, gzip.compress(json.dumps(start.payload).encode()), "fleet-7"),
            submission(TAGGED_ERROR, gzip.compress(b'{"ping_info": "<b>not an object</b>"}'), "fleet-7"),
        ]
    )
    yield store
    store.close()


def test_tags_count_pings_and_refused_submissions_per_tag(db: duckdb.DuckDBPyConnection) -> None:
    found = {tag.tag: (tag.pings, tag.errors) for tag in queries.tags(db)}
    # 19 recorded pings and the automation copy are untagged (the retried daemon_end is the same document).
    assert found == {"": (20, 1), "fleet-7": (1, 1)}


def test_clients_are_one_per_process_with_their_installation(db: duckdb.DuckDBPyConnection) -> None:
    clients = {(client.process, client.client_id): client for client in queries.clients(db)}
    assert len(clients) == 2
    app = clients[("app", APP_CLIENT)]
    assert app.installation_id == INSTALLATION
    assert app.tags == ["", "fleet-7"]
    assert app.pings == 13  # 7 vpnsession, 1 health, 3 vpnclient, the automation copy and the tagged copy
    daemon = next(client for (process, _), client in clients.items() if process == "daemon")
    assert daemon.installation_id == INSTALLATION
    assert daemon.pings == 8


def test_a_tag_selects_its_pings_in_arrival_order(db: duckdb.DuckDBPyConnection) -> None:
    (tagged,) = queries.pings(db, Selection(tag="fleet-7"), limit=10)
    assert (tagged.document_id, tagged.tag, tagged.reason, tagged.session_id) == (
        TAGGED,
        "fleet-7",
        "start",
        FIRST_SESSION,
    )
    assert json.loads(tagged.payload)["client_info"]["client_id"] == APP_CLIENT
    assert tagged.payload.startswith("{\n  ")  # pretty-printed

    untagged = queries.pings(db, Selection(tag=""), limit=100)
    assert [ping.arrival for ping in untagged] == sorted(ping.arrival for ping in untagged)
    assert [ping.document_id for ping in untagged][:19] == [ping.document_id for ping in recorded_pings()][:19]
    assert untagged[-1].document_id == AUTOMATION_COPY
    assert untagged[-1].source_tags == "automation"
    assert queries.count_pings(db, Selection(tag="")) == 20


def test_a_limit_keeps_the_latest_and_clients_narrow_the_selection(db: duckdb.DuckDBPyConnection) -> None:
    latest = queries.pings(db, Selection(), limit=2)
    assert [ping.document_id for ping in latest] == [AUTOMATION_COPY, TAGGED]
    daemon_only = queries.pings(db, Selection(clients=("no-such-client",)), limit=10)
    assert daemon_only == []
    app = queries.pings(db, Selection(clients=(APP_CLIENT,)), limit=100)
    assert {ping.process for ping in app} == {"app"}
    assert len(app) == 13


def test_refused_bodies_are_shown_as_text_gunzipped(db: duckdb.DuckDBPyConnection) -> None:
    (corrupt,) = queries.errors(db, Selection(tag=""), limit=10)
    assert (corrupt.document_id, corrupt.error_type, corrupt.preview) == (CORRUPT, "json_parse", "{not json")
    (tagged,) = queries.errors(db, Selection(tag="fleet-7"), limit=10)
    assert tagged.error_type == "schema_validation"
    assert json.loads(tagged.preview) == {"ping_info": "<b>not an object</b>"}
    assert queries.count_errors(db, Selection()) == 2


def test_a_preview_of_a_corrupt_or_cut_gzip_body_shows_what_there_is() -> None:
    assert queries.preview(b"\x1f\x8b\x08\x00garbage").endswith("garbage")
    long_body = gzip.compress(b'{"a": "' + b"x" * 10_000 + b'"}')
    shown = queries.preview(long_body[: queries.PREVIEW_BYTES])
    assert shown.startswith('{"a": "xxx')
    assert queries.preview(None) == ""
