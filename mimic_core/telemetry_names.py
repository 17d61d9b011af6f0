"""The names both processes' telemetry and the lab's report agree on.

The metrics and pings themselves are defined in ``resources/metrics.yaml``
and ``pings.yaml``; these are the few names that code on more than one side
of a process boundary spells out (the app and the daemon submit the pings,
the lab's report reads them back), defined once so they cannot drift apart.
``tests/unit/test_telemetry_definitions.py`` checks them against the YAML.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final, Literal

INACTIVE_SESSION_ID: Final = "00000000-0000-0000-0000-000000000000"
"""The shared session id while no VPN session runs: the nil UUID, as the session design names it."""

ProcessName = Literal["app", "daemon"]

APP_PING: Final = "vpnsession"
"""The app's session ping."""
DAEMON_PING: Final = "daemonsession"
"""The daemon's session ping."""
CLIENT_PING: Final = "vpnclient"
"""The app's ping of what belongs to no session: it carries no session id."""

APPLICATION_IDS: Final[dict[ProcessName, str]] = {"app": "mimic-vpn", "daemon": "mimic-vpn-daemon"}
"""Glean application id per process: each process is its own Glean application."""

PING_OWNERS: Final[dict[str, ProcessName]] = {APP_PING: "app", DAEMON_PING: "daemon", CLIENT_PING: "app"}
"""The process that submits each custom ping; the other process never does."""


class AppPingReason(StrEnum):
    """The reasons of the app's ``vpnsession`` ping, in the order of a session."""

    FLUSH_INIT = "flush_init"
    """App start: data of a session that ended while the app was not running."""
    FLUSH = "flush"
    """A session starts: whatever was recorded before it goes out first."""
    START = "start"
    TIMER = "timer"
    END = "end"


class ClientPingReason(StrEnum):
    """The reasons of the app's ``vpnclient`` ping (what was recorded outside any session)."""

    STARTUP = "startup"
    """App start: what the last run recorded outside a session and did not send."""
    SESSION_START = "session_start"
    """A session starts: before its ``vpnsession`` ``flush``."""
    ACTIVATION_FAILED = "activation_failed"
    """An activation ended without a session: its checks and failure."""
    TIMER = "timer"
    SHUTDOWN = "shutdown"


class DaemonPingReason(StrEnum):
    """The reasons of the daemon's ``daemonsession`` ping, in the order of a session."""

    FLUSH_INIT = "flush_init"
    """Daemon start with the id of a session the last daemon did not end."""
    FLUSH = "flush"
    DAEMON_START = "daemon_start"
    DAEMON_TIMER = "daemon_timer"
    DAEMON_END = "daemon_end"


# Metric ids (category.name) the lab's report reads from the pings both processes send.
SHARED_SESSION_ID: Final = "session.shared_session_id"
INSTALLATION_ID: Final = "session.installation_id"
APP_SESSION_START: Final = "session.app_session_start"
APP_SESSION_END: Final = "session.app_session_end"
DAEMON_SESSION_START: Final = "session.daemon_session_start"
DAEMON_SESSION_END: Final = "session.daemon_session_end"
DAEMON_SESSION_SOURCE: Final = "session.daemon_session_source"
RETRIEVAL_ERRORS: Final = "session.session_id_retrieval_errors"

SESSION_ID_METRICS: Final = frozenset({SHARED_SESSION_ID, INSTALLATION_ID})
"""The identifiers every session ping carries, also under the inactive id."""
ALLOWED_UNDER_INACTIVE_ID: Final = SESSION_ID_METRICS | {RETRIEVAL_ERRORS}
"""All a session ping under the inactive id may carry: the identifiers, and the
id-retrieval errors, which the design records exactly when there is no id."""
