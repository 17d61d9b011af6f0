"""``python -m benchmarks.app_driver``: the real app in a process of its own, driven through one scenario.

The app is ``MimicApp`` exactly as ``vpnui`` assembles it (offscreen,
against the lab at ``--lab-url``, default connection settings unless told
otherwise), started and shown, and then driven the way a user would: the
toggle, a network condition flipped in the lab.  It runs in its own process
so that its memory and CPU time are its own (the idle and growth figures
read them from ``/proc``) and so every scenario starts from a fresh app.

Everything is reported as JSON lines on stdout (``{"event": ...}``), read by
the orchestrator; waits are driven by the manager's signals rather than by
polling, so the driver steals no time from the app it measures.

Scenarios:

- ``activation``: toggle On and Off ``--count`` times (after ``--warmup``
  discarded runs); each On reports the manager's own activation time
  (``activationMeasured``: toggle to On, every check passed and the daemon
  connected).  ``--hold`` then reports the app's RSS with the VPN On.
- ``diagnosis``: with the VPN On, flip each condition in the lab and time
  until the manager names the expected failure and its modal is open (or its banner shown).
- ``failover``: with the VPN On, mark the connected server down in the lab
  and time until the daemon reports traffic (an answered keepalive) on
  another server; then bring it back, and again from the new server.
- ``idle``: toggle On, report, then leave the app untouched until SIGTERM.
- ``telemetry``: the app's own Glean (started by the app as usual): the
  cost of record calls on the UI thread, and ``vpnsession`` pings from
  submit to stored by the lab's ingestion endpoint.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import sys
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Final

# Offscreen rendering: no display needed (set before Qt is imported).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# Imported before Qt (it must see Python's own import), called before the
# app's modules are imported: exactly as vpnui.main does.
from mimic_core import early_start

# isort: split
import qasync
from PySide6.QtCore import QObject, SignalInstance
from PySide6.QtGui import QGuiApplication

early_start.qt_imported()

from mimic_core import protocol  # noqa: E402
from mimic_core.lab_api import StoredPing  # noqa: E402  # noqa: E402
from mimic_core.lab_client import LabControl  # noqa: E402  # noqa: E402
from mimic_core.telemetry_names import APP_PING, APPLICATION_IDS, AppPingReason  # noqa: E402
from vpnui.app import AppOptions, MimicApp  # noqa: E402
from vpnui.config import lab_endpoints  # noqa: E402
from vpnui.connection.locations import LatencyTier  # noqa: E402
from vpnui.connection.settings import ConnectionSettings  # noqa: E402
from vpnui.connection.states import ConnectionState, VPNClientState  # noqa: E402
from vpnui.daemon_client import LinkState  # noqa: E402

START_TIMEOUT_S: Final = 30.0
STATE_TIMEOUT_S: Final = 30.0
DIAGNOSIS_TIMEOUT_S: Final = 30.0
RECOVERY_TIMEOUT_S: Final = 45.0
FAILOVER_TIMEOUT_S: Final = 30.0
OPENED_POLL_S: Final = 0.002
SUBMIT_TIMEOUT_S: Final = 30.0
APP_ID: Final = APPLICATION_IDS["app"]
"""The app's Glean application id, as the lab stores it."""

# The conditions a diagnosis can flip, and the failure the manager must name for each.
CONDITIONS: Final[tuple[str, ...]] = ("server_down", "internet_down", "captive_portal", "firewall")
EXPECTED_FAILURE: Final[dict[str, str]] = {
    "server_down": "serverUnavailable",
    "internet_down": "noInternet",
    "captive_portal": "captivePortal",
    "firewall": "firewallBlocking",
}


class DriverError(Exception):
    """The app did not do what the scenario waited for; reported as an ``error`` line, exit code 1."""


def emit(event: str, **fields: Any) -> None:
    print(json.dumps({"event": event, **fields}), flush=True)


def rss_kb(pid: int | str = "self") -> dict[str, int]:
    """VmRSS and VmHWM (peak) of a process, in KiB."""
    found: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0])
    return found


async def until(predicate: Callable[[], bool], signals: Sequence[SignalInstance], timeout_s: float, what: str) -> float:
    """Wait until ``predicate`` holds, re-checked on each of ``signals``; the monotonic time it first held."""
    if predicate():
        return time.monotonic()
    loop = asyncio.get_running_loop()
    reached: asyncio.Future[float] = loop.create_future()

    def check(*_: object) -> None:
        if not reached.done() and predicate():
            reached.set_result(time.monotonic())

    for signal_instance in signals:
        signal_instance.connect(check)
    try:
        return await asyncio.wait_for(reached, timeout_s)
    except TimeoutError:
        raise DriverError(f"timed out after {timeout_s:.0f} s waiting for {what}") from None
    finally:
        for signal_instance in signals:
            signal_instance.disconnect(check)


class Timeline:
    """What the manager did while a condition was being diagnosed: the evidence behind a slow figure."""

    def __init__(self, manager: Any) -> None:
        self._manager = manager
        self.entries: list[tuple[float, str, str]] = []
        self._hooks: list[tuple[SignalInstance, Callable[..., None]]] = [
            (manager.connectionStateChanged, lambda: self._note("connection_state", self._state_name())),
            (manager.failureChanged, lambda: self._note("failure", manager.failure_key)),
            (manager.healthChanged, lambda: self._note("health", manager.property("roundTrip"))),
            (manager.checkMeasured, lambda check, s: self._note("check_done", f"{check} {s * 1000:.0f} ms")),
        ]

    def _state_name(self) -> str:
        return ConnectionState(int(self._manager.property("connectionState"))).name

    def _note(self, kind: str, value: object) -> None:
        self.entries.append((time.monotonic(), kind, str(value)))

    def __enter__(self) -> Timeline:
        for signal_instance, hook in self._hooks:
            signal_instance.connect(hook)
        return self

    def __exit__(self, *_: object) -> None:
        for signal_instance, hook in self._hooks:
            signal_instance.disconnect(hook)

    def relative_to(self, started: float) -> list[tuple[float, str, str]]:
        """Entries with their time in milliseconds since ``started``."""
        return [(round((at - started) * 1000, 1), kind, value) for at, kind, value in self.entries]


class Driver:
    def __init__(self, app: MimicApp, lab: LabControl) -> None:
        self.app = app
        self.manager = app.manager
        self.lab = lab

    # ------------------------------------------------------------ helpers

    def state(self) -> int:
        return int(self.manager.property("state"))

    def failure(self) -> str:
        return self.manager.failure_key

    async def ready(self) -> None:
        m = self.manager
        await until(
            lambda: m.link_state is LinkState.READY and m.location_model.rowCount() > 0,
            [m.linkStateChanged, m.locationsChanged],
            START_TIMEOUT_S,
            "a ready daemon link and the server list",
        )
        # The app probes every server once at start for the location picker;
        # measuring while that runs would measure the two together.
        try:
            await until(
                lambda: all(row.latency_tier is not LatencyTier.Unknown for row in m.location_model.rows),
                [m.locationsChanged],
                START_TIMEOUT_S,
                "the location scores",
            )
        except DriverError:
            emit("note", message="not every location was scored at start")

    async def turn_on(self) -> float:
        """Toggle On; the manager's activation time in seconds."""
        m = self.manager
        if self.state() != VPNClientState.Off:
            raise DriverError(f"cannot turn on from state {self.state()}")
        measured: list[float] = []
        m.activationMeasured.connect(measured.append)
        try:
            m.toggle()
            await until(
                lambda: self.state() == VPNClientState.On or bool(self.failure()),
                [m.stateChanged, m.failureChanged],
                STATE_TIMEOUT_S,
                "the VPN on",
            )
        finally:
            m.activationMeasured.disconnect(measured.append)
        if self.state() != VPNClientState.On:
            raise DriverError(f"activation failed: {self.failure()} ({m.property('failureDetail')})")
        if not measured:
            raise DriverError("the VPN came on without an activation measurement")
        return measured[0]

    async def turn_off(self) -> None:
        m = self.manager
        m.toggle()
        await until(lambda: self.state() == VPNClientState.Off, [m.stateChanged], STATE_TIMEOUT_S, "the VPN off")

    def message_shown(self, failure_key: str) -> bool:
        """Whether the failure's modal is open or its banner shown (each is created when its failure comes)."""
        window = self.app.window
        assert window is not None
        suffix = failure_key[0].upper() + failure_key[1:]
        modal = window.findChild(QObject, "modal" + suffix)
        if modal is not None:
            return bool(modal.property("opened"))
        banner = window.findChild(QObject, "banner" + suffix)
        return banner is not None and bool(banner.property("visible"))

    async def patch_lab(self, patch: dict[str, Any]) -> None:
        # Off the UI thread: the app must keep running while the lab is asked.
        await asyncio.get_running_loop().run_in_executor(None, self.lab.patch, patch)

    async def reset_lab(self) -> None:
        await asyncio.get_running_loop().run_in_executor(None, self.lab.reset)

    def location_servers(self) -> list[str]:
        server_list = self.manager.server_list
        if server_list is None:
            raise DriverError("no server list")
        return [server.name for server in server_list.endpoints(*self.manager.selected_location)]

    def patch_for(self, condition: str) -> dict[str, Any]:
        if condition == "server_down":
            return {"servers": {name: {"down": True} for name in self.location_servers()}}
        if condition == "internet_down":
            return {"internet": False}
        if condition == "captive_portal":
            return {"captive_portal": True}
        if condition == "firewall":
            return {"firewall_blocks_udp": True}
        raise DriverError(f"unknown condition {condition}")

    async def healthy_on(self) -> None:
        """On, no failure shown, and the tunnel answering its keepalives again."""
        m = self.manager

        def answering() -> bool:
            trip = str(m.property("roundTrip"))
            return (
                self.state() == VPNClientState.On
                and not self.failure()
                and bool(trip)
                and not trip.startswith("no answer")
            )

        await until(
            answering,
            [m.stateChanged, m.failureChanged, m.healthChanged],
            RECOVERY_TIMEOUT_S,
            "the VPN on and healthy again",
        )

    # ---------------------------------------------------------- scenarios

    async def activation(self, count: int, warmup: int, settle_s: float, hold: bool) -> None:
        for index in range(warmup + count):
            started = time.monotonic()
            seconds = await self.turn_on()
            wall = time.monotonic() - started
            emit("activation", seconds=seconds, wall_s=wall, warmup=index < warmup)
            await self.turn_off()
            await asyncio.sleep(settle_s)
        if hold:
            await self.turn_on()
            await asyncio.sleep(1.0)
        emit("done", rss_kb=rss_kb(), servers=len(self.location_servers()))

    async def diagnosis(self, count: int, conditions: Sequence[str], phase: tuple[float, float]) -> None:
        await self.turn_on()
        m = self.manager
        for repetition in range(count):
            for condition in conditions:
                await self.healthy_on()
                # A random phase against the keepalive schedule, as a real
                # network fails at any moment.
                await asyncio.sleep(random.uniform(*phase))
                expected = EXPECTED_FAILURE[condition]
                timeline = Timeline(m)
                seen_failures: list[str] = []

                def named(expected: str = expected, seen: list[str] = seen_failures) -> bool:
                    current = self.failure()
                    if current and (not seen or seen[-1] != current):
                        seen.append(current)
                    return current == expected

                with timeline:
                    started = time.monotonic()
                    await self.patch_lab(self.patch_for(condition))
                    patched = time.monotonic()
                    failure_at = await until(named, [m.failureChanged], DIAGNOSIS_TIMEOUT_S, f"the {expected} failure")
                    # A modal's ``opened`` turns true once the popup has finished
                    # opening (a banner is there at once); polled only in this short window.
                    deadline = time.monotonic() + 5.0
                    while not self.message_shown(expected):
                        if time.monotonic() > deadline:
                            raise DriverError(f"the {expected} modal or banner never showed")
                        await asyncio.sleep(OPENED_POLL_S)
                    opened_at = time.monotonic()
                emit(
                    "diagnosis",
                    condition=condition,
                    repetition=repetition,
                    seconds=opened_at - started,
                    failure_s=failure_at - started,
                    patch_s=patched - started,
                    failures_seen=seen_failures,
                    still_on=self.state() == VPNClientState.On,
                    timeline=timeline.relative_to(started),
                )
                await self.reset_lab()
        emit("done", rss_kb=rss_kb())

    async def failover(self, count: int, warmup: int, phase: tuple[float, float]) -> None:
        """The connected server dies while another of the location answers: until traffic flows on that one."""
        await self.turn_on()
        m = self.manager
        since = float(m.property("connectedSince"))
        events: list[tuple[float, object]] = []
        unstable: list[str] = []
        failures: list[str] = []

        def on_event(event: object) -> None:
            events.append((time.monotonic(), event))

        def on_stability() -> None:
            if m.property("unstable"):
                unstable.append(str(m.property("stabilityText")))

        # Connected before ``until`` connects its own slot: the event is listed when it checks.
        self.app.client.eventReceived.connect(on_event)
        m.stabilityChanged.connect(on_stability)
        m.failureRaised.connect(failures.append)
        for index in range(warmup + count):
            await self.healthy_on()
            dead = str(m.property("serverName"))
            if len(self.location_servers()) < 2:
                raise DriverError("the location needs a second server to move to")
            # A random phase against the keepalive schedule, as a server dies at any moment.
            await asyncio.sleep(random.uniform(*phase))
            events.clear()
            unstable.clear()
            failures.clear()

            def traffic_elsewhere(dead: str = dead) -> bool:
                return any(
                    isinstance(event, protocol.Health) and event.server != dead and event.rtt_ms is not None
                    for _, event in events
                )

            started = time.monotonic()
            await self.patch_lab({"servers": {dead: {"down": True}}})
            patched = time.monotonic()
            await until(
                traffic_elsewhere,
                [self.app.client.eventReceived],
                FAILOVER_TIMEOUT_S,
                f"traffic on another server than {dead}",
            )
            traffic_at, traffic = next(
                (at, event)
                for at, event in events
                if isinstance(event, protocol.Health) and event.server != dead and event.rtt_ms is not None
            )
            assert isinstance(traffic, protocol.Health)
            moves = [(at, event) for at, event in events if isinstance(event, protocol.ServerMoved)]
            emit(
                "failover",
                warmup=index < warmup,
                seconds=traffic_at - started,
                moved_s=moves[0][0] - started if moves else None,
                patch_s=patched - started,
                from_server=dead,
                to_server=traffic.server,
                sessions=sorted({event.session_id for _, event in moves}),
                missed_keepalives=sum(
                    isinstance(event, protocol.Health) and event.rtt_ms is None for _, event in events
                ),
                still_on=self.state() == VPNClientState.On,
                timer_kept=float(m.property("connectedSince")) == since,
                notice=str(m.property("movedNotice")),
                unstable_seen=list(unstable),
                failures_seen=list(failures),
            )
            await self.reset_lab()
        self.app.client.eventReceived.disconnect(on_event)
        emit("done")

    async def telemetry(self, records: int, submits: int) -> None:
        """The app's own Glean: record calls on the UI thread, and ``vpnsession`` submit to stored by the lab."""
        runtime = self.app.telemetry.runtime
        if runtime is None:
            raise DriverError("the app's Glean is not running")
        metrics = runtime.metrics
        calls: dict[str, Callable[[], object]] = {
            "counter_add": lambda: metrics.tunnel.rx_bytes.add(1),
            "timing_sample": lambda: metrics.tunnel.keepalive_rtt.accumulate_single_sample(20),
            "labeled_counter_add": lambda: metrics.connection.failures["no_internet"].add(1),
        }
        clock = time.perf_counter_ns
        for name, call in calls.items():
            for _ in range(100):
                call()
            samples: list[int] = []
            for _ in range(records):
                began = clock()
                call()
                samples.append(clock() - began)
            emit("record", call=name, ns=samples)
        # The app's own pings at start (flush_init) go first, so each submit
        # below is the only one in flight when it is timed.
        await asyncio.sleep(2.0)
        loop = asyncio.get_running_loop()

        def stored() -> list[StoredPing]:
            return self.lab.pings(app=APP_ID, ping=APP_PING, limit=1000)

        known = {ping.document_id for ping in await loop.run_in_executor(None, stored)}
        for _ in range(submits):
            submitted_wall = time.time()
            submitted = time.monotonic()
            runtime.submit(APP_PING, AppPingReason.TIMER)
            deadline = submitted + SUBMIT_TIMEOUT_S
            while True:
                fresh = [ping for ping in await loop.run_in_executor(None, stored) if ping.document_id not in known]
                if fresh:
                    break
                if time.monotonic() > deadline:
                    raise DriverError(f"a submitted vpnsession ping was not stored within {SUBMIT_TIMEOUT_S:.0f} s")
                await asyncio.sleep(0.01)
            seen = time.monotonic() - submitted
            known.update(ping.document_id for ping in fresh)
            received = min(datetime.fromisoformat(ping.received_at).timestamp() for ping in fresh)
            emit("submit", stored_s=received - submitted_wall, seen_s=seen, pings=len(fresh))
        emit("done", upload=str(runtime.upload_stats))

    async def idle(self, stop: asyncio.Event) -> None:
        await self.turn_on()
        emit("on", pid=os.getpid())
        await stop.wait()


async def run(args: argparse.Namespace) -> int:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    app = MimicApp(AppOptions(endpoints=lab_endpoints(args.lab_url), connection=ConnectionSettings()))
    app.show()
    await app.start()
    driver = Driver(app, LabControl(args.lab_url))
    try:
        await driver.ready()
        # Whether a tray host shows the app's icon: the figures "with tray" check it.
        emit("ready", pid=os.getpid(), tray=app.desktop is not None and app.desktop.tray.shown)
        if args.scenario == "activation":
            await driver.activation(args.count, args.warmup, args.settle, args.hold)
        elif args.scenario == "diagnosis":
            await driver.diagnosis(args.count, args.conditions, (args.phase_min, args.phase_max))
        elif args.scenario == "failover":
            await driver.failover(args.count, args.warmup, (args.phase_min, args.phase_max))
        elif args.scenario == "idle":
            await driver.idle(stop)
        elif args.scenario == "telemetry":
            await driver.telemetry(args.records, args.submits)
    except DriverError as exc:
        emit("error", message=str(exc))
        return 1
    finally:
        await app.shutdown()
    return 0


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.app_driver", description=__doc__)
    parser.add_argument("--lab-url", required=True)
    scenarios = parser.add_subparsers(dest="scenario", required=True)
    activation = scenarios.add_parser("activation")
    activation.add_argument("--count", type=int, default=10)
    activation.add_argument("--warmup", type=int, default=2)
    activation.add_argument("--settle", type=float, default=0.3, help="seconds Off between activations")
    activation.add_argument("--hold", action="store_true", help="end On and report the RSS")
    diagnosis = scenarios.add_parser("diagnosis")
    diagnosis.add_argument("--count", type=int, default=1)
    diagnosis.add_argument(
        "--conditions", type=lambda text: text.split(","), default=list(CONDITIONS), help="comma-separated"
    )
    diagnosis.add_argument(
        "--phase-min", type=float, default=1.0, help="shortest wait, healthy and On, before a condition (s)"
    )
    diagnosis.add_argument("--phase-max", type=float, default=2.0, help="longest such wait (s)")
    failover = scenarios.add_parser("failover")
    failover.add_argument("--count", type=int, default=5)
    failover.add_argument("--warmup", type=int, default=1)
    failover.add_argument("--phase-min", type=float, default=1.0, help="shortest wait, healthy and On, before (s)")
    failover.add_argument("--phase-max", type=float, default=2.0, help="longest such wait (s)")
    scenarios.add_parser("idle")
    telemetry = scenarios.add_parser("telemetry")
    telemetry.add_argument("--records", type=int, default=1000, help="timed calls per kind of record")
    telemetry.add_argument("--submits", type=int, default=5, help="pings submitted, one at a time")
    args = parser.parse_args(argv)
    if args.scenario == "diagnosis":
        unknown = set(args.conditions) - set(CONDITIONS)
        if unknown:
            parser.error(f"unknown conditions: {', '.join(sorted(unknown))}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    qt_app = QGuiApplication(sys.argv[:1])
    loop = qasync.QEventLoop(qt_app)
    asyncio.set_event_loop(loop)
    with loop:
        code: int = loop.run_until_complete(run(args))
    return code


if __name__ == "__main__":
    sys.exit(main())
