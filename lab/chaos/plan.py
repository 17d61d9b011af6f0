"""The actions of the fault runner, and the seeded plan that orders them.

A plan is drawn entirely before the run, from one ``random.Random(seed)``
and a model of the world that only the plan itself changes (is the app
running, which lab conditions are on).  It never looks at what the real
processes did, so the same seed and round count give the same actions on
any machine, however fast: a failing seed is reproduced by running it
again.  What an action *does* may still depend on the state it meets (a
toggle turns the VPN on or off); the run's record says what it did.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

import msgspec

from lab.server_catalog import ServerCatalog


class _Action(msgspec.Struct, frozen=True, tag_field="kind"):
    pass


class AppToggle(_Action, frozen=True, tag="app.toggle"):
    """The app's switch, through its inspector (as a click on the toggle)."""


class AppChooseLocation(_Action, frozen=True, tag="app.choose_location"):
    """A location picked in the app: while on, a server switch."""

    country: str
    city: str


class AppDeactivate(_Action, frozen=True, tag="app.deactivate"):
    """Turn the VPN off in the app (the runner's closing step; never drawn by a plan)."""


class AppStart(_Action, frozen=True, tag="app.start"):
    """Start the app (it starts the daemon when none answers)."""


class AppStop(_Action, frozen=True, tag="app.stop"):
    """Quit the app in order (SIGTERM): the VPN session, if any, goes on in the daemon."""


class AppKill(_Action, frozen=True, tag="app.kill"):
    """SIGKILL the app."""


class DaemonKill(_Action, frozen=True, tag="daemon.kill"):
    """SIGKILL the daemon (a running app restarts it)."""


class DaemonStart(_Action, frozen=True, tag="daemon.start"):
    """Start the daemon, as a service manager would (a no-op when one runs)."""


class CtlActivate(_Action, frozen=True, tag="ctl.activate"):
    """``vpnui-ctl activate CC/CITY``: the command-line path, with or without the app."""

    country: str
    city: str


class CtlDeactivate(_Action, frozen=True, tag="ctl.deactivate"):
    """``vpnui-ctl deactivate``."""


class LabSet(_Action, frozen=True, tag="lab.set"):
    """Change the world: ``vpnui-lab set`` assignments."""

    assignments: tuple[str, ...]


class LabReset(_Action, frozen=True, tag="lab.reset"):
    """A healthy world again."""


class Burst(_Action, frozen=True, tag="burst"):
    """``requests`` activate/deactivate requests in a row on one daemon connection, as a script would send."""

    requests: int
    country: str
    city: str


class Wait(_Action, frozen=True, tag="wait"):
    """Let time pass: keepalives, stability changes, idle pushes of the daemon's buffers."""

    seconds: float


Action = (
    AppToggle
    | AppChooseLocation
    | AppDeactivate
    | AppStart
    | AppStop
    | AppKill
    | DaemonKill
    | DaemonStart
    | CtlActivate
    | CtlDeactivate
    | LabSet
    | LabReset
    | Burst
    | Wait
)

APP_TURN_OFF_KINDS: Final = frozenset({"app.toggle", "app.deactivate"})
"""Actions after which the app may legitimately ask the daemon to deactivate (a toggle of a VPN that is not off)."""


def describe(action: Action) -> str:
    """One line a person can read, e.g. ``ctl.activate fr/par``."""
    kind = action.__struct_config__.tag
    match action:
        case AppChooseLocation(country=country, city=city) | CtlActivate(country=country, city=city):
            return f"{kind} {country}/{city}"
        case LabSet(assignments=assignments):
            return f"{kind} {' '.join(assignments)}"
        case Burst(requests=requests, country=country, city=city):
            return f"{kind} {requests} requests to {country}/{city}"
        case Wait(seconds=seconds):
            return f"{kind} {seconds:g} s"
    return str(kind)


def kind_of(action: Action) -> str:
    return str(action.__struct_config__.tag)


# ---------------------------------------------------------------- the plan


@dataclass(frozen=True)
class _Condition:
    """A lab condition the plan can turn on, and the assignments that turn it off again."""

    key: str
    on: tuple[str, ...]
    off: tuple[str, ...]


@dataclass
class _World:
    """What the plan believes: the only state its choices depend on."""

    app_running: bool = True
    conditions: dict[str, _Condition] = field(default_factory=dict)


def _conditions(catalog: ServerCatalog) -> list[_Condition]:
    """Every condition the runner flips, in a fixed order (the plan indexes into it)."""
    menu = [
        _Condition("internet", ("internet=down",), ("internet=up",)),
        _Condition("captive_portal", ("captive_portal=on",), ("captive_portal=off",)),
        _Condition("firewall", ("firewall_blocks_udp=on",), ("firewall_blocks_udp=off",)),
        _Condition("ingestion-down", ("ingestion=down",), ("ingestion=up",)),
        _Condition("ingestion-error", ("ingestion=error",), ("ingestion=up",)),
        _Condition("loss", ("server.*.loss=0.5",), ("server.*.loss=0",)),
        _Condition("latency", ("server.*.latency_ms=500",), ("server.*.latency_ms=0",)),
    ]
    for country in catalog.countries:
        for city in country.cities:
            names = [server.name for server in city.servers]
            menu.append(
                _Condition(
                    f"location:{country.code}/{city.code}",
                    tuple(f"server.{name}.down=true" for name in names),
                    tuple(f"server.{name}.down=false" for name in names),
                )
            )
            for name in names:
                menu.append(_Condition(f"server:{name}", (f"server.{name}.down=true",), (f"server.{name}.down=false",)))
    return menu


# Relative weights of the actions, with the app running and without it.
_WITH_APP: Final[tuple[tuple[str, float], ...]] = (
    ("app.toggle", 6.0),
    ("app.choose_location", 3.0),
    ("app.kill", 1.0),
    ("app.stop", 0.7),
    ("daemon.kill", 1.5),
    ("daemon.start", 0.3),
    ("ctl.activate", 1.5),
    ("ctl.deactivate", 1.0),
    ("lab.set", 4.0),
    ("lab.reset", 0.7),
    ("burst", 0.8),
    ("wait", 1.0),
)
_WITHOUT_APP: Final[tuple[tuple[str, float], ...]] = (
    ("app.start", 5.0),
    ("daemon.kill", 1.0),
    ("daemon.start", 0.7),
    ("ctl.activate", 2.0),
    ("ctl.deactivate", 1.0),
    ("lab.set", 2.0),
    ("lab.reset", 0.5),
    ("burst", 0.8),
    ("wait", 0.5),
)
_WAITS: Final = (1.0, 2.0, 4.0)
MIN_BURST: Final = 2


def make_plan(seed: int, rounds: int, catalog: ServerCatalog, burst_max: int = 10) -> list[Action]:
    """The ``rounds`` actions of seed ``seed``: the same list for the same arguments, always."""
    if rounds < 0:
        raise ValueError("rounds must be >= 0")
    if burst_max < MIN_BURST:
        raise ValueError(f"burst_max must be >= {MIN_BURST}")
    rng = random.Random(seed)
    locations = [(country.code, city.code) for country in catalog.countries for city in country.cities]
    menu = _conditions(catalog)
    world = _World()
    plan: list[Action] = []
    for _ in range(rounds):
        weights = _WITH_APP if world.app_running else _WITHOUT_APP
        kind = rng.choices([name for name, _ in weights], [weight for _, weight in weights])[0]
        plan.append(_draw(kind, rng, world, locations=locations, menu=menu, burst_max=burst_max))
    return plan


def _draw(
    kind: str,
    rng: random.Random,
    world: _World,
    *,
    locations: Sequence[tuple[str, str]],
    menu: Sequence[_Condition],
    burst_max: int,
) -> Action:
    match kind:
        case "app.toggle":
            return AppToggle()
        case "app.choose_location":
            country, city = rng.choice(locations)
            return AppChooseLocation(country=country, city=city)
        case "app.start":
            world.app_running = True
            return AppStart()
        case "app.stop":
            world.app_running = False
            return AppStop()
        case "app.kill":
            world.app_running = False
            return AppKill()
        case "daemon.kill":
            return DaemonKill()
        case "daemon.start":
            return DaemonStart()
        case "ctl.activate":
            country, city = rng.choice(locations)
            return CtlActivate(country=country, city=city)
        case "ctl.deactivate":
            return CtlDeactivate()
        case "lab.reset":
            world.conditions.clear()
            return LabReset()
        case "burst":
            country, city = rng.choice(locations)
            # Even: the burst leaves the VPN as a script's last "deactivate" does.
            requests = 2 * rng.randint(MIN_BURST // 2, burst_max // 2)
            return Burst(requests=requests, country=country, city=city)
        case "wait":
            return Wait(seconds=rng.choice(_WAITS))
        case "lab.set":
            return _flip(rng, world, menu)
    raise AssertionError(f"unknown action kind {kind!r}")  # pragma: no cover


def _flip(rng: random.Random, world: _World, menu: Sequence[_Condition]) -> LabSet:
    """Clear a condition that is on (half the time, when any is), or turn one on."""
    active = sorted(world.conditions)
    if active and rng.random() < 0.5:
        condition = world.conditions.pop(rng.choice(active))
        return LabSet(assignments=condition.off)
    candidates = [condition for condition in menu if condition.key not in world.conditions]
    condition = rng.choice(candidates)
    world.conditions[condition.key] = condition
    return LabSet(assignments=condition.on)


def plan_to_json(plan: Sequence[Action]) -> list[object]:
    built: list[object] = msgspec.to_builtins(list(plan))
    return built
