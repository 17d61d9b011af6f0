"""pytest over a small project with the plugin, on this checkout's code (``lab.daemon_process.checkout_environment``).

The child imports ``lab``, ``mimic_core`` and the plugin from the checkout,
whatever its working directory, as a project that uses the plugin would
from an installed wheel.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from lab.daemon_process import checkout_environment


def run_plugin_project(project: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """``pytest -q`` in ``project`` (its tests already written) with the plugin loaded as a project loads it."""
    (project / "pytest.ini").write_text("[pytest]\n")
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "mimic_vpn_testing.plugin", "-p", "no:cacheprovider", "-q", *options],
        cwd=project,
        env=checkout_environment(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
