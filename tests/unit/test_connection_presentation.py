"""Every state, check and failure has words, and the right ones."""

from __future__ import annotations

import pytest

from vpnui.connection.machine import Snapshot
from vpnui.connection.presentation import (
    FAILURE_KEYS,
    check_subtitle,
    failure_detail,
    failure_title,
    format_bytes,
    format_elapsed,
    moved_notice,
    status_text,
)
from vpnui.connection.states import ConnectionState, FailureCause, VPNClientState


@pytest.mark.parametrize("state", list(VPNClientState))
def test_every_client_state_has_a_title_and_subtitle(state: VPNClientState) -> None:
    title, subtitle = status_text(Snapshot(client_state=state), "Berlin, Germany", "")
    assert title and subtitle


@pytest.mark.parametrize(
    ("state", "title"),
    [
        (VPNClientState.Off, "VPN is off"),
        (VPNClientState.Connecting, "Connecting…"),
        (VPNClientState.On, "VPN is on"),
        (VPNClientState.Disconnecting, "Disconnecting…"),
        (VPNClientState.Switching, "Switching…"),
    ],
)
def test_titles(state: VPNClientState, title: str) -> None:
    assert status_text(Snapshot(client_state=state), "Paris, France", "")[0] == title


def test_on_names_the_location() -> None:
    assert "Paris, France" in status_text(Snapshot(client_state=VPNClientState.On), "Paris, France", "")[1]


def test_unstable_subtitle_gives_the_reason() -> None:
    snapshot = Snapshot(client_state=VPNClientState.On, connection_state=ConnectionState.Unstable, unstable=True)
    assert "High packet loss (40%)" in status_text(snapshot, "x", "High packet loss (40%)")[1]


@pytest.mark.parametrize("cause", list(FailureCause))
def test_every_failure_has_key_title_detail(cause: FailureCause) -> None:
    assert FAILURE_KEYS[cause] and failure_title(cause) and failure_detail(cause)
    off = status_text(Snapshot(client_state=VPNClientState.Off, failure=cause), "x", "")[1]
    on = status_text(Snapshot(client_state=VPNClientState.On, failure=cause), "x", "")[1]
    assert failure_title(cause) in off and failure_title(cause) in on


def test_failure_keys_are_distinct() -> None:
    assert len(set(FAILURE_KEYS.values())) == len(FailureCause)


def test_expired_and_missing_subscriptions_read_differently() -> None:
    assert "expired" in failure_detail(FailureCause.NoSubscription, "expired")
    assert "No subscription was found" in failure_detail(FailureCause.NoSubscription, "none")


@pytest.mark.parametrize(
    ("state", "needle"),
    [
        (ConnectionState.InternetProbe, "internet"),
        (ConnectionState.CaptivePortal, "sign-in"),
        (ConnectionState.CheckSubscription, "subscription"),
        (ConnectionState.Firewall, "blocks VPN"),
        (ConnectionState.ServerProbe, "Tokyo"),
    ],
)
def test_each_running_check_is_named(state: ConnectionState, needle: str) -> None:
    assert needle in check_subtitle(state, "Tokyo")


def test_idle_and_unstable_are_no_check() -> None:
    assert check_subtitle(ConnectionState.Idle, "x") == ""
    assert check_subtitle(ConnectionState.Unstable, "x") == ""


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "00:00:00"), (59.9, "00:00:59"), (3661, "01:01:01"), (90000, "25:00:00"), (-5, "00:00:00")],
)
def test_format_elapsed(seconds: float, text: str) -> None:
    assert format_elapsed(seconds) == text


@pytest.mark.parametrize(
    ("count", "text"),
    [(0, "0 B"), (1023, "1023 B"), (1024, "1.0 KiB"), (5 * 1024**2, "5.0 MiB"), (3 * 1024**4, "3072.0 GiB")],
)
def test_format_bytes(count: int, text: str) -> None:
    assert format_bytes(count) == text


def test_the_move_notice_is_one_line_naming_both_servers() -> None:
    text = moved_notice("de-ber-wg-002", "de-ber-wg-001")
    assert text == "Moved to de-ber-wg-001: de-ber-wg-002 stopped answering"
    assert "\n" not in text
