"""Writing a file the build generates, or checking that the checked-in copy is current (``--check``)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Final

EXIT_STALE: Final = 1
"""``--check`` found the file missing or different from what the sources give."""


def write_or_check(output: Path, text: str, *, check: bool, make_target: str) -> int:
    """Write ``text`` to ``output``, or with ``check`` only compare them; the exit status.

    ``make_target`` is what a user runs to refresh a stale file.
    """
    if check:
        current = output.read_text(encoding="utf-8") if output.exists() else None
        if current != text:
            print(f"{output} is out of date; run `make {make_target}`", file=sys.stderr)
            return EXIT_STALE
        return 0
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    print(f"wrote {output}")
    return 0
