"""The states and failure causes the ConnectionManager reports.

They are ``IntEnum``s because the QObject wrapper re-exports them to QML as
``@QEnum`` values, where only integers cross the boundary; the member order
is part of that contract, so new members go at the end.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum
from typing import Final


class VPNClientState(IntEnum):
    """What the VPN client as a whole is doing, as the toggle shows it."""

    Off = 0
    """No tunnel and none requested."""
    Connecting = 1
    """The user asked for the VPN: the checks run, then the daemon builds the tunnel."""
    On = 2
    """The daemon reported the tunnel up; the elapsed-time timer runs."""
    Disconnecting = 3
    """The user asked to turn off; waiting for the daemon to tear the tunnel down."""
    Switching = 4
    """On, and moving to another location: the tunnel stays up until the new one is."""


class ConnectionState(IntEnum):
    """Which connection task is under way; ``Idle`` when none is."""

    InternetProbe = 0
    """Checking that the network reaches the internet at all."""
    CaptivePortal = 1
    """Checking whether the network holds web traffic behind a login page."""
    Firewall = 2
    """Checking whether the servers are there but their VPN port is blocked."""
    CheckSubscription = 3
    """Asking the account service whether the subscription is active."""
    ServerProbe = 4
    """Handshaking with the servers of the selected location."""
    Unstable = 5
    """No check runs, but the tunnel loses packets or answers slowly."""
    Idle = 6
    """No check runs and the connection (if any) is stable."""


class FailureCause(IntEnum):
    """Why the VPN cannot work, in diagnosis precedence order (first wins).

    One root cause can make several checks fail (offline: every check
    fails), so the cause reported is the first in this order among those
    found; that is what keeps "server unavailable" from being shown to a
    user who is merely offline or behind a captive portal.
    """

    NoInternet = 0
    """The network does not reach the internet."""
    CaptivePortal = 1
    """The network wants a login in a browser before it lets traffic through."""
    AccountServiceUnreachable = 2
    """The subscription could not be checked (not the same as having none)."""
    NoSubscription = 3
    """The account service says the subscription is expired or absent."""
    FirewallBlocking = 4
    """The servers answer on TCP but their VPN (UDP) traffic is blocked."""
    ServerUnavailable = 5
    """No server of the selected location answers."""
    DaemonLost = 6
    """The app lost its link to the daemon (the tunnel itself is unaffected)."""


class Check(StrEnum):
    """One network check; the value names it in logs and metrics."""

    internet = "internet"
    captive_portal = "captive_portal"
    subscription = "subscription"
    firewall = "firewall"
    server = "server"


CONNECTION_STATE_FOR_CHECK: Final[dict[Check, ConnectionState]] = {
    Check.internet: ConnectionState.InternetProbe,
    Check.captive_portal: ConnectionState.CaptivePortal,
    Check.subscription: ConnectionState.CheckSubscription,
    Check.firewall: ConnectionState.Firewall,
    Check.server: ConnectionState.ServerProbe,
}
"""The ``ConnectionState`` shown while a check runs."""

CAUSES_FOUND_BY: Final[dict[Check, frozenset[FailureCause]]] = {
    Check.internet: frozenset({FailureCause.NoInternet}),
    Check.captive_portal: frozenset({FailureCause.CaptivePortal}),
    Check.subscription: frozenset({FailureCause.AccountServiceUnreachable, FailureCause.NoSubscription}),
    Check.firewall: frozenset({FailureCause.FirewallBlocking}),
    Check.server: frozenset({FailureCause.ServerUnavailable}),
}
"""The failures each check can report.

Used to stop a check run early once no pending check could change the
diagnosis, and to know which active failure a passing check rules out.
"""

CHECKS_RULING_OUT: Final[dict[FailureCause, frozenset[Check]]] = {
    FailureCause.NoInternet: frozenset({Check.internet}),
    FailureCause.CaptivePortal: frozenset({Check.captive_portal}),
    FailureCause.AccountServiceUnreachable: frozenset({Check.subscription}),
    FailureCause.NoSubscription: frozenset({Check.subscription}),
    # A server answering its UDP handshake proves nothing blocks VPN traffic.
    FailureCause.FirewallBlocking: frozenset({Check.firewall, Check.server}),
    FailureCause.ServerUnavailable: frozenset({Check.server}),
    # Only the daemon link coming back clears this one.
    FailureCause.DaemonLost: frozenset(),
}
"""For each failure, the checks whose passing shows it has cleared."""
