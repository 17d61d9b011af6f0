"""Daemon memory under a flood of malformed lines: its RSS after 100k of them, beside before.

A real daemon with its default options (log level INFO, so each refused
line writes its short log line) gets malformed frames of every kind
(``benchmarks.malformed_frames``: over-long, invalid JSON, nested too deep,
unknown type, wrong field types, bad ids, not an object) in pipelined bursts,
each burst on a connection of its own, as a fuzzer that reconnects would
send them.  A valid ``status`` follows every ``VALID_EVERY`` frames, so the
"20 bad lines in a row" rule never closes a connection and every line must
be answered.  Every reply is checked, in order: the error code each frame
must get, and the id of each ``status``; one missing or wrong reply makes the
benchmark fail instead of reporting a figure.

RSS (``VmRSS``) is read before the first frame, at checkpoints, and after
the last reply.  The target is that it levels off: what a frame or a
connection leaves behind grows with their number, while the allocator's
high-water mark from the biggest lines is reached early and stays, so the
second half of the flood must add (almost) nothing.  Short bursts make many
connections (5 000 per 100k frames), so a leak per connection shows too.
The log is searched for tracebacks.  ``python -m benchmarks.malformed --frames 400000``
runs a longer flood and prints every checkpoint.
"""

from __future__ import annotations

import argparse
import json
import random
import socket
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from benchmarks.malformed_frames import malformed_frame
from benchmarks.proc import rss_mb
from benchmarks.report import Figure, Reference, Spec, ratio, verdict
from benchmarks.settings import RunSettings
from benchmarks.world import BenchError, private_world
from mimic_core.protocol import (
    PROTOCOL_VERSION,
    Error,
    Hello,
    ProtocolError,
    Result,
    Status,
    decode_daemon_message,
    encode,
)

FULL_FRAMES: Final = 100_000
QUICK_FRAMES: Final = 2_000
BURST: Final = 20
"""Malformed frames per connection."""
VALID_EVERY: Final = 10
CHECKPOINTS: Final = 4
SEED: Final = 10
LEVEL_OFF_MB: Final = 1.0
"""Most the second half of the flood may add to the RSS."""
TIMEOUT_S: Final = 30.0

SPEC: Final = Spec(
    key="daemon_rss_malformed",
    title="Daemon RSS after 100k malformed frames",
    unit="MB",
    target=f"levels off: ≤ {LEVEL_OFF_MB:.0f} MB more than at half the frames; every line answered, no traceback",
    definition=(
        "VmRSS of a daemon with default options after 100 000 malformed lines of every kind (over-long, invalid "
        f"JSON, too deep, unknown type, wrong field types, bad ids, not an object), {BURST} per connection, "
        f"pipelined, a valid status after every {VALID_EVERY}; every reply checked in order; reference: its VmRSS "
        "before the first line, MiB"
    ),
    shown=("value",),
)
SPECS: Final = (SPEC,)


@dataclass
class Flood:
    """What one flood did and saw."""

    frames: int = 0
    connections: int = 0
    replies: int = 0
    by_code: dict[str, int] = field(default_factory=dict)
    rss_mb: dict[int, float] = field(default_factory=dict)
    """Frames sent so far -> daemon VmRSS (MiB) once their replies were in."""


class _Connection:
    def __init__(self, path: Path) -> None:
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._sock.settimeout(TIMEOUT_S)
        self._sock.connect(str(path))
        self._file = self._sock.makefile("rb")

    def send(self, data: bytes) -> None:
        self._sock.sendall(data)

    def reply(self) -> Error | Result:
        line = self._file.readline()
        if not line:
            raise BenchError("the daemon closed the connection before answering every line")
        try:
            message = decode_daemon_message(line.rstrip(b"\n"))
        except ProtocolError as exc:
            raise BenchError(f"unreadable reply from the daemon: {exc}") from None
        if not isinstance(message, Error | Result):
            raise BenchError(f"expected a reply, got {message!r}")
        return message

    def close(self) -> None:
        self._file.close()
        self._sock.close()


def _burst(path: Path, rng: random.Random, count: int, flood: Flood) -> None:
    """``count`` malformed frames (and their valid companions) on a new connection; every reply checked."""
    connection = _Connection(path)
    try:
        connection.send(encode(Hello(id=1, version=PROTOCOL_VERSION, client="bench")))
        if not isinstance(connection.reply(), Result):
            raise BenchError("hello refused")
        lines: list[bytes] = []
        expected: list[str | int] = []  # an error code, or the id of a valid status
        for index in range(count):
            frame = malformed_frame(rng)
            lines.append(frame.line)
            expected.append(frame.code)
            if index % VALID_EVERY == VALID_EVERY - 1:
                request_id = 2 + index
                lines.append(encode(Status(id=request_id)).rstrip(b"\n"))
                expected.append(request_id)
        connection.send(b"\n".join(lines) + b"\n")
        for position, want in enumerate(expected):
            got = connection.reply()
            seen: str | int = got.code if isinstance(got, Error) else got.id
            if seen != want:
                raise BenchError(f"line {position} of a burst: expected {want!r}, the daemon answered {got!r}")
            if isinstance(got, Error):
                flood.by_code[got.code] = flood.by_code.get(got.code, 0) + 1
        flood.replies += len(expected) + 1
        flood.frames += count
        flood.connections += 1
    finally:
        connection.close()


def flood(
    path: Path, pid: int, frames: int, seed: int = SEED, report: Callable[[int, float], None] | None = None
) -> Flood:
    """Send ``frames`` malformed frames to the daemon at ``path``; its RSS at each checkpoint."""
    rng = random.Random(seed)
    result = Flood()
    result.rss_mb[0] = rss_mb(pid)
    step = max(BURST, frames // CHECKPOINTS)
    next_checkpoint = step
    while result.frames < frames:
        _burst(path, rng, min(BURST, frames - result.frames), result)
        if result.frames >= next_checkpoint or result.frames == frames:
            result.rss_mb[result.frames] = rss_mb(pid)
            if report is not None:
                report(result.frames, result.rss_mb[result.frames])
            next_checkpoint += step
    return result


def log_tracebacks(log_dir: Path) -> tuple[int, int]:
    """Tracebacks in the daemon's log files (the current one and its rotated backups), and their total bytes."""
    tracebacks = size = 0
    for path in log_dir.glob("daemon.log*"):
        text = path.read_text(encoding="utf-8", errors="replace")
        tracebacks += text.count("Traceback (most recent call last)")
        size += path.stat().st_size
    return tracebacks, size


def measure(frames: int, report: Callable[[int, float], None] | None = None) -> tuple[Flood, float, int, int]:
    """A flood against a fresh daemon: what it saw, the RSS after it settled, tracebacks and log bytes."""
    with private_world(lab_args=None) as world:
        assert world.daemon is not None
        pid = world.daemon.pid
        result = flood(world.daemon.socket_path, pid, frames, report=report)
        time.sleep(1.0)  # replies written, sockets deleted: what stays is what the daemon keeps
        after = rss_mb(pid)
        if world.daemon.process.poll() is not None:
            raise BenchError(f"the daemon exited with {world.daemon.process.returncode} during the flood")
        tracebacks, log_bytes = log_tracebacks(world.home / "logs")
    return result, after, tracebacks, log_bytes


def run(settings: RunSettings) -> list[Figure]:
    frames = QUICK_FRAMES if settings.quick else FULL_FRAMES
    result, after, tracebacks, log_bytes = measure(frames)
    before = result.rss_mb[0]
    half = result.rss_mb[max(sent for sent in result.rss_mb if sent <= frames // 2)]
    details = {
        "frames": result.frames,
        "connections": result.connections,
        "replies_checked": result.replies,
        "errors_by_code": dict(sorted(result.by_code.items())),
        "rss_mb_at_frames": {str(sent): round(value, 1) for sent, value in sorted(result.rss_mb.items())},
        "growth_mb": round(after - before, 1),
        "second_half_growth_mb": round(after - half, 2),
        "tracebacks_in_log": tracebacks,
        "log_bytes": log_bytes,
    }
    return [
        SPEC.figure(
            {"value": round(after, 1)},
            verdict(after - half <= LEVEL_OFF_MB and tracebacks == 0),
            reference=Reference("before the frames", {"value": round(before, 1)}),
            ratio=ratio(after, before),
            details=details,
        )
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.malformed", description="Flood a fresh daemon with malformed lines."
    )
    parser.add_argument("--frames", type=int, default=FULL_FRAMES, metavar="N")
    args = parser.parse_args(argv)

    def report(sent: int, rss: float) -> None:
        print(json.dumps({"frames": sent, "rss_mb": round(rss, 2)}), flush=True)

    result, after, tracebacks, log_bytes = measure(args.frames, report)
    print(
        json.dumps(
            {
                "before_mb": round(result.rss_mb[0], 2),
                "after_mb": round(after, 2),
                "connections": result.connections,
                "replies_checked": result.replies,
                "errors_by_code": result.by_code,
                "tracebacks_in_log": tracebacks,
                "log_bytes": log_bytes,
            }
        ),
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
