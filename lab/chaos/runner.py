"""Carries a seeded plan out on a real installation, then checks the invariants.

The order of a run:

1. a home of its own (``lab.installation``): the lab, then the app with its
   inspector (the app starts the daemon), and the runner's observer
   connection to the daemon;
2. every action of the plan, each followed by a bounded, state-driven wait
   until the app and the daemon are at rest (``lab.chaos.settle``);
3. the closing steps: a healthy world, the app running, the VPN turned off
   (so every session can be complete), then a bounded wait until neither
   process has a ping left to deliver;
4. the stored pings, the daemon's log and the record go through the
   invariants (``lab.chaos.invariants``).

Every process is ended in a ``finally``, also on Ctrl-C or SIGTERM (the
command line turns SIGTERM into an interruption).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

import msgspec

from lab.chaos.invariants import Violation, check_all
from lab.chaos.observer import DaemonObserver
from lab.chaos.plan import (
    Action,
    AppChooseLocation,
    AppDeactivate,
    AppKill,
    AppStart,
    AppStop,
    AppToggle,
    Burst,
    CtlActivate,
    CtlDeactivate,
    DaemonKill,
    DaemonStart,
    LabReset,
    LabSet,
    Wait,
    describe,
    make_plan,
)
from lab.chaos.record import DeactivateRequest, Delivery, ProcessRole, RunRecord, Signalled, StateProblem, Step
from lab.chaos.settle import Verdict, describe_app, describe_daemon, judge
from lab.installation import Installation, InstallationError, wait_until
from lab.server_catalog import DEFAULT_CATALOG, ServerCatalog, load_catalog
from mimic_core.inspector_protocol import (
    AppState,
    ChooseLocation,
    Command,
    Deactivate,
    InspectorError,
    InspectorUnavailable,
    Toggle,
)
from mimic_core.lab_api import StoredPing
from mimic_core.lab_client import LabRequestError, LabUnreachableError
from mimic_core.protocol import DaemonError, ServerEndpoint, StatusData
from mimic_core.sync_client import DaemonConnection, DaemonUnavailable

POLL_S: Final = 0.25
SETTLED_POLLS: Final = 2
"""Consecutive polls at rest that make a step settled (a state seen once may be passing through)."""
DELIVERY_QUIET_S: Final = 3.0
"""Nothing queued for this long, with both processes running: delivered."""
PING_LIMIT: Final = 100_000
BURST_ACTIVATE_TIMEOUT_S: Final = 30.0
BURST_DEACTIVATE_TIMEOUT_S: Final = 15.0
BURST_BUDGET_S: Final = 120.0
"""A burst stops after this long: with every server down each activation waits out its handshakes."""

_DEACTIVATE_LINE: Final = re.compile(
    r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3}) INFO daemon\.dispatch: deactivate requested by (\S+)"
)


class RunAborted(Exception):
    """The run could not be carried out (a process of the world would not start)."""


@dataclass(frozen=True)
class ChaosOptions:
    seed: int
    rounds: int
    home: Path | None = None
    """Where the installation lives; a temporary directory (removed afterwards) when ``None``."""
    keep_home: bool = False
    burst_max: int = 10
    settle_timeout_s: float = 30.0
    delivery_timeout_s: float = 180.0


class ChaosResult(msgspec.Struct, kw_only=True):
    format: str = "mimic-vpn-chaos/1"
    seed: int
    rounds: int
    plan: list[Action]
    record: RunRecord
    violations: list[Violation]
    pings: dict[str, int]
    """Stored pings by name."""
    wall_time_s: float
    home: str | None
    """The installation's home, when it was kept."""


Progress = Callable[[str], None]


def _silent(line: str) -> None:
    pass


def run_chaos(options: ChaosOptions, progress: Progress = _silent, catalog: ServerCatalog | None = None) -> ChaosResult:
    """Run the plan of ``options.seed`` on a fresh installation and check it; every process is ended on return."""
    if options.home is not None and options.home.exists() and any(options.home.iterdir()):
        # Pings or a session state left there by an earlier run would be checked as this run's.
        raise RunAborted(f"the home {options.home} is not empty; give a new or empty directory")
    catalog = catalog if catalog is not None else load_catalog(DEFAULT_CATALOG)
    plan = make_plan(options.seed, options.rounds, catalog, options.burst_max)
    progress(f"seed {options.seed}, {options.rounds} rounds; the plan:")
    for index, action in enumerate(plan, 1):
        progress(f"  {index:>3}. {describe(action)}")
    began = time.monotonic()
    try:
        installation = Installation(options.home, keep_home=options.keep_home)
    except (InstallationError, OSError) as exc:
        raise RunAborted(f"cannot use the home {options.home}: {exc}") from exc
    runner = InstallationDriver(installation, options, progress)
    try:
        violations, pings = runner.run(plan)
    finally:
        runner.close()
    record = runner.record
    return ChaosResult(
        seed=options.seed,
        rounds=options.rounds,
        plan=plan,
        record=record,
        violations=violations,
        pings=_count_pings(pings),
        wall_time_s=round(time.monotonic() - began, 1),
        home=str(installation.home) if installation.keep_home else None,
    )


class InstallationDriver:
    """Carries actions out on one installation, records what they did, and waits for its pings.

    ``run`` is a whole fault run (its own lab, the app, the plan, the closing
    steps, the checks).  The parts are public for drivers of many
    installations sharing one lab (``lab.fleet``): ``begin`` with the lab
    already attached to the installation, ``step`` per action, then
    ``close_world``, ``wait_for_delivery`` and ``finish_record``.
    """

    def __init__(self, installation: Installation, options: ChaosOptions, progress: Progress) -> None:
        self.installation = installation
        self.options = options
        self.progress = progress
        self.record = RunRecord(seed=options.seed, rounds=options.rounds, started_at=time.time())
        self.observer = DaemonObserver(installation.places.socket)
        self._app_expected = False
        self._endpoints: dict[tuple[str, str], list[ServerEndpoint]] = {}

    # ------------------------------------------------------------------ run

    def run(self, plan: list[Action]) -> tuple[list[Violation], list[StoredPing]]:
        installation = self.installation
        self.progress(f"home {installation.home}")
        try:
            lab = installation.start_lab(["--seed", str(self.options.seed)])
        except InstallationError as exc:
            self.record.aborted = str(exc)
            raise RunAborted(str(exc)) from exc
        self.begin(start_app=True)
        for index, action in enumerate(plan, 1):
            self.step(index, action)
        self.close_world(len(plan) + 1)
        self.record.delivery = self.wait_for_delivery()
        pings = lab.pings(limit=PING_LIMIT)
        # What is still queued was not lost: it is checked too, and reported late.
        queued = installation.queued_ping_contents("app") + installation.queued_ping_contents("daemon")
        self.finish_record()
        violations = check_all(self.record, [*pings, *queued])
        return violations, pings

    def begin(self, *, start_app: bool) -> None:
        """Follow the daemon (the observer), and start the app if ``start_app``; the installation's lab runs."""
        installation = self.installation
        self._endpoints = installation.lab_endpoints()
        self.observer.start()
        if not start_app:
            return
        try:
            installation.start_app()
        except InstallationError as exc:
            self.record.aborted = str(exc)
            raise RunAborted(str(exc)) from exc
        self._app_expected = True
        self._settle(None, self.options.settle_timeout_s)

    def close(self) -> None:
        self.observer.stop()
        if not self.record.ended_at:
            self.finish_record()
        self.installation.close()

    def finish_record(self) -> None:
        """Complete the record from the observer and the daemon's log (once every action is done)."""
        sessions, payloads, connecting, pids = self.observer.snapshot()
        self.record.sessions, self.record.payloads, self.record.connecting = sessions, payloads, connecting
        self.record.daemon_pids = pids
        self.record.deactivations = deactivate_requests(self.installation.daemon_log_lines())
        self.record.ended_at = time.time()

    # ---------------------------------------------------------------- steps

    def step(self, index: int, action: Action) -> Step:
        """Carry ``action`` out, wait until the app and the daemon are at rest, and record it as step ``index``."""
        self._notice_app_exit()
        step = Step(index=index, action=action, started_at=time.time())
        self.record.steps.append(step)
        try:
            step.outcome = self._perform(step, action)
        except InstallationError as exc:
            step.outcome = f"failed: {exc}"
            step.problems.append(StateProblem("processes_stay_up", str(exc)))
        self._notice_app_exit()
        verdict, seconds, app, daemon = self._settle(step, self.options.settle_timeout_s)
        step.settled, step.settle_s = verdict.settled, round(seconds, 2)
        step.app, step.daemon = describe_app(app), describe_daemon(daemon)
        if not verdict.settled and verdict.problem is not None:
            step.problems.append(verdict.problem)
        step.ended_at = time.time()
        rest = f"settled in {seconds:.1f} s" if verdict.settled else f"NOT settled after {seconds:.0f} s"
        app_text = f"app {step.app}" if step.app else "app not running"
        self.progress(
            f"[{index:>3}] {describe(action)} -> {step.outcome}; {rest}: {app_text}; daemon {step.daemon}"
            + "".join(f"\n      ! {problem.invariant}: {problem.message}" for problem in step.problems)
        )
        return step

    def _perform(self, step: Step, action: Action) -> str:
        installation = self.installation
        match action:
            case AppToggle():
                return self._inspect(Toggle())
            case AppDeactivate():
                return self._inspect(Deactivate())
            case AppChooseLocation(country=country, city=city):
                return self._inspect(ChooseLocation(country=country, city=city))
            case AppStart():
                if installation.app_running():
                    return "skipped: the app runs"
                installation.start_app()
                self._app_expected = True
                return "ok"
            case AppStop():
                pid = installation.app_pid
                if pid is None or not installation.app_running():
                    return "skipped: the app is not running"
                self._signalled("app", pid, "SIGTERM", step)
                self._app_expected = False
                code = installation.stop_app()
                if code is None:
                    step.problems.append(
                        StateProblem("processes_stay_up", "the app did not quit within its bound after SIGTERM")
                    )
                    return "killed: it did not quit"
                return f"exit {code}"
            case AppKill():
                pid = installation.app_pid
                if pid is None or not installation.app_running():
                    return "skipped: the app is not running"
                self._signalled("app", pid, "SIGKILL", step)
                self._app_expected = False
                installation.kill_app()
                return f"killed pid {pid}"
            case DaemonKill():
                pid = installation.daemon_pid()
                if pid is None:
                    return "skipped: no daemon answers"
                self.observer.expect_exit(pid, "killed")
                self._signalled("daemon", pid, "SIGKILL", step)
                installation.kill_daemon(pid)
                return f"killed pid {pid}"
            case DaemonStart():
                before = installation.daemon_pid()
                if before is not None:
                    return f"skipped: daemon {before} runs"
                pid = installation.start_daemon()
                return f"daemon {pid}" if pid is not None else "no daemon answered"
            case CtlActivate(country=country, city=city):
                return _ctl_outcome(installation.ctl("activate", f"{country}/{city}"))
            case CtlDeactivate():
                return _ctl_outcome(installation.ctl("deactivate"))
            case LabSet(assignments=assignments):
                return self._lab(lambda: installation.lab_control().set(*assignments))
            case LabReset():
                return self._lab(lambda: installation.lab_control().reset())
            case Burst(requests=requests, country=country, city=city):
                return self._burst(requests, country, city)
            case Wait(seconds=seconds):
                # The action is to let time pass (keepalives, idle pushes).
                time.sleep(seconds)
                return "ok"
        raise AssertionError(f"unhandled action {action!r}")  # pragma: no cover

    def _inspect(self, command: Command) -> str:
        if not self.installation.app_running():
            return "skipped: the app is not running"
        try:
            with self.installation.inspector() as inspector:
                before = inspector.state()
                after = inspector.request(command)
        except InspectorError as exc:
            return f"refused: {exc.code}: {exc.message}"
        except (InspectorUnavailable, TimeoutError, OSError) as exc:
            return f"failed: {exc}"
        return f"ok ({before.client_state} -> {after.client_state})"

    def _lab(self, change: Callable[[], object]) -> str:
        try:
            change()
        except (LabRequestError, LabUnreachableError) as exc:
            return f"failed: {exc}"
        return "ok"

    def _burst(self, requests: int, country: str, city: str) -> str:
        servers = self._endpoints.get((country, city), [])
        location = f"{servers[0].city}, {servers[0].country}" if servers else f"{country}/{city}"
        done = refused = 0
        deadline = time.monotonic() + BURST_BUDGET_S
        try:
            with DaemonConnection(self.installation.places.socket, timeout=5.0) as daemon:
                # As the command-line client says hello: a script's requests.
                daemon.hello(client="cli")
                for number in range(requests):
                    if time.monotonic() > deadline:
                        return f"{done} answered, {refused} refused; stopped after {BURST_BUDGET_S:.0f} s"
                    try:
                        if number % 2 == 0:
                            daemon.activate(servers, location=location, timeout=BURST_ACTIVATE_TIMEOUT_S)
                        else:
                            daemon.deactivate(timeout=BURST_DEACTIVATE_TIMEOUT_S)
                        done += 1
                    except DaemonError:
                        refused += 1
        except DaemonUnavailable:
            if done + refused == 0:
                return "skipped: no daemon answers"
            return f"daemon went away after {done + refused} requests"
        except TimeoutError:
            return f"timed out after {done + refused} requests"
        return f"{done} answered, {refused} refused"

    # --------------------------------------------------------------- waits

    def _settle(self, step: Step | None, timeout: float) -> tuple[Verdict, float, AppState | None, StatusData | None]:
        """Poll until the app and the daemon are at rest for ``SETTLED_POLLS`` polls, or ``timeout``."""
        installation = self.installation
        began = time.monotonic()
        at_rest = 0
        while True:
            self._notice_app_exit()
            daemon = installation.daemon_status()
            running = installation.app_running()
            app = installation.app_state() if running else None
            verdict = judge(app, running, daemon)
            at_rest = at_rest + 1 if verdict.settled else 0
            elapsed = time.monotonic() - began
            if at_rest >= SETTLED_POLLS or elapsed >= timeout:
                return verdict, elapsed, app, daemon
            time.sleep(POLL_S)

    def wait_for_delivery(self) -> Delivery:
        """Wait (bounded) until neither process has a ping queued, both running, for ``DELIVERY_QUIET_S``."""
        installation = self.installation
        timeout = self.options.delivery_timeout_s
        began = time.monotonic()
        quiet_since: float | None = None
        self.progress(f"waiting (at most {timeout:.0f} s) for the app and the daemon to deliver their pings")

        def delivered() -> bool:
            nonlocal quiet_since
            queued = installation.queued_pings("app") + installation.queued_pings("daemon")
            if queued or not installation.app_running() or installation.daemon_pid() is None:
                quiet_since = None
                return False
            now = time.monotonic()
            quiet_since = quiet_since if quiet_since is not None else now
            return now - quiet_since >= DELIVERY_QUIET_S

        complete = wait_until(delivered, timeout, 0.5)
        delivery = Delivery(
            waited_s=round(time.monotonic() - began, 1),
            complete=complete,
            queued_app=installation.queued_pings("app"),
            queued_daemon=installation.queued_pings("daemon"),
            timeout_s=timeout,
        )
        state = "delivered" if complete else "NOT all delivered"
        self.progress(
            f"{state} after {delivery.waited_s:.0f} s"
            f" (queued: app {delivery.queued_app}, daemon {delivery.queued_daemon})"
        )
        return delivery

    def close_world(self, first_index: int, *, reset_lab: bool = True) -> int:
        """A healthy world, the app running, the VPN off: every session can be complete.

        ``reset_lab=False`` when the lab is shared and whoever owns it has
        made the world healthy already.  Returns the index of the last step.
        """
        index = first_index
        if reset_lab:
            self.step(index, LabReset())
        else:
            index -= 1
        if not self.installation.app_running():
            index += 1
            self.step(index, AppStart())
        daemon = self.installation.daemon_status()
        if daemon is not None and daemon.state != "off":
            index += 1
            self.step(index, AppDeactivate())
            daemon = self.installation.daemon_status()
            if daemon is not None and daemon.state != "off":
                index += 1
                self.step(index, CtlDeactivate())
        return index

    # ------------------------------------------------------------- helpers

    def _signalled(self, process: ProcessRole, pid: int, signal: Literal["SIGKILL", "SIGTERM"], step: Step) -> None:
        self.record.signalled.append(
            Signalled(process=process, pid=pid, at=time.time(), signal=signal, step=step.index)
        )

    def _notice_app_exit(self) -> None:
        """An app that ended without the runner ending it crashed: noted once, with its exit code."""
        installation = self.installation
        if self._app_expected and not installation.app_running():
            pid, code = installation.app_pid, installation.app_exit_code()
            self._app_expected = False
            if pid is not None and code is not None:
                self.record.app_exits.append((pid, code))
                self.progress(f"      ! the app (pid {pid}) exited on its own with code {code}")


def deactivate_requests(lines: list[str]) -> list[DeactivateRequest]:
    """The daemon's ``deactivate requested by CLIENT`` log lines, as times (its log is in local time)."""
    found: list[DeactivateRequest] = []
    for line in lines:
        match = _DEACTIVATE_LINE.match(line)
        if match is None:
            continue
        stamp, millis, client = match.groups()
        at = time.mktime(time.strptime(stamp, "%Y-%m-%d %H:%M:%S")) + int(millis) / 1000
        found.append(DeactivateRequest(at=at, client=client))
    return found


def _ctl_outcome(result: object) -> str:
    code = getattr(result, "returncode", None)
    text = (getattr(result, "stderr", "") or getattr(result, "stdout", "") or "").strip().splitlines()
    last = text[-1] if text else ""
    return f"exit {code}" + (f": {last}" if last else "")


def _count_pings(pings: list[StoredPing]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for stored in pings:
        counts[stored.ping] = counts.get(stored.ping, 0) + 1
    return dict(sorted(counts.items()))
