"""The real app in the test process, against a lab and the app's own daemon.

Built exactly as ``vpnui`` builds itself (``MimicApp``), on the test run's
qasync loop, with every check's logic unchanged and only its clocks faster
(``FAST``), so a scenario takes seconds.
"""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from lab.lab_process import LabProcess
from mimic_core.sync_client import DaemonConnection
from mimic_vpn_testing.qt_driving import click, run
from vpnui.app import AppOptions, MimicApp
from vpnui.config import lab_endpoints
from vpnui.connection.settings import ConnectionSettings
from vpnui.connection.states import VPNClientState
from vpnui.daemon_client import LinkState

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
"""Short timeouts and intervals, the same logic as the defaults."""
KEEPALIVE_S = "0.2"
"""The daemon's keepalive interval in tests (1 s by default): failover and Unstable show five times sooner."""
READY_TIMEOUT_MS = 20_000
"""The app's daemon link ready and the server list loaded, on a loaded machine."""


def app_options(lab: LabProcess, settings: ConnectionSettings = FAST, timer_ping_s: float | None = None) -> AppOptions:
    """The options of an app using ``lab``, with the short test timings."""
    daemon_args = ["--keepalive-interval", KEEPALIVE_S, "--handshake-timeout", "0.3"]
    options = AppOptions(endpoints=lab_endpoints(lab.url), daemon_args=daemon_args, connection=settings)
    if timer_ping_s is not None:
        daemon_args += ["--telemetry-timer-interval", str(timer_ping_s)]
        options.telemetry_timer_s = timer_ping_s
    return options


def make_app(lab: LabProcess, settings: ConnectionSettings = FAST, timer_ping_s: float | None = None) -> MimicApp:
    """An app for ``lab``, not started."""
    return MimicApp(app_options(lab, settings, timer_ping_s))


def start_app(qtbot: QtBot, app: MimicApp) -> MimicApp:
    """Show the window, start the app; returns once its daemon link is ready and the locations are loaded."""
    window = app.show()
    qtbot.waitExposed(window)
    run(qtbot, app.start())
    manager = app.manager

    def ready() -> bool:
        return manager.link_state is LinkState.READY and manager.location_model.rowCount() > 0

    try:
        qtbot.waitUntil(ready, timeout=READY_TIMEOUT_MS)
    except qtbot.TimeoutError:
        raise AssertionError(
            f"the app was not ready within {READY_TIMEOUT_MS / 1000:.0f} s: daemon link"
            f" {manager.link_state.value!r}, {manager.location_model.rowCount()} locations loaded,"
            f" title {manager.property('title')!r}"
        ) from None
    return app


def switch_on(qtbot: QtBot, app: MimicApp) -> str:
    """Click the real toggle, wait for On; the daemon's live session id."""
    assert app.window is not None
    click(qtbot, app.window, "vpnToggle")
    qtbot.waitUntil(lambda: app.manager.property("state") == VPNClientState.On, timeout=10_000)
    with DaemonConnection() as daemon:
        daemon.hello()
        return daemon.session_id().session_id
