"""Python children on this checkout's code (``lab.daemon_process.checkout_environment``): a script, or pytest.

The child imports ``lab``, ``mimic_core`` and the plugin from the checkout,
whatever its working directory, as a project that uses the plugin would
from an installed wheel.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from lab.daemon_process import checkout_environment


def run_checkout_python(
    *arguments: str, timeout: float, cwd: Path | None = None, environment: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``python ARGUMENTS`` (``-c CODE ...``, ``-m MODULE ...``) on this checkout's code, output captured as text.

    ``environment``: variables set for the child besides this process's and the checkout's.
    """
    return subprocess.run(
        [sys.executable, *arguments],
        cwd=cwd,
        env={**checkout_environment(), **(environment or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def run_plugin_project(project: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """``pytest -q`` in ``project`` (its tests already written) with the plugin loaded as a project loads it."""
    (project / "pytest.ini").write_text("[pytest]\n")
    plugin = ("-p", "mimic_vpn_testing.plugin", "-p", "no:cacheprovider")
    return run_checkout_python("-m", "pytest", *plugin, "-q", *options, cwd=project, timeout=120)
