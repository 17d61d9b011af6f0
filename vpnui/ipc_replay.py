"""Replaying the daemon's metric buffers into the app's Glean: the parent side.

The daemon records the app-owned metrics it measures into buffers
(``daemon/ipc_recorder.py``, format in ``mimic_core/ipc_payload.py``); the
app gets them in the ``telemetry_flush`` reply it asks for before every
``vpnsession`` submit and in ``telemetry_payload`` events, and turns each
into ordinary Glean calls on its metrics, as Firefox-on-Glean's parent does
with ``replay_from_buf``.  The rules, and why (details in
``docs/decisions/0009-child-metrics-buffer.md``):

* **Only into the ping of the same session**: a buffer recorded under
  another session id is discarded and counted
  (``fog_ipc.discarded_payloads``), never attributed to the wrong session.
* **Foreign bytes never break the app**: an undecodable, unknown-version or
  oversized buffer is discarded and counted by cause; an entry Glean
  refuses loses that entry only (``fog_ipc.replay_failures``).
* **Timing samples keep their nanoseconds**: glean-sdk 71's Python binding
  takes samples in the metric's unit and has no
  ``accumulate_raw_samples_nanos``, so samples go through a nanosecond
  handle of the same metric (same storage), after Glean's own timer rules.
* **Events get the app's timestamp**: the binding's ``record`` takes none;
  the order within a buffer is kept.

:class:`IpcParent` runs the bounded flush before each submit and is what
tests await to have every pending daemon value in the app's Glean.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

from glean import metrics as glean_metrics

from mimic_core.glean_runtime import metrics
from mimic_core.ipc_payload import (
    I32_MAX,
    MAX_PAYLOAD_BYTES,
    OWNING_PING,
    MetricDefinition,
    Payload,
    PayloadError,
    attribute_path,
    decode,
    from_wire,
    load_definitions,
)
from mimic_core.telemetry_names import INACTIVE_SESSION_ID

log = logging.getLogger(__name__)

DiscardCause = Literal["other_session", "undecodable", "overflow", "version"]

NANOS_HANDLE_MAX_SAMPLE: Final = 600 * 1_000_000_000
"""The largest sample of a nanosecond timing distribution (glean-core: 10 minutes of the unit); larger overflows."""
MAX_INVALID_ADD_REPLAYS: Final = 1_000
"""Negative adds replayed per counter and label (each makes Glean record one ``invalid_value`` error)."""


class _ReplayedExtras(glean_metrics.EventExtras):  # type: ignore[misc]
    """Extras already in the binding's ``dict[str, str]`` form, as the daemon recorded them."""

    def __init__(self, extras: dict[str, str]) -> None:
        self._extras = extras

    def to_ffi_extra(self) -> dict[str, str]:
        return self._extras


# ---------------------------------------------------------------------------
# Which Glean metric an entry goes to
# ---------------------------------------------------------------------------


class _Target:
    """One metric of the owning ping: its definition, its Glean object, and (timing) its nanosecond twin."""

    def __init__(self, definition: MetricDefinition, metric: Any) -> None:
        self.definition = definition
        self.metric = metric
        self._nanos: Any = None

    @property
    def nanos(self) -> Any:
        """The same metric declared in nanoseconds: ``accumulate_samples`` on it stores raw nanoseconds."""
        if self._nanos is None:
            self._nanos = _nanosecond_twin(self.definition)
        return self._nanos


def _nanosecond_twin(definition: MetricDefinition) -> Any:
    common = glean_metrics.CommonMetricData(
        category=definition.category,
        name=definition.name,
        send_in_pings=list(definition.send_in_pings),
        lifetime=glean_metrics.Lifetime[definition.lifetime.upper()],
        disabled=definition.disabled,
        label=None,
    )
    nanosecond = glean_metrics.TimeUnit.NANOSECOND
    if definition.type == "labeled_timing_distribution":
        return glean_metrics.LabeledTimingDistributionMetricType(
            glean_metrics.LabeledMetricData.TIMING_DISTRIBUTION(common, unit=nanosecond),
            labels=set(definition.labels) if definition.labels else None,
        )
    return glean_metrics.TimingDistributionMetricType(common, nanosecond)


class ReplayCatalog:
    """The metrics a buffer may name: definitions of the owning ping and the loaded Glean objects."""

    def __init__(self, definitions: Mapping[str, MetricDefinition], tree: Any) -> None:
        self._targets: dict[str, _Target] = {}
        for metric_id, definition in definitions.items():
            node = tree
            for part in attribute_path(definition):
                node = getattr(node, part, None)
                if node is None:
                    break
            if node is not None:
                self._targets[metric_id] = _Target(definition, node)

    @classmethod
    @functools.cache
    def default(cls) -> ReplayCatalog:
        """``resources/metrics.yaml``'s ``vpnsession`` metrics, on the app's loaded metrics tree."""
        return cls(load_definitions(), metrics())

    def target(self, metric_id: str) -> _Target | None:
        return self._targets.get(metric_id)


# ---------------------------------------------------------------------------
# Replaying one buffer
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReplayOutcome:
    """What became of one received buffer."""

    size: int
    """Bytes received."""
    replayed: bool
    """Its data went into the app's Glean (possibly minus failed entries)."""
    discarded: DiscardCause | None = None
    session_id: str | None = None
    """The session it was recorded under, when it could be decoded."""
    entries: int = 0
    """Entries replayed (a counter's sum is one entry, each sample and event one)."""
    failed_entries: int = 0
    detail: str = ""


def _fog() -> Any:
    return metrics().fog_ipc


def replay(
    payload: bytes,
    current_session_id: str,
    *,
    catalog: ReplayCatalog | None = None,
    max_bytes: int = MAX_PAYLOAD_BYTES,
) -> ReplayOutcome:
    """Replay ``payload`` into the app's Glean if it was recorded under ``current_session_id``.

    ``current_session_id`` is the shared session id of the ``vpnsession``
    ping the app submits next.  Never raises for anything about the payload.
    """
    fog = _fog()
    size = len(payload)
    fog.buffer_sizes.accumulate(size)
    try:
        decoded = decode(payload, max_bytes=max_bytes)
    except PayloadError as exc:
        return _discard(exc.cause, size, None, str(exc))
    if decoded.session_id != current_session_id or decoded.session_id == INACTIVE_SESSION_ID:
        # Data recorded while no session was active belongs to no session
        # ping, not even when the app is between sessions too.
        return _discard(
            "other_session",
            size,
            decoded.session_id,
            f"recorded under session {decoded.session_id}, the ping is of {current_session_id}",
        )
    replayer = _Replayer(catalog if catalog is not None else ReplayCatalog.default())
    replayer.run(decoded)
    if replayer.failed:
        fog.replay_failures.add(1)
        log.warning(
            "replayed a daemon metric buffer with %d failed entries (their data is lost): %s",
            replayer.failed,
            "; ".join(replayer.problems[:5]),
        )
    return ReplayOutcome(
        size=size,
        replayed=True,
        session_id=decoded.session_id,
        entries=replayer.entries,
        failed_entries=replayer.failed,
        detail="; ".join(replayer.problems[:5]),
    )


def _discard(cause: DiscardCause, size: int, session_id: str | None, detail: str) -> ReplayOutcome:
    _fog().discarded_payloads[cause].add(1)
    log.warning("discarded a daemon metric buffer of %d bytes (%s): %s", size, cause, detail)
    return ReplayOutcome(size=size, replayed=False, discarded=cause, session_id=session_id, detail=detail)


class _Replayer:
    """Turns one decoded buffer into Glean calls, counting what could not be replayed."""

    def __init__(self, catalog: ReplayCatalog) -> None:
        self.catalog = catalog
        self.entries = 0
        self.failed = 0
        self.problems: list[str] = []

    def run(self, payload: Payload) -> None:
        for metric_id, total in payload.counters.items():
            self._apply(metric_id, ("counter",), 1, _add, None, min(total, I32_MAX))
        for metric_id, labels in payload.labeled_counters.items():
            for label, total in labels.items():
                self._apply(metric_id, ("labeled_counter",), 1, _add, label, min(total, I32_MAX))
        for metric_id, labels in payload.invalid_adds.items():
            for label, count in labels.items():
                self._apply(metric_id, ("counter", "labeled_counter"), 1, _replay_invalid_adds, label, count)
        for metric_id, items in payload.string_lists.items():
            self._apply(metric_id, ("string_list",), len(items), _add_strings, items)
        for metric_id, samples in payload.timing_samples.items():
            self._apply(metric_id, ("timing_distribution",), len(samples), _replay_nanos, None, samples)
        for metric_id, labeled in payload.labeled_timing_samples.items():
            for label, samples in labeled.items():
                self._apply(metric_id, ("labeled_timing_distribution",), len(samples), _replay_nanos, label, samples)
        for kind, table in (
            ("memory_distribution", payload.memory_samples),
            ("custom_distribution", payload.custom_samples),
        ):
            for metric_id, samples in table.items():
                self._apply(metric_id, (kind,), len(samples), _accumulate, None, samples)
        for kind, labeled_table in (
            ("labeled_memory_distribution", payload.labeled_memory_samples),
            ("labeled_custom_distribution", payload.labeled_custom_samples),
        ):
            for metric_id, labeled in labeled_table.items():
                for label, samples in labeled.items():
                    self._apply(metric_id, (kind,), len(samples), _accumulate, label, samples)
        for event in payload.events:
            self._apply(event.metric_id, ("event",), 1, _record_event, event.extras)
        fog = _fog()
        for operation, count in payload.forbidden.items():
            # Not data of the buffer: the daemon's misuse, counted in the app's own health metric.
            fog.forbidden_operations[operation].add(min(count, I32_MAX))
        if payload.dropped_buffers:
            fog.discarded_payloads["overflow"].add(min(payload.dropped_buffers, I32_MAX))

    def _apply(
        self, metric_id: str, kinds: tuple[str, ...], weight: int, operation: Callable[..., object], *args: Any
    ) -> None:
        """``operation(target, *args)`` for one entry; an unknown metric, another type or an error fails the entry."""
        target = self.catalog.target(metric_id)
        if target is None:
            self._fail(f"{metric_id}: not a metric of the {OWNING_PING} ping here", weight)
            return
        if target.definition.type not in kinds:
            self._fail(f"{metric_id}: a {target.definition.type}, not a {' or '.join(kinds)}", weight)
            return
        try:
            operation(target, *args)
        except Exception as exc:  # a value the binding refuses must not stop the rest of the buffer
            self._fail(f"{metric_id}: {exc.__class__.__name__}: {exc}", weight)
            return
        self.entries += weight

    def _fail(self, problem: str, weight: int) -> None:
        self.failed += weight
        self.problems.append(problem)


def _metric(target: _Target, label: str | None) -> Any:
    return target.metric if label is None else target.metric[label]


def _add(target: _Target, label: str | None, amount: int) -> None:
    _metric(target, label).add(amount)


def _add_strings(target: _Target, items: Sequence[str]) -> None:
    for item in items:
        target.metric.add(item)


def _accumulate(target: _Target, label: str | None, samples: list[int]) -> None:
    _metric(target, label).accumulate_samples(samples)


def _record_event(target: _Target, extras: Mapping[str, str]) -> None:
    target.metric.record(_ReplayedExtras(dict(extras)))


def _replay_invalid_adds(target: _Target, label: str, count: int) -> None:
    metric = _metric(target, label if target.definition.labeled else None)
    for _ in range(min(count, MAX_INVALID_ADD_REPLAYS)):
        metric.add(-1)


def _replay_nanos(target: _Target, label: str | None, samples: Sequence[int]) -> None:
    """Raw nanosecond samples, with the rules of Glean's own timer (see the module docstring)."""
    unit = target.definition.time_unit_nanos
    metric = _metric(target, label)
    exact: list[int] = []
    in_unit: list[int] = []
    for sample in samples:
        if sample < 0:
            in_unit.append(sample)  # Glean records invalid_value
        elif sample <= NANOS_HANDLE_MAX_SAMPLE:
            exact.append(max(sample, unit))
        else:
            in_unit.append(sample // unit)  # Glean clamps and records an overflow if beyond its bound
    if exact:
        nanos = target.nanos if label is None else target.nanos[label]
        nanos.accumulate_samples(exact)
    if in_unit:
        metric.accumulate_samples(in_unit)


# ---------------------------------------------------------------------------
# The flush before a submit
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FlushResult:
    """The outcome of one flush of the daemon's pending data."""

    ok: bool
    """The daemon answered in time (its buffers may still have been discarded: see ``outcomes``)."""
    duration_s: float
    outcomes: tuple[ReplayOutcome, ...] = ()
    error: str | None = None

    @property
    def replayed(self) -> int:
        """Buffers replayed into the app's Glean."""
        return sum(1 for outcome in self.outcomes if outcome.replayed)


RequestFlush = Callable[[], Awaitable[Sequence[bytes | str]]]
"""Asks the daemon for its pending buffers: bytes, or the base64 texts of the protocol."""


class IpcParent:
    """The app's end of the daemon's metric buffers: replays what arrives, runs the flush before a submit."""

    def __init__(self, *, catalog: ReplayCatalog | None = None, max_payload_bytes: int = MAX_PAYLOAD_BYTES) -> None:
        self._catalog = catalog
        self._max_payload_bytes = max_payload_bytes

    def receive(self, payload: bytes | str, current_session_id: str) -> ReplayOutcome:
        """Replay one buffer (bytes, or base64 text as in a ``telemetry_payload`` event)."""
        if isinstance(payload, str):
            try:
                payload = from_wire(payload, max_bytes=self._max_payload_bytes)
            except PayloadError as exc:
                size = len(payload) * 3 // 4
                _fog().buffer_sizes.accumulate(size)
                return _discard(exc.cause, size, None, str(exc))
        return replay(payload, current_session_id, catalog=self._catalog, max_bytes=self._max_payload_bytes)

    def recorded_under(self, payload: bytes | str) -> str | None:
        """The shared session id ``payload`` was recorded under, without replaying it (``None``: undecodable).

        Lets the app keep a buffer that arrives while it changes sessions
        until it knows which ping the buffer's session is.
        """
        try:
            data = from_wire(payload, max_bytes=self._max_payload_bytes) if isinstance(payload, str) else payload
            return decode(data, max_bytes=self._max_payload_bytes).session_id
        except PayloadError:
            return None

    async def flush_all_children(
        self, request_flush: RequestFlush, current_session_id: str, timeout_s: float
    ) -> FlushResult:
        """Ask for the daemon's pending buffers and replay them, waiting at most ``timeout_s``.

        Returns after ``timeout_s`` at the latest, even if ``request_flush``
        ignores cancellation.  A timeout or an error of ``request_flush``
        counts in ``fog_ipc.flush_failures`` (the daemon keeps its data for
        the next flush, or pushes it itself); a flush that answered is timed
        in ``fog_ipc.flush_durations`` from the request to the end of replay.
        """
        fog = _fog()
        started = time.monotonic()
        timer = fog.flush_durations.start()
        try:
            task: asyncio.Future[Sequence[bytes | str]] = asyncio.ensure_future(request_flush())
        except Exception as exc:
            return self._failed(timer, started, f"the flush request failed: {exc.__class__.__name__}: {exc}")
        try:
            done, _ = await asyncio.wait({task}, timeout=max(0.0, timeout_s))
        except asyncio.CancelledError:
            _abandon(task)
            fog.flush_durations.cancel(timer)
            raise
        if not done:
            _abandon(task)
            return self._failed(timer, started, f"the daemon did not answer within {timeout_s:g} s")
        if task.cancelled():
            return self._failed(timer, started, "the flush request was cancelled")
        error = task.exception()
        if error is not None:
            return self._failed(timer, started, f"the flush request failed: {error.__class__.__name__}: {error}")
        payloads = task.result()
        if isinstance(payloads, bytes | str) or not isinstance(payloads, Sequence):
            return self._failed(timer, started, f"the flush answered {type(payloads).__name__}, not a list of payloads")
        outcomes = tuple(self.receive(payload, current_session_id) for payload in payloads)
        fog.flush_durations.stop_and_accumulate(timer)
        return FlushResult(ok=True, duration_s=time.monotonic() - started, outcomes=outcomes)

    @staticmethod
    def _failed(timer: Any, started: float, error: str) -> FlushResult:
        fog = _fog()
        fog.flush_durations.cancel(timer)
        fog.flush_failures.add(1)
        log.warning("flushing the daemon's metric buffers failed: %s", error)
        return FlushResult(ok=False, duration_s=time.monotonic() - started, error=error)


def _abandon(task: asyncio.Future[Any]) -> None:
    """Cancel ``task`` without waiting for it, and keep its late outcome from being reported as unhandled."""
    task.cancel()

    def consume(finished: asyncio.Future[Any]) -> None:
        with contextlib.suppress(BaseException):
            finished.exception()

    task.add_done_callback(consume)
