"""How the HTTP checks classify every kind of answer, and the server list.

Each test starts a small real HTTP server on loopback that answers one way
(a redirect, a 503, a dropped connection...), so the rules are exercised
over real sockets; the integration tests then run the same checks against
the network lab.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any, NoReturn, TypeVar

import pytest
from aiohttp import web

from vpnui.connection.http_probes import (
    open_probe_session,
    probe_captive_portal,
    probe_internet,
    probe_subscription,
)
from vpnui.connection.server_list import ServerListError, decode_server_list, fetch_server_list
from vpnui.connection.settings import ConnectionSettings
from vpnui.connection.states import FailureCause

_T = TypeVar("_T")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

FAST = ConnectionSettings(
    internet_timeout_s=0.5,
    internet_retries=1,
    captive_portal_timeout_s=0.5,
    captive_portal_retry_interval_s=0.05,
    captive_portal_max_attempts=3,
    subscription_timeout_s=0.5,
    subscription_retries=1,
    server_list_timeout_s=0.5,
)


def run(coroutine: Coroutine[Any, Any, _T]) -> _T:
    return asyncio.run(coroutine)


class Site:
    """A loopback HTTP server answering ``path`` with ``handler``; counts requests."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.requests: list[web.Request] = []
        self.peers: list[object] = []
        """The client address of each request: a new one means a new connection."""


@asynccontextmanager
async def serve(handler: Handler, path: str = "/probe") -> AsyncIterator[Site]:
    app = web.Application()
    site_info = Site("")

    async def counted(request: web.Request) -> web.StreamResponse:
        site_info.requests.append(request)
        if request.transport is not None:
            site_info.peers.append(request.transport.get_extra_info("peername"))
        return await handler(request)

    app.router.add_get(path, counted)
    runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=0.5, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    site_info.url = f"http://{host}:{port}{path}"
    try:
        yield site_info
    finally:
        await runner.cleanup()


def closed_port_url() -> str:
    """A loopback URL nothing listens on (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/probe"


def drop(request: web.Request) -> NoReturn:
    """Tear the connection down without answering, as a dead network does."""
    assert request.transport is not None
    request.transport.abort()
    raise web.HTTPServiceUnavailable()


def status(code: int, body: str = "", **headers: str) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(status=code, text=body, headers=headers)

    return handler


def json_status(code: int, body: str) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(status=code, text=body, content_type="application/json")

    return handler


async def dropping(request: web.Request) -> web.StreamResponse:
    drop(request)


async def hanging(request: web.Request) -> web.StreamResponse:
    await asyncio.sleep(30)
    return web.Response(status=204)


def flaky(then: Handler) -> Handler:
    """Lets the first request time out, answers the next ones with ``then``.

    (A timeout rather than a dropped connection: aiohttp itself resends a
    GET once when the connection drops, which would hide the probe's retry.)
    """
    seen = 0

    async def handler(request: web.Request) -> web.StreamResponse:
        nonlocal seen
        seen += 1
        if seen == 1:
            return await hanging(request)
        return await then(request)

    return handler


# ---------------------------------------------------------------- internet


@pytest.mark.parametrize("code", [204, 200, 302, 404, 503])
def test_internet_any_http_answer_means_online(code: int) -> None:
    headers = {"Location": "http://portal.example/"} if code == 302 else {}

    async def scenario() -> None:
        async with serve(status(code, **headers)) as site, open_probe_session() as session:
            result = await probe_internet(session, site.url, FAST)
        assert result.ok and result.failure is None
        assert result.http_status == code
        assert result.attempts == 1
        assert str(code) in result.detail

    run(scenario())


def test_internet_refused_is_no_internet_after_retries() -> None:
    async def scenario() -> None:
        async with open_probe_session() as session:
            result = await probe_internet(session, closed_port_url(), FAST)
        assert not result.ok
        assert result.failure == FailureCause.NoInternet
        assert result.attempts == FAST.internet_retries + 1
        assert "could not connect" in result.detail

    run(scenario())


def test_internet_dropped_connection_is_no_internet() -> None:
    async def scenario() -> None:
        async with serve(dropping) as site, open_probe_session() as session:
            result = await probe_internet(session, site.url, FAST)
        assert result.failure == FailureCause.NoInternet
        assert result.attempts == 2
        assert len(site.requests) >= 2
        assert "closed without a response" in result.detail

    run(scenario())


def test_internet_timeout_is_no_internet() -> None:
    settings = ConnectionSettings(internet_timeout_s=0.2, internet_retries=0)

    async def scenario() -> None:
        async with serve(hanging) as site, open_probe_session() as session:
            result = await probe_internet(session, site.url, settings)
        assert result.failure == FailureCause.NoInternet
        assert "no answer within 0.2 s" in result.detail
        assert 0.2 <= result.duration_s < 1.0

    run(scenario())


def test_internet_retry_recovers_from_one_lost_attempt() -> None:
    async def scenario() -> None:
        async with serve(flaky(status(204))) as site, open_probe_session() as session:
            result = await probe_internet(session, site.url, FAST)
        assert result.ok
        assert result.attempts == 2

    run(scenario())


def test_internet_os_hint_offline_fails_without_a_request() -> None:
    async def scenario() -> None:
        async with serve(status(204)) as site, open_probe_session() as session:
            result = await probe_internet(session, site.url, FAST, os_reachable=False)
            hinted_online = await probe_internet(session, site.url, FAST, os_reachable=True)
        assert result.failure == FailureCause.NoInternet
        assert result.duration_s < 0.05
        assert "system reports no network" in result.detail
        assert hinted_online.ok
        assert len(site.requests) == 1

    run(scenario())


def test_internet_unresolvable_host_is_no_internet() -> None:
    async def scenario() -> None:
        async with open_probe_session() as session:
            result = await probe_internet(session, "http://no-such-host.invalid/generate_204", FAST)
        assert result.failure == FailureCause.NoInternet

    run(scenario())


# ---------------------------------------------------------- captive portal


def test_captive_portal_success_body_is_clear() -> None:
    async def scenario() -> None:
        async with serve(status(200, "success\n")) as site, open_probe_session() as session:
            result = await probe_captive_portal(session, site.url, FAST)
        assert result.ok and result.failure is None
        assert result.portal_url is None

    run(scenario())


def test_captive_portal_redirect_gives_an_absolute_portal_url() -> None:
    async def scenario() -> None:
        handler = status(302, Location="/portal?from=lab")
        async with serve(handler) as site, open_probe_session() as session:
            result = await probe_captive_portal(session, site.url, FAST)
        assert result.failure == FailureCause.CaptivePortal
        assert result.portal_url == site.url.replace("/probe", "/portal?from=lab")
        assert result.http_status == 302
        assert "redirect" in result.detail

    run(scenario())


@pytest.mark.parametrize(
    ("code", "body"), [(200, "<html>Sign in to Wi-Fi</html>"), (200, ""), (503, "success"), (204, "")]
)
def test_captive_portal_other_answers_are_a_portal_at_the_detection_url(code: int, body: str) -> None:
    async def scenario() -> None:
        async with serve(status(code, body)) as site, open_probe_session() as session:
            result = await probe_captive_portal(session, site.url, FAST)
        assert result.failure == FailureCause.CaptivePortal
        assert result.portal_url == site.url

    run(scenario())


def test_captive_portal_no_answer_is_inconclusive_after_retries() -> None:
    async def scenario() -> None:
        async with serve(dropping) as site, open_probe_session() as session:
            result = await probe_captive_portal(session, site.url, FAST)
        assert not result.ok
        assert result.failure is None
        assert result.inconclusive
        assert result.attempts == FAST.captive_portal_max_attempts
        assert len(site.requests) >= FAST.captive_portal_max_attempts
        assert result.duration_s >= 2 * FAST.captive_portal_retry_interval_s
        assert "inconclusive" in result.detail

    run(scenario())


def test_captive_portal_retry_finds_the_answer() -> None:
    async def scenario() -> None:
        async with serve(flaky(status(200, "success"))) as site, open_probe_session() as session:
            result = await probe_captive_portal(session, site.url, FAST)
        assert result.ok
        assert result.attempts == 2

    run(scenario())


# ------------------------------------------------------------ subscription


@pytest.mark.parametrize(
    ("code", "body", "failure", "status_word"),
    [
        (200, '{"status": "active"}', None, "active"),
        (200, '{"status": "expired"}', FailureCause.NoSubscription, "expired"),
        (200, '{"status": "none"}', FailureCause.NoSubscription, "none"),
        (403, '{"status": "none"}', FailureCause.NoSubscription, "none"),
        (401, '{"status": "expired"}', FailureCause.NoSubscription, "expired"),
        (401, '{"error": "a device token is required"}', FailureCause.AccountServiceUnreachable, None),
        (403, "forbidden", FailureCause.AccountServiceUnreachable, None),
        (503, '{"error": "unavailable"}', FailureCause.AccountServiceUnreachable, None),
        (500, '{"status": "expired"}', FailureCause.AccountServiceUnreachable, "expired"),
        (404, '{"status": "none"}', FailureCause.AccountServiceUnreachable, "none"),
        (200, "<html>portal</html>", FailureCause.AccountServiceUnreachable, None),
        (200, '{"status": "suspended"}', FailureCause.AccountServiceUnreachable, "suspended"),
        (200, '["active"]', FailureCause.AccountServiceUnreachable, None),
    ],
)
def test_subscription_answers(code: int, body: str, failure: FailureCause | None, status_word: str | None) -> None:
    async def scenario() -> None:
        async with serve(json_status(code, body)) as site, open_probe_session() as session:
            result = await probe_subscription(session, site.url, "device-123", FAST)
        assert result.failure == failure
        assert result.ok == (failure is None)
        assert result.status == status_word
        assert result.http_status == code
        # An HTTP answer is the service's answer: never retried.
        assert len(site.requests) == 1
        assert site.requests[0].headers["Authorization"] == "Bearer device-123"

    run(scenario())


def test_subscription_redirect_is_unreachable_not_followed() -> None:
    async def scenario() -> None:
        async with serve(status(302, Location="/portal")) as site, open_probe_session() as session:
            result = await probe_subscription(session, site.url, "device-123", FAST)
        assert result.failure == FailureCause.AccountServiceUnreachable
        assert result.http_status == 302
        assert len(site.requests) == 1

    run(scenario())


def test_subscription_transport_errors_are_retried_then_unreachable() -> None:
    async def scenario() -> None:
        async with serve(dropping) as site, open_probe_session() as session:
            result = await probe_subscription(session, site.url, "device-123", FAST)
        assert result.failure == FailureCause.AccountServiceUnreachable
        assert result.attempts == FAST.subscription_retries + 1
        assert len(site.requests) >= FAST.subscription_retries + 1
        assert "unreachable" in result.detail

    run(scenario())


def test_subscription_retry_recovers() -> None:
    async def scenario() -> None:
        handler = flaky(json_status(200, '{"status": "active"}'))
        async with serve(handler) as site, open_probe_session() as session:
            result = await probe_subscription(session, site.url, "device-123", FAST)
        assert result.ok
        assert result.attempts == 2

    run(scenario())


def test_subscription_timeout_is_unreachable() -> None:
    settings = ConnectionSettings(subscription_timeout_s=0.2, subscription_retries=0)

    async def scenario() -> None:
        async with serve(hanging) as site, open_probe_session() as session:
            result = await probe_subscription(session, site.url, "device-123", settings)
        assert result.failure == FailureCause.AccountServiceUnreachable
        assert "no answer within 0.2 s" in result.detail

    run(scenario())


# ------------------------------------------------------------- server list

SERVER_LIST = b"""{"countries": [
  {"name": "Germany", "code": "de", "cities": [
    {"name": "Berlin", "code": "ber", "servers": [
      {"name": "de-ber-wg-001", "host": "127.0.0.1", "udp_port": 40001, "tcp_port": 40002},
      {"name": "de-ber-wg-002", "host": "127.0.0.1", "udp_port": 40003, "tcp_port": 40004}
    ]}
  ]},
  {"name": "France", "code": "fr", "cities": [
    {"name": "Paris", "code": "par", "servers": [
      {"name": "fr-par-wg-001", "host": "127.0.0.1", "udp_port": 40005, "tcp_port": 40006, "extra": 1}
    ]}
  ]}
]}"""


def test_server_list_lookup_and_endpoints() -> None:
    servers = decode_server_list(SERVER_LIST)
    berlin = servers.city("de", "ber")
    assert berlin is not None and berlin.name == "Berlin"
    assert servers.city("de", "par") is None
    assert servers.city("xx", "ber") is None
    endpoints = servers.endpoints("de", "ber")
    assert [endpoint.name for endpoint in endpoints] == ["de-ber-wg-001", "de-ber-wg-002"]
    first = endpoints[0]
    assert (first.host, first.udp_port, first.tcp_port) == ("127.0.0.1", 40001, 40002)
    assert (first.city, first.country) == ("ber", "de")
    assert servers.endpoints("fr", "lyo") == []


@pytest.mark.parametrize("data", [b"not json", b"{}", b'{"countries": [{"name": "x"}]}', b'{"countries": "none"}'])
def test_server_list_rejects_malformed_lists(data: bytes) -> None:
    with pytest.raises(ServerListError, match="invalid server list"):
        decode_server_list(data)


def test_fetch_server_list() -> None:
    async def scenario() -> None:
        async with serve(json_status(200, SERVER_LIST.decode())) as site:
            servers = await fetch_server_list(site.url, FAST)
            async with open_probe_session() as session:
                again = await fetch_server_list(site.url, FAST, session)
        assert servers == again
        assert [country.code for country in servers.countries] == ["de", "fr"]

    run(scenario())


@pytest.mark.parametrize(
    ("handler", "message"),
    [
        (json_status(503, '{"error": "down"}'), "HTTP 503"),
        (json_status(200, "[1, 2"), "invalid server list"),
        (dropping, "closed without a response"),
    ],
)
def test_fetch_server_list_errors(handler: Handler, message: str) -> None:
    async def scenario() -> None:
        async with serve(handler) as site:
            with pytest.raises(ServerListError, match=message):
                await fetch_server_list(site.url, FAST)

    run(scenario())


def test_fetch_server_list_refused() -> None:
    with pytest.raises(ServerListError, match="could not connect"):
        run(fetch_server_list(closed_port_url(), FAST))


def test_probe_session_neither_pools_nor_keeps_cookies() -> None:
    async def scenario() -> None:
        handler = status(200, "success", **{"Set-Cookie": "portal=1"})
        async with serve(handler) as site, open_probe_session() as session:
            await probe_captive_portal(session, site.url, FAST)
            await probe_captive_portal(session, site.url, FAST)
            assert len(session.cookie_jar) == 0
        assert "portal" not in site.requests[1].cookies
        assert len(site.peers) == 2
        assert site.peers[0] != site.peers[1]  # each probe on its own connection

    run(scenario())


def test_timing_sanity() -> None:
    # The fast settings above keep this module quick; guard against a
    # regression that would make every refused connection wait its timeout.
    started = time.monotonic()

    async def scenario() -> None:
        async with open_probe_session() as session:
            await probe_internet(session, closed_port_url(), FAST)

    run(scenario())
    assert time.monotonic() - started < FAST.internet_timeout_s
