"""``vpnui-ctl``: drive the daemon from a terminal, without the app.

A session started here is a full daemon session (the "started without the
app" case of the session design); the app, started later, picks it up.
Like the app, the client starts the daemon (and the embedded lab) when
nothing answers.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime

from mimic_core import protocol
from mimic_core.paths import locations
from mimic_core.protocol import DaemonError
from mimic_core.sync_client import DaemonConnection, DaemonUnavailable
from vpnui.config import ConfigError, Endpoints, load_config
from vpnui.connection.presentation import format_elapsed
from vpnui.connection.server_list import ServerList, ServerListError, fetch_server_list
from vpnui.connection.settings import ConnectionSettings
from vpnui.embedded_lab import LabUnavailable, world_endpoints
from vpnui.settings import load_settings
from vpnui.spawn import spawn_detached

DAEMON_START_TIMEOUT_S = 15.0


class CtlError(Exception):
    """A failure to report on stderr with exit status 2."""


def connect(start: bool, telemetry_url: str | None = None) -> DaemonConnection:
    """A connection that said hello, starting the daemon if ``start`` (told where to send its telemetry)."""
    try:
        connection = DaemonConnection()
    except DaemonUnavailable:
        if not start:
            raise CtlError("the Mimic VPN daemon is not running") from None
        daemon_args = ["--telemetry-url", telemetry_url] if telemetry_url else []
        spawn_detached("daemon", daemon_args, locations().logs / "daemon.stderr")
        deadline = time.monotonic() + DAEMON_START_TIMEOUT_S
        while True:
            time.sleep(0.1)
            try:
                connection = DaemonConnection()
                break
            except DaemonUnavailable:
                if time.monotonic() > deadline:
                    raise CtlError(f"the daemon did not start; see {locations().logs / 'daemon.stderr'}") from None
    connection.hello(client="cli", installation_id=load_settings().installation_id)
    return connection


def world() -> Endpoints:
    """The configured endpoints, completed from the embedded lab (started if needed)."""
    try:
        return asyncio.run(world_endpoints(load_config().endpoints, use_lab=True))
    except (LabUnavailable, ConfigError) as exc:
        raise CtlError(str(exc)) from exc


def load_server_list(endpoints: Endpoints) -> ServerList:
    assert endpoints.servers_url is not None
    try:
        return asyncio.run(fetch_server_list(endpoints.servers_url, ConnectionSettings()))
    except ServerListError as exc:
        raise CtlError(str(exc)) from exc


def find_location(servers: ServerList, wanted: str | None) -> tuple[str, str, str]:
    """(country code, city code, display name) for ``cc/city`` or a city name."""
    settings = load_settings()
    if wanted is None:
        wanted = f"{settings.country_code}/{settings.city_code}" if settings.city_code else None
    for country in servers.countries:
        for city in country.cities:
            names = {f"{country.code}/{city.code}".lower(), city.name.lower(), city.code.lower()}
            if wanted is None or wanted.lower() in names:
                return country.code, city.code, f"{city.name}, {country.name}"
    raise CtlError(f"no location {wanted!r}; see `vpnui-ctl locations`")


def describe(status: protocol.StatusData) -> str:
    lines = [f"state:      {status.state}"]
    if status.server is not None:
        lines.append(f"server:     {status.server.name} ({status.location})")
    if status.connected_since is not None:
        since = datetime.fromtimestamp(status.connected_since, UTC).astimezone()
        elapsed = format_elapsed(time.time() - status.connected_since)
        lines.append(f"since:      {since:%Y-%m-%d %H:%M:%S} ({elapsed})")
    if status.rtt_ms is not None:
        lines.append(f"rtt:        {status.rtt_ms:.1f} ms, loss {status.loss:.0%}")
    lines.append(f"traffic:    rx {status.rx_bytes} B, tx {status.tx_bytes} B")
    lines.append(f"session id: {status.session_id}")
    return "\n".join(lines)


def cmd_status(args: argparse.Namespace) -> None:
    with connect(start=False) as daemon:
        status = daemon.status()
    print(json.dumps(protocol.to_builtins(status)) if args.json else describe(status))


def cmd_locations(args: argparse.Namespace) -> None:
    servers = load_server_list(world())
    for country in servers.countries:
        for city in country.cities:
            print(f"{country.code}/{city.code:6} {city.name}, {country.name} ({len(city.servers)} servers)")


def cmd_activate(args: argparse.Namespace) -> None:
    endpoints = world()
    servers = load_server_list(endpoints)
    country, city, name = find_location(servers, args.location)
    with connect(start=True, telemetry_url=endpoints.ingestion_url) as daemon:
        status = daemon.activate(servers.endpoints(country, city), location=name, timeout=60)
    print(describe(status))


def cmd_deactivate(args: argparse.Namespace) -> None:
    with connect(start=False) as daemon:
        status = daemon.deactivate()
    print(describe(status))


def cmd_logs(args: argparse.Namespace) -> None:
    with connect(start=False) as daemon:
        for line in daemon.logs(args.lines):
            print(line)


def cmd_stop_daemon(args: argparse.Namespace) -> None:
    """An orderly daemon shutdown (SIGTERM): it ends any session it runs."""
    with connect(start=False) as daemon:
        pid = int(daemon.hello()["pid"])
    os.kill(pid, signal.SIGTERM)
    print(f"stopping daemon pid {pid}")


def cmd_watch(args: argparse.Namespace) -> None:
    with connect(start=False) as daemon:
        deadline = time.monotonic() + args.seconds if args.seconds else None
        while deadline is None or time.monotonic() < deadline:
            try:
                event = daemon.next_event(timeout=1.0)
            except TimeoutError:
                continue
            print(json.dumps(protocol.to_builtins(event)), flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="vpnui-ctl", description="Control the Mimic VPN daemon")
    commands = parser.add_subparsers(dest="command", required=True)
    status = commands.add_parser("status", help="what the daemon is doing")
    status.add_argument("--json", action="store_true")
    status.set_defaults(run=cmd_status)
    commands.add_parser("locations", help="list the locations of the server list").set_defaults(run=cmd_locations)
    activate = commands.add_parser("activate", help="turn the VPN on (starts the daemon if needed)")
    activate.add_argument("location", nargs="?", help="cc/city (e.g. de/ber) or a city name; default: the app's choice")
    activate.set_defaults(run=cmd_activate)
    commands.add_parser("deactivate", help="turn the VPN off").set_defaults(run=cmd_deactivate)
    logs = commands.add_parser("logs", help="the daemon's recent log lines")
    logs.add_argument("-n", "--lines", type=int, default=50)
    logs.set_defaults(run=cmd_logs)
    commands.add_parser("stop-daemon", help="shut the daemon down (ends its session)").set_defaults(run=cmd_stop_daemon)
    watch = commands.add_parser("watch", help="print the daemon's events as JSON lines")
    watch.add_argument("--seconds", type=float, default=0.0, help="stop after this long (0: never)")
    watch.set_defaults(run=cmd_watch)
    args = parser.parse_args(argv)
    run: Callable[[argparse.Namespace], None] = args.run
    try:
        run(args)
    except (CtlError, DaemonUnavailable) as exc:
        print(f"vpnui-ctl: {exc}", file=sys.stderr)
        return 2
    except DaemonError as exc:
        print(f"vpnui-ctl: the daemon refused: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
