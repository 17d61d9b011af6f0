"""The daemon process itself: permissions, one per user, stale sockets, signals, state file."""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lab.daemon_process import REPO_ROOT, DaemonProcess, checkout_environment
from mimic_core.paths import locations
from mimic_core.protocol import Disconnected, Status, encode
from mimic_core.sync_client import DaemonConnection, DaemonUnavailable


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_socket_is_private_to_the_user(mimic_home: Path) -> None:
    with DaemonProcess() as daemon:
        where = locations()
        assert daemon.ready == {"event": "ready", "socket": str(where.socket), "pid": daemon.pid}
        assert stat.S_ISSOCK(os.lstat(where.socket).st_mode)
        assert mode(where.socket) == 0o600
        assert mode(where.runtime) == 0o700
        assert mode(where.daemon_lock) == 0o600
        assert os.lstat(where.socket).st_uid == os.getuid()
        assert daemon.connect().status().state == "off"


def test_a_loose_runtime_directory_is_tightened(mimic_home: Path) -> None:
    runtime = locations().runtime
    runtime.mkdir(parents=True)
    runtime.chmod(0o755)
    with DaemonProcess():
        assert mode(runtime) == 0o700


def test_the_daemon_loads_no_gui_library(mimic_home: Path) -> None:
    with DaemonProcess() as daemon:
        daemon.connect().status()
        maps = Path(f"/proc/{daemon.pid}/maps").read_text().splitlines()
        libraries = {line.rsplit(maxsplit=1)[-1] for line in maps if line.strip()}
    names = " ".join(sorted(libraries))
    assert "libQt6Core" in names and "libQt6Network" in names
    for forbidden in ("libQt6Gui", "libQt6Qml", "libQt6Quick", "libQt6Widgets"):
        assert forbidden not in names


def test_a_stale_socket_from_a_killed_daemon_is_replaced(mimic_home: Path) -> None:
    first = DaemonProcess()
    socket_path = first.socket_path
    first.kill()
    first.stop()
    assert socket_path.exists()  # SIGKILL leaves it behind
    with pytest.raises(DaemonUnavailable):
        DaemonConnection(socket_path)
    with DaemonProcess() as second:
        assert second.connect().status().state == "off"


def test_a_stray_file_at_the_socket_path_is_replaced(mimic_home: Path) -> None:
    where = locations()
    where.runtime.mkdir(parents=True)
    where.socket.write_text("not a socket")
    with DaemonProcess() as daemon:
        assert stat.S_ISSOCK(os.lstat(where.socket).st_mode)
        assert daemon.connect().status().state == "off"


def test_a_second_daemon_for_the_same_user_is_refused(mimic_home: Path) -> None:
    with DaemonProcess() as first:
        where = locations()
        inode = os.lstat(where.socket).st_ino
        second = subprocess.run(
            [sys.executable, "-m", "daemon"],
            capture_output=True,
            check=False,
            text=True,
            timeout=30,
            cwd=REPO_ROOT,
            env=checkout_environment(),
        )
        assert second.returncode == 3
        assert second.stdout == ""
        assert (
            f"another Mimic VPN daemon is already running for this user (pid {first.pid}); "
            f"socket: {where.socket}" in second.stderr
        )
        # The first one's socket, lock and log are untouched, and it keeps serving.
        assert os.lstat(where.socket).st_ino == inode
        assert where.daemon_lock.read_text().strip() == str(first.pid)
        assert first.connect().status().state == "off"
        assert first.process.poll() is None


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_stop_signal_shuts_down_in_order(mimic_home: Path, signum: signal.Signals) -> None:
    daemon = DaemonProcess()
    try:
        clients = [daemon.connect(), daemon.connect()]
        silent = daemon.connect(hello=False)
        daemon.process.send_signal(signum)
        assert daemon.wait() == 0
        for client in clients:
            assert client.wait_for(Disconnected).reason == "shutdown"
            with pytest.raises(DaemonUnavailable):
                client.next_event(timeout=2)
        with pytest.raises(DaemonUnavailable):
            silent.read_line(timeout=2)  # closed without an event: it never said hello
        assert not locations().socket.exists()
        log = (mimic_home / "logs" / "daemon.log").read_text()
        assert f"received {signum.name}" in log and "Traceback" not in log
        assert daemon.stderr() == ""
    finally:
        daemon.stop()
    # The lock was released: a new daemon starts at once.
    with DaemonProcess() as again:
        assert again.connect().status().state == "off"


def test_a_corrupt_state_file_is_moved_aside_at_start(mimic_home: Path) -> None:
    state = locations().daemon_state
    state.parent.mkdir(parents=True)
    state.write_bytes(b'{"session_id": "half a fi')
    with DaemonProcess() as daemon:
        connection = daemon.connect()
        assert connection.status().state == "off"
        assert any("corrupt" in line for line in connection.logs(50))
    assert not state.exists()
    assert state.with_name(state.name + ".corrupt").read_bytes() == b'{"session_id": "half a fi'


def test_the_daemon_survives_heavy_event_loop_activity(mimic_home: Path) -> None:
    # With PySide6 6.12 on CPython 3.11 every turn of the Qt event loop
    # drained None's reference count; this many requests aborted the daemon.
    count = 20_000
    with DaemonProcess(log_level="INFO") as daemon:
        sock = socket.socket(socket.AF_UNIX)
        sock.connect(str(daemon.socket_path))
        with sock:
            payload = b'{"type":"hello","id":0,"version":1}\n' + b"".join(
                encode(Status(id=i)) for i in range(1, count + 1)
            )
            sock.sendall(payload)
            received = b""
            deadline = time.monotonic() + 30
            while received.count(b"\n") < count + 1:
                assert time.monotonic() < deadline
                chunk = sock.recv(1 << 20)
                assert chunk, "the daemon closed the connection"
                received += chunk
        assert received.count(b'"type":"result"') == count + 1
        assert daemon.terminate() == 0, daemon.stderr()
