"""What each network check found, in a form the UI and the diagnosis share.

Every result carries the same four facts (``ok``, ``failure``, ``duration_s``,
``detail``) so the diagnosis and the metrics can treat checks alike, plus
what is specific to its check (the portal's address, the subscription
status, the servers' round-trip times).  ``ok=False`` with ``failure=None``
means *inconclusive*: the check could not tell, and leaves the verdict to
the check that owns that kind of failure.

Frozen ``msgspec.Struct``s (not dataclasses): imported before the window's
screens, and a dataclass costs about 0.25 ms to make.
"""

from __future__ import annotations

from typing import ClassVar, NamedTuple

import msgspec

from mimic_core.protocol import ServerEndpoint
from vpnui.connection.states import Check, FailureCause


class CheckOutcome(msgspec.Struct, frozen=True, kw_only=True):
    """The facts every check reports."""

    check: ClassVar[Check]
    ok: bool
    failure: FailureCause | None
    duration_s: float
    detail: str
    """A plain-language reason, for logs and for a "details" line in the UI."""

    @property
    def inconclusive(self) -> bool:
        """Neither passed nor found a failure (it could not tell)."""
        return not self.ok and self.failure is None


class InternetResult(CheckOutcome, frozen=True, kw_only=True):
    check: ClassVar[Check] = Check.internet
    http_status: int | None = None
    """The status of the answer that showed the network is up."""
    attempts: int = 0


class CaptivePortalResult(CheckOutcome, frozen=True, kw_only=True):
    check: ClassVar[Check] = Check.captive_portal
    portal_url: str | None = None
    """Where the user logs in: the page a browser should open."""
    http_status: int | None = None
    attempts: int = 0


class SubscriptionResult(CheckOutcome, frozen=True, kw_only=True):
    check: ClassVar[Check] = Check.subscription
    status: str | None = None
    """The account service's word ("active", "expired", "none"); ``None`` if it gave none."""
    http_status: int | None = None
    attempts: int = 0


class ServerAnswer(NamedTuple):
    """One server of a probe run and its handshake round trip (``None``: no answer)."""

    server: ServerEndpoint
    rtt_ms: float | None


class ServerProbeResult(CheckOutcome, frozen=True, kw_only=True):
    check: ClassVar[Check] = Check.server
    answers: tuple[ServerAnswer, ...] = ()
    """Every probed server, in the order given."""
    ranked: tuple[ServerEndpoint, ...] = ()
    """The servers that answered, fastest first: the order to try them in."""

    def rtt_ms(self, name: str) -> float | None:
        """The round trip of the server called ``name``, if it answered."""
        for answer in self.answers:
            if answer.server.name == name:
                return answer.rtt_ms
        return None


class FirewallResult(CheckOutcome, frozen=True, kw_only=True):
    check: ClassVar[Check] = Check.firewall
    tcp_tried: bool = False
    """Whether TCP connections were made (not needed when a server answered UDP)."""
    tcp_answered: tuple[ServerEndpoint, ...] = ()
    """Servers whose TCP control port answered."""


CheckResult = InternetResult | CaptivePortalResult | SubscriptionResult | ServerProbeResult | FirewallResult
