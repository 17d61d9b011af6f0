"""How much of the machine a fleet may take at once: process starts and open apps.

Starting a process is the expensive moment (an interpreter, Qt, Glean: about
a CPU-second for the app), and an open app is the expensive state (about
130 MB, a window rendered offscreen).  So the fleet bounds both: at most
``max_starting`` processes start at the same time, and at most
``max_apps`` apps are open.  A client whose action needs one waits for it;
the waits are counted in the result, so a bound that slows a run shows.
The defaults come from this machine (CPUs, available memory) and are only
defaults: ``--max-starting`` and ``--max-apps`` override them.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Final

APP_BUDGET_MB: Final = 400
"""Available memory set aside per open app: its ~130 MB and the daemon's ~60 MB, twice over."""
APPS_PER_CPU: Final = 8
"""An idle app costs 0.2 % of a core; the bound is for what it does when driven."""


def cpu_count() -> int:
    """CPUs this process may run on."""
    return len(os.sched_getaffinity(0))


def available_memory_mb(meminfo: Path = Path("/proc/meminfo")) -> int | None:
    """``MemAvailable`` in MB, ``None`` when it cannot be read."""
    try:
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) // 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


@dataclass(frozen=True)
class Limits:
    max_starting: int
    max_apps: int

    @classmethod
    def for_machine(cls, cpus: int, memory_mb: int | None) -> Limits:
        """Half the CPUs for starts (the other half keeps the running processes and the desktop responsive)."""
        apps = APPS_PER_CPU * cpus
        if memory_mb is not None:
            apps = min(apps, memory_mb // APP_BUDGET_MB)
        return cls(max_starting=max(1, cpus // 2), max_apps=max(1, apps))


class Gate:
    """A counting semaphore that says how many hold it and how long its takers waited."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("a gate needs room for at least one")
        self.size = size
        self._semaphore = threading.BoundedSemaphore(size)
        self._lock = threading.Lock()
        self.holders = 0
        self.peak = 0
        self.waited_s = 0.0

    def acquire(self, stop: threading.Event) -> bool:
        """Wait for room (``False`` if ``stop`` is set first)."""
        began = time.monotonic()
        while not self._semaphore.acquire(timeout=0.2):
            if stop.is_set():
                return False
        with self._lock:
            self.holders += 1
            self.peak = max(self.peak, self.holders)
            self.waited_s += time.monotonic() - began
        return True

    def release(self) -> None:
        with self._lock:
            self.holders -= 1
        self._semaphore.release()


@dataclass
class Gates:
    starting: Gate
    apps: Gate

    @classmethod
    def of(cls, limits: Limits) -> Gates:
        return cls(starting=Gate(limits.max_starting), apps=Gate(limits.max_apps))
