"""The daemon's start-up sets the interpreter up as the app does (``mimic_core.early_start``).

``daemon.main`` imports neither glean nor Qt itself: ``import_service``
imports QtCore, puts Python's own import back and keeps glean's YAML tooling
out before anything else is imported, because PySide6's import keeps the
source of every module imported after it in ``linecache``.
"""

from __future__ import annotations

from typing import Final

from tests.support.fresh_python import run_python

MAX_SOURCE_KEPT_CHARS: Final = 1_000_000
"""Source characters PySide6 may have read into ``linecache`` once the daemon's modules are imported."""

SOURCE_KEPT_AFTER_IMPORTS: Final = """
    import json, linecache, sys
    import daemon.main
    from mimic_core import early_start
    {before}
    daemon.main.import_service()
    import mimic_core.qt_loop, daemon.server
    entries = [entry for entry in linecache.cache.values() if len(entry) == 4]
    print(json.dumps({{
        "files": len(entries),
        "chars": sum(len(line) for entry in entries for line in entry[2]),
        "qt_import": early_start.qt_import_active(),
    }}))
"""


def test_importing_the_daemon_entry_loads_neither_glean_nor_qt() -> None:
    found = run_python(
        """
        import json, sys
        import daemon.main
        print(json.dumps({"loaded": sorted(n for n in ("glean", "glean_parser", "PySide6") if n in sys.modules)}))
        """
    )
    assert found == {"loaded": []}


def test_the_service_loads_on_python_import_without_yaml_tooling() -> None:
    found = run_python(
        """
        import json, sys
        import daemon.main
        daemon.main.import_service()
        from mimic_core import early_start, glean_compat
        print(json.dumps({
            "qt_import": early_start.qt_import_active(),
            "stand_ins": glean_compat.parser_stand_ins_installed(),
            "loaded": sorted(
                n for n in ("glean", "PySide6.QtCore", "daemon.service", "daemon.telemetry") if n in sys.modules
            ),
            "gui": sorted(n for n in ("PySide6.QtGui", "PySide6.QtWidgets", "PySide6.QtQml") if n in sys.modules),
        }))
        """
    )
    assert found == {
        "qt_import": False,
        "stand_ins": True,
        "loaded": ["PySide6.QtCore", "daemon.service", "daemon.telemetry", "glean"],
        "gui": [],
    }


def test_python_import_after_qt_keeps_pyside_from_holding_the_daemons_source() -> None:
    restored = run_python(SOURCE_KEPT_AFTER_IMPORTS.format(before=""))
    # What early_start prevents: PySide6's own import left in place reads (and keeps) every module's source.
    kept = run_python(SOURCE_KEPT_AFTER_IMPORTS.format(before="early_start.restore_python_import = lambda: False"))
    assert restored["qt_import"] is False
    assert restored["chars"] < MAX_SOURCE_KEPT_CHARS, restored
    # Should a PySide6 release stop doing that, this fails and the restoration can go.
    assert kept["qt_import"] is True
    assert kept["chars"] > 3 * MAX_SOURCE_KEPT_CHARS, kept
