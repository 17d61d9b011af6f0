"""Checks that this machine can run the report's SQL on Apache Spark, and provides the JRE when it can.

pyspark (a test dependency, from the package index) starts a Java virtual
machine, and a fresh Debian/Ubuntu machine has none; pyspark then fails with
"JAVA_GATEWAY_EXITED" and no hint of what to install.  Like
``vpnui.system_check`` does for Qt's libraries, this installs Debian's
headless JRE with apt-get when it runs as root, and otherwise names the
package.  ``make test`` runs it before the tests.

Exit status: 0 ready, 1 something is missing (the message says what).
"""

from __future__ import annotations

import argparse
import importlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Final

JRE_PACKAGE: Final = "openjdk-17-jre-headless"
"""Spark 3.5 and 4.x run on Java 17; Debian 12 and Ubuntu 22.04+ package it under this name."""


def java() -> Path | None:
    """The ``java`` pyspark will start: ``$JAVA_HOME/bin/java`` when JAVA_HOME is set, else the one on PATH."""
    home = os.environ.get("JAVA_HOME")
    if home:
        candidate = Path(home) / "bin" / "java"
        return candidate if candidate.is_file() else None
    found = shutil.which("java")
    return Path(found) if found is not None else None


def apt_install(package: str, purpose: str) -> bool:
    """Install Debian's ``package`` with apt-get when running as root on a machine that has it; whether it did."""
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        return False
    print(f"Installing {purpose}: {package}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
    return subprocess.run(["apt-get", "install", "-y", "-qq", package], check=False, env=env).returncode == 0


def provide(
    found: Callable[[], Path | None], package: str, purpose: str, *, install: bool, missing: str, module: str
) -> int:
    """Install Debian's ``package`` when ``found()`` finds nothing (and ``install``), then check ``module``.

    The exit status of a system check: 0 ready, 1 something is missing,
    said on stderr with the command that provides it.
    """
    if found() is None and install:
        apt_install(package, purpose)
    if found() is None:
        print(f"{missing}\nInstall it with:\n  sudo apt-get install {package}", file=sys.stderr)
        return 1
    try:
        importlib.import_module(module)  # only whether it is installed
    except ImportError:
        print(f"{module} is missing: pip install -e '.[test]'", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check that this machine can run the report's SQL on Spark")
    parser.add_argument("--no-install", action="store_true", help="only report what is missing")
    args = parser.parse_args(argv)
    where = f"JAVA_HOME={os.environ['JAVA_HOME']} has no bin/java" if os.environ.get("JAVA_HOME") else "no java"
    return provide(
        java,
        JRE_PACKAGE,
        "the Java runtime Spark needs",
        install=not args.no_install,
        missing=f"Spark needs a Java runtime ({where}); the report's Spark test cannot run.",
        module="pyspark",
    )


if __name__ == "__main__":
    sys.exit(main())
