"""One root cause from many check results.

A single problem makes several checks fail at once: offline, every check
fails; behind a captive portal the account service and the servers are
unreachable too.  Reporting whichever failure arrived first is how a client
ends up showing "server unavailable" to a user who only needs to log in to
the hotel Wi-Fi.  So the failures are ranked, and only the first one found
in that order is reported.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final, Protocol

from vpnui.connection.states import FailureCause

PRECEDENCE: Final[tuple[FailureCause, ...]] = (
    FailureCause.NoInternet,
    FailureCause.CaptivePortal,
    FailureCause.AccountServiceUnreachable,
    FailureCause.NoSubscription,
    FailureCause.FirewallBlocking,
    FailureCause.ServerUnavailable,
    FailureCause.DaemonLost,
)
"""Most fundamental first: a cause earlier in the list can explain every later one."""

_RANK: Final = {cause: rank for rank, cause in enumerate(PRECEDENCE)}


class HasFailure(Protocol):
    """Anything that reports a failure cause (every check result does)."""

    @property
    def failure(self) -> FailureCause | None: ...


def diagnose(results: Iterable[HasFailure | None]) -> FailureCause | None:
    """The failure to report for ``results``, or ``None`` if none failed.

    Results may be partial: ``None`` stands for a check that was cancelled
    or never run, and inconclusive results carry no failure; both are
    simply not evidence.
    """
    causes = [result.failure for result in results if result is not None and result.failure is not None]
    return first_cause(causes)


def first_cause(causes: Iterable[FailureCause]) -> FailureCause | None:
    """The cause that comes first in ``PRECEDENCE``, or ``None`` for no causes."""
    return min(causes, key=_RANK.__getitem__, default=None)


def outranks(cause: FailureCause, other: FailureCause) -> bool:
    """Whether ``cause`` is reported in preference to ``other``."""
    return _RANK[cause] < _RANK[other]
