"""The app's Python types in the ``Mimic`` QML module, and the enums QML compares with.

Every type QML sees is registered through ``app_type`` (or
``creatable_app_type``), which also records it in ``REGISTERED``:
``vpnui.build_qml_typeinfo`` describes exactly those types to qmllint, so
the type information cannot miss one.

The failure, the daemon link and a location's latency reach QML as enums,
never as strings: a mistyped enum name is an error qmllint reports, a
mistyped string is a comparison that is silently always false.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import IntEnum
from typing import Any, Final, TypeVar

import msgspec
from PySide6.QtCore import QEnum, QObject
from PySide6.QtQml import QmlElement, QmlUncreatable

from vpnui.connection.locations import LatencyTier
from vpnui.connection.states import FailureCause
from vpnui.daemon_client import LinkState

# Read by QmlElement from the globals of the module that calls it: this one.
QML_IMPORT_NAME: Final = "Mimic"
QML_IMPORT_MAJOR_VERSION: Final = 1
QML_IMPORT_MINOR_VERSION: Final = 0

_C = TypeVar("_C", bound=type[Any])


class RegisteredType(msgspec.Struct, frozen=True):
    """A class of the ``Mimic`` module, as the type information describes it.

    A frozen ``msgspec.Struct``, not a dataclass: this module is imported
    before the window's screens, where making a dataclass costs about 0.3 ms.
    """

    cls: type[QObject]
    uncreatable_reason: str | None
    """Why QML may not create it; ``None`` for a type QML creates (``LocationSearch { }``)."""


REGISTERED: list[RegisteredType] = []
"""Every type registered in ``Mimic``, in the order of registration."""


def app_type(uncreatable_reason: str) -> Callable[[_C], _C]:
    """Register the decorated QObject class in ``Mimic``: QML may use it but never create it."""

    def register(cls: _C) -> _C:
        # PySide's stub declares QmlUncreatable without ``__call__``.
        uncreatable: Any = QmlUncreatable(uncreatable_reason)
        registered: _C = QmlElement(uncreatable(cls))
        REGISTERED.append(RegisteredType(registered, uncreatable_reason))
        return registered

    return register


def creatable_app_type() -> Callable[[_C], _C]:
    """Register the decorated QObject class in ``Mimic`` for QML to create: a view's own helper object."""

    def register(cls: _C) -> _C:
        registered: _C = QmlElement(cls)
        REGISTERED.append(RegisteredType(registered, None))
        return registered

    return register


class FailureKind(IntEnum):
    """``ConnectionManager.failure``: ``NoFailure`` or a ``FailureCause`` of the same name."""

    NoFailure = 0
    NoInternet = 1
    CaptivePortal = 2
    AccountServiceUnreachable = 3
    NoSubscription = 4
    FirewallBlocking = 5
    ServerUnavailable = 6
    DaemonLost = 7

    @classmethod
    def of(cls, cause: FailureCause | None) -> FailureKind:
        return cls.NoFailure if cause is None else cls[cause.name]


class LinkKind(IntEnum):
    """``ConnectionManager.linkState``: the daemon link (``vpnui.daemon_client.LinkState``)."""

    Starting = 0
    Ready = 1
    Lost = 2

    @classmethod
    def of(cls, state: LinkState) -> LinkKind:
        return cls[state.name.title()]


@app_type("Failure holds the values of ConnectionManager.failure")
class Failure(QObject):
    """``Failure.NoInternet``... in QML."""

    FailureKind = QEnum(FailureKind)


@app_type("DaemonLink holds the values of ConnectionManager.linkState")
class DaemonLink(QObject):
    """``DaemonLink.Ready``... in QML."""

    LinkKind = QEnum(LinkKind)


@app_type("Latency holds the values of the location list's latencyTier role")
class Latency(QObject):
    """``Latency.Good``... in QML."""

    LatencyTier = QEnum(LatencyTier)
