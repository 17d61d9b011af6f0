"""What can happen to the ConnectionManager, and what it can ask for in return.

Events come from the user (toggle, location picker, a modal's retry
button), from the checks, from the daemon and from the stability tracker.
Effects are requests the wrapper carries out (run checks, talk to the
daemon, show or close a failure, drive the timer); the transition logic
itself never performs them, which is what lets it be tested with tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from mimic_core.protocol import ServerEndpoint
from vpnui.connection.states import Check, FailureCause

ALL_CHECKS: Final = frozenset(Check)
SWITCH_CHECKS: Final = frozenset({Check.internet, Check.captive_portal, Check.server, Check.firewall})

# ``Disconnected.reason`` values of the daemon protocol that matter here.
REASON_ACTIVATION_FAILED: Final = "activation_failed"
REASON_REPLACED: Final = "replaced"
"""The tunnel was replaced by a new one (a server switch): the VPN stays on."""

# ------------------------------------------------------------------ events


@dataclass(frozen=True)
class ToggleOn:
    """The user turned the VPN on."""


@dataclass(frozen=True)
class ToggleOff:
    """The user turned the VPN off."""


@dataclass(frozen=True)
class CheckStarted:
    """A check of the current run started (shown as the connection state)."""

    check: Check


@dataclass(frozen=True)
class ChecksPassed:
    """A run of checks found nothing wrong.

    ``checks`` are the checks that ran and passed (``CheckReport.passed()``):
    only the failures they rule out are cleared.
    """

    ranked_servers: tuple[ServerEndpoint, ...] = ()
    checks: frozenset[Check] = ALL_CHECKS


@dataclass(frozen=True)
class ChecksFailed:
    """A run of checks diagnosed ``cause``."""

    cause: FailureCause


@dataclass(frozen=True)
class DaemonConnected:
    """The daemon reports the tunnel up; ``connected_since`` is its session start (epoch s)."""

    connected_since: float


@dataclass(frozen=True)
class DaemonDisconnected:
    """The daemon reports the tunnel down, with the protocol's ``reason``."""

    reason: str = "user"


@dataclass(frozen=True)
class DaemonLinkLost:
    """The app lost its connection to the daemon (the daemon may still run a tunnel)."""


@dataclass(frozen=True)
class DaemonLinkRestored:
    """The app (re)connected to the daemon and learned whether a tunnel is up.

    Also the first event after the app starts: a session the daemon kept
    while the app was closed is picked up with its own start time.
    """

    connected: bool
    connected_since: float | None = None

    def __post_init__(self) -> None:
        if self.connected and self.connected_since is None:
            raise ValueError("a connected daemon always knows when its session started")


@dataclass(frozen=True)
class LocationChosen:
    """The user picked a location; ``servers`` are its servers."""

    servers: tuple[ServerEndpoint, ...]


@dataclass(frozen=True)
class SwitchChecksPassed:
    """The checks before a switch passed; ``ranked_servers`` are the new location's."""

    ranked_servers: tuple[ServerEndpoint, ...] = ()
    checks: frozenset[Check] = SWITCH_CHECKS


@dataclass(frozen=True)
class SwitchChecksFailed:
    """The checks before a switch diagnosed ``cause``; the tunnel stays where it is."""

    cause: FailureCause


@dataclass(frozen=True)
class StabilityChanged:
    """The stability tracker's verdict changed."""

    unstable: bool


@dataclass(frozen=True)
class TunnelLost:
    """Several keepalives in a row went unanswered."""


@dataclass(frozen=True)
class TunnelRecovered:
    """Keepalives are answered again after ``TunnelLost``."""


@dataclass(frozen=True)
class ServerMoved:
    """The daemon moved the tunnel by itself: ``from_server`` stopped answering, ``to_server`` answered.

    Same session, same timer: only the server changed (see ``daemon/failover.py``).
    """

    from_server: str
    to_server: str


@dataclass(frozen=True)
class NetworkChanged:
    """The operating system reports a different network (Wi-Fi joined, cable unplugged...)."""


@dataclass(frozen=True)
class FailureCleared:
    """The condition behind ``cause`` is gone (a re-check found so)."""

    cause: FailureCause


@dataclass(frozen=True)
class Retry:
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


@dataclass(frozen=True)
class RunActivationChecks:
    """Run every check for the selected location, then report ChecksPassed/Failed."""


@dataclass(frozen=True)
class RunSwitchChecks:
    """Run the switch checks for ``servers``, then report SwitchChecksPassed/Failed."""

    servers: tuple[ServerEndpoint, ...]


@dataclass(frozen=True)
class RunNetworkChecks:
    """Run the internet and captive-portal checks, then report ChecksPassed/Failed."""


@dataclass(frozen=True)
class RunTunnelLostChecks:
    """Run every check for the location in use, then report ChecksPassed/Failed."""


@dataclass(frozen=True)
class CancelChecks:
    """Cancel any check run in progress; its result must not be reported."""


@dataclass(frozen=True)
class ActivateDaemon:
    """Ask the daemon for a tunnel to the first of ``servers`` that answers."""

    servers: tuple[ServerEndpoint, ...]


@dataclass(frozen=True)
class DeactivateDaemon:
    """Ask the daemon to tear the tunnel down."""


@dataclass(frozen=True)
class EmitFailure:
    """Signal ``cause`` to the UI (its modal opens)."""

    cause: FailureCause


@dataclass(frozen=True)
class ClearFailure:
    """Signal that ``cause`` cleared (its modal closes by itself)."""

    cause: FailureCause


@dataclass(frozen=True)
class AnnounceMove:
    """Tell the user, in one line, that the connection moved from ``from_server`` to ``to_server``."""

    from_server: str
    to_server: str


@dataclass(frozen=True)
class StartTimer:
    """Show the elapsed time since ``connected_since`` (epoch s, from the daemon)."""

    connected_since: float


@dataclass(frozen=True)
class StopTimer:
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
