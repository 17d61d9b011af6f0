"""Daemon round trip: a ``status`` request to its reply, p50 and p99.

One client, one connection, requests one after another (each waits for its
reply), timed with ``perf_counter`` around ``sendall`` and the read of the
reply line.  The client is the same few lines of raw socket code for both
servers, so the ratio is the server side alone:

- the real daemon (default options, VPN off) answering ``status`` through
  its QLocalServer, line buffer, msgspec protocol and asyncio-on-Qt loop;
- the reference, a plain asyncio Unix-socket server
  (``benchmarks.echo_server``) that answers every line with a line of the
  same size as the daemon's status reply.

The requests are pre-encoded ``status`` lines with fresh ids, sent
identically to both.

During the measured rounds the client, the daemon and the echo server (every
thread of each) run on one CPU.  Left to the scheduler, a round trip between
two processes takes about 45 µs when they share a core and 100-130 µs when
the reply has to wake the other core, and which one a pair of processes gets
held for a whole run: the same code measured 43 µs in one run and 103 µs in
the next, so the ratio said more about placement than about the daemon.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Final

from benchmarks.report import Figure, Reference, Spec, numbers_of, ratio, verdict
from benchmarks.settings import RunSettings
from benchmarks.stats import Summary, summarize
from benchmarks.world import BenchError, Child, private_world
from mimic_core.protocol import PROTOCOL_VERSION, Hello, Status, encode
from mimic_core.sync_client import DaemonConnection

TARGET_RATIO: Final = 3.0
WARMUP_REQUESTS: Final = 200
ROUND: Final = 250
"""Requests to one server before switching to the other."""
TIMEOUT_S: Final = 5.0


def _spec(stat: str) -> Spec:
    name = "p50" if stat == "median" else stat
    return Spec(
        key=f"daemon_rtt_{name}",
        title=f"Daemon round trip ({name})",
        unit="µs",
        target=f"≤ {TARGET_RATIO:.0f}x the echo server",
        definition=(
            "status request to its reply over the daemon's Unix socket, one connection, one request at a time, "
            "VPN off; reference: a raw asyncio Unix-socket server answering with a line of the same size"
        ),
        shown=(stat, "median" if stat != "median" else "p95"),
    )


SPECS: Final = (_spec("median"), _spec("p99"))


class RawClient:
    """Line-oriented request/reply over a Unix socket, with nothing in between."""

    def __init__(self, path: Path) -> None:
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._sock.settimeout(TIMEOUT_S)
        self._sock.connect(str(path))
        self._buffer = b""

    def exchange(self, request: bytes) -> bytes:
        self._sock.sendall(request)
        while b"\n" not in self._buffer:
            chunk = self._sock.recv(65536)
            if not chunk:
                raise BenchError("the server closed the connection")
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line

    def close(self) -> None:
        self._sock.close()


def _tasks(pid: int) -> list[int]:
    return [int(entry.name) for entry in Path(f"/proc/{pid}/task").iterdir()]


@contextmanager
def one_cpu(pids: Sequence[int]) -> Iterator[int | None]:
    """Every thread of ``pids`` (and of this process) on one CPU, as it was before afterwards; the CPU."""
    allowed = sorted(os.sched_getaffinity(0))
    if len(allowed) < 2:
        yield None
        return
    cpu = allowed[0]
    tasks = [task for pid in (os.getpid(), *pids) for task in _tasks(pid)]
    saved = {task: os.sched_getaffinity(task) for task in tasks}
    for task in tasks:
        os.sched_setaffinity(task, {cpu})
    try:
        yield cpu
    finally:
        for task, mask in saved.items():
            with suppress(ProcessLookupError):  # a thread that ended meanwhile
                os.sched_setaffinity(task, mask)


def timed(client: RawClient, requests: Sequence[bytes]) -> list[float]:
    """Each request's round trip, in microseconds."""
    clock = time.perf_counter
    samples: list[float] = []
    for request in requests:
        began = clock()
        client.exchange(request)
        samples.append((clock() - began) * 1e6)
    return samples


def run(settings: RunSettings) -> list[Figure]:
    count = settings.round_trips
    requests = [encode(Status(id=index)) for index in range(2, 2 + WARMUP_REQUESTS + count)]
    with private_world(lab_args=None) as world:
        assert world.daemon is not None
        daemon = RawClient(world.daemon.socket_path)
        echo: Child | None = None
        echo_client: RawClient | None = None
        try:
            daemon.exchange(encode(Hello(id=1, version=PROTOCOL_VERSION, client="bench")))
            reply_bytes = len(daemon.exchange(requests[0])) + 1
            echo_path = world.home / "echo.sock"
            echo = Child(["-m", "benchmarks.echo_server", str(echo_path), str(reply_bytes)], world, "echo-server")
            echo.expect("ready", 30.0)
            echo_client = RawClient(echo_path)
            timed(daemon, requests[:WARMUP_REQUESTS])
            timed(echo_client, requests[:WARMUP_REQUESTS])
            # Alternating rounds, so a noisy moment of the machine hits both alike.
            daemon_samples: list[float] = []
            echo_samples: list[float] = []
            measured_requests = requests[WARMUP_REQUESTS:]
            with one_cpu([world.daemon.pid, echo.pid]) as cpu:
                for start in range(0, count, ROUND):
                    chunk = measured_requests[start : start + ROUND]
                    daemon_samples += timed(daemon, chunk)
                    echo_samples += timed(echo_client, chunk)
        finally:
            daemon.close()
            if echo_client is not None:
                echo_client.close()
            if echo is not None:
                echo.stop()
        # The blocking client with decoding, as tools and tests use it: a detail.
        with DaemonConnection(world.daemon.socket_path, timeout=TIMEOUT_S) as connection:
            connection.hello(client="bench")
            clock = time.perf_counter
            sync_samples: list[float] = []
            for _ in range(min(count, 500)):
                began = clock()
                connection.status()
                sync_samples.append((clock() - began) * 1e6)
    measured = summarize(daemon_samples)
    reference = summarize(echo_samples)
    details: dict[str, object] = {
        "requests": count,
        "request_bytes": len(requests[-1]),
        "reply_bytes": reply_bytes,
        "sync_client_us": numbers_of(summarize(sync_samples), 1),
        "pinned_to_cpu": cpu,
    }
    return [
        _figure(SPECS[0], measured, reference, "median", details),
        _figure(SPECS[1], measured, reference, "p99", details),
    ]


def _figure(spec: Spec, measured: Summary, reference: Summary, stat: str, details: dict[str, object]) -> Figure:
    measured_ratio = ratio(getattr(measured, stat), getattr(reference, stat))
    return spec.figure(
        numbers_of(measured, 1),
        verdict(measured_ratio is not None and measured_ratio <= TARGET_RATIO),
        reference=Reference("raw asyncio echo server", numbers_of(reference, 1)),
        ratio=measured_ratio,
        details=dict(details),
    )
