"""Typed reads of the ConnectionManager's Qt properties (mypy sees a Qt ``Property`` as its descriptor)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vpnui.connection.states import VPNClientState

if TYPE_CHECKING:
    from vpnui.connection.manager import ConnectionManager


def client_state(manager: ConnectionManager) -> VPNClientState:
    return VPNClientState(int(manager.property("state")))


def text(manager: ConnectionManager, name: str) -> str:
    """A string property: ``title``, ``subtitle``, ``locationName``, ``serverName``."""
    return str(manager.property(name) or "")


def unstable(manager: ConnectionManager) -> bool:
    return bool(manager.property("unstable"))
