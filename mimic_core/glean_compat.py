"""Lets the daemon and the app ``import glean`` without loading glean_parser.

glean-sdk 71's ``glean/__init__.py`` imports glean_parser unconditionally,
only to compare its version with the one the SDK expects, and imports
``glean._loader`` (glean_parser's parser, lint and metrics, hence
jsonschema, jinja2, PyYAML and rpds) for ``load_metrics``/``load_pings``.
The daemon never parses YAML: its metrics and pings are built from the
generated ``resources/glean_definitions.json`` (``glean_objects``).  Those
imports alone are about 17 MB of the daemon's resident memory, so the
daemon's entry point installs two stand-ins before anything imports glean:

* ``glean_parser``: a module with only ``__version__``, the installed
  glean_parser's (from its package metadata), so glean's version check
  still compares the real thing;
* ``glean._loader``: ``load_metrics``/``load_pings`` that raise, saying
  where the definitions come from instead.

The only other user of ``glean._loader`` in glean-sdk 71 is
``glean._builtins``, imported by the ``Configuration.channel`` setter; the
daemon passes its channel to ``Configuration`` and never assigns it later.

Only for the two processes' entry points (``daemon.main.main`` and
``vpnui.main.main``): the tests import glean_parser for real (they compare
against it) and run the app in-process, so the stand-ins are installed only
there and only while neither glean nor glean_parser is loaded.
"""

from __future__ import annotations

import importlib.metadata
import sys
import types
from typing import Any, Final, NoReturn

STAND_IN_NOTE: Final = "stand-in installed by mimic_core.glean_compat: the daemon loads generated definitions"


class DefinitionsNotParsedError(RuntimeError):
    """Something asked glean to parse metrics.yaml/pings.yaml in the daemon process."""


def _refuse_parsing(*_args: Any, **_kwargs: Any) -> NoReturn:
    raise DefinitionsNotParsedError(
        "the daemon does not parse Glean YAML at run time: its metrics and pings come from "
        "resources/glean_definitions.json (mimic_core.glean_objects; regenerate with `make glean-definitions`)"
    )


def install() -> bool:
    """Put the stand-ins in ``sys.modules``; whether they were installed.

    Does nothing once glean, glean_parser or glean's loader is imported:
    replacing a module something already holds would split it in two.
    """
    if any(name in sys.modules for name in ("glean", "glean._loader", "glean_parser")):
        return False
    parser = types.ModuleType("glean_parser", STAND_IN_NOTE)
    parser.__version__ = importlib.metadata.version("glean_parser")  # type: ignore[attr-defined]
    loader = types.ModuleType("glean._loader", STAND_IN_NOTE)
    loader.load_metrics = _refuse_parsing  # type: ignore[attr-defined]
    loader.load_pings = _refuse_parsing  # type: ignore[attr-defined]
    sys.modules["glean_parser"] = parser
    sys.modules["glean._loader"] = loader
    return True


def installed() -> bool:
    """Whether this process runs on the stand-ins (the daemon logs it)."""
    module = sys.modules.get("glean_parser")
    return module is not None and module.__doc__ == STAND_IN_NOTE
