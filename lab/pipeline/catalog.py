"""Which namespaces, document types and metrics the pipeline knows: the schema registry.

Mozilla's decoder routes a submission by ``<namespace>/<docType>`` to a
schema from mozilla-pipeline-schemas, generated per Glean application from
its metrics and pings; a namespace or document type without one is an
``invalid_doc_type`` error.  Here the application's own definitions come
from ``resources/glean_definitions.json`` (generated from the YAML) and the
Glean SDK's built-in pings and metrics (``baseline``, ``metrics``,
``events``, ``health``, ``deletion-request``) from the ``metrics.yaml`` and
``pings.yaml`` glean-sdk ships, so a new ping or metric needs no code here.
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path
from typing import Final

import msgspec
import yaml

from mimic_core.glean_definitions import GleanDefinitions, bundled_definitions
from mimic_core.telemetry_names import APPLICATION_IDS

ALL_PINGS: Final = "all-pings"
"""glean_parser's ``send_in_pings`` value for a metric sent in every ping."""
DEFAULT_PING: Final = "default"
"""glean_parser's ``send_in_pings`` default: the ``metrics`` ping."""
INTERNAL_PINGS: Final = frozenset({"glean_client_info", "glean_internal_info"})
"""Pseudo-pings of Glean's own metrics that end up in ``client_info``/``ping_info``, not in ``metrics``."""


class Metric(msgspec.Struct, frozen=True):
    """One metric as the tables see it."""

    id: str
    """Glean's id, ``category.name``: the key in a ping's ``metrics`` section."""
    type: str
    column: str
    """The column under ``metrics.<type>``: ``category_name`` with dots as underscores, as Mozilla names it."""


class PingSchema(msgspec.Struct, frozen=True):
    """One document type: its metrics (events apart) in a stable order."""

    name: str
    metrics: tuple[Metric, ...]

    @property
    def table(self) -> str:
        """The table name in a dataset: ``<ping>_v1``, dashes as underscores."""
        return f"{table_name(self.name)}_v1"


class Catalog(msgspec.Struct, frozen=True):
    """Namespaces (Glean application ids) and the document types each accepts."""

    namespaces: tuple[str, ...]
    pings: dict[str, PingSchema]

    def knows(self, namespace: str, doc_type: str) -> bool:
        return namespace in self.namespaces and doc_type in self.pings


def table_name(name: str) -> str:
    """A Glean or application name as a BigQuery identifier (``mimic-vpn`` -> ``mimic_vpn``)."""
    return name.replace("-", "_").replace(".", "_")


def dataset(namespace: str, kind: str) -> str:
    """``mimic_vpn_live``, ``mimic_vpn_daemon_stable``: Mozilla's ``<app>_<kind>`` datasets."""
    return f"{table_name(namespace)}_{kind}"


def _glean_sdk_dir() -> Path:
    # find_spec does not import glean (which would load glean-core's library).
    spec = importlib.util.find_spec("glean")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("glean-sdk is not installed: its built-in pings and metrics are unknown")
    return Path(next(iter(spec.submodule_search_locations)))


def _sdk_yaml(name: str) -> dict[str, object]:
    loaded = yaml.safe_load((_glean_sdk_dir() / name).read_text(encoding="utf-8"))
    return {key: value for key, value in loaded.items() if not key.startswith("$")}


def build_catalog(definitions: GleanDefinitions, sdk_metrics: dict[str, object], sdk_pings: list[str]) -> Catalog:
    ping_names = [*definitions.pings, *(name for name in sdk_pings if name not in definitions.pings)]
    members: dict[str, list[Metric]] = {name: [] for name in ping_names}

    def add(category: str, name: str, metric_type: str, send_in_pings: tuple[str, ...]) -> None:
        if metric_type == "event" or INTERNAL_PINGS.intersection(send_in_pings):
            return
        targets = ping_names if ALL_PINGS in send_in_pings else send_in_pings
        for target in targets:
            ping = "metrics" if target == DEFAULT_PING else target
            if ping in members:
                members[ping].append(Metric(f"{category}.{name}", metric_type, table_name(f"{category}.{name}")))

    for category, metrics in sdk_metrics.items():
        for name, entry in dict(metrics).items():  # type: ignore[call-overload]
            add(category, name, entry["type"], tuple(entry.get("send_in_pings", [DEFAULT_PING])))
    for category, app_metrics in definitions.metrics.items():
        for name, metric in app_metrics.items():
            if not metric.disabled:
                add(category, name, metric.type, metric.send_in_pings)
    return Catalog(
        namespaces=tuple(APPLICATION_IDS.values()),
        pings={
            name: PingSchema(name, tuple(sorted(set(found), key=lambda metric: (metric.type, metric.column))))
            for name, found in members.items()
        },
    )


@functools.cache
def bundled_catalog() -> Catalog:
    """The catalog of this build: the application's generated definitions and the installed glean-sdk's."""
    return build_catalog(bundled_definitions(), _sdk_yaml("metrics.yaml"), list(_sdk_yaml("pings.yaml")))
