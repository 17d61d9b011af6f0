"""The daemon's VPN sessions against the real lab's VPN servers.

One lab serves the whole module (its conditions are reset before each
test); every test runs its own daemon in its own MIMIC_HOME.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from lab.daemon_process import DaemonProcess
from lab.lab_process import LabProcess, isolated_lab
from mimic_core.paths import locations
from mimic_core.protocol import (
    Activate,
    BackendFailure,
    Connected,
    DaemonError,
    Disconnected,
    Error,
    Event,
    Health,
    Result,
    ServerEndpoint,
    ServerMoved,
    SessionEnded,
    SessionStarted,
    StateChanged,
    decode_daemon_message,
    encode,
)
from mimic_core.sync_client import DaemonConnection
from mimic_core.telemetry_names import INACTIVE_SESSION_ID

INTERVAL = 0.2
BER_1 = "de-ber-wg-001"
BER_2 = "de-ber-wg-002"
FRA_1 = "de-fra-wg-001"


@pytest.fixture(scope="module")
def shared_lab() -> Iterator[LabProcess]:
    with isolated_lab() as process:
        yield process


@pytest.fixture
def lab(shared_lab: LabProcess) -> LabProcess:
    shared_lab.control.reset()
    return shared_lab


@pytest.fixture(scope="module")
def servers(shared_lab: LabProcess) -> dict[str, ServerEndpoint]:
    """The lab's servers as the daemon takes them (what the app sends in ``activate``)."""
    return shared_lab.endpoints()


@pytest.fixture
def daemon(mimic_home: Path) -> Iterator[DaemonProcess]:
    process = DaemonProcess(keepalive_interval=INTERVAL, handshake_timeout=0.2, handshake_retries=1)
    try:
        yield process
    finally:
        process.stop()
    log = (mimic_home / "logs" / "daemon.log").read_text()
    assert "Traceback" not in log, log


def down(lab: LabProcess, *names: str, is_down: bool = True) -> None:
    lab.control.patch({"servers": {name: ({"down": True} if is_down else None) for name in names}})


def events_until(connection: DaemonConnection, kind: type[Event], timeout: float = 5.0) -> list[Event]:
    """Every event up to and including the first of type ``kind``."""
    deadline = time.monotonic() + timeout
    seen: list[Event] = []
    while True:
        event = connection.next_event(timeout=max(0.0, deadline - time.monotonic()))
        seen.append(event)
        if isinstance(event, kind):
            return seen


def lifecycle(events: list[Event]) -> list[str]:
    """Events other than health samples, compactly, in order."""
    names = []
    for event in events:
        if isinstance(event, StateChanged):
            names.append(f"state:{event.state}")
        elif isinstance(event, Disconnected):
            names.append(f"disconnected:{event.reason}")
        elif isinstance(event, Connected):
            names.append(f"connected:{event.server.name}")
        elif not isinstance(event, Health):
            names.append(type(event).__name__)
    return names


def health_where(connection: DaemonConnection, predicate: object, timeout: float = 5.0) -> Health:
    assert callable(predicate)
    deadline = time.monotonic() + timeout
    while True:
        sample = connection.wait_for(Health, timeout=max(0.0, deadline - time.monotonic()))
        if predicate(sample):
            return sample


def test_activate_connects_and_reports_the_session(
    lab: LabProcess, servers: dict[str, ServerEndpoint], daemon: DaemonProcess
) -> None:
    connection = daemon.connect()
    watcher = daemon.connect()
    before = time.time()
    status = connection.activate([servers[BER_1]], "Berlin")
    assert status.state == "on" and status.server == servers[BER_1] and status.location == "Berlin"
    assert status.connected_since is not None and before - 1 <= status.connected_since <= time.time()

    events = events_until(connection, Connected)
    assert lifecycle(events) == ["state:connecting", "SessionStarted", "state:on", f"connected:{BER_1}"]
    connected = events[-1]
    assert isinstance(connected, Connected)
    assert connected.session_id == status.session_id and connected.connected_since == status.connected_since
    assert uuid.UUID(status.session_id).version == 4
    # Every greeted client hears it, not only the one that asked.
    assert lifecycle(events_until(watcher, Connected))[-1] == f"connected:{BER_1}"

    assert connection.session_id() == (status.session_id, True)
    assert watcher.status().state == "on"
    persisted = json.loads(locations().daemon_state.read_text())
    assert persisted["session_id"] == status.session_id
    assert persisted["started_at"] == status.connected_since
    assert persisted["server"]["name"] == BER_1 and persisted["location"] == "Berlin"


def test_health_arrives_every_keepalive_interval(
    lab: LabProcess, servers: dict[str, ServerEndpoint], daemon: DaemonProcess
) -> None:
    connection = daemon.connect()
    connection.activate([servers[BER_1]], "Berlin")
    connection.wait_for(Health)
    samples: list[Health] = []
    arrivals: list[float] = []
    for _ in range(6):
        samples.append(connection.wait_for(Health, timeout=2.0))
        arrivals.append(time.monotonic())
    mean_gap = (arrivals[-1] - arrivals[0]) / (len(arrivals) - 1)
    assert INTERVAL * 0.75 <= mean_gap <= INTERVAL * 1.5, arrivals
    assert all(s.rtt_ms is not None and 0 < s.rtt_ms < INTERVAL * 1000 for s in samples)
    assert all(s.loss == 0 and s.missed_in_a_row == 0 and s.server == BER_1 for s in samples)
    rx = [s.rx_bytes for s in samples]
    tx = [s.tx_bytes for s in samples]
    assert rx == sorted(set(rx)) and tx == sorted(set(tx))  # strictly growing
    # Each round is one keepalive and its echo, padding included.
    assert 64 < tx[1] - tx[0] < 400 and 64 < rx[1] - rx[0] < 400
    status = connection.status()
    assert status.rx_bytes >= rx[-1] and status.tx_bytes >= tx[-1] and status.rtt_ms is not None


def test_deactivate_ends_the_session(
    lab: LabProcess, servers: dict[str, ServerEndpoint], daemon: DaemonProcess
) -> None:
    connection = daemon.connect()
    session_id = connection.activate([servers[BER_1]], "Berlin").session_id
    events_until(connection, Connected)
    status = connection.deactivate()
    assert status.state == "off" and status.server is None and status.connected_since is None
    assert status.session_id == INACTIVE_SESSION_ID
    events = events_until(connection, Disconnected)
    assert lifecycle(events) == ["state:disconnecting", "SessionEnded", "state:off", "disconnected:user"]
    assert [e.session_id for e in events if isinstance(e, SessionEnded)] == [session_id]
    assert connection.session_id() == (INACTIVE_SESSION_ID, False)
    assert not locations().daemon_state.exists()
    # No keepalives once off.
    with pytest.raises(TimeoutError):
        connection.next_event(timeout=INTERVAL * 2)


def test_first_server_down_connects_to_the_second(
    lab: LabProcess, servers: dict[str, ServerEndpoint], daemon: DaemonProcess
) -> None:
    down(lab, BER_1)
    connection = daemon.connect()
    status = connection.activate([servers[BER_1], servers[BER_2]], "Berlin")
    assert status.state == "on" and status.server is not None and status.server.name == BER_2
    assert lifecycle(events_until(connection, Connected))[-1] == f"connected:{BER_2}"


def test_all_servers_down_fails_and_stays_off(
    lab: LabProcess, servers: dict[str, ServerEndpoint], daemon: DaemonProcess
) -> None:
    down(lab, BER_1, BER_2)
    connection = daemon.connect()
    started = time.monotonic()
    with pytest.raises(DaemonError) as caught:
        connection.activate([servers[BER_1], servers[BER_2]], "Berlin")
    elapsed = time.monotonic() - started
    assert caught.value.code == "activation_failed"
    assert BER_1 in caught.value.message and BER_2 in caught.value.message
    # Two servers, two attempts of 0.2 s each.
    assert 0.7 <= elapsed < 3.0
    events = events_until(connection, Disconnected)
    assert lifecycle(events) == [
        "state:connecting",
        "BackendFailure",
        "state:off",
        "disconnected:activation_failed",
    ]
    failure = next(e for e in events if isinstance(e, BackendFailure))
    assert failure.code == "activation_failed" and BER_1 in failure.message and BER_2 in failure.message
    status = connection.status()
    assert status.state == "off" and status.session_id == INACTIVE_SESSION_ID
    assert not locations().daemon_state.exists()


def test_unusable_addresses_are_skipped(
    lab: LabProcess, servers: dict[str, ServerEndpoint], daemon: DaemonProcess
) -> None:
    bad_host = ServerEndpoint(name="bad-host", host="bad\x00host", udp_port=51820)
    bad_port = ServerEndpoint(name="bad-port", host="127.0.0.1", udp_port=70000)
    connection = daemon.connect()
    with pytest.raises(DaemonError) as caught:
        connection.activate([bad_host, bad_port])
    assert caught.value.code == "activation_failed"
    assert "bad-host" in caught.value.message and "bad-port" in caught.value.message
    status = connection.activate([bad_host, bad_port, servers[BER_1]], "Berlin")
    assert status.server == servers[BER_1]


def test_switch_keeps_the_session_and_its_start(
    lab: LabProcess, servers: dict[str, ServerEndpoint], daemon: DaemonProcess
) -> None:
    connection = daemon.connect()
    first = connection.activate([servers[BER_1]], "Berlin")
    health_where(connection, lambda h: h.rtt_ms is not None)
    time.sleep(0.3)
    switched = connection.activate([servers[FRA_1]], "Frankfurt")
    assert switched.state == "on" and switched.server == servers[FRA_1] and switched.location == "Frankfurt"
    assert switched.session_id == first.session_id
    assert switched.connected_since == first.connected_since
    events = events_until(connection, Connected)
    connected = events[-1]
    assert isinstance(connected, Connected) and connected.server.name == FRA_1
    assert connected.session_id == first.session_id and connected.connected_since == first.connected_since
    assert not any(isinstance(e, SessionStarted | SessionEnded | StateChanged) for e in events)
    after = health_where(connection, lambda h: h.server == FRA_1)
    assert after.rtt_ms is not None
    persisted = json.loads(locations().daemon_state.read_text())
    assert persisted["session_id"] == first.session_id


def test_failed_switch_keeps_the_old_server(
    lab: LabProcess, servers: dict[str, ServerEndpoint], daemon: DaemonProcess
) -> None:
    connection = daemon.connect()
    first = connection.activate([servers[BER_1]], "Berlin")
    down(lab, FRA_1)
    with pytest.raises(DaemonError) as caught:
        connection.activate([servers[FRA_1]], "Frankfurt")
    assert caught.value.code == "activation_failed"
    status = connection.status()
    assert status.state == "on" and status.server == servers[BER_1] and status.session_id == first.session_id
    events = events_until(connection, BackendFailure)
    assert not any(isinstance(e, Disconnected | SessionEnded) for e in events)
    assert health_where(connection, lambda h: h.rtt_ms is not None).server == BER_1


@pytest.mark.parametrize(
    "outage",
    [{"servers": {BER_1: {"down": True}}}, {"internet": False}],
    ids=["server-down", "internet-off"],
)
def test_an_outage_while_on_shows_in_health_and_heals(
    lab: LabProcess, servers: dict[str, ServerEndpoint], daemon: DaemonProcess, outage: dict[str, object]
) -> None:
    connection = daemon.connect()
    connection.activate([servers[BER_1]], "Berlin")
    health_where(connection, lambda h: h.rtt_ms is not None)
    lab.control.patch(outage)
    connection.drain_events()
    missing = health_where(connection, lambda h: h.missed_in_a_row >= 3)
    assert missing.rtt_ms is None and missing.loss >= 0.3
    status = connection.status()
    assert status.state == "on" and status.server == servers[BER_1]  # never torn down by the daemon
    lab.control.reset()
    back = health_where(connection, lambda h: h.rtt_ms is not None)
    assert back.missed_in_a_row == 0 and back.server == BER_1
    events = connection.drain_events()
    assert not any(isinstance(e, StateChanged | Disconnected | SessionEnded) for e in events)


def test_a_dead_server_is_left_for_a_live_one_of_the_location(
    lab: LabProcess, servers: dict[str, ServerEndpoint], daemon: DaemonProcess
) -> None:
    connection = daemon.connect()
    first = connection.activate([servers[BER_2]], "Berlin", standby=[servers[BER_1]])
    assert first.server == servers[BER_2]
    health_where(connection, lambda h: h.rtt_ms is not None)
    down(lab, BER_2)
    connection.drain_events()
    moved = connection.wait_for(ServerMoved, timeout=5.0)
    assert (moved.from_server.name, moved.server.name) == (BER_2, BER_1)
    assert (moved.session_id, moved.connected_since) == (first.session_id, first.connected_since)
    assert health_where(connection, lambda h: h.rtt_ms is not None).server == BER_1
    status = connection.status()
    assert status.state == "on" and status.server == servers[BER_1]
    assert (status.session_id, status.connected_since) == (first.session_id, first.connected_since)
    # Nothing of a session's end or start: the same session on another server.
    events = connection.drain_events()
    assert not any(isinstance(e, StateChanged | Disconnected | SessionEnded | SessionStarted) for e in events)
    # Then the whole location: the tunnel stays (on the silent server) and says so in its health.
    down(lab, BER_1)
    missing = health_where(connection, lambda h: h.missed_in_a_row >= 3)
    assert missing.server == BER_1
    assert connection.status().state == "on"
    # A server of the location is back: the tunnel goes there by itself.
    down(lab, BER_2, is_down=False)
    back = connection.wait_for(ServerMoved, timeout=5.0)
    assert (back.from_server.name, back.server.name, back.session_id) == (BER_1, BER_2, first.session_id)


def test_deactivate_cancels_an_activation_in_progress(
    lab: LabProcess, servers: dict[str, ServerEndpoint], mimic_home: Path
) -> None:
    down(lab, BER_1)
    with DaemonProcess(keepalive_interval=INTERVAL, handshake_timeout=5.0, handshake_retries=0) as slow:
        asking = slow.connect()
        asking.send_raw(encode(Activate(id=77, servers=[servers[BER_1]], location="Berlin")))
        other = slow.connect()
        deadline = time.monotonic() + 3
        while other.status().state != "connecting":
            assert time.monotonic() < deadline
            time.sleep(0.02)
        started = time.monotonic()
        assert other.deactivate().state == "off"
        reply: Error | None = None
        seen: list[Event] = []
        while reply is None or not any(isinstance(e, Disconnected) for e in seen):
            message = decode_daemon_message(asking.read_line(timeout=2.0))
            if isinstance(message, Error):
                reply = message
            elif not isinstance(message, Result):
                seen.append(message)
        assert time.monotonic() - started < 2.0  # not after the 5 s handshake timeout
        assert reply.id == 77 and reply.code == "activation_failed" and "cancelled" in reply.message
        assert lifecycle(seen) == ["state:connecting", "state:off", "disconnected:user"]
        # ``other`` may or may not have said hello before "connecting" was announced.
        assert lifecycle(events_until(other, Disconnected))[-2:] == ["state:off", "disconnected:user"]
        assert other.status().state == "off"


def test_sigterm_ends_the_session_in_order(
    lab: LabProcess, servers: dict[str, ServerEndpoint], daemon: DaemonProcess
) -> None:
    connection = daemon.connect()
    session_id = connection.activate([servers[BER_1]], "Berlin").session_id
    events_until(connection, Connected)
    assert daemon.terminate() == 0
    events = events_until(connection, Disconnected)
    assert lifecycle(events) == ["state:disconnecting", "SessionEnded", "state:off", "disconnected:shutdown"]
    assert [e.session_id for e in events if isinstance(e, SessionEnded)] == [session_id]
    assert not locations().daemon_state.exists()
    assert not locations().socket.exists()


def test_sigkill_leaves_the_live_session_for_the_next_daemon(
    lab: LabProcess, servers: dict[str, ServerEndpoint], daemon: DaemonProcess
) -> None:
    connection = daemon.connect()
    status = connection.activate([servers[BER_1]], "Berlin")
    daemon.kill()
    persisted = json.loads(locations().daemon_state.read_text())
    assert persisted["session_id"] == status.session_id
    assert persisted["started_at"] == status.connected_since
    with DaemonProcess() as successor:
        fresh = successor.connect()
        assert fresh.status().state == "off"
        assert any(status.session_id in line for line in fresh.logs(50))
    # Still there: the telemetry of the next daemon flushes under that id, then clears it.
    assert json.loads(locations().daemon_state.read_text())["session_id"] == status.session_id
