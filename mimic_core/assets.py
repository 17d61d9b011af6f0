"""Where the product's QML and data files are, in a checkout and in an installed wheel.

The files live in the repository's top-level ``qml/``, ``resources/`` and
``translations/`` folders.  A wheel carries them as package data of
``mimic_core`` (``pyproject.toml`` maps the packages ``mimic_core.qml``,
``mimic_core.resources`` and ``mimic_core.translations`` onto those
folders), so an installed product finds them next to this module; a
checkout on ``sys.path`` or an editable install has no such copy and finds
them at the repository root.  This module is the only one that knows either
place.

It imports nothing but ``pathlib``: the app's first frame is loaded through
it, before the rest of the app is imported (``tests/unit/test_startup_imports.py``).
``importlib.resources`` would cost 7 ms there and give the same folder, since
pip installs a wheel unpacked, and Qt needs a real file path in any case.
"""

from __future__ import annotations

from pathlib import Path

ASSET_DIRS = ("qml", "resources")
INSTALLED_ROOT = Path(__file__).resolve().parent
"""An installed wheel: ``mimic_core/qml`` and ``mimic_core/resources``."""
CHECKOUT_ROOT = INSTALLED_ROOT.parent
"""A checkout or an editable install: the repository root."""


class AssetsMissingError(RuntimeError):
    """Neither an installed copy nor a checkout of the product's QML and resources is there."""


def _root() -> Path:
    """The folder that holds ``qml/`` and ``resources/``; the installed copy first."""
    for candidate in (INSTALLED_ROOT, CHECKOUT_ROOT):
        if all((candidate / name).is_dir() for name in ASSET_DIRS):
            return candidate
    raise AssetsMissingError(
        f"the product's qml and resources folders are neither in {INSTALLED_ROOT} (an installed wheel) "
        f"nor in {CHECKOUT_ROOT} (a checkout): reinstall mimic-vpn"
    )


def qml_dir() -> Path:
    """The folder of ``Main.qml`` and the QML modules it imports."""
    return _root() / "qml"


def resources_dir() -> Path:
    """The folder of the data files: Glean definitions and sources, the server list, the ping schema, icons."""
    return _root() / "resources"


def translations_dir() -> Path:
    """The folder of the compiled translations (``mimic_vpn_de.qm``...).

    Not required to exist: the ``.qm`` files are built (``make
    translations``), and without them the app speaks its source language.
    """
    return _root() / "translations"


def resource(name: str) -> Path:
    """The data file ``name``, a path relative to ``resources/`` (e.g. ``icons/mimic-vpn.svg``)."""
    return resources_dir() / name
