"""A child process that reports JSON lines on stdout (and may take commands on stdin): the app, the lab's desktop."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

from lab.leftovers import stop_process

START_TIMEOUT_S = 60.0
EXIT_TIMEOUT_S = 20.0


class JsonLines:
    """``python ARGS``, whose stdout is read as JSON lines; its stderr goes to a file.

    ``env``: the child's whole environment (default: this process's).
    ``commands``: its stdin is a pipe that ``send`` writes to (else /dev/null).
    """

    def __init__(
        self,
        args: list[str],
        stderr_path: Path,
        env: Mapping[str, str] | None = None,
        commands: bool = False,
    ) -> None:
        self.stderr_path = stderr_path
        self._stderr: IO[bytes] = stderr_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, *args],
            stdin=subprocess.PIPE if commands else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env=env,
        )
        self.lines: list[dict[str, Any]] = []
        self._buffer = b""

    def send(self, line: str) -> None:
        """One line on the child's stdin (``commands=True``)."""
        assert self.process.stdin is not None, "started without commands=True"
        self.process.stdin.write(line.encode() + b"\n")
        self.process.stdin.flush()

    def read_until(self, event: str, timeout_s: float = START_TIMEOUT_S) -> dict[str, Any]:
        """Every line up to the first ``event`` is kept in ``lines``; that line is returned."""
        assert self.process.stdout is not None
        deadline = time.monotonic() + timeout_s
        while True:
            while b"\n" in self._buffer:
                line, self._buffer = self._buffer.split(b"\n", 1)
                self.lines.append(json.loads(line))
                if self.lines[-1]["event"] == event:
                    return self.lines[-1]
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"no {event!r} within {timeout_s:.0f} s: {self.lines}\n{self.stderr()}"
            readable, _, _ = select.select([self.process.stdout], [], [], remaining)
            if readable:
                chunk = os.read(self.process.stdout.fileno(), 65536)
                assert chunk, f"exited ({self.process.wait()}) before {event!r}: {self.lines}\n{self.stderr()}"
                self._buffer += chunk

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def stop(self) -> int:
        stop_process(self.process, EXIT_TIMEOUT_S)
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                pipe.close()
        self._stderr.close()
        return self.process.returncode
