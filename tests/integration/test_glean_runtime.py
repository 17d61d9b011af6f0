"""GleanRuntime with the real glean-sdk against the lab's real ingestion endpoint.

Every test uploads to a lab on loopback (never to Glean's default, Mozilla's
production endpoint) and reads back what the lab stored.  Several runtimes
start and stop in this one pytest process, one or more per test, which is
itself the check that Glean can be re-initialized with another data
directory and endpoint.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Final

import pytest
from glean._process_dispatcher import ProcessDispatcher

from lab.lab_process import LabProcess
from mimic_core.glean_runtime import DataDirInUseError, GleanRuntime, GleanRuntimeError
from mimic_core.instance_lock import InstanceLock
from mimic_core.lab_api import StoredPing
from mimic_core.lab_client import LabControl
from mimic_core.paths import locations
from mimic_core.telemetry_names import APP_PING, CLIENT_PING, ProcessName
from tests.support.checkout_process import run_checkout_python
from tests.support.glean_schema import validate_ping

APP_VERSION: Final = "0.1.0"
DELIVERY_TIMEOUT_S: Final = 5.0
RETRY_TIMEOUT_S: Final = 10.0
SHUTDOWN_BOUND_S: Final = 5.0

StartRuntime = Callable[..., GleanRuntime]


@pytest.fixture
def start_runtime(mimic_home: Path) -> Iterator[StartRuntime]:
    """Starts runtimes (app by default, data dir under this test's MIMIC_HOME) and shuts them all down."""
    started: list[GleanRuntime] = []

    def start(
        server_endpoint: str,
        *,
        process: ProcessName = "app",
        data_dir: Path | None = None,
        upload_enabled: bool = True,
        **options: Any,
    ) -> GleanRuntime:
        runtime = GleanRuntime.start(
            process,
            data_dir if data_dir is not None else locations().glean_dir(process),
            server_endpoint,
            upload_enabled,
            APP_VERSION,
            **options,
        )
        started.append(runtime)
        return runtime

    yield start
    finished = [runtime.shutdown(SHUTDOWN_BOUND_S) for runtime in started]
    assert all(finished), f"shutdown did not finish within {SHUTDOWN_BOUND_S} s: {finished}"


def wait_for_pings(
    control: LabControl, *, app: str, ping: str, count: int = 1, timeout_s: float = DELIVERY_TIMEOUT_S
) -> list[StoredPing]:
    """The lab's stored pings of that app and type, once there are ``count`` of them."""
    deadline = time.monotonic() + timeout_s
    while True:
        stored = control.pings(app=app, ping=ping)
        if len(stored) >= count:
            return stored
        if time.monotonic() >= deadline:
            raise AssertionError(f"{len(stored)} of {count} {app}/{ping} pings arrived within {timeout_s} s")
        time.sleep(0.02)


def wait_until(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() >= deadline:
            raise AssertionError(f"not within {timeout_s} s: {what}")
        time.sleep(0.02)


def wait_until_sent(runtime: GleanRuntime) -> None:
    """Nothing left on disk: the lab stores a ping before it answers, the runtime deletes it after."""
    wait_until(lambda: runtime.pending_ping_count() == 0, DELIVERY_TIMEOUT_S, "no ping left on disk")


def set_identifiers(runtime: GleanRuntime) -> tuple[str, str]:
    """Records a fresh shared session id and installation id, as the app does at session start."""
    session_id, installation_id = str(uuid.uuid4()), str(uuid.uuid4())
    runtime.metrics.session.shared_session_id.set(uuid.UUID(session_id))
    runtime.metrics.session.installation_id.set(uuid.UUID(installation_id))
    return session_id, installation_id


def reason(stored: StoredPing) -> Any:
    return stored.payload["ping_info"].get("reason")


def uuids(stored: StoredPing) -> dict[str, str]:
    found: dict[str, str] = stored.payload.get("metrics", {}).get("uuid", {})
    return found


def test_vpnsession_start_is_stored_by_the_lab_and_validates(lab: LabProcess, start_runtime: StartRuntime) -> None:
    runtime = start_runtime(lab.url, build_id="ci-1234")
    session_id, installation_id = set_identifiers(runtime)
    runtime.metrics.session.app_session_start.set()
    runtime.metrics.connection.failures["captive_portal"].add(2)
    runtime.metrics.tunnel.rx_bytes.add(4096)
    runtime.metrics.connection.check_duration["internet"].accumulate_single_sample(35)

    runtime.submit("vpnsession", "start")

    (stored,) = wait_for_pings(lab.control, app="mimic-vpn", ping="vpnsession")
    assert reason(stored) == "start"
    assert uuids(stored) == {"session.shared_session_id": session_id, "session.installation_id": installation_id}
    metrics = stored.payload["metrics"]
    assert metrics["labeled_counter"]["connection.failures"] == {"captive_portal": 2}
    assert metrics["counter"]["tunnel.rx_bytes"] == 4096
    assert "session.app_session_start" in metrics["datetime"]
    assert "connection.check_duration" in metrics["labeled_timing_distribution"]
    assert stored.payload["client_info"]["app_build"] == "ci-1234"
    assert stored.payload["client_info"]["app_display_version"] == APP_VERSION
    assert stored.headers["x_telemetry_agent"].startswith("Glean/")  # kept headers, by column name
    validate_ping(stored.payload)
    wait_until_sent(runtime)


def test_a_session_sequence_is_delivered_in_order_without_stranded_pings(
    lab: LabProcess, start_runtime: StartRuntime
) -> None:
    """Submits 0.3 s apart: the window in which the SDK's subprocess uploader left pings on disk."""
    runtime = start_runtime(lab.url)
    session_id, _ = set_identifiers(runtime)
    sequence = ["flush_init", "flush", "start", "timer", "end"]
    for name in sequence:
        runtime.submit("vpnsession", name)
        time.sleep(0.3)

    stored = wait_for_pings(lab.control, app="mimic-vpn", ping="vpnsession", count=len(sequence))
    assert [reason(ping) for ping in stored] == sequence
    assert [ping.payload["ping_info"]["seq"] for ping in stored] == list(range(len(sequence)))
    assert all(uuids(ping)["session.shared_session_id"] == session_id for ping in stored)
    for ping in stored:
        validate_ping(ping.payload)
    wait_until_sent(runtime)


def test_the_sdk_never_spawns_its_subprocess_uploader(lab: LabProcess, start_runtime: StartRuntime) -> None:
    runtime = start_runtime(lab.url)
    runtime.submit("vpnsession", "flush_init")
    wait_for_pings(lab.control, app="mimic-vpn", ping="vpnsession")
    assert not isinstance(ProcessDispatcher._last_process, subprocess.Popen)
    assert uploader_children() == []


DAEMON_SCRIPT: Final = """
import json, sys, uuid
from mimic_core.glean_runtime import GleanRuntime
from mimic_core.paths import locations
from mimic_core.telemetry_names import ProcessName

endpoint, session_id, installation_id = sys.argv[1:4]
runtime = GleanRuntime.start("daemon", locations().glean_dir("daemon"), endpoint, True, "0.1.0")
session = runtime.metrics.session
session.shared_session_id.set(uuid.UUID(session_id))
session.installation_id.set(uuid.UUID(installation_id))
session.daemon_session_source.set("daemon")
session.daemon_session_start.set()
runtime.metrics.tunnel.state_changed.record(runtime.metrics.tunnel.StateChangedExtra(state="up", server="se-sto-01"))
runtime.submit("daemonsession", "daemon_start")
print(json.dumps({"shutdown_finished": runtime.shutdown(5.0)}))
"""


def test_daemonsession_daemon_start_from_a_daemon_process(lab: LabProcess, mimic_home: Path) -> None:
    session_id, installation_id = str(uuid.uuid4()), str(uuid.uuid4())
    started = time.monotonic()
    result = run_checkout_python("-c", DAEMON_SCRIPT, lab.url, session_id, installation_id, cwd=mimic_home, timeout=30)
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {"shutdown_finished": True}
    assert elapsed < 10.0

    (stored,) = wait_for_pings(lab.control, app="mimic-vpn-daemon", ping="daemonsession")
    assert reason(stored) == "daemon_start"
    assert uuids(stored) == {"session.shared_session_id": session_id, "session.installation_id": installation_id}
    assert stored.payload["metrics"]["string"] == {"session.daemon_session_source": "daemon"}
    (event,) = stored.payload["events"]
    assert (event["category"], event["name"]) == ("tunnel", "state_changed")
    assert event["extra"]["state"] == "up"
    assert event["extra"]["server"] == "se-sto-01"
    validate_ping(stored.payload)
    assert lab.control.pings(app="mimic-vpn") == []
    assert not any((locations().glean_dir("daemon") / "pending_pings").iterdir())


EXIT_SCRIPT: Final = """
import sys
from mimic_core.glean_runtime import GleanRuntime
from mimic_core.paths import locations
from mimic_core.telemetry_names import ProcessName

runtime = GleanRuntime.start("daemon", locations().glean_dir("daemon"), sys.argv[1], True, "0.1.0")
runtime.submit("daemonsession", "daemon_end")
# No shutdown: the interpreter exits normally right after the submit.
"""


def test_a_ping_submitted_right_before_a_normal_exit_is_sent(lab: LabProcess, mimic_home: Path) -> None:
    """The SDK's detached uploader did this; the in-process uploader must too (its atexit shutdown)."""
    result = run_checkout_python("-c", EXIT_SCRIPT, lab.url, cwd=mimic_home, timeout=30)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    # Delivered before the process ended: nothing is left to a later start.
    (stored,) = lab.control.pings(app="mimic-vpn-daemon", ping="daemonsession")
    assert reason(stored) == "daemon_end"
    assert not any((locations().glean_dir("daemon") / "pending_pings").iterdir())


def test_two_runtimes_in_a_row_each_deliver_to_their_own_lab(
    lab: LabProcess, mimic_home: Path, start_runtime: StartRuntime
) -> None:
    other_lab = LabProcess(state_file=mimic_home / "other-lab.json", db=mimic_home / "other-lab.sqlite3")
    try:
        first = start_runtime(lab.url, data_dir=mimic_home / "glean-first")
        first_id, _ = set_identifiers(first)
        first.submit("vpnsession", "start")
        wait_for_pings(lab.control, app="mimic-vpn", ping="vpnsession")
        assert first.shutdown(SHUTDOWN_BOUND_S)
        assert not first.running
        with pytest.raises(GleanRuntimeError):
            first.submit("vpnsession", "end")

        second = start_runtime(other_lab.url, data_dir=mimic_home / "glean-second")
        second_id, _ = set_identifiers(second)
        second.submit("vpnsession", "start")
        (stored_second,) = wait_for_pings(other_lab.control, app="mimic-vpn", ping="vpnsession")
        assert second.shutdown(SHUTDOWN_BOUND_S)

        (stored_first,) = lab.control.pings(app="mimic-vpn", ping="vpnsession")
        assert uuids(stored_first)["session.shared_session_id"] == first_id
        assert uuids(stored_second)["session.shared_session_id"] == second_id
        # Each data directory is a Glean client of its own.
        first_client = stored_first.payload["client_info"]["client_id"]
        assert stored_second.payload["client_info"]["client_id"] != first_client
        assert stored_second.payload["ping_info"]["seq"] == 0
    finally:
        other_lab.stop()


def test_a_failing_ingestion_is_retried_until_it_recovers(lab: LabProcess, start_runtime: StartRuntime) -> None:
    lab.control.set("ingestion=error")
    # Without Glean's health ping: this test counts the one ping it submits.
    runtime = start_runtime(lab.url, internal_pings=False)
    session_id, _ = set_identifiers(runtime)
    runtime.submit("vpnsession", "start")

    wait_until(lambda: runtime.upload_stats.failed >= 1, DELIVERY_TIMEOUT_S, "the lab answered HTTP 500")
    assert runtime.upload_stats.last_status == 500
    assert lab.control.pings(app="mimic-vpn") == []
    assert runtime.pending_ping_count() == 1

    lab.control.reset()
    (stored,) = wait_for_pings(lab.control, app="mimic-vpn", ping="vpnsession", timeout_s=RETRY_TIMEOUT_S)
    assert reason(stored) == "start"
    assert uuids(stored)["session.shared_session_id"] == session_id
    wait_until_sent(runtime)
    assert runtime.upload_stats.delivered == 1


def test_shutdown_sends_what_is_still_queued(lab: LabProcess, start_runtime: StartRuntime) -> None:
    """The last upload pass of the shutdown, not the upload thread's next retry (1 s away), delivers it."""
    lab.control.set("ingestion=error")
    runtime = start_runtime(lab.url)
    runtime.submit("vpnsession", "end")
    wait_until(lambda: runtime.upload_stats.failed >= 1, DELIVERY_TIMEOUT_S, "the lab answered HTTP 500")
    lab.control.reset()
    assert runtime.shutdown(SHUTDOWN_BOUND_S)
    (stored,) = lab.control.pings(app="mimic-vpn", ping="vpnsession")
    assert reason(stored) == "end"
    assert runtime.pending_ping_count() == 0


def test_nothing_is_stored_with_upload_disabled(lab: LabProcess, start_runtime: StartRuntime) -> None:
    runtime = start_runtime(lab.url, upload_enabled=False)
    set_identifiers(runtime)
    runtime.submit("vpnsession", "start")
    runtime.submit("vpnsession", "end")
    # Shutting down writes every submitted ping and makes a last upload pass.
    assert runtime.shutdown(SHUTDOWN_BOUND_S)
    assert lab.control.pings() == []
    assert runtime.upload_stats.attempts == 0


def test_turning_upload_off_sends_only_a_deletion_request(lab: LabProcess, start_runtime: StartRuntime) -> None:
    runtime = start_runtime(lab.url)
    set_identifiers(runtime)
    runtime.submit("vpnsession", "start")
    wait_for_pings(lab.control, app="mimic-vpn", ping="vpnsession")

    runtime.set_upload_enabled(False)
    assert not runtime.upload_enabled
    runtime.submit("vpnsession", "end")

    (deletion,) = wait_for_pings(lab.control, app="mimic-vpn", ping="deletion-request")
    assert reason(deletion) == "set_upload_enabled"
    validate_ping(deletion.payload)
    assert runtime.shutdown(SHUTDOWN_BOUND_S)
    assert [reason(ping) for ping in lab.control.pings(app="mimic-vpn", ping="vpnsession")] == ["start"]


def test_shutdown_returns_within_its_bound_even_with_an_upload_hanging(
    lab: LabProcess, mimic_home: Path, start_runtime: StartRuntime
) -> None:
    """An endpoint that accepts connections and never answers holds an upload until its timeout."""
    with socket.socket() as hung:
        hung.bind(("127.0.0.1", 0))
        hung.listen(8)
        host, port = hung.getsockname()
        stuck_dir = mimic_home / "glean-stuck"
        stuck = start_runtime(f"http://{host}:{port}", data_dir=stuck_dir, upload_timeout_s=1.0, internal_pings=False)
        stuck.submit("vpnsession", "flush_init")
        wait_until(lambda: stuck.pending_ping_count() == 1, DELIVERY_TIMEOUT_S, "the ping is on disk")
        time.sleep(0.1)  # the upload thread is now waiting for an answer

        started = time.monotonic()
        stuck.shutdown(timeout_s=0.5)
        assert time.monotonic() - started < 0.7

        # The next runtime starts at once; the hanging upload of the old one
        # ends in a timeout and must not touch the new Glean instance.
        runtime = start_runtime(lab.url)
        runtime.submit("vpnsession", "flush_init")
        wait_for_pings(lab.control, app="mimic-vpn", ping="vpnsession")
        wait_until(lambda: stuck.upload_stats.failed == 1, 3.0, "the hanging upload timed out")
        assert stuck.upload_stats.delivered == 0
        assert stuck.shutdown(SHUTDOWN_BOUND_S)
        assert runtime.running
        wait_until_sent(runtime)
        assert len(lab.control.pings(app="mimic-vpn", ping="vpnsession")) == 1
    # The undelivered ping was kept on disk for the next start with that directory.
    assert len(list((stuck_dir / "pending_pings").iterdir())) == 1


def test_shutdown_never_waits_longer_than_asked(lab: LabProcess, start_runtime: StartRuntime) -> None:
    """A zero bound returns at once and leaves the upload to the next start; asking again waits again."""
    lab.control.set("ingestion=error")  # so the ping cannot leave before the shutdown
    runtime = start_runtime(lab.url, internal_pings=False)  # one ping to count, without Glean's health ping
    runtime.submit("vpnsession", "flush_init")
    started = time.monotonic()
    runtime.shutdown(timeout_s=0.0)
    assert time.monotonic() - started < 0.2
    assert not runtime.running
    assert runtime.shutdown(SHUTDOWN_BOUND_S)
    # The ping was written to disk by the shutdown, not lost ...
    assert runtime.pending_ping_count() == 1
    # ... and the next start with the same data directory sends it.
    lab.control.reset()
    start_runtime(lab.url, data_dir=runtime.data_dir)
    (stored,) = wait_for_pings(lab.control, app="mimic-vpn", ping="vpnsession")
    assert reason(stored) == "flush_init"


def test_submit_checks_the_ping_its_owner_and_the_reason(lab: LabProcess, start_runtime: StartRuntime) -> None:
    runtime = start_runtime(lab.url)
    with pytest.raises(GleanRuntimeError, match="unknown ping"):
        runtime.submit("vpn-session", "start")
    with pytest.raises(GleanRuntimeError, match="submitted by the daemon"):
        runtime.submit("daemonsession", "daemon_start")
    with pytest.raises(GleanRuntimeError, match="unknown reason"):
        runtime.submit("vpnsession", "daemon_start")
    with pytest.raises(GleanRuntimeError, match="unknown reason"):
        runtime.submit("vpnsession", "START")
    # The app submits its session ping and its ping for data of no session (decision 0011).
    assert runtime.owned_pings() == (CLIENT_PING, APP_PING)


def test_one_runtime_per_process_and_one_process_per_data_dir(
    lab: LabProcess, mimic_home: Path, start_runtime: StartRuntime
) -> None:
    taken = mimic_home / "glean-taken"
    taken.mkdir()
    holder = InstanceLock(taken / "mimic-owner.lock")
    holder.acquire()
    try:
        with pytest.raises(DataDirInUseError):
            start_runtime(lab.url, data_dir=taken)
    finally:
        holder.release()

    runtime = start_runtime(lab.url)
    assert GleanRuntime.current() is runtime
    with pytest.raises(GleanRuntimeError, match="already runs"):
        start_runtime(lab.url, data_dir=mimic_home / "glean-second")
    with pytest.raises(GleanRuntimeError, match="http"):
        GleanRuntime.start("daemon", mimic_home / "x", "ftp://127.0.0.1:1", True, APP_VERSION)


def uploader_children() -> list[int]:
    """Children of this process running glean's subprocess uploader."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        parent = next((line.split()[1] for line in status.splitlines() if line.startswith("PPid:")), "")
        if parent == str(os.getpid()) and b"_process_dispatcher_helper" in command:
            found.append(int(entry.name))
    return found
