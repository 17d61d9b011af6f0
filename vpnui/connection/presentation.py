"""What the user reads for each state, check and failure.

Kept Qt-free and in one table-like module so every state has its words, the
words are tested, and the screenshots command can walk through all of them.
"""

from __future__ import annotations

from typing import Final

from vpnui.connection.machine import Snapshot
from vpnui.connection.states import ConnectionState, FailureCause, VPNClientState

FAILURE_KEYS: Final[dict[FailureCause, str]] = {
    FailureCause.NoInternet: "noInternet",
    FailureCause.CaptivePortal: "captivePortal",
    FailureCause.AccountServiceUnreachable: "accountServiceUnreachable",
    FailureCause.NoSubscription: "noSubscription",
    FailureCause.FirewallBlocking: "firewallBlocking",
    FailureCause.ServerUnavailable: "serverUnavailable",
    FailureCause.DaemonLost: "daemonLost",
}
"""The name QML uses for each failure (its modal's objectName is ``modal`` + capitalised key)."""

FAILURE_TITLES: Final[dict[FailureCause, str]] = {
    FailureCause.NoInternet: "No internet connection",
    FailureCause.CaptivePortal: "Sign in to this network",
    FailureCause.AccountServiceUnreachable: "Can't reach your account",
    FailureCause.NoSubscription: "No active subscription",
    FailureCause.FirewallBlocking: "VPN traffic is blocked",
    FailureCause.ServerUnavailable: "Location unavailable",
    FailureCause.DaemonLost: "VPN service not responding",
}


def failure_detail(cause: FailureCause, subscription_status: str = "") -> str:
    """The modal's explanation: what is wrong and what the user can do."""
    match cause:
        case FailureCause.NoInternet:
            return "This device is not connected to the internet. Check your Wi-Fi or cable, then try again."
        case FailureCause.CaptivePortal:
            # Read with the VPN off and on alike: while on, the tunnel hides the page.
            return (
                "This network requires you to sign in (hotel, airport or café Wi-Fi) before the VPN can "
                "connect. The VPN must be off while you sign in."
            )
        case FailureCause.AccountServiceUnreachable:
            return (
                "The account service did not answer, so your subscription could not be checked. "
                "This is usually temporary: try again in a moment."
            )
        case FailureCause.NoSubscription:
            if subscription_status == "expired":
                return "Your subscription has expired. Renew it to use the VPN."
            return "No subscription was found for this device. Subscribe to use the VPN."
        case FailureCause.FirewallBlocking:
            return (
                "The servers are reachable, but this network blocks VPN traffic (UDP). "
                "Try another network or ask its administrator."
            )
        case FailureCause.ServerUnavailable:
            return "No server in this location is answering right now. Choose another location or try again."
        case FailureCause.DaemonLost:
            return (
                "The app lost contact with the VPN service and is reconnecting. "
                "Your VPN connection, if on, keeps running."
            )


def check_subtitle(connection_state: ConnectionState, location: str) -> str:
    """The subtitle while a check runs (empty when none does)."""
    match connection_state:
        case ConnectionState.InternetProbe:
            return "Checking your internet connection…"
        case ConnectionState.CaptivePortal:
            return "Checking for a sign-in page on this network…"
        case ConnectionState.CheckSubscription:
            return "Checking your subscription…"
        case ConnectionState.Firewall:
            return "Checking whether this network blocks VPN traffic…"
        case ConnectionState.ServerProbe:
            return f"Finding the fastest server in {location}…" if location else "Finding the fastest server…"
        case _:
            return ""


def status_text(snapshot: Snapshot, location: str) -> tuple[str, str]:
    """Title and subtitle of the status card for ``snapshot``.

    Each message is said once: a failure's title and explanation are the
    banner's or the modal's, and the unstable link's reason is its banner's,
    so the card says only what they leave out.  A lost daemon is the card's
    own message: nothing else says it.
    """
    where = location or "your location"
    if snapshot.failure == FailureCause.DaemonLost:
        return "Status unknown", "Reconnecting to the VPN service…"
    match snapshot.client_state:
        case VPNClientState.Off:
            if snapshot.failure is not None:
                return "VPN is off", "The VPN could not be turned on"
            return "VPN is off", "Turn it on to protect your connection"
        case VPNClientState.Connecting:
            return "Connecting…", f"Setting up a secure tunnel to {where}"
        case VPNClientState.Disconnecting:
            return "Disconnecting…", "Turning the VPN off"
        case VPNClientState.Switching:
            return "Switching…", f"Moving your connection to {where}"
        case VPNClientState.On:
            if snapshot.failure is not None:
                return "VPN is on", "Traffic may not flow"
            if snapshot.connection_state == ConnectionState.Unstable:
                return "VPN is on", "Unstable connection"
            return "VPN is on", f"Secure and protected · {where}"


def round_trip_text(rtt_ms: float | None, missed_in_a_row: int) -> str:
    """The round trip of the connection details: the time alone.

    Loss is not repeated here: when it matters the link is Unstable, and
    that banner names it ("High packet loss (30%)").
    """
    if rtt_ms is None:
        return f"no answer ({missed_in_a_row} missed)"
    return "<1 ms" if rtt_ms < 1 else f"{rtt_ms:.0f} ms"


def moved_notice(from_server: str, to_server: str) -> str:
    """The one line telling the user that the connection moved by itself (and why)."""
    return f"Moved to {to_server}: {from_server} stopped answering"


def format_bytes(count: int) -> str:
    """A byte count for people: 512 B, 3.4 KiB, 12.0 MiB."""
    size = float(count)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{int(size)} B" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


def format_elapsed(seconds: float) -> str:
    """HH:MM:SS, growing past 24 hours rather than wrapping."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}"
