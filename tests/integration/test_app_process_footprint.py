"""The real ``python -m vpnui``: what its process keeps after start-up.

Its entry point (``vpnui.main``) shows the window, then puts Python's own
import back (``mimic_core.early_start``) before the rest of the app is
imported, and keeps glean's YAML tooling out (``mimic_core.glean_compat``)
once the screens are shown, before its telemetry imports glean.
The process shows whether that held: no compiled extension of glean_parser's
dependencies is mapped, and the app still starts Glean, links to its daemon
and delivers its first ping to the lab.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Final

from benchmarks.cold_start import vpnui_arguments
from lab.daemon_process import REPO_ROOT
from lab.lab_process import LabProcess
from tests.support.process_maps import mapped_files, yaml_tooling

START_TIMEOUT_S: Final = 30.0
APP_ID: Final = "mimic-vpn"


def test_the_app_runs_glean_without_yaml_tooling(lab: LabProcess, mimic_home: Path) -> None:
    environment = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    log_path = mimic_home / "app-stderr.log"
    with log_path.open("w") as log:
        app = subprocess.Popen(
            [sys.executable, "-m", "vpnui", "--no-lab", *vpnui_arguments(lab.url)],
            cwd=REPO_ROOT,
            env=environment,
            stderr=log,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        # The app's first vpnsession ping (reason "flush", at start-up) reaching the lab
        # means Glean ran in the app and its daemon link came up.
        while not lab.control.pings(app=APP_ID, ping="vpnsession"):
            assert app.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.1)
        files = mapped_files(app.pid)
        assert any("libglean_ffi" in path for path in files)
        assert yaml_tooling(files) == []
    finally:
        app.send_signal(signal.SIGTERM)
        app.wait(timeout=20)
    assert app.returncode == 0, log_path.read_text()
    assert "Traceback" not in log_path.read_text()
