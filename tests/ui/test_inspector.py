"""The app inspector (vpnui/inspector.py) on the real app: it reads what the app shows and drives it as a click does.

The client is the blocking ``InspectorClient`` the fault runner uses, run
on a worker thread while pytest-qt spins the app's loop, since the
inspector answers from that loop.
"""

from __future__ import annotations

import stat
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import pytest
from pytestqt.qtbot import QtBot

from mimic_core.inspector_protocol import (
    MAX_CONSECUTIVE_ERRORS,
    ChooseLocation,
    InspectorClient,
    InspectorError,
    InspectorUnavailable,
    Reply,
    Toggle,
)
from mimic_core.protocol import MAX_LINE_BYTES
from mimic_core.sync_client import DaemonConnection
from vpnui.app import MimicApp
from vpnui.connection.states import VPNClientState
from vpnui.inspector import Inspector, start_inspector
from vpnui.main_window import set_color_scheme

T = TypeVar("T")


@pytest.fixture
def inspector(mimic: MimicApp, mimic_home: Path) -> Iterator[Inspector]:
    found = start_inspector(mimic.manager, mimic_home / "run" / "inspector.sock", lambda: mimic.telemetry_session_id)
    assert found is not None
    yield found
    found.close()


@pytest.fixture
def worker() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(max_workers=1) as pool:
        yield pool


def off_thread(qtbot: QtBot, worker: ThreadPoolExecutor, call: Callable[[], T]) -> T:
    future: Future[T] = worker.submit(call)
    qtbot.waitUntil(future.done, timeout=15_000)
    return future.result()


def client(inspector: Inspector) -> InspectorClient:
    assert inspector.path is not None
    return InspectorClient(inspector.path, timeout=10.0)


def daemon_state() -> str:
    with DaemonConnection() as daemon:
        daemon.hello()
        return daemon.status().state


def test_the_state_is_what_the_app_shows(
    qtbot: QtBot, mimic: MimicApp, inspector: Inspector, worker: ThreadPoolExecutor
) -> None:
    assert inspector.path is not None
    assert stat.S_IMODE(inspector.path.stat().st_mode) & 0o077 == 0
    with client(inspector) as connection:
        state = off_thread(qtbot, worker, connection.state)
    assert state.client_state == "Off"
    assert state.link_state == "ready"
    assert state.title == mimic.manager.title
    assert (state.country_code, state.city_code) == mimic.manager.selected_location
    assert state.locations_loaded and state.connected_since is None
    # The offscreen platform knows no desktop colour scheme: the window is light until told.
    assert (state.palette, state.system_color_scheme) == ("light", "Unknown")
    set_color_scheme(mimic.engine, "dark")
    with client(inspector) as connection:
        assert off_thread(qtbot, worker, connection.state).palette == "dark"


def test_toggle_turns_the_real_vpn_on_and_off(
    qtbot: QtBot, mimic: MimicApp, inspector: Inspector, worker: ThreadPoolExecutor
) -> None:
    with client(inspector) as connection:
        after = off_thread(qtbot, worker, lambda: connection.request(Toggle()))
        assert after.client_state == "Connecting"
        qtbot.waitUntil(lambda: mimic.manager.state == VPNClientState.On, timeout=10_000)
        assert daemon_state() == "on"
        on = off_thread(qtbot, worker, connection.state)
        assert on.client_state == "On" and on.server_name.startswith("de-ber")
        assert on.connected_since == mimic.manager.connectedSince
        qtbot.waitUntil(
            lambda: mimic.telemetry_session_id is not None and "0000-0000" not in mimic.telemetry_session_id
        )

        off_thread(qtbot, worker, lambda: connection.request(Toggle()))
        qtbot.waitUntil(lambda: mimic.manager.state == VPNClientState.Off, timeout=10_000)
    assert daemon_state() == "off"


def test_choose_location_switches_and_an_unknown_one_is_refused(
    qtbot: QtBot, mimic: MimicApp, inspector: Inspector, worker: ThreadPoolExecutor
) -> None:
    with client(inspector) as connection:
        chosen = off_thread(qtbot, worker, lambda: connection.request(ChooseLocation(country="fr", city="par")))
        assert (chosen.country_code, chosen.city_code) == ("fr", "par")

        def unknown() -> str:
            try:
                connection.request(ChooseLocation(country="xx", city="nowhere"))
            except InspectorError as exc:
                return exc.code
            return "accepted"

        assert off_thread(qtbot, worker, unknown) == "unknown_location"
        assert mimic.manager.selected_location == ("fr", "par")


def test_bad_lines_get_error_replies_and_the_connection_stays(
    qtbot: QtBot, mimic: MimicApp, inspector: Inspector, worker: ThreadPoolExecutor
) -> None:
    with client(inspector) as connection:

        def exchange() -> list[Reply]:
            connection.send_raw(b'{"cmd": "reboot", "id": 1}\n{oops\n' + b"x" * (MAX_LINE_BYTES + 10) + b"\n")
            replies = [connection.read_reply() for _ in range(3)]
            connection.send_raw(b'{"cmd": "state", "id": 2}\n')
            replies.append(connection.read_reply())
            return replies

        replies = off_thread(qtbot, worker, exchange)
    assert [(reply.ok, reply.error, reply.id) for reply in replies] == [
        (False, "unknown_command", 1),
        (False, "invalid_json", None),
        (False, "line_too_long", None),
        (True, None, 2),
    ]
    assert mimic.manager.state == VPNClientState.Off


def test_a_client_that_keeps_sending_garbage_is_closed_and_the_app_serves_others(
    qtbot: QtBot, mimic: MimicApp, inspector: Inspector, worker: ThreadPoolExecutor
) -> None:
    with client(inspector) as noisy:

        def flood() -> str:
            noisy.send_raw(b"garbage\n" * (MAX_CONSECUTIVE_ERRORS + 5))
            try:
                for _ in range(MAX_CONSECUTIVE_ERRORS + 5):
                    noisy.read_reply()
            except InspectorUnavailable:
                return "closed"
            return "open"

        assert off_thread(qtbot, worker, flood) == "closed"
    with client(inspector) as other:
        assert off_thread(qtbot, worker, other.state).link_state == "ready"
