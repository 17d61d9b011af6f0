"""Recording the app's metrics in the daemon: the child side of the metric buffer.

The daemon measures much of what the app's ``vpnsession`` ping reports
(keepalive RTTs, tunnel bytes, stability changes, handshake times), but the
app's Glean owns that ping.  Daemon code records those metrics through a
:class:`ChildRecorder` with Glean's call shapes
(``recorder.tunnel.rx_bytes.add(n)``) into buffers the app replays into its
own Glean (``vpnui/ipc_replay.py``, format in ``mimic_core/ipc_payload.py``),
as Firefox-on-Glean's child processes do.  Why it works the way it does
(figures in ``docs/decisions/0009-child-metrics-buffer.md``):

* **Only commutative operations cross**: data of two processes reaches the
  ping in no defined order.  A forbidden operation (a ``set``, a timespan,
  a ping submission) raises :class:`ForbiddenInChildError` under tests and
  automation (``MIMIC_AUTOMATION``), so a misuse fails the test that made
  it; otherwise it is logged, counted and ignored: metric calls never break
  the product.
* **Glean's units**: samples are taken in the metric's unit, as glean-sdk 71
  takes them, and kept as raw nanoseconds.
* **Tagged with the session**: one buffer per shared session id, so the app
  can refuse data of another session instead of mixing it into a ping.
* **Never lost silently**: buffers are handed over on request, on a
  watermark and at quiet moments; unclaimed ones beyond a bound are dropped
  and the drop is counted.

Only metrics the ``vpnsession`` ping sends exist on the recorder.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import operator
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Final

from mimic_core.ipc_payload import (
    I32_MAX,
    I64_MAX,
    I64_MIN,
    MAX_EXTRA_VALUE_CHARS,
    MAX_LABEL_CHARS,
    MAX_PAYLOAD_BYTES,
    MAX_STRING_LIST_ITEM_CHARS,
    OWNING_PING,
    MetricDefinition,
    attribute_path,
    is_session_id,
    load_definitions,
    pack_fields,
)
from mimic_core.telemetry_names import INACTIVE_SESSION_ID

log = logging.getLogger(__name__)

AUTOMATION_ENV: Final = "MIMIC_AUTOMATION"
"""``1`` makes forbidden operations raise, ``0`` makes them counted no-ops; unset, pytest decides."""

DEFAULT_WATERMARK: Final = 10_000
"""Operations after which the recorder asks to be flushed.

FOG uses 90 000 accesses, sized against a 256 MB IPC message; here the
size bound of one protocol line is enforced separately (a full buffer is
closed and ``on_full`` called), so this count only makes a busy daemon
deliver its data in regular portions rather than all at a ping.
"""
DEFAULT_MAX_PENDING_BYTES: Final = 4 * 1024 * 1024
"""Closed buffers kept for the app at most; beyond it the oldest are dropped (and counted)."""
MAX_OPERATION_BYTES: Final = 8 * 1024
"""Upper bound of what one operation adds to a buffer; a larger event is refused.

A buffer is closed once it is within this of its size limit, so the next
operation always fits.  Sample lists are recorded in chunks below it.
"""
MAX_LIVE_TIMERS: Final = 10_000
"""Timers running at once; the oldest is forgotten beyond it (a start without a stop is a bug, not a reason to grow)."""

# Conservative msgpack costs of the parts of a buffer, so the estimate of a
# buffer's size is never below its encoded size.
_BASE_COST: Final = 256
_INT_COST: Final = 9
_SMALL_INT_COST: Final = 5
"""msgpack stores an int in [-2^31, 2^32) in at most 5 bytes: every RTT or handshake below 4.29 s in nanoseconds."""
_SMALL_INT_MIN: Final = -(2**31)
_SMALL_INT_END: Final = 2**32
_CONTAINER_COST: Final = 8
_FORBIDDEN_ENTRY_COST: Final = 48

_FIELDS: Final = ("c", "lc", "ia", "sl", "td", "ltd", "md", "lmd", "cd", "lcd", "ev", "fo")
"""The wire keys of a buffer's parts (see ``ipc_payload.Payload``)."""


class ForbiddenInChildError(RuntimeError):
    """A non-commutative operation on an app-owned metric was attempted in the daemon, under tests or automation."""


def in_automation() -> bool:
    """Whether forbidden operations raise: ``MIMIC_AUTOMATION`` if set, else whether pytest is running."""
    value = os.environ.get(AUTOMATION_ENV)
    if value is not None:
        return value.strip().lower() not in ("", "0", "false", "no", "off")
    return "PYTEST_CURRENT_TEST" in os.environ


def _text_cost(text: str) -> int:
    # str.isascii() is O(1) in CPython; a non-ASCII character is at most 4 UTF-8 bytes.
    return (len(text) if text.isascii() else 4 * len(text)) + 3


def _as_int(value: object) -> int:
    """``value`` as a plain int, as Glean's bindings accept it (bools included), or ``TypeError``."""
    if isinstance(value, float):
        raise TypeError(f"expected an integer, got float {value!r}")
    try:
        return operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(f"expected an integer, got {type(value).__name__}") from None


def _clamp_i64(value: int) -> int:
    return I64_MAX if value > I64_MAX else I64_MIN if value < I64_MIN else value


class _Buffer:
    """The pending data of one session, in wire form (``ipc_payload.pack_fields`` parts)."""

    __slots__ = (
        "c",
        "cd",
        "db",
        "ev",
        "fo",
        "ia",
        "lc",
        "lcd",
        "lmd",
        "ltd",
        "md",
        "ops",
        "seq",
        "session_id",
        "size",
        "sl",
        "td",
    )

    def __init__(self, session_id: str, seq: int) -> None:
        self.session_id = session_id
        self.seq = seq
        self.c: dict[str, int] = {}
        self.lc: dict[str, dict[str, int]] = {}
        self.ia: dict[str, dict[str, int]] = {}
        self.sl: dict[str, list[str]] = {}
        self.td: dict[str, list[int]] = {}
        self.ltd: dict[str, dict[str, list[int]]] = {}
        self.md: dict[str, list[int]] = {}
        self.lmd: dict[str, dict[str, list[int]]] = {}
        self.cd: dict[str, list[int]] = {}
        self.lcd: dict[str, dict[str, list[int]]] = {}
        self.ev: list[list[Any]] = []
        self.fo: dict[str, int] = {}
        self.db = 0
        self.ops = 0
        self.size = _BASE_COST + len(session_id)

    def has_data(self) -> bool:
        return self.ops > 0 or self.db > 0

    def encode(self) -> bytes:
        fields: dict[str, Any] = {name: getattr(self, name) for name in _FIELDS}
        fields["db"] = self.db
        return pack_fields(self.session_id, fields)


class ChildRecorder:
    """The daemon's buffer of ``vpnsession`` metric data, with Glean-shaped handles per metric.

    ``recorder.<category>.<metric>`` are handles for every metric the
    ``ping`` sends (from ``definitions``, by default ``resources/metrics.yaml``).
    Thread-safe; ``on_full`` is called on the recording thread, outside the
    recorder's lock, and must not block (schedule the push, do not do it).
    """

    def __init__(
        self,
        *,
        definitions: Mapping[str, MetricDefinition] | None = None,
        ping: str = OWNING_PING,
        watermark: int = DEFAULT_WATERMARK,
        on_full: Callable[[], object] | None = None,
        max_payload_bytes: int = MAX_PAYLOAD_BYTES,
        max_pending_bytes: int = DEFAULT_MAX_PENDING_BYTES,
        automation: bool | None = None,
        inactive_session_id: str = INACTIVE_SESSION_ID,
    ) -> None:
        """``automation`` overrides :func:`in_automation` (``None``: decided at each forbidden call)."""
        if watermark < 1:
            raise ValueError("the watermark is at least 1 operation")
        if max_payload_bytes < 2 * MAX_OPERATION_BYTES:
            raise ValueError(f"max_payload_bytes must be at least {2 * MAX_OPERATION_BYTES}")
        self.ping: Final = ping
        self.inactive_session_id: Final = inactive_session_id
        self._watermark = watermark
        self._on_full = on_full
        self._max_payload_bytes = max_payload_bytes
        self._seal_at = max_payload_bytes - MAX_OPERATION_BYTES
        self._max_pending_bytes = max_pending_bytes
        self._automation = automation
        self._lock = threading.Lock()
        self._seq = itertools.count()
        self._timer_ids = itertools.count(1)
        self._timers: dict[int, int] = {}
        """Running timers of all timing distributions: id -> start (monotonic ns)."""
        self._session_id = self.inactive_session_id
        self._open: dict[str, _Buffer] = {}
        self._current = self._open_buffer(self._session_id)
        self._sealed: list[tuple[int, bytes]] = []
        self._sealed_bytes = 0
        self._ops = 0
        """Operations since the last take."""
        self._check_at = watermark
        """``_ops`` at which the slow path runs: the watermark, or never once ``on_full`` was called."""
        self._signalled = False
        self._logged: set[tuple[str, str]] = set()
        self._categories: dict[str, _Category] = {}
        defined = dict(definitions if definitions is not None else load_definitions())
        for definition in defined.values():
            if ping not in definition.send_in_pings:
                continue
            handle = _make_handle(self, definition)
            if handle is None:
                continue
            *categories, name = attribute_path(definition)
            node = self._categories.setdefault(categories[0], _Category(categories[0], ping))
            for part in categories[1:]:
                child = node.__dict__.get(part)
                if not isinstance(child, _Category):
                    child = _Category(part, ping)
                    setattr(node, part, child)
                node = child
            setattr(node, name, handle)

    # -- metric handles ---------------------------------------------------------

    def __getattr__(self, name: str) -> Any:
        """``recorder.tunnel``: the handles of a category."""
        categories = self.__dict__.get("_categories")
        if categories is not None and name in categories:
            return categories[name]
        raise AttributeError(f"no metric category {name!r} is sent in the {self.__dict__.get('ping')} ping")

    def submit(self, ping: str, reason: str | None = None) -> None:
        """Forbidden: pings are submitted by the process that owns them (the app)."""
        self._forbidden("ping_submit", f"ping {ping}")

    # -- sessions ------------------------------------------------------------------

    @property
    def session_id(self) -> str:
        """The shared session id data is recorded under now (the inactive id outside a session)."""
        return self._session_id

    def begin_session(self, session_id: str) -> None:
        """Record under ``session_id`` (a canonical lowercase UUID) from now on."""
        if not is_session_id(session_id):
            raise ValueError(f"a session id is a UUID in canonical lowercase form, not {session_id!r}")
        with self._lock:
            self._switch(session_id)

    def end_session(self) -> None:
        """Record under the inactive id from now on (data of the ended session stays pending)."""
        with self._lock:
            self._switch(self.inactive_session_id)

    def _switch(self, session_id: str) -> None:
        self._session_id = session_id
        buffer = self._open.get(session_id)
        self._current = buffer if buffer is not None else self._open_buffer(session_id)

    def _open_buffer(self, session_id: str) -> _Buffer:
        buffer = _Buffer(session_id, next(self._seq))
        self._open[session_id] = buffer
        return buffer

    # -- flushing ------------------------------------------------------------------

    @property
    def pending_operations(self) -> int:
        """Operations recorded since the last take."""
        return self._ops

    def take_payloads(self) -> list[bytes]:
        """Every pending buffer, oldest first, encoded; the recorder starts empty again.

        The app asks for this before each ``vpnsession`` submit (the
        ``telemetry_flush`` request), and the daemon calls it at orderly
        shutdown.  Buffers without data are left out, so this is often empty.
        """
        with self._lock:
            ready = [buffer for buffer in self._open.values() if buffer.has_data()]
            sealed = self._sealed
            self._sealed = []
            self._sealed_bytes = 0
            self._open = {}
            self._current = self._open_buffer(self._session_id)
            self._ops = 0
            self._check_at = self._watermark
            self._signalled = False
        # Encoded outside the lock: the buffers are no longer reachable by recording calls.
        encoded = [(buffer.seq, self._checked(buffer.encode())) for buffer in ready]
        return [payload for _, payload in sorted(sealed + encoded, key=lambda item: item[0])]

    def on_idle(self, min_operations: int = 1) -> list[bytes]:
        """What to push at an idle moment: the pending buffers if at least ``min_operations`` are waiting."""
        if self._ops < min_operations and not self._sealed:
            return []
        return self.take_payloads()

    def _checked(self, payload: bytes) -> bytes:
        if len(payload) > self._max_payload_bytes:  # the size estimate is an upper bound: a bug if reached
            log.error(
                "a metric buffer of %d bytes exceeds %d; the app will discard it", len(payload), self._max_payload_bytes
            )
        return payload

    def _after_threshold(self) -> None:
        """Slow path of a recording call: close a full buffer, call ``on_full`` once per take."""
        notify = False
        with self._lock:
            if self._current.size >= self._seal_at:
                self._seal(self._current)
            if not self._signalled and (self._ops >= self._watermark or self._sealed):
                self._signalled = True
                self._check_at = I64_MAX
                notify = True
        if notify and self._on_full is not None:
            try:
                self._on_full()
            except Exception:
                log.exception("the on_full callback of the metric recorder failed")

    def _seal(self, buffer: _Buffer) -> None:
        """Close ``buffer`` (it is near the size one protocol line carries); called with the lock held."""
        payload = self._checked(buffer.encode())
        self._sealed.append((buffer.seq, payload))
        self._sealed_bytes += len(payload)
        replacement = _Buffer(buffer.session_id, next(self._seq))
        self._open[buffer.session_id] = replacement
        if self._current is buffer:
            self._current = replacement
        while self._sealed_bytes > self._max_pending_bytes and len(self._sealed) > 1:
            _, dropped = self._sealed.pop(0)
            self._sealed_bytes -= len(dropped)
            self._current.db += 1
            log.error("dropped a pending metric buffer of %d bytes: the app did not take it in time", len(dropped))

    # -- recording (called by the handles) -----------------------------------------------

    def _add(self, field: str, metric_id: str, label: str | None, amount: int, key_cost: int) -> None:
        with self._lock:
            buffer = self._current
            table = getattr(buffer, field)
            if label is not None:
                inner = table.get(metric_id)
                if inner is None:
                    inner = table[metric_id] = {}
                    buffer.size += key_cost
                table, key_cost, metric_id = inner, _text_cost(label) + _INT_COST, label
            old = table.get(metric_id)
            if old is None:
                table[metric_id] = amount
                buffer.size += key_cost
            else:
                table[metric_id] = old + amount
            buffer.ops += 1
            self._ops += 1
            slow = self._ops >= self._check_at or buffer.size >= self._seal_at
        if slow:
            self._after_threshold()

    def _append(
        self, field: str, metric_id: str, label: str | None, values: Sequence[Any], *, cost: int, key_cost: int
    ) -> None:
        """Append ``values`` (each costing ``cost`` bytes) to a list part, in chunks that keep buffers bounded."""
        chunk = max(1, MAX_OPERATION_BYTES // cost)
        for start in range(0, len(values), chunk):
            part = values[start : start + chunk]
            with self._lock:
                buffer = self._current
                table = getattr(buffer, field)
                if label is not None:
                    inner = table.get(metric_id)
                    if inner is None:
                        inner = table[metric_id] = {}
                        buffer.size += key_cost
                    samples = inner.get(label)
                    if samples is None:
                        samples = inner[label] = []
                        buffer.size += _text_cost(label) + _CONTAINER_COST
                else:
                    samples = table.get(metric_id)
                    if samples is None:
                        samples = table[metric_id] = []
                        buffer.size += key_cost
                samples.extend(part)
                buffer.size += cost * len(part)
                buffer.ops += len(part)
                self._ops += len(part)
                slow = self._ops >= self._check_at or buffer.size >= self._seal_at
            if slow:
                self._after_threshold()

    def _append_one(self, field: str, metric_id: str, value: int, key_cost: int) -> None:
        """The hot path of one unlabeled sample."""
        cost = _SMALL_INT_COST if _SMALL_INT_MIN <= value < _SMALL_INT_END else _INT_COST
        with self._lock:
            buffer = self._current
            table = getattr(buffer, field)
            samples = table.get(metric_id)
            if samples is None:
                samples = table[metric_id] = []
                buffer.size += key_cost
            samples.append(value)
            buffer.size += cost
            buffer.ops += 1
            self._ops += 1
            slow = self._ops >= self._check_at or buffer.size >= self._seal_at
        if slow:
            self._after_threshold()

    def _event(self, metric_id: str, timestamp_ms: int, extras: dict[str, str], cost: int) -> None:
        with self._lock:
            buffer = self._current
            buffer.ev.append([metric_id, timestamp_ms, extras])
            buffer.size += cost
            buffer.ops += 1
            self._ops += 1
            slow = self._ops >= self._check_at or buffer.size >= self._seal_at
        if slow:
            self._after_threshold()

    def _invalid_add(self, metric_id: str, label: str | None) -> None:
        """A counter add of a negative amount: Glean records an ``invalid_value`` error for it at replay."""
        self._add_nested("ia", metric_id, label if label is not None else "")

    def _add_nested(self, field: str, metric_id: str, label: str) -> None:
        self._add(field, metric_id, label, 1, _text_cost(metric_id) + _CONTAINER_COST)

    def _forbidden(self, operation: str, what: str) -> None:
        """A forbidden operation: raise under automation, else log once, count and ignore."""
        automation = self._automation if self._automation is not None else in_automation()
        message = (
            f"{what}: {operation.replace('_', ' ')} is not allowed in the daemon; "
            f"the {self.ping} ping belongs to the app, and only commutative operations "
            "(counter adds, string-list adds, distribution samples, events) cross processes"
        )
        if automation:
            raise ForbiddenInChildError(message)
        key = (operation, what)
        if key not in self._logged:
            self._logged.add(key)
            log.error("%s; the operation is ignored", message)
        with self._lock:
            buffer = self._current
            if operation not in buffer.fo:
                buffer.size += _FORBIDDEN_ENTRY_COST
            buffer.fo[operation] = buffer.fo.get(operation, 0) + 1
            buffer.ops += 1
            self._ops += 1
            slow = self._ops >= self._check_at or buffer.size >= self._seal_at
        if slow:
            self._after_threshold()

    def _timestamp_ms(self) -> int:
        """The daemon's own time of an event (wall clock, so it means the same in the app)."""
        return time.time_ns() // 1_000_000

    def __repr__(self) -> str:
        return f"<ChildRecorder {self.ping} session={self._session_id} pending={self._ops}>"


class _Category:
    """``recorder.tunnel``: a namespace of metric handles."""

    def __init__(self, name: str, ping: str) -> None:
        self._name = name
        self._ping = ping

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(
            f"{self.__dict__.get('_name')}.{name} is not a metric sent in the {self.__dict__.get('_ping')} ping; "
            "metrics of the daemon's own ping are recorded with the daemon's Glean"
        )


# ---------------------------------------------------------------------------
# Handles
# ---------------------------------------------------------------------------


class _Handle:
    __slots__ = ("_key_cost", "_metric_id", "_recorder")

    def __init__(self, recorder: ChildRecorder, definition: MetricDefinition) -> None:
        self._recorder = recorder
        self._metric_id = definition.metric_id
        self._key_cost = _text_cost(definition.metric_id) + _CONTAINER_COST + _INT_COST

    def __repr__(self) -> str:
        return f"<{type(self).__name__.lstrip('_')} {self._metric_id}>"


def _label(label: str) -> str:
    if not isinstance(label, str):
        raise TypeError(f"a label is a string, not {type(label).__name__}")
    return label[:MAX_LABEL_CHARS]


class _Labeled:
    """``handle["label"]``: the per-label handles of a labeled metric (cached for the common labels)."""

    __slots__ = ("_children", "_make", "_metric_id")

    _CACHE_LIMIT: Final = 64

    def __init__(self, metric_id: str, make: Callable[[str], Any]) -> None:
        self._metric_id = metric_id
        self._make = make
        self._children: dict[str, Any] = {}

    def __getitem__(self, label: str) -> Any:
        child = self._children.get(label)
        if child is None:
            child = self._make(_label(label))
            if len(self._children) < self._CACHE_LIMIT:
                self._children[label] = child
        return child

    def __repr__(self) -> str:
        return f"<Labeled {self._metric_id}>"


class CounterHandle(_Handle):
    """A counter: ``add`` is summed in the buffer."""

    __slots__ = ("_label",)

    def __init__(self, recorder: ChildRecorder, definition: MetricDefinition, label: str | None = None) -> None:
        super().__init__(recorder, definition)
        self._label = label

    def add(self, amount: int = 1) -> None:
        """Like Glean: 0 is ignored, a negative amount is an error Glean records, above 2^31-1 raises."""
        if type(amount) is not int:
            amount = _as_int(amount)
        if amount <= 0 or amount > I32_MAX:
            if amount > I32_MAX:
                raise ValueError(f"i32 requires -2147483648 <= value < 2147483648, got {amount}")
            if amount < 0:
                self._recorder._invalid_add(self._metric_id, self._label)
            return
        field = "c" if self._label is None else "lc"
        self._recorder._add(field, self._metric_id, self._label, amount, self._key_cost)


class _Samples(_Handle):
    """The sample operations shared by the distributions."""

    __slots__ = ("_field", "_label", "_scale")

    def __init__(
        self, recorder: ChildRecorder, definition: MetricDefinition, field: str, scale: int, label: str | None
    ) -> None:
        super().__init__(recorder, definition)
        self._field = field
        self._scale = scale
        self._label = label

    def _record_one(self, value: int) -> None:
        if self._label is None:
            self._recorder._append_one(self._field, self._metric_id, value, self._key_cost)
        else:
            self._record_many([value])

    def _record_many(self, values: Sequence[int]) -> None:
        if not values:
            return
        small = min(values) >= _SMALL_INT_MIN and max(values) < _SMALL_INT_END
        self._recorder._append(
            self._field,
            self._metric_id,
            self._label,
            values,
            cost=_SMALL_INT_COST if small else _INT_COST,
            key_cost=self._key_cost,
        )

    def _scaled(self, sample: object) -> int:
        value = sample if type(sample) is int else _as_int(sample)
        return _clamp_i64(value * self._scale)

    def accumulate_samples(self, samples: Sequence[int]) -> None:
        """Samples in the metric's unit (negative ones are an error Glean records at replay)."""
        self._record_many([self._scaled(sample) for sample in samples])

    def accumulate_single_sample(self, sample: int) -> None:
        """One sample in the metric's unit."""
        self._record_one(self._scaled(sample))


class TimingDistributionHandle(_Samples):
    """A timing distribution: samples and timers, kept as raw nanoseconds."""

    __slots__ = ()

    def __init__(self, recorder: ChildRecorder, definition: MetricDefinition, label: str | None = None) -> None:
        super().__init__(recorder, definition, "td" if label is None else "ltd", definition.time_unit_nanos, label)

    def accumulate_raw_samples_nanos(self, samples: Sequence[int]) -> None:
        """Samples in nanoseconds, whatever the metric's unit (FOG's ``accumulate_raw_samples_nanos``)."""
        self._record_many([_clamp_i64(sample if type(sample) is int else _as_int(sample)) for sample in samples])

    def start(self) -> int:
        """Start a timer on the daemon's monotonic clock; the id is this recorder's, not Glean's."""
        timers = self._recorder._timers
        timer_id = next(self._recorder._timer_ids)
        if len(timers) >= MAX_LIVE_TIMERS:
            with contextlib.suppress(StopIteration, KeyError):
                del timers[next(iter(timers))]
            log.warning("%s: more than %d timers running; forgot the oldest", self._metric_id, MAX_LIVE_TIMERS)
        timers[timer_id] = time.monotonic_ns()
        return timer_id

    def stop_and_accumulate(self, timer_id: int) -> None:
        """Record the time since ``start`` (an unknown or already stopped id is ignored, as Glean does)."""
        started = self._recorder._timers.pop(timer_id, None)
        if started is None:
            return
        self._record_one(time.monotonic_ns() - started)

    def cancel(self, timer_id: int) -> None:
        self._recorder._timers.pop(timer_id, None)

    @contextlib.contextmanager
    def measure(self) -> Iterator[None]:
        """Time the ``with`` block (not recorded if it raises, as Glean does)."""
        timer_id = self.start()
        try:
            yield
        except BaseException:
            self.cancel(timer_id)
            raise
        self.stop_and_accumulate(timer_id)


class MemoryDistributionHandle(_Samples):
    """A memory distribution: samples in the metric's memory unit."""

    __slots__ = ()

    def __init__(self, recorder: ChildRecorder, definition: MetricDefinition, label: str | None = None) -> None:
        super().__init__(recorder, definition, "md" if label is None else "lmd", 1, label)

    def accumulate(self, sample: int) -> None:
        self._record_one(self._scaled(sample))


class CustomDistributionHandle(_Samples):
    """A custom distribution: samples as given."""

    __slots__ = ()

    def __init__(self, recorder: ChildRecorder, definition: MetricDefinition, label: str | None = None) -> None:
        super().__init__(recorder, definition, "cd" if label is None else "lcd", 1, label)


class StringListHandle(_Handle):
    """A string list: ``add`` crosses (order and uniqueness are not guaranteed), ``set`` is forbidden."""

    __slots__ = ()

    def add(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError(f"a string list takes strings, not {type(value).__name__}")
        item = value[:MAX_STRING_LIST_ITEM_CHARS]
        self._recorder._append("sl", self._metric_id, None, [item], cost=_text_cost(item), key_cost=self._key_cost)

    def set(self, values: Sequence[str]) -> None:
        self._recorder._forbidden("string_list_set", self._metric_id)


class EventHandle(_Handle):
    """An event: recorded with the daemon's own timestamp and the extras."""

    __slots__ = ("_extra_keys",)

    def __init__(self, recorder: ChildRecorder, definition: MetricDefinition) -> None:
        super().__init__(recorder, definition)
        self._extra_keys = definition.extra_keys

    def record(self, extra: Any = None) -> None:
        """``extra`` is the metric's generated ``...Extra`` object (as for Glean), a mapping, or ``None``.

        Unlike Glean, which silently drops a plain ``dict``, a mapping is
        accepted; a key the metric does not define raises ``TypeError`` (as
        the generated class does).
        """
        timestamp_ms = self._recorder._timestamp_ms()
        extras = self._extras(extra)
        cost = _CONTAINER_COST + _text_cost(self._metric_id) + _INT_COST + _CONTAINER_COST
        cost += sum(_text_cost(key) + _text_cost(value) for key, value in extras.items())
        if cost > MAX_OPERATION_BYTES:
            log.error(
                "%s: an event of about %d bytes is too large to record in the daemon; dropped", self._metric_id, cost
            )
            return
        self._recorder._event(self._metric_id, timestamp_ms, extras, cost)

    def _extras(self, extra: Any) -> dict[str, str]:
        if extra is None:
            return {}
        raw: Mapping[Any, Any]
        if hasattr(extra, "to_ffi_extra"):
            raw = extra.to_ffi_extra()
        elif isinstance(extra, Mapping):
            raw = extra
        else:
            raise TypeError(f"event extras are the metric's Extra object or a mapping, not {type(extra).__name__}")
        extras: dict[str, str] = {}
        for key, value in raw.items():
            if key not in self._extra_keys:
                raise TypeError(f"{self._metric_id} has no extra key {key!r}")
            if isinstance(value, bool):
                text = "true" if value else "false"
            elif isinstance(value, str | int):
                text = str(value)
            else:
                raise TypeError(f"extra {key!r} of {self._metric_id} must be a string, bool or int")
            extras[key] = text[:MAX_EXTRA_VALUE_CHARS]
        return extras


class _ForbiddenHandle(_Handle):
    """A metric whose every operation is forbidden in the daemon."""

    __slots__ = ("_operation",)

    def __init__(self, recorder: ChildRecorder, definition: MetricDefinition, operation: str) -> None:
        super().__init__(recorder, definition)
        self._operation = operation

    def _refuse(self) -> None:
        self._recorder._forbidden(self._operation, self._metric_id)


class SetOnlyHandle(_ForbiddenHandle):
    """boolean, string, quantity, uuid, datetime: ``set`` (and ``generate_and_set``) are forbidden."""

    __slots__ = ()

    def set(self, *args: Any, **kwargs: Any) -> None:
        self._refuse()

    def generate_and_set(self) -> None:
        self._refuse()


class TimespanHandle(_ForbiddenHandle):
    """A timespan: ``start``, ``stop``, ``cancel``, ``set_raw_nanos`` and ``measure`` are forbidden."""

    __slots__ = ()

    def start(self) -> None:
        self._refuse()

    def stop(self) -> None:
        self._refuse()

    def cancel(self) -> None:
        self._refuse()

    def set_raw_nanos(self, elapsed: int) -> None:
        self._refuse()

    @contextlib.contextmanager
    def measure(self) -> Iterator[None]:
        self._refuse()
        yield


def _make_handle(recorder: ChildRecorder, definition: MetricDefinition) -> Any:
    """The handle of one metric, or ``None`` for a type that cannot be used in the daemon at all."""
    kind = definition.type

    def labeled(make: Callable[[str], Any]) -> _Labeled:
        return _Labeled(definition.metric_id, make)

    if kind == "counter":
        return CounterHandle(recorder, definition)
    if kind == "labeled_counter":
        return labeled(lambda label: CounterHandle(recorder, definition, label))
    if kind == "timing_distribution":
        return TimingDistributionHandle(recorder, definition)
    if kind == "labeled_timing_distribution":
        return labeled(lambda label: TimingDistributionHandle(recorder, definition, label))
    if kind == "memory_distribution":
        return MemoryDistributionHandle(recorder, definition)
    if kind == "labeled_memory_distribution":
        return labeled(lambda label: MemoryDistributionHandle(recorder, definition, label))
    if kind == "custom_distribution":
        return CustomDistributionHandle(recorder, definition)
    if kind == "labeled_custom_distribution":
        return labeled(lambda label: CustomDistributionHandle(recorder, definition, label))
    if kind == "string_list":
        return StringListHandle(recorder, definition)
    if kind == "event":
        return EventHandle(recorder, definition)
    if kind in ("boolean", "string", "quantity", "uuid", "datetime"):
        return SetOnlyHandle(recorder, definition, f"{kind}_set")
    if kind in ("labeled_boolean", "labeled_string", "labeled_quantity"):
        return labeled(lambda label: SetOnlyHandle(recorder, definition, "labeled_set"))
    if kind == "timespan":
        return TimespanHandle(recorder, definition, "timespan")
    return None
