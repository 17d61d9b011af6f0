"""The desktop settings, kept inside the user's settings file (``Settings.desktop``).

Qt-free: ``vpnui.settings`` embeds this struct, and everything here is read
by real code (``vpnui.desktop.integration``, ``notifications``, ``launcher``).
"""

from __future__ import annotations

from enum import StrEnum

import msgspec


class NotificationKind(StrEnum):
    """One switch each in Settings; throttled separately."""

    CONNECTED = "connected"
    DISCONNECTED = "disconnected"
    SERVER_MOVED = "server_moved"
    CAPTIVE_PORTAL = "captive_portal"
    INTERNET = "internet"  # lost and back, while on
    DAEMON = "daemon"  # the VPN service lost and back
    SUBSCRIPTION = "subscription"


class DesktopSettings(msgspec.Struct, kw_only=True):
    # Kinds the user turned off (the global "Notifications" switch is
    # Settings.notifications_enabled).  Stored as the kinds switched off, so
    # a kind added later is on by default.
    muted_notifications: list[str] = msgspec.field(default_factory=list)
    launch_at_login: bool = False
    start_minimised: bool = False
    connect_on_launch: bool = False
    keep_in_tray: bool = True
    # The locations last connected to, newest first, as [country, city] (the tray menu).
    recent_locations: list[list[str]] = msgspec.field(default_factory=list)

    def remember_location(self, country: str, city: str, keep: int = 3) -> None:
        recent = [[country, city]] + [loc for loc in self.recent_locations if loc != [country, city]]
        self.recent_locations = recent[:keep]

    def notifies(self, kind: NotificationKind) -> bool:
        return kind.value not in self.muted_notifications

    def set_notifies(self, kind: NotificationKind, enabled: bool) -> None:
        muted = [k for k in self.muted_notifications if k != kind.value]
        if not enabled:
            muted.append(kind.value)
        self.muted_notifications = sorted(muted)
