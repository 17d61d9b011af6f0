"""Metric definitions parsed from YAML when a test defines metrics of its own.

The product only reads the generated definitions (``resources/glean_definitions.json``);
glean_parser is a build-time tool and stays out of it.  Tests that need metrics
``metrics.yaml`` does not define parse their own files here.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from mimic_core.build_glean_definitions import generate
from mimic_core.glean_objects import build_metrics
from mimic_core.ipc_payload import OWNING_PING, MetricDefinition, definitions_for_ping
from vpnui.ipc_replay import ReplayCatalog


def parse_definitions(files: Iterable[Path], ping: str = OWNING_PING) -> dict[str, MetricDefinition]:
    """The metrics of YAML ``files`` sent in ``ping``, by id (raises ``ValueError`` on invalid YAML)."""
    return definitions_for_ping(generate([Path(file) for file in files]), ping)


def replay_catalog(files: Iterable[Path], ping: str = OWNING_PING) -> ReplayCatalog:
    """What the app may replay when its metrics are those of YAML ``files``: their definitions and Glean objects."""
    definitions = generate([Path(file) for file in files])
    return ReplayCatalog(definitions_for_ping(definitions, ping), build_metrics(definitions))
