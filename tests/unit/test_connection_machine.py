"""The ConnectionManager's transition table, pair by pair and in scenarios.

``EXPECTED`` below is the specification written out independently of the
implementation's table: for every client state and every event, the next
client state and the effects, or ``IGNORED`` (the table must name the pair
and leave the snapshot untouched).
"""

from __future__ import annotations

from typing import Final

import pytest
from msgspec.structs import replace

from mimic_core.protocol import ServerEndpoint
from vpnui.connection.machine import TRANSITIONS, Machine, Snapshot, ignore, transition
from vpnui.connection.machine_events import (
    EVENT_TYPES,
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
from vpnui.connection.states import Check, ConnectionState, FailureCause, VPNClientState

Off, Connecting, On = VPNClientState.Off, VPNClientState.Connecting, VPNClientState.On
Disconnecting, Switching = VPNClientState.Disconnecting, VPNClientState.Switching
Cause = FailureCause

BER_1 = ServerEndpoint("de-ber-wg-001", "127.0.0.1", 40001, 40002, "ber", "de")
BER_2 = ServerEndpoint("de-ber-wg-002", "127.0.0.1", 40003, 40004, "ber", "de")
PAR_1 = ServerEndpoint("fr-par-wg-001", "127.0.0.1", 40005, 40006, "par", "fr")
PAR_2 = ServerEndpoint("fr-par-wg-002", "127.0.0.1", 40007, 40008, "par", "fr")
RANKED = (BER_2, BER_1)
NEW_LOCATION = (PAR_1, PAR_2)
NEW_RANKED = (PAR_2, PAR_1)
STARTED_AT = 1_700_000_000.0
LATER = STARTED_AT + 60.0
NETWORK_ONLY = frozenset({Check.internet, Check.captive_portal})

# One representative event of each type.
EVENTS: Final[dict[type[Event], Event]] = {
    ToggleOn: ToggleOn(),
    ToggleOff: ToggleOff(),
    CheckStarted: CheckStarted(Check.server),
    ChecksPassed: ChecksPassed(RANKED),
    ChecksFailed: ChecksFailed(Cause.NoInternet),
    DaemonConnected: DaemonConnected(LATER),
    DaemonDisconnected: DaemonDisconnected("user"),
    DaemonLinkLost: DaemonLinkLost(),
    DaemonLinkRestored: DaemonLinkRestored(connected=True, connected_since=LATER),
    LocationChosen: LocationChosen(NEW_LOCATION),
    SwitchChecksPassed: SwitchChecksPassed(NEW_RANKED),
    SwitchChecksFailed: SwitchChecksFailed(Cause.ServerUnavailable),
    StabilityChanged: StabilityChanged(unstable=True),
    TunnelLost: TunnelLost(),
    TunnelRecovered: TunnelRecovered(),
    ServerMoved: ServerMoved(BER_2.name, BER_1.name),
    NetworkChanged: NetworkChanged(),
    FailureCleared: FailureCleared(Cause.NoInternet),
    Retry: Retry(),
}

# The snapshot each state is tested from: no failure shown, checks running
# (not yet waiting for the daemon), the timer running where the VPN is on.
BASE: Final[dict[VPNClientState, Snapshot]] = {
    Off: Snapshot(),
    Connecting: Snapshot(client_state=Connecting, toggled_on=True),
    On: Snapshot(client_state=On, toggled_on=True, connected_since=STARTED_AT),
    Disconnecting: Snapshot(client_state=Disconnecting),
    Switching: Snapshot(client_state=Switching, toggled_on=True, connected_since=STARTED_AT),
}

IGNORED: Final = "ignored"
Expected = tuple[VPNClientState, list[Effect]] | str

EXPECTED: Final[dict[VPNClientState, dict[type[Event], Expected]]] = {
    Off: {
        ToggleOn: (Connecting, [RunActivationChecks()]),
        ToggleOff: IGNORED,
        CheckStarted: (Off, []),
        ChecksPassed: (Off, []),
        ChecksFailed: (Off, []),  # nothing shown: a stale run
        DaemonConnected: (On, [StartTimer(LATER)]),  # a session started from the command line
        DaemonDisconnected: IGNORED,
        DaemonLinkLost: (Off, [EmitFailure(Cause.DaemonLost)]),
        DaemonLinkRestored: (On, [StartTimer(LATER)]),
        LocationChosen: IGNORED,
        SwitchChecksPassed: IGNORED,
        SwitchChecksFailed: IGNORED,
        StabilityChanged: IGNORED,
        TunnelLost: IGNORED,
        TunnelRecovered: IGNORED,
        ServerMoved: IGNORED,
        NetworkChanged: (Off, []),  # no network failure shown: nothing to re-check
        FailureCleared: (Off, []),
        Retry: (Connecting, [RunActivationChecks()]),
    },
    Connecting: {
        ToggleOn: IGNORED,
        ToggleOff: (Off, [CancelChecks()]),
        CheckStarted: (Connecting, []),
        ChecksPassed: (Connecting, [ActivateDaemon(RANKED)]),
        ChecksFailed: (Off, [EmitFailure(Cause.NoInternet)]),
        DaemonConnected: (On, [CancelChecks(), StartTimer(LATER)]),
        DaemonDisconnected: (Connecting, []),
        DaemonLinkLost: (Connecting, [EmitFailure(Cause.DaemonLost)]),
        DaemonLinkRestored: (On, [CancelChecks(), StartTimer(LATER)]),
        LocationChosen: IGNORED,
        SwitchChecksPassed: IGNORED,
        SwitchChecksFailed: IGNORED,
        StabilityChanged: IGNORED,
        TunnelLost: IGNORED,
        TunnelRecovered: IGNORED,
        ServerMoved: IGNORED,
        NetworkChanged: (Connecting, [CancelChecks(), RunActivationChecks()]),
        FailureCleared: (Connecting, []),
        Retry: IGNORED,
    },
    On: {
        ToggleOn: IGNORED,
        ToggleOff: (Disconnecting, [CancelChecks(), DeactivateDaemon(), StopTimer()]),
        CheckStarted: (On, []),
        ChecksPassed: (On, []),
        ChecksFailed: (On, [EmitFailure(Cause.NoInternet)]),
        DaemonConnected: IGNORED,
        DaemonDisconnected: (Off, [CancelChecks(), StopTimer()]),
        DaemonLinkLost: (On, [EmitFailure(Cause.DaemonLost)]),
        DaemonLinkRestored: (On, []),
        LocationChosen: (Switching, [CancelChecks(), RunSwitchChecks(NEW_LOCATION)]),
        SwitchChecksPassed: IGNORED,
        SwitchChecksFailed: IGNORED,
        StabilityChanged: (On, []),
        TunnelLost: (On, [RunTunnelLostChecks()]),
        TunnelRecovered: (On, []),
        ServerMoved: (On, [AnnounceMove(BER_2.name, BER_1.name)]),  # the timer keeps running
        NetworkChanged: (On, [RunNetworkChecks()]),
        FailureCleared: (On, []),
        Retry: (On, [RunTunnelLostChecks()]),
    },
    Disconnecting: {
        ToggleOn: IGNORED,
        ToggleOff: IGNORED,
        CheckStarted: IGNORED,
        ChecksPassed: IGNORED,
        ChecksFailed: IGNORED,
        DaemonConnected: IGNORED,
        DaemonDisconnected: (Off, []),
        DaemonLinkLost: (Disconnecting, [EmitFailure(Cause.DaemonLost)]),
        DaemonLinkRestored: (Disconnecting, [DeactivateDaemon()]),
        LocationChosen: IGNORED,
        SwitchChecksPassed: IGNORED,
        SwitchChecksFailed: IGNORED,
        StabilityChanged: IGNORED,
        TunnelLost: IGNORED,
        TunnelRecovered: IGNORED,
        ServerMoved: IGNORED,
        NetworkChanged: IGNORED,
        FailureCleared: (Disconnecting, []),
        Retry: IGNORED,
    },
    Switching: {
        ToggleOn: IGNORED,
        ToggleOff: (Disconnecting, [CancelChecks(), DeactivateDaemon(), StopTimer()]),
        CheckStarted: (Switching, []),
        ChecksPassed: IGNORED,
        ChecksFailed: IGNORED,
        DaemonConnected: (Switching, []),  # not the new tunnel yet
        DaemonDisconnected: (Off, [CancelChecks(), StopTimer()]),
        DaemonLinkLost: (Switching, [EmitFailure(Cause.DaemonLost)]),
        DaemonLinkRestored: (Switching, []),
        LocationChosen: (Switching, [CancelChecks(), RunSwitchChecks(NEW_LOCATION)]),
        SwitchChecksPassed: (Switching, [ActivateDaemon(NEW_RANKED)]),
        SwitchChecksFailed: (On, [EmitFailure(Cause.ServerUnavailable)]),
        StabilityChanged: (Switching, []),
        TunnelLost: (Switching, []),
        TunnelRecovered: (Switching, []),
        ServerMoved: (Switching, []),  # not announced: the user is leaving the location anyway
        NetworkChanged: IGNORED,
        FailureCleared: (Switching, []),
        Retry: IGNORED,
    },
}

PAIRS: Final = [(state, kind) for state in VPNClientState for kind in EVENT_TYPES]


def connection_state(machine: Machine) -> ConnectionState:
    """The machine's connection state now: read through a call, so mypy does not keep an earlier assert's value."""
    return machine.snapshot.connection_state


def test_the_specification_covers_every_state_and_event() -> None:
    assert set(EXPECTED) == set(VPNClientState)
    for state in VPNClientState:
        assert set(EXPECTED[state]) == set(EVENT_TYPES), state
    assert set(EVENTS) == set(EVENT_TYPES)


@pytest.mark.parametrize(("state", "kind"), PAIRS, ids=[f"{s.name}-{k.__name__}" for s, k in PAIRS])
def test_every_state_and_event_pair(state: VPNClientState, kind: type[Event]) -> None:
    before = BASE[state]
    after, effects = transition(before, EVENTS[kind])
    expected = EXPECTED[state][kind]
    if expected == IGNORED:
        assert TRANSITIONS[state][kind] is ignore
        assert after == before
        assert effects == ()
    else:
        assert isinstance(expected, tuple)
        next_state, expected_effects = expected
        assert TRANSITIONS[state][kind] is not ignore
        assert after.client_state == next_state
        assert list(effects) == expected_effects


# Pairs whose outcome depends on more than the client state.
VARIANTS: Final = [
    pytest.param(
        replace(BASE[Connecting], awaiting_daemon=True),
        ToggleOff(),
        Disconnecting,
        [DeactivateDaemon()],
        id="connecting-awaiting-daemon-toggle-off-deactivates",
    ),
    pytest.param(
        replace(BASE[Connecting], awaiting_daemon=True),
        ChecksPassed(RANKED),
        Connecting,
        [],
        id="connecting-awaiting-daemon-late-checks-ignored",
    ),
    pytest.param(
        replace(BASE[Connecting], awaiting_daemon=True),
        DaemonConnected(LATER),
        On,
        [StartTimer(LATER)],
        id="connecting-awaiting-daemon-connected",
    ),
    pytest.param(
        replace(BASE[Connecting], awaiting_daemon=True),
        DaemonDisconnected("activation_failed"),
        Off,
        [EmitFailure(Cause.ServerUnavailable)],
        id="connecting-activation-failed-in-daemon",
    ),
    pytest.param(
        replace(BASE[Connecting], awaiting_daemon=True),
        DaemonDisconnected("user"),
        Off,
        [],
        id="connecting-deactivated-from-command-line",
    ),
    pytest.param(
        replace(BASE[Connecting], awaiting_daemon=True),
        DaemonDisconnected("replaced"),
        Connecting,
        [],
        id="connecting-replaced-is-not-off",
    ),
    pytest.param(
        replace(BASE[Connecting], awaiting_daemon=True),
        DaemonLinkRestored(connected=False),
        Off,
        [],
        id="connecting-activation-lost-with-link",
    ),
    pytest.param(
        replace(BASE[Connecting], awaiting_daemon=True),
        NetworkChanged(),
        Connecting,
        [],
        id="connecting-awaiting-daemon-network-change-ignored",
    ),
    pytest.param(
        BASE[Connecting],
        ChecksPassed(()),
        Off,
        [EmitFailure(Cause.ServerUnavailable)],
        id="connecting-passed-without-servers-fails",
    ),
    pytest.param(
        replace(BASE[Connecting], failure=Cause.NoInternet),
        ChecksPassed(RANKED),
        Connecting,
        [ClearFailure(Cause.NoInternet), ActivateDaemon(RANKED)],
        id="connecting-passed-clears-old-failure",
    ),
    pytest.param(
        replace(BASE[Connecting], failure=Cause.NoInternet),
        ChecksFailed(Cause.NoInternet),
        Off,
        [EmitFailure(Cause.NoInternet)],
        id="connecting-failure-shown-again-on-each-try",
    ),
    pytest.param(
        replace(BASE[Off], failure=Cause.NoInternet),
        NetworkChanged(),
        Off,
        [RunNetworkChecks()],
        id="off-network-change-rechecks-open-network-failure",
    ),
    pytest.param(
        replace(BASE[Off], failure=Cause.ServerUnavailable),
        NetworkChanged(),
        Off,
        [],
        id="off-network-change-ignores-other-failures",
    ),
    pytest.param(
        replace(BASE[Off], failure=Cause.CaptivePortal),
        ChecksPassed(checks=NETWORK_ONLY),
        Off,
        [ClearFailure(Cause.CaptivePortal)],
        id="off-recheck-clears-portal",
    ),
    pytest.param(
        replace(BASE[Off], failure=Cause.NoInternet),
        ChecksFailed(Cause.CaptivePortal),
        Off,
        [EmitFailure(Cause.CaptivePortal)],
        id="off-recheck-updates-failure",
    ),
    pytest.param(
        replace(BASE[Off], failure=Cause.NoInternet),
        ChecksFailed(Cause.NoInternet),
        Off,
        [],
        id="off-recheck-same-failure-not-repeated",
    ),
    pytest.param(
        replace(BASE[Off], failure=Cause.NoInternet),
        FailureCleared(Cause.NoInternet),
        Off,
        [ClearFailure(Cause.NoInternet)],
        id="off-failure-cleared",
    ),
    pytest.param(
        replace(BASE[Off], failure=Cause.DaemonLost),
        DaemonLinkRestored(connected=False),
        Off,
        [ClearFailure(Cause.DaemonLost)],
        id="off-link-restored-clears-daemon-lost",
    ),
    pytest.param(
        replace(BASE[On], failure=Cause.ServerUnavailable),
        ChecksPassed(checks=NETWORK_ONLY),
        On,
        [],
        id="on-network-checks-do-not-clear-server-failure",
    ),
    pytest.param(
        replace(BASE[On], failure=Cause.ServerUnavailable),
        ChecksPassed(RANKED),
        On,
        [ClearFailure(Cause.ServerUnavailable)],
        id="on-full-checks-clear-server-failure",
    ),
    pytest.param(
        replace(BASE[On], failure=Cause.FirewallBlocking),
        ChecksPassed(RANKED, checks=frozenset({Check.server})),
        On,
        [ClearFailure(Cause.FirewallBlocking)],
        id="on-answering-server-clears-firewall",
    ),
    pytest.param(
        replace(BASE[On], failure=Cause.DaemonLost),
        ChecksPassed(RANKED),
        On,
        [],
        id="on-checks-never-clear-daemon-lost",
    ),
    pytest.param(
        replace(BASE[On], failure=Cause.NoInternet),
        ChecksFailed(Cause.NoInternet),
        On,
        [],
        id="on-same-failure-not-repeated",
    ),
    pytest.param(
        replace(BASE[On], tunnel_lost=True),
        ChecksPassed(RANKED),
        On,
        [],
        id="on-tunnel-lost-checks-passing-leave-the-move-to-the-daemon",
    ),
    pytest.param(
        replace(BASE[On], failure=Cause.ServerUnavailable, tunnel_lost=True),
        ServerMoved(BER_2.name, BER_1.name),
        On,
        [AnnounceMove(BER_2.name, BER_1.name), RunTunnelLostChecks()],
        id="on-moved-rechecks-open-failure",
    ),
    pytest.param(
        replace(BASE[On], failure=Cause.DaemonLost),
        ServerMoved(BER_2.name, BER_1.name),
        On,
        [AnnounceMove(BER_2.name, BER_1.name)],
        id="on-moved-leaves-daemon-lost-to-the-link",
    ),
    pytest.param(
        BASE[On],
        DaemonDisconnected("replaced"),
        On,
        [],
        id="on-replaced-tunnel-stays-on",
    ),
    pytest.param(
        BASE[On],
        DaemonDisconnected("activation_failed"),
        Off,
        [CancelChecks(), StopTimer(), EmitFailure(Cause.ServerUnavailable)],
        id="on-daemon-failed-to-rebuild-tunnel",
    ),
    pytest.param(
        replace(BASE[On], failure=Cause.DaemonLost),
        DaemonLinkRestored(connected=False),
        Off,
        [ClearFailure(Cause.DaemonLost), CancelChecks(), StopTimer()],
        id="on-session-ended-while-link-was-down",
    ),
    pytest.param(
        replace(BASE[On], failure=Cause.DaemonLost),
        DaemonLinkRestored(connected=True, connected_since=STARTED_AT),
        On,
        [ClearFailure(Cause.DaemonLost)],
        id="on-link-restored-clears-daemon-lost",
    ),
    pytest.param(
        replace(BASE[On], failure=Cause.NoInternet, tunnel_lost=True),
        TunnelRecovered(),
        On,
        [RunTunnelLostChecks()],
        id="on-tunnel-recovered-rechecks-open-failure",
    ),
    pytest.param(
        replace(BASE[Switching], awaiting_daemon=True),
        DaemonConnected(LATER),
        On,
        [],
        id="switching-connected-keeps-timer",
    ),
    pytest.param(
        replace(BASE[Switching], awaiting_daemon=True),
        SwitchChecksPassed(NEW_RANKED),
        Switching,
        [],
        id="switching-duplicate-result-ignored",
    ),
    pytest.param(
        replace(BASE[Switching], awaiting_daemon=True),
        DaemonDisconnected("activation_failed"),
        On,
        [EmitFailure(Cause.ServerUnavailable)],
        id="switching-refused-by-daemon-stays-on-old-server",
    ),
    pytest.param(
        replace(BASE[Switching], awaiting_daemon=True),
        DaemonDisconnected("user"),
        Off,
        [CancelChecks(), StopTimer()],
        id="switching-ended-by-another-client-is-off",
    ),
    pytest.param(
        replace(BASE[Switching], awaiting_daemon=True),
        DaemonLinkRestored(connected=True, connected_since=STARTED_AT),
        On,
        [],
        id="switching-link-restored-connected",
    ),
    pytest.param(
        BASE[Switching],
        DaemonLinkRestored(connected=False),
        Off,
        [CancelChecks(), StopTimer()],
        id="switching-session-ended-while-link-was-down",
    ),
    pytest.param(
        BASE[Switching],
        SwitchChecksPassed(()),
        On,
        [EmitFailure(Cause.ServerUnavailable)],
        id="switching-passed-without-servers-fails",
    ),
    pytest.param(
        replace(BASE[Switching], failure=Cause.ServerUnavailable),
        SwitchChecksPassed(NEW_RANKED),
        Switching,
        [ClearFailure(Cause.ServerUnavailable), ActivateDaemon(NEW_RANKED)],
        id="switching-away-from-dead-location-clears-failure",
    ),
    pytest.param(
        replace(BASE[Switching], failure=Cause.NoSubscription),
        SwitchChecksPassed(NEW_RANKED),
        Switching,
        [ActivateDaemon(NEW_RANKED)],
        id="switch-checks-do-not-clear-subscription-failure",
    ),
    pytest.param(
        BASE[Disconnecting],
        DaemonDisconnected("replaced"),
        Disconnecting,
        [],
        id="disconnecting-replaced-is-not-off",
    ),
    pytest.param(
        BASE[Disconnecting],
        DaemonLinkRestored(connected=False),
        Off,
        [],
        id="disconnecting-link-restored-not-connected",
    ),
]


@pytest.mark.parametrize(("before", "event", "next_state", "expected_effects"), VARIANTS)
def test_state_dependent_outcomes(
    before: Snapshot, event: Event, next_state: VPNClientState, expected_effects: list[Effect]
) -> None:
    after, effects = transition(before, event)
    assert after.client_state == next_state
    assert list(effects) == expected_effects


FAILURE_SNAPSHOTS: Final = [
    replace(snapshot, failure=cause, awaiting_daemon=awaiting, tunnel_lost=lost)
    for snapshot in BASE.values()
    for cause in (None, *FailureCause)
    for awaiting in (False, True)
    for lost in (False, True)
]
EVENT_SAMPLES: Final = [
    *EVENTS.values(),
    *(ChecksFailed(cause) for cause in FailureCause),
    *(SwitchChecksFailed(cause) for cause in FailureCause),
    *(DaemonDisconnected(reason) for reason in ("user", "shutdown", "activation_failed", "replaced")),
    DaemonLinkRestored(connected=False),
    StabilityChanged(unstable=False),
    TunnelLost(),
]


def test_a_switch_away_from_an_unstable_server_is_judged_afresh() -> None:
    before = replace(BASE[Switching], awaiting_daemon=True, unstable=True, connection_state=ConnectionState.Unstable)
    after, _ = transition(before, DaemonConnected(LATER))
    assert after.client_state == On
    assert not after.unstable
    assert after.connection_state == ConnectionState.Idle


def test_only_the_user_deactivates_the_daemon() -> None:
    """No failure, check result or daemon event ever turns the tunnel off."""
    for before in FAILURE_SNAPSHOTS:
        for event in EVENT_SAMPLES:
            _, effects = transition(before, event)
            if DeactivateDaemon() in effects:
                assert isinstance(event, ToggleOff) or before.client_state == Disconnecting, (before, event)


def test_a_failure_while_on_keeps_the_vpn_on() -> None:
    for cause in FailureCause:
        for state in (On, Switching):
            after, effects = transition(BASE[state], ChecksFailed(cause))
            assert after.client_state == state
            assert after.toggled_on
            assert not any(isinstance(effect, DeactivateDaemon | StopTimer) for effect in effects)


def test_the_table_names_every_pair() -> None:
    for state in VPNClientState:
        assert set(TRANSITIONS[state]) == set(EVENT_TYPES), state


def test_check_started_shows_the_running_check() -> None:
    machine = Machine(BASE[Connecting])
    for check, shown in [
        (Check.internet, ConnectionState.InternetProbe),
        (Check.captive_portal, ConnectionState.CaptivePortal),
        (Check.subscription, ConnectionState.CheckSubscription),
        (Check.server, ConnectionState.ServerProbe),
        (Check.firewall, ConnectionState.Firewall),
    ]:
        assert machine.step(CheckStarted(check)) == []
        assert connection_state(machine) == shown


def test_instability_shows_once_no_check_runs() -> None:
    machine = Machine(BASE[On])
    machine.step(CheckStarted(Check.server))
    machine.step(StabilityChanged(unstable=True))
    assert connection_state(machine) == ConnectionState.ServerProbe
    assert machine.snapshot.unstable
    machine.step(ChecksPassed(RANKED))
    assert connection_state(machine) == ConnectionState.Unstable
    machine.step(StabilityChanged(unstable=False))
    assert connection_state(machine) == ConnectionState.Idle


def test_a_connected_daemon_link_needs_a_session_start() -> None:
    with pytest.raises(ValueError, match="session"):
        DaemonLinkRestored(connected=True)


# ----------------------------------------------------------------- scenarios


def test_scenario_connect_unstable_switch_disconnect() -> None:
    machine = Machine()
    assert machine.step(ToggleOn()) == [RunActivationChecks()]
    assert machine.snapshot.client_state == Connecting
    assert machine.snapshot.toggled_on
    for check in (Check.internet, Check.captive_portal, Check.subscription, Check.server):
        assert machine.step(CheckStarted(check)) == []
    assert machine.step(ChecksPassed(RANKED)) == [ActivateDaemon(RANKED)]
    assert machine.snapshot.client_state == Connecting  # until the daemon says so
    assert connection_state(machine) == ConnectionState.Idle

    assert machine.step(DaemonConnected(STARTED_AT)) == [StartTimer(STARTED_AT)]
    assert machine.snapshot.client_state == On
    assert connection_state(machine) == ConnectionState.Idle

    assert machine.step(StabilityChanged(unstable=True)) == []
    assert connection_state(machine) == ConnectionState.Unstable
    assert machine.step(StabilityChanged(unstable=False)) == []
    assert connection_state(machine) == ConnectionState.Idle

    assert machine.step(LocationChosen(NEW_LOCATION)) == [CancelChecks(), RunSwitchChecks(NEW_LOCATION)]
    assert machine.snapshot.client_state == Switching
    assert machine.step(CheckStarted(Check.server)) == []
    assert machine.step(SwitchChecksPassed(NEW_RANKED)) == [ActivateDaemon(NEW_RANKED)]
    assert machine.step(DaemonDisconnected("replaced")) == []
    assert machine.snapshot.client_state == Switching
    # The daemon reports its own time for the new tunnel; the timer keeps the first.
    assert machine.step(DaemonConnected(LATER)) == []
    assert machine.snapshot.client_state == On
    assert machine.snapshot.connected_since == STARTED_AT

    assert machine.step(ToggleOff()) == [CancelChecks(), DeactivateDaemon(), StopTimer()]
    assert machine.snapshot.client_state == Disconnecting
    assert not machine.snapshot.toggled_on
    assert machine.step(DaemonDisconnected("user")) == []
    assert machine.snapshot == Snapshot()


def test_scenario_offline_activation_then_network_returns() -> None:
    machine = Machine()
    machine.step(ToggleOn())
    assert machine.step(ChecksFailed(Cause.NoInternet)) == [EmitFailure(Cause.NoInternet)]
    assert machine.snapshot.client_state == Off
    assert not machine.snapshot.toggled_on
    assert machine.snapshot.failure == Cause.NoInternet
    assert machine.step(NetworkChanged()) == [RunNetworkChecks()]
    assert machine.step(ChecksPassed(checks=NETWORK_ONLY)) == [ClearFailure(Cause.NoInternet)]
    assert machine.snapshot.failure is None
    assert machine.step(Retry()) == [RunActivationChecks()]
    assert machine.snapshot.client_state == Connecting


def test_scenario_tunnel_lost_while_on_names_the_cause_and_stays_on() -> None:
    machine = Machine(BASE[On])
    assert machine.step(TunnelLost()) == [RunTunnelLostChecks()]
    assert machine.step(ChecksFailed(Cause.CaptivePortal)) == [EmitFailure(Cause.CaptivePortal)]
    assert machine.snapshot.client_state == On
    assert machine.snapshot.connected_since == STARTED_AT
    assert machine.step(NetworkChanged()) == [RunNetworkChecks()]
    assert machine.step(ChecksPassed(checks=NETWORK_ONLY)) == [ClearFailure(Cause.CaptivePortal)]
    assert machine.step(TunnelRecovered()) == []
    assert machine.snapshot == BASE[On]


def test_scenario_toggle_off_during_checks_cancels_them() -> None:
    machine = Machine()
    machine.step(ToggleOn())
    machine.step(CheckStarted(Check.internet))
    assert machine.step(ToggleOff()) == [CancelChecks()]
    assert machine.snapshot == Snapshot()
    # A result that slips through after the cancellation changes nothing.
    assert machine.step(ChecksFailed(Cause.ServerUnavailable)) == []
    assert machine.snapshot == Snapshot()


def test_scenario_app_restart_picks_up_the_daemon_session() -> None:
    machine = Machine()
    assert machine.step(DaemonLinkRestored(connected=True, connected_since=STARTED_AT)) == [StartTimer(STARTED_AT)]
    assert machine.snapshot.client_state == On
    assert machine.snapshot.toggled_on


def test_scenario_daemon_link_lost_and_restored_while_on() -> None:
    machine = Machine(BASE[On])
    assert machine.step(DaemonLinkLost()) == [EmitFailure(Cause.DaemonLost)]
    assert machine.snapshot.client_state == On
    assert machine.step(DaemonLinkLost()) == []
    assert machine.step(DaemonLinkRestored(connected=True, connected_since=STARTED_AT)) == [
        ClearFailure(Cause.DaemonLost)
    ]
    assert machine.snapshot == BASE[On]


def test_scenario_dead_location_then_another_location() -> None:
    machine = Machine(BASE[On])
    machine.step(LocationChosen(NEW_LOCATION))
    assert machine.step(SwitchChecksFailed(Cause.ServerUnavailable)) == [EmitFailure(Cause.ServerUnavailable)]
    assert machine.snapshot.client_state == On
    machine.step(LocationChosen(RANKED))
    assert machine.step(SwitchChecksPassed(RANKED)) == [
        ClearFailure(Cause.ServerUnavailable),
        ActivateDaemon(RANKED),
    ]
    assert machine.step(DaemonConnected(LATER)) == []
    assert machine.snapshot == BASE[On]


def test_scenario_dead_server_moved_by_the_daemon_then_dead_location() -> None:
    machine = Machine(replace(BASE[On], unstable=True, connection_state=ConnectionState.Unstable))
    # The app saw the silence first: the checks run, find nothing wrong, move nothing.
    assert machine.step(TunnelLost()) == [RunTunnelLostChecks()]
    assert machine.step(ChecksPassed(RANKED)) == []
    # The daemon left the silent server: announced, same timer, a fresh verdict.
    assert machine.step(ServerMoved(BER_2.name, BER_1.name)) == [AnnounceMove(BER_2.name, BER_1.name)]
    assert machine.snapshot == BASE[On]
    # Then the rest of the location dies: named, and the VPN stays on.
    assert machine.step(TunnelLost()) == [RunTunnelLostChecks()]
    assert machine.step(ChecksFailed(Cause.ServerUnavailable)) == [EmitFailure(Cause.ServerUnavailable)]
    assert machine.snapshot.client_state == On
    assert machine.snapshot.connected_since == STARTED_AT
    # A server comes back and the daemon moves to it: the modal gets its re-check.
    assert machine.step(ServerMoved(BER_1.name, BER_2.name)) == [
        AnnounceMove(BER_1.name, BER_2.name),
        RunTunnelLostChecks(),
    ]
    assert machine.step(ChecksPassed(RANKED)) == [ClearFailure(Cause.ServerUnavailable)]
    assert machine.snapshot == BASE[On]
