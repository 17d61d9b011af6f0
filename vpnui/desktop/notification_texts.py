"""What each desktop notification says, and when one may be shown again (Qt-free)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from vpnui.desktop.settings import NotificationKind

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
    where = location or "the VPN"
    body = f"Your traffic goes through {server}." if server else "Your traffic goes through Mimic VPN."
    return Note(NotificationKind.CONNECTED, "on", f"Connected to {where}", body)


def disconnected() -> Note:
    return Note(
        NotificationKind.DISCONNECTED, "off", "VPN disconnected", "Your traffic no longer goes through Mimic VPN."
    )


def server_moved(from_server: str, to_server: str) -> Note:
    return Note(
        NotificationKind.SERVER_MOVED,
        "moved",
        f"Connection moved to {to_server}",
        f"{from_server} stopped answering. The VPN stayed on.",
    )


def captive_portal() -> Note:
    return Note(
        NotificationKind.CAPTIVE_PORTAL,
        "found",
        "This network wants you to sign in",
        "A captive portal blocks the VPN. Turn the VPN off to reach the network's sign-in page.",
        actions=((TURN_OFF_ACTION, "Turn off VPN"),),
        critical=True,
    )


def internet_lost() -> Note:
    return Note(
        NotificationKind.INTERNET,
        "lost",
        "Internet connection lost",
        "The VPN stays on and carries your traffic again when the internet is back.",
        critical=True,
    )


def internet_back(location: str) -> Note:
    where = f" through {location}" if location else ""
    return Note(NotificationKind.INTERNET, "back", "Internet connection back", f"Your traffic goes{where} again.")


def daemon_lost() -> Note:
    return Note(
        NotificationKind.DAEMON,
        "lost",
        "VPN service stopped",
        "Mimic VPN lost its background service and is starting it again.",
        critical=True,
    )


def daemon_back() -> Note:
    return Note(
        NotificationKind.DAEMON, "back", "VPN service back", "Mimic VPN is linked to its background service again."
    )


def subscription_expired() -> Note:
    return Note(
        NotificationKind.SUBSCRIPTION,
        "expired",
        "Subscription expired",
        "Your subscription has expired. Renew it to use the VPN.",
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
