"""``typed_property``: PySide6's ``Property``, typed for mypy as the value it reads.

A class attribute ``state = Property(int, _get_state, notify=...)`` is a
``Property`` to mypy (PySide6 6.11's stubs), although ``manager.state``
reads the getter's value at run time: every comparison or call on it in the
tests was a type error, or an ``Any``.  ``typed_property`` makes the very
same ``Property`` object, so Qt, QML and ``vpnui.build_qml_typeinfo`` see
no difference, and tells mypy the attribute holds what the getter returns.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from PySide6.QtCore import Property, Signal

T = TypeVar("T")


def typed_property(
    kind: type,
    getter: Callable[[Any], T],
    setter: Callable[[Any, T], None] | None = None,
    *,
    notify: Signal | None = None,
    constant: bool = False,
) -> T:
    """``Property(kind, getter, setter, notify=notify, constant=constant)``, typed as the getter's value."""
    if notify is None:
        made = Property(kind, getter, setter, constant=constant)
    else:
        made = Property(kind, getter, setter, notify=notify, constant=constant)
    return cast(T, made)
