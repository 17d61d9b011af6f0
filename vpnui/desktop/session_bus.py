"""The D-Bus session bus: is it there, and does a service own a name on it.

The notifications and the tray use it through dbus-fast on the app's asyncio
loop (qasync).  Qt's own QtDBus was not chosen: it marshals the notification
id of ``Notify`` as a signed int where the spec says ``u``, and the tray
would need QSystemTrayIcon, which needs QtWidgets and a QApplication.
"""

from __future__ import annotations

import logging

from dbus_fast import BusType
from dbus_fast.aio import MessageBus

from mimic_core import dbus_calls

log = logging.getLogger(__name__)


class NoSessionBus(Exception):
    """No session bus could be reached; the message says why."""


async def connect() -> MessageBus:
    """A connection to the session bus, or ``NoSessionBus``."""
    try:
        return await MessageBus(bus_type=BusType.SESSION).connect()
    except Exception as exc:  # no address, a refused or broken socket, a failed auth: all mean "no bus"
        raise NoSessionBus(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__) from exc


async def call_bus(bus: MessageBus, member: str, signature: str = "", body: list[object] | None = None) -> list[object]:
    """Call a method of the bus itself; its reply's body (an error reply is ``NoSessionBus``: the bus failed us)."""
    try:
        return await dbus_calls.call_bus(bus, member, signature, body)
    except dbus_calls.DBusCallError as exc:
        raise NoSessionBus(str(exc)) from exc


async def has_service(bus: MessageBus, name: str) -> bool:
    """Whether ``name`` is owned now, or the bus can start it and did.

    A service file alone is not enough: a notification daemon installed on a
    machine without a display is activatable but dies at once.
    """
    (owned,) = await call_bus(bus, "NameHasOwner", "s", [name])
    if owned:
        return True
    (activatable,) = await call_bus(bus, "ListActivatableNames")
    if not isinstance(activatable, list) or name not in activatable:
        return False
    try:
        await call_bus(bus, "StartServiceByName", "su", [name, 0])
    except NoSessionBus as exc:
        log.info("%s could not be started: %s", name, exc)
        return False
    return True
