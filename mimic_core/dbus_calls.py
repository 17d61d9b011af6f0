"""D-Bus method calls with dbus-fast, and closing a connection, for the app's desktop code and the lab's.

One place builds the ``Message``, awaits the reply and turns an error reply
into :class:`DBusCallError`: the app (tray, notifications) and the lab (its
private desktop, the accessibility bus) and the tests all call methods the
same way, each naming the failure in its own terms, and close their
connections the same way (:func:`disconnect`).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, Final

from dbus_fast import Message, MessageType
from dbus_fast.aio import MessageBus

DBUS_NAME: Final = "org.freedesktop.DBus"
DBUS_PATH: Final = "/org/freedesktop/DBus"


class DBusCallError(Exception):
    """A method call got an error reply, or no reply; the message names the member and the error."""


async def call_method(
    bus: MessageBus,
    *,
    destination: str,
    path: str,
    interface: str,
    member: str,
    signature: str = "",
    body: list[Any] | None = None,
) -> list[Any]:
    """Call ``interface.member`` of ``destination`` at ``path``; the reply's body."""
    reply = await bus.call(
        Message(
            destination=destination, path=path, interface=interface, member=member, signature=signature, body=body or []
        )
    )
    if reply is None:
        raise DBusCallError(f"{member}: no reply")
    if reply.message_type != MessageType.METHOD_RETURN:
        raise DBusCallError(f"{member} failed: {reply.error_name} {reply.body}")
    return list(reply.body)


async def call_bus(bus: MessageBus, member: str, signature: str = "", body: list[Any] | None = None) -> list[Any]:
    """A method of the bus itself (``org.freedesktop.DBus``: AddMatch, NameHasOwner...); the reply's body."""
    return await call_method(
        bus, destination=DBUS_NAME, path=DBUS_PATH, interface=DBUS_NAME, member=member, signature=signature, body=body
    )


async def disconnect(bus: MessageBus, timeout_s: float = 2.0) -> None:
    """Disconnect and wait until the socket is closed.

    ``disconnect()`` alone leaves the socket to a later turn of the loop,
    which may never come, and the reader then ends with an EOFError that
    asyncio reports at exit as "never retrieved".
    """
    bus.disconnect()
    with contextlib.suppress(Exception):  # a bus that already broke is closed too
        await asyncio.wait_for(bus.wait_for_disconnect(), timeout_s)  # type: ignore[no-untyped-call]
