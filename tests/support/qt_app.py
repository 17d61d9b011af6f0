"""Driving the real app in-process under pytest-qt.

qasync's loop is created in "already running" mode: pytest-qt spins the Qt
event loop (qtbot.waitUntil and friends), and asyncio callbacks run inside
it, exactly as they do under ``app.exec()`` in the real program.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QPointF, Qt
from PySide6.QtQuick import QQuickItem, QQuickWindow
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

_T = TypeVar("_T")


def run(qtbot: QtBot, coro: Coroutine[Any, Any, _T], timeout_ms: int = 20_000) -> _T:
    """Run ``coro`` on the app's loop while Qt keeps processing events."""
    task = asyncio.ensure_future(coro)
    qtbot.waitUntil(task.done, timeout=timeout_ms)
    return task.result()


def _walk(item: QQuickItem, name: str) -> QQuickItem | None:
    if item.objectName() == name:
        return item
    for child in item.childItems():
        found = _walk(child, name)
        if found is not None:
            return found
    return None


def find_item(window: QQuickWindow, name: str) -> QQuickItem:
    """The item called ``name``, searched in the visual tree.

    Popup content and view delegates are visual children of the overlay and
    of their view, not QObject children of the window, so ``findChild``
    alone misses them.
    """
    item = window.findChild(QQuickItem, name) or _walk(window.contentItem(), name)
    if item is None:
        raise LookupError(f"no item named {name!r} in the window")
    return item


def find_object(window: QQuickWindow, name: str) -> QObject:
    obj = window.findChild(QObject, name)
    if obj is None:
        raise LookupError(f"no object named {name!r} in the window")
    return obj


def click(qtbot: QtBot, window: QQuickWindow, name: str) -> None:
    """Click the middle of the item called ``name``, as a user would."""
    item = find_item(window, name)

    def geometry() -> tuple[float, float, float, float]:
        corner = item.mapToScene(QPointF(0, 0))
        return corner.x(), corner.y(), item.width(), item.height()

    # A popup that just opened may still be laying out or animating: click
    # only once the item has stopped moving, where a person would click.
    seen: list[tuple[float, float, float, float]] = []

    def settled() -> bool:
        seen.append(geometry())
        return item.isVisible() and item.width() > 0 and len(seen) > 2 and seen[-1] == seen[-2] == seen[-3]

    qtbot.waitUntil(settled, timeout=5000)
    x, y, width, height = seen[-1]
    center = QPointF(x + width / 2, y + height / 2).toPoint()
    QTest.mouseClick(window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, center)


def text_of(window: QQuickWindow, name: str) -> str:
    return str(find_item(window, name).property("text"))
