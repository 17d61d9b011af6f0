"""Assembles the app: settings, endpoints, daemon link, manager and window.

``MimicApp`` is what ``vpnui`` runs and what UI tests and benchmarks drive,
so that they exercise exactly the same wiring as a user does.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import msgspec
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtNetwork import QNetworkInformation
from PySide6.QtQml import QQmlApplicationEngine
from PySide6.QtQuick import QQuickWindow

from vpnui.config import Endpoints, load_config
from vpnui.connection.manager import ConnectionManager
from vpnui.connection.settings import ConnectionSettings
from vpnui.controller import Controller
from vpnui.daemon_client import DaemonClient
from vpnui.lab_conditions import LabConditions
from vpnui.main_window import attach_screens, load_main_window
from vpnui.preferences import Preferences
from vpnui.settings import load_settings

if TYPE_CHECKING:
    import socket

    from vpnui.desktop.integration import DesktopIntegration
    from vpnui.telemetry import AppTelemetry

log = logging.getLogger(__name__)


class AppOptions(msgspec.Struct):
    """How ``MimicApp`` runs.

    A ``msgspec.Struct``, not a dataclass: made before the window's screens,
    where making a dataclass costs about 0.5 ms.
    """

    endpoints: Endpoints = msgspec.field(default_factory=Endpoints)
    daemon_args: list[str] = msgspec.field(default_factory=list)
    lab_args: list[str] = msgspec.field(default_factory=list)
    connection: ConnectionSettings = msgspec.field(default_factory=ConnectionSettings)
    use_embedded_lab: bool = True
    telemetry_timer_s: float = 3 * 3600.0  # the timer/daemon_timer ping interval
    # Notifications, tray, single instance (vpnui/desktop/); the listening
    # socket of the single-instance claim, when vpnui.main made one.
    desktop: bool = True
    # None: the notifications' own interval (notification_texts.THROTTLE_S),
    # read once they are loaded, after the screens.
    notification_throttle_s: float | None = None
    instance_socket: socket.socket | None = None


class MimicApp(QObject):
    """One running app: create, ``show()``, then ``await start()``."""

    # The tray's "Quit": run_until_quit ends the app as when the window closes.
    quitRequested = Signal()

    def __init__(
        self,
        options: AppOptions | None = None,
        parent: QObject | None = None,
        engine: QQmlApplicationEngine | None = None,
    ) -> None:
        """``engine`` may already hold the main window (``vpnui.main`` shows it before importing this module)."""
        super().__init__(parent)
        self.options = options or AppOptions()
        # The engine is the first child: Qt destroys children in creation
        # order, so the window and its bindings go before the objects they read.
        self.engine = engine if engine is not None else QQmlApplicationEngine()
        self.engine.setParent(self)
        self.settings = load_settings()
        file_config = load_config()
        if file_config.device_token:
            self.settings.device_token = file_config.device_token
        self.endpoints = file_config.endpoints.merged(self.options.endpoints)
        self.client = DaemonClient(self.settings.installation_id, self.options.daemon_args, parent=self)
        self.controller = Controller(self.client, parent=self)
        self.manager = ConnectionManager(
            self.client, self.controller, self.settings, self.options.connection, parent=self
        )
        self.preferences = Preferences(self.settings, parent=self)
        self.lab_conditions = LabConditions(self.manager.network_changed, self._lab_expected(), parent=self)
        self._telemetry: AppTelemetry | None = None
        self.desktop: DesktopIntegration | None = None
        self.window: QQuickWindow | None = None

    @property
    def starts_minimised(self) -> bool:
        """Settings → Start minimised, when the desktop integration that applies it runs."""
        return self.options.desktop and self.settings.desktop.start_minimised

    def _lab_expected(self) -> bool:
        """Whether ``start()`` will attach a lab: a configured one, or the embedded one filling gaps."""
        if self.endpoints.lab_url is not None:
            return True
        return self.options.use_embedded_lab and not self.endpoints.complete()

    @property
    def telemetry(self) -> AppTelemetry:
        """The app's Glean side; it exists once ``start()`` ran."""
        assert self._telemetry is not None, "start() creates the telemetry"
        return self._telemetry

    @property
    def telemetry_session_id(self) -> str | None:
        """The session id the app's telemetry reports under; ``None`` before ``start()``."""
        return self._telemetry.session_id if self._telemetry is not None else None

    def show(self) -> QQuickWindow:
        """The main window with its screens bound to the manager (before any network work).

        Loads the window unless the engine already holds it; a window loaded
        here stays hidden when the app starts minimised (the desktop
        integration then decides where it goes), as in ``vpnui.main``.
        """
        window = load_main_window(self.engine, visible=not self.starts_minimised)
        attach_screens(window, self.manager, self.lab_conditions, self.preferences)
        self.window = window
        return window

    async def start(self) -> None:
        """Find the outside world, then connect to the daemon.

        Telemetry and the HTTP client load here, not at import: the window is
        on screen first, and a good part of the start-up time is theirs.
        """
        # The location picker's list type, registered for QML before any
        # event is handled (nothing can open the picker before this first
        # step of the loop), not before the screens: the picker is compiled
        # only when first opened (MainContent.qml's PanelSlot).
        from vpnui import location_search  # noqa: F401, PLC0415
        from vpnui.embedded_lab import world_endpoints  # noqa: PLC0415
        from vpnui.telemetry import AppTelemetry  # noqa: PLC0415

        self._telemetry = AppTelemetry(
            self.client,
            self.manager,
            preferences=self.preferences,
            settings=self.settings,
            timer_interval_s=self.options.telemetry_timer_s,
            parent=self,
        )
        endpoints = await world_endpoints(self.endpoints, self.options.use_embedded_lab, self.options.lab_args)
        self.endpoints = endpoints
        self.manager.set_endpoints(endpoints)
        if endpoints.ingestion_url:
            self._telemetry.start(endpoints.ingestion_url)
            self.client.telemetry_url = endpoints.ingestion_url
        if endpoints.lab_url:
            self.lab_conditions.attach(endpoints.lab_url)
        self.client.start()
        self._follow_os_network()
        if self.options.desktop and self.window is not None:
            from vpnui.desktop import notification_texts  # noqa: PLC0415
            from vpnui.desktop.integration import DesktopIntegration  # noqa: PLC0415

            throttle_s = self.options.notification_throttle_s
            self.desktop = DesktopIntegration(
                self.manager,
                settings=self.settings,
                window=self.window,
                quit_app=self.quitRequested.emit,
                throttle_s=notification_texts.THROTTLE_S if throttle_s is None else throttle_s,
                parent=self,
            )
            await self.desktop.start(self.options.instance_socket)

    def _follow_os_network(self) -> None:
        """Treat the OS's reachability and transport changes as network changes."""
        if not QNetworkInformation.loadDefaultBackend():
            log.info("no network information backend: OS network changes are not followed")
            return
        info = QNetworkInformation.instance()
        info.reachabilityChanged.connect(lambda _: self.manager.network_changed())
        info.transportMediumChanged.connect(lambda _: self.manager.network_changed())

    async def shutdown(self) -> None:
        """Leave the daemon (and its VPN session) running; close our side."""
        if self.desktop is not None:
            await self.desktop.close()
        await self.lab_conditions.close()
        await self.manager.shutdown()
        if self._telemetry is not None:
            await self._telemetry.shutdown()
        self.client.close()
        self.close_window()

    def close_window(self) -> None:
        """Destroy the window before the objects its bindings read."""
        if self.window is not None:
            self.window.close()
            self.window = None
        self.engine.deleteLater()


def run_until_quit(app: QGuiApplication, mimic: MimicApp) -> int:
    """Run the Qt/asyncio loop until the window closes: ``mimic.start()``, then its shutdown.

    The window's screens are shown before (``mimic.show()``, as ``vpnui.main`` does).
    """
    # The app uses no widgets; qt_loop keeps qasync from loading QtWidgets.
    import asyncio  # noqa: PLC0415  (see vpnui.background_tasks)
    import signal  # noqa: PLC0415  (not needed before the screens)

    from mimic_core.qt_loop import create_event_loop  # noqa: PLC0415

    loop = create_event_loop(app)
    quit_event = asyncio.Event()
    # Closing the window ends the app only after an orderly shutdown, so Qt
    # must not stop the loop underneath it.
    app.setQuitOnLastWindowClosed(False)

    def _window_closed() -> None:
        # With a tray icon (and the setting on) the app keeps running there.
        if mimic.desktop is None or not mimic.desktop.keeps_running_in_tray():
            quit_event.set()

    app.lastWindowClosed.connect(_window_closed)
    mimic.quitRequested.connect(quit_event.set)
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, quit_event.set)

    async def _main() -> None:
        await mimic.start()
        await quit_event.wait()
        await mimic.shutdown()

    try:
        loop.run_until_complete(_main())
    finally:
        loop.close()
    return 0
