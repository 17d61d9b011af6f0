"""The transition table of the ConnectionManager's two state machines.

``TRANSITIONS`` gives every (client state, event) pair an outcome, written
out state by state, including the pairs that are deliberately ignored: a
late check result after the user turned the VPN off, a stability report
while off.  Leaving such pairs implicit is how racing events end up
showing a misleading message, which is the bug the ConnectionManager
exists to remove.  The table is pure: it maps a snapshot and an event to
the next snapshot and a list of effects, and the QObject wrapper performs
the effects (one event at a time, so transitions never interleave).

Two rules hold everywhere: no failure found while the VPN is on ever
deactivates the daemon (only the user turns the VPN off), and the elapsed
timer is started only from the daemon's session start and is not touched
by a server switch.

Leaving a connected server that stopped answering is the daemon's call, not
this table's (``daemon/failover.py`` says why): the table hears of it as
``ServerMoved`` and has it announced.  When the tunnel goes silent, the
checks here only name a cause; a check run that passes moves nothing,
because one missed keepalive (what starts the checks) does not tell a dead
server from a lossy one, and moving off a lossy server would leave
"Unstable" unsaid.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Final, TypeAlias

import msgspec
from msgspec.structs import replace

from vpnui.connection.machine_events import (
    EVENT_TYPES,
    REASON_ACTIVATION_FAILED,
    REASON_REPLACED,
    ActivateDaemon,
    AnnounceMove,
    CancelChecks,
    ChecksFailed,
    ChecksPassed,
    CheckStarted,
    ClearFailure,
    DaemonConnected,
    DaemonDisconnected,
    DaemonLinkLost,
    DaemonLinkRestored,
    DeactivateDaemon,
    Effect,
    EmitFailure,
    Event,
    FailureCleared,
    LocationChosen,
    NetworkChanged,
    Retry,
    RunActivationChecks,
    RunNetworkChecks,
    RunSwitchChecks,
    RunTunnelLostChecks,
    ServerMoved,
    StabilityChanged,
    StartTimer,
    StopTimer,
    SwitchChecksFailed,
    SwitchChecksPassed,
    ToggleOff,
    ToggleOn,
    TunnelLost,
    TunnelRecovered,
)
from vpnui.connection.states import (
    CHECKS_RULING_OUT,
    CONNECTION_STATE_FOR_CHECK,
    Check,
    ConnectionState,
    FailureCause,
    VPNClientState,
)

Off, Connecting, On = VPNClientState.Off, VPNClientState.Connecting, VPNClientState.On
Disconnecting, Switching = VPNClientState.Disconnecting, VPNClientState.Switching

# Failures that the network checks (internet, captive portal) decide; only
# these are worth re-checking on a network change while the VPN is off.
_NETWORK_FAILURES: Final = frozenset({FailureCause.NoInternet, FailureCause.CaptivePortal})


class Snapshot(msgspec.Struct, frozen=True):
    """Everything the transitions depend on.

    A frozen ``msgspec.Struct`` like the events (``machine_events``), not a
    dataclass: made before the window's screens, where a dataclass takes
    about 0.5 ms to make.
    """

    client_state: VPNClientState = Off
    connection_state: ConnectionState = ConnectionState.Idle
    failure: FailureCause | None = None
    """The failure currently signalled (its modal is open), if any."""
    toggled_on: bool = False
    """What the user asked for, which the toggle shows."""
    awaiting_daemon: bool = False
    """``ActivateDaemon`` was requested and the daemon has not answered yet."""
    connected_since: float | None = None
    """The running timer's start (the daemon's session start), ``None`` when stopped."""
    unstable: bool = False
    tunnel_lost: bool = False


Outcome: TypeAlias = tuple[Snapshot, tuple[Effect, ...]]
Handler: TypeAlias = Callable[[Snapshot, Any], Outcome]

# ------------------------------------------------------------------ helpers


def _resting(s: Snapshot) -> ConnectionState:
    """The connection state when no check runs."""
    if s.unstable and s.client_state in (On, Switching):
        return ConnectionState.Unstable
    return ConnectionState.Idle


def _emit(s: Snapshot, cause: FailureCause, *, again: bool = False) -> Outcome:
    """Signal ``cause`` unless it is already signalled (``again``: a user action, always)."""
    if s.failure == cause and not again:
        return s, ()
    return replace(s, failure=cause), (EmitFailure(cause),)


def _clear_ruled_out(s: Snapshot, passed: Iterable[Check]) -> Outcome:
    """Clear the signalled failure if one of the ``passed`` checks rules it out."""
    if s.failure is None or not CHECKS_RULING_OUT[s.failure].intersection(passed):
        return s, ()
    return replace(s, failure=None), (ClearFailure(s.failure),)


def _off(s: Snapshot) -> Snapshot:
    return replace(
        s,
        client_state=Off,
        connection_state=ConnectionState.Idle,
        toggled_on=False,
        awaiting_daemon=False,
        connected_since=None,
        unstable=False,
        tunnel_lost=False,
    )


def _on(s: Snapshot) -> Snapshot:
    s = replace(s, client_state=On, toggled_on=True, awaiting_daemon=False)
    return replace(s, connection_state=_resting(s))


def _adopt_session(s: Snapshot, connected_since: float, extra: tuple[Effect, ...] = ()) -> Outcome:
    """On, with the timer running from the daemon's session start."""
    s = replace(_on(s), connected_since=connected_since)
    return s, (*extra, StartTimer(connected_since))


# ---------------------------------------------------------------- handlers
# Shared by several states.


def ignore(s: Snapshot, _: Event) -> Outcome:
    """Nothing to do in this state: the event is stale or meaningless here."""
    return s, ()


def _show_check(s: Snapshot, e: CheckStarted) -> Outcome:
    return replace(s, connection_state=CONNECTION_STATE_FOR_CHECK[e.check]), ()


def _link_lost(s: Snapshot, _: DaemonLinkLost) -> Outcome:
    # The daemon keeps doing what it did; only the app's view of it is lost.
    return _emit(s, FailureCause.DaemonLost)


def _failure_cleared(s: Snapshot, e: FailureCleared) -> Outcome:
    if s.failure != e.cause:
        return s, ()
    return replace(s, failure=None), (ClearFailure(e.cause),)


def _clear_link_failure(s: Snapshot) -> Outcome:
    if s.failure != FailureCause.DaemonLost:
        return s, ()
    return replace(s, failure=None), (ClearFailure(FailureCause.DaemonLost),)


def _start_connecting(s: Snapshot, _: ToggleOn | Retry) -> Outcome:
    s = replace(s, client_state=Connecting, toggled_on=True, connection_state=ConnectionState.Idle)
    return s, (RunActivationChecks(),)


def _turn_off_tunnel(s: Snapshot, _: ToggleOff) -> Outcome:
    """The user turns off a VPN that is on (or switching): the only way it is deactivated."""
    s = replace(_off(s), client_state=Disconnecting)
    return s, (CancelChecks(), DeactivateDaemon(), StopTimer())


def _tunnel_ended(s: Snapshot, e: DaemonDisconnected) -> Outcome:
    """The daemon's tunnel went away without the user turning the VPN off here."""
    if e.reason == REASON_REPLACED:
        return s, ()
    s = _off(s)
    effects: tuple[Effect, ...] = (CancelChecks(), StopTimer())
    if e.reason == REASON_ACTIVATION_FAILED:
        s, emitted = _emit(s, FailureCause.ServerUnavailable, again=True)
        effects += emitted
    return s, effects


def _record_stability(s: Snapshot, e: StabilityChanged) -> Outcome:
    s = replace(s, unstable=e.unstable)
    if s.connection_state in (ConnectionState.Idle, ConnectionState.Unstable):
        s = replace(s, connection_state=_resting(s))
    return s, ()


def _tunnel_recovered_quietly(s: Snapshot, _: TunnelRecovered) -> Outcome:
    return replace(s, tunnel_lost=False), ()


# Off.


def _off_checks_passed(s: Snapshot, e: ChecksPassed) -> Outcome:
    # Only re-checks of an open modal run while off (see _off_network_changed).
    return _clear_ruled_out(replace(s, connection_state=ConnectionState.Idle), e.checks)


def _off_checks_failed(s: Snapshot, e: ChecksFailed) -> Outcome:
    s = replace(s, connection_state=ConnectionState.Idle)
    if s.failure is None:
        return s, ()  # a stale run: nothing is shown that it could update
    return _emit(s, e.cause)


def _off_daemon_connected(s: Snapshot, e: DaemonConnected) -> Outcome:
    # A session started without the app (command line): show it.
    return _adopt_session(s, e.connected_since)


def _off_link_restored(s: Snapshot, e: DaemonLinkRestored) -> Outcome:
    s, cleared = _clear_link_failure(s)
    if e.connected and e.connected_since is not None:
        return _adopt_session(s, e.connected_since, cleared)
    return s, cleared


def _off_network_changed(s: Snapshot, _: NetworkChanged) -> Outcome:
    # With a "no internet" or "captive portal" modal open, the new network
    # may have fixed it; otherwise the VPN is off and nothing is checked.
    if s.failure in _NETWORK_FAILURES:
        return s, (RunNetworkChecks(),)
    return s, ()


# Connecting.


def _connecting_toggle_off(s: Snapshot, _: ToggleOff) -> Outcome:
    if s.awaiting_daemon:
        return replace(_off(s), client_state=Disconnecting), (DeactivateDaemon(),)
    return _off(s), (CancelChecks(),)


def _connecting_checks_passed(s: Snapshot, e: ChecksPassed) -> Outcome:
    if s.awaiting_daemon:
        return s, ()
    if not e.ranked_servers:
        return _connecting_checks_failed(s, ChecksFailed(FailureCause.ServerUnavailable))
    s, cleared = _clear_ruled_out(s, e.checks)
    s = replace(s, awaiting_daemon=True, connection_state=ConnectionState.Idle)
    return s, (*cleared, ActivateDaemon(e.ranked_servers))


def _connecting_checks_failed(s: Snapshot, e: ChecksFailed) -> Outcome:
    if s.awaiting_daemon:
        return s, ()
    # The VPN is not activated; the user sees why, every time they try.
    return _emit(_off(s), e.cause, again=True)


def _connecting_daemon_connected(s: Snapshot, e: DaemonConnected) -> Outcome:
    extra: tuple[Effect, ...] = () if s.awaiting_daemon else (CancelChecks(),)
    return _adopt_session(s, e.connected_since, extra)


def _connecting_daemon_disconnected(s: Snapshot, e: DaemonDisconnected) -> Outcome:
    if not s.awaiting_daemon or e.reason == REASON_REPLACED:
        return s, ()
    if e.reason == REASON_ACTIVATION_FAILED:
        # The servers answered the probe but not the tunnel's handshake.
        return _emit(_off(s), FailureCause.ServerUnavailable, again=True)
    return _off(s), ()


def _connecting_link_restored(s: Snapshot, e: DaemonLinkRestored) -> Outcome:
    s, cleared = _clear_link_failure(s)
    if e.connected and e.connected_since is not None:
        extra: tuple[Effect, ...] = () if s.awaiting_daemon else (CancelChecks(),)
        return _adopt_session(s, e.connected_since, (*cleared, *extra))
    if s.awaiting_daemon:
        # The activation request went down with the link: start over by hand.
        return _off(s), cleared
    return s, cleared


def _connecting_network_changed(s: Snapshot, _: NetworkChanged) -> Outcome:
    if s.awaiting_daemon:
        return s, ()  # the daemon's own handshake decides now
    return replace(s, connection_state=ConnectionState.Idle), (CancelChecks(), RunActivationChecks())


# On.


def _on_checks_passed(s: Snapshot, e: ChecksPassed) -> Outcome:
    # Even with the tunnel silent, nothing to do here: the daemon moves the
    # tunnel if another server of the location answers (see the docstring).
    return _clear_ruled_out(replace(s, connection_state=_resting(s)), e.checks)


def _on_checks_failed(s: Snapshot, e: ChecksFailed) -> Outcome:
    # Signalled, never acted upon: the VPN stays on until the user turns it off.
    return _emit(replace(s, connection_state=_resting(s)), e.cause)


def _on_link_restored(s: Snapshot, e: DaemonLinkRestored) -> Outcome:
    s, cleared = _clear_link_failure(s)
    if e.connected:
        return s, cleared
    # The session ended while the app could not hear about it.
    return _off(s), (*cleared, CancelChecks(), StopTimer())


def _choose_location(s: Snapshot, e: LocationChosen) -> Outcome:
    s = replace(s, client_state=Switching, awaiting_daemon=False)
    return replace(s, connection_state=_resting(s)), (CancelChecks(), RunSwitchChecks(e.servers))


def _on_tunnel_lost(s: Snapshot, _: TunnelLost) -> Outcome:
    # No catch-all "no signal": the checks name the cause.
    return replace(s, tunnel_lost=True), (RunTunnelLostChecks(),)


def _on_tunnel_recovered(s: Snapshot, _: TunnelRecovered) -> Outcome:
    s = replace(s, tunnel_lost=False)
    if s.failure is not None and s.failure != FailureCause.DaemonLost:
        return s, (RunTunnelLostChecks(),)  # so the open modal can close itself
    return s, ()


def _on_new_server(s: Snapshot) -> Snapshot:
    """The tunnel is on another server: its stability is judged afresh, and the silence is over."""
    s = replace(s, tunnel_lost=False, unstable=False)
    if s.connection_state == ConnectionState.Unstable:
        s = replace(s, connection_state=_resting(s))
    return s


def _on_server_moved(s: Snapshot, e: ServerMoved) -> Outcome:
    s = _on_new_server(s)
    effects: tuple[Effect, ...] = (AnnounceMove(e.from_server, e.to_server),)
    if s.failure is not None and s.failure != FailureCause.DaemonLost:
        effects += (RunTunnelLostChecks(),)  # so the open modal can close itself
    return s, effects


def _on_network_changed(s: Snapshot, _: NetworkChanged) -> Outcome:
    return s, (RunNetworkChecks(),)


def _on_retry(s: Snapshot, _: Retry) -> Outcome:
    return s, (RunTunnelLostChecks(),)


# Switching.


def _switching_daemon_connected(s: Snapshot, _: DaemonConnected) -> Outcome:
    if not s.awaiting_daemon:
        return s, ()  # not the new tunnel: its checks still run
    # Same session, new server: the timer keeps running from the first start,
    # and the old server's instability is not the new one's.
    return _on_new_server(_on(s)), ()


def _switching_daemon_disconnected(s: Snapshot, e: DaemonDisconnected) -> Outcome:
    if e.reason == REASON_ACTIVATION_FAILED and s.awaiting_daemon:
        # The daemon refused or failed the switch; a failed switch leaves the
        # session on its old server, so the VPN is still on there.
        return _emit(_on(s), FailureCause.ServerUnavailable, again=True)
    return _tunnel_ended(s, e)


def _switching_link_restored(s: Snapshot, e: DaemonLinkRestored) -> Outcome:
    s, cleared = _clear_link_failure(s)
    if not e.connected:
        return _off(s), (*cleared, CancelChecks(), StopTimer())
    if s.awaiting_daemon:
        return _on(s), cleared
    return s, cleared


def _switch_checks_passed(s: Snapshot, e: SwitchChecksPassed) -> Outcome:
    if s.awaiting_daemon:
        return s, ()
    if not e.ranked_servers:
        return _switch_checks_failed(s, SwitchChecksFailed(FailureCause.ServerUnavailable))
    s, cleared = _clear_ruled_out(s, e.checks)
    s = replace(s, awaiting_daemon=True, connection_state=_resting(s))
    return s, (*cleared, ActivateDaemon(e.ranked_servers))


def _switch_checks_failed(s: Snapshot, e: SwitchChecksFailed) -> Outcome:
    # The tunnel stays on its current server; the user learns why the new
    # location cannot be used.
    return _emit(_on(s), e.cause, again=True)


def _switching_tunnel_lost(s: Snapshot, _: TunnelLost) -> Outcome:
    return replace(s, tunnel_lost=True), ()  # the switch checks already run


def _switching_server_moved(s: Snapshot, _: ServerMoved) -> Outcome:
    # The user is leaving this location anyway: nothing worth announcing.
    return _on_new_server(s), ()


# Disconnecting.


def _disconnecting_daemon_disconnected(s: Snapshot, e: DaemonDisconnected) -> Outcome:
    if e.reason == REASON_REPLACED:
        return s, ()
    return _off(s), ()


def _disconnecting_link_restored(s: Snapshot, e: DaemonLinkRestored) -> Outcome:
    s, cleared = _clear_link_failure(s)
    if e.connected:
        # The request may have been lost with the link: ask again.
        return s, (*cleared, DeactivateDaemon())
    return _off(s), cleared


# ------------------------------------------------------------------- table

TRANSITIONS: Final[dict[VPNClientState, dict[type[Event], Handler]]] = {
    Off: {
        ToggleOn: _start_connecting,
        ToggleOff: ignore,
        CheckStarted: _show_check,
        ChecksPassed: _off_checks_passed,
        ChecksFailed: _off_checks_failed,
        DaemonConnected: _off_daemon_connected,
        DaemonDisconnected: ignore,
        DaemonLinkLost: _link_lost,
        DaemonLinkRestored: _off_link_restored,
        LocationChosen: ignore,  # used by the next activation
        SwitchChecksPassed: ignore,
        SwitchChecksFailed: ignore,
        StabilityChanged: ignore,
        TunnelLost: ignore,
        TunnelRecovered: ignore,
        ServerMoved: ignore,  # a late event of a session that ended
        NetworkChanged: _off_network_changed,
        FailureCleared: _failure_cleared,
        Retry: _start_connecting,
    },
    Connecting: {
        ToggleOn: ignore,
        ToggleOff: _connecting_toggle_off,
        CheckStarted: _show_check,
        ChecksPassed: _connecting_checks_passed,
        ChecksFailed: _connecting_checks_failed,
        DaemonConnected: _connecting_daemon_connected,
        DaemonDisconnected: _connecting_daemon_disconnected,
        DaemonLinkLost: _link_lost,
        DaemonLinkRestored: _connecting_link_restored,
        LocationChosen: ignore,  # the picker is disabled while connecting
        SwitchChecksPassed: ignore,
        SwitchChecksFailed: ignore,
        StabilityChanged: ignore,
        TunnelLost: ignore,
        TunnelRecovered: ignore,
        ServerMoved: ignore,  # no tunnel to move yet
        NetworkChanged: _connecting_network_changed,
        FailureCleared: _failure_cleared,
        Retry: ignore,  # already trying
    },
    On: {
        ToggleOn: ignore,
        ToggleOff: _turn_off_tunnel,
        CheckStarted: _show_check,
        ChecksPassed: _on_checks_passed,
        ChecksFailed: _on_checks_failed,
        DaemonConnected: ignore,  # a re-activation: same session, same timer
        DaemonDisconnected: _tunnel_ended,
        DaemonLinkLost: _link_lost,
        DaemonLinkRestored: _on_link_restored,
        LocationChosen: _choose_location,
        SwitchChecksPassed: ignore,
        SwitchChecksFailed: ignore,
        StabilityChanged: _record_stability,
        TunnelLost: _on_tunnel_lost,
        TunnelRecovered: _on_tunnel_recovered,
        ServerMoved: _on_server_moved,
        NetworkChanged: _on_network_changed,
        FailureCleared: _failure_cleared,
        Retry: _on_retry,
    },
    Disconnecting: {
        ToggleOn: ignore,  # the toggle is disabled until off
        ToggleOff: ignore,
        CheckStarted: ignore,
        ChecksPassed: ignore,
        ChecksFailed: ignore,
        DaemonConnected: ignore,  # an activation finishing before the deactivation
        DaemonDisconnected: _disconnecting_daemon_disconnected,
        DaemonLinkLost: _link_lost,
        DaemonLinkRestored: _disconnecting_link_restored,
        LocationChosen: ignore,
        SwitchChecksPassed: ignore,
        SwitchChecksFailed: ignore,
        StabilityChanged: ignore,
        TunnelLost: ignore,
        TunnelRecovered: ignore,
        ServerMoved: ignore,  # the tunnel is being torn down
        NetworkChanged: ignore,
        FailureCleared: _failure_cleared,
        Retry: ignore,
    },
    Switching: {
        ToggleOn: ignore,
        ToggleOff: _turn_off_tunnel,
        CheckStarted: _show_check,
        ChecksPassed: ignore,  # superseded by the switch checks
        ChecksFailed: ignore,
        DaemonConnected: _switching_daemon_connected,
        DaemonDisconnected: _switching_daemon_disconnected,
        DaemonLinkLost: _link_lost,
        DaemonLinkRestored: _switching_link_restored,
        LocationChosen: _choose_location,
        SwitchChecksPassed: _switch_checks_passed,
        SwitchChecksFailed: _switch_checks_failed,
        StabilityChanged: _record_stability,
        TunnelLost: _switching_tunnel_lost,
        TunnelRecovered: _tunnel_recovered_quietly,
        ServerMoved: _switching_server_moved,
        NetworkChanged: ignore,  # the switch checks include the network checks
        FailureCleared: _failure_cleared,
        Retry: ignore,
    },
}


def _verify_complete() -> None:
    for state in VPNClientState:
        missing = [kind.__name__ for kind in EVENT_TYPES if kind not in TRANSITIONS.get(state, {})]
        if missing:
            raise RuntimeError(f"no transition for {state.name} x {', '.join(missing)}")


_verify_complete()


def transition(snapshot: Snapshot, event: Event) -> Outcome:
    """The next snapshot and the effects to perform, for ``event`` in ``snapshot``."""
    return TRANSITIONS[snapshot.client_state][type(event)](snapshot, event)


class Machine:
    """The current snapshot, advanced one event at a time."""

    def __init__(self, snapshot: Snapshot | None = None) -> None:
        self._snapshot = snapshot if snapshot is not None else Snapshot()

    @property
    def snapshot(self) -> Snapshot:
        return self._snapshot

    def step(self, event: Event) -> list[Effect]:
        """Apply ``event``; the effects the caller must now perform, in order."""
        self._snapshot, effects = transition(self._snapshot, event)
        return list(effects)
