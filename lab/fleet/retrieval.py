"""The report's third question, per client: is every failed id retrieval explained by a daemon that was down?

The app counts a failed retrieval of the session id from the daemon in
``session.session_id_retrieval_errors`` (by cause: ``no_daemon``,
``timeout``, ``inactive_id``, ``invalid_reply``) and sends it in its next
``vpnsession`` ping.  In a fleet the only daemons that are down are those
the plan killed, so each such ping is set against the client's own record:
an error is explained when a SIGKILL of that client's daemon falls within
the ping's window (``ping_info.start_time`` to ``end_time``, where the
count was recorded), from ``BEFORE_S`` before it (the app reconnects to a
new daemon with a backoff of up to 16 s) to ``SLACK_S`` after it.  An
unexplained one is a defect the report's rate alone would hide.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

import msgspec

from lab.chaos.invariants import parse_time, reason_of
from lab.chaos.record import RunRecord
from mimic_core.lab_api import StoredPing
from mimic_core.telemetry_names import APP_PING, RETRIEVAL_ERRORS

BEFORE_S: Final = 30.0
SLACK_S: Final = 2.0


class RetrievalError(msgspec.Struct, frozen=True, kw_only=True):
    client: str
    document_id: str
    reason: str | None
    causes: dict[str, int]
    window: tuple[str, str]
    """The ping's ``start_time`` and ``end_time``, as Glean wrote them."""
    explained_by: str
    """The daemon SIGKILL behind it (``daemon pid N killed at ...``), empty when none is."""


def _section(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def retrieval_errors(client: str, pings: Iterable[StoredPing], record: RunRecord) -> list[RetrievalError]:
    """Every ``vpnsession`` ping of ``client`` that counts failed retrievals, each with what explains it."""
    kills = record.kills("daemon")
    found: list[RetrievalError] = []
    for stored in pings:
        if stored.ping != APP_PING:
            continue
        counted = _section(_section(stored.payload.get("metrics")).get("labeled_counter")).get(RETRIEVAL_ERRORS)
        causes = {str(label): int(count) for label, count in _section(counted).items() if count}
        if not causes:
            continue
        info = _section(stored.payload.get("ping_info"))
        start_text, end_text = str(info.get("start_time", "")), str(info.get("end_time", ""))
        start, end = parse_time(start_text), parse_time(end_text)
        kill = next(
            (
                kill
                for kill in kills
                if start is not None and end is not None and start - BEFORE_S <= kill.at <= end + SLACK_S
            ),
            None,
        )
        found.append(
            RetrievalError(
                client=client,
                document_id=stored.document_id,
                reason=reason_of(stored),
                causes=causes,
                window=(start_text, end_text),
                explained_by=f"daemon pid {kill.pid} SIGKILLed in step {kill.step}" if kill is not None else "",
            )
        )
    return found
