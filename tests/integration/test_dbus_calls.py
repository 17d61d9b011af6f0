"""D-Bus method calls (``mimic_core.dbus_calls``) on a real private bus: replies, and error replies named.

The app's desktop code (``vpnui.desktop.session_bus``) turns an error reply
into ``NoSessionBus``, which its callers treat as "no desktop service"; the
lab and the tests see ``DBusCallError`` with the member and D-Bus's error name.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator

import pytest
from dbus_fast.aio import MessageBus

from lab.desktop_bus import DBusDaemonMissing, SessionBus
from mimic_core import dbus_calls
from mimic_core.dbus_calls import DBusCallError, call_bus
from vpnui.desktop import session_bus

NOBODY = "org.example.Nobody"


@pytest.fixture
def bus_address() -> Iterator[str]:
    try:
        bus = SessionBus()
    except DBusDaemonMissing as exc:
        pytest.skip(str(exc))
    yield bus.address
    bus.stop()


def test_calls_return_the_reply_and_name_an_error_reply(bus_address: str) -> None:
    async def scenario() -> None:
        bus = await MessageBus(bus_address=bus_address).connect()
        try:
            assert await call_bus(bus, "NameHasOwner", "s", [NOBODY]) == [False]
            with pytest.raises(
                DBusCallError, match=re.escape("StartServiceByName failed: org.freedesktop.DBus.Error.ServiceUnknown")
            ):
                await call_bus(bus, "StartServiceByName", "su", [NOBODY, 0])
            with pytest.raises(session_bus.NoSessionBus, match="StartServiceByName failed"):
                await session_bus.call_bus(bus, "StartServiceByName", "su", [NOBODY, 0])
            assert not await session_bus.has_service(bus, NOBODY)
            assert await session_bus.has_service(bus, "org.freedesktop.DBus")
        finally:
            await dbus_calls.disconnect(bus)

    asyncio.run(scenario())
