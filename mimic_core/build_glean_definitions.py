"""Generates ``resources/glean_definitions.json`` from ``metrics.yaml`` and ``pings.yaml``.

Run ``python -m mimic_core.build_glean_definitions`` (``make
glean-definitions``) after changing the YAML; ``--check`` only reports
whether the checked-in file is current (the tests check it too).  The YAML
is parsed with glean_parser, as glean-sdk's own loader does, and the file
holds what glean-sdk's loader would take from each parsed object (see
``glean_definitions``), so the trees built from it are the same.

glean_parser is a build-time tool here: nothing the processes run imports
this module (an import contract in ``pyproject.toml`` checks it); tests that
define metrics of their own parse them with it (``tests/support/yaml_definitions.py``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import msgspec
from glean_parser.parser import parse_objects

from mimic_core.generated_file import write_or_check
from mimic_core.glean_definitions import (
    DEFINITIONS_FILE,
    GENERATOR,
    METRICS_FILE,
    PINGS_FILE,
    SUPPORTED_METRIC_TYPES,
    GleanDefinitions,
    MetricEntry,
    PingEntry,
)

NON_METRIC_CATEGORIES = frozenset({"pings", "tags"})
"""Categories of glean_parser's result that are not metrics."""


class DefinitionError(ValueError):
    """The YAML is invalid or defines something the generated file cannot express."""


@contextlib.contextmanager
def quiet_glean_parser() -> Iterator[None]:
    """Silence the one deprecation glean_parser 22 triggers on every parse.

    It builds its schema resolver with ``jsonschema.RefResolver``, deprecated
    since jsonschema 4.18; harmless, but a warning raised while parsing would
    fail any run with warnings as errors (the test suite).
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"jsonschema\.RefResolver is deprecated", category=DeprecationWarning)
        yield


def generate(files: Sequence[Path]) -> GleanDefinitions:
    """The definitions of the metrics and pings in ``files`` (parsed together, as glean_parser's tools do)."""
    with quiet_glean_parser():
        result = parse_objects([Path(file) for file in files], {})
        errors = [str(error) for error in result]
    if errors:
        raise DefinitionError("\n\n".join(errors))
    parsed: dict[str, dict[str, Any]] = result.value
    metrics: dict[str, dict[str, MetricEntry]] = {}
    for category, items in parsed.items():
        if category in NON_METRIC_CATEGORIES:
            continue
        metrics[category] = {name: _metric_entry(category, name, metric) for name, metric in items.items()}
    pings = {name: _ping_entry(ping) for name, ping in parsed.get("pings", {}).items()}
    return GleanDefinitions(
        generator=GENERATOR,
        sources=tuple(Path(file).name for file in files),
        metrics=metrics,
        pings=pings,
    )


def render(definitions: GleanDefinitions) -> str:
    """The file's text: keys sorted, lists in their meaningful order, so regenerating is byte-stable."""
    return json.dumps(msgspec.to_builtins(definitions), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _metric_entry(category: str, name: str, metric: Any) -> MetricEntry:
    metric_id = f"{category}.{name}"
    if metric.type not in SUPPORTED_METRIC_TYPES:
        raise DefinitionError(
            f"{metric_id}: metric type {metric.type!r} has no Python implementation usable here "
            f"(supported: {', '.join(sorted(SUPPORTED_METRIC_TYPES))})"
        )
    if metric.category != category or metric.name != name:
        # Only Glean's own reserved categories are renamed by glean_parser.
        raise DefinitionError(f"{metric_id}: glean_parser names it {metric.category}.{metric.name}")
    ordered_labels = getattr(metric, "ordered_labels", None)
    return MetricEntry(
        type=metric.type,
        description=metric.description,
        lifetime=metric.lifetime.name,
        send_in_pings=tuple(metric.send_in_pings),
        disabled=bool(metric.disabled),
        time_unit=_enum_name(metric, "time_unit"),
        memory_unit=_enum_name(metric, "memory_unit"),
        range_min=getattr(metric, "range_min", None),
        range_max=getattr(metric, "range_max", None),
        bucket_count=getattr(metric, "bucket_count", None),
        histogram_type=_enum_name(metric, "histogram_type"),
        labels=tuple(str(label) for label in ordered_labels) if ordered_labels is not None else None,
        extra_keys=dict(metric.allowed_extra_keys_with_types) if metric.type == "event" else None,
    )


def _enum_name(metric: Any, attribute: str) -> Any:
    value = getattr(metric, attribute, None)
    return None if value is None else value.name


def _ping_entry(ping: Any) -> PingEntry:
    return PingEntry(
        description=ping.description,
        include_client_id=bool(ping.include_client_id),
        send_if_empty=bool(ping.send_if_empty),
        precise_timestamps=bool(ping.precise_timestamps),
        include_info_sections=bool(ping.include_info_sections),
        enabled=bool(ping.enabled),
        follows_collection_enabled=bool(ping.follows_collection_enabled),
        schedules_pings=tuple(ping.schedules_pings),
        reasons=tuple(ping.reason_codes),
        uploader_capabilities=tuple(ping.uploader_capabilities),
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog=GENERATOR,
        description="Generate the Glean definitions both processes load from metrics.yaml and pings.yaml.",
    )
    parser.add_argument(
        "--output", type=Path, default=DEFINITIONS_FILE, help="the file to write (default: %(default)s)"
    )
    parser.add_argument("--check", action="store_true", help="only check that the file is current (exit 1 if not)")
    parser.add_argument("files", nargs="*", type=Path, default=[METRICS_FILE, PINGS_FILE], help="YAML definitions")
    options = parser.parse_args(argv)
    try:
        text = render(generate(options.files))
    except DefinitionError as exc:
        print(f"invalid Glean definitions:\n{exc}", file=sys.stderr)
        return 2
    return write_or_check(options.output, text, check=options.check, make_target="glean-definitions")


if __name__ == "__main__":
    sys.exit(main())
