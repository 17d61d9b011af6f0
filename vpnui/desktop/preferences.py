"""The desktop settings as the Settings panel sees them: one list of switches."""

from __future__ import annotations

import logging
from typing import Any, Final

from PySide6.QtCore import QObject, Signal, Slot

from vpnui.desktop.settings import DesktopSettings, NotificationKind
from vpnui.i18n import translate
from vpnui.qml_types import app_type
from vpnui.settings import Settings, save_settings
from vpnui.typed_property import typed_property

log = logging.getLogger(__name__)


def notification_label(kind: NotificationKind) -> str:
    """The Settings switch of a kind of notification."""
    match kind:
        case NotificationKind.CONNECTED:
            return translate("Settings", "Connected")
        case NotificationKind.DISCONNECTED:
            return translate("Settings", "Disconnected")
        case NotificationKind.SERVER_MOVED:
            return translate("Settings", "Moved to another server")
        case NotificationKind.CAPTIVE_PORTAL:
            return translate("Settings", "Captive portal found while on")
        case NotificationKind.INTERNET:
            return translate("Settings", "Internet lost and back while on")
        case NotificationKind.DAEMON:
            return translate("Settings", "VPN service lost and back")
        case NotificationKind.SUBSCRIPTION:
            return translate("Settings", "Subscription expired")


def app_switch_label(key: str) -> str:
    """The Settings switch of an app setting (a key of ``APP_SWITCHES``)."""
    match key:
        case "launch_at_login":
            return translate("Settings", "Launch at login")
        case "start_minimised":
            return translate("Settings", "Start minimised")
        case "connect_on_launch":
            return translate("Settings", "Connect on launch (last location)")
        case "keep_in_tray":
            return translate("Settings", "Keep running in the tray when closed")
    raise KeyError(key)


# The app switches: each a DesktopSettings attribute of the same name, in this order.
APP_SWITCHES: Final = ("launch_at_login", "start_minimised", "connect_on_launch", "keep_in_tray")
NOTIFY_PREFIX: Final = "notify."


@app_type("The desktop preferences are the Preferences' own")
class DesktopPreferences(QObject):
    """``switches`` for QML; ``setSwitch(key, on)`` saves, and acts where a switch has an effect outside the app."""

    switchesChanged = Signal()

    def __init__(self, settings: Settings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._settings = settings

    @property
    def desktop(self) -> DesktopSettings:
        return self._settings.desktop

    def _get_switches(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = [
            {
                "key": NOTIFY_PREFIX + kind.value,
                "label": notification_label(kind),
                "checked": self.desktop.notifies(kind),
                "group": "notify",
            }
            for kind in NotificationKind
        ]
        rows += [
            {"key": key, "label": app_switch_label(key), "checked": bool(getattr(self.desktop, key)), "group": "app"}
            for key in APP_SWITCHES
        ]
        return rows

    switches = typed_property(list, _get_switches, notify=switchesChanged)

    @Slot(str, bool)
    def setSwitch(self, key: str, enabled: bool) -> None:
        if key.startswith(NOTIFY_PREFIX):
            try:
                kind = NotificationKind(key.removeprefix(NOTIFY_PREFIX))
            except ValueError:
                log.error("no notification kind %r", key)
                return
            self.desktop.set_notifies(kind, enabled)
        elif key in APP_SWITCHES:
            if key == "launch_at_login" and not self._apply_autostart(enabled):
                self.switchesChanged.emit()  # the switch goes back to what is on disk
                return
            setattr(self.desktop, key, enabled)
        else:
            log.error("no desktop setting %r", key)
            return
        save_settings(self._settings)
        self.switchesChanged.emit()

    def _apply_autostart(self, enabled: bool) -> bool:
        """Write or remove the XDG autostart entry; False (logged) when the file system refuses."""
        # Only when the switch is flipped: the preferences exist before the
        # window's screens, the launcher's entries are never needed for them.
        from vpnui.desktop import launcher  # noqa: PLC0415

        try:
            if enabled:
                launcher.write_autostart_entry()
            else:
                launcher.remove_autostart_entry()
        except OSError as exc:
            log.error("could not %s the login start entry: %s", "write" if enabled else "remove", exc)
            return False
        return True
