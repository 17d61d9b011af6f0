"""A server list that could not be loaded at start-up arrives by itself once the network is back.

The app starts against a real lab whose internet is down, so its first
fetch of the server list fails.  Then the internet comes back, and the user
does nothing: the list must come either from the network change (a lab
condition change reaches the app as one, as an OS network change does) or,
where no such notice arrives, from the loader's own capped retries.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator

import pytest
from msgspec.structs import replace
from pytestqt.qtbot import QtBot

from lab.lab_process import LabProcess
from mimic_vpn_testing.app import FAST, app_options
from mimic_vpn_testing.qt_driving import click, find_item, run, shown
from vpnui.app import MimicApp
from vpnui.connection.settings import ConnectionSettings
from vpnui.connection.states import VPNClientState
from vpnui.daemon_client import LinkState

LOADING = "Loading server list…"
# So long that only a network change can explain a reload within a test's bounded wait.
NO_TIMED_RETRY = replace(FAST, server_list_retry_first_s=3600.0, server_list_retry_max_s=3600.0)
QUICK_RETRY = replace(FAST, server_list_retry_first_s=0.2, server_list_retry_max_s=1.0)

StartOffline = Callable[..., MimicApp]


@pytest.fixture
def start_offline(qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop, lab: LabProcess) -> Iterator[StartOffline]:
    """Starts the app while the lab's internet is down; the app is linked to its daemon when returned."""
    apps: list[MimicApp] = []

    def start(settings: ConnectionSettings, *, follow_lab: bool = True) -> MimicApp:
        lab.control.patch({"internet": False})
        options = app_options(lab, settings)
        if not follow_lab:
            # No lab panel, so no lab condition change reaches the app as a network change.
            options.endpoints = replace(options.endpoints, lab_url=None)
        app = MimicApp(options)
        apps.append(app)
        qtbot.waitExposed(app.show())
        run(qtbot, app.start())
        qtbot.waitUntil(lambda: app.manager.link_state is LinkState.READY, timeout=20_000)
        assert location_row(app) == LOADING
        return app

    yield start
    for app in apps:
        run(qtbot, app.shutdown())


def location_row(app: MimicApp) -> str:
    assert app.window is not None
    return str(find_item(app.window, "locationButton").property("text"))


def test_after_no_internet_banner_the_list_loads_when_the_internet_returns(
    qtbot: QtBot, start_offline: StartOffline, lab: LabProcess
) -> None:
    app = start_offline(NO_TIMED_RETRY)
    window = app.window
    assert window is not None
    click(qtbot, window, "vpnToggle")
    qtbot.waitUntil(lambda: shown(window, "bannerNoInternet"), timeout=10_000)
    qtbot.waitUntil(lambda: app.manager.state == VPNClientState.Off, timeout=5_000)

    lab.control.patch({"internet": True})
    qtbot.waitUntil(lambda: not shown(window, "bannerNoInternet"), timeout=10_000)
    # The user does nothing more: the list arrives by itself.
    qtbot.waitUntil(lambda: location_row(app) == "Berlin, Germany", timeout=10_000)
    assert app.manager.location_model.rowCount() > 0


def test_without_any_click_the_list_loads_when_the_network_change_is_seen(
    qtbot: QtBot, start_offline: StartOffline, lab: LabProcess
) -> None:
    app = start_offline(NO_TIMED_RETRY)
    lab.control.patch({"internet": True})
    qtbot.waitUntil(lambda: location_row(app) == "Berlin, Germany", timeout=10_000)


def test_without_any_notice_of_the_change_the_list_loads_by_retrying(
    qtbot: QtBot, start_offline: StartOffline, lab: LabProcess
) -> None:
    app = start_offline(QUICK_RETRY, follow_lab=False)
    assert not app.lab_conditions.available
    lab.control.patch({"internet": True})
    qtbot.waitUntil(lambda: location_row(app) == "Berlin, Germany", timeout=10_000)
