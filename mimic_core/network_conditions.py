"""The network conditions the lab imposes, and how they are changed.

This module is pure (no sockets, no event loop, no Qt) so that the rules for
merging and validating a change can be tested on their own, and so that the
app's lab panel can build the same patches the command line builds.

A change is always a *partial* JSON patch that is deep-merged into the
current conditions: ``{"servers": {"de-ber-wg-001": {"down": true}}}`` marks
one server down and leaves everything else as it is.  Within ``servers``,
``null`` for a server returns it to health, and the name ``"*"`` stands for
every server the lab knows (applied before any server named explicitly).
A server whose condition equals the healthy default is dropped from the
map, so "absent" and "healthy" are the same thing.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping
from typing import Annotated, Any, Final, Literal, get_args

import msgspec

ALL_SERVERS: Final = "*"
MAX_LATENCY_MS: Final = 60_000

AccountService = Literal["up", "down"]
Subscription = Literal["active", "expired", "none"]
Ingestion = Literal["up", "down", "error"]


class ServerCondition(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """How one VPN server behaves; the defaults are a healthy server."""

    down: bool = False
    """Neither its UDP port nor its TCP control port answers."""
    latency_ms: Annotated[int, msgspec.Meta(ge=0, le=MAX_LATENCY_MS)] = 0
    """Added delay before every UDP answer."""
    loss: Annotated[float, msgspec.Meta(ge=0.0, le=1.0)] = 0.0
    """Probability that an incoming datagram is dropped."""


HEALTHY: Final = ServerCondition()


class Conditions(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Everything the lab's world currently does wrong (the defaults: nothing)."""

    internet: bool = True
    """False: every world endpoint drops the connection, no server answers."""
    captive_portal: bool = False
    """True: web requests are redirected to the portal, VPN traffic is blocked."""
    firewall_blocks_udp: bool = False
    """True: VPN datagrams vanish while the servers' TCP ports still answer."""
    account_service: AccountService = "up"
    subscription: Subscription = "active"
    ingestion: Ingestion = "up"
    """``error``: the telemetry endpoint answers HTTP 500."""
    servers: dict[str, ServerCondition] = msgspec.field(default_factory=dict)
    """Per-server conditions, keyed by server name; absent means healthy."""

    def server(self, name: str) -> ServerCondition:
        return self.servers.get(name, HEALTHY)

    def web_reachable(self) -> bool:
        return self.internet

    def tcp_reaches(self, name: str) -> bool:
        """Whether a server's TCP control port answers (the firewall check)."""
        return self.internet and not self.captive_portal and not self.server(name).down

    def udp_reaches(self, name: str) -> bool:
        """Whether a server's UDP port can answer at all (loss comes on top)."""
        return self.tcp_reaches(name) and not self.firewall_blocks_udp


CONDITION_FIELDS: Final = frozenset(Conditions.__struct_fields__)
SERVER_FIELDS: Final = frozenset(ServerCondition.__struct_fields__)


def to_json(conditions: Conditions) -> bytes:
    return msgspec.json.encode(conditions)


def to_builtins(conditions: Conditions) -> dict[str, Any]:
    built: dict[str, Any] = msgspec.to_builtins(conditions)
    return built


def from_builtins(data: object) -> Conditions:
    """Conditions from decoded JSON, or ``ValueError`` saying what is wrong."""
    try:
        return msgspec.convert(data, Conditions)
    except msgspec.ValidationError as exc:
        raise ValueError(f"invalid conditions: {exc}") from exc


def apply_patch(current: Conditions, patch: object, known_servers: Collection[str] | None = None) -> Conditions:
    """``current`` with ``patch`` deep-merged into it, validated.

    ``known_servers`` lists the servers the lab runs; a patch naming any
    other server is refused, since a typo would otherwise silently do
    nothing.  Without it (``None``) server names are not checked and the
    ``"*"`` wildcard cannot be resolved.
    """
    if not isinstance(patch, Mapping):
        raise ValueError(f"a conditions patch must be a JSON object, not {_json_type(patch)}")
    merged = to_builtins(current)
    for key, value in patch.items():
        if key not in CONDITION_FIELDS:
            raise ValueError(f"unknown condition {key!r} (known: {', '.join(sorted(CONDITION_FIELDS))})")
        if key == "servers":
            merged["servers"] = _merge_servers(merged["servers"], value, known_servers)
        else:
            merged[key] = value
    return from_builtins(merged)


def _merge_servers(
    current: dict[str, dict[str, Any]], patch: object, known_servers: Collection[str] | None
) -> dict[str, dict[str, Any]]:
    if not isinstance(patch, Mapping):
        raise ValueError(f"'servers' must be a JSON object keyed by server name, not {_json_type(patch)}")
    merged = {name: dict(fields) for name, fields in current.items()}
    # The wildcard goes first so that a server named in the same patch can
    # override what "every server" was given.
    ordered = sorted(patch.items(), key=lambda item: item[0] != ALL_SERVERS)
    for name, change in ordered:
        if not isinstance(name, str):
            raise ValueError("server names must be strings")
        if name == ALL_SERVERS:
            if known_servers is None:
                raise ValueError("'*' (all servers) needs the lab's server list")
            targets: Iterable[str] = known_servers
        else:
            if known_servers is not None and name not in known_servers:
                raise ValueError(f"unknown server {name!r}")
            targets = (name,)
        if change is None:
            for target in targets:
                merged.pop(target, None)
            continue
        if not isinstance(change, Mapping):
            raise ValueError(
                f"the condition of server {name!r} must be a JSON object or null, not {_json_type(change)}"
            )
        for field in change:
            if field not in SERVER_FIELDS:
                raise ValueError(
                    f"unknown server condition {field!r} for {name!r} (known: {', '.join(sorted(SERVER_FIELDS))})"
                )
        for target in targets:
            merged.setdefault(target, {}).update(change)
    validated: dict[str, dict[str, Any]] = {}
    for name, fields in merged.items():
        try:
            condition = msgspec.convert(fields, ServerCondition)
        except msgspec.ValidationError as exc:
            raise ValueError(f"invalid condition for server {name!r}: {exc}") from exc
        if condition != HEALTHY:
            validated[name] = msgspec.to_builtins(condition)
    return validated


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list | tuple):
        return "an array"
    return type(value).__name__


# -- command-line assignments -------------------------------------------------

_TRUE_WORDS: Final = frozenset({"true", "on", "yes", "1"})
_FALSE_WORDS: Final = frozenset({"false", "off", "no", "0"})
# Words that read naturally for one field only: "internet=down" means no
# internet, while "server.X.down=down" can only mean the server is down.
_FIELD_WORDS: Final[dict[str, tuple[frozenset[str], frozenset[str]]]] = {
    "internet": (frozenset({"up"}), frozenset({"down"})),
    "down": (frozenset({"down"}), frozenset({"up"})),
}
_CHOICES: Final[dict[str, tuple[str, ...]]] = {
    "account_service": get_args(AccountService),
    "subscription": get_args(Subscription),
    "ingestion": get_args(Ingestion),
}
_SERVER_RESET_WORDS: Final = frozenset({"healthy", "reset"})


def parse_assignments(assignments: Iterable[str]) -> dict[str, Any]:
    """A conditions patch built from ``NAME=VALUE`` words of a command line.

    Accepted forms: ``internet=down``, ``captive_portal=on``,
    ``firewall_blocks_udp=off``, ``account_service=down``,
    ``subscription=expired``, ``ingestion=error``,
    ``server.NAME.latency_ms=50``, ``server.NAME.loss=0.3`` (or ``30%``),
    ``server.NAME.down=true``, ``server.NAME=healthy``, with ``*`` as NAME
    for every server.  Values are checked here so a typo is reported with
    the word that caused it; server names are checked by the lab.
    """
    patch: dict[str, Any] = {}
    for assignment in assignments:
        name, sep, raw = assignment.partition("=")
        name, raw = name.strip(), raw.strip()
        if not sep or not name or not raw:
            raise ValueError(f"expected NAME=VALUE, got {assignment!r}")
        if name.startswith("server."):
            server, dot, field = name.removeprefix("server.").partition(".")
            if not server:
                raise ValueError(f"missing server name in {assignment!r}")
            servers: dict[str, Any] = patch.setdefault("servers", {})
            if not dot:
                if raw.lower() not in _SERVER_RESET_WORDS:
                    raise ValueError(f"{name} can only be set to 'healthy'; set a field such as {name}.down=true")
                servers[server] = None
                continue
            if field not in SERVER_FIELDS:
                raise ValueError(
                    f"unknown server condition {field!r} in {assignment!r} (known: {', '.join(sorted(SERVER_FIELDS))})"
                )
            entry = servers.get(server)
            if entry is None:
                entry = servers[server] = {}
            entry[field] = _parse_server_value(field, raw)
        elif name in CONDITION_FIELDS and name != "servers":
            patch[name] = _parse_condition_value(name, raw)
        else:
            known = sorted((CONDITION_FIELDS - {"servers"}) | {"server.NAME.FIELD"})
            raise ValueError(f"unknown condition {name!r} (known: {', '.join(known)})")
    return patch


def _parse_condition_value(name: str, raw: str) -> bool | str:
    if name in _CHOICES:
        value = raw.lower()
        if value not in _CHOICES[name]:
            raise ValueError(f"{name} must be one of {', '.join(_CHOICES[name])} (got {raw!r})")
        return value
    return _parse_bool(name, raw)


def _parse_server_value(field: str, raw: str) -> bool | int | float:
    if field == "down":
        return _parse_bool(field, raw)
    if field == "latency_ms":
        text = raw.lower().removesuffix("ms")
        try:
            latency = int(text)
        except ValueError:
            raise ValueError(f"latency_ms must be a whole number of milliseconds (got {raw!r})") from None
        if not 0 <= latency <= MAX_LATENCY_MS:
            raise ValueError(f"latency_ms must be between 0 and {MAX_LATENCY_MS} (got {raw!r})")
        return latency
    percent = raw.endswith("%")
    try:
        loss = float(raw.removesuffix("%"))
    except ValueError:
        raise ValueError(f"loss must be a number between 0 and 1, or a percentage (got {raw!r})") from None
    if percent:
        loss /= 100
    if math.isnan(loss) or not 0.0 <= loss <= 1.0:
        raise ValueError(f"loss must be between 0 and 1 (got {raw!r})")
    return loss


def _parse_bool(name: str, raw: str) -> bool:
    value = raw.lower()
    true_words, false_words = _FIELD_WORDS.get(name, (frozenset[str](), frozenset[str]()))
    if value in _TRUE_WORDS or value in true_words:
        return True
    if value in _FALSE_WORDS or value in false_words:
        return False
    accepted = sorted(_TRUE_WORDS | _FALSE_WORDS | true_words | false_words)
    raise ValueError(f"{name} must be one of {', '.join(accepted)} (got {raw!r})")
