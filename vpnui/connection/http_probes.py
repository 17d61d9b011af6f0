"""The checks made over HTTP: internet, captive portal and subscription.

Each one is a small unit with its own timeout and retry rule, because the
rules differ for good reasons: any HTTP answer proves the internet is
reachable, only an exact "success" proves there is no captive portal, and
only the account service's explicit word proves there is no subscription
(not being able to ask is a different failure, with a different remedy).
"""

from __future__ import annotations

import asyncio
import time
from typing import Final

import aiohttp
import msgspec
from yarl import URL

from vpnui.connection.check_results import CaptivePortalResult, InternetResult, SubscriptionResult
from vpnui.connection.settings import ConnectionSettings
from vpnui.connection.states import FailureCause

# Enough for "success" or a subscription reply; a portal page is not read in full.
_BODY_LIMIT: Final = 64 * 1024
_CAPTIVE_PORTAL_EXPECTED_BODY: Final = "success"
_ACTIVE: Final = "active"
_NO_SUBSCRIPTION_STATUSES: Final = frozenset({"expired", "none"})
# Answers that may carry the account service's verdict on a refused token.
_AUTH_REFUSED: Final = frozenset({401, 403})

TRANSPORT_ERRORS: Final = (aiohttp.ClientError, TimeoutError, OSError)
"""What a request raises when no HTTP answer came back at all."""


class _SubscriptionReply(msgspec.Struct):
    status: str


_subscription_decoder: Final = msgspec.json.Decoder(_SubscriptionReply)


def open_probe_session() -> aiohttp.ClientSession:
    """A client session fit for connectivity checks (call it inside the event loop).

    Connections are never reused and DNS answers never cached: after a
    network change a pooled connection or a cached address would answer for
    the old network.  Cookies are dropped so a captive portal cannot make a
    later check look different from the first.
    """
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(force_close=True, use_dns_cache=False),
        cookie_jar=aiohttp.DummyCookieJar(),
    )


def describe_transport_error(exc: BaseException, timeout_s: float) -> str:
    """A plain-language reason for a request that got no HTTP answer."""
    if isinstance(exc, TimeoutError):
        return f"no answer within {timeout_s:g} s"
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return f"DNS lookup of {exc.host} failed"
    if isinstance(exc, aiohttp.ClientConnectorError):
        reason = exc.os_error.strerror or str(exc.os_error)
        return f"could not connect to {exc.host}:{exc.port} ({reason})"
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return "the connection closed without a response"
    if isinstance(exc, aiohttp.ClientPayloadError):
        return "the response was cut off"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


async def _read_limited(response: aiohttp.ClientResponse, limit: int = _BODY_LIMIT) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        chunk = await response.content.read(limit - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _elapsed(started: float) -> float:
    return time.monotonic() - started


async def probe_internet(
    session: aiohttp.ClientSession,
    url: str,
    settings: ConnectionSettings,
    *,
    os_reachable: bool | None = None,
) -> InternetResult:
    """Whether the network reaches ``url`` at all.

    Any HTTP answer counts, redirects included: a captive portal answers
    with a redirect, and telling that apart is the captive-portal check's
    business; calling it "no internet" would send the user to check their
    Wi-Fi when they need to log in.  ``os_reachable=False`` (the operating
    system says there is no network) fails at once instead of waiting for
    timeouts; ``None`` means the system gave no hint.
    """
    started = time.monotonic()
    if os_reachable is False:
        return InternetResult(
            ok=False,
            failure=FailureCause.NoInternet,
            duration_s=_elapsed(started),
            detail="the system reports no network connection",
        )
    timeout = aiohttp.ClientTimeout(total=settings.internet_timeout_s)
    reasons: list[str] = []
    attempts = settings.internet_retries + 1
    for attempt in range(1, attempts + 1):
        try:
            async with session.get(url, allow_redirects=False, timeout=timeout) as response:
                status = response.status
        except TRANSPORT_ERRORS as exc:
            reasons.append(describe_transport_error(exc, settings.internet_timeout_s))
            continue
        return InternetResult(
            ok=True,
            failure=None,
            duration_s=_elapsed(started),
            detail=f"HTTP {status} from {URL(url).host}",
            http_status=status,
            attempts=attempt,
        )
    return InternetResult(
        ok=False,
        failure=FailureCause.NoInternet,
        duration_s=_elapsed(started),
        detail=f"{URL(url).host} unreachable: {'; '.join(reasons)}",
        attempts=attempts,
    )


async def probe_captive_portal(
    session: aiohttp.ClientSession, url: str, settings: ConnectionSettings
) -> CaptivePortalResult:
    """Whether the network holds web traffic behind a login page.

    Only HTTP 200 with the body ``success`` is a clear network.  A redirect
    or any other answer is a portal, and ``portal_url`` is where the
    redirect points (made absolute), so the UI can open the login page.  No
    answer at all is inconclusive: retried every retry interval up to the
    attempt cap, and if it stays so the result carries no failure, because
    "offline" is the internet check's finding, not this one's.
    """
    started = time.monotonic()
    timeout = aiohttp.ClientTimeout(total=settings.captive_portal_timeout_s)
    reasons: list[str] = []
    attempts = settings.captive_portal_max_attempts
    for attempt in range(1, attempts + 1):
        if attempt > 1:
            await asyncio.sleep(settings.captive_portal_retry_interval_s)
        try:
            async with session.get(url, allow_redirects=False, timeout=timeout) as response:
                status = response.status
                location = response.headers.get(aiohttp.hdrs.LOCATION)
                answered_url = response.url
                body = await _read_limited(response)
        except TRANSPORT_ERRORS as exc:
            reasons.append(describe_transport_error(exc, settings.captive_portal_timeout_s))
            continue
        text = body.decode("utf-8", errors="replace").strip()
        if status == 200 and text == _CAPTIVE_PORTAL_EXPECTED_BODY:
            return CaptivePortalResult(
                ok=True,
                failure=None,
                duration_s=_elapsed(started),
                detail="no captive portal",
                http_status=status,
                attempts=attempt,
            )
        if location:
            portal_url = str(answered_url.join(URL(location)))
            detail = f"HTTP {status} redirect to {portal_url}"
        else:
            portal_url = url
            detail = f"HTTP {status} with {'an unexpected body' if status == 200 else 'no redirect'}"
        return CaptivePortalResult(
            ok=False,
            failure=FailureCause.CaptivePortal,
            duration_s=_elapsed(started),
            detail=f"captive portal: {detail}",
            portal_url=portal_url,
            http_status=status,
            attempts=attempt,
        )
    return CaptivePortalResult(
        ok=False,
        failure=None,
        duration_s=_elapsed(started),
        detail=f"inconclusive, no answer after {attempts} attempts: {'; '.join(reasons)}",
        attempts=attempts,
    )


async def probe_subscription(
    session: aiohttp.ClientSession, url: str, device_token: str, settings: ConnectionSettings
) -> SubscriptionResult:
    """Whether the account service says this device's subscription is active.

    Only the service's explicit ``{"status": "expired"}`` or ``"none"``
    means no subscription; every other outcome (an error status, a
    redirect, a body that is not the expected JSON, no answer) means the
    service could not be asked, which is reported as unreachable: telling a
    paying user "no subscription" because a server had a bad minute is the
    worse mistake.  401/403 follow the same rule: a refused token is only
    "no subscription" when the body says so.  Retried only when no HTTP
    answer came back; an answer is the service's answer.
    """
    started = time.monotonic()
    timeout = aiohttp.ClientTimeout(total=settings.subscription_timeout_s)
    headers = {aiohttp.hdrs.AUTHORIZATION: f"Bearer {device_token}"}
    reasons: list[str] = []
    attempts = settings.subscription_retries + 1
    for attempt in range(1, attempts + 1):
        try:
            async with session.get(url, headers=headers, allow_redirects=False, timeout=timeout) as response:
                http_status = response.status
                body = await _read_limited(response)
        except TRANSPORT_ERRORS as exc:
            reasons.append(describe_transport_error(exc, settings.subscription_timeout_s))
            continue
        return _subscription_verdict(http_status, body, attempt, _elapsed(started))
    return SubscriptionResult(
        ok=False,
        failure=FailureCause.AccountServiceUnreachable,
        duration_s=_elapsed(started),
        detail=f"account service unreachable: {'; '.join(reasons)}",
        attempts=attempts,
    )


def _subscription_verdict(http_status: int, body: bytes, attempt: int, duration_s: float) -> SubscriptionResult:
    try:
        status: str | None = _subscription_decoder.decode(body).status
    except (msgspec.DecodeError, msgspec.ValidationError):
        status = None
    if http_status == 200 and status == _ACTIVE:
        return SubscriptionResult(
            ok=True,
            failure=None,
            duration_s=duration_s,
            detail="subscription active",
            status=status,
            http_status=http_status,
            attempts=attempt,
        )
    if (http_status == 200 or http_status in _AUTH_REFUSED) and status in _NO_SUBSCRIPTION_STATUSES:
        return SubscriptionResult(
            ok=False,
            failure=FailureCause.NoSubscription,
            duration_s=duration_s,
            detail=f"subscription {status}",
            status=status,
            http_status=http_status,
            attempts=attempt,
        )
    if status is None:
        problem = f"HTTP {http_status} without a subscription status"
    else:
        problem = f"HTTP {http_status} with unexpected status {status!r}"
    return SubscriptionResult(
        ok=False,
        failure=FailureCause.AccountServiceUnreachable,
        duration_s=duration_s,
        detail=f"account service gave no usable answer: {problem}",
        status=status,
        http_status=http_status,
        attempts=attempt,
    )
