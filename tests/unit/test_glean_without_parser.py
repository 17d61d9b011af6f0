"""The daemon's stand-ins for glean_parser: glean imports and works without it, and nothing else changes.

Each check that installs them runs in a fresh interpreter: the test process
itself imports glean_parser for real (the other tests compare against it).
"""

from __future__ import annotations

import sys

import glean_parser

from mimic_core import glean_compat
from tests.support.fresh_python import run_python

HEAVY_MODULES = ("glean_parser", "jsonschema", "jinja2", "yaml", "rpds", "markupsafe")


def test_glean_and_the_definitions_load_without_glean_parser() -> None:
    found = run_python(
        f"""
        import importlib.metadata, json, sys
        from mimic_core import glean_compat
        installed = glean_compat.install()
        import glean
        from mimic_core import glean_runtime
        from mimic_core.ipc_payload import load_definitions
        metrics, pings = glean_runtime.metrics(), glean_runtime.pings()
        try:
            glean.load_metrics("resources/metrics.yaml")
            refused = ""
        except glean_compat.DefinitionsNotParsedError as exc:
            refused = str(exc)
        heavy = sorted(name for name in sys.modules if name.split(".")[0] in {HEAVY_MODULES!r})
        print(json.dumps({{
            "installed": installed,
            "reported": glean_compat.installed(),
            "version": sys.modules["glean_parser"].__version__,
            "expected_version": importlib.metadata.version("glean_parser"),
            "heavy": heavy,
            "metric": type(metrics.session.installation_id).__name__,
            "reasons": [member.name for member in pings.daemonsession_reason_codes],
            "recorder_metrics": len(load_definitions()),
            "refused": refused,
        }}))
        """
    )
    assert found["installed"] and found["reported"]
    assert found["version"] == found["expected_version"] == glean_parser.__version__
    assert found["heavy"] == ["glean_parser"]  # the stand-in itself, nothing it would have pulled in
    assert found["metric"] == "UuidMetricType"
    assert found["reasons"] == ["DAEMON_END", "DAEMON_START", "DAEMON_TIMER", "FLUSH", "FLUSH_INIT"]
    assert found["recorder_metrics"] > 10
    assert "resources/glean_definitions.json" in found["refused"]


def test_the_channel_is_taken_at_construction_without_glean_parser() -> None:
    """Only the ``channel`` setter needs glean's YAML loader; the runtime passes the channel to the constructor."""
    found = run_python(
        """
        import json
        from mimic_core import glean_compat
        glean_compat.install()
        from glean import Configuration
        configuration = Configuration(server_endpoint="http://127.0.0.1:1", channel="beta")
        try:
            configuration.channel = "release"
            setter = "accepted"
        except glean_compat.DefinitionsNotParsedError:
            setter = "refused"
        print(json.dumps({"channel": configuration.channel, "setter": setter}))
        """
    )
    assert found == {"channel": "beta", "setter": "refused"}


def test_nothing_is_replaced_once_glean_is_loaded() -> None:
    """As in this test process, where glean and the real glean_parser are already imported."""
    real = sys.modules["glean_parser"]
    assert glean_compat.install() is False
    assert sys.modules["glean_parser"] is real
    assert not glean_compat.installed()
