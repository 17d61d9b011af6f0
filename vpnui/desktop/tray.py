"""The tray icon (StatusNotifierItem) where the desktop has a tray host.

Exports the item and its menu on the session bus and registers them with the
StatusNotifierWatcher; when no watcher is there, nothing is shown and nothing
is logged above INFO, and the item registers as soon as a watcher appears.
The icon, tooltip and menu follow the ConnectionManager.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from dbus_fast import Message, MessageType
from PySide6.QtCore import QObject, Signal

from mimic_core import dbus_calls
from vpnui.background_tasks import BackgroundTasks
from vpnui.connection.states import VPNClientState
from vpnui.daemon_client import LinkState
from vpnui.desktop import manager_view as view
from vpnui.desktop import session_bus
from vpnui.desktop.dbusmenu import MENU_PATH, DBusMenu, MenuEntry
from vpnui.desktop.launcher import APP_ID
from vpnui.desktop.status_notifier import ITEM_PATH, StatusNotifierItem
from vpnui.i18n import arg, translate
from vpnui.settings import Settings

if TYPE_CHECKING:
    from dbus_fast.aio import MessageBus

    from vpnui.connection.manager import ConnectionManager

log = logging.getLogger(__name__)

WATCHER = "org.kde.StatusNotifierWatcher"
WATCHER_PATH = "/StatusNotifierWatcher"
BUSY_STATES = (VPNClientState.Connecting, VPNClientState.Disconnecting, VPNClientState.Switching)


def icon_state(state: VPNClientState, unstable: bool, failure: str, link: LinkState) -> str:
    """off, connecting, on, unstable or failure: the icon's suffix."""
    if failure or link is LinkState.LOST:
        return "failure"
    if state in BUSY_STATES:
        return "connecting"
    if state == VPNClientState.On:
        return "unstable" if unstable else "on"
    return "off"


class Tray(QObject):
    """``shown`` is True while a watcher has the item registered (a tray host shows it)."""

    shownChanged = Signal(bool)

    def __init__(
        self,
        manager: ConnectionManager,
        *,
        settings: Settings,
        toggle_window: Callable[[], None],
        window_visible: Callable[[], bool],
        quit_app: Callable[[], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._manager = manager
        self._settings = settings
        self._toggle_window = toggle_window
        self._window_visible = window_visible
        self._quit_app = quit_app
        self._tasks = BackgroundTasks("tray")
        self._bus: MessageBus | None = None
        self.item = StatusNotifierItem(on_activate=toggle_window)
        self.menu = DBusMenu()
        self.name = f"org.kde.StatusNotifierItem-{os.getpid()}-1"
        self.shown = False
        for changed in (
            manager.stateChanged,
            manager.stabilityChanged,
            manager.failureChanged,
            manager.linkStateChanged,
            manager.locationChanged,
            manager.locationsChanged,
        ):
            changed.connect(self.refresh)
        self.refresh()

    async def start(self) -> bool:
        """Export the item; False (logged once at INFO) when there is no session bus."""
        try:
            self._bus = await session_bus.connect()
        except session_bus.NoSessionBus as exc:
            log.info("no tray icon: no D-Bus session bus (%s)", exc)
            return False
        self._bus.export(ITEM_PATH, self.item)
        self._bus.export(MENU_PATH, self.menu)
        await session_bus.call_bus(self._bus, "RequestName", "su", [self.name, 0])
        # A watcher that starts (or restarts) later gets the item then.
        await session_bus.call_bus(
            self._bus,
            "AddMatch",
            "s",
            [f"type='signal',interface='org.freedesktop.DBus',member='NameOwnerChanged',arg0='{WATCHER}'"],
        )
        self._bus.add_message_handler(self._on_bus_message)
        await self._register()
        return True

    def _on_bus_message(self, message: Message) -> None:
        if message.message_type == MessageType.SIGNAL and message.member == "NameOwnerChanged":
            name, _old, new = message.body
            if name == WATCHER:
                if new:
                    self._tasks.spawn(self._register())
                else:
                    self._set_shown(False)

    async def _register(self) -> None:
        assert self._bus is not None
        if not await session_bus.has_service(self._bus, WATCHER):
            log.info("no tray icon: no StatusNotifierWatcher on the session bus (no tray host)")
            self._set_shown(False)
            return
        reply = await self._bus.call(
            Message(
                destination=WATCHER,
                path=WATCHER_PATH,
                interface=WATCHER,
                member="RegisterStatusNotifierItem",
                signature="s",
                body=[self.name],
            )
        )
        if reply is None or reply.message_type != MessageType.METHOD_RETURN:
            log.info("no tray icon: the StatusNotifierWatcher refused the item (%s)", reply.body if reply else None)
            self._set_shown(False)
            return
        log.info("tray icon registered with the StatusNotifierWatcher")
        self._set_shown(True)

    def _set_shown(self, shown: bool) -> None:
        if shown != self.shown:
            self.shown = shown
            self.shownChanged.emit(shown)

    # ------------------------------------------------------------ content

    def refresh(self) -> None:
        manager = self._manager
        state = view.client_state(manager)
        suffix = icon_state(state, view.unstable(manager), manager.failure_key, manager.link_state)
        location = view.text(manager, "locationName")
        title = view.text(manager, "title")
        body = f"{title} · {location}" if location else title
        self.item.update(f"{APP_ID}-{suffix}", "Mimic VPN", body, "NeedsAttention" if suffix == "failure" else "Active")
        self.menu.set_entries(self.entries())

    def entries(self) -> list[MenuEntry]:
        manager = self._manager
        state = view.client_state(manager)
        location = view.text(manager, "locationName")
        title = view.text(manager, "title")
        status = f"{title} · {location}" if location else title
        entries = [MenuEntry(status, enabled=False, name="status"), MenuEntry(separator=True)]
        if state == VPNClientState.Off:
            connect = translate("Tray", "Connect")
            entries.append(MenuEntry(connect, manager.activate, enabled=bool(location), name="connect"))
        else:
            entries.append(MenuEntry(translate("Tray", "Disconnect"), manager.deactivate, name="disconnect"))
        recent = [loc for loc in self._settings.desktop.recent_locations if tuple(loc) != manager.selected_location]
        for country, city in recent:
            name = self._location_name(country, city)
            if name:
                label = arg(translate("Tray", "Connect to %1"), name)
                entries.append(MenuEntry(label, partial(self._connect_to, country, city), name="recent"))
        entries += [
            MenuEntry(separator=True),
            MenuEntry(
                translate("Tray", "Hide window") if self._window_visible() else translate("Tray", "Show window"),
                self._toggle_window,
                name="window",
            ),
            MenuEntry(translate("Tray", "Quit"), self._quit_app, name="quit"),
        ]
        return entries

    def _location_name(self, country: str, city: str) -> str:
        servers = self._manager.server_list
        if servers is None:
            return ""
        country_entry, city_entry = servers.country(country), servers.city(country, city)
        return f"{city_entry.name}, {country_entry.name}" if country_entry and city_entry else ""

    def _connect_to(self, country: str, city: str) -> None:
        self._manager.chooseLocation(country, city)
        if view.client_state(self._manager) == VPNClientState.Off:
            self._manager.activate()

    async def close(self) -> None:
        await self._tasks.cancel_all()
        if self._bus is not None:
            await dbus_calls.disconnect(self._bus)
            self._bus = None
        self._set_shown(False)
