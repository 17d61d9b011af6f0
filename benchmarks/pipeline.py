"""The telemetry pipeline: the report's time over 1 and 10 million pings, and the lab's ingestion rate.

The stores are DuckDB files filled with copies of the recorded real pings
(``tests/data/recorded_pings_seed146.json``, 19 pings) with fresh ids and
times (:mod:`benchmarks.ping_copies`): copy 0 through the lab's decoder and
writer, the rest made inside DuckDB.  Timed: ``report_from_db`` on a fresh
connection to that file, every file of ``lab/sql/`` run and the report's
objects made.  The reference of the million is the Python report of the
commit before the pipeline (:mod:`benchmarks.legacy_report`) over the very
same copies, loaded as the objects it took; the reference of the ten
million is the million.
A quick run uses 20,000 and 40,000 pings.

Ingestion: concurrent senders upload gzip bodies to a real lab; the rate is
the uploads answered 200 divided by the time until the lab has committed
every one of them (a query to the lab comes after the uploads answered
before it), and the count committed is checked against the answers.
"""

from __future__ import annotations

import asyncio
import itertools
import multiprocessing
import os
import resource
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, Final

import duckdb

from benchmarks import ingest_load, legacy_report, ping_copies
from benchmarks.report import Figure, Reference, Spec, numbers_of, ratio, verdict
from benchmarks.settings import RunSettings
from benchmarks.stats import summarize
from benchmarks.world import BenchError, private_world
from lab.pipeline.sql_runner import forget_transpiled
from lab.session_report import SessionReport, report_from_db
from mimic_core import wire

TARGET_S: Final = 10.0
TARGET_SPEEDUP: Final = 20.0
SIZES: Final = {False: (1_000_000, 10_000_000), True: (20_000, 40_000)}
"""(the compared size, the large size) of a full and of a quick run."""
SENDERS: Final = 8
PROBE_INTERVAL_S: Final = 0.01
PROBE_TIMEOUT_S: Final = 1.0

REPORT_SPEC: Final = Spec(
    key="pipeline_report_1m",
    title="Session report (SQL on DuckDB) over 1 million pings",
    unit="s",
    target=f"≤ {TARGET_S:.0f} s and ≥ {TARGET_SPEEDUP:.0f}x faster than the Python report",
    definition=(
        "report_from_db on a DuckDB store file holding 1,000,008 stable pings (20,007 in a quick run), copies of "
        "the 19 recorded real pings with fresh ids and dates (the decoded-JSON table, which the report does not "
        "read, holds the 19 only), on a fresh connection (DuckDB's default threads: one per core), its SQL "
        "parsed and transpiled as in a new process, listing the flagged sessions as by default (none of these "
        "copies is flagged; the next figure lists every one); reference: "
        "the Python report of the commit before the pipeline over the same 1,000,008 copies (20,007 in a quick "
        "run), as the StoredPing objects it took, timed from the list in memory to its report"
    ),
    shown=("value",),
)
REPORT_10M_SPEC: Final = Spec(
    key="pipeline_report_10m",
    title="Session report (SQL on DuckDB) over 10 million pings",
    unit="s",
    target="reported",
    definition=(
        "the same over a store of 10,000,004 stable pings (40,014 in a quick run); reference: the 1 million "
        "figure of the same run (a ratio of 10 is linear growth)"
    ),
    shown=("value",),
)
INGEST_SPEC: Final = Spec(
    key="pipeline_ingest_rate",
    title="Lab ingestion: pings stored per second (loopback, gzip)",
    unit="pings/s",
    target="reported",
    definition=(
        f"{SENDERS} concurrent HTTP senders in a process of their own POST the recorded real pings gzipped, as "
        "Glean's uploader does, each with a fresh document id, to a real lab's edge, until 20,000 answers (300 in "
        "a quick run) or 60 s (5 s); 200 answers divided by the time from the first request until the lab has "
        "committed them all to its DuckDB store (the edge answers once an upload is in its spool)"
    ),
    shown=("value",),
)
KEEPALIVE_SPEC: Final = Spec(
    key="pipeline_keepalive_while_ingesting",
    title="Lab keepalive round trip while ingesting at that rate",
    unit="ms",
    target="reported",
    definition=(
        f"a UDP keepalive to one of the lab's VPN servers every {PROBE_INTERVAL_S * 1000:.0f} ms, answered by "
        "the lab's event loop, during the ingestion above; reference: the same with the lab idle"
    ),
)
REPORT_ALL_SPEC: Final = Spec(
    key="pipeline_report_1m_all_sessions",
    title="Session report over 1 million pings, listing every session",
    unit="s",
    target="reported",
    definition=(
        "the same store, on a fresh connection after the figure above (the SQL transpiled already), with "
        "all_sessions (vpnui-lab report --all-sessions): each of the 105,264 sessions listed with its pings; "
        "reference: the default report above"
    ),
    shown=("value",),
)
SPECS: Final = (REPORT_SPEC, REPORT_ALL_SPEC, REPORT_10M_SPEC, INGEST_SPEC, KEEPALIVE_SPEC)


def _legacy_seconds(size: int) -> tuple[int, float] | None:
    """How many pings and how long the Python report took over them: the very pings of the store.

    Over the whole million, not a sample scaled up: a sample would hide any
    growth that is not linear (the objects take about 4.5 GB, which the
    benchmark machine has).
    """
    with legacy_report.scratch_dir() as scratch:
        build = legacy_report.load(Path(scratch))
        if build is None:
            return None
        pings = list(ping_copies.stored_pings(size))
        began = time.perf_counter()
        build(pings)
        seconds = time.perf_counter() - began
        count = len(pings)
        del pings
        return count, seconds


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _report_on(path: Path, *, all_sessions: bool, cold_sql: bool) -> tuple[float, float, SessionReport]:
    """Seconds and CPU seconds of one report over the store at ``path``, on a fresh connection; the report.

    ``cold_sql``: the SQL files are parsed and transpiled again, as in a new process (a benchmark run
    before in this one may have left them transpiled).
    """
    if cold_sql:
        forget_transpiled()
    db = duckdb.connect(str(path))
    try:
        db.execute("SET TimeZone = 'UTC'").fetchall()
        cpu = _cpu_s()
        began = time.perf_counter()
        report = report_from_db(db, all_sessions=all_sessions)
        return time.perf_counter() - began, _cpu_s() - cpu, report
    finally:
        db.close()


def _timed_report(wanted: int, *, every_session_too: bool) -> tuple[float, float | None, dict[str, Any]]:
    """Seconds of the default report over a fresh store of ``wanted`` pings, of one listing every session
    (when asked), and what else was seen."""
    with tempfile.TemporaryDirectory(prefix="mimic-pipeline-bench-") as folder:
        path = Path(folder) / "pipeline.duckdb"
        began = time.monotonic()
        pings = ping_copies.store_with(wanted, path)
        generated_s = time.monotonic() - began
        store_mb = path.stat().st_size / 1e6
        load = os.getloadavg()[0]
        seconds, cpu_s, report = _report_on(path, all_sessions=False, cold_sql=True)
        details: dict[str, Any] = {
            "stable_pings": pings,
            "sessions": report.session_counts.total,
            "flagged_sessions": report.session_counts.flagged,
            "cpu_s": round(cpu_s, 2),
            "load_average_1min_before": round(load, 2),
            "generation_s": round(generated_s, 1),
            "store_mb": round(store_mb, 1),
        }
        if not every_session_too:
            return seconds, None, details
        all_seconds, all_cpu_s, every = _report_on(path, all_sessions=True, cold_sql=False)
        if len(every.sessions) != every.session_counts.total:
            raise BenchError(f"{len(every.sessions):,} sessions listed of {every.session_counts.total:,}")
        details["all_sessions_cpu_s"] = round(all_cpu_s, 2)
        return seconds, all_seconds, details


def _reports(settings: RunSettings) -> list[Figure]:
    compared, large = SIZES[settings.quick]
    seconds, all_seconds, details = _timed_report(compared, every_session_too=True)
    assert all_seconds is not None
    every = REPORT_ALL_SPEC.figure(
        {"value": round(all_seconds, 2)},
        "reported",
        reference=Reference("the default report, flagged sessions listed", {"value": round(seconds, 2)}),
        ratio=ratio(all_seconds, seconds),
        details={"sessions_listed": details["sessions"], "cpu_s": details.pop("all_sessions_cpu_s")},
    )
    legacy = _legacy_seconds(compared)
    if legacy is None:
        details["reference"] = "reference unavailable (not a git checkout)"
        first = REPORT_SPEC.figure({"value": round(seconds, 2)}, verdict(seconds <= TARGET_S), details=details)
    else:
        legacy_pings, legacy_s = legacy
        if legacy_pings != details["stable_pings"]:
            raise BenchError(
                f"the Python report read {legacy_pings:,} pings, the store holds {details['stable_pings']:,}"
            )
        details["python_report_s"] = round(legacy_s, 3)
        speedup = legacy_s / seconds if seconds > 0 else 0.0
        details["speedup"] = round(speedup, 2)
        first = REPORT_SPEC.figure(
            {"value": round(seconds, 2)},
            verdict(seconds <= TARGET_S and speedup >= TARGET_SPEEDUP),
            reference=Reference(f"Python report, the same {legacy_pings:,} pings", {"value": round(legacy_s, 2)}),
            ratio=ratio(seconds, legacy_s),
            details=details,
        )
    try:
        large_seconds, _, large_details = _timed_report(large, every_session_too=False)
    except (duckdb.Error, MemoryError, OSError) as exc:
        # The million's figure stands on its own; say why the large store could not be measured.
        return [first, every, REPORT_10M_SPEC.failed(f"{large:,} pings could not be measured: {exc}")]
    second = REPORT_10M_SPEC.figure(
        {"value": round(large_seconds, 2)},
        "reported",
        reference=Reference(f"{details['stable_pings']:,} pings", {"value": round(seconds, 2)}),
        ratio=ratio(large_seconds, seconds),
        details=large_details,
    )
    return [first, every, second]


async def _probe(address: tuple[str, int], until: asyncio.Future[Any] | float) -> tuple[list[float], int]:
    """Keepalive round trips (ms) to ``address`` until ``until`` is done or that monotonic time; and the lost."""
    loop = asyncio.get_running_loop()
    sent: dict[int, float] = {}
    rtts: list[float] = []

    class Protocol(asyncio.DatagramProtocol):
        def datagram_received(self, data: bytes, addr: Any) -> None:
            reply = wire.decode(data)
            if isinstance(reply, wire.KeepaliveOk) and (at := sent.pop(reply.q, None)) is not None:
                rtts.append((time.perf_counter() - at) * 1000)

    transport, _ = await loop.create_datagram_endpoint(Protocol, remote_addr=address)
    try:
        for q in itertools.count():
            if until.done() if isinstance(until, asyncio.Future) else time.monotonic() >= until:
                break
            sent[q] = time.perf_counter()
            transport.sendto(wire.encode(wire.Keepalive(q=q)))
            await asyncio.sleep(PROBE_INTERVAL_S)
        await asyncio.sleep(PROBE_TIMEOUT_S)
    finally:
        transport.close()
    return rtts, len(sent)


async def _ingest(url: str, address: tuple[str, int], count: int, limit_s: float, idle_s: float) -> dict[str, Any]:
    idle, idle_lost = await _probe(address, time.monotonic() + idle_s)
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        sending = asyncio.get_running_loop().run_in_executor(pool, ingest_load.send, url, count, limit_s, SENDERS)
        busy, busy_lost = await _probe(address, sending)
        answered, statuses, answered_s, stored_s = await sending
    return {
        "idle": idle,
        "idle_lost": idle_lost,
        "busy": busy,
        "busy_lost": busy_lost,
        "answered": answered,
        "statuses": statuses,
        "answered_s": answered_s,
        "stored_s": stored_s,
    }


def _ingestion(settings: RunSettings) -> list[Figure]:
    count, limit_s, idle_s = (300, 5.0, 1.0) if settings.quick else (20_000, 60.0, 10.0)
    with private_world(daemon=False) as world:
        assert world.lab is not None
        server = next(iter(world.lab.endpoints().values()))
        measured = asyncio.run(_ingest(world.lab_url, (server.host, server.udp_port), count, limit_s, idle_s))
        # Every answered upload must be in the store: the rate counts nothing that was lost.
        stored = sum(entry["submissions"] for entry in world.lab.control.report()["pipeline"])
    if not measured["busy"] or not measured["idle"]:
        raise BenchError("no keepalive was answered")
    if stored != measured["answered"]:
        raise BenchError(f"{measured['answered']} uploads were answered 200 but {stored} are in the store")
    rate = stored / measured["stored_s"]
    details = {
        "stored": stored,
        "answers_by_status": {str(code): n for code, n in measured["statuses"].items()},
        "seconds_until_stored": round(measured["stored_s"], 2),
        "seconds_until_answered": round(measured["answered_s"], 2),
        "answered_per_s": round(measured["answered"] / measured["answered_s"], 1),
        "senders": SENDERS,
    }
    busy, idle = summarize(measured["busy"]), summarize(measured["idle"])
    return [
        INGEST_SPEC.figure({"value": round(rate, 1)}, "reported", details=details),
        KEEPALIVE_SPEC.figure(
            numbers_of(busy),
            "reported",
            reference=Reference("lab idle", numbers_of(idle)),
            ratio=ratio(busy.median, idle.median),
            details={"lost_while_ingesting": measured["busy_lost"], "lost_idle": measured["idle_lost"], **details},
        ),
    ]


def run(settings: RunSettings) -> list[Figure]:
    return [*_reports(settings), *_ingestion(settings)]
