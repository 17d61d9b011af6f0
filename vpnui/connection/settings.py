"""Every timeout, interval and threshold the connection checks use.

They are settings rather than constants because tests and benchmarks must be
able to shorten them (a test of "server unavailable" should not wait for
production timeouts) and because a user on a slow satellite link may need
longer ones.  The defaults are what a desktop client on an ordinary network
should use.

Frozen ``msgspec.Struct``s, not dataclasses: the app makes them before its
window's screens, and the dataclass of 30 fields took about 1 ms to make.
"""

from __future__ import annotations

from typing import Final
from urllib.parse import urljoin

import msgspec

# Paths of the account service and detection endpoints as the lab serves them.
CONNECTIVITY_PATH: Final = "/generate_204"
CAPTIVE_PORTAL_PATH: Final = "/success.txt"
SUBSCRIPTION_PATH: Final = "/api/v1/subscription"
SERVERS_PATH: Final = "/api/v1/servers"

# Settings for which zero is meaningful (no retry, no wait, no settling).
_MAY_BE_ZERO: Final = frozenset(
    {
        "internet_retries",
        "subscription_retries",
        "captive_portal_retry_interval_s",
        "stability_settling_s",
        "unstable_loss_enter",
        "unstable_loss_leave",
        "unstable_rtt_enter_ms",
        "unstable_rtt_leave_ms",
    }
)


class ConnectionSettings(msgspec.Struct, frozen=True, kw_only=True):
    """Timings and thresholds of the checks and of the stability verdict."""

    # -- internet check
    internet_timeout_s: float = 2.0
    """Per attempt; long enough for a slow DNS answer, short enough to feel responsive."""
    internet_retries: int = 1
    """Extra attempts after a failed one: one lost SYN should not mean "offline"."""

    # -- captive portal check
    captive_portal_timeout_s: float = 2.0
    captive_portal_retry_interval_s: float = 0.5
    """Wait between attempts that got no answer at all (inconclusive)."""
    captive_portal_max_attempts: int = 3

    # -- subscription check
    subscription_timeout_s: float = 3.0
    subscription_retries: int = 1
    """Extra attempts, only after transport errors: an HTTP answer is an answer."""

    # -- server list
    server_list_timeout_s: float = 5.0
    server_list_retry_first_s: float = 1.0
    """Wait after the first failed fetch of the server list, doubling after each failure."""
    server_list_retry_max_s: float = 30.0
    """Cap of that wait: while the list is missing the app asks for it this often
    at least, and at once when the network changes or a check finds the internet."""

    # -- server probe (UDP handshake)
    server_handshake_timeout_s: float = 0.8
    """Per server: how long a handshake may take, all attempts included."""
    server_handshake_attempts: int = 2
    """Datagrams sent within that time, evenly spaced: one lost datagram does
    not fail the server, and a dead server costs one timeout, not several."""
    server_parallelism: int = 4
    server_probe_enough: int = 4
    """Stop probing a location once this many servers answered: the client
    needs a few live servers to try, and a big location should not cost a
    handshake per server."""
    """Servers handshaken at once, so a big location does not flood the network."""

    # -- firewall check (TCP control port)
    firewall_tcp_timeout_s: float = 1.0

    # -- stability (from the daemon's keepalive statistics)
    unstable_loss_enter: float = 0.2
    unstable_loss_leave: float = 0.05
    unstable_rtt_enter_ms: float = 400.0
    unstable_rtt_leave_ms: float = 250.0
    stability_samples_required: int = 3
    """Consecutive samples on the other side of a threshold before the verdict changes."""
    stability_settling_s: float = 3.0
    """After connecting, switching or a verdict change, samples are ignored this long."""
    tunnel_lost_missed_keepalives: int = 1
    """Missed keepalives that start the checks.  One is enough: the checks,
    not the miss, decide whether anything is wrong (a lost datagram gives
    checks that pass and show nothing), and waiting for a second miss adds a
    whole keepalive interval to every diagnosis."""
    silence_missed_keepalives: int = 3
    """A run of this many unanswered keepalives or more, on a link that was
    not losing keepalives before it, is a silence (an outage), not packet
    loss: once it ends, its misses leave the loss figure, so the fast
    answers after an outage count as a healthy link at once."""
    silent_recheck_interval_s: float = 2.0
    """While the tunnel stays silent, the checks run again this often: what
    answered when they last ran (another server, the internet) may be gone."""

    # -- periodic re-checks while On
    subscription_recheck_interval_s: float = 300.0
    server_recheck_interval_s: float = 60.0

    def __post_init__(self) -> None:
        # A zero or negative timing would make a check fail instantly (or
        # never settle) in a way that looks like a network problem, so bad
        # values are refused where they are made.
        for name in self.__struct_fields__:
            value = getattr(self, name)
            if name in _MAY_BE_ZERO:
                if value < 0:
                    raise ValueError(f"{name} must not be negative, got {value}")
            elif value <= 0:
                raise ValueError(f"{name} must be positive, got {value}")
        if not 0.0 <= self.unstable_loss_leave <= self.unstable_loss_enter <= 1.0:
            raise ValueError("loss thresholds must satisfy 0 <= leave <= enter <= 1")
        if not self.server_list_retry_first_s <= self.server_list_retry_max_s:
            raise ValueError("server list retries must satisfy first <= max")
        if not self.unstable_rtt_leave_ms <= self.unstable_rtt_enter_ms:
            raise ValueError("latency thresholds must satisfy leave <= enter")


class Endpoints(msgspec.Struct, frozen=True, kw_only=True):
    """Where the checks go, and the token that identifies this device.

    All configurable so the same client can be pointed at the embedded lab
    or at real services (a real captive-portal detection URL, for example).
    """

    connectivity_url: str
    captive_portal_url: str
    subscription_url: str
    servers_url: str
    device_token: str

    @classmethod
    def under(cls, base_url: str, device_token: str) -> Endpoints:
        """Every endpoint at its usual path below ``base_url`` (the lab's layout)."""
        base = base_url if base_url.endswith("/") else base_url + "/"
        return cls(
            connectivity_url=urljoin(base, CONNECTIVITY_PATH.lstrip("/")),
            captive_portal_url=urljoin(base, CAPTIVE_PORTAL_PATH.lstrip("/")),
            subscription_url=urljoin(base, SUBSCRIPTION_PATH.lstrip("/")),
            servers_url=urljoin(base, SERVERS_PATH.lstrip("/")),
            device_token=device_token,
        )
