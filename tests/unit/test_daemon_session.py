"""The session model: its state file, and the events and state of a session's life."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest

from daemon.errors import RequestFailed
from daemon.session import SessionManager
from daemon.session_store import PersistedSession, SessionStore
from daemon.tunnel import TunnelSettings
from mimic_core import wire
from mimic_core.protocol import (
    BackendFailure,
    Connected,
    Disconnected,
    Event,
    ServerEndpoint,
    ServerMoved,
    SessionEnded,
    SessionStarted,
    StateChanged,
)
from mimic_core.telemetry_names import INACTIVE_SESSION_ID

T = TypeVar("T")

SERVER = ServerEndpoint(name="de-ber-wg-001", host="127.0.0.1", udp_port=51820, city="Berlin")
SETTINGS = TunnelSettings(keepalive_interval=0.05, handshake_timeout=0.05, handshake_retries=0)


def test_nil_uuid_is_the_inactive_id() -> None:
    assert uuid.UUID(INACTIVE_SESSION_ID).int == 0


# ------------------------------------------------------------------ store


def test_save_load_clear(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "state" / "daemon-state.json")
    assert store.load() is None
    session = PersistedSession(session_id=str(uuid.uuid4()), started_at=1700000000.25, server=SERVER, location="x")
    store.save(session)
    assert store.load() == session
    assert json.loads(store.path.read_text())["session_id"] == session.session_id
    # Only the file itself: the temporary file was renamed over it.
    assert sorted(p.name for p in store.path.parent.iterdir()) == ["daemon-state.json"]
    store.clear()
    assert not store.path.exists() and store.load() is None
    store.clear()  # clearing twice is fine


def test_save_replaces_atomically(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "daemon-state.json")
    store.save(PersistedSession(session_id="first", started_at=1.0, server=None, location=""))
    inode_before = store.path.stat().st_ino
    store.save(PersistedSession(session_id="second", started_at=2.0, server=SERVER, location="y"))
    # A rename, not an in-place rewrite: a reader never sees half a file.
    assert store.path.stat().st_ino != inode_before
    loaded = store.load()
    assert loaded is not None and loaded.session_id == "second"
    assert [p.name for p in tmp_path.iterdir()] == ["daemon-state.json"]


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"[]",
        b'{"session_id": 5}',
        b"",
        b'{"session_id":"a","started_at":1,"server":null,"location":"","format":99}',
    ],
    ids=["invalid-json", "array", "wrong-type", "empty", "unknown-format"],
)
def test_corrupt_file_is_moved_aside(tmp_path: Path, caplog: pytest.LogCaptureFixture, content: bytes) -> None:
    store = SessionStore(tmp_path / "daemon-state.json")
    store.path.write_bytes(content)
    with caplog.at_level(logging.WARNING, logger="daemon.session_store"):
        assert store.load() is None
    assert not store.path.exists()
    assert store.corrupt_path.read_bytes() == content
    assert any(r.levelno == logging.ERROR and str(store.path) in r.getMessage() for r in caplog.records)
    # The next session writes a fresh file as if nothing happened.
    store.save(PersistedSession(session_id="new", started_at=1.0, server=None, location=""))
    loaded = store.load()
    assert loaded is not None and loaded.session_id == "new"


def test_unreadable_file_is_moved_aside(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    store = SessionStore(tmp_path / "daemon-state.json")
    store.path.mkdir()  # reading it fails with an OSError, not a decode error
    with caplog.at_level(logging.ERROR, logger="daemon.session_store"):
        assert store.load() is None
    assert store.corrupt_path.is_dir() and not store.path.exists()
    assert "cannot read" in caplog.text


# --------------------------------------------------------------- manager


def run(coro_fn: Callable[[], Awaitable[T]], timeout: float = 10.0) -> T:
    async def bounded() -> T:
        return await asyncio.wait_for(coro_fn(), timeout)

    return asyncio.run(bounded())


class Server(asyncio.DatagramProtocol):
    """Just enough of a VPN server: answers handshakes and keepalives while ``answering``."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.answering = True
        self.transport: asyncio.DatagramTransport | None = None
        self.endpoint = ServerEndpoint(name=name, host="127.0.0.1", udp_port=0)

    async def __aenter__(self) -> Server:
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(lambda: self, local_addr=("127.0.0.1", 0))
        self.transport = transport
        port = self.transport.get_extra_info("sockname")[1]
        self.endpoint = ServerEndpoint(name=self.name, host="127.0.0.1", udp_port=port)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.transport is not None
        self.transport.close()

    def datagram_received(self, data: bytes, addr: Any) -> None:
        message = wire.decode(data)
        reply: wire.Datagram | None = None
        if isinstance(message, wire.Handshake):
            reply = wire.HandshakeOk(n=message.n, s=self.name)
        elif isinstance(message, wire.Keepalive):
            reply = wire.KeepaliveOk(q=message.q, s=self.name, p=message.p)
        if reply is not None and self.answering and self.transport is not None:
            self.transport.sendto(wire.encode(reply), addr)


def make_manager(tmp_path: Path, clock: Callable[[], float] | None = None) -> tuple[SessionManager, list[Event]]:
    events: list[Event] = []
    store = SessionStore(tmp_path / "daemon-state.json")
    if clock is None:
        return SessionManager(SETTINGS, store, events.append), events
    return SessionManager(SETTINGS, store, events.append, clock=clock), events


def lifecycle(events: list[Event]) -> list[str]:
    """The events that are not health samples, compactly."""
    names = []
    for event in events:
        if isinstance(event, StateChanged):
            names.append(f"state:{event.state}")
        elif isinstance(event, Disconnected):
            names.append(f"disconnected:{event.reason}")
        elif isinstance(event, Connected):
            names.append(f"connected:{event.server.name}")
        elif type(event).__name__ != "Health":
            names.append(type(event).__name__)
    return names


def test_session_start_switch_and_end(tmp_path: Path) -> None:
    times = iter([1000.0, 2000.0, 3000.0])

    async def scenario() -> None:
        manager, events = make_manager(tmp_path, clock=lambda: next(times))
        async with Server("a") as a, Server("b") as b:
            status = await manager.activate([a.endpoint], "Berlin")
            assert status.state == "on" and status.server == a.endpoint and status.connected_since == 1000.0
            session_id = manager.session_id
            assert manager.active and uuid.UUID(session_id).version == 4
            persisted = SessionStore(tmp_path / "daemon-state.json").load()
            assert persisted == PersistedSession(
                session_id=session_id, started_at=1000.0, server=a.endpoint, location="Berlin"
            )
            assert lifecycle(events) == ["state:connecting", "SessionStarted", "state:on", "connected:a"]
            started = next(e for e in events if isinstance(e, SessionStarted))
            assert started.session_id == session_id

            events.clear()
            status = await manager.activate([b.endpoint], "Berlin")
            assert status.server == b.endpoint
            assert status.connected_since == 1000.0 and status.session_id == session_id
            assert lifecycle(events) == ["connected:b"]

            events.clear()
            status = await manager.deactivate()
            assert status.state == "off" and status.session_id == INACTIVE_SESSION_ID
            assert status.connected_since is None and status.server is None
            assert lifecycle(events) == [
                "state:disconnecting",
                "SessionEnded",
                "state:off",
                "disconnected:user",
            ]
            ended = next(e for e in events if isinstance(e, SessionEnded))
            assert ended.session_id == session_id
            assert not (tmp_path / "daemon-state.json").exists()

            events.clear()
            await manager.deactivate()  # already off: nothing to announce
            assert events == []

    run(scenario)


def test_failed_activation(tmp_path: Path) -> None:
    async def scenario() -> None:
        manager, events = make_manager(tmp_path)
        async with Server("dead") as dead:
            dead.answering = False
            with pytest.raises(RequestFailed) as caught:
                await manager.activate([dead.endpoint], "Nowhere")
        assert caught.value.code == "activation_failed" and "dead" in caught.value.message
        assert manager.state == "off" and not manager.active
        assert lifecycle(events) == [
            "state:connecting",
            "BackendFailure",
            "state:off",
            "disconnected:activation_failed",
        ]
        failure = next(e for e in events if isinstance(e, BackendFailure))
        assert failure.code == "activation_failed" and "dead" in failure.message
        assert not (tmp_path / "daemon-state.json").exists()

    run(scenario)


def test_deactivate_cancels_an_activation_and_busy_meanwhile(tmp_path: Path) -> None:
    async def scenario() -> None:
        events: list[Event] = []
        slow = TunnelSettings(keepalive_interval=0.05, handshake_timeout=5.0, handshake_retries=0)
        manager = SessionManager(slow, SessionStore(tmp_path / "s.json"), events.append)
        async with Server("dead") as dead:
            dead.answering = False
            activation = asyncio.ensure_future(manager.activate([dead.endpoint], ""))
            await asyncio.sleep(0.05)
            assert manager.state == "connecting"
            with pytest.raises(RequestFailed) as busy:
                await manager.activate([dead.endpoint], "")
            assert busy.value.code == "busy"
            status = await manager.deactivate()
            assert status.state == "off"
            with pytest.raises(RequestFailed) as cancelled:
                await activation
        assert cancelled.value.code == "activation_failed" and "cancelled" in cancelled.value.message
        assert lifecycle(events) == ["state:connecting", "state:off", "disconnected:user"]

    run(scenario)


def test_a_move_off_a_silent_server_keeps_the_session(tmp_path: Path) -> None:
    async def scenario() -> None:
        manager, events = make_manager(tmp_path, clock=lambda: 1000.0)
        async with Server("a") as a, Server("b") as b:
            status = await manager.activate([a.endpoint], "Berlin", standby=[b.endpoint])
            session_id = status.session_id
            events.clear()
            a.answering = False
            async with asyncio.timeout(5.0):
                while not any(isinstance(e, ServerMoved) for e in events):
                    await asyncio.sleep(0.01)
            moved = next(e for e in events if isinstance(e, ServerMoved))
            assert (moved.from_server, moved.server) == (a.endpoint, b.endpoint)
            assert (moved.session_id, moved.connected_since, moved.location) == (session_id, 1000.0, "Berlin")
            # Nothing else of a session's life: no new session, no state change.
            assert lifecycle(events) == ["ServerMoved"]
            status = manager.status()
            assert status.state == "on" and status.server == b.endpoint
            assert status.session_id == session_id and status.connected_since == 1000.0
            await manager.deactivate()

    run(scenario)


def test_shutdown_always_tells_clients(tmp_path: Path) -> None:
    async def scenario() -> None:
        manager, events = make_manager(tmp_path)
        await manager.shutdown()
        assert lifecycle(events) == ["disconnected:shutdown"]
        events.clear()
        async with Server("a") as a:
            await manager.activate([a.endpoint], "")
            events.clear()
            await manager.shutdown()
        assert lifecycle(events) == [
            "state:disconnecting",
            "SessionEnded",
            "state:off",
            "disconnected:shutdown",
        ]
        assert not (tmp_path / "daemon-state.json").exists()

    run(scenario)


def test_lingering_session_is_reported_and_left_in_place(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    store = SessionStore(tmp_path / "daemon-state.json")
    left = PersistedSession(session_id=str(uuid.uuid4()), started_at=5.0, server=SERVER, location="Berlin")
    store.save(left)
    manager, _ = make_manager(tmp_path)
    with caplog.at_level(logging.WARNING, logger="daemon.session"):
        assert manager.load_lingering_session() == left
    assert left.session_id in caplog.text
    assert store.load() == left and not manager.active
    assert os.path.exists(store.path)
