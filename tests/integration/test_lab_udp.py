"""The lab's simulated VPN servers over real UDP and TCP sockets."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from lab.lab_process import LabProcess, isolated_lab
from mimic_core import wire
from mimic_core.lab_api import LabServer

SERVER = "de-ber-wg-001"
NEIGHBOUR = "de-ber-wg-002"
# How long to wait for an answer that is expected to be missing.
SILENCE_S = 0.3


@pytest.fixture(scope="module")
def shared_lab() -> Iterator[LabProcess]:
    with isolated_lab(args=["--seed", "7"]) as process:
        yield process
        assert process.stop() == 0
        assert "Traceback" not in process.stderr


@pytest.fixture
def lab(shared_lab: LabProcess) -> LabProcess:
    shared_lab.control.reset()
    return shared_lab


@pytest.fixture(scope="module")
def endpoints(shared_lab: LabProcess) -> dict[str, LabServer]:
    return {server.name: server for server in shared_lab.control.servers().servers()}


@pytest.fixture
def client() -> Iterator[socket.socket]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.settimeout(SILENCE_S)
    try:
        yield sock
    finally:
        sock.close()


def exchange(sock: socket.socket, server: LabServer, datagram: wire.Datagram) -> wire.Datagram | None:
    """Send one datagram; the answer, or None if none came in time."""
    sock.sendto(wire.encode(datagram), (server.host, server.udp_port))
    try:
        data, _ = sock.recvfrom(wire.MAX_DATAGRAM)
    except TimeoutError:
        return None
    return wire.decode(data)


def tcp_ping(server: LabServer) -> bytes:
    """What the control port says to PING (empty: closed without an answer)."""
    with socket.create_connection((server.host, server.tcp_port), timeout=2.0) as sock:
        try:
            sock.sendall(wire.TCP_PING)
            received = b""
            while chunk := sock.recv(256):
                received += chunk
        except ConnectionResetError:
            return b""
        return received


def test_handshake_is_answered(lab: LabProcess, endpoints: dict[str, LabServer], client: socket.socket) -> None:
    answer = exchange(client, endpoints[SERVER], wire.Handshake(n=42, c="client-1"))
    assert answer == wire.HandshakeOk(n=42, s=SERVER)


def test_keepalive_is_answered_with_seq_and_padding(
    lab: LabProcess, endpoints: dict[str, LabServer], client: socket.socket
) -> None:
    answer = exchange(client, endpoints[SERVER], wire.Keepalive(q=7, p="x" * 100))
    assert answer == wire.KeepaliveOk(q=7, s=SERVER, p="x" * 100)


def test_every_server_answers_as_itself(
    lab: LabProcess, endpoints: dict[str, LabServer], client: socket.socket
) -> None:
    for name, server in endpoints.items():
        assert exchange(client, server, wire.Handshake(n=1)) == wire.HandshakeOk(n=1, s=name)


def test_bye_gets_no_answer(lab: LabProcess, endpoints: dict[str, LabServer], client: socket.socket) -> None:
    assert exchange(client, endpoints[SERVER], wire.Bye()) is None


def test_control_port_answers_pong(lab: LabProcess, endpoints: dict[str, LabServer]) -> None:
    assert tcp_ping(endpoints[SERVER]) == b"PONG " + SERVER.encode() + b"\n"


def test_control_port_closes_on_anything_but_ping(lab: LabProcess, endpoints: dict[str, LabServer]) -> None:
    server = endpoints[SERVER]
    with socket.create_connection((server.host, server.tcp_port), timeout=2.0) as sock:
        sock.sendall(b"HELLO\n")
        assert sock.recv(256) == b""
    assert tcp_ping(server).startswith(wire.TCP_PONG_PREFIX)


def test_firewall_drops_udp_but_tcp_still_answers(
    lab: LabProcess, endpoints: dict[str, LabServer], client: socket.socket
) -> None:
    lab.control.set("firewall_blocks_udp=on")
    assert exchange(client, endpoints[SERVER], wire.Handshake(n=1)) is None
    assert tcp_ping(endpoints[SERVER]) == b"PONG " + SERVER.encode() + b"\n"


def test_server_down_fails_udp_and_tcp_only_for_that_server(
    lab: LabProcess, endpoints: dict[str, LabServer], client: socket.socket
) -> None:
    lab.control.set(f"server.{SERVER}.down=true")
    assert exchange(client, endpoints[SERVER], wire.Handshake(n=1)) is None
    assert tcp_ping(endpoints[SERVER]) == b""
    assert exchange(client, endpoints[NEIGHBOUR], wire.Handshake(n=2)) == wire.HandshakeOk(n=2, s=NEIGHBOUR)
    assert tcp_ping(endpoints[NEIGHBOUR]).startswith(wire.TCP_PONG_PREFIX)


@pytest.mark.parametrize("assignment", ["internet=down", "captive_portal=on"])
def test_no_internet_or_portal_blocks_udp_and_tcp(
    lab: LabProcess, endpoints: dict[str, LabServer], client: socket.socket, assignment: str
) -> None:
    lab.control.set(assignment)
    assert exchange(client, endpoints[SERVER], wire.Handshake(n=1)) is None
    assert tcp_ping(endpoints[SERVER]) == b""


def test_servers_answer_again_once_healed(
    lab: LabProcess, endpoints: dict[str, LabServer], client: socket.socket
) -> None:
    lab.control.set("server.*.down=true")
    assert exchange(client, endpoints[SERVER], wire.Handshake(n=1)) is None
    lab.control.set("server.*=healthy")
    assert exchange(client, endpoints[SERVER], wire.Handshake(n=2)) == wire.HandshakeOk(n=2, s=SERVER)


def test_latency_delays_the_answer(lab: LabProcess, endpoints: dict[str, LabServer]) -> None:
    latency_s = 0.2
    lab.control.set(f"server.{SERVER}.latency_ms={int(latency_s * 1000)}")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(latency_s + 2.0)
        started = time.monotonic()
        answer = exchange(sock, endpoints[SERVER], wire.Keepalive(q=3))
        elapsed = time.monotonic() - started
    assert answer == wire.KeepaliveOk(q=3, s=SERVER)
    assert elapsed >= latency_s


def test_full_loss_drops_every_datagram(
    lab: LabProcess, endpoints: dict[str, LabServer], client: socket.socket
) -> None:
    lab.control.set(f"server.{SERVER}.loss=1")
    assert answered_nonces(client, endpoints[SERVER], 20) == set()


def test_partial_loss_drops_some_but_not_all(
    lab: LabProcess, endpoints: dict[str, LabServer], client: socket.socket
) -> None:
    lab.control.set(f"server.{SERVER}.loss=0.5")
    answered = answered_nonces(client, endpoints[SERVER], 200)
    assert 0 < len(answered) < 200


def answered_nonces(sock: socket.socket, server: LabServer, count: int) -> set[int]:
    """Send ``count`` handshakes at once; the nonces that were answered."""
    for nonce in range(count):
        sock.sendto(wire.encode(wire.Handshake(n=nonce)), (server.host, server.udp_port))
    answered: set[int] = set()
    while True:
        try:
            data, _ = sock.recvfrom(wire.MAX_DATAGRAM)
        except TimeoutError:
            return answered
        answer = wire.decode(data)
        assert isinstance(answer, wire.HandshakeOk)
        answered.add(answer.n)


@pytest.mark.parametrize(
    "garbage",
    [
        b"",
        b"\x00\xff\xfe garbage",
        b"{}",
        b"[]",
        b"null",
        b'{"t": "hs"}',
        b'{"t": "hs", "n": "one"}',
        b'{"t": "ka", "q": 1.5}',
        b'{"t": "unknown"}',
        b'{"t": "hs_ok", "n": 1, "s": "me"}',
        b'{"t": "hs", "n": 1' + b" " * 3000 + b"}",
        b"\xc3\x28",
    ],
)
def test_garbage_is_ignored_and_the_server_keeps_serving(
    lab: LabProcess, endpoints: dict[str, LabServer], client: socket.socket, garbage: bytes
) -> None:
    server = endpoints[SERVER]
    client.sendto(garbage, (server.host, server.udp_port))
    assert exchange(client, server, wire.Handshake(n=5)) == wire.HandshakeOk(n=5, s=SERVER)


def test_a_vanished_client_does_not_hurt_the_server(lab: LabProcess, endpoints: dict[str, LabServer]) -> None:
    server = endpoints[SERVER]
    lab.control.set(f"server.{SERVER}.latency_ms=50")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as gone:
        gone.sendto(wire.encode(wire.Handshake(n=1)), (server.host, server.udp_port))
    time.sleep(0.1)  # the delayed answer goes to a closed port
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(2.0)
        assert exchange(sock, server, wire.Handshake(n=2)) == wire.HandshakeOk(n=2, s=SERVER)


def test_a_generated_catalog_of_many_servers() -> None:
    with isolated_lab(args=["--server-count", "300"]) as big:
        servers = big.control.servers().servers()
        assert len(servers) == 300
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.settimeout(2.0)
            for server in (servers[0], servers[-1]):
                assert exchange(sock, server, wire.Handshake(n=9)) == wire.HandshakeOk(n=9, s=server.name)
                assert tcp_ping(server) == b"PONG " + server.name.encode() + b"\n"
        assert big.stop() == 0
