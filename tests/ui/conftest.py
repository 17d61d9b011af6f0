"""The real app, in this test process, against a real lab and daemon."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
import qasync
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from lab.lab_process import LabProcess
from mimic_core.sync_client import DaemonConnection
from tests.support.qt_app import click, run
from vpnui.app import AppOptions, MimicApp
from vpnui.config import lab_endpoints
from vpnui.connection.settings import ConnectionSettings
from vpnui.connection.states import VPNClientState

# Short timings so each scenario takes seconds, with the same logic as the
# defaults: only the clocks are faster.
FAST = ConnectionSettings(
    internet_timeout_s=1.0,
    captive_portal_timeout_s=1.0,
    captive_portal_retry_interval_s=0.2,
    subscription_timeout_s=1.0,
    server_list_timeout_s=2.0,
    server_handshake_timeout_s=0.3,
    firewall_tcp_timeout_s=0.5,
    stability_settling_s=0.5,
    stability_samples_required=2,
    subscription_recheck_interval_s=2.0,
    server_recheck_interval_s=2.0,
)
KEEPALIVE_S = "0.2"


@pytest.fixture(scope="session")
def _session_loop(qapp: QApplication) -> Iterator[asyncio.AbstractEventLoop]:
    """One qasync loop for the whole run, closed at the end (with its self-pipe)."""
    loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.events._set_running_loop(None)
    yield loop
    # The loop was never "run" by us, so qasync still thinks it is running.
    loop._QEventLoop__is_running = False  # type: ignore[attr-defined]
    loop.close()


@pytest.fixture
def qt_loop(_session_loop: asyncio.AbstractEventLoop) -> Iterator[asyncio.AbstractEventLoop]:
    """The shared loop, registered as running only while this test runs
    (tests outside the UI use ``asyncio.run``, which needs no running loop)."""
    asyncio.set_event_loop(_session_loop)
    asyncio.events._set_running_loop(_session_loop)
    yield _session_loop
    asyncio.events._set_running_loop(None)
    asyncio.set_event_loop(None)


def app_options(lab: LabProcess, settings: ConnectionSettings = FAST, timer_ping_s: float | None = None) -> AppOptions:
    """The options of an app using ``lab``, with the short test timings."""
    daemon_args = ["--keepalive-interval", KEEPALIVE_S, "--handshake-timeout", "0.3"]
    options = AppOptions(endpoints=lab_endpoints(lab.url), daemon_args=daemon_args, connection=settings)
    if timer_ping_s is not None:
        daemon_args += ["--telemetry-timer-interval", str(timer_ping_s)]
        options.telemetry_timer_s = timer_ping_s
    return options


def make_app(lab: LabProcess, settings: ConnectionSettings = FAST, timer_ping_s: float | None = None) -> MimicApp:
    return MimicApp(app_options(lab, settings, timer_ping_s))


def start_app(qtbot: QtBot, app: MimicApp) -> MimicApp:
    window = app.show()
    qtbot.waitExposed(window)
    run(qtbot, app.start())
    qtbot.waitUntil(lambda: app.manager.linkState == "ready" and bool(app.manager.locations), timeout=20_000)
    return app


@pytest.fixture
def mimic(qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop, lab: LabProcess) -> Iterator[MimicApp]:
    """The app, started, its window shown, linked to its daemon."""
    app = start_app(qtbot, make_app(lab))
    yield app
    run(qtbot, app.shutdown())


def switch_on(qtbot: QtBot, app: MimicApp) -> str:
    """Click the real toggle, wait for On; the daemon's live session id."""
    assert app.window is not None
    click(qtbot, app.window, "vpnToggle")
    qtbot.waitUntil(lambda: app.manager.state == VPNClientState.On, timeout=10_000)
    with DaemonConnection() as daemon:
        daemon.hello()
        return daemon.session_id().session_id
