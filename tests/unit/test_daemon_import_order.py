"""The daemon entry's import order, which keeps its memory down.

``daemon.main`` imports neither glean nor Qt itself: ``main`` first puts the
glean_parser stand-ins in place, and ``_serve`` imports the service's
Qt-free half before Qt, because PySide6 keeps the source of every module
imported after it in ``linecache`` (see ``daemon/main.py``).
"""

from __future__ import annotations

from typing import Final

from tests.support.fresh_python import run_python

MAX_SOURCE_KEPT_CHARS: Final = 1_000_000
"""Source characters PySide6 may have read into ``linecache`` once the daemon's modules are imported."""

SOURCE_KEPT_AFTER_IMPORTS: Final = """
    import json, linecache, sys
    {before}
    from mimic_core import glean_compat
    glean_compat.install()
    import daemon.main
    daemon.main.import_service()
    from PySide6.QtCore import QCoreApplication
    import mimic_core.qt_loop, daemon.server
    entries = [entry for entry in linecache.cache.values() if len(entry) == 4]
    print(json.dumps({{"files": len(entries), "chars": sum(len(line) for entry in entries for line in entry[2])}}))
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


def test_the_qt_free_modules_bring_glean_and_no_qt() -> None:
    found = run_python(
        """
        import importlib, json, sys
        from mimic_core import glean_compat
        glean_compat.install()
        import daemon.main
        for name in daemon.main.QT_FREE_MODULES:
            importlib.import_module(name)
        before_qt = set(sys.modules)
        daemon.main.import_service()
        print(json.dumps({
            "before_qt": sorted(before_qt),
            "after_qt": sorted(set(sys.modules) - before_qt),
        }))
        """
    )
    before_qt, after_qt = set(found["before_qt"]), set(found["after_qt"])
    assert "PySide6" not in before_qt
    assert {"glean", "glean.metrics", "msgspec", "msgpack", "asyncio", "http.client", "daemon.telemetry"} <= before_qt
    # Only the Qt-facing modules of the daemon are left to import once Qt is in.
    assert {name for name in after_qt if name.startswith("daemon.")} <= {
        "daemon.service",
        "daemon.server",
        "daemon.line_buffer",
        "daemon.errors",
    }, after_qt


def test_qt_last_keeps_pyside_from_holding_the_daemons_source() -> None:
    qt_last = run_python(SOURCE_KEPT_AFTER_IMPORTS.format(before=""))
    qt_first = run_python(SOURCE_KEPT_AFTER_IMPORTS.format(before="import PySide6.QtCore"))
    assert qt_last["chars"] < MAX_SOURCE_KEPT_CHARS, qt_last
    # The reason for the order: with Qt first, PySide6 reads (and keeps) every module's source.
    # Should a PySide6 release stop doing that, this fails and the order in daemon.main can go.
    assert qt_first["chars"] > 3 * MAX_SOURCE_KEPT_CHARS, qt_first
