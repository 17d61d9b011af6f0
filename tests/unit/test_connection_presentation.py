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
    round_trip_text,
    status_text,
)
from vpnui.connection.states import ConnectionState, FailureCause, VPNClientState


@pytest.mark.parametrize("state", list(VPNClientState))
def test_every_client_state_has_a_title_and_subtitle(state: VPNClientState) -> None:
    title, subtitle = status_text(Snapshot(client_state=state), "Berlin, Germany")
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
    assert status_text(Snapshot(client_state=state), "Paris, France")[0] == title


def test_on_names_the_location() -> None:
    assert "Paris, France" in status_text(Snapshot(client_state=VPNClientState.On), "Paris, France")[1]


def test_unstable_subtitle_leaves_the_reason_to_its_banner() -> None:
    snapshot = Snapshot(client_state=VPNClientState.On, connection_state=ConnectionState.Unstable, unstable=True)
    # The banner says "High packet loss (40%). Pages may load slowly…": the card does not say it again.
    assert status_text(snapshot, "x") == ("VPN is on", "Unstable connection")


@pytest.mark.parametrize("cause", [cause for cause in FailureCause if cause != FailureCause.DaemonLost])
def test_every_failure_has_key_title_detail_said_once(cause: FailureCause) -> None:
    assert FAILURE_KEYS[cause] and failure_title(cause) and failure_detail(cause)
    # The failure's title and detail are its banner's or modal's: the card does not repeat them.
    for state in (VPNClientState.Off, VPNClientState.On):
        title, subtitle = status_text(Snapshot(client_state=state, failure=cause), "x")
        assert failure_title(cause) not in subtitle and subtitle not in failure_detail(cause)
        assert title == ("VPN is off" if state == VPNClientState.Off else "VPN is on")


@pytest.mark.parametrize("state", list(VPNClientState))
def test_a_lost_daemon_reads_as_status_unknown_whatever_the_state(state: VPNClientState) -> None:
    # The app no longer knows what the daemon does: neither "off" nor "on".
    snapshot = Snapshot(client_state=state, failure=FailureCause.DaemonLost)
    assert status_text(snapshot, "x") == ("Status unknown", "Reconnecting to the VPN service…")


@pytest.mark.parametrize(
    ("rtt_ms", "missed", "text"),
    [(0.4, 0, "<1 ms"), (12.4, 0, "12 ms"), (250.0, 0, "250 ms"), (None, 3, "no answer (missed: 3)")],
)
def test_round_trip_is_the_time_alone(rtt_ms: float | None, missed: int, text: str) -> None:
    # Loss is the Unstable banner's to say, when it matters.
    assert round_trip_text(rtt_ms, missed) == text


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
