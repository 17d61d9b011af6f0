"""The desktop integration of one running app: notifications, tray, single instance and launch settings.

``MimicApp.start`` creates it once the window is up and the loop runs;
everything here is optional: without a session bus, a notification service
or a tray host the app runs as before, and says so once in its log.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtGui import QGuiApplication
from PySide6.QtQuick import QQuickWindow

from vpnui.background_tasks import BackgroundTasks
from vpnui.connection.manager import ConnectionManager
from vpnui.connection.states import VPNClientState
from vpnui.daemon_client import LinkState
from vpnui.desktop import manager_view as view
from vpnui.desktop import notification_texts, single_instance
from vpnui.desktop.notifications import DesktopNotifications
from vpnui.desktop.tray import Tray
from vpnui.settings import Settings

log = logging.getLogger(__name__)

# How long "Connect on launch" waits for the daemon link and the server list.
CONNECT_ON_LAUNCH_WAIT_S = 60.0
RAISING_PLATFORMS = frozenset({"xcb", "windows", "cocoa"})


class DesktopIntegration(QObject):
    def __init__(
        self,
        manager: ConnectionManager,
        *,
        settings: Settings,
        window: QQuickWindow,
        quit_app: Callable[[], None],
        throttle_s: float = notification_texts.THROTTLE_S,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._manager = manager
        self._settings = settings
        self._window = window
        self._tasks = BackgroundTasks("desktop")
        self._server: asyncio.AbstractServer | None = None
        self.notifications = DesktopNotifications(manager, settings, self.window_focused, throttle_s, parent=self)
        self.tray = Tray(
            manager,
            settings=settings,
            toggle_window=self.toggle_window,
            window_visible=window.isVisible,
            quit_app=quit_app,
            parent=self,
        )
        window.visibleChanged.connect(lambda _: self.tray.refresh())

    async def start(self, instance: socket.socket | None = None) -> None:
        """Serve the single-instance socket, show the tray icon, then apply the launch settings."""
        if instance is not None:
            self._server = await asyncio.start_unix_server(self._on_instance_request, sock=instance)
        await self.tray.start()
        desktop = self._settings.desktop
        if desktop.start_minimised:
            if self.tray.shown:
                log.info("start minimised: in the tray")
                self._window.hide()
            else:
                self._window.showMinimized()
        if desktop.connect_on_launch:
            self._tasks.spawn(self._connect_on_launch())

    def window_focused(self) -> bool:
        # A hidden window may stay Qt's focus window on some platforms (offscreen).
        return self._window.isVisible() and self._window.isActive()

    def keeps_running_in_tray(self) -> bool:
        """Closing the window leaves the app running: the setting is on and a tray host shows the icon."""
        return self._settings.desktop.keep_in_tray and self.tray.shown

    def show_window(self) -> None:
        self._window.show()
        # Other platform plugins (offscreen, wayland, minimal) print a Qt
        # warning for raise() ("This plugin does not support raise()").
        if QGuiApplication.platformName() in RAISING_PLATFORMS:
            self._window.raise_()
            self._window.requestActivate()

    def toggle_window(self) -> None:
        if self._window.isVisible() and self._window.isExposed():
            self._window.hide()
        else:
            self.show_window()

    async def _on_instance_request(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await asyncio.wait_for(reader.readline(), single_instance.REPLY_TIMEOUT_S)
            if request == single_instance.SHOW:
                log.info("another launch of vpnui: showing this window")
                self.show_window()
                writer.write(single_instance.SHOWN)
                await writer.drain()
        except (OSError, TimeoutError) as exc:
            log.info("single-instance request failed: %s", exc)
        finally:
            writer.close()

    async def _connect_on_launch(self) -> None:
        """Once the daemon link is ready and the locations are known: on, to the last location."""
        manager = self._manager
        ready = asyncio.Event()

        def check() -> None:
            if manager.link_state is LinkState.READY and view.text(manager, "locationName"):
                ready.set()

        signals = (manager.linkStateChanged, manager.locationChanged, manager.locationsChanged)
        for changed in signals:
            changed.connect(check)
        check()
        try:
            await asyncio.wait_for(ready.wait(), CONNECT_ON_LAUNCH_WAIT_S)
        except TimeoutError:
            log.info("connect on launch: no daemon link or location within %.0f s", CONNECT_ON_LAUNCH_WAIT_S)
            return
        finally:
            for changed in signals:
                changed.disconnect(check)
        if view.client_state(manager) == VPNClientState.Off:
            log.info("connect on launch: to %s", view.text(manager, "locationName"))
            manager.activate()

    async def close(self) -> None:
        await self._tasks.cancel_all()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        await self.notifications.close()
        await self.tray.close()
