"""Idle: the VPN On and nobody touching anything, for a minute.

The app is the real one in a process of its own (``benchmarks.app_driver
idle``): it starts, the user's toggle turns the VPN On, and from then on the
driver does nothing at all (it waits for SIGTERM).  The daemon runs with its
default options (a keepalive every second, so it has real work to do).
After a short settling time the CPU time (utime + stime, every thread) of
both processes is read from ``/proc`` at the start and the end of the
window, and their resident memory every second; the figure is their CPU
time over the window as a share of one core, and the highest RSS seen.
"""

from __future__ import annotations

import time
from typing import Final

from benchmarks.proc import cpu_seconds, rss_mb
from benchmarks.report import Figure, Spec, verdict
from benchmarks.settings import RunSettings
from benchmarks.world import Child, private_world

CPU_TARGET_PERCENT: Final = 1.0
APP_RSS_TARGET_MB: Final = 150.0
DAEMON_RSS_TARGET_MB: Final = 60.0
SETTLE_S: Final = 3.0
"""After On: the stability settling window and the session's first pings."""
QUICK_SETTLE_S: Final = 1.0
SAMPLE_S: Final = 1.0
DRIVER_TIMEOUT_S: Final = 120.0

CPU_SPEC: Final = Spec(
    key="idle_cpu",
    title="Idle CPU, app + daemon (VPN On)",
    unit="% of a core",
    target=f"≤ {CPU_TARGET_PERCENT:.0f} % of one core",
    definition=(
        "VPN turned On by the app, then untouched; (app + daemon) utime+stime over the window / window length, "
        "from /proc/<pid>/stat; daemon keepalive 1 s"
    ),
    shown=("value", "app", "daemon"),
)
APP_RSS_SPEC: Final = Spec(
    key="idle_app_rss",
    title="Idle app RSS (VPN On)",
    unit="MB",
    target=f"≤ {APP_RSS_TARGET_MB:.0f} MB",
    definition="highest VmRSS of the app process during the idle window (/proc/<pid>/status), MiB",
    shown=("value",),
)
DAEMON_RSS_SPEC: Final = Spec(
    key="idle_daemon_rss",
    title="Idle daemon RSS (VPN On)",
    unit="MB",
    target=f"≤ {DAEMON_RSS_TARGET_MB:.0f} MB",
    definition="highest VmRSS of the daemon process during the idle window, MiB",
    shown=("value",),
)
SPECS: Final = (CPU_SPEC, APP_RSS_SPEC, DAEMON_RSS_SPEC)


def run(settings: RunSettings) -> list[Figure]:
    window_s = settings.idle_window_s
    with private_world() as world:
        assert world.daemon is not None and world.lab is not None
        daemon_pid = world.daemon.pid
        driver = Child(["-m", "benchmarks.app_driver", "--lab-url", world.lab_url, "idle"], world, "idle-driver")
        try:
            driver.expect("ready", DRIVER_TIMEOUT_S)
            driver.expect("on", DRIVER_TIMEOUT_S)
            time.sleep(QUICK_SETTLE_S if settings.quick else SETTLE_S)
            pids = {"app": driver.pid, "daemon": daemon_pid, "lab": world.lab.pid}
            cpu_before = {name: cpu_seconds(pid) for name, pid in pids.items()}
            rss_peak = {name: rss_mb(pid) for name, pid in pids.items()}
            began = time.monotonic()
            while time.monotonic() - began < window_s:
                time.sleep(min(SAMPLE_S, max(0.0, window_s - (time.monotonic() - began))))
                for name, pid in pids.items():
                    rss_peak[name] = max(rss_peak[name], rss_mb(pid))
            elapsed = time.monotonic() - began
            cpu_after = {name: cpu_seconds(pid) for name, pid in pids.items()}
            rss_end = {name: rss_mb(pid) for name, pid in pids.items()}
        finally:
            driver.stop()
    percent = {name: round((cpu_after[name] - cpu_before[name]) / elapsed * 100, 3) for name in pids}
    total = round(percent["app"] + percent["daemon"], 3)
    details = {
        "window_s": round(elapsed, 1),
        "cpu_percent": percent,
        "rss_peak_mb": {name: round(value, 1) for name, value in rss_peak.items()},
        "rss_end_mb": {name: round(value, 1) for name, value in rss_end.items()},
        "note": "the lab's own CPU and RSS are shown for context only; it plays the outside world",
    }
    return [
        CPU_SPEC.figure(
            {"value": total, "app": percent["app"], "daemon": percent["daemon"]},
            verdict(total <= CPU_TARGET_PERCENT),
            details=details,
        ),
        APP_RSS_SPEC.figure(
            {"value": round(rss_peak["app"], 1)}, verdict(rss_peak["app"] <= APP_RSS_TARGET_MB), details=details
        ),
        DAEMON_RSS_SPEC.figure(
            {"value": round(rss_peak["daemon"], 1)},
            verdict(rss_peak["daemon"] <= DAEMON_RSS_TARGET_MB),
            details=details,
        ),
    ]
