"""The ConnectionManager's checks against the real network lab.

One lab process serves the module; its conditions are reset before each
test and then bent one way (offline, captive portal, firewall, account
service down, servers down or slow).  Each test asserts the one diagnosis
the user must see, and the misleading ones they must never see.  Short
timeouts keep the module to a few seconds.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterator
from typing import Any, Final, TypeVar

import pytest

from lab.lab_process import LabProcess, isolated_lab
from mimic_core.protocol import ServerEndpoint
from vpnui.connection.check_results import CheckResult
from vpnui.connection.check_runs import CheckReport, run_checks
from vpnui.connection.check_sets import ACTIVATION_CHECKS, NETWORK_CHECKS, SWITCH_CHECKS
from vpnui.connection.http_probes import open_probe_session, probe_captive_portal, probe_internet, probe_subscription
from vpnui.connection.server_list import ServerList, ServerListError, fetch_server_list
from vpnui.connection.settings import ConnectionSettings, Endpoints
from vpnui.connection.states import Check, FailureCause

_T = TypeVar("_T")

SETTINGS: Final = ConnectionSettings(
    internet_timeout_s=0.5,
    internet_retries=1,
    captive_portal_timeout_s=0.5,
    captive_portal_retry_interval_s=0.1,
    captive_portal_max_attempts=3,
    subscription_timeout_s=0.5,
    subscription_retries=1,
    server_list_timeout_s=2.0,
    server_handshake_timeout_s=0.25,
    server_handshake_attempts=2,
    server_parallelism=4,
    firewall_tcp_timeout_s=0.3,
)
# How long the server probe takes when no server answers: anything that
# finishes sooner did not wait for it.
SERVER_PROBE_S: Final = SETTINGS.server_handshake_timeout_s
TOKEN: Final = "device-token-for-tests"
BERLIN: Final = ("de", "ber")
BER_1, BER_2 = "de-ber-wg-001", "de-ber-wg-002"


def run(coroutine: Coroutine[Any, Any, _T]) -> _T:
    return asyncio.run(coroutine)


@pytest.fixture(scope="module")
def shared_lab() -> Iterator[LabProcess]:
    with isolated_lab(args=["--seed", "11"]) as process:
        yield process
        assert process.stop() == 0
        assert "Traceback" not in process.stderr


@pytest.fixture
def lab(shared_lab: LabProcess) -> LabProcess:
    shared_lab.control.reset()
    return shared_lab


@pytest.fixture(scope="module")
def server_list(shared_lab: LabProcess) -> ServerList:
    shared_lab.control.reset()
    return run(fetch_server_list(Endpoints.under(shared_lab.url, TOKEN).servers_url, SETTINGS))


@pytest.fixture
def berlin(server_list: ServerList) -> list[ServerEndpoint]:
    return server_list.endpoints(*BERLIN)


def endpoints(lab: LabProcess, token: str = TOKEN) -> Endpoints:
    return Endpoints.under(lab.url, token)


class Progress:
    """Records the checks' progress callbacks."""

    def __init__(self) -> None:
        self.started: list[Check] = []
        self.finished: list[Check] = []

    def on_started(self, check: Check) -> None:
        self.started.append(check)

    def on_finished(self, check: Check, result: CheckResult) -> None:
        assert result.check == check
        self.finished.append(check)


def activation(lab: LabProcess, servers: list[ServerEndpoint], progress: Progress | None = None) -> CheckReport:
    async def checks() -> CheckReport:
        async with open_probe_session() as session:
            return await run_checks(
                ACTIVATION_CHECKS,
                endpoints(lab),
                servers,
                SETTINGS,
                session,
                on_check_started=progress.on_started if progress else None,
                on_check_finished=progress.on_finished if progress else None,
            )

    return run(checks())


def names(servers: tuple[ServerEndpoint, ...]) -> list[str]:
    return [server.name for server in servers]


# ---------------------------------------------------------------- all good


def test_all_good_every_check_passes_and_servers_are_ranked(lab: LabProcess, berlin: list[ServerEndpoint]) -> None:
    progress = Progress()
    report = activation(lab, berlin, progress)
    assert report.ok and report.failure is None
    assert report.internet is not None and report.internet.ok
    assert report.internet.http_status == 204
    assert report.captive_portal is not None and report.captive_portal.ok
    assert report.subscription is not None and report.subscription.ok
    assert report.subscription.status == "active"
    assert report.server is not None and report.server.ok
    assert report.firewall is None  # not needed: servers answered
    assert sorted(names(report.ranked)) == [BER_1, BER_2]
    assert all(answer.rtt_ms is not None for answer in report.server.answers)
    assert report.passed() == {Check.internet, Check.captive_portal, Check.subscription, Check.server}
    assert set(report.durations()) == report.passed()
    assert all(0 < duration <= report.duration_s for duration in report.durations().values())
    assert progress.started == [Check.internet, Check.captive_portal, Check.subscription, Check.server]
    assert sorted(progress.finished) == sorted(progress.started)


def test_server_list_from_the_account_service(lab: LabProcess, server_list: ServerList) -> None:
    directory = lab.control.servers()
    assert sorted(server.name for server in directory.servers()) == sorted(
        endpoint.name
        for country in server_list.countries
        for city in country.cities
        for endpoint in server_list.endpoints(country.code, city.code)
    )
    city = server_list.city(*BERLIN)
    assert city is not None and city.name == "Berlin"
    for endpoint in server_list.endpoints(*BERLIN):
        published = directory.find(endpoint.name)
        assert (endpoint.udp_port, endpoint.tcp_port) == (published.udp_port, published.tcp_port)


# --------------------------------------------------------------- offline


def test_internet_down_is_no_internet_quickly_never_server_unavailable(
    lab: LabProcess, berlin: list[ServerEndpoint]
) -> None:
    lab.control.patch({"internet": False})
    progress = Progress()
    report = activation(lab, berlin, progress)
    assert report.failure == FailureCause.NoInternet
    assert report.internet is not None and report.internet.failure == FailureCause.NoInternet
    # Nothing else can be diagnosed offline: the server probe was not waited
    # for: it would have left its result here.
    assert report.server is None
    assert report.firewall is None
    assert Check.server not in progress.finished
    assert report.ranked == ()


def test_internet_down_network_and_switch_checks_say_no_internet(lab: LabProcess, server_list: ServerList) -> None:
    lab.control.patch({"internet": False})

    async def checks() -> tuple[CheckReport, CheckReport, CheckReport]:
        async with open_probe_session() as session:
            network = await run_checks(NETWORK_CHECKS, endpoints(lab), (), SETTINGS, session)
            switch = await run_checks(
                SWITCH_CHECKS, endpoints(lab), server_list.endpoints("fr", "par"), SETTINGS, session
            )
            lost = await run_checks(
                ACTIVATION_CHECKS, endpoints(lab), server_list.endpoints(*BERLIN), SETTINGS, session
            )
        return network, switch, lost

    for report in run(checks()):
        assert report.failure == FailureCause.NoInternet


def test_internet_down_server_list_fails_clearly(lab: LabProcess) -> None:
    lab.control.patch({"internet": False})
    with pytest.raises(ServerListError, match="server list unavailable"):
        run(fetch_server_list(endpoints(lab).servers_url, SETTINGS))


# --------------------------------------------------------- captive portal


def test_captive_portal_is_diagnosed_with_its_page_never_server_unavailable(
    lab: LabProcess, berlin: list[ServerEndpoint]
) -> None:
    lab.control.patch({"captive_portal": True})
    report = activation(lab, berlin)
    assert report.failure == FailureCause.CaptivePortal
    # The portal's redirect is an answer: the network is up.
    assert report.internet is not None and report.internet.ok
    assert report.captive_portal is not None
    assert report.captive_portal.portal_url == f"{lab.url}/portal"
    # Settled by the portal: the server probe (blocked by it) was not waited
    # for; had it been, its result would be here.
    assert report.server is None


def test_captive_portal_network_checks_and_login(lab: LabProcess) -> None:
    lab.control.patch({"captive_portal": True})

    async def checks() -> CheckReport:
        async with open_probe_session() as session:
            return await run_checks(NETWORK_CHECKS, endpoints(lab), (), SETTINGS, session)

    report = run(checks())
    assert report.failure == FailureCause.CaptivePortal
    assert report.passed() == {Check.internet}
    lab.control.patch({"captive_portal": False})  # the user logged in
    assert run(checks()).ok


# --------------------------------------------------------------- firewall


def test_firewall_blocking_udp_is_diagnosed(lab: LabProcess, berlin: list[ServerEndpoint]) -> None:
    lab.control.patch({"firewall_blocks_udp": True})
    progress = Progress()
    report = activation(lab, berlin, progress)
    assert report.failure == FailureCause.FirewallBlocking
    assert report.server is not None and report.server.failure == FailureCause.ServerUnavailable
    assert report.firewall is not None and report.firewall.tcp_tried
    assert sorted(names(report.firewall.tcp_answered)) == [BER_1, BER_2]
    assert progress.started[-1] == Check.firewall
    assert progress.finished[-1] == Check.firewall


# -------------------------------------------------------- account service


def test_account_service_down_is_unreachable_not_no_subscription(lab: LabProcess, berlin: list[ServerEndpoint]) -> None:
    lab.control.patch({"account_service": "down"})
    report = activation(lab, berlin)
    assert report.failure == FailureCause.AccountServiceUnreachable
    assert report.subscription is not None
    assert report.subscription.http_status == 503
    assert report.subscription.status is None


@pytest.mark.parametrize("status", ["expired", "none"])
def test_expired_or_no_subscription(lab: LabProcess, berlin: list[ServerEndpoint], status: str) -> None:
    lab.control.patch({"subscription": status})
    report = activation(lab, berlin)
    assert report.failure == FailureCause.NoSubscription
    assert report.subscription is not None
    assert report.subscription.status == status


def test_account_service_down_beats_an_expired_subscription(lab: LabProcess) -> None:
    lab.control.patch({"account_service": "down", "subscription": "expired"})

    async def check() -> FailureCause | None:
        async with open_probe_session() as session:
            result = await probe_subscription(session, endpoints(lab).subscription_url, TOKEN, SETTINGS)
        return result.failure

    assert run(check()) == FailureCause.AccountServiceUnreachable


def test_a_refused_device_token_is_not_no_subscription(lab: LabProcess) -> None:
    async def check() -> tuple[FailureCause | None, int | None]:
        async with open_probe_session() as session:
            result = await probe_subscription(session, endpoints(lab).subscription_url, "", SETTINGS)
        return result.failure, result.http_status

    assert run(check()) == (FailureCause.AccountServiceUnreachable, 401)


# ---------------------------------------------------------------- servers


def test_all_servers_of_a_city_down_is_server_unavailable(lab: LabProcess, berlin: list[ServerEndpoint]) -> None:
    lab.control.patch({"servers": {BER_1: {"down": True}, BER_2: {"down": True}}})
    report = activation(lab, berlin)
    assert report.failure == FailureCause.ServerUnavailable
    assert report.firewall is not None and report.firewall.ok  # down, not blocked
    assert report.firewall.tcp_answered == ()
    assert report.ranked == ()


def test_one_server_down_the_live_one_is_used(lab: LabProcess, berlin: list[ServerEndpoint]) -> None:
    lab.control.patch({"servers": {BER_1: {"down": True}}})
    report = activation(lab, berlin)
    assert report.ok
    assert names(report.ranked) == [BER_2]
    assert report.server is not None and report.server.rtt_ms(BER_1) is None


def test_a_slow_server_is_ranked_last(lab: LabProcess, berlin: list[ServerEndpoint]) -> None:
    lab.control.patch({"servers": {BER_2: {"latency_ms": 120}}})
    report = activation(lab, berlin)
    assert report.ok
    assert names(report.ranked) == [BER_1, BER_2]
    assert report.server is not None
    slow = report.server.rtt_ms(BER_2)
    assert slow is not None and slow >= 120


def test_other_cities_are_unaffected_by_a_dead_city(lab: LabProcess, server_list: ServerList) -> None:
    lab.control.patch({"servers": {BER_1: {"down": True}, BER_2: {"down": True}}})

    async def checks() -> CheckReport:
        async with open_probe_session() as session:
            return await run_checks(
                SWITCH_CHECKS, endpoints(lab), server_list.endpoints("fr", "par"), SETTINGS, session
            )

    report = run(checks())
    assert report.ok
    assert report.subscription is None  # not part of a switch
    assert {server.city for server in report.ranked} == {"par"}


def test_cancelling_a_run_cancels_every_check(lab: LabProcess, berlin: list[ServerEndpoint]) -> None:
    lab.control.patch({"firewall_blocks_udp": True})

    async def cancelled_run() -> None:
        async with open_probe_session() as session:
            run_task = asyncio.create_task(run_checks(ACTIVATION_CHECKS, endpoints(lab), berlin, SETTINGS, session))
            await asyncio.sleep(SERVER_PROBE_S / 2)
            run_task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await run_task
            assert asyncio.all_tasks() == {asyncio.current_task()}

    run(cancelled_run())


# ----------------------------------------------------- single checks, lab


def test_single_http_checks_against_the_lab(lab: LabProcess) -> None:
    async def checks() -> None:
        async with open_probe_session() as session:
            internet = await probe_internet(session, endpoints(lab).connectivity_url, SETTINGS)
            portal = await probe_captive_portal(session, endpoints(lab).captive_portal_url, SETTINGS)
        assert internet.ok and internet.http_status == 204
        assert portal.ok and portal.portal_url is None

    run(checks())
