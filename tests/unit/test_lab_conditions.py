"""The lab's condition model: merging, validation and command-line assignments."""

from __future__ import annotations

from typing import Any

import pytest

from mimic_core.network_conditions import (
    HEALTHY,
    Conditions,
    ServerCondition,
    apply_patch,
    from_builtins,
    parse_assignments,
    to_builtins,
)

SERVERS = ("de-ber-wg-001", "de-ber-wg-002", "fr-par-wg-001")


def patched(patch: object, current: Conditions | None = None) -> Conditions:
    return apply_patch(current if current is not None else Conditions(), patch, SERVERS)


def test_defaults_are_a_healthy_world() -> None:
    conditions = Conditions()
    assert conditions.internet
    assert not conditions.captive_portal
    assert not conditions.firewall_blocks_udp
    assert conditions.account_service == "up"
    assert conditions.subscription == "active"
    assert conditions.ingestion == "up"
    assert conditions.servers == {}
    assert conditions.server("de-ber-wg-001") == HEALTHY


@pytest.mark.parametrize(
    ("patch", "expected"),
    [
        ({"internet": False}, {"internet": False}),
        ({"captive_portal": True}, {"captive_portal": True}),
        ({"firewall_blocks_udp": True}, {"firewall_blocks_udp": True}),
        ({"account_service": "down"}, {"account_service": "down"}),
        ({"subscription": "expired"}, {"subscription": "expired"}),
        ({"subscription": "none"}, {"subscription": "none"}),
        ({"ingestion": "error"}, {"ingestion": "error"}),
        ({}, {}),
    ],
)
def test_top_level_patch_changes_only_what_it_names(patch: dict[str, Any], expected: dict[str, Any]) -> None:
    result = to_builtins(patched(patch))
    assert result == {**to_builtins(Conditions()), **expected}


def test_server_patch_is_deep_merged() -> None:
    first = patched({"servers": {"de-ber-wg-001": {"down": True}}})
    second = patched({"servers": {"de-ber-wg-001": {"latency_ms": 50}}}, first)
    third = patched({"servers": {"fr-par-wg-001": {"loss": 0.25}}, "internet": False}, second)
    assert third.server("de-ber-wg-001") == ServerCondition(down=True, latency_ms=50)
    assert third.server("fr-par-wg-001") == ServerCondition(loss=0.25)
    assert third.server("de-ber-wg-002") == HEALTHY
    assert not third.internet


def test_null_returns_a_server_to_health() -> None:
    sick = patched({"servers": {"de-ber-wg-001": {"down": True, "loss": 0.5}}})
    assert patched({"servers": {"de-ber-wg-001": None}}, sick).servers == {}


def test_a_server_set_back_to_defaults_is_dropped() -> None:
    sick = patched({"servers": {"de-ber-wg-001": {"latency_ms": 80}}})
    healed = patched({"servers": {"de-ber-wg-001": {"latency_ms": 0}}}, sick)
    assert healed.servers == {}


def test_wildcard_applies_to_every_server_then_named_ones_override() -> None:
    result = patched({"servers": {"fr-par-wg-001": {"loss": 0.1}, "*": {"loss": 0.3}}})
    assert result.server("de-ber-wg-001").loss == 0.3
    assert result.server("de-ber-wg-002").loss == 0.3
    assert result.server("fr-par-wg-001").loss == 0.1


def test_wildcard_null_heals_every_server() -> None:
    sick = patched({"servers": {"*": {"down": True}}})
    assert patched({"servers": {"*": None}}, sick).servers == {}


def test_wildcard_needs_the_server_list() -> None:
    with pytest.raises(ValueError, match="server list"):
        apply_patch(Conditions(), {"servers": {"*": {"down": True}}})


def test_server_names_are_not_checked_without_a_server_list() -> None:
    result = apply_patch(Conditions(), {"servers": {"anything": {"down": True}}})
    assert result.server("anything").down


def test_patch_does_not_change_the_original() -> None:
    original = patched({"servers": {"de-ber-wg-001": {"down": True}}})
    patched({"servers": {"de-ber-wg-001": {"latency_ms": 5}}}, original)
    assert original.server("de-ber-wg-001") == ServerCondition(down=True)


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ([], "must be a JSON object"),
        ("internet=down", "must be a JSON object"),
        ({"weather": "rain"}, "unknown condition 'weather'"),
        ({"internet": "down"}, "internet"),
        ({"internet": 0}, "internet"),
        ({"subscription": "gold"}, "subscription"),
        ({"account_service": "sideways"}, "account_service"),
        ({"ingestion": "slow"}, "ingestion"),
        ({"servers": []}, "'servers' must be a JSON object"),
        ({"servers": {"xx-nowhere-001": {"down": True}}}, "unknown server 'xx-nowhere-001'"),
        ({"servers": {"de-ber-wg-001": True}}, "must be a JSON object or null"),
        ({"servers": {"de-ber-wg-001": {"speed": 3}}}, "unknown server condition 'speed'"),
        ({"servers": {"de-ber-wg-001": {"loss": 1.5}}}, "de-ber-wg-001.*loss"),
        ({"servers": {"de-ber-wg-001": {"loss": -0.1}}}, "loss"),
        ({"servers": {"de-ber-wg-001": {"latency_ms": -1}}}, "latency_ms"),
        ({"servers": {"de-ber-wg-001": {"latency_ms": 2.5}}}, "latency_ms"),
        ({"servers": {"de-ber-wg-001": {"down": "yes"}}}, "down"),
    ],
)
def test_invalid_patches_are_refused_with_a_clear_message(patch: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        patched(patch)


def test_reachability_rules() -> None:
    name = "de-ber-wg-001"
    assert Conditions().udp_reaches(name)
    assert Conditions().tcp_reaches(name)
    offline = Conditions(internet=False)
    assert not offline.udp_reaches(name)
    assert not offline.tcp_reaches(name)
    assert not offline.web_reachable()
    portal = Conditions(captive_portal=True)
    assert not portal.udp_reaches(name)
    assert not portal.tcp_reaches(name)
    firewall = Conditions(firewall_blocks_udp=True)
    assert not firewall.udp_reaches(name)
    assert firewall.tcp_reaches(name)
    down = Conditions(servers={name: ServerCondition(down=True)})
    assert not down.udp_reaches(name)
    assert not down.tcp_reaches(name)
    assert down.udp_reaches("de-ber-wg-002")


def test_round_trip_through_builtins() -> None:
    conditions = patched({"captive_portal": True, "servers": {"de-ber-wg-002": {"latency_ms": 30}}})
    assert from_builtins(to_builtins(conditions)) == conditions


# -- command-line assignments -------------------------------------------------


@pytest.mark.parametrize(
    ("assignment", "expected"),
    [
        ("internet=down", {"internet": False}),
        ("internet=up", {"internet": True}),
        ("internet=off", {"internet": False}),
        ("captive_portal=on", {"captive_portal": True}),
        ("captive_portal=off", {"captive_portal": False}),
        ("firewall_blocks_udp=true", {"firewall_blocks_udp": True}),
        ("account_service=down", {"account_service": "down"}),
        ("subscription=expired", {"subscription": "expired"}),
        ("subscription=NONE", {"subscription": "none"}),
        ("ingestion=error", {"ingestion": "error"}),
        ("server.de-ber-wg-001.latency_ms=50", {"servers": {"de-ber-wg-001": {"latency_ms": 50}}}),
        ("server.de-ber-wg-001.latency_ms=50ms", {"servers": {"de-ber-wg-001": {"latency_ms": 50}}}),
        ("server.de-ber-wg-001.down=true", {"servers": {"de-ber-wg-001": {"down": True}}}),
        ("server.de-ber-wg-001.down=up", {"servers": {"de-ber-wg-001": {"down": False}}}),
        ("server.*.loss=0.3", {"servers": {"*": {"loss": 0.3}}}),
        ("server.*.loss=25%", {"servers": {"*": {"loss": 0.25}}}),
        ("server.de-ber-wg-001=healthy", {"servers": {"de-ber-wg-001": None}}),
    ],
)
def test_single_assignments(assignment: str, expected: dict[str, Any]) -> None:
    assert parse_assignments([assignment]) == expected


def test_several_assignments_make_one_patch() -> None:
    patch = parse_assignments(
        [
            "internet=down",
            "server.de-ber-wg-001.latency_ms=50",
            "server.de-ber-wg-001.down=true",
            "server.fr-par-wg-001.loss=0.5",
        ]
    )
    assert patch == {
        "internet": False,
        "servers": {"de-ber-wg-001": {"latency_ms": 50, "down": True}, "fr-par-wg-001": {"loss": 0.5}},
    }


def test_assignments_apply_as_a_patch() -> None:
    result = patched(parse_assignments(["server.*.loss=0.3", "server.de-ber-wg-002.loss=0"]))
    assert result.server("de-ber-wg-001").loss == 0.3
    assert result.server("de-ber-wg-002") == HEALTHY


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        ("internet", "NAME=VALUE"),
        ("=down", "NAME=VALUE"),
        ("internet=", "NAME=VALUE"),
        ("internet=maybe", "internet must be one of"),
        ("captive_portal=up", "captive_portal must be one of"),
        ("subscription=gold", "subscription must be one of active, expired, none"),
        ("weather=rain", "unknown condition 'weather'"),
        ("servers=x", "unknown condition 'servers'"),
        ("server..down=true", "missing server name"),
        ("server.de-ber-wg-001=down", "can only be set to 'healthy'"),
        ("server.de-ber-wg-001.speed=3", "unknown server condition 'speed'"),
        ("server.de-ber-wg-001.latency_ms=fast", "whole number"),
        ("server.de-ber-wg-001.latency_ms=-5", "between 0 and"),
        ("server.de-ber-wg-001.loss=2", "between 0 and 1"),
        ("server.de-ber-wg-001.loss=nan", "between 0 and 1"),
        ("server.de-ber-wg-001.loss=lots", "loss must be a number"),
        ("server.de-ber-wg-001.down=sometimes", "down must be one of"),
    ],
)
def test_invalid_assignments_name_the_problem(assignment: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_assignments([assignment])
