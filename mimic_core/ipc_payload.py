"""The pending-data format of metrics the daemon records for the app's ping.

A metric belongs to the process whose ping sends it: the app owns
``vpnsession``, yet the daemon measures much of what it reports (keepalive
RTTs, bytes through the tunnel, stability changes, handshake times).  As
Firefox-on-Glean (FOG) does for its child processes, the daemon does not
touch the app's Glean: it keeps the *commutative* operations in a buffer
(counter sums, labeled counter sums, string-list adds, distribution samples,
events with the daemon's own timestamp) and hands that buffer to the app,
which replays it as ordinary Glean calls (``vpnui/ipc_replay.py``).

This module is that buffer's wire format and the one place both sides agree
on it:

* **msgpack**, one map per buffer, short keys, empty parts left out.  A
  counter costs its key once however often it is added to; a distribution
  sample costs 1-9 bytes.  The map carries a format version (``v``) and the
  shared session id the data was recorded under (``s``): the app replays a
  buffer only into the ping of that same session.
* **Timing samples are raw nanoseconds**, like FOG's
  ``accumulate_raw_samples_nanos``: the daemon measures its own timers, and
  the app applies Glean's rules (at least one time unit, the overflow bound)
  when it replays them.  Memory samples are in the metric's memory unit and
  custom-distribution samples as given, as the Glean calls take them.
* **Size.**  A buffer travels base64-encoded on one line of the app <->
  daemon protocol, whose lines are at most ``MAX_LINE_BYTES``; a buffer is
  therefore at most ``MAX_PAYLOAD_BYTES`` (the daemon starts a new buffer
  before one grows past it, and the app discards a larger one).
* **Decoding trusts nothing.**  The bytes come from another process; every
  failure (not msgpack, trailing bytes, a wrong shape or type, a value out
  of range, an unknown version, too large) is one ``PayloadError`` whose
  ``cause`` is the label the app counts it under in
  ``fog_ipc.discarded_payloads``.  Shapes are checked with msgspec, the
  protocol's validator, so no hand-written checks can drift from the types.

The metrics a buffer may name are those of ``resources/metrics.yaml`` sent
in the app's ping; :func:`load_definitions` reads them for both sides from
the definitions generated from that file (``glean_definitions``), because
the Glean metric objects do not expose what the daemon needs to know (time
units, labels, extra keys).
"""

from __future__ import annotations

import base64
import binascii
import functools
import math
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Final, Literal

import msgpack
import msgspec

from mimic_core.glean_definitions import GleanDefinitions, MetricEntry, bundled_definitions
from mimic_core.protocol import MAX_LINE_BYTES
from mimic_core.telemetry_names import APP_PING

FORMAT_VERSION: Final = 1
"""Version of the buffer layout; a buffer of another version is discarded (``version``), never guessed at."""

OWNING_PING: Final = APP_PING
"""The app's ping: the daemon records through a buffer only the metrics this ping sends."""

LINE_ENVELOPE_BYTES: Final = 512
"""Room kept on a protocol line for the JSON around one base64 buffer (type, reason, id, quotes)."""
MAX_PAYLOAD_BYTES: Final = (MAX_LINE_BYTES - LINE_ENVELOPE_BYTES) // 4 * 3
"""The largest buffer: its base64 form plus the envelope fits on one protocol line (48 768 bytes)."""

# Glean's own limits (glean-core 71, checked): a label is at most 111
# characters, a string-list item 100 and an event extra value 500 bytes.
# The daemon cuts longer strings to one character above the limit, which
# keeps every buffer entry small and still makes Glean record the same
# overflow/label error at replay as a direct call would have.
MAX_LABEL_CHARS: Final = 112
MAX_STRING_LIST_ITEM_CHARS: Final = 101
MAX_EXTRA_VALUE_CHARS: Final = 501
MAX_EXTRA_KEY_CHARS: Final = 64
MAX_METRIC_ID_CHARS: Final = 128
MAX_OPERATION_NAME_CHARS: Final = 32

I32_MAX: Final = 2**31 - 1
I64_MIN: Final = -(2**63)
I64_MAX: Final = 2**63 - 1

PayloadErrorCause = Literal["undecodable", "overflow", "version"]

TIME_UNIT_NANOS: Final[dict[str, int]] = {
    "nanosecond": 1,
    "microsecond": 1_000,
    "millisecond": 1_000_000,
    "second": 1_000_000_000,
    "minute": 60 * 1_000_000_000,
    "hour": 3_600 * 1_000_000_000,
    "day": 86_400 * 1_000_000_000,
}


class PayloadError(Exception):
    """A buffer that cannot be used; ``cause`` is the ``fog_ipc.discarded_payloads`` label."""

    def __init__(self, cause: PayloadErrorCause, message: str) -> None:
        super().__init__(message)
        self.cause: PayloadErrorCause = cause


# ---------------------------------------------------------------------------
# The decoded buffer
# ---------------------------------------------------------------------------

MetricId = Annotated[str, msgspec.Meta(min_length=3, max_length=MAX_METRIC_ID_CHARS, pattern=r"^[a-z0-9_.]+$")]
Label = Annotated[str, msgspec.Meta(max_length=MAX_LABEL_CHARS)]
Count = Annotated[int, msgspec.Meta(ge=1, le=I64_MAX)]
Sample = Annotated[int, msgspec.Meta(ge=I64_MIN, le=I64_MAX)]
TimestampMs = Annotated[int, msgspec.Meta(ge=0, le=I64_MAX)]
ExtraKey = Annotated[str, msgspec.Meta(max_length=MAX_EXTRA_KEY_CHARS)]
ExtraValue = Annotated[str, msgspec.Meta(max_length=MAX_EXTRA_VALUE_CHARS)]
StringListItem = Annotated[str, msgspec.Meta(max_length=MAX_STRING_LIST_ITEM_CHARS)]
OperationName = Annotated[str, msgspec.Meta(max_length=MAX_OPERATION_NAME_CHARS)]
SessionId = Annotated[
    str, msgspec.Meta(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", max_length=36)
]


class ChildEvent(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    """One event as the daemon recorded it: which, when (its own wall clock, ms) and the extras."""

    metric_id: MetricId
    timestamp_ms: TimestampMs
    extras: dict[ExtraKey, ExtraValue] = {}


class Payload(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True, forbid_unknown_fields=True):
    """The pending data of one session, decoded.  Field names on the wire are the short ``name=`` keys."""

    version: int = msgspec.field(default=FORMAT_VERSION, name="v")
    session_id: SessionId = msgspec.field(name="s")
    counters: dict[MetricId, Count] = msgspec.field(default_factory=dict, name="c")
    """Sum of the adds per counter."""
    labeled_counters: dict[MetricId, dict[Label, Count]] = msgspec.field(default_factory=dict, name="lc")
    """Sum of the adds per labeled counter and label."""
    invalid_adds: dict[MetricId, dict[Label, Count]] = msgspec.field(default_factory=dict, name="ia")
    """Adds of a negative amount, per counter and label ("" unlabeled): Glean records an error for each."""
    string_lists: dict[MetricId, list[StringListItem]] = msgspec.field(default_factory=dict, name="sl")
    timing_samples: dict[MetricId, list[Sample]] = msgspec.field(default_factory=dict, name="td")
    """Raw nanoseconds."""
    labeled_timing_samples: dict[MetricId, dict[Label, list[Sample]]] = msgspec.field(default_factory=dict, name="ltd")
    memory_samples: dict[MetricId, list[Sample]] = msgspec.field(default_factory=dict, name="md")
    """In the metric's memory unit."""
    labeled_memory_samples: dict[MetricId, dict[Label, list[Sample]]] = msgspec.field(default_factory=dict, name="lmd")
    custom_samples: dict[MetricId, list[Sample]] = msgspec.field(default_factory=dict, name="cd")
    labeled_custom_samples: dict[MetricId, dict[Label, list[Sample]]] = msgspec.field(default_factory=dict, name="lcd")
    events: list[ChildEvent] = msgspec.field(default_factory=list, name="ev")
    """In the order they were recorded."""
    forbidden: dict[OperationName, Count] = msgspec.field(default_factory=dict, name="fo")
    """Forbidden operations the daemon attempted (and ignored), by ``fog_ipc.forbidden_operations`` label."""
    dropped_buffers: int = msgspec.field(default=0, name="db")
    """Earlier buffers the daemon threw away because nobody took them before its pending-data bound."""


# ---------------------------------------------------------------------------
# Encoding and decoding
# ---------------------------------------------------------------------------


def pack_fields(session_id: str, fields: Mapping[str, Any]) -> bytes:
    """The buffer of ``session_id`` with the given short-key parts (empty parts are left out).

    The recorder builds its parts directly in wire form and calls this, so
    a flush does not copy every sample through an intermediate object.
    """
    document: dict[str, Any] = {"v": FORMAT_VERSION, "s": session_id}
    for key, value in fields.items():
        if value:
            document[key] = value
    packed: bytes = msgpack.packb(document, use_bin_type=True)
    return packed


def encode(payload: Payload) -> bytes:
    """``payload`` as bytes (always at the current ``FORMAT_VERSION``)."""
    document: dict[str, Any] = msgspec.to_builtins(payload)
    document.pop("v", None)
    session_id = document.pop("s")
    return pack_fields(session_id, document)


def decode(data: bytes | bytearray | memoryview, *, max_bytes: int = MAX_PAYLOAD_BYTES) -> Payload:
    """The payload in ``data``, or ``PayloadError`` (and never any other exception)."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise PayloadError("undecodable", f"a payload is bytes, not {type(data).__name__}")
    if len(data) > max_bytes:
        raise PayloadError("overflow", f"payload of {len(data)} bytes exceeds {max_bytes}")
    try:
        document = msgpack.unpackb(data, raw=False, strict_map_key=True, use_list=True)
    except Exception as exc:  # msgpack raises ExtraData, FormatError, StackError, ValueError, ...
        raise PayloadError("undecodable", f"not a msgpack payload: {exc.__class__.__name__}: {exc}") from None
    if not isinstance(document, dict):
        raise PayloadError("undecodable", f"a payload is a map, not {type(document).__name__}")
    version = document.get("v")
    if type(version) is not int:
        raise PayloadError("undecodable", "the payload has no format version")
    if version != FORMAT_VERSION:
        raise PayloadError("version", f"payload format version {version}, this side reads {FORMAT_VERSION}")
    try:
        payload: Payload = msgspec.convert(document, Payload, strict=True)
    except msgspec.ValidationError as exc:
        raise PayloadError("undecodable", f"invalid payload: {exc}") from None
    except Exception as exc:  # defensive: nothing else may escape a decode of foreign bytes
        raise PayloadError("undecodable", f"invalid payload: {exc.__class__.__name__}: {exc}") from None
    return payload


def is_session_id(value: str) -> bool:
    """Whether ``value`` is a session id as the payload carries it: a UUID in canonical lowercase form."""
    try:
        return str(uuid.UUID(value)) == value
    except (ValueError, TypeError, AttributeError):
        return False


# ---------------------------------------------------------------------------
# On the protocol line
# ---------------------------------------------------------------------------


def to_wire(payload: bytes) -> str:
    """``payload`` as the base64 text of a ``telemetry_payload`` event or a ``telemetry_flush`` reply."""
    return base64.b64encode(payload).decode("ascii")


def from_wire(text: str, *, max_bytes: int = MAX_PAYLOAD_BYTES) -> bytes:
    """The bytes of a base64 payload from the protocol, or ``PayloadError`` (overflow is checked before decoding)."""
    if not isinstance(text, str):
        raise PayloadError("undecodable", f"a wire payload is base64 text, not {type(text).__name__}")
    if len(text) > 4 * math.ceil(max_bytes / 3):
        raise PayloadError("overflow", f"wire payload of {len(text)} characters exceeds {max_bytes} bytes")
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError) as exc:
        raise PayloadError("undecodable", f"not base64: {exc}") from None


FLUSH_REPLY_BUDGET: Final = MAX_LINE_BYTES - LINE_ENVELOPE_BYTES
"""Bytes of one line available to the ``payloads`` list of a ``telemetry_flush`` reply."""


def split_flush_reply(payloads: Sequence[bytes], budget: int = FLUSH_REPLY_BUDGET) -> tuple[list[str], list[str]]:
    """``(push_first, reply)``: how a daemon answers ``telemetry_flush`` within the line limit.

    ``payloads`` are oldest first.  ``reply`` is the newest run of them whose
    base64 texts fit one reply line; ``push_first`` are the older ones, to be
    pushed as ``telemetry_payload`` events before the reply is sent, so the
    app receives them all, in order, before its flush returns.
    """
    texts = [to_wire(payload) for payload in payloads]
    used = 0
    split = len(texts)
    while split > 0:
        size = len(texts[split - 1]) + 3  # quotes and comma
        if used + size > budget:
            break
        used += size
        split -= 1
    return texts[:split], texts[split:]


# ---------------------------------------------------------------------------
# Which metrics a buffer may carry
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MetricDefinition:
    """What both sides need to know about one metric of the owning ping, from ``metrics.yaml``."""

    metric_id: str
    """``category.name``, as in the ping."""
    category: str
    name: str
    type: str
    send_in_pings: tuple[str, ...]
    lifetime: str
    disabled: bool
    time_unit: str | None = None
    """Timing distributions and timespans: the unit of ``accumulate_samples`` and of the ping's values."""
    memory_unit: str | None = None
    labels: frozenset[str] | None = None
    """Static labels (others become ``__other__``), or ``None`` for dynamic labels."""
    extra_keys: frozenset[str] = frozenset()
    """Event extras the metric accepts."""

    @property
    def labeled(self) -> bool:
        return self.type.startswith("labeled_")

    @property
    def time_unit_nanos(self) -> int:
        """Nanoseconds per time unit (1 when the metric has none)."""
        return TIME_UNIT_NANOS.get(self.time_unit or "nanosecond", 1)


def _definition(category: str, name: str, entry: MetricEntry) -> MetricDefinition:
    return MetricDefinition(
        metric_id=f"{category}.{name}",
        category=category,
        name=name,
        type=entry.type,
        send_in_pings=entry.send_in_pings,
        lifetime=entry.lifetime,
        disabled=entry.disabled,
        time_unit=entry.time_unit,
        memory_unit=entry.memory_unit,
        labels=frozenset(entry.labels) if entry.labels else None,
        extra_keys=frozenset(entry.extra_keys or ()),
    )


def definitions_for_ping(definitions: GleanDefinitions, ping: str = OWNING_PING) -> dict[str, MetricDefinition]:
    """The metrics of ``definitions`` sent in ``ping``, by id."""
    return {
        f"{category}.{name}": _definition(category, name, entry)
        for category, entries in definitions.metrics.items()
        for name, entry in entries.items()
        if ping in entry.send_in_pings
    }


@functools.cache
def load_definitions() -> dict[str, MetricDefinition]:
    """The metrics of ``resources/metrics.yaml`` sent in the app's ``vpnsession`` ping (from the generated file)."""
    return definitions_for_ping(bundled_definitions(), OWNING_PING)


_ATTRIBUTE: Final = re.compile(r"[^a-z0-9_]")


def attribute_path(definition: MetricDefinition) -> tuple[str, ...]:
    """Where ``glean.load_metrics`` puts the metric: ``("tunnel", "rx_bytes")`` (dots in a category nest)."""
    parts = [part.replace("-", "_") for part in definition.category.split(".")]
    parts.append(definition.name.replace("-", "_"))
    return tuple(_ATTRIBUTE.sub("_", part) for part in parts)
