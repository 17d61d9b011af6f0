"""The fault runner's plan (lab/chaos/plan.py): one seed, one sequence of actions."""

from __future__ import annotations

import subprocess
import sys

import msgspec
import pytest

from lab.chaos.plan import Action, Burst, describe, kind_of, make_plan
from lab.daemon_process import REPO_ROOT
from lab.server_catalog import load_catalog

CATALOG = load_catalog()
NEEDS_THE_APP = frozenset({"app.toggle", "app.choose_location", "app.kill", "app.stop"})


def test_the_same_seed_gives_the_same_actions_and_another_seed_others() -> None:
    assert make_plan(11, 200, CATALOG) == make_plan(11, 200, CATALOG)
    assert make_plan(11, 200, CATALOG) != make_plan(12, 200, CATALOG)
    # A shorter run is the start of a longer one: a failing step reproduces with fewer rounds.
    assert make_plan(11, 50, CATALOG) == make_plan(11, 200, CATALOG)[:50]


def test_a_plan_never_drives_an_app_it_has_stopped() -> None:
    running = True
    for action in make_plan(3, 2000, CATALOG):
        kind = kind_of(action)
        assert not (kind in NEEDS_THE_APP and not running), f"{kind} with the app stopped"
        assert not (kind == "app.start" and running), "app.start with the app running"
        running = {"app.start": True, "app.kill": False, "app.stop": False}.get(kind, running)


def test_every_kind_of_action_occurs_and_bursts_stay_within_bounds() -> None:
    plan = make_plan(5, 2000, CATALOG, burst_max=12)
    kinds = {kind_of(action) for action in plan}
    assert kinds >= {
        "app.toggle",
        "app.choose_location",
        "app.start",
        "app.stop",
        "app.kill",
        "daemon.kill",
        "daemon.start",
        "ctl.activate",
        "ctl.deactivate",
        "lab.set",
        "lab.reset",
        "burst",
        "wait",
    }
    bursts = [action for action in plan if isinstance(action, Burst)]
    assert all(2 <= burst.requests <= 12 and burst.requests % 2 == 0 for burst in bursts)
    assert {describe(action).split()[0] for action in plan} == kinds


def test_a_plan_survives_json() -> None:
    plan = make_plan(9, 100, CATALOG)
    assert msgspec.json.decode(msgspec.json.encode(plan), type=list[Action]) == plan


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError):
        make_plan(1, -1, CATALOG)
    with pytest.raises(ValueError):
        make_plan(1, 10, CATALOG, burst_max=1)


def test_the_command_line_prints_the_plan_of_a_seed() -> None:
    def plan_lines() -> str:
        return subprocess.run(
            [sys.executable, "-m", "lab", "chaos", "--seed", "42", "--rounds", "30", "--plan"],
            capture_output=True,
            text=True,
            cwd=REPO_ROOT,
            timeout=60,
            check=True,
        ).stdout

    first = plan_lines()
    assert first == plan_lines()
    assert first.splitlines() == [
        "seed 42, 30 rounds:",
        *(f"{index:>3}. {describe(action)}" for index, action in enumerate(make_plan(42, 30, CATALOG), 1)),
    ]
