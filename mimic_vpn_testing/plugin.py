"""The fixtures of the Mimic VPN pytest plugin (``-p mimic_vpn``; see ``docs/testing.md``).

Every test gets an installation of its own: a fresh ``MIMIC_HOME``, so
sockets, state files, Glean data and the lab's ping store never meet another
test's, and every process of that home (the lab, the daemon the app starts
detached) is ended afterwards.  The processes are managed by
``lab.installation.Installation``, the fault runner's process management.

Fixtures:

- ``mimic_home``: the test's home directory (``MIMIC_HOME`` is set to it).
- ``mimic_installation``: the ``Installation`` of that home.
- ``mimic_lab``: a running lab (``LabProcess``): ``.control`` sets conditions
  and reads pings, ``.report()`` runs the session report.
- ``mimic_daemon``: the daemon of the home, through its blocking client
  (``mimic_vpn_testing.daemon.Daemon``).
- ``mimic_connection_settings``: the app's check timings (short ones);
  override it to change them.
- ``mimic_qt_loop``: the run's one qasync loop, running during the test.
- ``mimic_app``: the real app in this process, window shown, daemon link
  ready, locations loaded; shut down afterwards.
- ``mimic_ui``: its window, driven by objectName (``mimic_vpn_testing.screen.Screen``).

And a check of the whole run (``mimic_vpn_testing.leftover_processes``): a
process the run started that still runs when it ends is named, ended, and
fails the run.  And a test during which native code (Glean's Rust core)
panicked fails (``mimic_vpn_testing.native_panics``).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

# Before Qt, as in the app: the import PySide6 replaces is recorded here and
# put back right after QtCore (docs/decisions/0006-python-import-after-qt.md).
from mimic_core import early_start

# Without a display the app runs offscreen; a run that sets a platform keeps it.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
import PySide6.QtCore

early_start.restore_python_import()

import pytest  # noqa: E402
import qasync  # noqa: E402

from lab.installation import Installation  # noqa: E402
from lab.lab_process import LabProcess  # noqa: E402
from lab.leftovers import end_processes  # noqa: E402
from mimic_core.paths import HOME_ENV  # noqa: E402
from mimic_vpn_testing.daemon import Daemon  # noqa: E402

# The run fails when a process it started outlives it (the hooks of that check).
from mimic_vpn_testing.leftover_processes import (  # noqa: E402, F401  (hooks: pytest finds them here)
    pytest_configure,
    pytest_runtest_protocol,
    pytest_sessionfinish,
    pytest_testnodedown,
    pytest_unconfigure,
)

# A test fails when native code (Glean's Rust core) panicked during it.
from mimic_vpn_testing.native_panics import pytest_runtest_makereport  # noqa: E402, F401  (a hook)

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from mimic_vpn_testing.screen import Screen
    from vpnui.app import MimicApp
    from vpnui.connection.settings import ConnectionSettings

assert PySide6.QtCore  # imported for its side effect above


@pytest.fixture
def mimic_home(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh ``MIMIC_HOME`` for this test; every process left in it is ended afterwards.

    Under /tmp with a short name: the daemon's Unix socket path must stay
    under 108 bytes, which pytest's own ``tmp_path`` can exceed.
    """
    home = Path(tempfile.mkdtemp(prefix="mv-", dir="/tmp"))
    monkeypatch.setenv(HOME_ENV, str(home))
    yield home
    end_processes(home)
    shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def mimic_installation(mimic_home: Path) -> Iterator[Installation]:
    """The installation of this test's home: starts, stops and kills its lab, daemon and app processes."""
    installation = Installation(mimic_home)
    try:
        yield installation
    finally:
        installation.close()


@pytest.fixture
def mimic_lab(mimic_installation: Installation) -> LabProcess:
    """A running lab in this test's home (the app and ``vpnui-ctl`` find it there), stopped afterwards.

    ``mimic_lab.control.patch({"captive_portal": True})`` sets a condition,
    ``mimic_lab.control.pings()`` reads the stored pings,
    ``mimic_lab.report()`` runs the session report.
    """
    mimic_installation.start_lab()
    assert mimic_installation.lab_process is not None
    return mimic_installation.lab_process


@pytest.fixture
def mimic_daemon(mimic_installation: Installation) -> Iterator[Daemon]:
    """The daemon of this test's home, whoever starts it (the app does; ``.start()`` without one)."""
    daemon = Daemon(mimic_installation)
    try:
        yield daemon
    finally:
        daemon.close()


@pytest.fixture
def mimic_connection_settings() -> ConnectionSettings:
    """The timings of the app's checks: the product's logic with faster clocks. Override to change them."""
    from mimic_vpn_testing.app import FAST  # noqa: PLC0415  (the app's modules load with the first app test)

    return FAST


@pytest.fixture(scope="session")
def _mimic_session_loop(qapp: object) -> Iterator[asyncio.AbstractEventLoop]:
    """One qasync loop on pytest-qt's application for the whole run, closed at the end (with its self-pipe)."""
    loop = qasync.QEventLoop(qapp, already_running=True)
    # qasync registers the loop as running at once; only a test does.
    asyncio.events._set_running_loop(None)
    yield loop
    # The loop was never run by qasync itself, so it still thinks it is running (qasync 0.27).
    loop._QEventLoop__is_running = False
    loop.close()


@pytest.fixture
def mimic_qt_loop(_mimic_session_loop: asyncio.AbstractEventLoop) -> Iterator[asyncio.AbstractEventLoop]:
    """The shared loop, registered as running only while this test runs.

    pytest-qt's waits spin Qt's event loop, and asyncio callbacks run inside
    it, as under ``app.exec()`` in the real program; tests that use
    ``asyncio.run`` need no running loop outside.
    """
    asyncio.set_event_loop(_mimic_session_loop)
    asyncio.events._set_running_loop(_mimic_session_loop)
    yield _mimic_session_loop
    asyncio.events._set_running_loop(None)
    asyncio.set_event_loop(None)


@pytest.fixture
def mimic_app(
    qtbot: QtBot,
    mimic_qt_loop: asyncio.AbstractEventLoop,
    mimic_lab: LabProcess,
    mimic_connection_settings: ConnectionSettings,
) -> Iterator[MimicApp]:
    """The real app against ``mimic_lab``: window shown, its daemon started and linked, locations loaded."""
    from mimic_vpn_testing.app import make_app, start_app  # noqa: PLC0415
    from mimic_vpn_testing.qt_driving import run  # noqa: PLC0415

    app = start_app(qtbot, make_app(mimic_lab, mimic_connection_settings))
    yield app
    run(qtbot, app.shutdown())


@pytest.fixture
def mimic_ui(qtbot: QtBot, mimic_app: MimicApp) -> Screen:
    """The app's window, driven by objectName: ``click``, ``type``, ``text``, ``wait_for_modal``, ``wait_for_state``."""
    from mimic_vpn_testing.screen import Screen  # noqa: PLC0415

    return Screen(qtbot, mimic_app)
