"""The integration tests' own fixture: the product installed from a wheel (tests/support/installed_product.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.installed_product import build_wheel, install_wheel, scratch_python


@pytest.fixture(scope="session")
def installed_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The python of a scratch environment where the product is installed from a wheel of this checkout."""
    python = scratch_python(tmp_path_factory.mktemp("venv"))
    install_wheel(python, build_wheel(tmp_path_factory.mktemp("wheel")))
    return python
