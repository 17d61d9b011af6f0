"""com.canonical.dbusmenu: the tray icon's menu, exported over D-Bus (dbus-fast).

A flat menu of ``MenuEntry`` rows; a tray host asks for the layout and
sends ``Event(id, "clicked")`` when one is chosen.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

from dbus_fast import Variant
from dbus_fast.annotations import DBusSignature
from dbus_fast.constants import PropertyAccess
from dbus_fast.service import ServiceInterface, dbus_property, method, signal

MENU_PATH = "/MenuBar"
ROOT_ID = 0


@dataclass(frozen=True)
class MenuEntry:
    label: str = ""
    action: Callable[[], None] | None = None
    enabled: bool = True
    separator: bool = False
    name: str = ""  # a stable name, for logs and tests (dbusmenu ids change with the layout)

    def properties(self) -> dict[str, Variant]:
        if self.separator:
            return {"type": Variant("s", "separator")}
        return {"label": Variant("s", self.label), "enabled": Variant("b", self.enabled), "visible": Variant("b", True)}


@dataclass
class _Layout:
    revision: int = 1
    entries: list[MenuEntry] = field(default_factory=list)


Layout = Annotated[tuple[int, dict[str, Variant], list[Variant]], DBusSignature("(ia{sv}av)")]


class DBusMenu(ServiceInterface):
    def __init__(self) -> None:
        super().__init__("com.canonical.dbusmenu")
        self._layout = _Layout()

    @property
    def entries(self) -> list[MenuEntry]:
        return list(self._layout.entries)

    def set_entries(self, entries: Sequence[MenuEntry]) -> None:
        """Replace the menu; a host that shows it is told (LayoutUpdated) only when it changed."""
        if list(entries) == self._layout.entries:
            return
        self._layout.entries = list(entries)
        self._layout.revision += 1
        self.LayoutUpdated(self._layout.revision, ROOT_ID)

    def _entry(self, item_id: int) -> MenuEntry | None:
        index = item_id - 1
        return self._layout.entries[index] if 0 <= index < len(self._layout.entries) else None

    def _item(self, item_id: int) -> Variant:
        entry = self._entry(item_id)
        props = entry.properties() if entry is not None else {}
        return Variant("(ia{sv}av)", [item_id, props, []])

    @method()
    def GetLayout(
        self,
        parent_id: Annotated[int, DBusSignature("i")],
        recursion_depth: Annotated[int, DBusSignature("i")],
        property_names: Annotated[list[str], DBusSignature("as")],
    ) -> Annotated[tuple[int, Any], DBusSignature("u(ia{sv}av)")]:
        if parent_id != ROOT_ID:
            return [self._layout.revision, [parent_id, self._item(parent_id).value[1], []]]  # type: ignore[return-value]
        children = [self._item(i + 1) for i in range(len(self._layout.entries))] if recursion_depth != 0 else []
        root = [ROOT_ID, {"children-display": Variant("s", "submenu")}, children]
        return [self._layout.revision, root]  # type: ignore[return-value]

    @method()
    def GetGroupProperties(
        self,
        ids: Annotated[list[int], DBusSignature("ai")],
        property_names: Annotated[list[str], DBusSignature("as")],
    ) -> Annotated[list[Any], DBusSignature("a(ia{sv})")]:
        wanted = ids or list(range(1, len(self._layout.entries) + 1))
        return [[i, self._item(i).value[1]] for i in wanted if self._entry(i) is not None]

    @method()
    def GetProperty(
        self, item_id: Annotated[int, DBusSignature("i")], name: Annotated[str, DBusSignature("s")]
    ) -> Annotated[Variant, DBusSignature("v")]:
        props = self._item(item_id).value[1]
        return props.get(name, Variant("s", ""))  # type: ignore[no-any-return]

    @method()
    def Event(
        self,
        item_id: Annotated[int, DBusSignature("i")],
        event_id: Annotated[str, DBusSignature("s")],
        data: Annotated[Variant, DBusSignature("v")],
        timestamp: Annotated[int, DBusSignature("u")],
    ) -> None:
        entry = self._entry(item_id)
        if event_id == "clicked" and entry is not None and entry.enabled and entry.action is not None:
            entry.action()

    @method()
    def EventGroup(
        self, events: Annotated[list[Any], DBusSignature("a(isvu)")]
    ) -> Annotated[list[int], DBusSignature("ai")]:
        errors = []
        for item_id, event_id, data, timestamp in events:
            if self._entry(item_id) is None:
                errors.append(item_id)
            else:
                self.Event(item_id, event_id, data, timestamp)
        return errors

    @method()
    def AboutToShow(self, item_id: Annotated[int, DBusSignature("i")]) -> Annotated[bool, DBusSignature("b")]:
        return False

    @method()
    def AboutToShowGroup(
        self, ids: Annotated[list[int], DBusSignature("ai")]
    ) -> Annotated[tuple[list[int], list[int]], DBusSignature("aiai")]:
        return [[], []]  # type: ignore[return-value]

    @signal()
    def LayoutUpdated(self, revision: int, parent: int) -> Annotated[tuple[int, int], DBusSignature("ui")]:
        return [revision, parent]  # type: ignore[return-value]

    @signal()
    def ItemsPropertiesUpdated(self) -> Annotated[tuple[list[Any], list[Any]], DBusSignature("a(ia{sv})a(ias)")]:
        return [[], []]  # type: ignore[return-value]

    @dbus_property(access=PropertyAccess.READ)
    def Version(self) -> Annotated[int, DBusSignature("u")]:
        return 3

    @dbus_property(access=PropertyAccess.READ)
    def TextDirection(self) -> Annotated[str, DBusSignature("s")]:
        return "ltr"

    @dbus_property(access=PropertyAccess.READ)
    def Status(self) -> Annotated[str, DBusSignature("s")]:
        return "normal"

    @dbus_property(access=PropertyAccess.READ)
    def IconThemePath(self) -> Annotated[list[str], DBusSignature("as")]:
        return []
