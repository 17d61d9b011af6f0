"""What a fault run saw, kept as plain data so the invariants are pure functions of it.

Times are epoch seconds (``time.time()``) on this machine's clock, which
every process of the installation shares: the daemon's ``connected_since``,
its log's timestamps and Glean's datetimes can all be set against them.
"""

from __future__ import annotations

from typing import Literal

import msgspec

from lab.chaos.plan import Action

ProcessRole = Literal["app", "daemon"]
SessionEnd = Literal["ended", "killed", "lost"]
"""``ended``: the daemon said so; ``killed``: its daemon was SIGKILLed; ``lost``: its daemon went away on its own."""


class StateProblem(msgspec.Struct, frozen=True):
    """A state check that failed when a step settled (or did not)."""

    invariant: str
    message: str
    session_id: str | None = None


class Step(msgspec.Struct, kw_only=True):
    index: int
    """1-based; the closing steps that restore a healthy world follow the plan's."""
    action: Action
    started_at: float
    ended_at: float = 0.0
    outcome: str = ""
    """What the action did (``ok``, an exit code and message, ``skipped: ...``)."""
    settled: bool = False
    settle_s: float = 0.0
    app: str = ""
    """The app's state when the step ended, in one line (empty when it was not running)."""
    daemon: str = ""
    problems: list[StateProblem] = msgspec.field(default_factory=list)


class Signalled(msgspec.Struct, frozen=True):
    """A process the runner killed (SIGKILL) or stopped (SIGTERM)."""

    process: ProcessRole
    pid: int
    at: float
    signal: Literal["SIGKILL", "SIGTERM"]
    step: int


class ObservedSession(msgspec.Struct, kw_only=True):
    """A VPN session as the daemon announced it to the runner's own connection."""

    session_id: str
    seen_at: float
    started_at: float | None = None
    """The daemon's ``connected_since``."""
    server: str = ""
    ended_at: float | None = None
    end: SessionEnd | None = None


class ObservedPayload(msgspec.Struct, frozen=True, kw_only=True):
    """A buffer of daemon-recorded data of the app's ping, pushed by the daemon (``telemetry_payload``)."""

    at: float
    reason: str
    tag: str | None
    """The session id the buffer is tagged with; ``None`` when it could not be decoded."""
    live_session: str | None
    """The session the daemon had announced as running when it pushed the buffer (``None``: none)."""
    event_times_ms: list[int] = []
    """The daemon's own timestamps of the events in the buffer."""
    problem: str = ""
    """Why it could not be decoded."""


class ConnectingSpell(msgspec.Struct, kw_only=True):
    """A time the daemon's state was ``connecting``."""

    started_at: float
    ended_at: float | None = None
    ended_by: str = ""
    """The state that followed, or ``killed``/``lost``."""


class DeactivateRequest(msgspec.Struct, frozen=True):
    """A ``deactivate`` the daemon received, from its log, with the kind of client that sent it."""

    at: float
    client: str


class Delivery(msgspec.Struct, frozen=True):
    """The wait for the telemetry to be delivered, after the world was healthy again."""

    waited_s: float
    complete: bool
    queued_app: int
    queued_daemon: int
    timeout_s: float


class RunRecord(msgspec.Struct, kw_only=True):
    seed: int
    rounds: int
    started_at: float
    ended_at: float = 0.0
    steps: list[Step] = msgspec.field(default_factory=list)
    signalled: list[Signalled] = msgspec.field(default_factory=list)
    sessions: list[ObservedSession] = msgspec.field(default_factory=list)
    payloads: list[ObservedPayload] = msgspec.field(default_factory=list)
    connecting: list[ConnectingSpell] = msgspec.field(default_factory=list)
    deactivations: list[DeactivateRequest] = msgspec.field(default_factory=list)
    daemon_pids: list[int] = msgspec.field(default_factory=list)
    """Every daemon the runner's connection talked to, in order."""
    app_exits: list[tuple[int, int]] = msgspec.field(default_factory=list)
    """(pid, exit code) of app processes that ended without the runner ending them."""
    delivery: Delivery | None = None
    aborted: str = ""
    """Why the run stopped before its end (an interruption, a process that could not start)."""

    def kills(self, process: ProcessRole) -> list[Signalled]:
        return [entry for entry in self.signalled if entry.process == process and entry.signal == "SIGKILL"]
