"""The Glean metric and ping definitions, as generated at build time.

``resources/metrics.yaml`` and ``resources/pings.yaml`` are the source of
truth; ``python -m mimic_core.build_glean_definitions`` (``make
glean-definitions``) turns them into ``resources/glean_definitions.json``,
the way glean_parser generates code for the Rust, Kotlin and Swift bindings.
Both processes read that file instead of parsing the YAML at run time:
glean-sdk's ``load_metrics``/``load_pings`` would bring glean_parser and with
it jsonschema, jinja2 and PyYAML into every process (about 17 MB in the
daemon, which only needs the answers).

This module is the file's format and its reader, on msgspec (already loaded
for the protocol) and nothing of glean or glean_parser.  ``glean_objects``
builds the Glean metric and ping objects from it.

A consequence of parsing at build time, as for the other bindings: a metric
whose ``expires`` date has passed is disabled by regenerating the file, not
by the date passing on a user's machine.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Final, Literal

import msgspec

from mimic_core import assets

RESOURCES_DIR: Final = assets.resources_dir()
METRICS_FILE: Final = RESOURCES_DIR / "metrics.yaml"
PINGS_FILE: Final = RESOURCES_DIR / "pings.yaml"
DEFINITIONS_FILE: Final = RESOURCES_DIR / "glean_definitions.json"

GENERATOR: Final = "python -m mimic_core.build_glean_definitions"

SUPPORTED_METRIC_TYPES: Final = frozenset(
    {
        "boolean",
        "counter",
        "custom_distribution",
        "datetime",
        "event",
        "labeled_boolean",
        "labeled_counter",
        "labeled_custom_distribution",
        "labeled_memory_distribution",
        "labeled_quantity",
        "labeled_string",
        "labeled_timing_distribution",
        "memory_distribution",
        "quantity",
        "string",
        "string_list",
        "timespan",
        "timing_distribution",
        "uuid",
    }
)
"""The metric types glean-sdk 71's Python bindings implement, less ``object`` (its classes are generated from a schema).

Any other type would load as a placeholder that raises on use, so the
generator refuses it instead.
"""

LifetimeName = Literal["ping", "application", "user"]
TimeUnitName = Literal["nanosecond", "microsecond", "millisecond", "second", "minute", "hour", "day"]
MemoryUnitName = Literal["byte", "kilobyte", "megabyte", "gigabyte"]
HistogramTypeName = Literal["linear", "exponential"]
ExtraKeyType = Literal["string", "boolean", "quantity"]


class MetricEntry(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True, forbid_unknown_fields=True):
    """One metric, under its category and name.

    The optional fields are present exactly when glean_parser's metric has
    the attribute, which is when glean-sdk's loader passes it to the metric's
    constructor (``time_unit`` for timespans, datetimes and timing
    distributions, ``memory_unit``, the ``range_*``/``bucket_count``/
    ``histogram_type`` of custom distributions, ``extra_keys`` for events).
    """

    type: str
    description: str
    lifetime: LifetimeName
    send_in_pings: tuple[str, ...]
    """As glean_parser gives them (sorted, without duplicates)."""
    disabled: bool
    """As glean_parser resolved it when the file was generated (expired metrics are disabled)."""
    time_unit: TimeUnitName | None = None
    memory_unit: MemoryUnitName | None = None
    range_min: int | None = None
    range_max: int | None = None
    bucket_count: int | None = None
    histogram_type: HistogramTypeName | None = None
    labels: tuple[str, ...] | None = None
    """Static labels of a labeled metric, in their defined order; absent for dynamic labels.

    glean-sdk 71's Python loader does not pass them to the metric (any label
    is recorded as given, up to Glean's limits), and neither does
    ``glean_objects``; the daemon's recorder uses them.
    """
    extra_keys: dict[str, ExtraKeyType] | None = None
    """The extra keys an event accepts, with their types."""

    @property
    def labeled(self) -> bool:
        return self.type.startswith("labeled_")


class PingEntry(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One custom ping: what glean-sdk's ``PingType`` takes."""

    description: str
    include_client_id: bool
    send_if_empty: bool
    precise_timestamps: bool
    include_info_sections: bool
    enabled: bool
    follows_collection_enabled: bool
    schedules_pings: tuple[str, ...]
    reasons: tuple[str, ...]
    """Sorted, as glean_parser orders them: ``PingType.submit`` takes an index into this list."""
    uploader_capabilities: tuple[str, ...]


class GleanDefinitions(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The whole generated file."""

    generator: str
    """The command that wrote the file (it is not edited by hand)."""
    sources: tuple[str, ...]
    """Names of the YAML files it was generated from."""
    metrics: dict[str, dict[str, MetricEntry]]
    """Category -> metric name -> metric; categories may contain dots (they nest in the metrics tree)."""
    pings: dict[str, PingEntry]


class DefinitionsFileError(RuntimeError):
    """The generated definitions file is missing or not in this format."""


def read_definitions(path: Path = DEFINITIONS_FILE) -> GleanDefinitions:
    """The definitions in ``path``; ``DefinitionsFileError`` if it is missing or malformed."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DefinitionsFileError(
            f"cannot read the Glean definitions {path} ({exc}); run `make glean-definitions`"
        ) from exc
    try:
        return msgspec.json.decode(data, type=GleanDefinitions)
    except msgspec.DecodeError as exc:
        raise DefinitionsFileError(f"{path} is not a Glean definitions file: {exc}") from None


@functools.cache
def bundled_definitions() -> GleanDefinitions:
    """``resources/glean_definitions.json``, read once per process (the metrics, pings and the recorder share it)."""
    return read_definitions(DEFINITIONS_FILE)
