"""What each desktop notification says (in the user's language: ``vpnui.i18n``), and when one may be shown again."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from vpnui.desktop.settings import NotificationKind
from vpnui.i18n import arg, translate

TURN_OFF_ACTION: Final = "turn-off-vpn"
# A notification of the same kind and variant is not shown again within this
# many seconds: a flapping network gives one notice, not one a second.
THROTTLE_S: Final = 60.0
# After the user turned the VPN on or off (or chose a location) in the focused
# window, its result is not notified for this long: they are looking at it.
USER_CHANGE_S: Final = 30.0


@dataclass(frozen=True)
class Note:
    kind: NotificationKind
    variant: str  # what in the kind happened ("lost", "back", ...): the throttle's key with the kind
    summary: str
    body: str
    # (action id, button label); the id is what the service sends back in ActionInvoked.
    actions: tuple[tuple[str, str], ...] = ()
    critical: bool = False

    @property
    def key(self) -> str:
        return f"{self.kind.value}.{self.variant}"


def connected(location: str, server: str) -> Note:
    where = location or translate("Notification", "the VPN")
    body = (
        arg(translate("Notification", "Your traffic goes through %1."), server)
        if server
        else translate("Notification", "Your traffic goes through Mimic VPN.")
    )
    return Note(NotificationKind.CONNECTED, "on", arg(translate("Notification", "Connected to %1"), where), body)


def disconnected() -> Note:
    return Note(
        NotificationKind.DISCONNECTED,
        "off",
        translate("Notification", "VPN disconnected"),
        translate("Notification", "Your traffic no longer goes through Mimic VPN."),
    )


def server_moved(from_server: str, to_server: str) -> Note:
    return Note(
        NotificationKind.SERVER_MOVED,
        "moved",
        arg(translate("Notification", "Connection moved to %1"), to_server),
        arg(translate("Notification", "%1 stopped answering. The VPN stayed on."), from_server),
    )


def captive_portal() -> Note:
    return Note(
        NotificationKind.CAPTIVE_PORTAL,
        "found",
        translate("Notification", "This network wants you to sign in"),
        translate(
            "Notification",
            "A captive portal blocks the VPN. Turn the VPN off to reach the network's sign-in page.",
        ),
        actions=((TURN_OFF_ACTION, translate("Notification", "Turn off VPN")),),
        critical=True,
    )


def internet_lost() -> Note:
    return Note(
        NotificationKind.INTERNET,
        "lost",
        translate("Notification", "Internet connection lost"),
        translate("Notification", "The VPN stays on and carries your traffic again when the internet is back."),
        critical=True,
    )


def internet_back(location: str) -> Note:
    body = (
        arg(translate("Notification", "Your traffic goes through %1 again."), location)
        if location
        else translate("Notification", "Your traffic goes again.")
    )
    return Note(NotificationKind.INTERNET, "back", translate("Notification", "Internet connection back"), body)


def daemon_lost() -> Note:
    return Note(
        NotificationKind.DAEMON,
        "lost",
        translate("Notification", "VPN service stopped"),
        translate("Notification", "Mimic VPN lost its background service and is starting it again."),
        critical=True,
    )


def daemon_back() -> Note:
    return Note(
        NotificationKind.DAEMON,
        "back",
        translate("Notification", "VPN service back"),
        translate("Notification", "Mimic VPN is linked to its background service again."),
    )


def subscription_expired() -> Note:
    return Note(
        NotificationKind.SUBSCRIPTION,
        "expired",
        translate("Notification", "Subscription expired"),
        translate("Notification", "Your subscription has expired. Renew it to use the VPN."),
        critical=True,
    )


@dataclass
class Throttle:
    """At most one notification per kind and variant in ``interval_s``."""

    interval_s: float = THROTTLE_S
    _last: dict[str, float] = field(default_factory=dict)

    def allow(self, note: Note, now: float) -> bool:
        last = self._last.get(note.key)
        if last is not None and now - last < self.interval_s:
            return False
        self._last[note.key] = now
        return True
