"""Running the lab in the foreground until it is told to stop.

Whoever starts the lab (a test, the app, a person) waits for one JSON line
on stdout saying where it listens; the same line goes to the state file for
everyone else.  SIGTERM, SIGINT and ``POST /lab/shutdown`` all end it the
same orderly way: state file removed first (so nobody finds a lab that is
going away), then sockets and database closed.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

from lab.pipeline.store import LINGER_S
from lab.server_catalog import ServerCatalog
from lab.world import World
from mimic_core.lab_state import ready_line, remove_state, write_state

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServeOptions:
    catalog: ServerCatalog
    db_path: Path
    state_file: Path
    host: str = "127.0.0.1"
    port: int = 0
    seed: int | None = None
    access_log: bool = False
    batch_linger_s: float = LINGER_S


def serve(options: ServeOptions) -> int:
    """Run the lab until stopped; the process exit code."""
    return asyncio.run(_serve(options))


async def _serve(options: ServeOptions) -> int:
    world = World(
        options.catalog,
        options.db_path,
        host=options.host,
        port=options.port,
        seed=options.seed,
        access_log=options.access_log,
        batch_linger_s=options.batch_linger_s,
    )
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, world.stop_requested.set)
    pid = os.getpid()
    try:
        try:
            url = await world.start()
        except (OSError, duckdb.Error) as exc:
            print(f"vpnui-lab: cannot start the lab: {exc}", file=sys.stderr)
            return 1
        line = ready_line(url, pid)
        write_state(options.state_file, line)
        print(line, flush=True)
        log.info("lab ready at %s with %d servers", url, len(world.board.known_servers))
        await world.stop_requested.wait()
        log.info("lab stopping")
    finally:
        remove_state(options.state_file, pid)
        await world.close()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)
    return 0
