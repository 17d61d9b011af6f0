"""An asyncio event loop driven by a QCoreApplication, without any GUI module.

qasync imports ``QtGui`` and ``QtWidgets`` when it is imported, only to name
``QApplication`` as the default application.  The daemon is a long-lived
background process that must not load the GUI libraries at all (they drag
in graphics dependencies a headless machine may lack, and the design allows
the daemon QtCore and QtNetwork only), so before qasync is imported for the
first time, stand-in modules take the place of those two: ``QApplication``
then names ``QCoreApplication``, which is all qasync uses it for.
"""

from __future__ import annotations

import asyncio
import importlib
import sys
import types

from PySide6.QtCore import QCoreApplication

_GUI_MODULES = ("PySide6.QtGui", "PySide6.QtWidgets")


def _install_gui_stand_ins() -> None:
    """Make qasync's GUI imports resolve to empty modules where the real ones are not loaded.

    The daemon loads neither; the GUI app has QtGui (real) and no widgets.
    """
    if "qasync" in sys.modules:
        return
    for name in _GUI_MODULES:
        if name in sys.modules:
            continue
        stand_in = types.ModuleType(name, "Stand-in: qasync needs only QApplication.instance() from it.")
        if name.endswith("QtWidgets"):
            stand_in.QApplication = QCoreApplication  # type: ignore[attr-defined]
        sys.modules[name] = stand_in


def create_event_loop(app: QCoreApplication) -> asyncio.AbstractEventLoop:
    """A qasync loop running on ``app``'s Qt event loop, set as the current loop."""
    _install_gui_stand_ins()
    qasync = importlib.import_module("qasync")
    loop: asyncio.AbstractEventLoop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    return loop
