"""The daemon's control socket under good and bad clients (real daemon process).

One daemon serves the whole module: every test here must leave it serving,
which is exactly what these tests are about; the module ends by checking
that it is still alive and logged no traceback.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from lab.daemon_process import REPO_ROOT, DaemonProcess
from mimic_core.protocol import (
    MAX_CONSECUTIVE_ERRORS,
    MAX_LINE_BYTES,
    PROTOCOL_VERSION,
    Activate,
    BackendFailure,
    Disconnected,
    Error,
    Hello,
    Result,
    ServerEndpoint,
    SetTelemetry,
    StateChanged,
    Status,
    TelemetryFlush,
    decode_daemon_message,
    encode,
)
from mimic_core.sync_client import DaemonConnection, DaemonError, DaemonUnavailable
from mimic_core.telemetry_names import INACTIVE_SESSION_ID


@pytest.fixture(scope="module")
def daemon() -> Iterator[DaemonProcess]:
    home = Path(tempfile.mkdtemp(prefix="mv-", dir="/tmp"))
    process = DaemonProcess(env={**os.environ, "MIMIC_HOME": str(home)})
    try:
        yield process
        assert process.process.poll() is None, "the daemon died"
        assert process.connect().status().state == "off"
        log = (home / "logs" / "daemon.log").read_text()
        assert "Traceback" not in log, log
        assert process.terminate() == 0, process.stderr()
    finally:
        process.stop()
        shutil.rmtree(home, ignore_errors=True)


def error_of(line: bytes) -> Error:
    message = decode_daemon_message(line)
    assert isinstance(message, Error), message
    return message


def test_hello_reports_the_daemon(daemon: DaemonProcess) -> None:
    with DaemonConnection(daemon.socket_path) as connection:
        data = connection.hello(client="test", installation_id="3f1a0c7e-1111-4222-8333-444455556666")
    assert data["version"] == PROTOCOL_VERSION
    assert data["pid"] == daemon.pid
    assert 0 < data["started_at"] <= time.time()


def test_requests_before_hello_are_refused(daemon: DaemonProcess) -> None:
    connection = daemon.connect(hello=False)
    with pytest.raises(DaemonError) as caught:
        connection.status()
    assert caught.value.code == "handshake_required"
    connection.hello()
    assert connection.status().state == "off"


def test_other_protocol_versions_are_refused(daemon: DaemonProcess) -> None:
    connection = daemon.connect(hello=False)
    with pytest.raises(DaemonError) as caught:
        connection.request(Hello(id=0, version=PROTOCOL_VERSION + 1))
    assert caught.value.code == "unsupported_version"
    assert str(PROTOCOL_VERSION) in caught.value.message
    with pytest.raises(DaemonError) as still_closed:
        connection.status()
    assert still_closed.value.code == "handshake_required"
    connection.hello()
    assert connection.status().state == "off"


MALFORMED = [
    (b"{not json", "invalid_json", None),
    (b"\xff\xfe\x00garbage", "invalid_json", None),
    (b"[1, 2]", "not_an_object", None),
    (b"null", "not_an_object", None),
    (b'{"type": "launch_missiles", "id": 5}', "unknown_type", 5),
    (b'{"type": "logs", "id": 6, "lines": "many"}', "invalid_field", 6),
    (b'{"type": "set_telemetry", "id": 7}', "invalid_field", 7),
    (b'{"type": "status", "id": 8, "extra": 1}', "invalid_field", 8),
    (b'{"id": 9}', "invalid_field", 9),
]


@pytest.mark.parametrize(
    ("line", "code", "request_id"),
    MALFORMED,
    ids=[
        "invalid-json",
        "not-utf8",
        "array",
        "null",
        "unknown-type",
        "wrong-field-type",
        "missing-field",
        "unknown-field",
        "missing-type",
    ],
)
def test_each_malformed_line_gets_its_error_and_serving_goes_on(
    daemon: DaemonProcess, line: bytes, code: str, request_id: int | None
) -> None:
    connection = daemon.connect()
    bystander = daemon.connect()
    connection.send_raw(line + b"\n")
    error = error_of(connection.read_line())
    assert (error.code, error.id) == (code, request_id)
    assert error.message
    assert connection.status().state == "off"
    assert bystander.status().state == "off"


def test_an_over_long_line_is_refused_once_and_skipped(daemon: DaemonProcess) -> None:
    connection = daemon.connect()
    chunk = b"a" * 8192
    for _ in range(3 * MAX_LINE_BYTES // len(chunk)):
        connection.send_raw(chunk)
    connection.send_raw(b"\n" + encode(Status(id=41)))
    error = error_of(connection.read_line())
    assert error.code == "line_too_long" and error.id is None and str(MAX_LINE_BYTES) in error.message
    reply = decode_daemon_message(connection.read_line())
    assert isinstance(reply, Result) and reply.id == 41  # no second error for the same line


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_an_endless_line_does_not_grow_the_daemon(daemon: DaemonProcess) -> None:
    connection = daemon.connect()
    connection.status()
    before = _rss_kib(daemon.pid)
    chunk = b"{" * 65536
    for _ in range(512):  # 32 MiB without a newline
        connection.send_raw(chunk)
    connection.send_raw(b"\n")
    assert error_of(connection.read_line(timeout=10)).code == "line_too_long"
    assert connection.status().state == "off"
    assert _rss_kib(daemon.pid) - before < 16 * 1024


def test_a_client_that_keeps_sending_garbage_is_disconnected(daemon: DaemonProcess) -> None:
    noisy = daemon.connect()
    bystander = daemon.connect()
    noisy.send_raw(b"garbage\n" * (MAX_CONSECUTIVE_ERRORS + 5))
    codes = []
    with pytest.raises(DaemonUnavailable):
        while True:
            codes.append(error_of(noisy.read_line(timeout=3)).code)
    assert codes == ["invalid_json"] * MAX_CONSECUTIVE_ERRORS
    assert bystander.status().state == "off"
    assert daemon.connect().status().state == "off"


def test_a_valid_request_resets_the_error_count(daemon: DaemonProcess) -> None:
    connection = daemon.connect()
    almost = b"garbage\n" * (MAX_CONSECUTIVE_ERRORS - 1)
    connection.send_raw(almost + encode(Status(id=500)) + almost + encode(Status(id=501)))
    ids = []
    for _ in range(2 * MAX_CONSECUTIVE_ERRORS):
        ids.append(decode_daemon_message(connection.read_line()).id)  # type: ignore[union-attr]
    assert ids[MAX_CONSECUTIVE_ERRORS - 1] == 500 and ids[-1] == 501
    assert connection.status().state == "off"


def test_pipelined_requests_are_answered_in_order(daemon: DaemonProcess) -> None:
    connection = daemon.connect()
    lines = []
    for request_id in range(1000, 1050):
        lines.append(encode(Status(id=request_id)))
        if request_id % 10 == 0:
            lines.append(b"not json\n")
    connection.send_raw(b"".join(lines))
    answers = [decode_daemon_message(connection.read_line()) for _ in range(len(lines))]
    result_ids = [a.id for a in answers if isinstance(a, Result)]
    assert result_ids == list(range(1000, 1050))
    positions = [i for i, a in enumerate(answers) if isinstance(a, Error)]
    assert positions == [i * 11 + 1 for i in range(5)]  # each error right after the line before it


def test_events_reach_only_greeted_clients(daemon: DaemonProcess) -> None:
    greeted = daemon.connect()
    silent = daemon.connect(hello=False)
    with pytest.raises(DaemonError) as caught:
        greeted.activate([], "Nowhere")  # fails at once: there is nobody to try
    assert caught.value.code == "activation_failed"
    events = greeted.drain_events()
    assert [type(e) for e in events] == [StateChanged, BackendFailure, StateChanged, Disconnected]
    with pytest.raises(TimeoutError):
        silent.read_line(timeout=0.3)


def test_session_id_logs_and_telemetry_requests(daemon: DaemonProcess) -> None:
    connection = daemon.connect()
    assert connection.session_id() == (INACTIVE_SESSION_ID, False)
    lines = connection.logs(5)
    assert 0 < len(lines) <= 5 and all(isinstance(line, str) and line for line in lines)
    assert connection.logs(0) == []
    everything = connection.logs(100_000)
    assert len(everything) <= 1000 and any("listening on" in line for line in everything)
    assert connection.request(TelemetryFlush(id=0)).data == {"payloads": []}  # nothing recorded: no session ran
    assert connection.request(SetTelemetry(id=0, enabled=False)).data == {}
    assert any("telemetry disabled" in line for line in connection.logs(20))


def test_a_client_killed_mid_stream_does_no_harm(daemon: DaemonProcess) -> None:
    writer = textwrap.dedent(
        f"""
        import socket, sys
        s = socket.socket(socket.AF_UNIX)
        s.connect({str(daemon.socket_path)!r})
        s.sendall(b'{{"type":"hello","id":1,"version":{PROTOCOL_VERSION}}}\\n')
        print("connected", flush=True)
        while True:
            s.sendall(b'{{"type":"status","id":2}}\\n{{"type":"sta')
            s.sendall(b'tus","id":3}}\\n' * 50)
        """
    )
    child = subprocess.Popen([sys.executable, "-c", writer], stdout=subprocess.PIPE)
    try:
        assert child.stdout is not None and child.stdout.readline() == b"connected\n"
        time.sleep(0.2)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
        if child.stdout is not None:
            child.stdout.close()
    assert daemon.connect().status().state == "off"


def test_a_client_reset_with_replies_pending_does_no_harm(daemon: DaemonProcess) -> None:
    sock = socket.socket(socket.AF_UNIX)
    sock.connect(str(daemon.socket_path))
    sock.sendall(encode(Hello(id=1, version=PROTOCOL_VERSION)) + encode(Status(id=2)) * 2000)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()
    assert daemon.connect().status().state == "off"


def test_a_client_gone_before_its_activation_finished(daemon: DaemonProcess) -> None:
    nobody = ServerEndpoint(name="nobody", host="127.0.0.1", udp_port=9)  # discard port: no answer
    leaving = daemon.connect()
    leaving.send_raw(encode(Activate(id=9, servers=[nobody])))
    leaving.close()
    watcher = daemon.connect()
    deadline = time.monotonic() + 5
    while watcher.status().state != "off":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert watcher.status().state == "off"


HANDLER_SERVER = """
import asyncio, json, sys
from pathlib import Path
from PySide6.QtCore import QCoreApplication
from mimic_core.qt_loop import create_event_loop
from daemon.server import ControlServer
from mimic_core.protocol import Status

async def handler(request, client):
    if isinstance(request, Status):
        raise RuntimeError("handler bug")
    return {"ok": True}

async def run():
    server = ControlServer()
    server.listen(Path(sys.argv[1]), handler)
    print("ready", flush=True)
    await asyncio.Event().wait()

app = QCoreApplication([])
loop = create_event_loop(app)
loop.run_until_complete(run())
"""


def test_a_failing_handler_answers_internal_and_serving_goes_on(tmp_path: Path) -> None:
    # The real control server, with a handler that fails, in a process of its own.
    path = Path(tempfile.mkdtemp(prefix="mv-", dir="/tmp")) / "s.sock"
    child = subprocess.Popen(
        [sys.executable, "-c", HANDLER_SERVER, str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )
    try:
        assert child.stdout is not None and child.stdout.readline() == b"ready\n"
        with DaemonConnection(path) as connection:
            assert connection.hello() == {"ok": True}
            for _ in range(3):
                with pytest.raises(DaemonError) as caught:
                    connection.status()
                assert caught.value.code == "internal" and "handler bug" in caught.value.message
            assert connection.hello() == {"ok": True}
    finally:
        child.kill()
        _, stderr = child.communicate()
        shutil.rmtree(path.parent, ignore_errors=True)
    assert b"RuntimeError: handler bug" in stderr  # the traceback was logged


def test_hello_reply_is_one_json_line(daemon: DaemonProcess) -> None:
    connection = daemon.connect(hello=False)
    connection.send_raw(encode(Hello(id=3, version=PROTOCOL_VERSION, client="raw")))
    reply = json.loads(connection.read_line())
    assert reply["type"] == "result" and reply["id"] == 3 and reply["data"]["pid"] == daemon.pid
