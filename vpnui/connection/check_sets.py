"""Which checks run when.

Kept apart from the code that runs them (``check_runs``, which needs an
HTTP client) so the app can name a set of checks without loading it.
"""

from __future__ import annotations

from typing import Final

from vpnui.connection.states import Check

ALWAYS_RUN: Final = frozenset({Check.internet, Check.captive_portal})
"""Run with every set of checks: they can explain any other failure."""
ACTIVATION_CHECKS: Final = frozenset(Check)
"""Before turning on, and when the tunnel stops answering: everything (a silent
tunnel has no cause of its own, "no signal"; it is one of the failures the
checks name)."""
NETWORK_CHECKS: Final = ALWAYS_RUN
"""After a network change: is there internet, and is it behind a portal?"""
SWITCH_CHECKS: Final = frozenset({*ALWAYS_RUN, Check.server, Check.firewall})
"""Before moving a running connection to another location (the subscription is rechecked on its own)."""
SERVER_RECHECKS: Final = SWITCH_CHECKS
"""The periodic re-check of the connected location's servers."""
SUBSCRIPTION_RECHECKS: Final = frozenset({*ALWAYS_RUN, Check.subscription})
"""The periodic re-check of the subscription."""

__all__ = [
    "ACTIVATION_CHECKS",
    "ALWAYS_RUN",
    "NETWORK_CHECKS",
    "SERVER_RECHECKS",
    "SUBSCRIPTION_RECHECKS",
    "SWITCH_CHECKS",
]
