"""``vpnui`` with a broken config file: it says so, on stderr and in its window, and waits."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from lab.daemon_process import REPO_ROOT

MESSAGE_WAIT_S = 30.0


def test_a_broken_config_keeps_the_window_up_with_the_reason(mimic_home: Path) -> None:
    config = mimic_home / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("[endpoints]\nconnectivity_url =\n", encoding="utf-8")
    environment = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    app = subprocess.Popen(
        [sys.executable, "-m", "vpnui", "--no-lab"],
        cwd=REPO_ROOT,
        env=environment,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert app.stderr is not None
        deadline = time.monotonic() + MESSAGE_WAIT_S
        line = ""
        while time.monotonic() < deadline and "config.toml" not in line:
            line = app.stderr.readline()
            if not line and app.poll() is not None:
                break
        assert line.startswith("vpnui: ") and str(config) in line, line
        # The window says it too (tests/ui/test_main_window.py) and stays
        # until the user closes it: the process has not exited.
        time.sleep(0.5)
        assert app.poll() is None
        # No daemon was started for a config the app cannot use.
        assert not (mimic_home / "run").exists() or not any((mimic_home / "run").iterdir())
    finally:
        app.terminate()
        app.wait(timeout=10)
        if app.stderr is not None:
            app.stderr.close()
