"""Registration of the app's Python types in the ``Mimic`` QML module."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from PySide6.QtQml import QmlUncreatable

QML_IMPORT_NAME = "Mimic"
QML_IMPORT_MAJOR_VERSION = 1

_C = TypeVar("_C", bound=type[Any])


def uncreatable(reason: str) -> Callable[[_C], _C]:
    """``@QmlUncreatable(reason)``, typed: QML may use but never create the type.

    PySide's stub declares the decorator object without ``__call__``.
    """
    return cast(Callable[[_C], _C], QmlUncreatable(reason))
