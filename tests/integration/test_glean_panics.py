"""Panics on glean-core's threads: a shutdown right after a start causes none; one that happens is named.

After a panic on its ``glean.init`` thread glean-core cannot be reset, so
Glean cannot start again in that process.  Each case runs in a process of
its own, since such a panic breaks Glean for the rest of the process.
"""

from __future__ import annotations

from pathlib import Path

from tests.support.checkout_process import run_checkout_python, run_plugin_project

# glean-core turns a Python exception in one of its callbacks into a panic of
# the thread that called it: a callback of the init thread raises.
BREAK_INIT = """
import glean.glean

def initialize_finished(self):
    raise RuntimeError("a callback failed")

glean.glean.OnGleanEventsImpl.initialize_finished = initialize_finished
"""

RESTART = (
    BREAK_INIT
    + """
import sys, time
from pathlib import Path
from mimic_core.glean_runtime import GleanRuntime, GleanRuntimeError

data_dir = Path(sys.argv[1])
first = GleanRuntime.start("app", data_dir / "first", "http://127.0.0.1:9", False, "0.1.0")
time.sleep(1)
first.shutdown()
try:
    GleanRuntime.start("app", data_dir / "second", "http://127.0.0.1:9", False, "0.1.0")
except GleanRuntimeError as exc:
    print(f"refused: {exc}")
"""
)

PANICKING_TEST = (
    BREAK_INIT
    + """
import time
from mimic_core.glean_runtime import GleanRuntime


def test_starts_glean(tmp_path):
    runtime = GleanRuntime.start("app", tmp_path, "http://127.0.0.1:9", False, "0.1.0")
    time.sleep(1)
    runtime.shutdown()


def test_another():
    pass
"""
)


# A shutdown while the init thread has yet to record its health ping.  The
# process runs on one CPU.  From its scheduler callback on (before it flushes
# its queue and records that ping) the init thread runs only when the CPU is
# otherwise idle, and for a second another process keeps the CPU busy: the
# shutdown, woken by that flush, would run to its end first.  Without the
# runtime's wait for the init thread this panicked in 3 of 4 runs of one round.
STOP_DURING_INIT = """
import os, signal, subprocess, sys, threading, time
from pathlib import Path
import glean.glean
from mimic_core.glean_runtime import GleanRuntime

os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
os.kill(busy.pid, signal.SIGSTOP)
data_dir = Path(sys.argv[1])


def end_the_squeeze(init_thread):
    os.kill(busy.pid, signal.SIGSTOP)
    os.sched_setscheduler(init_thread, os.SCHED_OTHER, os.sched_param(0))


def start_metrics_ping_scheduler(self):
    init_thread = threading.get_native_id()
    os.sched_setscheduler(init_thread, os.SCHED_IDLE, os.sched_param(0))
    os.kill(busy.pid, signal.SIGCONT)
    threading.Timer(1.0, end_the_squeeze, (init_thread,)).start()
    return False


glean.glean.OnGleanEventsImpl.start_metrics_ping_scheduler = start_metrics_ping_scheduler
try:
    for round in range(3):
        runtime = GleanRuntime.start("daemon", data_dir, "http://127.0.0.1:9", True, "0.1.0")
        runtime.submit("daemonsession", "daemon_timer")
        print(f"round {round}: shut down: {runtime.shutdown(30.0)}", flush=True)
finally:
    busy.kill()
"""


def test_a_shutdown_right_after_the_start_lets_the_init_thread_finish(tmp_path: Path) -> None:
    result = run_checkout_python("-c", STOP_DURING_INIT, str(tmp_path / "glean"), timeout=120)

    assert "panicked at" not in result.stderr, result.stderr
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [f"round {round}: shut down: True" for round in range(3)], result.stderr


def test_a_start_after_a_failed_reset_names_the_failure(tmp_path: Path) -> None:
    result = run_checkout_python("-c", RESTART, str(tmp_path), timeout=60)

    assert result.returncode == 0, result.stderr
    assert "panicked at" in result.stderr
    refused = result.stdout.strip()
    assert refused.startswith(
        "refused: Glean cannot start again in this process: resetting it after the last runtime failed ("
    ), result.stdout + result.stderr
    assert "initialized in this process without GleanRuntime" not in refused


def test_the_plugin_fails_a_test_during_which_glean_panicked(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "test_glean.py").write_text(PANICKING_TEST)

    result = run_plugin_project(project)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 failed, 1 passed" in result.stdout, result.stdout
    assert "FAILED test_glean.py::test_starts_glean" in result.stdout
    assert "native code panicked during the call of this test: thread 'glean.init'" in result.stdout
