"""A whole fleet run: the lab, the clients on their timelines, the world's faults, delivery, checks, report.

The order:

1. the plan of the seed (``lab.fleet.plan``); a folder for the run with
   one home per client and one for the lab; the lab;
2. every client on a thread of its own (``lab.fleet.client``) and the
   world's faults on another (``lab.fleet.world``), from one starting
   time; the main thread shows the progress once a second;
3. when the run's time is up the world is made healthy and each client
   closes: its app open, the VPN off, its pings delivered, its app quit;
4. a last bounded wait until no installation has a ping queued;
5. the pings at the lab that carry the run's debug tag are split by client
   (``lab.fleet.attribution``) and each client's go through the fault
   runner's invariants with that client's record; the session report;
6. every process of the run is ended, also on Ctrl-C or SIGTERM (the
   command line turns them into ``KeyboardInterrupt``), and the folder is
   removed unless it is to be kept.
"""

from __future__ import annotations

import dataclasses
import logging
import shutil
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import msgspec

from lab.chaos.invariants import Violation, check_all
from lab.chaos.record import Delivery
from lab.chaos.runner import DELIVERY_QUIET_S, PING_LIMIT, ChaosOptions, RunAborted
from lab.fleet.attribution import attribute, for_checks, with_debug_tag
from lab.fleet.client import FleetClient
from lab.fleet.cost import CostSampler, FleetCost
from lab.fleet.limits import Gate, Gates, Limits, cpu_count
from lab.fleet.plan import FleetPlan, make_fleet_plan
from lab.fleet.progress import ProgressDisplay
from lab.fleet.retrieval import RetrievalError, retrieval_errors
from lab.fleet.tags import AUTOMATION_TAG, glean_environment
from lab.fleet.world import WorldDriver, WorldEntry
from lab.installation import Installation, InstallationError, wait_until
from lab.lab_process import LabProcess, LabStartError
from lab.leftovers import end_processes
from lab.server_catalog import DEFAULT_CATALOG, ServerCatalog, load_catalog
from lab.session_report import SessionReport, build_report
from mimic_core.lab_api import StoredPing
from mimic_core.lab_client import LabControl, LabRequestError, LabUnreachableError

log = logging.getLogger(__name__)

REPORT_TIMEOUT_S: Final = 300.0
CLIENT_JOIN_S: Final = 30.0
LAB_HOME: Final = "lab"


@dataclass(frozen=True)
class FleetOptions:
    seed: int
    clients: int
    duration_s: float
    debug_tag: str
    limits: Limits
    automation: bool = False
    home: Path | None = None
    """The run's folder (kept); a temporary one, removed afterwards, when ``None``."""
    keep_home: bool = False
    settle_timeout_s: float = 30.0
    delivery_timeout_s: float = 240.0


class ClientResult(msgspec.Struct, kw_only=True):
    name: str
    profile: str
    locations: list[tuple[str, str]]
    planned_actions: int
    steps: int
    """Steps done, the closing ones included."""
    not_settled: int
    sessions: dict[str, int]
    """Sessions its daemon announced, by how they ended (``running`` when they had not)."""
    kills: int
    max_lag_s: float
    pings: int
    violations: list[Violation]
    delivery: Delivery | None
    error: str = ""


class Lost(msgspec.Struct, frozen=True):
    missing_seq: int
    """Seq numbers missing at the lab (the report's delivery question), over the run's pings."""
    not_excused: int
    """Missing pings no SIGKILL of their process in flight excuses (the ``no_ping_lost`` invariant)."""
    glean_reported: int
    """Pings Glean itself says it deleted or gave up (its health pings)."""
    queued_at_end: int
    """Pings still on an installation's disk when the run ended: not delivered."""


class GateUse(msgspec.Struct, frozen=True):
    size: int
    peak: int
    waited_s: float


class FleetResult(msgspec.Struct, kw_only=True):
    format: str = "mimic-vpn-fleet/1"
    seed: int
    clients: int
    duration_s: float
    debug_tag: str
    automation: bool
    profiles: dict[str, int]
    plan_actions: dict[str, int]
    world: list[WorldEntry]
    starting: GateUse
    apps: GateUse
    client_results: list[ClientResult]
    pings_at_lab: int
    pings_with_tag: int
    pings_other_tags: int
    pings_unattributed: int
    lost: Lost
    retrieval_errors: list[RetrievalError]
    """The app's failed id retrievals, each with the daemon SIGKILL that explains it (or none)."""
    delivery_wait_s: float
    cost: FleetCost
    report_source: str
    report: SessionReport
    violations: int
    wall_time_s: float
    home: str | None


def run_fleet(
    options: FleetOptions,
    display: ProgressDisplay,
    catalog: ServerCatalog | None = None,
) -> FleetResult:
    """Run the fleet of ``options``; every process it started is ended on return, also on an exception."""
    catalog = catalog if catalog is not None else load_catalog(DEFAULT_CATALOG)
    plan = make_fleet_plan(options.seed, options.clients, options.duration_s, catalog)
    desktops = plan.profile_counts()["desktop"]
    if desktops > options.limits.max_apps:
        raise RunAborted(
            f"{desktops} desktop clients keep their app open throughout, but at most {options.limits.max_apps}"
            " apps may be open at once: raise --max-apps or run fewer clients"
        )
    root = _root(options.home)
    run = _Run(options, plan, root, display)
    try:
        return run.carry_out()
    finally:
        run.tear_down()
        if not (options.keep_home or options.home is not None):
            shutil.rmtree(root, ignore_errors=True)


def _root(home: Path | None) -> Path:
    if home is None:
        # Short, under /tmp: every client's daemon socket lies under it.
        return Path(tempfile.mkdtemp(prefix="mv-fleet-", dir="/tmp"))
    if home.exists() and any(home.iterdir()):
        raise RunAborted(f"the folder {home} is not empty; give a new or empty directory")
    try:
        home.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RunAborted(f"cannot use the folder {home}: {exc}") from exc
    return home


class _Run:
    def __init__(self, options: FleetOptions, plan: FleetPlan, root: Path, display: ProgressDisplay) -> None:
        self.options = options
        self.plan = plan
        self.root = root
        self.display = display
        self.stop = threading.Event()
        self.gates = Gates.of(options.limits)
        self.sampler = CostSampler(root)
        self.lab: LabProcess | None = None
        self.world: WorldDriver | None = None
        self.clients: list[FleetClient] = []
        self.began = time.monotonic()

    # ------------------------------------------------------------------ run

    def carry_out(self) -> FleetResult:
        options, plan = self.options, self.plan
        self.sampler.start()
        try:
            self.lab = LabProcess(args=["--seed", str(options.seed)], home=self.root / LAB_HOME, ready_timeout=30.0)
        except LabStartError as exc:
            raise RunAborted(f"the lab did not start: {exc}") from exc
        environment = glean_environment(options.debug_tag, options.automation)
        chaos_options = ChaosOptions(
            seed=options.seed,
            rounds=0,
            settle_timeout_s=options.settle_timeout_s,
            delivery_timeout_s=options.delivery_timeout_s,
        )
        self.world = WorldDriver(plan.world, self.lab.control, plan.duration_s, self.stop)
        for client_plan in plan.clients:
            try:
                installation = Installation(self.root / client_plan.name, environment=environment)
                installation.attach_lab(self.lab)
            except (InstallationError, OSError) as exc:
                raise RunAborted(f"cannot make the home of {client_plan.name}: {exc}") from exc
            client_options = dataclasses.replace(chaos_options, rounds=len(client_plan.timeline))
            self.clients.append(
                FleetClient(
                    client_plan,
                    installation,
                    options=client_options,
                    gates=self.gates,
                    stop=self.stop,
                    world_healthy=self.world.healthy,
                )
            )
        self.display.note(
            f"folder {self.root}; lab {self.lab.url}; debug tag {options.debug_tag}"
            + (f", source tag {AUTOMATION_TAG}" if options.automation else "")
            + f"; at most {options.limits.max_starting} starting, {options.limits.max_apps} apps open"
        )
        self.began = time.monotonic()
        self.world.start(self.began)
        for client in self.clients:
            client.start(self.began)
        while not all(client.done.is_set() for client in self.clients):
            self._show()
            time.sleep(1.0)
        self.display.note(f"every client closed after {time.monotonic() - self.began:.0f} s; waiting for delivery")
        delivery_wait_s = self._wait_for_delivery()
        return self._result(delivery_wait_s)

    def _show(self) -> None:
        elapsed = time.monotonic() - self.began
        duration = self.plan.duration_s
        closed = sum(client.done.is_set() for client in self.clients)
        planned = sum(len(client.plan.timeline) for client in self.clients)
        steps = sum(client.steps_done for client in self.clients)
        phase = "running" if elapsed < duration else f"closing, {closed}/{len(self.clients)} closed"
        world = self.world.current if self.world is not None else "healthy"
        line = (
            f"{_clock(elapsed)}/{_clock(duration)} {phase}: app slots {self.gates.apps.holders}/{self.gates.apps.size},"
            f" VPN on {sum(client.vpn_on for client in self.clients)},"
            f" actions {min(steps, planned)}/{planned}, sessions {sum(c.sessions_seen() for c in self.clients)},"
            f" kills {sum(c.kills() for c in self.clients)}, starting {self.gates.starting.holders},"
            f" late {max((c.lag_s for c in self.clients), default=0.0):.0f} s, world {world}"
        )
        self.display.update(min(elapsed, duration) + closed, duration + len(self.clients), line)

    def _queued(self) -> int:
        return sum(
            client.installation.queued_pings("app") + client.installation.queued_pings("daemon")
            for client in self.clients
        )

    def _wait_for_delivery(self) -> float:
        """Until no installation has a ping queued for ``DELIVERY_QUIET_S`` (bounded); the seconds waited."""
        began = time.monotonic()
        quiet_since: float | None = None

        def delivered() -> bool:
            nonlocal quiet_since
            queued = self._queued()
            self.display.update(
                self.plan.duration_s + len(self.clients),
                self.plan.duration_s + len(self.clients),
                f"{_clock(time.monotonic() - self.began)} delivering: {queued} pings queued in the installations",
            )
            if queued:
                quiet_since = None
                return False
            now = time.monotonic()
            quiet_since = quiet_since if quiet_since is not None else now
            return now - quiet_since >= DELIVERY_QUIET_S

        wait_until(delivered, self.options.delivery_timeout_s, 1.0)
        return round(time.monotonic() - began, 1)

    # --------------------------------------------------------------- result

    def _result(self, delivery_wait_s: float) -> FleetResult:
        assert self.lab is not None and self.world is not None
        options = self.options
        control = LabControl(self.lab.url, timeout=REPORT_TIMEOUT_S)
        try:
            stored = control.pings(limit=PING_LIMIT)
        except (LabRequestError, LabUnreachableError) as exc:
            raise RunAborted(f"the lab's pings could not be read: {exc}") from exc
        tagged, other_tags = with_debug_tag(stored, options.debug_tag)
        attribution = attribute(
            tagged,
            {
                client.name: [
                    client.installation.glean_client_id("app"),
                    client.installation.glean_client_id("daemon"),
                ]
                for client in self.clients
            },
        )
        queued_at_end = self._queued()
        results: list[ClientResult] = []
        retrievals: list[RetrievalError] = []
        for client in self.clients:
            client.driver.finish_record()
            installation = client.installation
            queued = installation.queued_ping_contents("app") + installation.queued_ping_contents("daemon")
            mine = attribution.by_client[client.name]
            violations = check_all(client.record, for_checks([*mine, *queued]))
            results.append(_client_result(client, len(mine), violations))
            retrievals += retrieval_errors(client.name, mine, client.record)
        report, source = self._report(control, tagged)
        not_excused = sum(
            violation.invariant == "no_ping_lost" for result in results for violation in result.violations
        )
        return FleetResult(
            seed=options.seed,
            clients=options.clients,
            duration_s=options.duration_s,
            debug_tag=options.debug_tag,
            automation=options.automation,
            profiles={str(name): count for name, count in self.plan.profile_counts().items()},
            plan_actions=self.plan.action_counts(),
            world=list(self.world.done),
            starting=_gate_use(self.gates.starting),
            apps=_gate_use(self.gates.apps),
            client_results=results,
            pings_at_lab=len(stored),
            pings_with_tag=len(tagged),
            pings_other_tags=other_tags,
            pings_unattributed=len(attribution.unattributed),
            lost=Lost(
                missing_seq=report.delivery.missing,
                not_excused=not_excused,
                glean_reported=report.delivery.glean_reported_lost,
                queued_at_end=queued_at_end,
            ),
            retrieval_errors=retrievals,
            delivery_wait_s=delivery_wait_s,
            cost=self.sampler.result([client.name for client in self.clients], cpu_count()),
            report_source=source,
            report=report,
            violations=sum(len(result.violations) for result in results),
            wall_time_s=round(time.monotonic() - self.began, 1),
            home=str(self.root) if options.keep_home or options.home is not None else None,
        )

    def _report(self, control: LabControl, tagged: list[StoredPing]) -> tuple[SessionReport, str]:
        """The lab's own report; over the run's pings with their source tags set aside when they are automation's."""
        if self.options.automation:
            # The stable tables the lab's report reads leave the whole run out.
            return (
                build_report(for_checks(tagged)),
                f"the run's pings, their '{AUTOMATION_TAG}' source tag set aside (the lab's stable tables leave"
                " them out)",
            )
        try:
            return msgspec.convert(control.report(), SessionReport), "the lab's store (vpnui-lab report)"
        except (LabRequestError, LabUnreachableError, msgspec.ValidationError) as exc:
            raise RunAborted(f"the lab's report could not be read: {exc}") from exc

    # ------------------------------------------------------------- teardown

    def tear_down(self) -> None:
        """End every process of the run: the clients' (in parallel), then the lab's; nothing is left behind."""
        self.stop.set()
        self.sampler.stop()
        if self.clients:
            with ThreadPoolExecutor(max_workers=min(16, len(self.clients))) as pool:
                list(pool.map(_close_client, self.clients))
            for client in self.clients:
                client.thread.join(CLIENT_JOIN_S)
            # Anything a client thread started while its installation was being closed.
            for client in self.clients:
                end_processes(client.installation.home)
                client.close_log()
        if self.lab is not None:
            self.lab.stop()
        end_processes(self.root / LAB_HOME)


def _close_client(client: FleetClient) -> None:
    try:
        client.driver.close()
    except Exception:
        # Whatever went wrong, the other clients are closed too, and the
        # sweep by home that follows ends what this one left running.
        log.exception("closing %s failed", client.name)


def _client_result(client: FleetClient, pings: int, violations: list[Violation]) -> ClientResult:
    record = client.record
    ends = Counter(session.end or "running" for session in record.sessions)
    return ClientResult(
        name=client.name,
        profile=client.plan.profile,
        locations=list(client.plan.locations),
        planned_actions=len(client.plan.timeline),
        steps=len(record.steps),
        not_settled=sum(not step.settled for step in record.steps),
        sessions=dict(sorted(ends.items())),
        kills=client.kills(),
        max_lag_s=round(client.max_lag_s, 1),
        pings=pings,
        violations=violations,
        delivery=record.delivery,
        error=client.error,
    )


def _gate_use(gate: Gate) -> GateUse:
    return GateUse(size=gate.size, peak=gate.peak, waited_s=round(gate.waited_s, 1))


def _clock(seconds: float) -> str:
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes:02d}:{rest:02d}"
