"""The JSON shapes of the lab's HTTP API, shared by the lab and its clients.

Defined once so the server that encodes them and the control client (used
by tests, benchmarks and the app's lab panel) that decodes them cannot drift
apart.
"""

from __future__ import annotations

from typing import Any, TypeAlias

import msgspec

from mimic_core.network_conditions import ServerCondition
from mimic_core.server_list import ServerAddress, ServerList


class LabServer(ServerAddress, frozen=True, omit_defaults=True):
    """One VPN server of the lab, as a client reaches it.

    ``condition`` is only filled in by the lab's own ``/lab/servers`` view;
    the account service's server list never reveals it.
    """

    condition: ServerCondition | None = None


ServerDirectory: TypeAlias = ServerList[LabServer]
"""The server list with addresses, as ``GET /api/v1/servers`` and ``GET /lab/servers`` return it."""


class Health(msgspec.Struct, frozen=True):
    ok: bool
    pid: int


class StoredPing(msgspec.Struct, frozen=True):
    """A telemetry ping as the ingestion endpoint stored it."""

    document_id: str
    app: str
    ping: str
    version: str
    received_at: str
    """UTC, ISO 8601."""
    headers: dict[str, str]
    payload: dict[str, Any]


class ExportRequest(msgspec.Struct, frozen=True):
    """``POST /lab/export``: write the pipeline's tables as Parquet under ``out`` (an absolute directory)."""

    out: str
    every_table: bool = False
    """The raw, error, decoded and live tables too, not only the stable ones."""


class ExportResult(msgspec.Struct, frozen=True):
    written: list[str]
    """The Parquet files written, ``<out>/<dataset>/<table>.parquet``."""


class ErrorReply(msgspec.Struct, frozen=True):
    error: str
