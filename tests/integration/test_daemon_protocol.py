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

from lab.daemon_process import REPO_ROOT, DaemonProcess, checkout_environment
from mimic_core.protocol import (
    MAX_CONSECUTIVE_ERRORS,
    MAX_LINE_BYTES,
    PROTOCOL_VERSION,
    Activate,
    BackendFailure,
    DaemonError,
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
from mimic_core.sync_client import DaemonConnection, DaemonUnavailable
from mimic_core.telemetry_names import INACTIVE_SESSION_ID
from tests.support.fresh_python import run_python


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
    (b'{"type": "status", "id": true}', "invalid_field", None),
    (b'{"type": "status", "id": 10.0}', "invalid_field", None),
    (b'{"type": "status", "id": 99999999999999999999}', "invalid_field", None),
    (b'{"type": "status", "id": 11, "x": ' + b"[" * 1000 + b"]" * 1000 + b"}", "too_deep", None),
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
        "id-true",
        "id-float",
        "id-too-big",
        "too-deep",
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


def test_a_pipelined_burst_of_bad_lines_gets_one_reply_per_line_in_order(daemon: DaemonProcess) -> None:
    # Deep nesting once made the decoder raise RecursionError: the daemon
    # logged a traceback and dropped the connection with everything behind it.
    deep_arrays = b'{"type": "status", "id": 20, "x": ' + b"[" * 1000 + b"]" * 1000 + b"}"
    deep_objects = b'{"type": "status", "id": 21, "x": ' + b'{"k":' * 10_000 + b"0" + b"}" * 10_000 + b"}"
    burst: list[tuple[bytes, str | int]] = [
        (encode(Status(id=1)), 1),
        (deep_arrays, "too_deep"),
        (encode(Status(id=2)), 2),
        (b'{"type": "status", "id": true}', "invalid_field"),
        (encode(Status(id=3)), 3),
        (deep_objects, "too_deep"),
        (b'{"type": "logs", "id": false, "lines": 3}', "invalid_field"),
        (b"[" * 50_000, "too_deep"),
        (b"x" * (MAX_LINE_BYTES + 10), "line_too_long"),
        (encode(Status(id=4)), 4),
    ]
    connection = daemon.connect()
    # Bad lines are logged a few a second; earlier tests of this module share
    # the daemon, so start in a second of its own to see this burst's lines.
    time.sleep(1.1)
    connection.send_raw(b"".join(line.rstrip(b"\n") + b"\n" for line, _ in burst))
    replies = [decode_daemon_message(connection.read_line()) for _ in burst]
    answered = [reply.code if isinstance(reply, Error) else reply.id for reply in replies]  # type: ignore[union-attr]
    assert answered == [expected for _, expected in burst]
    errors = [reply for reply in replies if isinstance(reply, Error)]
    assert all(error.id is None for error in errors)  # never the bad id echoed back
    assert "$.id" in errors[1].message and "bool" in errors[1].message
    assert connection.status().state == "off"
    log = (Path(daemon.env["MIMIC_HOME"]) / "logs" / "daemon.log").read_text()
    assert "Traceback" not in log
    assert "too_deep: arrays and objects nested deeper than" in log  # one short line per bad line


def test_a_flood_of_bad_lines_leaves_the_log_short(daemon: DaemonProcess) -> None:
    log_path = Path(daemon.env["MIMIC_HOME"]) / "logs" / "daemon.log"
    before = log_path.read_text().count("\n")
    for _ in range(50):  # 50 connections of 19 bad lines each, under the closing limit
        connection = daemon.connect()
        connection.send_raw(b"not json\n" * 19 + encode(Status(id=7)))
        replies = [decode_daemon_message(connection.read_line()) for _ in range(20)]
        assert isinstance(replies[-1], Result)
        connection.close()
    added = log_path.read_text().count("\n") - before
    assert added < 200, f"{added} log lines for 950 bad lines"


SOCKET_CHURN = """
import asyncio, gc, json, shutil, socket, tempfile, threading
from pathlib import Path
from PySide6.QtCore import QCoreApplication
from PySide6.QtNetwork import QLocalSocket
from mimic_core.protocol import PROTOCOL_VERSION, Hello, Status, encode
from mimic_core.qt_loop import create_event_loop
from daemon.server import ControlServer

CONNECTIONS = 300

def connect_many(path):
    for _ in range(CONNECTIONS):
        with socket.socket(socket.AF_UNIX) as client:
            client.connect(str(path))
            client.sendall(encode(Hello(id=1, version=PROTOCOL_VERSION)) + encode(Status(id=2)))
            with client.makefile("rb") as reader:
                reader.readline(), reader.readline()

def socket_wrappers():
    gc.collect()
    return sum(isinstance(thing, QLocalSocket) for thing in gc.get_objects())

async def main():
    server = ControlServer()
    async def handler(request, client):
        return {}
    directory = Path(tempfile.mkdtemp(prefix="mv-", dir="/tmp"))
    server.listen(directory / "s.sock", handler, lambda request, client: {})
    clients = threading.Thread(target=connect_many, args=(directory / "s.sock",))
    clients.start()
    while clients.is_alive() or server.client_count:
        await asyncio.sleep(0.02)
    for _ in range(100):  # deleteLater() runs on a later turn of the loop
        if socket_wrappers() == 0:
            break
        await asyncio.sleep(0.02)
    result = {"connections": CONNECTIONS, "clients": server.client_count, "socket_wrappers": socket_wrappers()}
    await server.close()
    shutil.rmtree(directory)
    print(json.dumps(result))

app = QCoreApplication([])
create_event_loop(app).run_until_complete(main())
"""


def test_closed_connections_leave_nothing_behind() -> None:
    # PySide6 6.11 kept the wrapper of every accepted socket after its
    # deletion: about 1 KB of daemon memory per connection, for good.
    result = run_python(SOCKET_CHURN)
    assert result == {"connections": 300, "clients": 0, "socket_wrappers": 0}


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
        env=checkout_environment(),
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
