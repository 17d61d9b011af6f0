"""Mozilla's decoder, for one submission: a decoded ping, or a row of the error table.

The steps and their error types follow gcp-ingestion's decoder: the body is
decompressed (gzip when it starts with gzip's magic bytes, whatever the
headers say) up to 8 MB, parsed as JSON, routed by namespace and document
type to a schema (``invalid_doc_type`` for an unknown one), validated
against the Glean ping schema, and enriched: ``client_id`` lower-cased,
``sample_id = crc32(client_id) % 100``, the kept headers nested under
``metadata.header``, the user agent parsed into ``metadata.user_agent``.
Nothing here raises on bad input: every failure is a :class:`DecodeError`
naming its type, so the raw bytes end in the error table and the client
that sent them is counted instead of silently losing its ping.

Pure functions; the store runs them on its own thread.
"""

from __future__ import annotations

import functools
import json
import re
import uuid
import zlib
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Final

import jsonschema
import jsonschema_rs
import msgspec

from lab.pipeline.catalog import Catalog, PingSchema
from lab.pipeline.tables import HEADERS
from mimic_core import assets

MAX_DECOMPRESSED_BYTES: Final = 8 * 1024 * 1024
"""gcp-ingestion's limit on a decompressed payload."""
GZIP_MAGIC: Final = b"\x1f\x8b"
SCHEMA_FILE: Final = assets.resource("glean.1.schema.json")
AUTOMATION_TAG: Final = "automation"
"""An ``X-Source-Tags`` value that keeps a ping out of the stable tables (CI and test traffic)."""


class Submission(msgspec.Struct, frozen=True, kw_only=True):
    """What the edge received: the request as Mozilla's raw table keeps it, body untouched."""

    submission_timestamp: datetime
    uri: str
    namespace: str
    doc_type: str
    doc_version: str
    doc_id: str
    method: str
    content_length: int
    user_agent: str | None
    headers: dict[str, str]
    """The kept headers, by column name (``x_source_tags``...)."""
    payload: bytes


class DecodeError(msgspec.Struct, frozen=True):
    error_type: str
    error_message: str


class Decoded(msgspec.Struct, frozen=True):
    """A ping that passed every step: its table row and its JSON as sent."""

    ping: PingSchema
    row: dict[str, Any]
    payload: str

    @property
    def automation(self) -> bool:
        tags = self.row["metadata"]["header"]["parsed_x_source_tags"] or []
        return AUTOMATION_TAG in tags


@functools.cache
def _schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return schema


@functools.cache
def _validator() -> jsonschema.protocols.Validator:
    schema = _schema()
    validator_class = jsonschema.validators.validator_for(schema)
    return validator_class(schema)


@functools.cache
def _fast_validator() -> jsonschema_rs.Validator:
    # Formats are annotations, as python-jsonschema (the reference, below) treats them by default.
    return jsonschema_rs.validator_for(_schema(), validate_formats=False)


def schema_error(payload: object) -> jsonschema.ValidationError | None:
    """The Glean schema's most relevant complaint about ``payload``, None when it is valid.

    jsonschema-rs answers "valid" in about a microsecond; python-jsonschema
    takes about a millisecond per ping, most of the decoder's time, so it
    runs only on what jsonschema-rs refuses, to name the error (and to have
    the last word: a ping it finds valid is valid).
    """
    if _fast_validator().is_valid(payload):
        return None
    return jsonschema.exceptions.best_match(_validator().iter_errors(payload))


def decompress(payload: bytes) -> bytes:
    """The body, gunzipped when it is gzip; ``DecodeError`` when corrupt or over the cap."""
    if not payload.startswith(GZIP_MAGIC):
        if len(payload) > MAX_DECOMPRESSED_BYTES:
            raise _Failure("submission_bytes", f"the payload is over {MAX_DECOMPRESSED_BYTES} bytes")
        return payload
    decompressor = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        body = decompressor.decompress(payload, MAX_DECOMPRESSED_BYTES)
    except zlib.error as exc:
        raise _Failure("decompression", f"the gzip body is corrupt: {exc}") from None
    if decompressor.unconsumed_tail:
        raise _Failure("submission_bytes", f"the payload decompresses to more than {MAX_DECOMPRESSED_BYTES} bytes")
    if not decompressor.eof:
        raise _Failure("decompression", "the gzip body is truncated")
    return body


class _Failure(Exception):
    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type


def decode(submission: Submission, catalog: Catalog) -> Decoded | DecodeError:
    try:
        return _decode(submission, catalog)
    except _Failure as failure:
        return DecodeError(failure.error_type, str(failure))


def _decode(submission: Submission, catalog: Catalog) -> Decoded:
    try:
        document_id = str(uuid.UUID(submission.doc_id))
    except ValueError:
        raise _Failure("uri", f"the document id {submission.doc_id!r} is not a UUID") from None
    body = decompress(submission.payload)
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, ValueError) as exc:
        raise _Failure("json_parse", f"the payload is not JSON: {exc}") from None
    if not isinstance(payload, dict):
        raise _Failure("json_parse", "the payload is not a JSON object")
    if not catalog.knows(submission.namespace, submission.doc_type):
        raise _Failure(
            "invalid_doc_type", f"no schema for {submission.namespace}/{submission.doc_type}/{submission.doc_version}"
        )
    error = schema_error(payload)
    if error is not None:
        where = "/".join(str(part) for part in error.absolute_path) or "(root)"
        raise _Failure("schema_validation", f"glean.1 schema: {where}: {error.message}"[:1000])
    ping = catalog.pings[submission.doc_type]
    return Decoded(ping, to_row(submission, document_id, payload, ping), body.decode("utf-8"))


# --- the row ---------------------------------------------------------------------------------------------------------


def parse_time(text: object) -> str | None:
    """A Glean date-time (``2024-05-01T10:20+02:00``) as an ISO instant in UTC, None if it is none."""
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


_USER_AGENT: Final = re.compile(r"^(?P<browser>[^/\s]+)/(?P<version>\S+)(?:\s*\((?P<comment>[^)]*)\))?")


def user_agent(value: str | None) -> dict[str, str | None]:
    """``Glean/71.0.0 (Python on Linux)`` -> browser Glean, version 71.0.0, os Linux."""
    match = _USER_AGENT.match(value or "")
    if match is None:
        return {"browser": None, "os": None, "version": None}
    comment = match["comment"] or ""
    return {"browser": match["browser"], "os": comment.rsplit(" on ", 1)[-1] or None, "version": match["version"]}


def _header_date(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).astimezone(UTC).isoformat()
    except (TypeError, ValueError):
        return None


def _distribution(value: Mapping[str, Any]) -> dict[str, Any]:
    values = value.get("values") or {}
    return {
        "count": value.get("count", sum(values.values())),
        "sum": value.get("sum"),
        "values": [{"key": str(key), "value": count} for key, count in values.items()],
    }


def metric_value(metric_type: str, value: Any) -> Any:
    """A Glean JSON value in the shape of its column."""
    if metric_type.endswith("distribution") and not metric_type.startswith("labeled_"):
        return _distribution(value)
    if metric_type == "dual_labeled_counter":
        return [
            {"key": key, "value": [{"key": inner, "value": count} for inner, count in categories.items()]}
            for key, categories in value.items()
        ]
    if metric_type.startswith("labeled_"):
        inner_type = metric_type.removeprefix("labeled_")
        return [{"key": key, "value": metric_value(inner_type, inner)} for key, inner in value.items()]
    if metric_type == "object":
        return json.dumps(value)
    return value


def _metrics(payload: Mapping[str, Any], ping: PingSchema) -> tuple[dict[str, Any], dict[str, Any]]:
    """The ``metrics`` struct, and what the schema has no column for (for ``additional_properties``)."""
    sent: dict[str, dict[str, Any]] = {kind: dict(values) for kind, values in (payload.get("metrics") or {}).items()}
    columns: dict[str, dict[str, Any]] = {}
    for metric in ping.metrics:
        section = columns.setdefault(metric.type, {})
        value = sent.get(metric.type, {}).pop(metric.id, None)
        if metric.type == "datetime":
            section[f"raw_{metric.column}"] = value
            section[metric.column] = parse_time(value)
        else:
            section[metric.column] = None if value is None else metric_value(metric.type, value)
    unknown = {kind: values for kind, values in sent.items() if values}
    return columns, unknown


def _events(payload: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "category": event.get("category"),
            "name": event.get("name"),
            "timestamp": event.get("timestamp"),
            "extra": [{"key": key, "value": str(value)} for key, value in (event.get("extra") or {}).items()],
        }
        for event in payload.get("events") or []
    ]


_CLIENT_INFO_FIELDS: Final = (
    "app_build",
    "app_channel",
    "app_display_version",
    "architecture",
    "build_date",
    "first_run_date",
    "locale",
    "os",
    "os_version",
    "telemetry_sdk_build",
    "session_count",
    "session_id",
)


def to_row(submission: Submission, document_id: str, payload: Mapping[str, Any], ping: PingSchema) -> dict[str, Any]:
    """The live/stable table row of a valid ping."""
    client = payload.get("client_info") or {}
    client_id = client.get("client_id")
    client_id = client_id.lower() if isinstance(client_id, str) else None
    info = payload.get("ping_info") or {}
    header = {name: submission.headers.get(name) for name in HEADERS}
    tags = header["x_source_tags"]
    metrics, unknown_metrics = _metrics(payload, ping)
    additional: dict[str, Any] = {}
    if unknown_metrics:
        additional["metrics"] = unknown_metrics
    extra_client = {key: value for key, value in client.items() if key not in (*_CLIENT_INFO_FIELDS, "client_id")}
    if extra_client:
        additional["client_info"] = extra_client
    row: dict[str, Any] = {
        "document_id": document_id,
        "submission_timestamp": submission.submission_timestamp.isoformat(),
        "sample_id": zlib.crc32(client_id.encode()) % 100 if client_id else None,
        "normalized_app_id": submission.namespace,
        "client_info": {"client_id": client_id, **{name: client.get(name) for name in _CLIENT_INFO_FIELDS}},
        "ping_info": {
            "seq": info.get("seq"),
            "start_time": info.get("start_time"),
            "end_time": info.get("end_time"),
            "reason": info.get("reason"),
            "parsed_start_time": parse_time(info.get("start_time")),
            "parsed_end_time": parse_time(info.get("end_time")),
        },
        "metadata": {
            "header": {
                **header,
                "parsed_date": _header_date(header["date"]),
                "parsed_x_source_tags": [tag.strip() for tag in tags.split(",")] if tags else None,
            },
            "user_agent": user_agent(submission.user_agent),
        },
        "events": _events(payload),
        "additional_properties": json.dumps(additional) if additional else None,
    }
    if ping.metrics:
        row["metrics"] = metrics
    return row
