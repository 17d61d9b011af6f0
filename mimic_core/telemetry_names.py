"""The names both processes' telemetry and the lab's report agree on.

The metrics and pings themselves are defined in ``resources/metrics.yaml``
and ``pings.yaml``; these are the few names code on more than one side of a
process boundary spells out, defined once so they cannot drift apart
(``tests/unit/test_telemetry_definitions.py`` checks them against the YAML).
"""

from __future__ import annotations

from typing import Final

INACTIVE_SESSION_ID: Final = "00000000-0000-0000-0000-000000000000"
"""The shared session id while no VPN session runs: the nil UUID, as the session design names it."""
