"""Where PySide6's command-line tools are (qmllint, lupdate, lrelease, qmltyperegistrar).

The build steps run them as the user would (``pyside6-qmllint``...): the
launchers PySide6 installs next to the interpreter that runs this code, so
``.venv/bin/python -m ...`` finds the tools of that environment without it
being activated.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path


class QtToolMissingError(RuntimeError):
    """The PySide6 launcher of a tool is neither beside the interpreter nor on PATH."""


def qt_tool(name: str) -> str:
    """The path of ``pyside6-<name>``."""
    launcher = f"pyside6-{name}"
    beside = Path(sys.executable).parent / launcher
    if beside.is_file():
        return str(beside)
    found = shutil.which(launcher)
    if found is None:
        raise QtToolMissingError(
            f"{launcher} is neither in {beside.parent} nor on PATH: install PySide6-Essentials in this environment"
        )
    return found
