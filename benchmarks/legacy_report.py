"""The Python session report the SQL replaced, taken from git history at run time (never copied in).

``lab/session_report.py`` and ``lab/ping_delivery.py`` as they were just
before the pipeline commit are written into a temporary package and
imported; this needs the repository to be a git checkout, and the figure
says "reference unavailable" otherwise.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Final

from mimic_core.lab_api import StoredPing

REPO_ROOT: Final = Path(__file__).resolve().parent.parent
BEFORE_PIPELINE: Final = "6c565ff^"
"""The parent of the commit that replaced the Python loop by ``lab/sql/``."""
PACKAGE: Final = "legacy_lab"
FILES: Final = ("session_report", "ping_delivery")

BuildReport = Callable[[Iterable[StoredPing]], Any]


def load(scratch: Path) -> BuildReport | None:
    """The old ``build_report``, or ``None`` when git or the commit is not there."""
    package = scratch / PACKAGE
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text("")
    for name in FILES:
        try:
            shown = subprocess.run(
                ["git", "show", f"{BEFORE_PIPELINE}:lab/{name}.py"],
                cwd=REPO_ROOT,
                capture_output=True,
                text=True,
                check=True,
            )
        except (OSError, subprocess.CalledProcessError):
            return None
        text = shown.stdout.replace("from lab import ping_delivery", f"from {PACKAGE} import ping_delivery")
        text = text.replace("from lab.ping_delivery import", f"from {PACKAGE}.ping_delivery import")
        (package / f"{name}.py").write_text(text)
    sys.path.insert(0, str(scratch))
    try:
        module = importlib.import_module(f"{PACKAGE}.session_report")
    finally:
        sys.path.remove(str(scratch))
    build: BuildReport = module.build_report
    return build


def scratch_dir() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="mimic-legacy-report-")
