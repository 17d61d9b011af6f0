"""Runs a snippet in a fresh interpreter, for checks of what a process imports.

The test process has long imported everything (glean_parser included, which
the tests compare against), so what the daemon process loads, and in which
order, can only be seen in an interpreter of its own.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from typing import Any

from lab.daemon_process import REPO_ROOT, checkout_environment


def run_python(code: str) -> dict[str, Any]:
    """The JSON object the last output line of ``code`` prints; run with warnings as errors."""
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", textwrap.dedent(code)],
        env=checkout_environment(),
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    answer: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return answer
