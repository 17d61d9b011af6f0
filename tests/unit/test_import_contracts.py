"""The import contracts of ``pyproject.toml`` hold, and a deliberate violation breaks them.

Each violation is written into a copy of the source tree, so the check can
be seen to fail (non-zero exit, the broken contract named) without touching
the real one.  ``make check`` runs the same two tools on the real tree.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Final

import pytest

from lab.daemon_process import REPO_ROOT

PACKAGES: Final = ("mimic_core", "vpnui", "daemon", "lab", "mimic_vpn_testing", "benchmarks", "tests")
TOOLS: Final = Path(sys.executable).parent


def run(tool: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(TOOLS / tool), *args],
        cwd=cwd,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(cwd)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    return run("lint-imports", "--no-cache", cwd=tree)


@pytest.fixture(scope="module")
def source_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tree = tmp_path_factory.mktemp("tree")
    shutil.copy(REPO_ROOT / "pyproject.toml", tree)
    for package in PACKAGES:
        shutil.copytree(REPO_ROOT / package, tree / package, ignore=shutil.ignore_patterns("__pycache__", "results"))
    return tree


@pytest.fixture
def tree(source_copy: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "tree"
    shutil.copytree(source_copy, copy)
    return copy


def add_line(path: Path, line: str) -> None:
    path.write_text(path.read_text() + f"\n{line}\n")


def test_the_real_tree_keeps_every_contract() -> None:
    result = lint_imports(REPO_ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_copy_keeps_every_contract(source_copy: Path) -> None:
    """The copy the violations are written into is sound to start with."""
    result = lint_imports(source_copy)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("daemon/telemetry.py", "from lab import session_report", "Layers"),
        ("lab/world.py", "import daemon.session", "Layers"),
        ("vpnui/app.py", "from lab.serve import LabConfig", "Layers"),
        ("mimic_core/paths.py", "import vpnui.settings", "Layers"),
        ("daemon/telemetry.py", "from mimic_core.lab_state import read_state", "The daemon learns nothing"),
        ("lab/cli.py", "from tests.support import fresh_python", "Layers"),
        ("benchmarks/proc.py", "from tests.support import fresh_python", "Layers"),
        ("vpnui/app.py", "from mimic_vpn_testing import screen", "Layers"),
        ("lab/installation.py", "import mimic_vpn_testing.plugin", "Layers"),
        ("mimic_vpn_testing/app.py", "from benchmarks import world", "Layers"),
        ("vpnui/ipc_replay.py", "from mimic_core.build_glean_definitions import generate", "glean_parser is"),
    ],
    ids=[
        "daemon->lab",
        "lab->daemon",
        "app->lab",
        "core->app",
        "daemon->lab-state",
        "lab->tests",
        "benchmarks->tests",
        "app->testing-plugin",
        "lab->testing-plugin",
        "testing-plugin->benchmarks",
        "app->generator",
    ],
)
def test_a_forbidden_import_breaks_its_contract(tree: Path, module: str, line: str, contract: str) -> None:
    add_line(tree / module, line)
    result = lint_imports(tree)
    assert result.returncode != 0, result.stdout
    assert "Broken contracts" in result.stdout
    assert contract in result.stdout.split("Broken contracts", 1)[1], result.stdout


def test_qt_gui_modules_are_banned_outside_the_app(tree: Path) -> None:
    """The contract import-linter cannot express (it sees PySide6 only whole) is ruff's."""
    add_line(tree / "daemon" / "server.py", "from PySide6.QtGui import QGuiApplication  # noqa: F401, E402")
    add_line(tree / "vpnui" / "controller.py", "from PySide6.QtGui import QGuiApplication  # noqa: F401, E402")
    result = run("ruff", "check", "--no-cache", "--select", "TID251", "--output-format", "concise", ".", cwd=tree)
    assert result.returncode != 0
    assert "daemon/server.py" in result.stdout and "PySide6.QtGui" in result.stdout
    assert "vpnui/controller.py" not in result.stdout
