"""The fleet's plan, tags, limits and attribution: pure logic, no processes."""

from __future__ import annotations

import io
from collections import Counter

import msgspec
import pytest

from lab.chaos.plan import AppStart, LabSet, kind_of
from lab.chaos.record import RunRecord, Signalled
from lab.cli import main
from lab.fleet.attribution import attribute, for_checks, with_debug_tag
from lab.fleet.limits import Limits
from lab.fleet.plan import (
    PROFILES,
    make_fleet_plan,
    profile_mix,
    split_locations,
    summary_lines,
    timeline_lines,
)
from lab.fleet.progress import ProgressDisplay
from lab.fleet.retrieval import retrieval_errors
from lab.fleet.tags import TagError, check_tag, default_tag, glean_environment
from lab.server_catalog import DEFAULT_CATALOG, load_catalog
from mimic_core.lab_api import StoredPing

CATALOG = load_catalog(DEFAULT_CATALOG)


def encoded(seed: int, clients: int, duration_s: float) -> bytes:
    return msgspec.json.encode(make_fleet_plan(seed, clients, duration_s, CATALOG))


def test_a_seed_always_gives_the_same_plan() -> None:
    assert encoded(7, 20, 600) == encoded(7, 20, 600)
    assert summary_lines(make_fleet_plan(7, 20, 600, CATALOG)) == summary_lines(make_fleet_plan(7, 20, 600, CATALOG))


def test_another_seed_gives_another_plan() -> None:
    assert encoded(7, 20, 600) != encoded(8, 20, 600)


@pytest.mark.parametrize("clients", [3, 4, 7, 20, 41])
def test_every_profile_is_present_and_the_mix_follows_the_shares(clients: int) -> None:
    mix = Counter(profile_mix(clients, seed=1))
    assert sum(mix.values()) == clients
    assert all(mix[profile] >= 1 for profile in PROFILES)
    assert mix["desktop"] >= mix["unlucky"]


def test_a_tiny_fleet_has_one_client_of_each_profile() -> None:
    plan = make_fleet_plan(1, 3, 30, CATALOG)
    assert sorted(client.profile for client in plan.clients) == sorted(PROFILES)


def test_profiles_behave_as_described() -> None:
    plan = make_fleet_plan(11, 30, 600, CATALOG)
    for client in plan.clients:
        kinds = Counter(kind_of(step.action) for step in client.timeline)
        times = [step.at_s for step in client.timeline]
        assert times == sorted(times), client.name
        if client.profile == "desktop":
            # Open once, at the start, and never closed or killed.
            assert client.timeline[0].action == AppStart()
            assert kinds["app.start"] == 1 and not kinds["app.stop"] and not kinds["app.kill"]
            assert not kinds["daemon.kill"] and not kinds["ctl.activate"]
        elif client.profile == "mobile":
            assert not kinds["app.kill"] and not kinds["daemon.kill"]
            assert kinds["app.stop"] >= 1 or kinds["ctl.activate"] >= 1
        else:
            assert kinds["app.kill"] + kinds["daemon.kill"] >= 1
    mobile_ctl = sum(
        kind_of(step.action) == "ctl.activate"
        for client in plan.clients
        if client.profile == "mobile"
        for step in client.timeline
    )
    assert mobile_ctl >= 1, "some mobile session is started from the command line"


def test_network_faults_hit_only_the_unlucky_clients_locations() -> None:
    healthy, unlucky = split_locations(CATALOG)
    assert unlucky and not set(healthy) & set(unlucky)
    plan = make_fleet_plan(3, 20, 600, CATALOG)
    unlucky_servers = {
        server.name
        for country in CATALOG.countries
        for city in country.cities
        if (country.code, city.code) in unlucky
        for server in city.servers
    }
    assert plan.world, "an unlucky client brings world faults"
    for step in plan.world:
        assert isinstance(step.action, LabSet)
        for assignment in step.action.assignments:
            if assignment.startswith("server."):
                assert assignment.split(".")[1] in unlucky_servers, assignment
            else:
                assert assignment.startswith("ingestion="), assignment
    for client in plan.clients:
        pool = unlucky if client.profile == "unlucky" else healthy
        assert set(client.locations) <= set(pool)


def test_without_an_unlucky_client_the_world_stays_healthy() -> None:
    plan = make_fleet_plan(5, 2, 120, CATALOG)
    assert "unlucky" not in {client.profile for client in plan.clients}
    assert plan.world == []


def test_every_fault_is_turned_off_again_before_the_run_ends() -> None:
    plan = make_fleet_plan(9, 10, 300, CATALOG)
    assert len(plan.world) % 2 == 0
    for on, off in zip(plan.world[::2], plan.world[1::2], strict=True):
        assert on.at_s <= off.at_s < plan.duration_s


def test_the_plan_is_printed_in_time_order() -> None:
    plan = make_fleet_plan(2, 4, 60, CATALOG)
    lines = timeline_lines(plan)
    assert len(lines) == sum(len(c.timeline) for c in plan.clients) + len(plan.world)
    assert [float(line.split()[0]) for line in lines] == sorted(float(line.split()[0]) for line in lines)


@pytest.mark.parametrize("tag", ["fleet-7-165301", "a", "A-b-9", "x" * 20])
def test_tags_glean_accepts_pass(tag: str) -> None:
    assert check_tag(tag) == tag


@pytest.mark.parametrize("tag", ["", "x" * 21, "has space", "under_score", "ünï"])
def test_tags_glean_would_ignore_are_refused_with_the_rule(tag: str) -> None:
    with pytest.raises(TagError, match="1 to 20 letters, digits or dashes"):
        check_tag(tag)


@pytest.mark.parametrize("seed", [0, 7, 123456, 2**31 - 1, -5, 10**15])
def test_the_default_tag_names_the_seed_and_fits(seed: int) -> None:
    tag = default_tag(seed, at=0.0)
    assert check_tag(tag) == tag
    assert str(seed % 10**12) in tag or str(seed) in tag


def test_source_tags_are_set_only_for_automation() -> None:
    assert glean_environment("t-1", automation=True) == {
        "GLEAN_DEBUG_VIEW_TAG": "t-1",
        "GLEAN_SOURCE_TAGS": "automation",
    }
    # None unsets a source tag inherited from the shell.
    assert glean_environment("t-1", automation=False) == {"GLEAN_DEBUG_VIEW_TAG": "t-1", "GLEAN_SOURCE_TAGS": None}


def test_limits_follow_the_machine() -> None:
    assert Limits.for_machine(2, 24_000) == Limits(max_starting=1, max_apps=16)
    assert Limits.for_machine(8, 2_000) == Limits(max_starting=4, max_apps=5)
    assert Limits.for_machine(1, None) == Limits(max_starting=1, max_apps=8)
    assert Limits.for_machine(1, 100) == Limits(max_starting=1, max_apps=1)


def stored(document_id: str, client_id: str, headers: dict[str, str]) -> StoredPing:
    return StoredPing(
        document_id=document_id,
        app="mimic-vpn",
        ping="vpnsession",
        version="1",
        received_at="2026-12-01T10:00:00+00:00",
        headers=headers,
        payload={"client_info": {"client_id": client_id}, "ping_info": {"seq": 0}},
    )


def test_pings_are_attributed_by_glean_client_id() -> None:
    pings = [
        stored("d1", "app-a", {}),
        stored("d2", "daemon-a", {}),
        stored("d3", "app-b", {}),
        stored("d4", "stranger", {}),
    ]
    found = attribute(pings, {"c01": ["app-a", "daemon-a"], "c02": ["app-b", None]})
    assert [p.document_id for p in found.by_client["c01"]] == ["d1", "d2"]
    assert [p.document_id for p in found.by_client["c02"]] == ["d3"]
    assert [p.document_id for p in found.unattributed] == ["d4"]


def test_the_run_s_pings_are_those_with_its_debug_tag() -> None:
    pings = [
        stored("d1", "a", {"x_debug_id": "run-1"}),
        stored("d2", "a", {"x_debug_id": "run-2"}),
        stored("d3", "a", {}),
    ]
    tagged, others = with_debug_tag(pings, "run-1")
    assert [p.document_id for p in tagged] == ["d1"] and others == 2


def test_source_tags_are_set_aside_for_the_checks_and_nothing_else() -> None:
    ping = stored("d1", "a", {"x_debug_id": "run-1", "x_source_tags": "automation"})
    (checked,) = for_checks([ping])
    assert checked.headers == {"x_debug_id": "run-1"}
    assert checked.payload == ping.payload and checked.document_id == ping.document_id


def failed_retrieval(document_id: str, start: str, end: str) -> StoredPing:
    return StoredPing(
        document_id=document_id,
        app="mimic-vpn",
        ping="vpnsession",
        version="1",
        received_at=end,
        headers={},
        payload={
            "ping_info": {"seq": 3, "reason": "start", "start_time": start, "end_time": end},
            "metrics": {"labeled_counter": {"session.session_id_retrieval_errors": {"no_daemon": 1, "timeout": 0}}},
        },
    )


def test_a_failed_retrieval_is_explained_only_by_a_kill_of_the_client_s_daemon_around_it() -> None:
    at = 1_800_000_000.0  # 2027-01-15T08:00:00+00:00
    record = RunRecord(
        seed=1,
        rounds=1,
        started_at=at - 100,
        signalled=[
            Signalled(process="daemon", pid=41, at=at - 5, signal="SIGKILL", step=4),
            Signalled(process="app", pid=42, at=at + 200, signal="SIGKILL", step=9),
        ],
    )
    pings = [
        failed_retrieval("near", "2027-01-15T08:00:00+00:00", "2027-01-15T08:00:01+00:00"),
        failed_retrieval("far", "2027-01-15T08:03:00+00:00", "2027-01-15T08:03:20+00:00"),
        stored("clean", "a", {}),
    ]
    found = {error.document_id: error for error in retrieval_errors("c07", pings, record)}
    assert set(found) == {"near", "far"}
    assert found["near"].causes == {"no_daemon": 1}
    assert found["near"].explained_by == "daemon pid 41 SIGKILLed in step 4"
    # The app's SIGKILL near the second one is no daemon down.
    assert found["far"].explained_by == ""


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_a_line_a_second_to_a_file_and_a_bar_on_a_terminal() -> None:
    plain = io.StringIO()
    with ProgressDisplay(plain) as display:
        display.update(3, 10, "00:03/00:10 running: [app slots] 1/16")
    assert plain.getvalue() == "00:03/00:10 running: [app slots] 1/16\n"
    terminal = _Terminal()
    with ProgressDisplay(terminal) as display:
        display.note("folder /tmp/x")
        display.update(3, 10, "00:03/00:10 running: [app slots] 1/16")
    drawn = terminal.getvalue()
    # The line beside the bar, its brackets shown as they are (not taken as markup).
    assert "folder /tmp/x" in drawn and "[app slots] 1/16" in drawn and "━" in drawn


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--clients", "0"], "--clients must be >= 1"),
        (["--clients", "3", "--seconds", "-2"], "the duration must be > 0"),
        (["--clients", "3", "--debug-tag", "bad_tag!"], "is not 1 to 20 letters, digits or dashes"),
        (["--clients", "3", "--max-apps", "0"], "--max-apps must be >= 1"),
    ],
)
def test_the_fleet_command_refuses_bad_input_before_starting_anything(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["fleet", *args]) == 1
    assert message in capsys.readouterr().err
