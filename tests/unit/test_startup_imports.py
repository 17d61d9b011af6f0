"""What ``vpnui`` imports before its window's first frame.

The window is shown before the rest of the app is imported (see
``vpnui.main_window``); a module added to that path delays every start, so
the path is checked in a fresh interpreter.
"""

from __future__ import annotations

from tests.support.fresh_python import run_python

# Slow to import, and needed only once the window is on screen.
LATER = ("asyncio", "msgspec", "tomllib", "platformdirs", "glean", "qasync", "aiohttp", "daemon", "lab", "mimic_core")
# Imported first, before Qt: the interpreter set-up (it imports nothing of the above),
# and where the QML is (pathlib only).
EARLY_START = {"mimic_core", "mimic_core.early_start", "mimic_core.assets"}
LATER_PREFIXES = ("vpnui.app", "vpnui.connection", "vpnui.config", "vpnui.telemetry")


def test_the_first_frame_path_imports_only_qt() -> None:
    code = "import json, sys; import vpnui.main, vpnui.main_window; print(json.dumps({'loaded': sorted(sys.modules)}))"
    loaded = set(run_python(code)["loaded"])
    assert "PySide6.QtQuick" in loaded  # the check can see what the path loads
    early = sorted(
        name
        for name in loaded
        if (name.split(".")[0] in LATER and name not in EARLY_START)
        or any(name == p or name.startswith(p + ".") for p in LATER_PREFIXES)
    )
    assert early == []


def test_main_called_after_qt_puts_python_import_back_before_its_first_imports() -> None:
    """A caller that imported Qt first (the cold-start benchmark) gets the user's import path."""
    code = """
import contextlib, io, json
from mimic_core import early_start  # first, as vpnui.main and the benchmark's wrapper import it
import PySide6.QtCore
import vpnui.main
before = early_start.qt_import_active()
with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
    vpnui.main.main(["--help"])  # ends in parse_args, before the single-instance claim
print(json.dumps({"before": before, "after": early_start.qt_import_active()}))
"""
    found = run_python(code)
    assert found == {"before": True, "after": False}
