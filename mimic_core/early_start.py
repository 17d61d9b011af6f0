"""The interpreter set-up every Mimic VPN process does, the same way: the first import of its entry point.

Importing PySide6 replaces ``builtins.__import__`` with its
``__feature_import__``, which reads the whole source of every module
imported after it (looking for ``from __feature__ import``) into
``linecache`` and keeps it for the life of the process: about 11 MB of the
app's memory and 7 MB of the daemon's (measurements in
``docs/decisions/0006-python-import-after-qt.md``).  Mimic VPN never uses
``__feature__``, so each process puts Python's own import back as soon as
Qt is in, and keeps glean's YAML tooling out (``glean_compat``), before its
own modules are imported.

Import this module before PySide6, to see the original: ``vpnui.main`` and
``daemon.main`` import it first, and the test suite loads it as an early
pytest plugin (``-p mimic_core.early_start`` in ``pyproject.toml``) so the
tests run the way the processes do.  Then call :func:`qt_imported` (the
daemon, right after QtCore), or its two steps apart (the app, whose cold
start the second would slow): :func:`restore_python_import` right after its
Qt imports, :func:`install_glean_stand_ins` once its screens are shown,
before its telemetry imports glean.
"""

from __future__ import annotations

import builtins
from typing import Final

QT_IMPORT_NAME: Final = "__feature_import__"
"""What PySide6 calls its replacement (6.5 to 6.11.3, the release measured; ``tests/unit/test_early_start.py``)."""

_python_import: Final = builtins.__import__


def qt_import_active() -> bool:
    """Whether PySide6's import replacement is in place."""
    return getattr(builtins.__import__, "__name__", "") == QT_IMPORT_NAME


def restore_python_import() -> bool:
    """Put Python's own ``__import__`` back; whether it was PySide6's until now.

    Does nothing when this module was itself imported after PySide6 (then
    the original is unknown) or when nothing replaced the import.
    """
    if not qt_import_active() or getattr(_python_import, "__name__", "") == QT_IMPORT_NAME:
        return False
    builtins.__import__ = _python_import
    return True


def qt_imported() -> None:
    """Once PySide6 is imported, before the process's own modules: Python's import back, glean without YAML tooling."""
    restore_python_import()
    install_glean_stand_ins()


def install_glean_stand_ins() -> None:
    """glean without its YAML tooling (``glean_compat``); before glean's first import.

    Not on the app's path to its full UI: reading glean_parser's version
    imports ``importlib.metadata``, about 35 ms with what it imports.
    """
    from mimic_core import glean_compat  # noqa: PLC0415

    glean_compat.install_parser_stand_ins()
