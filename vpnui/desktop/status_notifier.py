"""org.kde.StatusNotifierItem: the tray icon, exported over D-Bus (dbus-fast).

Holds what the host reads (icon name, tooltip, status) and tells it when
they change; clicks come back through ``on_activate``.
"""

from collections.abc import Callable
from typing import Annotated, Any

from dbus_fast.annotations import DBusSignature
from dbus_fast.constants import PropertyAccess
from dbus_fast.service import ServiceInterface, dbus_property, method, signal

from vpnui.desktop.dbusmenu import MENU_PATH
from vpnui.desktop.launcher import APP_ID, ICONS_DIR

ITEM_PATH = "/StatusNotifierItem"


class StatusNotifierItem(ServiceInterface):
    def __init__(self, on_activate: Callable[[], None]) -> None:
        super().__init__("org.kde.StatusNotifierItem")
        self._on_activate = on_activate
        self.icon_name = f"{APP_ID}-off"
        self.tooltip = ("Mimic VPN", "")
        self.status = "Active"

    def update(self, icon_name: str, tooltip_title: str, tooltip_body: str, status: str) -> None:
        """Set what the host shows; each changed part is signalled."""
        if icon_name != self.icon_name:
            self.icon_name = icon_name
            self.NewIcon()
        if (tooltip_title, tooltip_body) != self.tooltip:
            self.tooltip = (tooltip_title, tooltip_body)
            self.NewToolTip()
        if status != self.status:
            self.status = status
            self.NewStatus(status)

    @method()
    def Activate(self, x: Annotated[int, DBusSignature("i")], y: Annotated[int, DBusSignature("i")]) -> None:
        self._on_activate()

    @method()
    def SecondaryActivate(self, x: Annotated[int, DBusSignature("i")], y: Annotated[int, DBusSignature("i")]) -> None:
        self._on_activate()

    @method()
    def ContextMenu(self, x: Annotated[int, DBusSignature("i")], y: Annotated[int, DBusSignature("i")]) -> None:
        """Hosts show the exported menu themselves (``Menu``)."""

    @method()
    def Scroll(
        self, delta: Annotated[int, DBusSignature("i")], orientation: Annotated[str, DBusSignature("s")]
    ) -> None:
        """Scrolling over the icon does nothing."""

    @signal()
    def NewIcon(self) -> None:
        return None

    @signal()
    def NewToolTip(self) -> None:
        return None

    @signal()
    def NewTitle(self) -> None:
        return None

    @signal()
    def NewStatus(self, status: str) -> Annotated[str, DBusSignature("s")]:
        return status

    @dbus_property(access=PropertyAccess.READ)
    def Category(self) -> Annotated[str, DBusSignature("s")]:
        return "ApplicationStatus"

    @dbus_property(access=PropertyAccess.READ)
    def Id(self) -> Annotated[str, DBusSignature("s")]:
        return APP_ID

    @dbus_property(access=PropertyAccess.READ)
    def Title(self) -> Annotated[str, DBusSignature("s")]:
        return "Mimic VPN"

    @dbus_property(access=PropertyAccess.READ)
    def Status(self) -> Annotated[str, DBusSignature("s")]:
        return self.status

    @dbus_property(access=PropertyAccess.READ)
    def WindowId(self) -> Annotated[int, DBusSignature("i")]:
        return 0

    @dbus_property(access=PropertyAccess.READ)
    def IconThemePath(self) -> Annotated[str, DBusSignature("s")]:
        return str(ICONS_DIR)

    @dbus_property(access=PropertyAccess.READ)
    def IconName(self) -> Annotated[str, DBusSignature("s")]:
        return self.icon_name

    @dbus_property(access=PropertyAccess.READ)
    def IconPixmap(self) -> Annotated[list[Any], DBusSignature("a(iiay)")]:
        return []

    @dbus_property(access=PropertyAccess.READ)
    def OverlayIconName(self) -> Annotated[str, DBusSignature("s")]:
        return ""

    @dbus_property(access=PropertyAccess.READ)
    def AttentionIconName(self) -> Annotated[str, DBusSignature("s")]:
        return f"{APP_ID}-failure"

    @dbus_property(access=PropertyAccess.READ)
    def ToolTip(self) -> Annotated[tuple[str, list[Any], str, str], DBusSignature("(sa(iiay)ss)")]:
        return ["", [], self.tooltip[0], self.tooltip[1]]  # type: ignore[return-value]

    @dbus_property(access=PropertyAccess.READ)
    def ItemIsMenu(self) -> Annotated[bool, DBusSignature("b")]:
        return False

    @dbus_property(access=PropertyAccess.READ)
    def Menu(self) -> Annotated[str, DBusSignature("o")]:
        return MENU_PATH
