"""What the user reads for each state, check and failure.

Kept in one table-like module so every state has its words, the words are
tested, and the screenshots command can walk through all of them.  Every
text is translatable (``vpnui.i18n``): the catalogue of the user's language
gives its words, with the names and figures filled in afterwards.
"""

from __future__ import annotations

from typing import Final

from vpnui.connection.machine import Snapshot
from vpnui.connection.states import ConnectionState, FailureCause, VPNClientState
from vpnui.i18n import arg, number, translate

FAILURE_KEYS: Final[dict[FailureCause, str]] = {
    FailureCause.NoInternet: "noInternet",
    FailureCause.CaptivePortal: "captivePortal",
    FailureCause.AccountServiceUnreachable: "accountServiceUnreachable",
    FailureCause.NoSubscription: "noSubscription",
    FailureCause.FirewallBlocking: "firewallBlocking",
    FailureCause.ServerUnavailable: "serverUnavailable",
    FailureCause.DaemonLost: "daemonLost",
}
"""Each failure's name in logs, telemetry and automation (its modal's objectName is ``modal`` + capitalised key)."""


def failure_title(cause: FailureCause) -> str:
    """The failure in a few words: the title of its modal or banner (the status card does not repeat it)."""
    match cause:
        case FailureCause.NoInternet:
            return translate("Failure", "No internet connection")
        case FailureCause.CaptivePortal:
            return translate("Failure", "Sign in to this network")
        case FailureCause.AccountServiceUnreachable:
            return translate("Failure", "Can't reach your account")
        case FailureCause.NoSubscription:
            return translate("Failure", "No active subscription")
        case FailureCause.FirewallBlocking:
            return translate("Failure", "VPN traffic is blocked")
        case FailureCause.ServerUnavailable:
            return translate("Failure", "Location unavailable")
        case FailureCause.DaemonLost:
            return translate("Failure", "VPN service not responding")


def failure_detail(cause: FailureCause, subscription_status: str = "") -> str:
    """The modal's explanation: what is wrong and what the user can do."""
    match cause:
        case FailureCause.NoInternet:
            return translate(
                "Failure", "This device is not connected to the internet. Check your Wi-Fi or cable, then try again."
            )
        case FailureCause.CaptivePortal:
            # Read with the VPN off and on alike: while on, the tunnel hides the page.
            return translate(
                "Failure",
                "This network requires you to sign in (hotel, airport or café Wi-Fi) before the VPN can "
                "connect. The VPN must be off while you sign in.",
            )
        case FailureCause.AccountServiceUnreachable:
            return translate(
                "Failure",
                "The account service did not answer, so your subscription could not be checked. "
                "This is usually temporary: try again in a moment.",
            )
        case FailureCause.NoSubscription:
            if subscription_status == "expired":
                return translate("Failure", "Your subscription has expired. Renew it to use the VPN.")
            return translate("Failure", "No subscription was found for this device. Subscribe to use the VPN.")
        case FailureCause.FirewallBlocking:
            return translate(
                "Failure",
                "The servers are reachable, but this network blocks VPN traffic (UDP). "
                "Try another network or ask its administrator.",
            )
        case FailureCause.ServerUnavailable:
            return translate(
                "Failure", "No server in this location is answering right now. Choose another location or try again."
            )
        case FailureCause.DaemonLost:
            return translate(
                "Failure",
                "The app lost contact with the VPN service and is reconnecting. "
                "Your VPN connection, if on, keeps running.",
            )


def check_subtitle(connection_state: ConnectionState, location: str) -> str:
    """The subtitle while a check runs (empty when none does)."""
    match connection_state:
        case ConnectionState.InternetProbe:
            return translate("Status", "Checking your internet connection…")
        case ConnectionState.CaptivePortal:
            return translate("Status", "Checking for a sign-in page on this network…")
        case ConnectionState.CheckSubscription:
            return translate("Status", "Checking your subscription…")
        case ConnectionState.Firewall:
            return translate("Status", "Checking whether this network blocks VPN traffic…")
        case ConnectionState.ServerProbe:
            if location:
                return arg(translate("Status", "Finding the fastest server in %1…"), location)
            return translate("Status", "Finding the fastest server…")
        case _:
            return ""


def status_text(snapshot: Snapshot, location: str) -> tuple[str, str]:
    """Title and subtitle of the status card for ``snapshot``.

    Each message is said once: a failure's title and explanation are the
    banner's or the modal's, and the unstable link's reason is its banner's,
    so the card says only what they leave out.  A lost daemon is the card's
    own message: nothing else says it.
    """
    where = location or translate("Status", "your location")
    if snapshot.failure == FailureCause.DaemonLost:
        return translate("Status", "Status unknown"), translate("Status", "Reconnecting to the VPN service…")
    match snapshot.client_state:
        case VPNClientState.Off:
            if snapshot.failure is not None:
                return translate("Status", "VPN is off"), translate("Status", "The VPN could not be turned on")
            return translate("Status", "VPN is off"), translate("Status", "Turn it on to protect your connection")
        case VPNClientState.Connecting:
            tunnel = arg(translate("Status", "Setting up a secure tunnel to %1"), where)
            return translate("Status", "Connecting…"), tunnel
        case VPNClientState.Disconnecting:
            return translate("Status", "Disconnecting…"), translate("Status", "Turning the VPN off")
        case VPNClientState.Switching:
            return translate("Status", "Switching…"), arg(translate("Status", "Moving your connection to %1"), where)
        case VPNClientState.On:
            on = translate("Status", "VPN is on")
            if snapshot.failure is not None:
                return on, translate("Status", "Traffic may not flow")
            if snapshot.connection_state == ConnectionState.Unstable:
                return on, translate("Status", "Unstable connection")
            return on, arg(translate("Status", "Secure and protected · %1"), where)


def round_trip_text(rtt_ms: float | None, missed_in_a_row: int) -> str:
    """The round trip of the connection details: the time alone.

    Loss is not repeated here: when it matters the link is Unstable, and
    that banner names it ("High packet loss (30%)").
    """
    if rtt_ms is None:
        return arg(translate("Connection", "no answer (missed: %1)"), missed_in_a_row)
    if rtt_ms < 1:
        return translate("Connection", "<1 ms")
    return arg(translate("Connection", "%1 ms"), number(rtt_ms, 0))


def moved_notice(from_server: str, to_server: str) -> str:
    """The one line telling the user that the connection moved by itself (and why)."""
    return arg(translate("Status", "Moved to %1: %2 stopped answering"), to_server, from_server)


def format_bytes(count: int) -> str:
    """A byte count for people: 512 B, 3.4 KiB, 12.0 MiB."""
    size = float(count)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{int(size)} B" if unit == "B" else f"{number(size, 1)} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


def format_elapsed(seconds: float) -> str:
    """HH:MM:SS, growing past 24 hours rather than wrapping."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}"
