"""The main window: on screen first, its screens attached once the app exists.

Qt alone takes about as long to import as everything else the app needs
(asyncio, the connection logic, settings, the daemon protocol), so the
window is loaded from ``qml/Main.qml`` with Qt only, and its first frame is
shown before any of that is imported.  ``attach`` then loads the screens
(``qml/MainContent.qml``) into the same window, bound to the app's objects.

This module imports nothing but PySide6 (and ``mimic_core.assets``, which
imports only pathlib) on purpose: ``vpnui.main`` uses it
before the rest of the app is imported.
"""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import Q_RETURN_ARG, QEventLoop, QMetaObject, QObject, QTimer, QUrl
from PySide6.QtQml import QQmlApplicationEngine, QQmlEngine
from PySide6.QtQuick import QQuickWindow

from mimic_core import assets

QML_DIR: Final = assets.qml_dir()
FIRST_FRAME_WAIT_S: Final = 1.0
COLOR_SCHEMES: Final = ("system", "light", "dark")
"""``system`` follows the desktop's colour scheme (Qt's style hints); the others force a palette."""


class MainWindowError(RuntimeError):
    """The window or its screens failed to load (Qt has logged the QML errors)."""


def set_color_scheme(engine: QQmlEngine, scheme: str) -> None:
    """Follow the system's colour scheme or force one of ``COLOR_SCHEMES`` (the theme's ``scheme``).

    May be called before or after the window is loaded: the theme singleton
    is the engine's one, and every colour of the window follows it.
    """
    if scheme not in COLOR_SCHEMES:
        raise ValueError(f"unknown colour scheme {scheme!r} (known: {', '.join(COLOR_SCHEMES)})")
    engine.addImportPath(str(QML_DIR))
    theme = engine.singletonInstance("theme", "Theme")
    if not isinstance(theme, QObject):
        raise MainWindowError(f"the theme did not load from {QML_DIR / 'theme'} (see the QML errors above)")
    theme.setProperty("scheme", "" if scheme == "system" else scheme)


def load_main_window(engine: QQmlApplicationEngine, *, visible: bool = True) -> QQuickWindow:
    """Load ``Main.qml`` into ``engine`` (once) and return its window, shown unless ``visible`` is False.

    ``Main.qml`` is created hidden and shown here, so that an app started
    minimised never maps its window (``vpnui.desktop.integration`` decides
    where it goes instead).  ``visible`` only applies to the first load.
    """
    roots = engine.rootObjects()
    if not roots:
        engine.addImportPath(str(QML_DIR))
        engine.load(QUrl.fromLocalFile(str(QML_DIR / "Main.qml")))
        roots = engine.rootObjects()
        if roots and isinstance(roots[0], QQuickWindow) and visible:
            roots[0].setVisible(True)
    if not roots or not isinstance(roots[0], QQuickWindow):
        raise MainWindowError("the main window failed to load (see the QML errors above)")
    return roots[0]


def attach_screens(window: QQuickWindow, manager: QObject, lab: QObject, preferences: QObject) -> None:
    """Load the window's screens, bound to the app's objects; they exist when this returns."""
    window.setProperty("manager", manager)
    window.setProperty("lab", lab)
    window.setProperty("preferences", preferences)
    # A direct call (the default for an object of this thread).  Not spelled
    # out: PySide builds the whole ``Qt`` namespace on first use, 16 ms.
    loaded = QMetaObject.invokeMethod(window, "attach", Q_RETURN_ARG("QVariant"))
    if loaded is not True:
        raise MainWindowError("the main window's screens failed to load (see the QML errors above)")


def show_startup_error(window: QQuickWindow, message: str) -> None:
    """Say in the window why the app cannot start (the user may never see stderr)."""
    window.setProperty("startupError", message)


def wait_for_frame(window: QQuickWindow, timeout_s: float = FIRST_FRAME_WAIT_S) -> None:
    """Run Qt's own loop until the window has put a frame on screen (or ``timeout_s`` passed).

    Used before the asyncio loop (qasync) exists: the user sees the window
    at once, and the rest of the start-up follows.  A hidden window (started
    minimised) draws no frame: nothing to wait for.
    """
    if not window.isVisible():
        return
    waiting = QEventLoop()
    window.frameSwapped.connect(waiting.quit)
    QTimer.singleShot(int(timeout_s * 1000), waiting.quit)
    window.requestUpdate()
    waiting.exec()
    window.frameSwapped.disconnect(waiting.quit)
