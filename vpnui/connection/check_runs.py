"""Running several checks together and reporting one diagnosis.

Checks run concurrently because turning the VPN on waits for all of them;
the run stops as soon as no pending check could change the diagnosis
(offline: the internet check alone decides, so nothing else is waited for).
Every run includes the internet and captive-portal checks, since those two
can make any other check fail and only they can say so; a server check run
without them would report "server unavailable" to a user who is offline.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Collection, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any, Final

import aiohttp

from mimic_core.protocol import ServerEndpoint
from vpnui.connection.check_results import (
    CaptivePortalResult,
    CheckResult,
    FirewallResult,
    InternetResult,
    ServerProbeResult,
    SubscriptionResult,
)
from vpnui.connection.check_sets import (
    ALWAYS_RUN,
)
from vpnui.connection.diagnosis import diagnose, outranks
from vpnui.connection.http_probes import probe_captive_portal, probe_internet, probe_subscription
from vpnui.connection.server_probes import probe_firewall, probe_servers
from vpnui.connection.settings import ConnectionSettings, Endpoints
from vpnui.connection.states import CAUSES_FOUND_BY, Check, FailureCause

CheckStartedCallback = Callable[[Check], None]
CheckFinishedCallback = Callable[[Check, CheckResult], None]

# The order in which concurrent checks are started and reported.
_ORDER: Final = (Check.internet, Check.captive_portal, Check.subscription, Check.server, Check.firewall)


@dataclass(frozen=True, kw_only=True)
class CheckReport:
    """Every check of one run, the single diagnosis and how long it all took.

    A check that was not requested, was cancelled because the diagnosis was
    already settled, or was not needed (the firewall check when a server
    answered) is ``None``.
    """

    requested: frozenset[Check]
    internet: InternetResult | None = None
    captive_portal: CaptivePortalResult | None = None
    subscription: SubscriptionResult | None = None
    server: ServerProbeResult | None = None
    firewall: FirewallResult | None = None
    failure: FailureCause | None
    """The one cause to report (see ``diagnosis``), ``None`` if nothing failed."""
    duration_s: float

    @property
    def ok(self) -> bool:
        return self.failure is None

    @property
    def ranked(self) -> tuple[ServerEndpoint, ...]:
        """The servers that answered, fastest first (empty if the server check did not run)."""
        return self.server.ranked if self.server is not None else ()

    def results(self) -> dict[Check, CheckResult]:
        """The checks that finished, in check order."""
        found: dict[Check, CheckResult | None] = {
            Check.internet: self.internet,
            Check.captive_portal: self.captive_portal,
            Check.subscription: self.subscription,
            Check.server: self.server,
            Check.firewall: self.firewall,
        }
        return {check: result for check, result in found.items() if result is not None}

    def passed(self) -> frozenset[Check]:
        """The checks that finished and passed: the failures they rule out have cleared."""
        return frozenset(check for check, result in self.results().items() if result.ok)

    def durations(self) -> dict[Check, float]:
        """Seconds each finished check took, for the per-check metrics."""
        return {check: result.duration_s for check, result in self.results().items()}


async def run_checks(
    checks: Collection[Check],
    endpoints: Endpoints,
    servers: Sequence[ServerEndpoint],
    settings: ConnectionSettings,
    session: aiohttp.ClientSession,
    *,
    os_reachable: bool | None = None,
    on_check_started: CheckStartedCallback | None = None,
    on_check_finished: CheckFinishedCallback | None = None,
) -> CheckReport:
    """Run ``checks`` (plus the internet and captive-portal checks) and diagnose.

    The first checks run concurrently as tasks; the firewall check follows
    only if no server answered and it could still change the diagnosis.
    ``on_check_started``/``on_check_finished`` report progress for the UI;
    a check cancelled because the diagnosis was settled is never reported
    finished.  Only the report's ``failure`` is a diagnosis: a failed
    individual result may be explained by another check.  Cancelling the
    run cancels every check still running.
    """
    started = time.monotonic()
    wanted = frozenset(checks) | ALWAYS_RUN
    factories: dict[Check, Callable[[], Coroutine[Any, Any, CheckResult]]] = {
        Check.internet: lambda: probe_internet(
            session, endpoints.connectivity_url, settings, os_reachable=os_reachable
        ),
        Check.captive_portal: lambda: probe_captive_portal(session, endpoints.captive_portal_url, settings),
        Check.subscription: lambda: probe_subscription(
            session, endpoints.subscription_url, endpoints.device_token, settings
        ),
        Check.server: lambda: probe_servers(servers, settings),
    }
    results: dict[Check, CheckResult] = {}
    tasks: dict[asyncio.Task[CheckResult], Check] = {}
    firewall_due = Check.firewall in wanted and Check.server in wanted
    try:
        for check in _ORDER:
            if check in wanted and check in factories:
                if on_check_started is not None:
                    on_check_started(check)
                tasks[asyncio.create_task(factories[check](), name=f"check-{check}")] = check
        settled = False
        while tasks and not settled:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in sorted(done, key=lambda task: _ORDER.index(tasks[task])):
                check = tasks.pop(task)
                results[check] = task.result()
                if on_check_finished is not None:
                    on_check_finished(check, results[check])
            pending = set(tasks.values()) | ({Check.firewall} if firewall_due else set())
            settled = _settled(results, pending)
        server_result = results.get(Check.server)
        firewall_may_matter = firewall_due and not settled
        if firewall_may_matter and isinstance(server_result, ServerProbeResult) and not server_result.ok:
            if on_check_started is not None:
                on_check_started(Check.firewall)
            results[Check.firewall] = await probe_firewall(servers, server_result, settings)
            if on_check_finished is not None:
                on_check_finished(Check.firewall, results[Check.firewall])
    finally:
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
    return _report(wanted, results, time.monotonic() - started)


def _settled(results: dict[Check, CheckResult], pending: set[Check]) -> bool:
    """Whether no pending check could report a failure that outranks the one found."""
    found = diagnose(results.values())
    if found is None:
        return False
    return not any(outranks(cause, found) for check in pending for cause in CAUSES_FOUND_BY[check])


def _report(wanted: frozenset[Check], results: dict[Check, CheckResult], duration_s: float) -> CheckReport:
    internet = results.get(Check.internet)
    captive_portal = results.get(Check.captive_portal)
    subscription = results.get(Check.subscription)
    server = results.get(Check.server)
    firewall = results.get(Check.firewall)
    return CheckReport(
        requested=wanted,
        internet=internet if isinstance(internet, InternetResult) else None,
        captive_portal=captive_portal if isinstance(captive_portal, CaptivePortalResult) else None,
        subscription=subscription if isinstance(subscription, SubscriptionResult) else None,
        server=server if isinstance(server, ServerProbeResult) else None,
        firewall=firewall if isinstance(firewall, FirewallResult) else None,
        failure=diagnose(results.values()),
        duration_s=duration_s,
    )
