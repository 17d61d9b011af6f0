"""The pytest plugin as someone else's project sees it: installed with the product, loaded only when asked.

Both tests run pytest in a project outside this repository, with an
environment where the product is really installed (``pip install -e``, as
``examples/client-tests/README.md`` says): a scratch virtual environment of
this interpreter that sees the test environment's packages through a
``.pth`` file, so nothing is downloaded, and whose own ``mimic-vpn``
install (with its ``pytest11`` entry point) is this checkout, whatever the
test environment had installed before.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from lab.daemon_process import REPO_ROOT

EXAMPLE = REPO_ROOT / "examples" / "client-tests"
PIP_INSTALL = (sys.executable, "-m", "pip")
OFFLINE = ("--quiet", "--no-deps", "--no-index", "--no-build-isolation")
"""Nothing downloaded: the dependencies are the test environment's, setuptools included."""


def _clean_environment() -> dict[str, str]:
    """This process's environment without what points pytest or Python at this checkout or this test."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST_", "MIMIC_")) and key not in ("PYTHONPATH", "COV_CORE_SOURCE")
    }
    env["QT_QPA_PLATFORM"] = "offscreen"
    return env


@pytest.fixture(scope="module")
def installed_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The python of an environment where the product is installed from this checkout."""
    venv = tmp_path_factory.mktemp("venv")
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
    # The test environment's packages (pytest, pytest-qt, PySide6...) after the scratch environment's own.
    (site / "test_environment.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    install = subprocess.run(
        [*PIP_INSTALL, "--python", str(python), "install", *OFFLINE, "--editable", str(REPO_ROOT)],
        capture_output=True,
        text=True,
        env=_clean_environment(),
        timeout=300,
        check=False,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    return python


def pytest_in(project: Path, python: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(python), "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=project,
        env=_clean_environment(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_the_example_project_passes_from_a_copy_outside_the_repository(installed_python: Path, tmp_path: Path) -> None:
    project = tmp_path / "client-tests"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    assert not project.resolve().is_relative_to(REPO_ROOT)

    result = pytest_in(project, installed_python, "-v")

    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    assert "2 passed" in result.stdout
    # Only the installed product was used, not this checkout through a path.
    assert "test_a_captive_portal_before_connecting PASSED" in result.stdout
    assert "test_a_server_dying_while_connected PASSED" in result.stdout


def test_installing_the_product_changes_nothing_in_another_projects_run(installed_python: Path, tmp_path: Path) -> None:
    project = tmp_path / "other"
    project.mkdir()
    (project / "pyproject.toml").write_text('[tool.pytest.ini_options]\naddopts = "--strict-config"\n')
    (project / "test_trivial.py").write_text("def test_nothing() -> None:\n    assert True\n")

    entry_points = subprocess.run(
        [
            str(installed_python),
            "-c",
            "from importlib.metadata import entry_points; "
            "print([e.value for e in entry_points(group='pytest11') if e.name == 'mimic_vpn'])",
        ],
        capture_output=True,
        text=True,
        env=_clean_environment(),
        timeout=60,
        check=True,
    )
    assert "mimic_vpn_testing.opt_in" in entry_points.stdout  # installed, so pytest imports it

    plain = pytest_in(project, installed_python, "--fixtures")
    assert plain.returncode == 0, plain.stdout + plain.stderr
    assert "mimic_" not in plain.stdout
    help_text = pytest_in(project, installed_python, "--help")
    assert "mimic" not in help_text.stdout.lower()
    run = pytest_in(project, installed_python, "-q")
    assert run.returncode == 0 and "1 passed" in run.stdout, run.stdout + run.stderr
    assert "PySide6" not in run.stdout + run.stderr

    asked = pytest_in(project, installed_python, "-p", "mimic_vpn", "--fixtures")
    assert asked.returncode == 0, asked.stdout + asked.stderr
    for fixture in ("mimic_home", "mimic_lab", "mimic_daemon", "mimic_app", "mimic_ui"):
        assert fixture in asked.stdout
    refused = pytest_in(project, installed_python, "-p", "mimic_vpn", "-p", "no:mimic_vpn", "--fixtures")
    assert "mimic_" not in refused.stdout
