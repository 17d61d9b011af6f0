"""Starting the processes that outlive the app (daemon, embedded lab)."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import QProcess

log = logging.getLogger(__name__)


class StartFailed(Exception):
    """The process could not be started at all."""


def start_detached_module(module: str, args: list[str], stderr_path: Path) -> None:
    """Run ``python -m module args`` detached, stderr appended to ``stderr_path``.

    Detached because these processes must survive the app quitting or being
    killed.  stdout goes nowhere: both announce themselves through files in
    the runtime directory, and stderr is kept for diagnosing a failed start.
    """
    stderr_path.parent.mkdir(parents=True, exist_ok=True)
    process = QProcess()
    process.setProgram(sys.executable)
    process.setArguments(["-m", module, *args])
    process.setStandardOutputFile(QProcess.nullDevice())
    process.setStandardErrorFile(str(stderr_path), QProcess.OpenModeFlag.Append)
    # PySide6 documents (bool, pid) but the member form returns a bool.
    result: object = process.startDetached()
    ok = result[0] if isinstance(result, tuple) else bool(result)
    if not ok:
        raise StartFailed(f"could not start {module}: {process.errorString()}")
    log.info("started %s (%s)", module, " ".join(args) or "no options")
