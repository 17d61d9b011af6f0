"""The real app, in this test process, against a real lab and daemon: the plugin's fixtures, by the suite's names."""

from __future__ import annotations

import asyncio

import pytest

from vpnui.app import MimicApp


@pytest.fixture
def qt_loop(mimic_qt_loop: asyncio.AbstractEventLoop) -> asyncio.AbstractEventLoop:
    """The plugin's ``mimic_qt_loop``: the run's qasync loop, running during the test."""
    return mimic_qt_loop


@pytest.fixture
def mimic(mimic_app: MimicApp) -> MimicApp:
    """The plugin's ``mimic_app``: the app, started, its window shown, linked to its daemon."""
    return mimic_app
