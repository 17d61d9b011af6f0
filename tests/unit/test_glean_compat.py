"""The glean-sdk internals Mimic VPN relies on (``mimic_core.glean_compat``), checked against the installed release.

The stand-ins for glean_parser: glean imports and works without it, and
nothing else changes.  Each check that installs them runs in a fresh
interpreter: the test process itself imports glean_parser for real (the
other tests compare against it).  Then every internal the upload loop uses,
with the shape the workarounds expect: an upgrade of glean-sdk that moves
or changes one fails here, before anything misbehaves at run time.
"""

from __future__ import annotations

import importlib.metadata
import inspect
import sys
from pathlib import Path

import glean
import glean_parser
from glean import Glean, _uniffi
from glean._process_dispatcher import ProcessDispatcher
from glean.net import ping_upload_worker
from glean.net.ping_uploader import UploadResult

from mimic_core import glean_compat
from tests.support.fresh_python import run_python

HEAVY_MODULES = ("glean_parser", "jsonschema", "jinja2", "yaml", "rpds", "markupsafe")


def test_glean_and_the_definitions_load_without_glean_parser() -> None:
    found = run_python(
        f"""
        import importlib.metadata, json, sys
        from mimic_core import glean_compat
        installed = glean_compat.install_parser_stand_ins()
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
            "reported": glean_compat.parser_stand_ins_installed(),
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
        glean_compat.install_parser_stand_ins()
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
    assert glean_compat.install_parser_stand_ins() is False
    assert sys.modules["glean_parser"] is real
    assert not glean_compat.parser_stand_ins_installed()


def test_the_installed_glean_sdk_is_the_release_the_workarounds_were_measured_on() -> None:
    """pyproject.toml pins 71.x; a new release must pass the checks below and be measured again."""
    assert importlib.metadata.version("glean-sdk") == glean_compat.VERIFIED_GLEAN_SDK


def test_glean_imports_glean_parser_only_for_its_version_and_the_loader_only_for_yaml() -> None:
    init = inspect.getsource(glean)
    assert "import glean_parser" in init and "glean_parser.__version__" in init
    assert "from ._loader import load_metrics, load_pings" in init
    sources = sorted(Path(glean.__path__[0]).glob("*.py"))
    own = ("__init__.py", "_loader.py")
    uses_of_loader = [path.name for path in sources if "_loader" in path.read_text() and path.name not in own]
    assert uses_of_loader == ["_builtins.py"]


def test_the_upload_loop_internals_have_the_expected_shape() -> None:
    assert callable(_uniffi.glean_get_upload_task)
    assert list(inspect.signature(_uniffi.glean_get_upload_task).parameters) == []
    assert list(inspect.signature(_uniffi.glean_process_ping_upload_response).parameters) == ["uuid", "result"]
    assert list(inspect.signature(_uniffi.glean_shutdown).parameters) == []
    assert _uniffi.UploadTaskAction.END != _uniffi.UploadTaskAction.NEXT
    for kind in ("UPLOAD", "WAIT", "DONE"):
        assert hasattr(_uniffi.PingUploadTask, kind)
    for method in ("is_upload", "is_wait", "is_done"):
        assert callable(getattr(_uniffi.PingUploadTask, method))
    assert UploadResult is _uniffi.UploadResult
    for kind in ("HTTP_STATUS", "RECOVERABLE_FAILURE", "UNRECOVERABLE_FAILURE", "INCAPABLE"):
        assert hasattr(UploadResult, kind)
    assert list(inspect.signature(ping_upload_worker.PingUploadRequest).parameters) == ["request", "server_endpoint"]
    assert list(inspect.signature(ping_upload_worker.CapablePingUploadRequest).parameters) == ["request"]


def test_the_sdk_spawns_no_uploader_while_the_last_process_reports_running() -> None:
    """``set_upload_trigger`` relies on this check in the SDK's dispatcher."""
    assert "_last_process" in vars(ProcessDispatcher)
    dispatch = inspect.getsource(ProcessDispatcher.dispatch)
    assert "cls._last_process.poll() is None" in dispatch
    assert "return cls._last_process" in dispatch


def test_glean_can_be_reset_and_reports_its_initialization() -> None:
    assert isinstance(inspect.getattr_static(Glean, "_reset"), classmethod)
    assert list(inspect.signature(Glean._reset).parameters) == []
    assert "_init_finished" in vars(Glean)
    assert "glean_test_destroy_glean" in inspect.getsource(Glean._reset)
