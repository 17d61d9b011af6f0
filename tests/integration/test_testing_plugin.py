"""The pytest plugin as someone else's project sees it: installed with the product, loaded only when asked.

Both tests run pytest in a project outside this repository, with an
environment where the product is really installed: from a wheel of this
checkout, as a QA engineer installs it (``installed_python``,
``tests/support/installed_product.py``), with its ``pytest11`` entry point.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from lab.daemon_process import REPO_ROOT
from tests.support.installed_product import clean_environment

EXAMPLE = REPO_ROOT / "examples" / "client-tests"


def pytest_in(project: Path, python: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(python), "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=project,
        env=clean_environment(),
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
        env=clean_environment(),
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
