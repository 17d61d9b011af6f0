"""The network checks of the ConnectionManager, as one import.

The checks live in modules by what they talk to (``http_probes``: the web
and the account service; ``server_probes``: the VPN servers;
``server_list``: the location list; ``check_runs``: running them together
and diagnosing).  The wrapper that drives them imports from here so it
does not depend on that split.
"""

from __future__ import annotations

from vpnui.connection.check_results import (
    CaptivePortalResult,
    CheckOutcome,
    CheckResult,
    FirewallResult,
    InternetResult,
    ServerAnswer,
    ServerProbeResult,
    SubscriptionResult,
)
from vpnui.connection.check_runs import (
    CheckFinishedCallback,
    CheckReport,
    CheckStartedCallback,
    run_checks,
)
from vpnui.connection.check_sets import (
    ACTIVATION_CHECKS,
    ALWAYS_RUN,
    NETWORK_CHECKS,
    SERVER_RECHECKS,
    SUBSCRIPTION_RECHECKS,
    SWITCH_CHECKS,
)
from vpnui.connection.http_probes import (
    open_probe_session,
    probe_captive_portal,
    probe_internet,
    probe_subscription,
)
from vpnui.connection.server_list import (
    City,
    Country,
    Server,
    ServerList,
    ServerListError,
    decode_server_list,
    fetch_server_list,
)
from vpnui.connection.server_probes import handshake_rtt, probe_firewall, probe_servers, tcp_control_answers

__all__ = [
    "ACTIVATION_CHECKS",
    "ALWAYS_RUN",
    "NETWORK_CHECKS",
    "SERVER_RECHECKS",
    "SUBSCRIPTION_RECHECKS",
    "SWITCH_CHECKS",
    "CaptivePortalResult",
    "CheckFinishedCallback",
    "CheckOutcome",
    "CheckReport",
    "CheckResult",
    "CheckStartedCallback",
    "City",
    "Country",
    "FirewallResult",
    "InternetResult",
    "Server",
    "ServerAnswer",
    "ServerList",
    "ServerListError",
    "ServerProbeResult",
    "SubscriptionResult",
    "decode_server_list",
    "fetch_server_list",
    "handshake_rtt",
    "open_probe_session",
    "probe_captive_portal",
    "probe_firewall",
    "probe_internet",
    "probe_servers",
    "probe_subscription",
    "run_checks",
    "tcp_control_answers",
]
