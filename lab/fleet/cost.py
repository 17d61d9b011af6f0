"""What the fleet costs the machine: CPU time and memory of its processes, sampled from /proc.

Once a second a thread lists the processes whose ``MIMIC_HOME`` lies under
the fleet's folder (each client's home, and the lab's), and reads each
one's CPU time (``utime + stime`` of ``/proc/PID/stat``), resident memory
(``VmRSS``) and peak (``VmHWM``).  A process's CPU time is its last sample,
so the last second of a process that ends (a SIGKILL, a quit) is not
counted: the figures are a slight underestimate, by at most a second of
CPU per process that ended between two samples.  The fleet driver's own
cost comes from ``getrusage`` (its threads, not its children).
"""

from __future__ import annotations

import os
import resource
import statistics
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Literal

import msgspec

from mimic_core.paths import HOME_ENV

Role = Literal["app", "daemon", "ctl", "lab", "other"]
SAMPLE_S: Final = 1.0
_TICKS: Final = os.sysconf("SC_CLK_TCK")
_PAGE_KB: Final = os.sysconf("SC_PAGE_SIZE") // 1024


@dataclass
class _Seen:
    home: str
    role: Role
    cpu_s: float = 0.0
    peak_rss_kb: int = 0


@dataclass
class _Samples:
    processes: dict[int, _Seen] = field(default_factory=dict)
    peak_home_rss_kb: dict[str, int] = field(default_factory=dict)
    """Home name -> the largest sum of its processes' RSS in one sample."""
    samples: int = 0


class RoleCost(msgspec.Struct, frozen=True):
    processes: int
    cpu_s: float
    peak_rss_mb_median: float
    peak_rss_mb_max: float


class FleetCost(msgspec.Struct, frozen=True):
    wall_s: float
    cpus: int
    cpu_s: float
    """Every process of the fleet (clients and lab), over the run."""
    machine_share: float
    """``cpu_s / (wall_s * cpus)``: how much of the machine the fleet's processes took."""
    client_peak_rss_mb_median: float
    client_peak_rss_mb_max: float
    """Per client: the largest sum of RSS of its processes at one moment (app, daemon, vpnui-ctl)."""
    client_cpu_s_median: float
    client_cpu_s_max: float
    by_role: dict[str, RoleCost]
    driver_cpu_s: float
    driver_peak_rss_mb: float
    samples: int


def _read_process(pid: int, root: str) -> tuple[str, Role, float, int, int] | None:
    """(home name, role, CPU seconds, RSS kB, peak RSS kB) of ``pid`` when it belongs to the fleet under ``root``."""
    base = Path("/proc") / str(pid)
    try:
        environ = (base / "environ").read_bytes().split(b"\0")
        home = next((item[len(HOME_ENV) + 1 :] for item in environ if item.startswith(HOME_ENV.encode() + b"=")), None)
        if home is None or not home.decode(errors="replace").startswith(root):
            return None
        name = home.decode(errors="replace")[len(root) :].strip("/").split("/", 1)[0]
        stat = (base / "stat").read_text()
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] in ("Z", "X"):
            return None
        cpu_s = (int(fields[11]) + int(fields[12])) / _TICKS
        rss_kb = int(fields[21]) * _PAGE_KB
        peak_kb = rss_kb
        for line in (base / "status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peak_kb = int(line.split()[1])
        command = (base / "cmdline").read_bytes().split(b"\0")
    except (OSError, ValueError, IndexError):
        return None
    return name, _role(command), cpu_s, rss_kb, peak_kb


def _role(command: list[bytes]) -> Role:
    words = [part.decode(errors="replace") for part in command]
    for index, word in enumerate(words[:-1]):
        if word == "-m":
            module = words[index + 1]
            if module == "vpnui":
                return "app"
            if module == "daemon":
                return "daemon"
            if module == "vpnui.ctl":
                return "ctl"
            if module == "lab":
                return "lab"
    return "other"


class CostSampler:
    """Samples the fleet's processes under ``root`` every second until ``stop``."""

    def __init__(self, root: Path) -> None:
        self.root = str(root).rstrip("/") + "/"
        self._data = _Samples()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._began = time.monotonic()
        self._thread = threading.Thread(target=self._run, name="fleet-cost", daemon=True)

    def start(self) -> None:
        self._began = time.monotonic()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5.0)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(SAMPLE_S)

    def sample(self) -> None:
        per_home: dict[str, int] = {}
        found: list[tuple[int, tuple[str, Role, float, int, int]]] = []
        for entry in os.scandir("/proc"):
            if entry.name.isdigit() and int(entry.name) != os.getpid():
                seen = _read_process(int(entry.name), self.root)
                if seen is not None:
                    found.append((int(entry.name), seen))
        with self._lock:
            data = self._data
            data.samples += 1
            for pid, (home, role, cpu_s, rss_kb, peak_kb) in found:
                known = data.processes.get(pid)
                if known is None or known.home != home:
                    known = data.processes[pid] = _Seen(home=home, role=role)
                known.cpu_s = max(known.cpu_s, cpu_s)
                known.peak_rss_kb = max(known.peak_rss_kb, peak_kb)
                per_home[home] = per_home.get(home, 0) + rss_kb
            for home, rss_kb in per_home.items():
                data.peak_home_rss_kb[home] = max(data.peak_home_rss_kb.get(home, 0), rss_kb)

    def result(self, clients: list[str], cpus: int) -> FleetCost:
        """The figures so far; ``clients`` are the homes that are clients (the lab's is not)."""
        with self._lock:
            processes = list(self._data.processes.values())
            peaks = dict(self._data.peak_home_rss_kb)
            samples = self._data.samples
        wall_s = time.monotonic() - self._began
        cpu_s = sum(seen.cpu_s for seen in processes)
        client_cpu = [sum(seen.cpu_s for seen in processes if seen.home == name) for name in clients]
        client_rss = [peaks.get(name, 0) / 1024 for name in clients]
        by_role: dict[str, RoleCost] = {}
        for role in ("app", "daemon", "ctl", "lab", "other"):
            mine = [seen for seen in processes if seen.role == role]
            if mine:
                rss = [seen.peak_rss_kb / 1024 for seen in mine]
                by_role[role] = RoleCost(
                    processes=len(mine),
                    cpu_s=round(sum(seen.cpu_s for seen in mine), 1),
                    peak_rss_mb_median=round(statistics.median(rss), 1),
                    peak_rss_mb_max=round(max(rss), 1),
                )
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return FleetCost(
            wall_s=round(wall_s, 1),
            cpus=cpus,
            cpu_s=round(cpu_s, 1),
            machine_share=round(cpu_s / (wall_s * cpus), 3) if wall_s > 0 and cpus else 0.0,
            client_peak_rss_mb_median=round(statistics.median(client_rss), 1) if client_rss else 0.0,
            client_peak_rss_mb_max=round(max(client_rss), 1) if client_rss else 0.0,
            client_cpu_s_median=round(statistics.median(client_cpu), 1) if client_cpu else 0.0,
            client_cpu_s_max=round(max(client_cpu), 1) if client_cpu else 0.0,
            by_role=by_role,
            driver_cpu_s=round(usage.ru_utime + usage.ru_stime, 1),
            driver_peak_rss_mb=round(usage.ru_maxrss / 1024, 1),
            samples=samples,
        )
