"""The user's preferences as QML sees them (telemetry, notifications)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from vpnui.desktop.preferences import DesktopPreferences
from vpnui.qml_types import app_type
from vpnui.settings import Settings, save_settings
from vpnui.typed_property import typed_property


@app_type("Preferences are created by the app")
class Preferences(QObject):
    telemetryEnabledChanged = Signal(bool)
    notificationsEnabledChanged = Signal(bool)

    def __init__(self, settings: Settings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._settings = settings
        self._desktop = DesktopPreferences(settings, parent=self)

    def _get_telemetry(self) -> bool:
        return self._settings.telemetry_enabled

    def _set_telemetry(self, enabled: bool) -> None:
        if enabled == self._settings.telemetry_enabled:
            return
        self._settings.telemetry_enabled = enabled
        save_settings(self._settings)
        self.telemetryEnabledChanged.emit(enabled)

    def _get_notifications(self) -> bool:
        return self._settings.notifications_enabled

    def _set_notifications(self, enabled: bool) -> None:
        if enabled == self._settings.notifications_enabled:
            return
        self._settings.notifications_enabled = enabled
        save_settings(self._settings)
        self.notificationsEnabledChanged.emit(enabled)

    def _get_desktop(self) -> DesktopPreferences:
        return self._desktop

    # Notifications per kind, login start, tray (vpnui/desktop/preferences.py).
    desktop = typed_property(DesktopPreferences, _get_desktop, constant=True)
    telemetryEnabled = typed_property(bool, _get_telemetry, _set_telemetry, notify=telemetryEnabledChanged)
    notificationsEnabled = typed_property(
        bool, _get_notifications, _set_notifications, notify=notificationsEnabledChanged
    )
