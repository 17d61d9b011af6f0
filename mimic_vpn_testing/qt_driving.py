"""Driving the real app's QML window in-process under pytest-qt: find, click, type, read.

qasync's loop is created in "already running" mode (``plugin``): pytest-qt
spins the Qt event loop (``qtbot.waitUntil`` and friends), and asyncio
callbacks run inside it, exactly as they do under ``app.exec()`` in the real
program.  Items are found by ``objectName`` (the test surface:
``mimic_vpn_testing.surface``).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine, Iterable, Iterator
from typing import Any, TypeVar

from PySide6.QtCore import QEvent, QObject, QPointF, Qt
from PySide6.QtGui import QGuiApplication, QKeyEvent
from PySide6.QtQuick import QQuickItem, QQuickWindow
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

_T = TypeVar("_T")

SETTLE_TIMEOUT_MS = 5000
"""How long an item may take to appear and stop moving before a click gives up."""


def run(qtbot: QtBot, coro: Coroutine[Any, Any, _T], timeout_ms: int = 20_000) -> _T:
    """Run ``coro`` on the app's loop while Qt keeps processing events; its result."""
    task = asyncio.ensure_future(coro)
    qtbot.waitUntil(task.done, timeout=timeout_ms)
    return task.result()


def _walk(item: QQuickItem) -> Iterator[QQuickItem]:
    yield item
    for child in item.childItems():
        yield from _walk(child)


def named_items(window: QQuickWindow) -> dict[str, QQuickItem]:
    """Every named item of the visual tree, by objectName (the first of a name wins)."""
    found: dict[str, QQuickItem] = {}
    for item in _walk(window.contentItem()):
        name = item.objectName()
        if name and name not in found:
            found[name] = item
    return found


def visible_names(window: QQuickWindow) -> list[str]:
    """The objectNames of the items a user can see now, in tree order."""
    return [name for name, item in named_items(window).items() if item.isVisible() and item.opacity() > 0]


def find_item(window: QQuickWindow, name: str) -> QQuickItem:
    """The item called ``name``, searched in the visual tree.

    Popup content and view delegates are visual children of the overlay and
    of their view, not QObject children of the window, so ``findChild``
    alone misses them.
    """
    item = window.findChild(QQuickItem, name) or named_items(window).get(name)
    if item is None:
        visible = ", ".join(visible_names(window)) or "nothing named"
        raise LookupError(f"no item named {name!r} in the window; visible now: {visible}")
    return item


def find_object(window: QQuickWindow, name: str) -> QObject:
    """The QObject called ``name`` (a Popup or a modal is one, not an item)."""
    obj = window.findChild(QObject, name)
    if obj is None:
        raise LookupError(f"no object named {name!r} in the window")
    return obj


def shown(window: QQuickWindow, name: str) -> bool:
    """Whether the item or object called ``name`` exists and is visible (a banner exists only while shown)."""
    found = window.findChild(QObject, name) or named_items(window).get(name)
    return found is not None and bool(found.property("visible"))


def open_popups(window: QQuickWindow, names: Iterable[str]) -> list[str]:
    """Which of the popups ``names`` are open now.

    A popup the window creates on demand (a panel before its first use, a
    modal while its failure is not the current one) does not exist: closed.
    """
    opened = []
    for name in names:
        popup = window.findChild(QObject, name)
        if popup is not None and popup.property("opened"):
            opened.append(name)
    return opened


def _settled_geometry(qtbot: QtBot, item: QQuickItem, name: str) -> tuple[float, float, float, float]:
    """Where ``item`` is once it is visible and has stopped moving (a popup may still be animating)."""
    seen: list[tuple[float, float, float, float]] = []

    def settled() -> bool:
        corner = item.mapToScene(QPointF(0, 0))
        seen.append((corner.x(), corner.y(), item.width(), item.height()))
        return item.isVisible() and item.width() > 0 and len(seen) > 2 and seen[-1] == seen[-2] == seen[-3]

    try:
        qtbot.waitUntil(settled, timeout=SETTLE_TIMEOUT_MS)
    except qtbot.TimeoutError:
        last = seen[-1] if seen else None
        state = "not visible" if not item.isVisible() else f"still moving or empty, last at {last}"
        raise AssertionError(f"{name!r} could not be clicked within {SETTLE_TIMEOUT_MS} ms: {state}") from None
    return seen[-1]


def _drawn_item(qtbot: QtBot, window: QQuickWindow, name: str) -> QQuickItem:
    """The item called ``name`` once the window has made it.

    A view makes its delegates on the frame after it opens (the location
    picker's rows), and panels are created on demand: a user waits for what
    they see, so does this (bounded), then names what was visible instead.
    """
    # On a timeout find_item raises the LookupError that says what is visible.
    with contextlib.suppress(qtbot.TimeoutError):
        qtbot.waitUntil(
            lambda: window.findChild(QQuickItem, name) is not None or name in named_items(window),
            timeout=SETTLE_TIMEOUT_MS,
        )
    return find_item(window, name)


def click(qtbot: QtBot, window: QQuickWindow, name: str) -> None:
    """Click the middle of the item called ``name`` once it is drawn and stands still, as a user would."""
    item = _drawn_item(qtbot, window, name)
    x, y, width, height = _settled_geometry(qtbot, item, name)
    center = QPointF(x + width / 2, y + height / 2).toPoint()
    QTest.mouseClick(window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, center)


def type_text(qtbot: QtBot, window: QQuickWindow, name: str, text: str) -> None:
    """Give the item called ``name`` the keyboard focus and type ``text`` into the window, key by key."""
    item = _drawn_item(qtbot, window, name)
    _settled_geometry(qtbot, item, name)
    item.forceActiveFocus()
    try:
        qtbot.waitUntil(item.hasActiveFocus, timeout=SETTLE_TIMEOUT_MS)
    except qtbot.TimeoutError:
        raise AssertionError(f"{name!r} does not take the keyboard focus") from None
    # QTest.keyClicks takes a QWidget only; a QQuickWindow gets the events a
    # keyboard would send it, with their text (what a text field reads).
    for character in text:
        key = ord(character.upper()) if character.isascii() else 0
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QGuiApplication.sendEvent(window, QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, character))


def text_of(window: QQuickWindow, name: str) -> str:
    """The ``text`` property of the item called ``name``."""
    return str(find_item(window, name).property("text"))
