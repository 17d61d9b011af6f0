"""What a screen reader on Linux hears from an app: the AT-SPI events on the accessibility bus, recorded.

A screen reader (Orca, through libatspi) registers the events it wants with
the registry (``org.a11y.atspi.Registry.RegisterEvent``; toolkits send only
events someone registered for) and adds a match rule for their signals on
the accessibility bus.  ``AtSpiListener`` does the same with dbus-fast and
keeps every event, and asks an event's object what a reader then asks:
its name and its role (``org.a11y.atspi.Accessible``).

Events, as libatspi names them and as their signals are sent
(at-spi2-core's ``xml/Event.xml``): ``object:announcement`` is
``org.a11y.atspi.Event.Object`` ``Announcement`` with the text in the
signal's variant and the politeness in its first number;
``object:state-changed:focused`` is ``StateChanged`` with ``"focused"``
and 1 (or 0); ``focus:`` is ``org.a11y.atspi.Event.Focus`` ``Focus``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, Final

from dbus_fast import Message, MessageType, Variant
from dbus_fast.aio import MessageBus

from lab.accessibility_bus import REGISTRY, REGISTRY_PATH
from lab.desktop_bus import get_property
from mimic_core.dbus_calls import call_bus, call_method, disconnect

ACCESSIBLE: Final = "org.a11y.atspi.Accessible"
EVENT_OBJECT: Final = "org.a11y.atspi.Event.Object"
EVENT_FOCUS: Final = "org.a11y.atspi.Event.Focus"

# libatspi's event name: (the signal's interface, its member).
EVENT_SIGNALS: Final = {
    "object:announcement": (EVENT_OBJECT, "Announcement"),
    "object:state-changed:focused": (EVENT_OBJECT, "StateChanged"),
    "focus:": (EVENT_FOCUS, "Focus"),
}


class Politeness(enum.IntEnum):
    """``AtspiLive``: how an announcement is to be said (at-spi2-core 2.50's ``atspi-constants.h``)."""

    NONE = 0
    POLITE = 1
    """After what the reader is saying."""
    ASSERTIVE = 2
    """Interrupting it."""


@dataclass(frozen=True)
class AtSpiEvent:
    """One event signal: who sent it, about which object, and its arguments (``siiva{sv}``)."""

    sender: str
    path: str
    interface: str
    member: str
    kind: str
    """The first argument: a state's name (``focused``) for StateChanged, empty for others."""
    detail1: int
    detail2: int
    data: Any
    """The variant's value: an announcement's text, an object reference..."""


class AtSpiListener:
    """A screen reader's ears on the accessibility bus at ``bus``: ``events`` as they come."""

    def __init__(self, bus: MessageBus) -> None:
        self.bus = bus
        self.events: list[AtSpiEvent] = []
        self._signals: set[tuple[str, str]] = set()
        bus.add_message_handler(self._on_message)

    @classmethod
    async def connect(cls, address: str, events: list[str]) -> AtSpiListener:
        """Connected to the accessibility bus at ``address``, registered for ``events`` (libatspi's names)."""
        listener = cls(await MessageBus(bus_address=address).connect())
        for event in events:
            await listener.register(event)
        return listener

    async def register(self, event: str) -> None:
        interface, member = EVENT_SIGNALS[event]
        self._signals.add((interface, member))
        await call_bus(self.bus, "AddMatch", "s", [f"type='signal',interface='{interface}',member='{member}'"])
        # No application named: every application's events (an empty app_bus_name).
        await call_method(
            self.bus,
            destination=REGISTRY,
            path=REGISTRY_PATH,
            interface=REGISTRY,
            member="RegisterEvent",
            signature="sass",
            body=[event, [], ""],
        )

    async def registered_events(self) -> list[tuple[str, str]]:
        """What the registry tells toolkits is listened to (``GetRegisteredEvents``: bus name, event)."""
        (events,) = await call_method(
            self.bus, destination=REGISTRY, path=REGISTRY_PATH, interface=REGISTRY, member="GetRegisteredEvents"
        )
        return [(bus_name, event) for bus_name, event in events]

    def _on_message(self, message: Message) -> None:
        if message.message_type != MessageType.SIGNAL:
            return
        if (message.interface, message.member) not in self._signals:
            return
        kind, detail1, detail2, data = message.body[:4]
        self.events.append(
            AtSpiEvent(
                sender=message.sender or "",
                path=message.path or "",
                interface=message.interface or "",
                member=message.member or "",
                kind=kind,
                detail1=detail1,
                detail2=detail2,
                data=data.value if isinstance(data, Variant) else data,
            )
        )

    def announcement_events(self) -> list[AtSpiEvent]:
        """Every ``object:announcement`` event, in order."""
        return [event for event in self.events if (event.interface, event.member) == (EVENT_OBJECT, "Announcement")]

    def announcements(self) -> list[tuple[str, Politeness]]:
        """Every announcement heard: its text and politeness, in order."""
        return [(event.data, Politeness(event.detail1)) for event in self.announcement_events()]

    def focus_events(self) -> list[AtSpiEvent]:
        """Every ``focus:`` event (the object that got the focus), in order."""
        return [event for event in self.events if (event.interface, event.member) == (EVENT_FOCUS, "Focus")]

    async def name(self, event: AtSpiEvent) -> str:
        """The accessible name of ``event``'s object, asked of its application."""
        return str(await get_property(self.bus, event.sender, event.path, ACCESSIBLE, "Name"))

    async def role_name(self, event: AtSpiEvent) -> str:
        """The role of ``event``'s object as a reader says it (``GetRoleName``: "check box")."""
        (role,) = await call_method(
            self.bus, destination=event.sender, path=event.path, interface=ACCESSIBLE, member="GetRoleName"
        )
        return str(role)

    async def description(self, event: AtSpiEvent) -> str:
        """The accessible description of ``event``'s object (what a reader says after the name and role)."""
        return str(await get_property(self.bus, event.sender, event.path, ACCESSIBLE, "Description"))

    async def close(self) -> None:
        await disconnect(self.bus)
