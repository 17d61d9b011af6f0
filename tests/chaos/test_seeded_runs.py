"""Seeded fault runs of the real product: the session invariants hold, and nothing is left running.

These run ``vpnui-lab chaos`` exactly as a person would, on the real app
(offscreen), daemon and lab in a home of their own.  The seed is fixed, so
a failure here is reproduced with the command in its message; the long run
is ``make chaos``.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import pytest

from lab.daemon_process import REPO_ROOT, checkout_environment
from lab.installation import wait_until
from lab.leftovers import processes_with_home

pytestmark = pytest.mark.chaos

SHORT_SEED: Final = 146
"""Toggles, location switches, vpnui-ctl, a daemon and an app SIGKILL under packet loss, a burst, a clean quit."""
SHORT_ROUNDS: Final = 20


@pytest.fixture
def home() -> Iterator[Path]:
    """An empty home for the run (short, under /tmp: the daemon's socket path has a length limit)."""
    path = Path(tempfile.mkdtemp(prefix="mv-ch-", dir="/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def chaos_command(home: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "lab", "chaos", "--home", str(home), *args]


def readable(result: dict[str, Any]) -> str:
    lines = [f"reproduce: {result['reproduce']}"]
    for violation in result["violations"]:
        pings = "; ".join(
            f"{p['ping']} {p['reason']} seq {p['seq']} doc {p['document_id']}" for p in violation["pings"]
        )
        lines.append(f"{violation['invariant']} session {violation['session_id']}: {violation['message']} [{pings}]")
    return "\n".join(lines)


@pytest.mark.timeout(600)
def test_a_short_seeded_run_keeps_every_invariant(home: Path) -> None:
    run = subprocess.run(
        chaos_command(home, "--seed", str(SHORT_SEED), "--rounds", str(SHORT_ROUNDS), "--json"),
        capture_output=True,
        text=True,
        env=checkout_environment(),
        cwd=REPO_ROOT,
        timeout=540,
        check=False,
    )
    assert run.returncode in (0, 1), run.stderr[-4000:]
    result = json.loads(run.stdout)
    # Everything the run started is gone, the app's detached daemon included.
    assert processes_with_home(home) == []
    assert len(result["plan"]) == SHORT_ROUNDS
    assert result["record"]["delivery"]["complete"] is True or result["violations"]
    assert result["violations"] == [], readable(result)
    assert run.returncode == 0


@pytest.mark.timeout(180)
def test_sigterm_ends_a_run_and_every_process_of_it(home: Path) -> None:
    runner = subprocess.Popen(
        chaos_command(home, "--seed", "7", "--rounds", "200"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=checkout_environment(),
        cwd=REPO_ROOT,
    )
    try:
        # Under way: the lab, the app and the daemon the app started.
        assert wait_until(lambda: len(processes_with_home(home)) >= 3, 60, 0.2), "the run did not get going"
        time.sleep(2)
        runner.send_signal(signal.SIGTERM)
        code = runner.wait(90)
        assert runner.stderr is not None
        assert code == 130, runner.stderr.read()[-4000:]
        assert processes_with_home(home) == []
    finally:
        if runner.poll() is None:
            runner.kill()
            runner.wait()
        if runner.stderr is not None:
            runner.stderr.close()
