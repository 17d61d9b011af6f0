"""Every process's interpreter set-up: Python's own import back after Qt (no sources kept), Qt still working."""

from __future__ import annotations

from typing import Any

from mimic_core import early_start
from tests.support.fresh_python import run_python

SCRIPT = """
import json, linecache, sys
from mimic_core import early_start
import PySide6.QtCore
active = early_start.qt_import_active()
restored = early_start.restore_python_import() if MODE == "restore" else False
from vpnui.connection.machine import Machine  # imported after Qt, as the app's modules are
from PySide6.QtCore import Property, QObject, Signal

class Counter(QObject):
    changed = Signal(int)

    def __init__(self):
        super().__init__()
        self._value = 0

    def _get(self):
        return self._value

    def _set(self, value):
        self._value = value
        self.changed.emit(value)

    value = Property(int, _get, _set, notify=changed)

counter = Counter()
seen = []
counter.changed.connect(seen.append)
counter.setProperty("value", 7)
print(json.dumps({
    "active": active,
    "restored": restored,
    "active_after": early_start.qt_import_active(),
    "cached": sorted(name for name in linecache.cache if name.endswith("connection/machine.py")),
    "seen": seen,
    "value": counter.property("value"),
}))
"""


def run(mode: str) -> dict[str, Any]:
    return run_python(f"MODE = {mode!r}\n" + SCRIPT)


def test_restoring_python_import_keeps_sources_out_of_memory_and_qt_working() -> None:
    result = run("restore")
    assert result["active"] is True  # PySide6 did replace the import
    assert result["restored"] is True
    assert result["active_after"] is False
    assert result["cached"] == []
    assert result["seen"] == [7]
    assert result["value"] == 7


def test_with_qt_import_every_later_module_source_is_kept() -> None:
    """What the restore prevents (and proof that the check above can fail)."""
    result = run("keep")
    assert result["active_after"] is True
    assert len(result["cached"]) == 1


def test_the_suite_runs_with_python_import() -> None:
    # tests/conftest.py restored it, as vpnui.main does once the window is up.
    assert early_start.qt_import_active() is False


def test_qt_imported_sets_up_the_interpreter_as_both_processes_need_it() -> None:
    found = run_python(
        """
        import json, sys
        from mimic_core import early_start, glean_compat
        import PySide6.QtCore
        before = early_start.qt_import_active()
        early_start.qt_imported()
        import glean
        print(json.dumps({
            "before": before,
            "after": early_start.qt_import_active(),
            "stand_ins": glean_compat.parser_stand_ins_installed(),
        }))
        """
    )
    assert found == {"before": True, "after": False, "stand_ins": True}
