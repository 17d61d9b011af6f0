"""``vpnui-lab``: run the lab, or change the world of a running one.

``serve`` runs the lab in the foreground; every other command talks to a
running lab, found through ``--url`` or the state file the lab wrote, so
a condition can be flipped from any shell while the app is watched.  Exit
code 2 always means "no lab to talk to", which scripts can test for.
``report`` and ``export`` can also read the lab's DuckDB file directly
(``--db``), because the pings are worth analysing long after the lab that
received them stopped; while the lab runs, it holds the file (DuckDB lets
one process open it) and does the reading itself when asked.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import signal
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Final, TypeVar

import msgspec

from lab.server_catalog import DEFAULT_CATALOG, ServerCatalog, load_catalog, synthetic_catalog
from mimic_core.lab_client import LabControl, LabRequestError, LabUnreachableError
from mimic_core.network_conditions import Conditions
from mimic_core.paths import ensure_private_dir, locations

if TYPE_CHECKING:
    from collections.abc import Callable

    import duckdb

    from lab.session_report import SessionReport

_T = TypeVar("_T")

EXIT_FAILED: Final = 1
EXIT_NO_LAB: Final = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vpnui-lab",
        description="The Mimic VPN network lab: the outside world of the VPN client, on loopback.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("serve", help="run the lab in the foreground")
    run.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    run.add_argument("--port", type=int, default=0, help="HTTP port (default: a free port)")
    servers = run.add_mutually_exclusive_group()
    servers.add_argument("--servers", type=Path, metavar="FILE", help="server list (default: resources/servers.json)")
    servers.add_argument("--server-count", type=int, metavar="N", help="generate a list of N servers instead")
    run.add_argument("--db", type=Path, metavar="PATH", help="DuckDB file of the telemetry pipeline's tables")
    run.add_argument("--state-file", type=Path, metavar="PATH", help="where to announce the lab's address")
    run.add_argument("--seed", type=int, help="seed for simulated packet loss (reproducible runs)")
    run.add_argument("--verbose", action="store_true", help="log every HTTP request")
    run.add_argument(
        "--batch-linger-ms",
        type=float,
        metavar="MS",
        help="how long answered uploads gather before they are committed as one batch (default: 50)",
    )

    client = argparse.ArgumentParser(add_help=False)
    client.add_argument("--url", help="the lab's URL (default: the running lab's state file)")
    client.add_argument("--state-file", type=Path, metavar="PATH", help="state file of the lab to talk to")
    client.add_argument("--timeout", type=float, default=5.0, help="seconds to wait for the lab")

    commands.add_parser("show", parents=[client], help="print the current conditions")
    change = commands.add_parser(
        "set",
        parents=[client],
        help="change conditions",
        description=(
            "Change conditions, e.g. internet=down captive_portal=on subscription=expired "
            "account_service=down ingestion=error firewall_blocks_udp=on "
            "server.de-ber-wg-001.latency_ms=50 server.de-ber-wg-001.down=true server.*.loss=0.3"
        ),
    )
    change.add_argument("assignments", nargs="+", metavar="ASSIGNMENT")
    commands.add_parser("reset", parents=[client], help="restore a healthy world")
    pings = commands.add_parser("pings", parents=[client], help="list received telemetry pings")
    pings.add_argument("--app", help="only pings of this application id")
    pings.add_argument("--ping", metavar="NAME", help="only pings of this name")
    pings.add_argument("--limit", type=int, help="at most this many, the latest (default 100)")
    pings.add_argument("--json", action="store_true", help="print the stored pings as JSON")
    commands.add_parser("servers", parents=[client], help="list servers, their ports and conditions")
    commands.add_parser("stop", parents=[client], help="stop the running lab")
    report = commands.add_parser(
        "report",
        help="answer the session telemetry validation questions from the stored pings",
        description=(
            "Data under the inactive session id, daemon sessions without a start or an end, the app's "
            "session id retrieval error rate, and the app's and daemon's pings joined per session."
        ),
    )
    source = report.add_mutually_exclusive_group()
    source.add_argument("--db", type=Path, metavar="PATH", help="read this DuckDB ping store (no lab needed)")
    source.add_argument("--url", help="the lab's URL (default: the running lab's state file)")
    report.add_argument("--state-file", type=Path, metavar="PATH", help="state file of the lab to talk to")
    report.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for the lab's report")
    report.add_argument("--json", action="store_true", help="print the report as JSON")
    report.add_argument(
        "--debug-tag",
        metavar="TAG",
        help="only the pings submitted with this X-Debug-ID header (metadata.header.x_debug_id), every figure",
    )
    report.add_argument(
        "--all-sessions",
        action="store_true",
        help="list every session, not only the flagged ones (those breaking an assumption of the design)",
    )
    export = commands.add_parser(
        "export",
        help="write the pipeline's stable tables as Parquet, for Spark, BigQuery loads or pandas",
        description=(
            "Writes OUT/<dataset>/<table>.parquet for every stable table (mimic_vpn_stable.vpnsession_v1, ...). "
            "A running lab (--url, or the one its state file announces) writes them itself, from a snapshot, "
            "while it keeps ingesting: DuckDB lets one process at a time open the store. With --db, or when no "
            "lab is running, the DuckDB file is read directly. --all-tables adds the raw, error, decoded and "
            "live tables."
        ),
    )
    export.add_argument("--out", type=Path, required=True, metavar="DIR", help="directory to write the files in")
    export_source = export.add_mutually_exclusive_group()
    export_source.add_argument("--db", type=Path, metavar="PATH", help="read this DuckDB store (a stopped lab's)")
    export_source.add_argument("--url", help="the lab's URL (default: the running lab's state file)")
    export.add_argument("--state-file", type=Path, metavar="PATH", help="state file of the lab to ask")
    export.add_argument("--timeout", type=float, default=600.0, help="seconds to wait for the lab's export")
    export.add_argument("--all-tables", action="store_true", help="every table, not only the stable ones")
    _add_chaos_parser(commands)
    _add_fleet_parser(commands)
    return parser


def _add_chaos_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    chaos = commands.add_parser(
        "chaos",
        help="drive the real app, daemon and lab at random (seeded) and check the session invariants",
        description=(
            "Runs the real app (offscreen), daemon and lab in a home of their own, performs ROUNDS actions drawn "
            "from SEED (toggles, location switches, vpnui-ctl, SIGKILLs and restarts, network conditions, bursts), "
            "restores a healthy world, waits for the telemetry and checks the invariants. Exit status 0: no "
            "violation; 1: violations (each printed with its session and pings); 3: the run could not be done."
        ),
    )
    chaos.add_argument("--seed", type=int, help="the seed of the actions (default: a random one, printed)")
    chaos.add_argument("--rounds", type=int, default=20, help="how many actions (default: %(default)s)")
    chaos.add_argument("--home", type=Path, metavar="DIR", help="run in DIR (kept) instead of a temporary home")
    chaos.add_argument("--keep-home", action="store_true", help="keep the temporary home (logs, ping store)")
    chaos.add_argument("--burst-max", type=int, default=10, metavar="N", help="most requests in a burst (default: 10)")
    chaos.add_argument(
        "--settle-timeout", type=float, default=30.0, metavar="S", help="longest wait for a step to settle"
    )
    chaos.add_argument(
        "--delivery-timeout", type=float, default=180.0, metavar="S", help="longest wait for the pings at the end"
    )
    chaos.add_argument("--plan", action="store_true", help="only print the actions of the seed, run nothing")
    chaos.add_argument("--json", action="store_true", help="print the result as JSON (progress goes to stderr)")


def _add_fleet_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    fleet = commands.add_parser(
        "fleet",
        help="run many installations at once (desktop, mobile-like, unlucky), then check and report",
        description=(
            "Runs N installations of the product, each in a home of its own (its daemon, its app offscreen while "
            "its profile has it open), against one lab, for the given time: desktop clients keep the app open, "
            "mobile-like ones run sessions from vpnui-ctl or the daemon alone, unlucky ones have the app or the "
            "daemon SIGKILLed while their locations and the ingestion fail. Then every ping is awaited, the fault "
            "runner's invariants are checked per client and the session report is printed. Every ping carries "
            "the run's debug tag (X-Debug-ID). Exit status 0: no violation and nothing lost; 1: problems found; "
            "3: the run could not be done; 130: interrupted (every process of the run is ended)."
        ),
    )
    fleet.add_argument("--clients", type=int, required=True, metavar="N", help="how many installations")
    length = fleet.add_mutually_exclusive_group()
    length.add_argument("--minutes", type=float, metavar="M", help="how long the clients act (default: 10)")
    length.add_argument("--seconds", type=float, metavar="S", help="the same in seconds (short runs)")
    fleet.add_argument("--seed", type=int, help="the seed of the plan (default: a random one, printed)")
    fleet.add_argument(
        "--debug-tag", metavar="TAG", help="X-Debug-ID of every ping (default: fleet-SEED-HHMMSS; 1-20 of A-Za-z0-9-)"
    )
    fleet.add_argument(
        "--automation",
        action="store_true",
        help="tag every ping 'automation' (X-Source-Tags): out of the stable tables",
    )
    fleet.add_argument("--max-starting", type=int, metavar="K", help="processes starting at once (default: CPUs / 2)")
    fleet.add_argument(
        "--max-apps", type=int, metavar="A", help="apps open at once (default: 8 per CPU, 400 MB of free memory each)"
    )
    fleet.add_argument("--home", type=Path, metavar="DIR", help="run in DIR (kept) instead of a temporary folder")
    fleet.add_argument("--keep-home", action="store_true", help="keep the temporary folder (logs, ping store)")
    fleet.add_argument("--settle-timeout", type=float, default=30.0, metavar="S", help="longest wait after a step")
    fleet.add_argument(
        "--delivery-timeout", type=float, default=240.0, metavar="S", help="longest wait for the pings at the end"
    )
    fleet.add_argument("--plan", action="store_true", help="only print the plan of the seed, run nothing")
    fleet.add_argument("--json", action="store_true", help="print the result as JSON (progress goes to stderr)")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        return _serve(args)
    if args.command == "chaos":
        return _chaos(args)
    if args.command == "fleet":
        return _fleet(args)
    try:
        if args.command == "report":
            return _report(args)
        if args.command == "export":
            return _export(args)
        return _client_command(args)
    except LabUnreachableError as exc:
        print(f"vpnui-lab: {exc}", file=sys.stderr)
        return EXIT_NO_LAB
    except LabRequestError as exc:
        print(f"vpnui-lab: the lab refused: {exc.message}", file=sys.stderr)
        return EXIT_FAILED
    except ValueError as exc:
        print(f"vpnui-lab: {exc}", file=sys.stderr)
        return EXIT_FAILED


def _serve(args: argparse.Namespace) -> int:
    # Imported here so the client commands, run often from shells and
    # tests, do not pay for loading the web server.
    from lab.pipeline.store import LINGER_S  # noqa: PLC0415
    from lab.serve import ServeOptions, serve  # noqa: PLC0415

    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
        stream=sys.stderr,
    )
    try:
        catalog = _catalog(args.servers, args.server_count)
    except ValueError as exc:
        print(f"vpnui-lab: {exc}", file=sys.stderr)
        return EXIT_FAILED
    places = locations()
    db_path: Path = args.db if args.db is not None else places.data / "lab" / "telemetry.duckdb"
    state_file: Path = args.state_file if args.state_file is not None else places.lab_state
    # The product's own directories are kept private; a directory the user
    # named is only created, never re-permissioned (it might be /tmp).
    for path, private in ((db_path, places.data / "lab"), (state_file, places.runtime)):
        if path.parent == private:
            ensure_private_dir(path.parent)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
    return serve(
        ServeOptions(
            catalog=catalog,
            db_path=db_path,
            state_file=state_file,
            host=args.host,
            port=args.port,
            seed=args.seed,
            access_log=args.verbose,
            batch_linger_s=LINGER_S if args.batch_linger_ms is None else args.batch_linger_ms / 1000,
        )
    )


def _catalog(path: Path | None, count: int | None) -> ServerCatalog:
    if count is not None:
        return synthetic_catalog(count)
    return load_catalog(path if path is not None else DEFAULT_CATALOG)


def _client_command(args: argparse.Namespace) -> int:
    if args.url:
        control = LabControl(args.url, timeout=args.timeout)
    else:
        control = LabControl.from_state_file(args.state_file, timeout=args.timeout)
    command: str = args.command
    if command == "show":
        _print_conditions(control.conditions())
    elif command == "set":
        _print_conditions(control.set(*args.assignments))
    elif command == "reset":
        _print_conditions(control.reset())
    elif command == "pings":
        stored = control.pings(app=args.app, ping=args.ping, limit=args.limit)
        if args.json:
            print(msgspec.json.format(msgspec.json.encode(stored), indent=2).decode())
        else:
            for ping in stored:
                print(f"{ping.received_at}  {ping.app}/{ping.ping}/{ping.version}  {ping.document_id}")
    elif command == "servers":
        for server in control.servers().servers():
            condition = msgspec.json.encode(server.condition).decode() if server.condition else "{}"
            print(f"{server.name}  {server.host}  udp {server.udp_port}  tcp {server.tcp_port}  {condition}")
    elif command == "stop":
        control.shutdown()
        if not control.wait_until_stopped():
            print(f"vpnui-lab: the lab at {control.url} did not stop", file=sys.stderr)
            return EXIT_FAILED
        print(f"lab at {control.url} stopped")
    return 0


def _report(args: argparse.Namespace) -> int:
    # Imported here like the server: the other commands do not need it.
    from lab.session_report import SessionReport, render_json, render_table  # noqa: PLC0415

    if args.db is not None:
        report = _report_from_file(args.db, args.debug_tag, all_sessions=args.all_sessions)
    else:
        control = (
            LabControl(args.url, timeout=args.timeout)
            if args.url
            else LabControl.from_state_file(args.state_file, timeout=args.timeout)
        )
        report = msgspec.convert(control.report(args.debug_tag, all_sessions=args.all_sessions), SessionReport)
    print(render_json(report) if args.json else render_table(report))
    return 0


def _report_from_file(path: Path, debug_tag: str | None, *, all_sessions: bool) -> SessionReport:
    """The report over the DuckDB store at ``path`` (a lab's, after it stopped), opened read-only."""
    from lab.session_report import report_from_db  # noqa: PLC0415

    return _read_store(path, lambda db: report_from_db(db, debug_tag=debug_tag, all_sessions=all_sessions))


def _read_store(path: Path, work: Callable[[duckdb.DuckDBPyConnection], _T]) -> _T:
    """``work`` over the DuckDB store at ``path``, opened read-only; a store that cannot be read is a ValueError."""
    import duckdb  # noqa: PLC0415

    # DuckDB would create a missing file, and find nothing in it.
    if not path.is_file():
        raise ValueError(f"no ping store at {path}")
    try:
        db = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        raise ValueError(
            f"cannot read the ping store {path} (is a lab still running on it? without --db the running lab "
            f"does the reading): {exc}"
        ) from None
    try:
        db.execute("SET TimeZone = 'UTC'").fetchall()
        db.execute("SET enable_progress_bar = false").fetchall()
        return work(db)
    except duckdb.Error as exc:
        raise ValueError(f"cannot read the ping store {path}: {exc}") from None
    finally:
        db.close()


def _export(args: argparse.Namespace) -> int:
    written = None if args.db is not None else _export_by_running_lab(args)
    if written is None:
        written = _export_from_file(
            args.db if args.db is not None else locations().data / "lab" / "telemetry.duckdb", args
        )
    for path in written:
        print(path)
    return 0


def _export_by_running_lab(args: argparse.Namespace) -> list[Path] | None:
    """The files the running lab wrote; None when no lab is running and its file can be read instead."""
    if args.url:
        return LabControl(args.url, timeout=args.timeout).export(args.out, every_table=args.all_tables)
    try:
        control = LabControl.from_state_file(args.state_file, timeout=args.timeout)
        return control.export(args.out, every_table=args.all_tables)
    except LabUnreachableError:
        return None  # nothing announced, or a lab that has gone: its file is free to read


def _export_from_file(db_path: Path, args: argparse.Namespace) -> list[Path]:
    from lab.pipeline.export import export_parquet  # noqa: PLC0415

    try:
        args.out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValueError(f"cannot write to {args.out}: {exc}") from None
    return _read_store(db_path, lambda db: export_parquet(db, args.out, every_table=args.all_tables))


def _print_conditions(conditions: Conditions) -> None:
    print(msgspec.json.format(msgspec.json.encode(conditions), indent=2).decode())


EXIT_RUN_FAILED: Final = 3
EXIT_INTERRUPTED: Final = 130


def _interrupt(signum: int, frame: object) -> None:
    # SIGTERM ends a run as Ctrl-C does: through the runner's cleanup, which
    # a second signal must not cut short.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise KeyboardInterrupt


@contextlib.contextmanager
def _signals_interrupt() -> Iterator[None]:
    """SIGTERM and SIGINT end the run inside as Ctrl-C does (``_interrupt``); the handlers before are put back."""
    previous = signal.signal(signal.SIGTERM, _interrupt), signal.signal(signal.SIGINT, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous[0])
        signal.signal(signal.SIGINT, previous[1])


def _chaos(args: argparse.Namespace) -> int:
    # Imported here like the server: the other commands do not need it.
    import secrets  # noqa: PLC0415

    from lab.chaos.plan import describe, make_plan  # noqa: PLC0415
    from lab.chaos.report import render_json, render_text  # noqa: PLC0415
    from lab.chaos.runner import ChaosOptions, RunAborted, run_chaos  # noqa: PLC0415

    if args.rounds < 0 or args.burst_max < 2 or args.settle_timeout <= 0 or args.delivery_timeout <= 0:
        print("vpnui-lab: --rounds must be >= 0, --burst-max >= 2 and the timeouts > 0", file=sys.stderr)
        return EXIT_FAILED
    seed: int = args.seed if args.seed is not None else secrets.randbelow(2**31)
    if args.plan:
        print(f"seed {seed}, {args.rounds} rounds:")
        for index, action in enumerate(make_plan(seed, args.rounds, load_catalog(DEFAULT_CATALOG), args.burst_max), 1):
            print(f"{index:>3}. {describe(action)}")
        return 0
    options = ChaosOptions(
        seed=seed,
        rounds=args.rounds,
        home=args.home,
        keep_home=args.keep_home,
        burst_max=args.burst_max,
        settle_timeout_s=args.settle_timeout,
        delivery_timeout_s=args.delivery_timeout,
    )
    out = sys.stderr if args.json else sys.stdout

    def progress(line: str) -> None:
        print(line, file=out, flush=True)

    try:
        with _signals_interrupt():
            result = run_chaos(options, progress)
    except KeyboardInterrupt:
        print(
            f"vpnui-lab: interrupted; every process of the run was stopped (seed {seed}, {args.rounds} rounds)",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    except RunAborted as exc:
        print(f"vpnui-lab: the run could not be done: {exc}", file=sys.stderr)
        return EXIT_RUN_FAILED
    print(render_json(result) if args.json else "\n" + render_text(result), flush=True)
    return EXIT_FAILED if result.violations else 0


def _fleet(args: argparse.Namespace) -> int:
    # Imported here like the server: the other commands do not need it.
    import secrets  # noqa: PLC0415

    from lab.chaos.runner import RunAborted  # noqa: PLC0415
    from lab.fleet.limits import Limits, available_memory_mb, cpu_count  # noqa: PLC0415
    from lab.fleet.plan import make_fleet_plan, summary_lines, timeline_lines  # noqa: PLC0415
    from lab.fleet.progress import ProgressDisplay  # noqa: PLC0415
    from lab.fleet.render import ok, render_json, render_text  # noqa: PLC0415
    from lab.fleet.runner import FleetOptions, run_fleet  # noqa: PLC0415
    from lab.fleet.tags import TagError, check_tag, default_tag  # noqa: PLC0415

    duration_s: float = args.seconds if args.seconds is not None else 60.0 * (args.minutes or 10.0)
    problems = [
        text
        for wrong, text in (
            (args.clients < 1, "--clients must be >= 1"),
            (duration_s <= 0, "the duration must be > 0"),
            (args.max_starting is not None and args.max_starting < 1, "--max-starting must be >= 1"),
            (args.max_apps is not None and args.max_apps < 1, "--max-apps must be >= 1"),
            (args.settle_timeout <= 0 or args.delivery_timeout <= 0, "the timeouts must be > 0"),
        )
        if wrong
    ]
    seed: int = args.seed if args.seed is not None else secrets.randbelow(2**31)
    try:
        tag = check_tag(args.debug_tag) if args.debug_tag is not None else default_tag(seed)
    except TagError as exc:
        problems.append(str(exc))
    if problems:
        print(f"vpnui-lab: {'; '.join(problems)}", file=sys.stderr)
        return EXIT_FAILED
    plan = make_fleet_plan(seed, args.clients, duration_s, load_catalog(DEFAULT_CATALOG))
    out = sys.stderr if args.json else sys.stdout
    for line in summary_lines(plan):
        print(line, file=out, flush=True)
    if args.plan:
        for line in timeline_lines(plan):
            print(line)
        return 0
    machine = Limits.for_machine(cpu_count(), available_memory_mb())
    limits = Limits(
        max_starting=args.max_starting if args.max_starting is not None else machine.max_starting,
        max_apps=args.max_apps if args.max_apps is not None else machine.max_apps,
    )
    options = FleetOptions(
        seed=seed,
        clients=args.clients,
        duration_s=duration_s,
        debug_tag=tag,
        limits=limits,
        automation=args.automation,
        home=args.home,
        keep_home=args.keep_home,
        settle_timeout_s=args.settle_timeout,
        delivery_timeout_s=args.delivery_timeout,
    )
    try:
        with _signals_interrupt(), ProgressDisplay(out) as display:
            result = run_fleet(options, display)
    except KeyboardInterrupt:
        print(
            f"vpnui-lab: interrupted; every process of the fleet was stopped (seed {seed}, {args.clients} clients)",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    except RunAborted as exc:
        print(f"vpnui-lab: the fleet could not be run: {exc}", file=sys.stderr)
        return EXIT_RUN_FAILED
    print(render_json(result) if args.json else "\n" + render_text(result), flush=True)
    return 0 if ok(result) else EXIT_FAILED
