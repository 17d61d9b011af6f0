"""Rules of the layout that the import contracts cannot see (``docs/architecture.md``)."""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Final

from lab.daemon_process import REPO_ROOT

PRODUCT: Final = ("mimic_core", "vpnui", "daemon", "lab", "mimic_vpn_testing")
GLEAN_COMPAT: Final = REPO_ROOT / "mimic_core" / "glean_compat.py"


def product_sources() -> Iterator[Path]:
    for package in PRODUCT:
        yield from sorted((REPO_ROOT / package).rglob("*.py"))


def glean_internals(path: Path) -> list[str]:
    """Private glean modules imported, and private attributes read from names imported from glean."""
    found: list[str] = []
    from_glean: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("glean.") and "._" in f".{alias.name}":
                    found.append(f"line {node.lineno}: import {alias.name}")
        elif isinstance(node, ast.ImportFrom) and node.module is not None and node.module.split(".")[0] == "glean":
            for alias in node.names:
                if "._" in f".{node.module}" or alias.name.startswith("_"):
                    found.append(f"line {node.lineno}: from {node.module} import {alias.name}")
                from_glean.add(alias.asname or alias.name)
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if (
            isinstance(node, ast.Attribute)
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
            and isinstance(node.value, ast.Name)
            and node.value.id in from_glean
        ):
            found.append(f"line {node.lineno}: {node.value.id}.{node.attr}")
    return found


def test_only_the_compatibility_module_touches_glean_internals() -> None:
    offenders = {
        str(path.relative_to(REPO_ROOT)): found
        for path in product_sources()
        if path != GLEAN_COMPAT and (found := glean_internals(path))
    }
    assert offenders == {}


def test_the_check_sees_the_internals_the_compatibility_module_uses() -> None:
    """Proof that the check above can fail: it finds what glean_compat does on purpose."""
    found = " ".join(glean_internals(GLEAN_COMPAT))
    assert "from glean import _uniffi" in found
    assert "from glean._process_dispatcher import ProcessDispatcher" in found


def test_every_package_of_the_product_is_installed() -> None:
    """A package missing from [tool.setuptools] packages works from a checkout and vanishes from a wheel."""
    setuptools = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    # The QML, resources and translations folders, shipped as data-only packages of mimic_core (mimic_core/assets.py).
    data_only = set(setuptools["package-dir"])
    assert data_only == {"mimic_core.qml", "mimic_core.resources", "mimic_core.translations"}
    on_disk = {
        ".".join(init.parent.relative_to(REPO_ROOT).parts)
        for package in PRODUCT
        for init in (REPO_ROOT / package).rglob("__init__.py")
    }
    assert set(setuptools["packages"]) - data_only == on_disk
