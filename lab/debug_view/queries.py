"""What the debug view reads from the lab's store: clients, debug tags, pings and decoder errors.

The view reads the pipeline's own tables, not the stable ones the report
reads: ``payload_bytes_decoded`` holds every decoded ping once, including
the ``automation``-tagged ones the stable tables leave out (a test run's or
a fleet's pings are what a telemetry engineer debugs), with the kept
headers (``X-Debug-ID`` among them) and the JSON as sent;
``payload_bytes_error`` holds what the decoder refused.  Arrival order is
the order of the edge's ``submission_timestamp`` (stamped on one event
loop, in order), rows written at the same microsecond in the order written.

Every function takes a DuckDB connection and returns plain values, so the
pages can be built from a store in memory in the tests.
"""

from __future__ import annotations

import contextlib
import json
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import duckdb
import msgspec

from lab.pipeline.decoder import GZIP_MAGIC
from lab.pipeline.store import DECODED, ERROR
from mimic_core.telemetry_names import APPLICATION_IDS, INSTALLATION_ID, SHARED_SESSION_ID

PROCESS_OF_APP: Final = {application: process for process, application in APPLICATION_IDS.items()}
"""Glean application id (the submission's namespace) -> the process that sends it: ``app`` or ``daemon``."""

TIME_FORMAT: Final = "%Y-%m-%dT%H:%M:%S.%g+00:00"
"""Timestamps as the control API gives them: ISO 8601, UTC, milliseconds."""

PREVIEW_BYTES: Final = 4096
"""How much of a refused body the page shows (after gunzip, when it is gzip)."""

_IN_ARRIVAL_ORDER: Final = (
    f"SELECT *, row_number() OVER (ORDER BY submission_timestamp, rowid) AS arrival FROM {DECODED}"
)
"""The decoded pings numbered in order of arrival: by the edge's timestamp of the first copy, which the store keeps
(within one batch, a duplicate's row is written where its last copy came)."""
_TAG: Final = "coalesce(json_extract_string(headers, '$.x_debug_id'), '')"
_CLIENT: Final = "lower(json_extract_string(payload, '$.client_info.client_id'))"
# JSON pointers: the metric ids contain a dot, which a JSONPath would take for a step.
_SESSION: Final = f"lower(json_extract_string(payload, '/metrics/uuid/{SHARED_SESSION_ID}'))"
_INSTALLATION: Final = f"lower(json_extract_string(payload, '/metrics/uuid/{INSTALLATION_ID}'))"


@dataclass(frozen=True)
class Selection:
    """Which pings a part of a page is about.

    ``tag`` is one debug tag (``""``: pings sent without one), ``None`` for
    any; ``clients`` limits it to those client ids when not empty.
    """

    tag: str | None = None
    clients: tuple[str, ...] = ()

    def where(self, tag_column: str, client_column: str | None) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if self.tag is not None:
            clauses.append(f"{tag_column} = ?")
            params.append(self.tag)
        if self.clients and client_column is not None:
            clauses.append(f"list_contains(?, {client_column})")
            params.append(list(self.clients))
        return (f"WHERE {' AND '.join(clauses)}" if clauses else ""), params


class Client(msgspec.Struct, frozen=True):
    """One Glean client (one process of one installation) as its pings show it."""

    app: str
    process: str
    client_id: str | None
    installation_id: str | None
    pings: int
    first_seen: str
    last_seen: str
    tags: list[str]


class Tag(msgspec.Struct, frozen=True):
    tag: str
    """``""`` for pings sent without ``X-Debug-ID``."""
    pings: int
    errors: int
    last_seen: str


class Ping(msgspec.Struct, frozen=True):
    """A decoded ping, with what a telemetry engineer looks for first taken out of its payload."""

    arrival: int
    """Its place in the order the store received the decoded pings (1 = the first)."""
    document_id: str
    app: str
    process: str
    ping: str
    received_at: str
    tag: str
    source_tags: str | None
    client_id: str | None
    reason: str | None
    seq: int | None
    session_id: str | None
    installation_id: str | None
    end_time: str | None
    """``ping_info.end_time`` as the client sent it (when the ping was assembled)."""
    payload: str
    """The JSON as sent, pretty-printed."""


class RefusedSubmission(msgspec.Struct, frozen=True):
    """A row of the error table: what the decoder refused, and why."""

    arrival: int
    document_id: str
    uri: str
    received_at: str
    tag: str
    error_type: str
    error_message: str
    size: int
    preview: str
    """The start of the body as text (gunzipped when it is gzip), undecodable bytes replaced."""


def clients(db: duckdb.DuckDBPyConnection) -> list[Client]:
    """Every client that sent a decoded ping, the one seen last first."""
    rows = db.execute(
        f"""
        SELECT document_namespace, {_CLIENT} AS client_id,
          max({_INSTALLATION}) AS installation_id, count(*) AS pings,
          strftime(min(submission_timestamp), '{TIME_FORMAT}'), strftime(max(submission_timestamp), '{TIME_FORMAT}'),
          list(DISTINCT {_TAG} ORDER BY {_TAG})
        FROM {DECODED}
        GROUP BY 1, 2
        ORDER BY max(submission_timestamp) DESC, 1, 2
        """
    ).fetchall()
    return [
        Client(app, PROCESS_OF_APP.get(app, app), client_id, installation_id, pings, first, last, tags)
        for app, client_id, installation_id, pings, first, last, tags in rows
    ]


def tags(db: duckdb.DuckDBPyConnection) -> list[Tag]:
    """Every debug tag seen on a decoded ping or a refused submission, the one seen last first."""
    rows = db.execute(
        f"""
        WITH seen AS (
          SELECT {_TAG} AS tag, 1 AS ping, 0 AS error, submission_timestamp FROM {DECODED}
          UNION ALL
          SELECT coalesce(x_debug_id, ''), 0, 1, submission_timestamp FROM {ERROR}
        )
        SELECT tag, sum(ping)::BIGINT, sum(error)::BIGINT, strftime(max(submission_timestamp), '{TIME_FORMAT}')
        FROM seen GROUP BY 1 ORDER BY max(submission_timestamp) DESC, 1
        """
    ).fetchall()
    return [Tag(tag, pings, errors, last) for tag, pings, errors, last in rows]


def count_pings(db: duckdb.DuckDBPyConnection, selection: Selection) -> int:
    where, params = selection.where(_TAG, _CLIENT)
    (count,) = db.execute(f"SELECT count(*) FROM {DECODED} {where}", params).fetchone() or (0,)
    return int(count)


def pings(db: duckdb.DuckDBPyConnection, selection: Selection, limit: int) -> list[Ping]:
    """The latest ``limit`` decoded pings of ``selection``, in arrival order."""
    where, params = selection.where(_TAG, _CLIENT)
    rows = db.execute(
        f"""
        SELECT arrival, document_id, document_namespace, document_type,
          strftime(submission_timestamp, '{TIME_FORMAT}'), {_TAG},
          json_extract_string(headers, '$.x_source_tags'), {_CLIENT},
          json_extract_string(payload, '$.ping_info.reason'),
          TRY_CAST(json_extract(payload, '$.ping_info.seq') AS BIGINT),
          {_SESSION}, {_INSTALLATION}, json_extract_string(payload, '$.ping_info.end_time'), payload
        FROM ({_IN_ARRIVAL_ORDER}) {where}
        ORDER BY arrival DESC LIMIT ?
        """,
        [*params, limit],
    ).fetchall()
    return [
        Ping(
            arrival=arrival,
            document_id=document_id,
            app=app,
            process=PROCESS_OF_APP.get(app, app),
            ping=ping,
            received_at=received_at,
            tag=tag,
            source_tags=source_tags,
            client_id=client_id,
            reason=reason,
            seq=seq,
            session_id=session_id,
            installation_id=installation_id,
            end_time=end_time,
            payload=pretty_json(payload),
        )
        for (arrival, document_id, app, ping, received_at, tag, source_tags, client_id, reason, seq, session_id,
             installation_id, end_time, payload) in reversed(rows)
    ]  # fmt: skip


def count_errors(db: duckdb.DuckDBPyConnection, selection: Selection) -> int:
    where, params = selection.where("coalesce(x_debug_id, '')", None)
    (count,) = db.execute(f"SELECT count(*) FROM {ERROR} {where}", params).fetchone() or (0,)
    return int(count)


def errors(db: duckdb.DuckDBPyConnection, selection: Selection, limit: int) -> list[RefusedSubmission]:
    """The latest ``limit`` refused submissions of ``selection``'s tag, in arrival order.

    A refused body has no client id the pipeline could trust, so
    ``selection.clients`` does not narrow this list.
    """
    where, params = selection.where("coalesce(x_debug_id, '')", None)
    rows = db.execute(
        f"""
        SELECT arrival, document_id, uri, strftime(submission_timestamp, '{TIME_FORMAT}'),
          coalesce(x_debug_id, ''), error_type, error_message, octet_length(payload), payload[1:{PREVIEW_BYTES}]
        FROM (SELECT *, row_number() OVER (ORDER BY submission_timestamp, rowid) AS arrival FROM {ERROR}) {where}
        ORDER BY arrival DESC LIMIT ?
        """,
        [*params, limit],
    ).fetchall()
    return [
        RefusedSubmission(arrival, document_id, uri, received_at, tag, error_type, message, size, preview(head))
        for arrival, document_id, uri, received_at, tag, error_type, message, size, head in reversed(rows)
    ]


class SessionPing(msgspec.Struct, frozen=True):
    """The few fields of a session ping a timeline needs."""

    document_id: str
    process: str
    client_id: str | None
    installation_id: str | None
    session_id: str | None
    reason: str | None
    seq: int | None
    end_time: str | None
    received_at: str


def session_pings(
    db: duckdb.DuckDBPyConnection, selection: Selection, session_ping_names: Sequence[str], limit: int
) -> list[SessionPing]:
    """The latest ``limit`` session pings of ``selection`` (``vpnsession``, ``daemonsession``), in arrival order."""
    where, params = selection.where(_TAG, _CLIENT)
    where = f"{where} AND" if where else "WHERE"
    rows = db.execute(
        f"""
        SELECT document_id, document_namespace, {_CLIENT}, {_INSTALLATION}, {_SESSION},
          json_extract_string(payload, '$.ping_info.reason'),
          TRY_CAST(json_extract(payload, '$.ping_info.seq') AS BIGINT),
          json_extract_string(payload, '$.ping_info.end_time'), strftime(submission_timestamp, '{TIME_FORMAT}')
        FROM {DECODED} {where} list_contains(?, document_type)
        ORDER BY submission_timestamp DESC, rowid DESC LIMIT ?
        """,
        [*params, list(session_ping_names), limit],
    ).fetchall()
    return [
        SessionPing(document_id, PROCESS_OF_APP.get(app, app), client, installation, session, reason, seq, end, at)
        for document_id, app, client, installation, session, reason, seq, end, at in reversed(rows)
    ]


def pretty_json(text: str) -> str:
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False, sort_keys=False)
    except ValueError:
        return text


def preview(head: bytes | None) -> str:
    """The start of a refused body as text: gunzipped when it starts like gzip, pretty when it is JSON."""
    if not head:
        return ""
    body = b""
    if head.startswith(GZIP_MAGIC):
        with contextlib.suppress(zlib.error):
            body = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS).decompress(head, PREVIEW_BYTES)
    # Not gzip, or a corrupt one that gives nothing: the bytes themselves are what there is to see.
    body = body or head
    text = body.decode("utf-8", errors="replace")
    return pretty_json(text) if len(body) < PREVIEW_BYTES else text
