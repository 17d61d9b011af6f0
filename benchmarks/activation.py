"""Activation: from the toggle to On, every check passed, at 0 ms and 50 ms added server latency.

The app's figure is the manager's own measurement (``activationMeasured``:
``toggle()`` to the VPN state On, i.e. the internet, captive-portal and
subscription checks and the server probe passed, the daemon asked to
activate and its tunnel handshake done), taken in the real app driven in a
process of its own against a real lab and a real daemon with default
options.

The reference is the same exchanges done directly by a minimal script
(:func:`activate_directly`): the UDP handshakes to the location's servers are
sent first, the three HTTP requests made while they travel (the app also runs
its checks concurrently), then the daemon is asked to activate the servers
that answered, fastest first.  Same lab, same daemon, same location, same
run, so the ratio is the app's own overhead: what its state machine, Qt
event loop, asyncio tasks and signals add to the network's unavoidable work.

At 50 ms every server's answers are delayed by 50 ms, so any activation
needs at least two of those round trips (the probe's handshake, then the
daemon's), i.e. 100 ms; the target allows 60 ms on top.
"""

from __future__ import annotations

import http.client
import select
import socket
import time
import urllib.parse
import uuid
from collections.abc import Sequence
from typing import Final

from benchmarks.report import Figure, Reference, Spec, numbers_of, ratio, verdict
from benchmarks.settings import RunSettings
from benchmarks.stats import summarize
from benchmarks.world import BenchError, Child, World, private_world
from mimic_core import wire
from mimic_core.protocol import ServerEndpoint
from mimic_core.sync_client import DaemonConnection
from vpnui.config import lab_endpoints
from vpnui.connection.server_list import decode_server_list

LATENCIES_MS: Final = (0, 50)
SETTLE_S: Final = 0.3
"""Off between two activations, so the daemon's deactivation is complete."""
ZERO_TARGET_MS: Final = 150.0
EXTRA_MS_OVER_ROUND_TRIPS: Final = 60.0
ROUND_TRIPS: Final = 2
REQUEST_TIMEOUT_S: Final = 5.0
HANDSHAKE_TIMEOUT_S: Final = 2.0
DRIVER_TIMEOUT_S: Final = 120.0


def spec(latency_ms: int) -> Spec:
    if latency_ms == 0:
        target = f"median ≤ {ZERO_TARGET_MS:.0f} ms"
    else:
        limit = ROUND_TRIPS * latency_ms + EXTRA_MS_OVER_ROUND_TRIPS
        target = f"median ≤ {ROUND_TRIPS} round trips + {EXTRA_MS_OVER_ROUND_TRIPS:.0f} ms = {limit:.0f} ms"
    return Spec(
        key=f"activation_{latency_ms}ms",
        title=f"Activation, {latency_ms} ms server latency",
        unit="ms",
        target=target,
        definition=(
            f"toggle() to VPN On with every check passing (the manager's activationMeasured), real app offscreen, "
            f"default settings, {latency_ms} ms added to every server answer; reference: the same HTTP requests, "
            "UDP handshakes and daemon activate done directly by a minimal script"
        ),
    )


SPECS: Final = tuple(spec(latency) for latency in LATENCIES_MS)


def location_servers(lab_url: str) -> list[ServerEndpoint]:
    """The servers of the location a fresh app selects: the list's first city."""
    endpoints = lab_endpoints(lab_url)
    assert endpoints.servers_url is not None
    url = urllib.parse.urlsplit(endpoints.servers_url)
    connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=REQUEST_TIMEOUT_S)
    try:
        connection.request("GET", url.path)
        server_list = decode_server_list(connection.getresponse().read())
    finally:
        connection.close()
    country = server_list.countries[0]
    return server_list.endpoints(country.code, country.cities[0].code)


def activate_directly(lab_url: str, servers: Sequence[ServerEndpoint], token: str, daemon: DaemonConnection) -> float:
    """The reference activation: the app's network exchanges, done directly; seconds."""
    endpoints = lab_endpoints(lab_url)
    base = urllib.parse.urlsplit(lab_url)
    started = time.perf_counter()
    sockets: dict[socket.socket, tuple[ServerEndpoint, int, float]] = {}
    try:
        for server in servers:
            udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            udp.setblocking(False)
            udp.connect((server.host, server.udp_port))
            nonce = uuid.uuid4().int >> 66
            udp.send(wire.encode(wire.Handshake(n=nonce, c="bench-reference")))
            sockets[udp] = (server, nonce, time.perf_counter())
        web = http.client.HTTPConnection(base.hostname or "", base.port, timeout=REQUEST_TIMEOUT_S)
        try:
            for url, headers in (
                (endpoints.connectivity_url, {}),
                (endpoints.captive_portal_url, {}),
                (endpoints.subscription_url, {"Authorization": f"Bearer {token}"}),
            ):
                assert url is not None
                web.request("GET", urllib.parse.urlsplit(url).path, headers=headers)
                reply = web.getresponse()
                body = reply.read()
                if reply.status >= 300 or (url == endpoints.captive_portal_url and body.strip() != b"success"):
                    raise BenchError(f"reference: unexpected answer from {url}: HTTP {reply.status}")
        finally:
            web.close()
        answered: list[tuple[float, ServerEndpoint]] = []
        waiting = dict(sockets)
        deadline = time.perf_counter() + HANDSHAKE_TIMEOUT_S
        while waiting:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                break
            readable, _, _ = select.select(list(waiting), [], [], remaining)
            for udp in readable:
                server, nonce, sent_at = waiting[udp]
                reply_datagram = wire.decode(udp.recv(wire.MAX_DATAGRAM))
                if isinstance(reply_datagram, wire.HandshakeOk) and reply_datagram.n == nonce:
                    answered.append((time.perf_counter() - sent_at, server))
                    del waiting[udp]
        if not answered:
            raise BenchError("reference: no server answered the handshake")
        ranked = [server for _, server in sorted(answered, key=lambda pair: pair[0])]
        status = daemon.activate(ranked, timeout=REQUEST_TIMEOUT_S)
        if status.state != "on":
            raise BenchError(f"reference: the daemon answered activate with state {status.state}")
        return time.perf_counter() - started
    finally:
        for udp in sockets:
            udp.close()


def reference_runs(world: World, servers: Sequence[ServerEndpoint], count: int, warmup: int) -> list[float]:
    """``count`` timed reference activations (after ``warmup`` discarded ones), deactivating between them."""
    assert world.daemon is not None
    token = uuid.uuid4().hex
    samples: list[float] = []
    with DaemonConnection(world.daemon.socket_path, timeout=REQUEST_TIMEOUT_S) as daemon:
        daemon.hello(client="bench-reference")
        for index in range(warmup + count):
            seconds = activate_directly(world.lab_url, servers, token, daemon)
            if index >= warmup:
                samples.append(seconds)
            daemon.deactivate(timeout=REQUEST_TIMEOUT_S)
            time.sleep(SETTLE_S)
    return samples


def app_runs(world: World, count: int, warmup: int) -> tuple[list[float], list[float]]:
    """The app's activation times and the driver's own toggle-to-On wall times, in seconds."""
    driver = Child(
        [
            "-m",
            "benchmarks.app_driver",
            "--lab-url",
            world.lab_url,
            "activation",
            "--count",
            str(count),
            "--warmup",
            str(warmup),
            "--settle",
            str(SETTLE_S),
        ],
        world,
        "activation-driver",
    )
    measured: list[float] = []
    wall: list[float] = []
    try:
        driver.expect("ready", DRIVER_TIMEOUT_S)
        while True:
            event = driver.read_event(DRIVER_TIMEOUT_S)
            if event["event"] == "activation" and not event["warmup"]:
                measured.append(float(event["seconds"]))
                wall.append(float(event["wall_s"]))
            elif event["event"] == "done":
                break
    finally:
        driver.stop()
    return measured, wall


def run(settings: RunSettings) -> list[Figure]:
    figures: list[Figure] = []
    with private_world() as world:
        servers = location_servers(world.lab_url)
        for latency_ms, figure_spec in zip(LATENCIES_MS, SPECS, strict=True):
            assert world.lab is not None
            world.lab.control.reset()
            if latency_ms:
                world.lab.control.patch({"servers": {"*": {"latency_ms": latency_ms}}})
            reference = summarize(reference_runs(world, servers, settings.activations, settings.warmup)).scaled(1000)
            measured, wall = app_runs(world, settings.activations, settings.warmup)
            app = summarize(measured).scaled(1000)
            limit = ZERO_TARGET_MS if latency_ms == 0 else ROUND_TRIPS * latency_ms + EXTRA_MS_OVER_ROUND_TRIPS
            figures.append(
                figure_spec.figure(
                    numbers_of(app),
                    verdict(app.median <= limit),
                    reference=Reference("minimal script", numbers_of(reference)),
                    ratio=ratio(app.median, reference.median),
                    details={
                        "limit_ms": limit,
                        "servers_in_location": len(servers),
                        "driver_wall_ms": numbers_of(summarize(wall).scaled(1000)),
                    },
                )
            )
    return figures
