"""What a screen reader on Linux hears from the real app: AT-SPI events on the accessibility bus.

The app says each change of state with ``Accessible.announce``
(``qml/components/MVAnnouncer.qml``); reading the announcer's ``message``
shows only that QML asked.  Here the listener stands where Orca stands: the
app is ``python -m vpnui`` on Qt's xcb platform in an X display of its own
(``tests.support.desktop_session``), its session bus also runs the
desktop's accessibility bus (``lab.accessibility_bus``: Debian's
``at-spi-bus-launcher``, its ``org.a11y.Status`` saying a screen reader
runs), and ``tests.support.atspi_listener`` registers with the AT-SPI
registry for announcements and focus changes, as libatspi does for Orca.
Qt 6.11.3's bridge (qtbase ``src/gui/accessible/linux/atspiadaptor.cpp``,
``sendAnnouncement``) sends ``Accessible.announce`` as
``org.a11y.atspi.Event.Object`` ``Announcement``: the text, and the
politeness as ``AtspiLive`` (1 polite, 2 assertive).

The user's actions are real: keys typed into the X server with ``xdotool``
(XTEST), a fault switched on in the lab through its control API.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pytestqt.exceptions import TimeoutError as WaitTimeout
from pytestqt.qtbot import QtBot

from lab.accessibility_bus import AccessibilityBus, AtSpiMissing
from lab.desktop_bus import ColorScheme, SessionBus, ensure_command
from lab.desktop_display import XvfbDisplay
from lab.lab_process import LabProcess
from mimic_core.inspector_protocol import AppState
from mimic_vpn_testing.qt_driving import run
from tests.support.atspi_listener import AtSpiListener, Politeness
from tests.support.desktop_session import App, GnomeDesktop

TIMEOUT_S = 15.0
# What Orca listens to (among much else): announcements, and where the focus goes.
EVENTS = ["object:announcement", "object:state-changed:focused", "focus:"]


@pytest.fixture
def accessibility_bus(session_bus: SessionBus, runtime_dir: Path, tmp_path: Path) -> Iterator[AccessibilityBus]:
    with (tmp_path / "at-spi.stderr").open("wb") as stderr:
        try:
            bus = AccessibilityBus(session_bus.address, runtime_dir, stderr=stderr)
        except AtSpiMissing as exc:
            pytest.skip(str(exc))
        try:
            yield bus
        finally:
            bus.stop()


@pytest.fixture
def screen_reader(
    qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop, accessibility_bus: AccessibilityBus
) -> Iterator[AtSpiListener]:
    """What a screen reader does when it starts, before the app: says it runs, and listens."""
    address = run(qtbot, accessibility_bus.address())
    # Qt's bridge reads the status once, when the app starts (dbusconnection.cpp: "QtDbus
    # doesn't support notifications for property changes yet"): set before the app.
    run(qtbot, accessibility_bus.set_status("ScreenReaderEnabled", True))
    listener = run(qtbot, AtSpiListener.connect(address, EVENTS))
    yield listener
    run(qtbot, listener.close())


class Keyboard:
    """Keys typed on the X display, as the user's keyboard does (``xdotool``: XTEST), into the app's window."""

    def __init__(self, xdotool: str, display: XvfbDisplay, window_id: int) -> None:
        self.xdotool = xdotool
        self.env = {**os.environ, "DISPLAY": display.name}
        self.window_id = window_id

    def press(self, key: str) -> None:
        # No window manager on this display: the window gets the input focus from us, each time.
        subprocess.run(
            [self.xdotool, "windowfocus", "--sync", str(self.window_id), "key", key],
            env=self.env,
            check=True,
            capture_output=True,
            timeout=TIMEOUT_S,
        )


@pytest.fixture
def xdotool() -> str:
    path = ensure_command("xdotool", "xdotool")
    if path is None:
        pytest.skip("xdotool is missing: install Debian's 'xdotool' package (as root it is installed)")
    return path


def wait_for_state(app: App, done: Callable[[AppState], bool], what: str) -> AppState:
    return app.wait_for(done, lambda state: f"never {what}: {state}", TIMEOUT_S)


def wait_for_events(qtbot: QtBot, reader: AtSpiListener, done: Callable[[], bool], what: str) -> None:
    """Until ``done``: the Qt loop runs meanwhile, and the listener with it (bounded)."""
    try:
        qtbot.waitUntil(done, timeout=int(TIMEOUT_S * 1000))
    except WaitTimeout:
        raise AssertionError(
            f"the screen reader never heard {what} within {TIMEOUT_S:.0f} s; "
            f"announcements heard: {reader.announcements()}, focus events: {len(reader.focus_events())}"
        ) from None


def politeness(reader: AtSpiListener, text: str, since: int = 0) -> list[Politeness]:
    """How ``text`` was announced, each time it was (from the ``since``-th announcement on)."""
    return [said for announced, said in reader.announcements()[since:] if announced == text]


@dataclass
class Window:
    app: App
    keyboard: Keyboard


@pytest.fixture
def window(
    screen_reader: AtSpiListener,
    start_desktop: Callable[[ColorScheme], GnomeDesktop],
    start_app: Callable[..., App],
    xdotool: str,
) -> Window:
    """The app's window, ready (daemon link, locations), with the screen reader already listening."""
    desktop = start_desktop(ColorScheme.DEFAULT)
    app = start_app(desktop)
    wait_for_state(app, lambda state: state.link_state == "ready" and state.locations_loaded, "ready")
    return Window(app, Keyboard(xdotool, desktop.display, app.window_id))


def test_a_screen_reader_hears_the_focus_and_every_change_of_state(
    qtbot: QtBot, screen_reader: AtSpiListener, window: Window, lab: LabProcess
) -> None:
    app, keyboard = window.app, window.keyboard
    # The bridge learnt what is listened to from the registry, which the listener told.
    assert {event for _, event in run(qtbot, screen_reader.registered_events())} >= {
        "Object:Announcement:",
        "Focus::",
    }

    # Tab: the reader is told where the focus went, and asks that object its name and role.
    keyboard.press("Tab")
    wait_for_events(qtbot, screen_reader, lambda: bool(screen_reader.focus_events()), "a focus event after Tab")
    focus = screen_reader.focus_events()[-1]
    assert run(qtbot, screen_reader.name(focus)) == "VPN"
    assert run(qtbot, screen_reader.role_name(focus)) == "check box"
    assert run(qtbot, screen_reader.description(focus)) == "Off: press to turn the VPN on"
    # And the object's focused state, which readers also follow.
    assert any(
        (event.path, event.member, event.kind, event.detail1) == (focus.path, "StateChanged", "focused", 1)
        for event in screen_reader.events
    )

    # Space on the switch: the VPN goes on, and the reader says so once, politely.
    keyboard.press("space")
    on = wait_for_state(app, lambda state: state.client_state == "On" and state.title == "VPN is on", "on")
    said_on = f"{on.title}. {on.subtitle}"
    wait_for_events(qtbot, screen_reader, lambda: bool(politeness(screen_reader, said_on)), repr(said_on))
    assert politeness(screen_reader, said_on) == [Politeness.POLITE], screen_reader.announcements()

    # A captive portal appears while on: a failure, said assertively (it interrupts the reader).
    heard = len(screen_reader.announcements())
    lab.control.patch({"captive_portal": True})
    failed = wait_for_state(app, lambda state: state.failure == "captivePortal", "behind a captive portal")
    said_failure = f"{failed.title}. {failed.subtitle}"
    wait_for_events(
        qtbot, screen_reader, lambda: bool(politeness(screen_reader, said_failure, heard)), repr(said_failure)
    )
    assert politeness(screen_reader, said_failure, heard) == [Politeness.ASSERTIVE], screen_reader.announcements()
    # It came from the announcer, a status bar whose name is what it said last, for readers that poll.
    announcer = screen_reader.announcement_events()[-1]
    assert run(qtbot, screen_reader.role_name(announcer)) == "status bar"
    assert run(qtbot, screen_reader.name(announcer)) == said_failure
    # The modal took the focus, and the reader is told where: its first action.
    wait_for_events(qtbot, screen_reader, lambda: screen_reader.focus_events()[-1] != focus, "the modal's focus")
    moved = screen_reader.focus_events()[-1]
    assert run(qtbot, screen_reader.name(moved)) == "Turn off VPN and open the sign-in page"
    assert run(qtbot, screen_reader.role_name(moved)) == "push button"
    # Said once in all: going on was not said again.
    assert politeness(screen_reader, said_on) == [Politeness.POLITE]
