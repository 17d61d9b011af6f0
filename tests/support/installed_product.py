"""The product as a user gets it: a wheel of this checkout, installed into a scratch environment.

The scratch virtual environment is of this interpreter and sees the test
environment's packages (PySide6, pytest, glean-sdk...) through a ``.pth``
file, so nothing is downloaded; its own ``mimic-vpn`` is the wheel, whatever
the test environment had installed before.  A wheel rather than an editable
install: only what the wheel carries (code, QML, resources) is there, so a
path into the checkout that the product still builds shows up as a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from lab.daemon_process import REPO_ROOT

OFFLINE = ("--quiet", "--no-deps", "--no-index", "--no-build-isolation")
"""Nothing downloaded: the dependencies are the test environment's, setuptools included."""
NOT_SOURCE = (".git", ".venv*", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis")


def clean_environment() -> dict[str, str]:
    """This process's environment without what points pytest or Python at this checkout or this test."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST_", "MIMIC_")) and key not in ("PYTHONPATH", "COV_CORE_SOURCE")
    }
    env["QT_QPA_PLATFORM"] = "offscreen"
    return env


def _pip(*args: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pip", *args],
        capture_output=True,
        text=True,
        env=clean_environment(),
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def build_wheel(out_dir: Path) -> Path:
    """A wheel of this checkout (as ``pip wheel .`` makes it), in ``out_dir``."""
    # Built from a copy: setuptools builds in the source tree (build/, *.egg-info),
    # and a stale build/ left by an earlier run would put files into the wheel
    # that the checkout no longer has.
    source = out_dir / "source"
    shutil.copytree(REPO_ROOT, source, ignore=shutil.ignore_patterns(*NOT_SOURCE))
    _pip("wheel", *OFFLINE, "--wheel-dir", str(out_dir), str(source))
    (wheel,) = out_dir.glob("mimic_vpn-*.whl")
    return wheel


def scratch_python(venv: Path) -> Path:
    """The python of a new environment at ``venv`` that sees the test environment's packages after its own."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout.strip()
    )
    (site / "test_environment.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


def install_wheel(python: Path, wheel: Path) -> None:
    """Install ``wheel`` (no dependencies: the test environment's serve) into ``python``'s environment."""
    _pip("--python", str(python), "install", *OFFLINE, str(wheel))
