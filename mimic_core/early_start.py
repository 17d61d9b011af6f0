"""Python's own ``__import__`` back, once Qt is loaded.

Importing PySide6 replaces ``builtins.__import__`` with its
``__feature_import__``: after every import it reads the module's whole
source (``inspect.getsource``, which fills ``linecache``) to look for
``from __feature__ import ...``, and ``linecache`` keeps every one of those
sources for the life of the process.  For the app that is about 5 million
characters (some 300 modules: asyncio, aiohttp, Glean, the app itself),
measured at about 11 MB of resident memory; clearing ``linecache``
afterwards gave back only 1.4 MB (the freed lines are scattered among live
objects).  Mimic VPN never uses ``__feature__`` (snake_case or
true_property), so the app puts Python's own import back once the window is
on screen, before it imports everything else.

This module must be imported before PySide6 to see the original, which
``vpnui.main`` does; the test suite loads it as an early plugin
(``-p mimic_core.early_start`` in ``pyproject.toml``) so the tests run the way
the app does.
"""

from __future__ import annotations

import builtins
from typing import Final

QT_IMPORT_NAME: Final = "__feature_import__"
"""What PySide6 (6.5 to at least 6.11) calls its replacement."""

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
