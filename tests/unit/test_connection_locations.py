"""The rows of the location list: latency tiers, the selected and the recent locations."""

from __future__ import annotations

import msgspec
import pytest

from vpnui.connection.locations import LatencyTier, latency_tier, location_rows
from vpnui.connection.server_list import ServerList

SERVERS = msgspec.convert(
    {
        "countries": [
            {
                "name": "Germany",
                "code": "de",
                "cities": [
                    {"name": "Berlin", "code": "ber", "servers": [{"name": "b1", "host": "h", "udp_port": 1}]},
                    {"name": "Frankfurt", "code": "fra", "servers": []},
                ],
            },
            {
                "name": "Brazil",
                "code": "br",
                "cities": [{"name": "São Paulo", "code": "sao", "servers": []}],
            },
        ]
    },
    ServerList,
)


@pytest.mark.parametrize(
    ("probed", "latency_ms", "tier"),
    [
        (False, None, LatencyTier.Unknown),
        (False, 12.0, LatencyTier.Unknown),
        (True, None, LatencyTier.Unavailable),
        (True, 0.2, LatencyTier.Good),
        (True, 99.9, LatencyTier.Good),
        (True, 100.0, LatencyTier.Moderate),
        (True, 249.9, LatencyTier.Moderate),
        (True, 250.0, LatencyTier.Poor),
        (True, 4000.0, LatencyTier.Poor),
    ],
)
def test_latency_tiers(probed: bool, latency_ms: float | None, tier: LatencyTier) -> None:
    assert latency_tier(probed, latency_ms) is tier


def test_rows_follow_the_server_list_with_names_as_given() -> None:
    rows = location_rows(SERVERS, {}, ("de", "fra"), [])
    assert [row.key for row in rows] == [("de", "ber"), ("de", "fra"), ("br", "sao")]
    assert rows[2].name == "São Paulo, Brazil"
    assert [row.servers for row in rows] == [1, 0, 0]


def test_only_the_selected_row_is_selected() -> None:
    rows = location_rows(SERVERS, {}, ("de", "fra"), [])
    assert [row.selected for row in rows] == [False, True, False]


def test_scores_make_latency_and_tier_and_no_answer_is_not_unprobed() -> None:
    rows = location_rows(SERVERS, {("de", "ber"): 31.5, ("br", "sao"): None}, ("de", "ber"), [])
    assert [(row.latency_ms, row.latency_tier) for row in rows] == [
        (31.5, LatencyTier.Good),
        (-1.0, LatencyTier.Unknown),
        (-1.0, LatencyTier.Unavailable),
    ]


def test_recent_locations_are_ranked_newest_first_and_unknown_ones_ignored() -> None:
    recent = [("br", "sao"), ("xx", "gone"), ("de", "ber")]
    rows = location_rows(SERVERS, {}, ("de", "ber"), recent)
    assert [(row.recent, row.recent_rank) for row in rows] == [(True, 2), (False, -1), (True, 0)]


def test_no_server_list_no_rows() -> None:
    assert location_rows(None, {}, ("de", "ber"), [("de", "ber")]) == []
