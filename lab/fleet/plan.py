"""Who the fleet's clients are and what each does when: drawn entirely from the seed, before the run.

A client has a profile and a timeline: the fault runner's actions
(``lab.chaos.plan``) at planned offsets from the start of the run.

* **desktop**: the app is open throughout; the user turns the VPN on and
  off in it, now and then picking another location.
* **mobile**: the app is closed most of the time.  Sessions are started
  with ``vpnui-ctl`` (the daemon alone, the app never sees them), or in the
  app, which is then closed while the daemon goes on with the session; the
  app is opened now and then.  The daemon may be started on its own first,
  as a service manager would.
* **unlucky**: sessions in the app or from the command line, cut short by
  a SIGKILL of the app or the daemon, then picked up again.

The lab is one world for every client, so a fault of the world is every
client's.  The fleet draws its network faults on the unlucky clients'
own locations (a location or one server down, 50 % loss, 500 ms latency)
and ingestion outages (down, failing with 500), which a real pipeline
shares between all its clients anyway.  Internet, captive portal and
firewall conditions would cut every client off at once, so the fleet does
not draw them: ``vpnui-lab chaos`` covers them, one installation at a time.

Every client and the world draw from a ``random.Random`` of their own,
seeded from the run's seed and their name, so a seed always gives the same
plan on any machine.  Offsets are planned times: a slow machine makes actions late
(the result says how late), never different.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Final, Literal, get_args

import msgspec

from lab.chaos.plan import (
    Action,
    AppChooseLocation,
    AppDeactivate,
    AppKill,
    AppStart,
    AppStop,
    AppToggle,
    CtlActivate,
    CtlDeactivate,
    DaemonKill,
    DaemonStart,
    LabSet,
    describe,
    kind_of,
)
from lab.server_catalog import ServerCatalog

Profile = Literal["desktop", "mobile", "unlucky"]
PROFILES: Final[tuple[Profile, ...]] = get_args(Profile)
SHARES: Final[dict[Profile, float]] = {"desktop": 0.4, "mobile": 0.35, "unlucky": 0.25}
"""The fleet's mix; with 3 clients or more every profile has at least one."""

Location = tuple[str, str]

MIN_GAP_S: Final = 2.0
"""Planned time between two actions of a client: each is followed by a wait until the processes are at rest."""


class Timed(msgspec.Struct, frozen=True):
    at_s: float
    """Offset from the start of the run, in seconds."""
    action: Action


class ClientPlan(msgspec.Struct, frozen=True):
    name: str
    """``c01``, ``c02``, ...: also the name of its home under the fleet's folder."""
    profile: Profile
    locations: list[Location]
    """The locations this client uses (the unlucky ones have their own, where the network faults are)."""
    timeline: list[Timed]


class FleetPlan(msgspec.Struct, frozen=True):
    seed: int
    duration_s: float
    clients: list[ClientPlan]
    world: list[Timed]
    """Lab conditions turned on and off again (never drawn without an unlucky client)."""

    def profile_counts(self) -> dict[Profile, int]:
        counts = Counter(client.profile for client in self.clients)
        return {profile: counts[profile] for profile in PROFILES}

    def action_counts(self) -> dict[str, int]:
        counts = Counter(kind_of(step.action) for client in self.clients for step in client.timeline)
        return dict(sorted(counts.items()))


def client_name(index: int) -> str:
    return f"c{index + 1:02d}"


def profile_mix(clients: int, seed: int) -> list[Profile]:
    """The profile of each client: ``SHARES`` of ``clients`` (largest remainders), in an order drawn from ``seed``."""
    if clients < 0:
        raise ValueError("the number of clients must be >= 0")
    exact = {profile: SHARES[profile] * clients for profile in PROFILES}
    counts = {profile: int(share) for profile, share in exact.items()}
    by_remainder = sorted(PROFILES, key=lambda profile: (-(exact[profile] - counts[profile]), PROFILES.index(profile)))
    for profile in by_remainder[: clients - sum(counts.values())]:
        counts[profile] += 1
    if clients >= len(PROFILES):
        # Every profile present: take from the largest for any that got none.
        for profile in PROFILES:
            if counts[profile] == 0:
                counts[max(PROFILES, key=lambda other: counts[other])] -= 1
                counts[profile] = 1
    mix = [profile for profile in PROFILES for _ in range(counts[profile])]
    random.Random(f"fleet:{seed}:profiles").shuffle(mix)
    return mix


def split_locations(catalog: ServerCatalog) -> tuple[list[Location], list[Location]]:
    """(the healthy clients' locations, the unlucky clients' own): the last third of the catalog's are the unlucky's.

    With a single location there is nothing to set apart, and the fleet
    then draws no server faults (they would hit every client).
    """
    every = [(country.code, city.code) for country in catalog.countries for city in country.cities]
    if len(every) < 2:
        return every, []
    unlucky = max(1, len(every) // 3)
    return every[:-unlucky], every[-unlucky:]


def make_fleet_plan(seed: int, clients: int, duration_s: float, catalog: ServerCatalog) -> FleetPlan:
    """The plan of seed ``seed``: the same for the same arguments, always."""
    if duration_s <= 0:
        raise ValueError("the duration must be > 0")
    healthy, unlucky = split_locations(catalog)
    plans: list[ClientPlan] = []
    for index, profile in enumerate(profile_mix(clients, seed)):
        name = client_name(index)
        rng = random.Random(f"fleet:{seed}:{name}")
        pool = unlucky if profile == "unlucky" and unlucky else healthy
        own = rng.sample(pool, min(len(pool), 2))
        timeline = _DRAW[profile](_Timeline(rng, duration_s), own)
        plans.append(ClientPlan(name=name, profile=profile, locations=own, timeline=timeline))
    world: list[Timed] = []
    if any(plan.profile == "unlucky" for plan in plans):
        world = _world(random.Random(f"fleet:{seed}:world"), duration_s, catalog, unlucky)
    return FleetPlan(seed=seed, duration_s=duration_s, clients=plans, world=world)


# --------------------------------------------------------------- timelines


class _Timeline:
    """The actions of one client as they are drawn, and the clock of the draw."""

    def __init__(self, rng: random.Random, duration_s: float) -> None:
        self.rng = rng
        self.duration_s = duration_s
        self.now = rng.uniform(0.0, 0.1 * duration_s)
        self.steps: list[Timed] = []

    def span(self, low: float, high: float, floor: float, ceiling: float) -> float:
        """A random span of ``low``..``high`` of the run's duration, kept within ``floor``..``ceiling`` seconds."""
        return min(max(self.rng.uniform(low, high) * self.duration_s, floor), ceiling)

    def open(self) -> bool:
        """Whether there is time left in the run for another action."""
        return self.now < self.duration_s

    def add(self, action: Action, after: float = MIN_GAP_S) -> None:
        self.steps.append(Timed(round(self.now, 2), action))
        self.now += after

    def wait(self, seconds: float) -> None:
        self.now += seconds


def _session_span(line: _Timeline) -> float:
    return line.span(0.08, 0.3, 5.0, 150.0)


def _pause(line: _Timeline) -> float:
    return line.span(0.04, 0.15, 3.0, 60.0)


def _desktop(line: _Timeline, own: Sequence[Location]) -> list[Timed]:
    rng = line.rng
    line.add(AppStart())
    line.add(AppChooseLocation(*own[0]))
    while True:
        line.wait(_pause(line))
        if not line.open():
            break
        line.add(AppToggle())  # on: the model's VPN is off here
        on_for = _session_span(line)
        if len(own) > 1 and rng.random() < 0.3:
            # A server switch while on, half-way through the session.
            line.wait(on_for / 2)
            line.add(AppChooseLocation(*rng.choice(own[1:])))
            line.wait(on_for / 2)
        else:
            line.wait(on_for)
        if not line.open():
            break
        line.add(AppDeactivate())
    return line.steps


def _mobile(line: _Timeline, own: Sequence[Location]) -> list[Timed]:
    rng = line.rng
    if rng.random() < 0.5:
        line.add(DaemonStart())  # the service manager starts it at boot
    while line.open():
        location = rng.choice(own)
        kind = rng.choices(("ctl", "glance", "outlived"), (0.45, 0.25, 0.3))[0]
        if kind == "ctl":
            line.add(CtlActivate(*location))
            line.wait(_session_span(line))
            if line.open():
                line.add(CtlDeactivate())
        elif kind == "glance":
            line.add(AppStart())
            line.wait(line.span(0.03, 0.1, 3.0, 30.0))
            line.add(AppStop())
        else:
            # Turned on in the app, which is closed: the daemon goes on alone.
            line.add(AppStart())
            line.add(AppChooseLocation(*location))
            line.add(AppToggle())
            line.add(AppStop())
            line.wait(_session_span(line))
            if line.open():
                if rng.random() < 0.5:
                    line.add(CtlDeactivate())
                else:
                    line.add(AppStart())
                    line.add(AppDeactivate())
                    line.add(AppStop())
        line.wait(_pause(line))
    return line.steps


def _unlucky(line: _Timeline, own: Sequence[Location]) -> list[Timed]:
    rng = line.rng
    app_running = False
    while line.open():
        location = rng.choice(own)
        if rng.random() < 0.55:
            if not app_running:
                line.add(AppStart())
                app_running = True
            line.add(AppChooseLocation(*location))
            line.add(AppToggle())
            line.wait(_session_span(line) / 2)
            if rng.random() < 0.5:
                line.add(AppKill())
                line.wait(_pause(line))
                line.add(AppStart())  # its flush_init closes the session for the app
            else:
                line.add(DaemonKill())  # the running app starts another daemon
            line.wait(_session_span(line) / 2)
            line.add(AppDeactivate())
            if rng.random() < 0.5:
                line.add(AppStop())
                app_running = False
        else:
            if app_running and rng.random() < 0.5:
                line.add(AppKill())
                app_running = False
            line.add(CtlActivate(*location))
            line.wait(_session_span(line) / 2)
            line.add(DaemonKill())
            line.wait(_pause(line))
            # A new daemon: the killed session's flush_init, then a new session.
            line.add(CtlActivate(*location))
            line.wait(_session_span(line) / 2)
            line.add(CtlDeactivate())
        line.wait(_pause(line))
    return line.steps


_DRAW: Final[dict[Profile, Callable[[_Timeline, Sequence[Location]], list[Timed]]]] = {
    "desktop": _desktop,
    "mobile": _mobile,
    "unlucky": _unlucky,
}


# ------------------------------------------------------------------- world


def _faults(catalog: ServerCatalog, unlucky: Sequence[Location]) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """(assignments that turn a fault on, those that turn it off), in a fixed order."""
    menu: list[tuple[tuple[str, ...], tuple[str, ...]]] = [
        (("ingestion=down",), ("ingestion=up",)),
        (("ingestion=error",), ("ingestion=up",)),
    ]
    servers = {
        (country.code, city.code): [server.name for server in city.servers]
        for country in catalog.countries
        for city in country.cities
    }
    for location in unlucky:
        names = servers[location]
        menu.append((tuple(f"server.{n}.down=true" for n in names), tuple(f"server.{n}.down=false" for n in names)))
        menu.append(((f"server.{names[0]}.down=true",), (f"server.{names[0]}.down=false",)))
        menu.append((tuple(f"server.{n}.loss=0.5" for n in names), tuple(f"server.{n}.loss=0" for n in names)))
        menu.append(
            (tuple(f"server.{n}.latency_ms=500" for n in names), tuple(f"server.{n}.latency_ms=0" for n in names))
        )
    return menu


def _world(rng: random.Random, duration_s: float, catalog: ServerCatalog, unlucky: Sequence[Location]) -> list[Timed]:
    """Faults one after the other, each on for a while, from a tenth of the run to well before its end."""
    menu = _faults(catalog, unlucky)
    line = _Timeline(rng, duration_s)
    line.now = 0.1 * duration_s
    while line.now < 0.85 * duration_s:
        on, off = rng.choice(menu)
        line.add(LabSet(assignments=on), after=0.0)
        line.wait(line.span(0.05, 0.15, 4.0, 60.0))
        line.add(LabSet(assignments=off), after=0.0)
        line.wait(line.span(0.05, 0.2, 3.0, 90.0))
    return line.steps


# ----------------------------------------------------------------- summary


def _where(locations: Sequence[Location]) -> str:
    return ", ".join(f"{country}/{city}" for country, city in locations)


def summary_lines(plan: FleetPlan) -> list[str]:
    """The plan in a few lines: the mix, each client's profile, places and actions, the world's faults."""
    counts = plan.profile_counts()
    actions = plan.action_counts()
    lines = [
        f"Plan of seed {plan.seed}: {len(plan.clients)} clients ("
        + ", ".join(f"{profile} {count}" for profile, count in counts.items())
        + f"), {plan.duration_s:g} s; {sum(actions.values())} client actions ("
        + ", ".join(f"{kind} {count}" for kind, count in actions.items())
        + f"), {len(plan.world) // 2} world faults",
    ]
    for client in plan.clients:
        kinds = Counter(kind_of(step.action) for step in client.timeline)
        lines.append(
            f"  {client.name} {client.profile:<7} {_where(client.locations):<16} {len(client.timeline):>3} actions: "
            + ", ".join(f"{kind} {count}" for kind, count in sorted(kinds.items()))
        )
    for on in plan.world[::2]:
        lines.append(f"  world at {on.at_s:>6.1f} s: {describe(on.action)}")
    return lines


def timeline_lines(plan: FleetPlan) -> list[str]:
    """Every planned action in time order (``--plan``)."""
    rows = [(step.at_s, client.name, describe(step.action)) for client in plan.clients for step in client.timeline]
    rows += [(step.at_s, "world", describe(step.action)) for step in plan.world]
    return [f"{at:>7.1f} s  {who:<5}  {what}" for at, who, what in sorted(rows)]
