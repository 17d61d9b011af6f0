"""Idle: the VPN On and nobody touching anything, for a minute, with the tray icon registered.

The app is the real one in a process of its own (``benchmarks.app_driver
idle``): it starts, the user's toggle turns the VPN On, and from then on the
driver does nothing at all (it waits for SIGTERM).  The daemon runs with its
default options (a keepalive every second, so it has real work to do).
The app runs on a desktop (``benchmarks.desktop_session``): a private
session bus with a tray host, whose watcher must have registered the app's
item, and a notification service.  After a short settling time the CPU time
(utime + stime, every thread) of both processes is read from ``/proc`` at
the start and the end of the window, and their resident memory every
second; the figure is their CPU time over the window as a share of one
core, and the highest RSS seen.  The same is then measured in a world of
its own with no session bus at all (no tray, no notifications, no D-Bus
connection), the same window long: the reference that says what the
desktop integration costs.
"""

from __future__ import annotations

import time
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any, Final

from benchmarks.desktop_session import Desktop, desktop_session
from benchmarks.proc import cpu_seconds, rss_mb
from benchmarks.report import Figure, Reference, Spec, ratio, verdict
from benchmarks.settings import RunSettings
from benchmarks.world import BenchError, Child, private_world

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
    title="Idle CPU, app + daemon (VPN On, with tray)",
    unit="% of a core",
    target=f"≤ {CPU_TARGET_PERCENT:.0f} % of one core",
    definition=(
        "VPN turned On by the app, then untouched; (app + daemon) utime+stime over the window / window length, "
        "from /proc/<pid>/stat; daemon keepalive 1 s; the app's tray item registered with a StatusNotifierWatcher "
        "on a private session bus that also has a notification service (the same without a session bus: details)"
    ),
    shown=("value", "app", "daemon"),
)
APP_RSS_SPEC: Final = Spec(
    key="idle_app_rss",
    title="Idle app RSS (VPN On, with tray)",
    unit="MB",
    target=f"≤ {APP_RSS_TARGET_MB:.0f} MB",
    definition=(
        "highest VmRSS of the app process during the idle window (/proc/<pid>/status), MiB, its tray item "
        "registered (as above); reference: the same app, window and scenario in a world without a session bus"
    ),
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


@dataclass
class IdleRun:
    """One idle window of one app: its CPU share and memory, and the desktop it had."""

    percent: dict[str, float]
    rss_peak: dict[str, float]
    rss_end: dict[str, float]
    window_s: float
    tray_item: str | None
    notifications: int

    def details(self) -> dict[str, Any]:
        return {
            "window_s": round(self.window_s, 1),
            "cpu_percent": self.percent,
            "rss_peak_mb": {name: round(value, 1) for name, value in self.rss_peak.items()},
            "rss_end_mb": {name: round(value, 1) for name, value in self.rss_end.items()},
        }


def measure(settings: RunSettings, *, with_tray: bool) -> IdleRun:
    """An idle window in a world of its own, on a desktop with a tray host (``with_tray``) or no session bus."""
    window_s = settings.idle_window_s
    with private_world() as world:
        assert world.daemon is not None and world.lab is not None
        daemon_pid = world.daemon.pid
        session: AbstractContextManager[Desktop | None] = desktop_session(world) if with_tray else nullcontext()
        with session as desktop:
            name = "idle-driver" if with_tray else "idle-driver-no-bus"
            driver = Child(["-m", "benchmarks.app_driver", "--lab-url", world.lab_url, "idle"], world, name)
            try:
                ready = driver.expect("ready", DRIVER_TIMEOUT_S)
                item = None
                if desktop is not None:
                    # The proof the row carries: the tray host has this very app's item.
                    item = desktop.wait_for_item(driver.pid)
                if bool(ready.get("tray")) != with_tray:
                    raise BenchError(f"the app reports tray={ready.get('tray')} with_tray={with_tray}")
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
                if desktop is not None:
                    desktop.collect()
            finally:
                driver.stop()
    percent = {name: round((cpu_after[name] - cpu_before[name]) / elapsed * 100, 3) for name in pids}
    return IdleRun(percent, rss_peak, rss_end, elapsed, item, desktop.notifications if desktop is not None else 0)


def run(settings: RunSettings) -> list[Figure]:
    tray = measure(settings, with_tray=True)
    no_bus = measure(settings, with_tray=False)
    total = round(tray.percent["app"] + tray.percent["daemon"], 3)
    details = {
        **tray.details(),
        "tray_item": tray.tray_item,
        "notifications_received": tray.notifications,
        "without_session_bus": no_bus.details(),
        "note": "the lab's own CPU and RSS are shown for context only; it plays the outside world",
    }
    app_rss, app_rss_no_bus = round(tray.rss_peak["app"], 1), round(no_bus.rss_peak["app"], 1)
    return [
        CPU_SPEC.figure(
            {"value": total, "app": tray.percent["app"], "daemon": tray.percent["daemon"]},
            verdict(total <= CPU_TARGET_PERCENT),
            details=details,
        ),
        APP_RSS_SPEC.figure(
            {"value": app_rss},
            verdict(app_rss <= APP_RSS_TARGET_MB),
            reference=Reference("no session bus", {"value": app_rss_no_bus}),
            ratio=ratio(app_rss, app_rss_no_bus),
            details=details,
        ),
        DAEMON_RSS_SPEC.figure(
            {"value": round(tray.rss_peak["daemon"], 1)},
            verdict(tray.rss_peak["daemon"] <= DAEMON_RSS_TARGET_MB),
            details=details,
        ),
    ]
