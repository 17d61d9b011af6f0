"""What can happen to the ConnectionManager, and what it can ask for in return.

Events come from the user (toggle, location picker, a modal's retry
button), from the checks, from the daemon and from the stability tracker.
Effects are requests the wrapper carries out (run checks, talk to the
daemon, show or close a failure, drive the timer); the transition logic
itself never performs them, which is what lets it be tested with tables.

Each is a frozen ``msgspec.Struct`` rather than a frozen dataclass: the same
equality, hashing and ``match`` patterns, made in microseconds instead of
about 0.25 ms per class (31 classes, imported before the window's screens).
"""

from __future__ import annotations

from typing import Final

import msgspec

from mimic_core.protocol import ServerEndpoint
from vpnui.connection.states import Check, FailureCause

ALL_CHECKS: Final = frozenset(Check)
SWITCH_CHECKS: Final = frozenset({Check.internet, Check.captive_portal, Check.server, Check.firewall})

# ``Disconnected.reason`` values of the daemon protocol that matter here.
REASON_ACTIVATION_FAILED: Final = "activation_failed"
REASON_REPLACED: Final = "replaced"
"""The tunnel was replaced by a new one (a server switch): the VPN stays on."""

# ------------------------------------------------------------------ events


class ToggleOn(msgspec.Struct, frozen=True):
    """The user turned the VPN on."""


class ToggleOff(msgspec.Struct, frozen=True):
    """The user turned the VPN off."""


class CheckStarted(msgspec.Struct, frozen=True):
    """A check of the current run started (shown as the connection state)."""

    check: Check


class ChecksPassed(msgspec.Struct, frozen=True):
    """A run of checks found nothing wrong.

    ``checks`` are the checks that ran and passed (``CheckReport.passed()``):
    only the failures they rule out are cleared.
    """

    ranked_servers: tuple[ServerEndpoint, ...] = ()
    checks: frozenset[Check] = ALL_CHECKS


class ChecksFailed(msgspec.Struct, frozen=True):
    """A run of checks diagnosed ``cause``."""

    cause: FailureCause


class DaemonConnected(msgspec.Struct, frozen=True):
    """The daemon reports the tunnel up; ``connected_since`` is its session start (epoch s)."""

    connected_since: float


class DaemonDisconnected(msgspec.Struct, frozen=True):
    """The daemon reports the tunnel down, with the protocol's ``reason``."""

    reason: str = "user"


class DaemonLinkLost(msgspec.Struct, frozen=True):
    """The app lost its connection to the daemon (the daemon may still run a tunnel)."""


class DaemonLinkRestored(msgspec.Struct, frozen=True):
    """The app (re)connected to the daemon and learned whether a tunnel is up.

    Also the first event after the app starts: a session the daemon kept
    while the app was closed is picked up with its own start time.
    """

    connected: bool
    connected_since: float | None = None

    def __post_init__(self) -> None:
        if self.connected and self.connected_since is None:
            raise ValueError("a connected daemon always knows when its session started")


class LocationChosen(msgspec.Struct, frozen=True):
    """The user picked a location; ``servers`` are its servers."""

    servers: tuple[ServerEndpoint, ...]


class SwitchChecksPassed(msgspec.Struct, frozen=True):
    """The checks before a switch passed; ``ranked_servers`` are the new location's."""

    ranked_servers: tuple[ServerEndpoint, ...] = ()
    checks: frozenset[Check] = SWITCH_CHECKS


class SwitchChecksFailed(msgspec.Struct, frozen=True):
    """The checks before a switch diagnosed ``cause``; the tunnel stays where it is."""

    cause: FailureCause


class StabilityChanged(msgspec.Struct, frozen=True):
    """The stability tracker's verdict changed."""

    unstable: bool


class TunnelLost(msgspec.Struct, frozen=True):
    """Several keepalives in a row went unanswered."""


class TunnelRecovered(msgspec.Struct, frozen=True):
    """Keepalives are answered again after ``TunnelLost``."""


class ServerMoved(msgspec.Struct, frozen=True):
    """The daemon moved the tunnel by itself: ``from_server`` stopped answering, ``to_server`` answered.

    Same session, same timer: only the server changed (see ``daemon/failover.py``).
    """

    from_server: str
    to_server: str


class NetworkChanged(msgspec.Struct, frozen=True):
    """The operating system reports a different network (Wi-Fi joined, cable unplugged...)."""


class FailureCleared(msgspec.Struct, frozen=True):
    """The condition behind ``cause`` is gone (a re-check found so)."""

    cause: FailureCause


class Retry(msgspec.Struct, frozen=True):
    """The user pressed "retry" in a failure modal."""


Event = (
    ToggleOn
    | ToggleOff
    | CheckStarted
    | ChecksPassed
    | ChecksFailed
    | DaemonConnected
    | DaemonDisconnected
    | DaemonLinkLost
    | DaemonLinkRestored
    | LocationChosen
    | SwitchChecksPassed
    | SwitchChecksFailed
    | StabilityChanged
    | TunnelLost
    | TunnelRecovered
    | ServerMoved
    | NetworkChanged
    | FailureCleared
    | Retry
)
EVENT_TYPES: Final[tuple[type[Event], ...]] = (
    ToggleOn,
    ToggleOff,
    CheckStarted,
    ChecksPassed,
    ChecksFailed,
    DaemonConnected,
    DaemonDisconnected,
    DaemonLinkLost,
    DaemonLinkRestored,
    LocationChosen,
    SwitchChecksPassed,
    SwitchChecksFailed,
    StabilityChanged,
    TunnelLost,
    TunnelRecovered,
    ServerMoved,
    NetworkChanged,
    FailureCleared,
    Retry,
)

# ----------------------------------------------------------------- effects


class RunActivationChecks(msgspec.Struct, frozen=True):
    """Run every check for the selected location, then report ChecksPassed/Failed."""


class RunSwitchChecks(msgspec.Struct, frozen=True):
    """Run the switch checks for ``servers``, then report SwitchChecksPassed/Failed."""

    servers: tuple[ServerEndpoint, ...]


class RunNetworkChecks(msgspec.Struct, frozen=True):
    """Run the internet and captive-portal checks, then report ChecksPassed/Failed."""


class RunTunnelLostChecks(msgspec.Struct, frozen=True):
    """Run every check for the location in use, then report ChecksPassed/Failed."""


class CancelChecks(msgspec.Struct, frozen=True):
    """Cancel any check run in progress; its result must not be reported."""


class ActivateDaemon(msgspec.Struct, frozen=True):
    """Ask the daemon for a tunnel to the first of ``servers`` that answers."""

    servers: tuple[ServerEndpoint, ...]


class DeactivateDaemon(msgspec.Struct, frozen=True):
    """Ask the daemon to tear the tunnel down."""


class EmitFailure(msgspec.Struct, frozen=True):
    """Signal ``cause`` to the UI (its modal opens)."""

    cause: FailureCause


class ClearFailure(msgspec.Struct, frozen=True):
    """Signal that ``cause`` cleared (its modal closes by itself)."""

    cause: FailureCause


class AnnounceMove(msgspec.Struct, frozen=True):
    """Tell the user, in one line, that the connection moved from ``from_server`` to ``to_server``."""

    from_server: str
    to_server: str


class StartTimer(msgspec.Struct, frozen=True):
    """Show the elapsed time since ``connected_since`` (epoch s, from the daemon)."""

    connected_since: float


class StopTimer(msgspec.Struct, frozen=True):
    """Stop showing the elapsed time."""


Effect = (
    RunActivationChecks
    | RunSwitchChecks
    | RunNetworkChecks
    | RunTunnelLostChecks
    | CancelChecks
    | ActivateDaemon
    | DeactivateDaemon
    | EmitFailure
    | ClearFailure
    | AnnounceMove
    | StartTimer
    | StopTimer
)
