"""One diagnosis from many results: the precedence table, with partial results."""

from __future__ import annotations

from itertools import combinations
from typing import Final

import pytest

from mimic_core.protocol import ServerEndpoint
from vpnui.connection.check_results import (
    CaptivePortalResult,
    CheckOutcome,
    FirewallResult,
    InternetResult,
    ServerProbeResult,
    SubscriptionResult,
)
from vpnui.connection.diagnosis import PRECEDENCE, diagnose, first_cause, outranks
from vpnui.connection.states import FailureCause

Cause = FailureCause
SERVER = ServerEndpoint("de-ber-wg-001", "127.0.0.1", 40001, 40002)

INTERNET_OK = InternetResult(ok=True, failure=None, duration_s=0.01, detail="HTTP 204", http_status=204)
OFFLINE = InternetResult(ok=False, failure=Cause.NoInternet, duration_s=2.0, detail="unreachable")
NO_PORTAL = CaptivePortalResult(ok=True, failure=None, duration_s=0.01, detail="no captive portal")
PORTAL = CaptivePortalResult(
    ok=False, failure=Cause.CaptivePortal, duration_s=0.01, detail="redirect", portal_url="http://p/"
)
PORTAL_INCONCLUSIVE = CaptivePortalResult(ok=False, failure=None, duration_s=1.5, detail="inconclusive")
ACTIVE = SubscriptionResult(ok=True, failure=None, duration_s=0.01, detail="active", status="active")
EXPIRED = SubscriptionResult(
    ok=False, failure=Cause.NoSubscription, duration_s=0.01, detail="expired", status="expired"
)
ACCOUNT_DOWN = SubscriptionResult(ok=False, failure=Cause.AccountServiceUnreachable, duration_s=0.01, detail="HTTP 503")
SERVERS_OK = ServerProbeResult(ok=True, failure=None, duration_s=0.01, detail="1 of 1", ranked=(SERVER,))
SERVERS_DOWN = ServerProbeResult(ok=False, failure=Cause.ServerUnavailable, duration_s=1.6, detail="none")
FIREWALL_OK = FirewallResult(ok=True, failure=None, duration_s=0.01, detail="not blocked")
FIREWALL = FirewallResult(ok=False, failure=Cause.FirewallBlocking, duration_s=0.01, detail="blocked")

NO_INTERNET, PORTAL_FOUND = Cause.NoInternet, Cause.CaptivePortal
UNREACHABLE, NO_SUB = Cause.AccountServiceUnreachable, Cause.NoSubscription
BLOCKED, UNAVAILABLE = Cause.FirewallBlocking, Cause.ServerUnavailable

# (name, results, expected diagnosis); None stands for a check cancelled or not run.
TABLE: Final[list[tuple[str, list[CheckOutcome | None], FailureCause | None]]] = [
    ("all good", [INTERNET_OK, NO_PORTAL, ACTIVE, SERVERS_OK, FIREWALL_OK], None),
    ("all good, no firewall check", [INTERNET_OK, NO_PORTAL, ACTIVE, SERVERS_OK, None], None),
    ("nothing ran", [], None),
    ("everything cancelled", [None, None, None, None, None], None),
    ("offline, all fail", [OFFLINE, PORTAL_INCONCLUSIVE, ACCOUNT_DOWN, SERVERS_DOWN], NO_INTERNET),
    ("offline, rest cancelled", [OFFLINE, None, None, None, None], NO_INTERNET),
    ("offline, server first", [OFFLINE, None, None, SERVERS_DOWN, None], NO_INTERNET),
    ("portal, rest fail", [INTERNET_OK, PORTAL, ACCOUNT_DOWN, SERVERS_DOWN], PORTAL_FOUND),
    ("portal, rest cancelled", [INTERNET_OK, PORTAL, None, None], PORTAL_FOUND),
    ("portal inconclusive", [INTERNET_OK, PORTAL_INCONCLUSIVE, ACTIVE, SERVERS_OK], None),
    ("account down, servers down", [INTERNET_OK, NO_PORTAL, ACCOUNT_DOWN, SERVERS_DOWN], UNREACHABLE),
    ("account down, servers fine", [INTERNET_OK, NO_PORTAL, ACCOUNT_DOWN, SERVERS_OK], UNREACHABLE),
    ("expired", [INTERNET_OK, NO_PORTAL, EXPIRED, SERVERS_OK], NO_SUB),
    ("expired and blocked", [INTERNET_OK, NO_PORTAL, EXPIRED, SERVERS_DOWN, FIREWALL], NO_SUB),
    ("blocked", [INTERNET_OK, NO_PORTAL, ACTIVE, SERVERS_DOWN, FIREWALL], BLOCKED),
    ("servers down, not blocked", [INTERNET_OK, NO_PORTAL, ACTIVE, SERVERS_DOWN, FIREWALL_OK], UNAVAILABLE),
    ("servers down, no firewall check", [INTERNET_OK, NO_PORTAL, ACTIVE, SERVERS_DOWN, None], UNAVAILABLE),
    ("only the server check ran", [None, None, None, SERVERS_DOWN, None], UNAVAILABLE),
    ("any order", [SERVERS_DOWN, FIREWALL, EXPIRED, PORTAL, OFFLINE], NO_INTERNET),
]


@pytest.mark.parametrize(("results", "expected"), [row[1:] for row in TABLE], ids=[row[0] for row in TABLE])
def test_precedence_table(results: list[CheckOutcome | None], expected: FailureCause | None) -> None:
    assert diagnose(results) == expected


def test_precedence_is_the_documented_order() -> None:
    assert (
        Cause.NoInternet,
        Cause.CaptivePortal,
        Cause.AccountServiceUnreachable,
        Cause.NoSubscription,
        Cause.FirewallBlocking,
        Cause.ServerUnavailable,
        Cause.DaemonLost,
    ) == PRECEDENCE
    # The enum is declared in the same order, so QML can compare values.
    assert list(PRECEDENCE) == sorted(FailureCause)


@pytest.mark.parametrize("pair", list(combinations(PRECEDENCE, 2)), ids=lambda pair: f"{pair[0].name}>{pair[1].name}")
def test_every_pair_resolves_to_the_earlier_cause(pair: tuple[FailureCause, FailureCause]) -> None:
    higher, lower = pair
    assert first_cause([lower, higher]) == higher
    assert outranks(higher, lower)
    assert not outranks(lower, higher)


SERVER_FAILURES: Final = [SERVERS_DOWN, FIREWALL, FIREWALL_OK, None]
ACCOUNT_RESULTS: Final = [ACTIVE, EXPIRED, ACCOUNT_DOWN, None]
PORTAL_RESULTS: Final = [NO_PORTAL, PORTAL, PORTAL_INCONCLUSIVE, None]


@pytest.mark.parametrize("portal", PORTAL_RESULTS)
@pytest.mark.parametrize("account", ACCOUNT_RESULTS)
@pytest.mark.parametrize("server", SERVER_FAILURES)
def test_offline_never_yields_a_later_cause(
    portal: CheckOutcome | None, account: CheckOutcome | None, server: CheckOutcome | None
) -> None:
    assert diagnose([OFFLINE, portal, account, server]) == Cause.NoInternet


@pytest.mark.parametrize("account", ACCOUNT_RESULTS)
@pytest.mark.parametrize("server", SERVER_FAILURES)
def test_a_captive_portal_never_yields_server_unavailable(
    account: CheckOutcome | None, server: CheckOutcome | None
) -> None:
    assert diagnose([INTERNET_OK, PORTAL, account, server, FIREWALL]) == Cause.CaptivePortal


@pytest.mark.parametrize("server", [SERVERS_OK, SERVERS_DOWN, None])
def test_account_unreachable_never_yields_no_subscription(server: CheckOutcome | None) -> None:
    assert diagnose([INTERNET_OK, NO_PORTAL, ACCOUNT_DOWN, server]) == Cause.AccountServiceUnreachable
