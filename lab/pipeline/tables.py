"""The Mozilla-shaped tables and views, generated from the catalog, in BigQuery's dialect.

The shapes follow mozilla-pipeline-schemas' Glean schema as bigquery-etl
reads it: one ``<app>_live.<ping>_v1`` and one ``<app>_stable.<ping>_v1``
table per application and ping, with ``client_info``, ``ping_info``,
``metadata.header``, ``events`` and the metrics nested as
``metrics.<type>.<category>_<name>``; labeled metrics as key/value arrays,
distributions as ``STRUCT<count, sum, values ARRAY<STRUCT<key, value>>>``,
datetimes as a TIMESTAMP beside the ``raw_`` string Glean sent.  The DDL is
written for BigQuery and transpiled with sqlglot for the engine at hand, so
the same text creates the tables on BigQuery, DuckDB and Spark.

Besides Mozilla's tables, ``payload_bytes_raw.structured`` (every
submission as the edge received it), ``payload_bytes_error.structured``
(what the decoder refused, with its error type) and
``payload_bytes_decoded.structured`` (each decoded ping as JSON, what the
lab's control API serves).  Views: ``mimic_vpn.<ping>``, the union of every
application's stable table of that ping (Mozilla's ``mozilla_vpn.*``), and
three generated for the report, ``mimic_vpn.all_pings`` (one row per stable
ping with its identity), ``mimic_vpn.all_live_pings`` (one per live row) and
``mimic_vpn.metric_values`` (how many values each metric holds in each ping,
with the ping's lower-cased ``session_id``, NULL for pings without one),
each with the ping's ``x_debug_id`` header for the report's debug tag.
"""

from __future__ import annotations

from typing import Final

import sqlglot

from lab.pipeline.catalog import Catalog, Metric, PingSchema, dataset, table_name
from lab.pipeline.duckdb_unnest import unnest_in_select
from mimic_core.telemetry_names import SHARED_SESSION_ID

FAMILY: Final = "mimic_vpn"
"""The dataset of the union views over both applications."""

DIST: Final = "STRUCT<count INT64, sum INT64, `values` ARRAY<STRUCT<key STRING, value INT64>>>"
RATE: Final = "STRUCT<numerator INT64, denominator INT64>"

METRIC_TYPES: Final[dict[str, str]] = {
    "boolean": "BOOL",
    "counter": "INT64",
    "quantity": "INT64",
    "string": "STRING",
    "text": "STRING",
    "url": "STRING",
    "uuid": "STRING",
    "jwe": "STRING",
    "object": "STRING",
    "datetime": "TIMESTAMP",
    "string_list": "ARRAY<STRING>",
    "timespan": "STRUCT<time_unit STRING, value INT64>",
    "rate": RATE,
    "timing_distribution": DIST,
    "memory_distribution": DIST,
    "custom_distribution": DIST,
    "labeled_counter": "ARRAY<STRUCT<key STRING, value INT64>>",
    "labeled_quantity": "ARRAY<STRUCT<key STRING, value INT64>>",
    "labeled_boolean": "ARRAY<STRUCT<key STRING, value BOOL>>",
    "labeled_string": "ARRAY<STRUCT<key STRING, value STRING>>",
    "labeled_rate": f"ARRAY<STRUCT<key STRING, value {RATE}>>",
    "labeled_timing_distribution": f"ARRAY<STRUCT<key STRING, value {DIST}>>",
    "labeled_memory_distribution": f"ARRAY<STRUCT<key STRING, value {DIST}>>",
    "labeled_custom_distribution": f"ARRAY<STRUCT<key STRING, value {DIST}>>",
    "dual_labeled_counter": "ARRAY<STRUCT<key STRING, value ARRAY<STRUCT<key STRING, value INT64>>>>",
}
"""BigQuery type of each Glean metric type, as mozilla-pipeline-schemas maps them."""

HEADERS: Final = ("date", "dnt", "x_debug_id", "x_pingsender_version", "x_source_tags", "x_telemetry_agent")
"""The request headers the edge keeps (Date, DNT, X-Debug-ID, ...), as column names."""

CLIENT_INFO: Final = (
    "STRUCT<client_id STRING, app_build STRING, app_channel STRING, app_display_version STRING, "
    "architecture STRING, build_date STRING, first_run_date STRING, locale STRING, os STRING, os_version STRING, "
    "telemetry_sdk_build STRING, session_count INT64, session_id STRING>"
)
PING_INFO: Final = (
    "STRUCT<seq INT64, start_time STRING, end_time STRING, reason STRING, "
    "parsed_start_time TIMESTAMP, parsed_end_time TIMESTAMP>"
)
METADATA: Final = (
    "STRUCT<header STRUCT<"
    + ", ".join(f"{name} STRING" for name in HEADERS)
    + ", parsed_date TIMESTAMP, parsed_x_source_tags ARRAY<STRING>>, "
    "user_agent STRUCT<browser STRING, os STRING, version STRING>>"
)
EVENTS: Final = (
    "ARRAY<STRUCT<category STRING, name STRING, timestamp INT64, extra ARRAY<STRUCT<key STRING, value STRING>>>>"
)

RAW_COLUMNS: Final = (
    "submission_timestamp TIMESTAMP, uri STRING, document_namespace STRING, document_type STRING, "
    "document_version STRING, document_id STRING, method STRING, content_length INT64, user_agent STRING, "
    + ", ".join(f"{name} STRING" for name in HEADERS)
    + ", payload BYTES"
)


def metrics_type(ping: PingSchema) -> str:
    by_type: dict[str, list[Metric]] = {}
    for metric in ping.metrics:
        by_type.setdefault(metric.type, []).append(metric)
    fields: list[str] = []
    for metric_type, metrics in sorted(by_type.items()):
        columns: list[str] = []
        for metric in metrics:
            if metric_type == "datetime":
                columns.append(f"raw_{metric.column} STRING")
            columns.append(f"{metric.column} {METRIC_TYPES[metric_type]}")
        fields.append(f"{metric_type} STRUCT<{', '.join(columns)}>")
    return f"STRUCT<{', '.join(fields)}>" if fields else ""


def ping_columns(ping: PingSchema) -> list[tuple[str, str]]:
    """The columns of a live or stable table of ``ping``, name and BigQuery type."""
    columns = [
        ("document_id", "STRING"),
        ("submission_timestamp", "TIMESTAMP"),
        ("sample_id", "INT64"),
        ("normalized_app_id", "STRING"),
        ("client_info", CLIENT_INFO),
        ("ping_info", PING_INFO),
        ("metadata", METADATA),
        ("events", EVENTS),
    ]
    if metrics := metrics_type(ping):
        columns.append(("metrics", metrics))
    columns.append(("additional_properties", "STRING"))
    return columns


def _create_table(name: str, columns: str) -> str:
    return f"CREATE TABLE IF NOT EXISTS {name} ({columns})"


def table_ddl(catalog: Catalog) -> list[str]:
    """CREATE SCHEMA/TABLE statements for every table, BigQuery dialect."""
    statements = [
        f"CREATE SCHEMA IF NOT EXISTS {name}"
        for name in (
            "payload_bytes_raw",
            "payload_bytes_error",
            "payload_bytes_decoded",
            FAMILY,
            *(dataset(namespace, kind) for namespace in catalog.namespaces for kind in ("live", "stable")),
        )
    ]
    statements.append(_create_table("payload_bytes_raw.structured", RAW_COLUMNS))
    statements.append(
        _create_table("payload_bytes_error.structured", f"{RAW_COLUMNS}, error_type STRING, error_message STRING")
    )
    statements.append(
        _create_table(
            "payload_bytes_decoded.structured",
            "submission_timestamp TIMESTAMP, document_namespace STRING, document_type STRING, "
            "document_version STRING, document_id STRING, headers STRING, payload STRING",
        )
    )
    for namespace in catalog.namespaces:
        for ping in catalog.pings.values():
            columns = ", ".join(f"{name} {kind}" for name, kind in ping_columns(ping))
            for kind in ("live", "stable"):
                statements.append(_create_table(f"{dataset(namespace, kind)}.{ping.table}", columns))
    return statements


def _value_count(metric: Metric, column: str) -> str:
    """BigQuery expression: how many values ``column`` holds (see the report's definition of a metric value)."""
    if metric.type == "dual_labeled_counter":
        return f"(SELECT COUNT(*) FROM UNNEST({column}) AS outer_label, UNNEST(outer_label.value) AS inner_label)"
    if metric.type.startswith("labeled_"):
        # One value per label: the Glean schema types every label's value (no null), so the array's length is the
        # count, a projection every engine computes per row (a subquery over UNNEST is a correlated join on DuckDB).
        return f"COALESCE(ARRAY_LENGTH({column}), 0)"
    if metric.type == "string_list":
        return f"IF(ARRAY_LENGTH({column}) > 0, 1, 0)"
    return f"IF({column} IS NULL, 0, 1)"


def _session_id(ping: PingSchema) -> str:
    """BigQuery expression: the ping's lower-cased shared session id, NULL for a ping that has none."""
    for metric in ping.metrics:
        if metric.id == SHARED_SESSION_ID:
            return f"metrics.{metric.type}.{metric.column}"
    return "CAST(NULL AS STRING)"


def view_ddl(catalog: Catalog) -> list[str]:
    """The union views, BigQuery dialect."""
    statements: list[str] = []
    all_pings: list[str] = []
    live_pings: list[str] = []
    values: list[str] = []
    for ping in catalog.pings.values():
        members: list[str] = []
        for namespace in catalog.namespaces:
            source = f"{dataset(namespace, 'stable')}.{ping.table}"
            members.append(f"SELECT * FROM {source}")
            all_pings.append(
                f"SELECT '{namespace}' AS namespace, '{ping.name}' AS document_type, document_id, submission_timestamp,"
                " client_info.client_id AS client_id, ping_info.seq AS seq, ping_info.reason AS reason,"
                " ping_info.parsed_end_time AS end_time, metadata.header.x_debug_id AS x_debug_id,"
                f" COALESCE(ARRAY_LENGTH(events), 0) AS event_count FROM {source}"
            )
            live_pings.append(
                f"SELECT '{namespace}' AS namespace, '{ping.name}' AS document_type, document_id,"
                " COALESCE('automation' IN UNNEST(metadata.header.parsed_x_source_tags), FALSE) AS automation,"
                f" metadata.header.x_debug_id AS x_debug_id FROM {dataset(namespace, 'live')}.{ping.table}"
            )
            identity = (
                f"SELECT '{namespace}' AS namespace, '{ping.name}' AS document_type, document_id,"
                f" metadata.header.x_debug_id AS x_debug_id, {_session_id(ping)} AS session_id,"
            )
            for metric in ping.metrics:
                column = f"metrics.{metric.type}.{metric.column}"
                values.append(
                    f"{identity} '{metric.id}' AS metric, {_value_count(metric, column)} AS value_count FROM {source}"
                )
            values.append(
                f"{identity} CONCAT(event.category, '.', event.name) AS metric,"
                f" 1 AS value_count FROM {source} CROSS JOIN UNNEST(events) AS event"
            )
        statements.append(f"CREATE OR REPLACE VIEW {FAMILY}.{table_name(ping.name)} AS {' UNION ALL '.join(members)}")
    statements.append(f"CREATE OR REPLACE VIEW {FAMILY}.all_pings AS {' UNION ALL '.join(all_pings)}")
    statements.append(f"CREATE OR REPLACE VIEW {FAMILY}.all_live_pings AS {' UNION ALL '.join(live_pings)}")
    statements.append(f"CREATE OR REPLACE VIEW {FAMILY}.metric_values AS {' UNION ALL '.join(values)}")
    return statements


def transpile(statements: list[str], dialect: str) -> list[str]:
    """``statements`` (BigQuery) in another engine's dialect."""
    trees = [sqlglot.parse_one(statement, read="bigquery") for statement in statements]
    if dialect == "duckdb":
        trees = [unnest_in_select(tree) for tree in trees]
    return [tree.sql(dialect=dialect) for tree in trees]
