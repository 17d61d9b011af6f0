"""The ``pytest11`` entry point ``mimic_vpn``: loads the plugin only when a run asks for it.

pytest imports every installed ``pytest11`` entry point into every run
(unless ``PYTEST_DISABLE_PLUGIN_AUTOLOAD`` is set), so installing Mimic VPN
would otherwise add its fixtures and Qt to the tests of every project in the
same environment.  This module adds no option, fixture or ini key.  A run
asks with ``-p mimic_vpn``, pytest's own switch for loading a plugin by its
entry-point name (also in ``addopts`` or ``PYTEST_ADDOPTS``), and only then
is ``mimic_vpn_testing.plugin`` registered, early enough for its options and
before any conftest is loaded.  ``-p mimic_vpn_testing.plugin`` loads the
plugin module directly and works without the entry point (a checkout on
``PYTHONPATH``).
"""

from __future__ import annotations

import importlib
from typing import Final

import pytest

ENTRY_POINT: Final = "mimic_vpn"
"""The entry point's name: what ``-p`` names to ask for the plugin."""
PLUGIN_MODULE: Final = "mimic_vpn_testing.plugin"


def asked_for(plugins: list[str]) -> bool:
    """Whether the ``-p`` values of a run ask for the plugin (the last of ``mimic_vpn`` / ``no:mimic_vpn`` wins)."""
    asked = False
    for value in plugins:
        name = value.strip()
        if name == ENTRY_POINT:
            asked = True
        elif name == f"no:{ENTRY_POINT}":
            asked = False
    return asked


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> None:
    # Called once the command line and addopts are known and before the
    # final parse, so the plugin's options are still parsed.
    manager = early_config.pluginmanager
    if not asked_for(list(early_config.known_args_namespace.plugins or [])) or manager.has_plugin(PLUGIN_MODULE):
        return
    manager.register(importlib.import_module(PLUGIN_MODULE), PLUGIN_MODULE)
