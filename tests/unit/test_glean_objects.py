"""The Glean objects built from the generated definitions, against glean-sdk's own loader.

``glean.load_metrics``/``load_pings`` (glean-sdk 71, ``glean/_loader.py``)
are the reference.  For the project's YAML, and for a YAML with every
supported metric type and every ping option, the trees built from the
generated definitions must have the same attribute paths, classes and
docstrings, the same event extra classes and reason enums, and every metric
and ping must be constructed with the same arguments.  glean-core's objects
do not expose what they were given, so the arguments are compared by
standing recorders in for the metric classes of both loaders.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import glean
import glean._loader as glean_loader
import pytest
from glean.metrics import EventExtras, PingType
from glean_parser.util import Camelize

from mimic_core import glean_objects, glean_runtime
from mimic_core.build_glean_definitions import generate, quiet_glean_parser
from mimic_core.glean_definitions import METRICS_FILE, PINGS_FILE, SUPPORTED_METRIC_TYPES, GleanDefinitions

COMMON = """    description: |
      The {name} test metric, defined only to compare the two loaders.
    lifetime: {lifetime}
    send_in_pings: [{pings}]
    bugs: [https://example.invalid/1]
    data_reviews: [https://example.invalid/2]
    notification_emails: [test@example.invalid]
    expires: never
"""

# (category, name, type, type-specific lines, lifetime, pings).
ALL_TYPES: list[tuple[str, str, str, str, str, str]] = [
    ("deep", "flag", "boolean", "", "application", "alpha-ping"),
    ("deep.nested", "count", "counter", "    disabled: true\n", "ping", "beta, alpha-ping"),
    ("deep.nested", "amount", "quantity", "    unit: things\n", "user", "beta"),
    (
        "kinds",
        "custom",
        "custom_distribution",
        "    range_max: 100\n    bucket_count: 10\n    histogram_type: linear\n",
        "ping",
        "beta",
    ),
    ("kinds", "when", "datetime", "    time_unit: day\n", "ping", "beta"),
    (
        "kinds",
        "happened",
        "event",
        "    extra_keys:\n"
        "      what: {description: What., type: string}\n"
        "      count: {description: How many., type: quantity}\n"
        "      enabled: {description: Whether., type: boolean}\n"
        "      plain: {description: Typed by default.}\n",
        "ping",
        "beta",
    ),
    ("kinds", "quiet", "event", "", "ping", "events"),
    ("kinds", "flags", "labeled_boolean", "    labels: [one, two]\n", "ping", "beta"),
    ("kinds", "counts", "labeled_counter", "", "ping", "beta"),
    (
        "kinds",
        "customs",
        "labeled_custom_distribution",
        "    range_min: 5\n    range_max: 500\n    bucket_count: 20\n    histogram_type: exponential\n",
        "ping",
        "beta",
    ),
    ("kinds", "sizes", "labeled_memory_distribution", "    memory_unit: megabyte\n", "ping", "beta"),
    ("kinds", "amounts", "labeled_quantity", "    unit: things\n    labels: [a, b]\n", "ping", "beta"),
    ("kinds", "texts", "labeled_string", "", "ping", "beta"),
    ("kinds", "timings", "labeled_timing_distribution", "    time_unit: second\n", "ping", "beta"),
    ("kinds", "memory", "memory_distribution", "    memory_unit: kilobyte\n", "ping", "beta"),
    ("kinds", "word", "string", "", "ping", "beta"),
    ("kinds", "words", "string_list", "", "ping", "beta"),
    ("kinds", "span", "timespan", "    time_unit: second\n", "ping", "beta"),
    ("kinds", "timing", "timing_distribution", "", "ping", "beta"),
    ("kinds", "ident", "uuid", "", "user", "beta"),
]

ALL_PINGS = """---
$schema: moz://mozilla.org/schemas/glean/pings/2-0-0

alpha-ping:
  description: A ping with the non-default metadata.
  include_client_id: false
  metadata:
    precise_timestamps: false
    include_info_sections: false
    ping_schedule: [beta]
  reasons:
    zeta: Last in the YAML, last sorted.
    alpha: First sorted.
    middle: In between.
  bugs: [https://example.invalid/1]
  data_reviews: [https://example.invalid/2]
  notification_emails: [test@example.invalid]

beta:
  description: A ping that does not follow collection, with an uploader capability.
  include_client_id: true
  send_if_empty: true
  uploader_capabilities: [ohttp]
  metadata:
    follows_collection_enabled: false
  bugs: [https://example.invalid/1]
  data_reviews: [https://example.invalid/2]
  notification_emails: [test@example.invalid]

gamma:
  description: A disabled ping without reasons.
  include_client_id: false
  enabled: false
  bugs: [https://example.invalid/1]
  data_reviews: [https://example.invalid/2]
  notification_emails: [test@example.invalid]
"""

EXTRA_SAMPLES: list[dict[str, Any]] = [
    {},
    {"what": "up"},
    {"what": "up", "count": 3, "enabled": True, "plain": "p"},
    {"enabled": False},
    {"enabled": 1},
    {"count": True},
    {"count": "3"},
    {"what": 5},
    {"unknown": "x"},
]


@dataclass
class Constructed:
    """What a recorder stood in for: the metric kind and the arguments it was given."""

    kind: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any] = field(default_factory=dict)


@pytest.fixture(scope="module")
def all_types(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("all-types")
    text = "---\n$schema: moz://mozilla.org/schemas/glean/metrics/2-0-0\n"
    current = None
    for category, name, kind, lines, lifetime, pings in ALL_TYPES:
        if category != current:
            text += f"\n{category}:\n"
            current = category
        text += f"  {name}:\n    type: {kind}\n{lines}" + COMMON.format(name=name, lifetime=lifetime, pings=pings)
    metrics_file, pings_file = folder / "metrics.yaml", folder / "pings.yaml"
    metrics_file.write_text(text)
    pings_file.write_text(ALL_PINGS)
    return metrics_file, pings_file


@pytest.fixture
def recording(monkeypatch: pytest.MonkeyPatch) -> None:
    """Recorders instead of every metric class and ``PingType``, in glean's loader and in ``glean_objects``."""

    def recorder(kind: str) -> Callable[..., Constructed]:
        return lambda *args, **kwargs: Constructed(kind, args, kwargs)

    for kind in list(glean_loader._TYPE_MAPPING):
        monkeypatch.setitem(glean_loader._TYPE_MAPPING, kind, recorder(kind))
    for kind in list(glean_objects.METRIC_CLASSES):
        monkeypatch.setitem(glean_objects.METRIC_CLASSES, kind, recorder(kind))
    # Both loaders look PingType up on glean.metrics when they build a ping.
    monkeypatch.setattr(glean.metrics, "PingType", recorder("ping"))


def sdk_metrics(path: Path) -> Any:
    with quiet_glean_parser():
        return glean.load_metrics(path)


def sdk_pings(path: Path) -> Any:
    with quiet_glean_parser():
        return glean.load_pings(path)


def is_category(value: object) -> bool:
    return isinstance(value, type) and not issubclass(value, enum.Enum | EventExtras)


def tree(node: Any, prefix: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every attribute path below ``node`` (categories included) with its value."""
    for name, value in vars(node).items():
        if name.startswith("__"):
            continue
        yield (*prefix, name), value
        if is_category(value):
            yield from tree(value, (*prefix, name))


def extras_behaviour(cls: type) -> list[tuple[str, object]]:
    outcomes: list[tuple[str, object]] = []
    for sample in EXTRA_SAMPLES:
        try:
            outcomes.append(("ok", cls(**sample).to_ffi_extra()))
        except TypeError as exc:
            outcomes.append(("TypeError", str(exc)))
    return outcomes


def assert_same_tree(ours: Any, sdk: Any, *, constructed: bool) -> int:
    """Same paths, classes, names, docstrings (and arguments when ``constructed``); the number of leaves compared."""
    assert ours.__name__ == sdk.__name__
    our_tree, sdk_tree = dict(tree(ours)), dict(tree(sdk))
    assert sorted(our_tree) == sorted(sdk_tree)
    for path, expected in sdk_tree.items():
        found = our_tree[path]
        where = ".".join(path)
        assert type(found) is type(expected), where
        if is_category(expected):
            assert found.__name__ == expected.__name__, where
        elif isinstance(expected, type) and issubclass(expected, enum.Enum):
            assert found.__name__ == expected.__name__, where
            assert [(m.name, m.value) for m in found] == [(m.name, m.value) for m in expected], where
        elif isinstance(expected, type) and issubclass(expected, EventExtras):
            assert found.__name__ == expected.__name__ and found.__bases__ == expected.__bases__, where
            assert sorted(vars(found)) == sorted(vars(expected)), where
            assert extras_behaviour(found) == extras_behaviour(expected), where
        else:
            assert found.__doc__ == expected.__doc__, where
            if constructed:
                assert found == expected, where
    return len(sdk_tree)


def test_the_class_table_is_glean_sdks_less_ping_and_object() -> None:
    expected = {kind: cls for kind, cls in glean_loader._TYPE_MAPPING.items() if kind not in ("ping", "object")}
    assert expected == glean_objects.METRIC_CLASSES
    assert set(glean_objects.METRIC_CLASSES) == SUPPORTED_METRIC_TYPES


def test_names_are_made_as_glean_parser_and_the_sdk_make_them() -> None:
    for name in ("vpnsession_reason_codes", "alpha-ping_reason_codes", "state_changed_extra", "a__b.c_extra"):
        assert glean_objects.camel_case(name) == Camelize(name)
        assert glean_objects.snake_case(name) == glean_loader._normalize_name(name)


def test_the_runtime_metrics_tree_is_the_sdks_tree_of_metrics_yaml() -> None:
    """The tree the processes use, real objects: same paths, metric classes, docstrings and extras."""
    assert assert_same_tree(glean_runtime.metrics(), sdk_metrics(METRICS_FILE), constructed=False) > 20


def test_project_metrics_are_constructed_with_the_sdks_arguments(recording: None) -> None:
    definitions = generate([METRICS_FILE, PINGS_FILE])
    ours = glean_objects.build_metrics(definitions)
    assert ours.tunnel.keepalive_rtt.kind == "timing_distribution"
    assert assert_same_tree(ours, sdk_metrics(METRICS_FILE), constructed=True) > 20


def test_project_pings_are_constructed_with_the_sdks_arguments(recording: None) -> None:
    ours = glean_objects.build_pings(generate([METRICS_FILE, PINGS_FILE]))
    assert ours.vpnsession.kwargs["reason_codes"] == ["end", "flush", "flush_init", "start", "timer"]
    assert assert_same_tree(ours, sdk_pings(PINGS_FILE), constructed=True) == 6


def test_the_runtime_pings_are_real_pings_with_the_sdks_reason_enums() -> None:
    runtime_pings = glean_runtime.pings()
    assert isinstance(runtime_pings.vpnsession, PingType) and isinstance(runtime_pings.daemonsession, PingType)
    assert runtime_pings.vpnsession._reason_codes == ["end", "flush", "flush_init", "start", "timer"]
    assert [(m.name, m.value) for m in runtime_pings.daemonsession_reason_codes] == [
        ("DAEMON_END", 0),
        ("DAEMON_START", 1),
        ("DAEMON_TIMER", 2),
        ("FLUSH", 3),
        ("FLUSH_INIT", 4),
    ]


def test_every_supported_type_is_built_as_the_sdk_builds_it(all_types: tuple[Path, Path]) -> None:
    """Real objects for every type (pings aside: creating one registers it with Glean)."""
    metrics_file, pings_file = all_types
    definitions = generate([metrics_file, pings_file])
    assert {entry.type for entries in definitions.metrics.values() for entry in entries.values()} == (
        SUPPORTED_METRIC_TYPES
    )
    assert assert_same_tree(glean_objects.build_metrics(definitions), sdk_metrics(metrics_file), constructed=False) > 20


def test_every_supported_type_gets_the_sdks_arguments(all_types: tuple[Path, Path], recording: None) -> None:
    metrics_file, pings_file = all_types
    definitions: GleanDefinitions = generate([metrics_file, pings_file])
    ours = glean_objects.build_metrics(definitions)
    assert ours.deep.nested.count.args[0].disabled is True
    assert ours.deep.nested.count.args[0].send_in_pings == ["alpha-ping", "beta"]  # glean_parser sorts them
    assert assert_same_tree(ours, sdk_metrics(metrics_file), constructed=True) > 20


def test_every_ping_option_gets_the_sdks_arguments(all_types: tuple[Path, Path], recording: None) -> None:
    metrics_file, pings_file = all_types
    ours = glean_objects.build_pings(generate([metrics_file, pings_file]))
    alpha = ours.alpha_ping.kwargs
    assert (alpha["precise_timestamps"], alpha["include_info_sections"]) == (False, False)
    assert alpha["reason_codes"] == ["alpha", "middle", "zeta"]
    assert ours.beta.kwargs["schedules_pings"] == ["alpha-ping"]
    assert (ours.beta.kwargs["follows_collection_enabled"], ours.beta.kwargs["enabled"]) == (False, False)
    assert ours.beta.kwargs["uploader_capabilities"] == ["ohttp"]
    assert ours.gamma.kwargs["enabled"] is False
    assert assert_same_tree(ours, sdk_pings(pings_file), constructed=True) == 6
