"""Checks that this machine can run the debug view's browser test, and provides the browser when it can.

The test (``tests/integration/test_debug_view_browser.py``) drives a real
headless Chromium with Playwright's Python API (a test dependency).
Playwright normally downloads a browser build of its own; this project uses
Debian's ``chromium`` package instead, which any Debian or Ubuntu mirror
serves, and points Playwright at it (``executable_path``).  As
``lab.pipeline.system_check`` does for Spark's Java runtime, this installs
the package with apt-get when it runs as root, and otherwise names it.
``make test`` runs it before the tests.

Exit status: 0 ready, 1 something is missing (the message says what).
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path
from typing import Final

from lab.pipeline.system_check import provide

CHROMIUM_PACKAGE: Final = "chromium"
"""Debian's Chromium (Debian 12 and later; Ubuntu ships it as a snap under the same command)."""


def chromium() -> Path | None:
    """The ``chromium`` on PATH the browser test starts, or None."""
    found = shutil.which("chromium")
    return Path(found) if found is not None else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check that this machine can run the debug view's browser test")
    parser.add_argument("--no-install", action="store_true", help="only report what is missing")
    args = parser.parse_args(argv)
    return provide(
        chromium,
        CHROMIUM_PACKAGE,
        "the browser the debug view's test drives",
        install=not args.no_install,
        missing="The debug view's browser test needs Chromium (no `chromium` on PATH).",
        module="playwright",
    )


if __name__ == "__main__":
    sys.exit(main())
