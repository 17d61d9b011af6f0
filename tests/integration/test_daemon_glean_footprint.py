"""The real daemon runs Glean on the generated definitions: no YAML tooling loaded, pings still delivered.

glean_parser (with jsonschema, jinja2, PyYAML and rpds) used to be loaded
by ``import glean`` in the daemon; its process entry now keeps it out
(``mimic_core.glean_compat``).  What is mapped into the daemon shows it:
the compiled extensions of those packages (``rpds``, PyYAML's ``_yaml``,
MarkupSafe's speedups) must be absent, while the daemon's telemetry still
reaches the lab's ingestion and validates against Glean's schema.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import glean  # noqa: F401  (loads glean_parser here, for the check that the markers are real)
import pytest

from lab.daemon_process import DaemonProcess
from lab.lab_process import LabProcess
from mimic_core.lab_api import StoredPing
from mimic_core.protocol import Connected, SessionEnded
from tests.support.glean_schema import validate_ping
from tests.support.process_maps import mapped_files, yaml_tooling

DAEMON_APP_ID: Final = "mimic-vpn-daemon"
DELIVERY_TIMEOUT_S: Final = 15.0


def daemonsession_reasons(lab: LabProcess) -> list[tuple[str, StoredPing]]:
    return [(ping.payload["ping_info"].get("reason"), ping) for ping in lab.control.pings(app=DAEMON_APP_ID)]


@pytest.fixture
def daemon(lab: LabProcess, mimic_home: Path) -> Iterator[DaemonProcess]:
    process = DaemonProcess(keepalive_interval=0.2, extra_args=["--telemetry-url", lab.url])
    try:
        yield process
    finally:
        process.stop()
    log = (mimic_home / "logs" / "daemon.log").read_text()
    assert "Traceback" not in log, log
    assert "glean_parser was loaded" not in log, log


def test_the_markers_are_mapped_where_glean_parser_is_loaded() -> None:
    """This test process imported glean with the real glean_parser: the markers must show there."""
    assert yaml_tooling(mapped_files("self"))


def test_the_daemon_delivers_its_pings_without_yaml_tooling_loaded(lab: LabProcess, daemon: DaemonProcess) -> None:
    connection = daemon.connect()
    connection.activate([next(iter(lab.endpoints().values()))], "First", timeout=10.0)
    connection.wait_for(Connected)
    connection.deactivate(timeout=10.0)
    connection.wait_for(SessionEnded)

    wanted = ["flush", "daemon_start", "daemon_end"]
    deadline = time.monotonic() + DELIVERY_TIMEOUT_S
    while [reason for reason, _ in daemonsession_reasons(lab) if reason in wanted] != wanted:
        assert time.monotonic() < deadline, f"daemonsession pings so far: {daemonsession_reasons(lab)}"
        time.sleep(0.05)
    for reason, stored in daemonsession_reasons(lab):
        # Besides its session pings the daemon sends Glean's own health ping (its loss counters).
        assert stored.ping in ("daemonsession", "health"), reason
        validate_ping(stored.payload)

    # Mapped after a whole session with telemetry: nothing loaded glean_parser's dependencies lazily either.
    assert yaml_tooling(mapped_files(daemon.pid)) == []


def test_the_daemon_takes_its_endpoint_from_its_options_not_from_a_running_lab(
    lab: LabProcess, mimic_home: Path
) -> None:
    """A lab announces itself in this MIMIC_HOME; the daemon still waits to be told where to send telemetry."""
    with DaemonProcess(keepalive_interval=0.2) as daemon:
        daemon.connect().status()
        log = (mimic_home / "logs" / "daemon.log").read_text()
    assert "no telemetry endpoint known yet" in log, log
    assert lab.url not in log, log
