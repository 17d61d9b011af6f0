"""Session timelines: the app's and the daemon's session pings of each shared session id on one line.

The app and the daemon are separate Glean clients (two client ids), so a
timeline first finds which clients are one installation: those whose
session pings carry the same ``session.installation_id`` (the app gives its
id to the daemon) or the same shared session id (a daemon that never met
the app has no installation id, but its sessions are the app's sessions).
Within an installation, each shared session id is one line, and each ping
a mark on it at the time the client assembled it (``ping_info.end_time``;
the arrival time for a ping without one), the app's above the line and
the daemon's below.  The pings under the inactive id, and those with no
session id (the app's ``flush_init`` with nothing to close), get lines of
their own, so data recorded outside a session is as visible as it is in
the report's first question.

Pure functions over :class:`~lab.debug_view.queries.SessionPing` values.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Final

import msgspec

from lab.debug_view.queries import SessionPing
from mimic_core.telemetry_names import INACTIVE_SESSION_ID, AppPingReason, DaemonPingReason

LABEL_WIDTH: Final = 300
"""Pixels left of the time axis, for the session id."""
AXIS_WIDTH: Final = 640
ROW_HEIGHT: Final = 34
MARGIN: Final = 8
AXIS_TEXT_HEIGHT: Final = 16

MARK_KINDS: Final[dict[str, str]] = {
    AppPingReason.START: "start",
    DaemonPingReason.DAEMON_START: "start",
    AppPingReason.END: "end",
    DaemonPingReason.DAEMON_END: "end",
    AppPingReason.FLUSH_INIT: "flush-init",
}

INACTIVE_LINE: Final = "inactive id"
NO_ID_LINE: Final = "no session id"


class Mark(msgspec.Struct, frozen=True):
    document_id: str
    process: str
    reason: str | None
    seq: int | None
    at: str
    """ISO 8601, UTC."""
    x: float

    @property
    def kind(self) -> str:
        """How the mark is drawn: a session's start, its end, a ``flush_init`` (end after a crash), or another."""
        return MARK_KINDS.get(self.reason or "", "other")


class SessionLine(msgspec.Struct, frozen=True):
    session_id: str | None
    """The shared session id; None for the lines of pings without one."""
    label: str
    y: float
    app: list[Mark]
    daemon: list[Mark]
    x_from: float
    x_to: float

    @property
    def summary(self) -> str:
        """The line as text: what the marks say, in order (the marks may overlap when pings are close in time)."""
        return "; ".join(
            f"{process}: {' '.join(_mark_text(mark) for mark in marks) or '-'}"
            for process, marks in (("app", self.app), ("daemon", self.daemon))
        )


class Timeline(msgspec.Struct, frozen=True):
    """One installation: its clients and a line per session."""

    clients: list[tuple[str, str]]
    """(process, client id) of each client of the installation."""
    installation_ids: list[str]
    start: str
    end: str
    lines: list[SessionLine]
    axis_x: float
    axis_y: float
    """Where the start time is written, under the lines (the end time is right-aligned at the end)."""
    width: int
    height: int


def _mark_text(mark: Mark) -> str:
    return f"{mark.reason or '(none)'}#{'?' if mark.seq is None else mark.seq}"


def moment(ping: SessionPing) -> datetime:
    """When ``ping`` was assembled (its ``end_time``), in UTC; its arrival when it has none or a bad one."""
    for text in (ping.end_time, ping.received_at):
        if text is None:
            continue
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            continue
        return (parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)).astimezone(UTC)
    return datetime.min.replace(tzinfo=UTC)


class _Components:
    """Union-find over client, installation and session nodes."""

    def __init__(self) -> None:
        self._parent: dict[tuple[str, str], tuple[str, str]] = {}

    def find(self, node: tuple[str, str]) -> tuple[str, str]:
        self._parent.setdefault(node, node)
        root = node
        while self._parent[root] != root:
            root = self._parent[root]
        while self._parent[node] != root:  # path compression
            self._parent[node], node = root, self._parent[node]
        return root

    def join(self, first: tuple[str, str], second: tuple[str, str]) -> None:
        self._parent[self.find(first)] = self.find(second)


def client_key(ping: SessionPing) -> tuple[str, str]:
    return ping.process, ping.client_id or "(no client id)"


def installations(pings: Iterable[SessionPing]) -> list[list[SessionPing]]:
    """``pings`` split by installation (clients linked by an installation id or a session id), latest first."""
    components = _Components()
    listed = list(pings)
    for ping in listed:
        node = ("client", "/".join(client_key(ping)))
        components.find(node)
        if ping.installation_id:
            components.join(node, ("installation", ping.installation_id))
        if ping.session_id and ping.session_id != INACTIVE_SESSION_ID:
            components.join(node, ("session", ping.session_id))
    grouped: dict[tuple[str, str], list[SessionPing]] = {}
    for ping in listed:
        grouped.setdefault(components.find(("client", "/".join(client_key(ping)))), []).append(ping)
    return sorted(grouped.values(), key=lambda group: max(moment(ping) for ping in group), reverse=True)


def _line_key(ping: SessionPing) -> str:
    if not ping.session_id:
        return NO_ID_LINE
    return INACTIVE_LINE if ping.session_id == INACTIVE_SESSION_ID else ping.session_id


def timeline(pings: Sequence[SessionPing]) -> Timeline:
    """The timeline of one installation's session pings (from :func:`installations`)."""
    moments = {ping.document_id: moment(ping) for ping in pings}
    start, end = min(moments.values()), max(moments.values())
    span = (end - start).total_seconds()

    def x(ping: SessionPing) -> float:
        offset = (moments[ping.document_id] - start).total_seconds()
        return round(LABEL_WIDTH + (offset / span if span > 0 else 0.5) * AXIS_WIDTH, 1)

    by_line: dict[str, list[SessionPing]] = {}
    for ping in sorted(pings, key=lambda ping: moments[ping.document_id]):
        by_line.setdefault(_line_key(ping), []).append(ping)
    lines: list[SessionLine] = []
    for index, (key, members) in enumerate(by_line.items()):
        marks = [
            Mark(ping.document_id, ping.process, ping.reason, ping.seq, moments[ping.document_id].isoformat(), x(ping))
            for ping in members
        ]
        lines.append(
            SessionLine(
                session_id=key if key not in (INACTIVE_LINE, NO_ID_LINE) else None,
                label=key,
                y=MARGIN + ROW_HEIGHT * index + ROW_HEIGHT / 2,
                app=[mark for mark in marks if mark.process == "app"],
                daemon=[mark for mark in marks if mark.process != "app"],
                x_from=min(mark.x for mark in marks),
                x_to=max(mark.x for mark in marks),
            )
        )
    clients = sorted({client_key(ping) for ping in pings})
    return Timeline(
        clients=clients,
        installation_ids=sorted({ping.installation_id for ping in pings if ping.installation_id}),
        start=start.isoformat(),
        end=end.isoformat(),
        lines=lines,
        axis_x=LABEL_WIDTH,
        axis_y=MARGIN + ROW_HEIGHT * len(lines) + AXIS_TEXT_HEIGHT - 4,
        width=LABEL_WIDTH + AXIS_WIDTH + 2 * MARGIN,
        height=2 * MARGIN + ROW_HEIGHT * len(lines) + AXIS_TEXT_HEIGHT,
    )


def timelines(pings: Iterable[SessionPing]) -> list[Timeline]:
    return [timeline(group) for group in installations(pings)]
