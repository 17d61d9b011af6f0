"""glean-sdk metric and ping objects built from the generated definitions.

The trees are the ones ``glean.load_metrics`` and ``glean.load_pings``
(glean-sdk 71, ``glean/_loader.py``) build from the YAML, made from
``glean_definitions`` instead, so glean_parser is never needed at run time:

* the metrics tree: a class per category (a dotted category nests, every
  level named after the full category), the metric objects on it under
  their snake_case names, and for each event its ``...Extra`` class;
* the pings: a class named ``pings`` with each ``PingType`` and its
  ``..._reason_codes`` enum (member ``REASON`` = index in the sorted
  reasons, which is what ``PingType.submit`` takes).

Every object gets the constructor arguments the SDK's loader passes, and
nothing more: in particular no static labels (the SDK's loader passes none,
so Python's labeled metrics accept any label) and ``in_session`` left at its
default.  ``tests/unit/test_glean_objects.py`` compares both against the
SDK's loader, argument by argument.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, Final

from glean import metrics as glean_metrics

from mimic_core.glean_definitions import ExtraKeyType, GleanDefinitions, MetricEntry, PingEntry

METRIC_CLASSES: Final[dict[str, Any]] = {
    "boolean": glean_metrics.BooleanMetricType,
    "counter": glean_metrics.CounterMetricType,
    "custom_distribution": glean_metrics.CustomDistributionMetricType,
    "datetime": glean_metrics.DatetimeMetricType,
    "event": glean_metrics.EventMetricType,
    "labeled_boolean": glean_metrics.LabeledBooleanMetricType,
    "labeled_counter": glean_metrics.LabeledCounterMetricType,
    "labeled_custom_distribution": glean_metrics.LabeledCustomDistributionMetricType,
    "labeled_memory_distribution": glean_metrics.LabeledMemoryDistributionMetricType,
    "labeled_quantity": glean_metrics.LabeledQuantityMetricType,
    "labeled_string": glean_metrics.LabeledStringMetricType,
    "labeled_timing_distribution": glean_metrics.LabeledTimingDistributionMetricType,
    "memory_distribution": glean_metrics.MemoryDistributionMetricType,
    "quantity": glean_metrics.QuantityMetricType,
    "string": glean_metrics.StringMetricType,
    "string_list": glean_metrics.StringListMetricType,
    "timespan": glean_metrics.TimespanMetricType,
    "timing_distribution": glean_metrics.TimingDistributionMetricType,
    "uuid": glean_metrics.UuidMetricType,
}
"""The class of each supported metric type (``glean._loader._TYPE_MAPPING``, less ``ping`` and ``object``)."""


def build_metrics(definitions: GleanDefinitions) -> Any:
    """The metrics tree (``tree.session.installation_id``), as ``glean.load_metrics`` builds it."""
    root: Any = type("Metrics", (object,), {})
    for category, entries in definitions.metrics.items():
        node = root
        for part in category.split("."):
            if not hasattr(node, part):
                setattr(node, part, type(category, (object,), {}))
            node = getattr(node, part)
        for name, entry in entries.items():
            setattr(node, snake_case(name), metric_object(category, name, entry))
            if entry.extra_keys is not None:
                extras_name = camel_case(f"{name}_extra")
                setattr(node, snake_case(extras_name), event_extras_class(extras_name, entry.extra_keys))
    return root


def build_pings(definitions: GleanDefinitions) -> Any:
    """The pings (``tree.vpnsession``, ``tree.vpnsession_reason_codes``), as ``glean.load_pings`` builds them.

    Creating a ``PingType`` registers the ping with Glean (or queues it until
    Glean is initialized), so call this once per process.
    """
    node: Any = type("pings", (object,), {})
    for name, entry in definitions.pings.items():
        setattr(node, snake_case(name), ping_object(name, entry))
        codes_name = f"{name}_reason_codes"
        setattr(node, snake_case(codes_name), reason_codes_enum(camel_case(codes_name), entry.reasons))
    return node


def metric_object(category: str, name: str, entry: MetricEntry) -> Any:
    """The glean-sdk object of one metric, with the arguments glean-sdk's loader gives it."""
    cls = METRIC_CLASSES.get(entry.type)
    if cls is None:
        raise ValueError(f"{category}.{name}: metric type {entry.type!r} is not supported by the Python bindings")
    # The SDK's loader passes its lists as lists (CommonMetricData compares them as such) and label=None.
    common = glean_metrics.CommonMetricData(
        category=category,
        name=name,
        send_in_pings=list(entry.send_in_pings),
        lifetime=glean_metrics.Lifetime[entry.lifetime.upper()],
        disabled=entry.disabled,
        label=None,
    )
    own = _type_arguments(entry)
    metric: Any
    if entry.type == "labeled_custom_distribution":
        metric = cls(glean_metrics.LabeledMetricData.CUSTOM_DISTRIBUTION(common, **own))
    elif entry.type == "labeled_timing_distribution":
        metric = cls(glean_metrics.LabeledMetricData.TIMING_DISTRIBUTION(common, unit=own["time_unit"]))
    elif entry.type == "labeled_memory_distribution":
        metric = cls(glean_metrics.LabeledMetricData.MEMORY_DISTRIBUTION(common, unit=own["memory_unit"]))
    elif entry.labeled:
        metric = cls(glean_metrics.LabeledMetricData.COMMON(common), **own)
    else:
        metric = cls(common, **own)
    metric.__doc__ = entry.description
    return metric


def _type_arguments(entry: MetricEntry) -> dict[str, Any]:
    """The constructor arguments of the metric's own type, as glean's enums and lists."""
    arguments: dict[str, Any] = {}
    if entry.time_unit is not None:
        arguments["time_unit"] = glean_metrics.TimeUnit[entry.time_unit.upper()]
    if entry.memory_unit is not None:
        arguments["memory_unit"] = glean_metrics.MemoryUnit[entry.memory_unit.upper()]
    if entry.histogram_type is not None:
        arguments["histogram_type"] = glean_metrics.HistogramType[entry.histogram_type.upper()]
    for field in ("range_min", "range_max", "bucket_count"):
        value = getattr(entry, field)
        if value is not None:
            arguments[field] = value
    if entry.extra_keys is not None:
        arguments["allowed_extra_keys"] = sorted(entry.extra_keys)
    return arguments


def ping_object(name: str, entry: PingEntry) -> Any:
    """The ``PingType`` of one custom ping (registered with Glean as it is created)."""
    ping = glean_metrics.PingType(
        name=name,
        include_client_id=entry.include_client_id,
        send_if_empty=entry.send_if_empty,
        precise_timestamps=entry.precise_timestamps,
        include_info_sections=entry.include_info_sections,
        schedules_pings=list(entry.schedules_pings),
        reason_codes=list(entry.reasons),
        uploader_capabilities=list(entry.uploader_capabilities),
        enabled=entry.enabled,
        follows_collection_enabled=entry.follows_collection_enabled,
    )
    ping.__doc__ = entry.description
    return ping


def reason_codes_enum(class_name: str, reasons: tuple[str, ...]) -> Any:
    """``REASON = index`` for each reason, in the given (sorted) order."""
    return enum.Enum(class_name, {reason.upper(): index for index, reason in enumerate(reasons)})


def event_extras_class(class_name: str, extra_keys: Mapping[str, ExtraKeyType]) -> type:
    """The ``...Extra`` class of an event: typed keyword arguments, serialized for Glean's FFI.

    Behaves as the class glean-sdk's loader generates: an unknown key or a
    value of the wrong type raises ``TypeError`` (a ``bool`` passes as a
    quantity, being an ``int``, as in the SDK).
    """
    keys = sorted(extra_keys.items())
    key_types = dict(keys)

    def __init__(self: Any, **kwargs: Any) -> None:
        for key, value in kwargs.items():
            kind = key_types.get(key)
            if kind is None:
                raise TypeError(f"Argument '{key}' not valid for {type(self).__name__}")
            if not _fits(kind, value):
                raise TypeError(f"Field '{key}' requires type {kind} in {type(self).__name__}")
            setattr(self, key, value)

    def to_ffi_extra(self: Any) -> dict[str, str]:
        extras: dict[str, str] = {}
        for key, kind in keys:
            value = getattr(self, key, None)
            if value is None:
                continue
            if not _fits(kind, value):
                raise TypeError(f"Type {type(value)} not supported for {key}")
            # Glean sends booleans as lowercase "true"/"false".
            extras[key] = str(value).lower() if kind == "boolean" else str(value)
        return extras

    namespace: dict[str, Any] = dict.fromkeys(key_types)
    namespace["__init__"] = __init__
    namespace["to_ffi_extra"] = to_ffi_extra
    return type(class_name, (glean_metrics.EventExtras,), namespace)


def _fits(kind: ExtraKeyType, value: object) -> bool:
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "string":
        return isinstance(value, str)
    return isinstance(value, int)


def snake_case(name: str) -> str:
    """The attribute name of a metric, ping or generated class (kebab-case to snake_case, as the SDK's loader)."""
    return name.replace("-", "_")


def camel_case(name: str) -> str:
    """glean_parser's ``Camelize``: ``vpnsession_reason_codes`` -> ``VpnsessionReasonCodes``."""
    tokens = name.replace(".", "_").replace("-", "_").split("_")
    return "".join(token.capitalize() for token in tokens if token)
