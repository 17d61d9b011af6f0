"""The window follows the desktop's colour scheme: a real ``vpnui`` in a real X window, on a GNOME-like desktop.

The offscreen platform the other UI tests use asks the desktop nothing
(its colour scheme is always Unknown), so here the app is ``python -m
vpnui`` itself (through ``tests.support.window_events``) on Qt's xcb
platform, on an X display of its own (Xvfb, ``lab.desktop_display``) and a
private session bus on which ``python -m lab.desktop_bus`` serves the
settings portal (``org.freedesktop.portal.Settings``): the desktop's
``org.freedesktop.appearance`` ``color-scheme``, changed while the app runs
by a command on the service's stdin, as the user flips GNOME's dark style.

What the window shows is read twice: through the app's inspector (the
theme's palette and the colour scheme Qt reports) and as pixels, from the
X server, by another process (``tests.support.window_pixels``).
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from dbus_fast import Message, MessageType, Variant
from dbus_fast.aio import MessageBus

from lab.desktop_bus import (
    APPEARANCE,
    COLOR_SCHEME_KEY,
    PORTAL,
    PORTAL_NOT_FOUND,
    PORTAL_PATH,
    PORTAL_SETTINGS,
    ColorScheme,
    SessionBus,
    SettingsPortal,
    get_property,
    serve,
)
from lab.desktop_display import XvfbDisplay, XvfbMissing
from lab.lab_process import LabProcess
from mimic_core.inspector_protocol import AppState, InspectorClient, InspectorUnavailable
from tests.support import window_pixels
from tests.support.json_lines import JsonLines
from tests.support.theme_contrast import theme_colours
from vpnui.inspector import default_socket_path
from vpnui.system_check import missing_libraries, qt_dir

SWITCH_TIMEOUT_S = 10.0
LOG_LINE = re.compile(r"\d{4}-\d\d-\d\d [\d:,]+ \S+ (DEBUG|INFO) ")
# Outside the status card's margin (Theme.spacing): the window's own colour, Theme.bgPage.
PAGE_POINT = (4, 4)


@pytest.fixture
def x_display(tmp_path: Path) -> Iterator[XvfbDisplay]:
    with (tmp_path / "xvfb.stderr").open("wb") as stderr:
        try:
            display = XvfbDisplay(stderr=stderr)
        except XvfbMissing as exc:
            pytest.skip(str(exc))
        try:
            # The app's own check that Qt's xcb platform can load (it installs what is missing as root).
            check = subprocess.run(
                [sys.executable, "-m", "vpnui.system_check"],
                env={**os.environ, "DISPLAY": display.name},
                capture_output=True,
                text=True,
                check=False,
            )
            if check.returncode != 0:
                pytest.skip(f"no xcb window on this machine: {check.stderr}")
            yield display
        finally:
            display.stop()


@pytest.fixture
def runtime_dir(tmp_path: Path) -> Path:
    # The session's XDG_RUNTIME_DIR (/run/user/UID under a login): private, as Qt requires.
    path = tmp_path / "xdg-runtime"
    path.mkdir(mode=0o700)
    return path


def gnome_session(display: XvfbDisplay, runtime_dir: Path, **extra: str) -> dict[str, str]:
    """The environment an app launched in a GNOME session on X11 has: this display, this bus (already set).

    XDG_CURRENT_DESKTOP=GNOME is what makes Qt look for the GNOME platform
    themes at all (``QGenericUnixTheme::themeNames``: gtk3, then gnome); no
    QT_QPA_PLATFORMTHEME, which GNOME does not set, so the app's own choice
    (``vpnui.desktop.platform_theme``) is the one made.  The xcb platform,
    because the offscreen one ignores platform themes.
    """
    env = {name: value for name, value in os.environ.items() if name != "QT_QPA_PLATFORMTHEME"}
    env.update(
        DISPLAY=display.name,
        QT_QPA_PLATFORM="xcb",
        XDG_CURRENT_DESKTOP="GNOME",
        XDG_SESSION_TYPE="x11",
        XDG_SESSION_DESKTOP="gnome",
        XDG_RUNTIME_DIR=str(runtime_dir),
    )
    env.update(extra)
    return env


class Desktop:
    """The desktop's services (``python -m lab.desktop_bus``) with its settings portal, and its display."""

    def __init__(self, services: JsonLines, display: XvfbDisplay, runtime_dir: Path) -> None:
        self.services = services
        self.display = display
        self.runtime_dir = runtime_dir

    def set_color_scheme(self, scheme: ColorScheme) -> None:
        """What flipping GNOME's dark style does: the portal's setting changes and it says so."""
        self.services.send(f"{COLOR_SCHEME_KEY} {scheme.setting}")
        changed = self.services.read_until("setting_changed")
        assert (changed["key"], changed["value"]) == (COLOR_SCHEME_KEY, scheme)

    def wait_for_a_read_of_the_color_scheme(self) -> dict[str, Any]:
        """The first portal read that asked for the appearance settings (waiting for it, bounded)."""
        seen = 0
        while True:
            reads = [line for line in self.services.lines if line["event"] == "setting_read"]
            for line in reads[seen:]:
                if any(arg in (APPEARANCE, "org.freedesktop.*", "") for arg in line["args"]) or not line["args"]:
                    return line
            seen = len(reads)
            self.services.read_until("setting_read", timeout_s=SWITCH_TIMEOUT_S)


@pytest.fixture
def start_desktop(
    session_bus: SessionBus, x_display: XvfbDisplay, runtime_dir: Path, tmp_path: Path
) -> Iterator[Callable[[ColorScheme], Desktop]]:
    started: list[JsonLines] = []

    def start(scheme: ColorScheme) -> Desktop:
        services = JsonLines(
            ["-m", "lab.desktop_bus", "--color-scheme", scheme.setting], tmp_path / "desktop-bus.stderr", commands=True
        )
        started.append(services)
        services.read_until("serving")
        return Desktop(services, x_display, runtime_dir)

    yield start
    for services in started:
        services.stop()
        assert services.stderr() == ""


class App:
    """``python -m vpnui`` (watched) with its inspector, in a desktop session."""

    def __init__(self, process: JsonLines, desktop: Desktop) -> None:
        self.process = process
        self.desktop = desktop
        started = process.read_until("desktop_started")
        assert started["visible"] and started["window_id"], started
        self.window_id: int = started["window_id"]
        self.inspector = self._connect()

    def _connect(self) -> InspectorClient:
        deadline = time.monotonic() + SWITCH_TIMEOUT_S
        while True:
            try:
                return InspectorClient(default_socket_path(), timeout=SWITCH_TIMEOUT_S)
            except InspectorUnavailable:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def state(self) -> AppState:
        return self.inspector.state()

    def wait_for_palette(self, palette: str) -> AppState:
        """The inspector's state once the window's palette is ``palette`` (bounded wait)."""
        deadline = time.monotonic() + SWITCH_TIMEOUT_S
        while (state := self.state()).palette != palette:
            assert time.monotonic() < deadline, (
                f"the window stayed {state.palette} (Qt says {state.system_color_scheme})"
            )
            time.sleep(0.05)
        return state

    def page_colour(self, expected: str) -> str:
        """The colour the X server shows at ``PAGE_POINT`` once it is ``expected`` (or the last one seen)."""
        deadline = time.monotonic() + SWITCH_TIMEOUT_S
        while True:
            shown = window_pixels.read(self.window_id, [PAGE_POINT], self.desktop.display.name)[PAGE_POINT]
            if shown == expected or time.monotonic() > deadline:
                return shown
            time.sleep(0.1)


@pytest.fixture
def start_app(lab: LabProcess, tmp_path: Path) -> Iterator[Callable[..., App]]:
    """Starts ``python -m vpnui --inspector ARGS`` (it finds the lab of this home) in ``desktop``'s session."""
    started: list[App] = []
    processes: list[JsonLines] = []

    def start(desktop: Desktop, *args: str, **env: str) -> App:
        process = JsonLines(
            ["-m", "tests.support.window_events", "--log-level", "DEBUG", "--inspector", *args],
            tmp_path / f"vpnui-{len(processes)}.stderr",
            env=gnome_session(desktop.display, desktop.runtime_dir, **env),
        )
        processes.append(process)
        app = App(process, desktop)
        started.append(app)
        return app

    yield start
    for app in started:
        app.inspector.close()
    for process in processes:
        assert process.stop() == 0, process.stderr()
        # Nothing but the app's own INFO and DEBUG lines: no warning, no Qt message, no traceback.
        assert [line for line in process.stderr().splitlines() if not LOG_LINE.match(line)] == []


@pytest.fixture
def page(qapp: object) -> dict[str, str]:
    """Theme.bgPage in each palette, as ``#rrggbb``, read from the theme."""
    return {scheme: theme_colours(scheme)["bgPage"][:7] for scheme in ("light", "dark")}


def test_the_window_follows_the_desktops_colour_scheme_at_start_and_when_it_changes(
    start_desktop: Callable[[ColorScheme], Desktop], start_app: Callable[..., App], page: dict[str, str]
) -> None:
    assert page["light"] != page["dark"]
    desktop = start_desktop(ColorScheme.PREFER_DARK)
    app = start_app(desktop)

    state = app.wait_for_palette("dark")
    assert state.system_color_scheme == "Dark"
    assert desktop.wait_for_a_read_of_the_color_scheme()["method"] == "ReadAll"
    assert app.page_colour(page["dark"]) == page["dark"]

    # The user turns the dark style off while the app runs.
    desktop.set_color_scheme(ColorScheme.PREFER_LIGHT)
    state = app.wait_for_palette("light")
    assert state.system_color_scheme == "Light"
    assert app.page_colour(page["light"]) == page["light"]

    # And on again.
    desktop.set_color_scheme(ColorScheme.PREFER_DARK)
    assert app.wait_for_palette("dark").system_color_scheme == "Dark"
    assert app.page_colour(page["dark"]) == page["dark"]


def test_a_forced_light_scheme_overrides_a_dark_desktop(
    start_desktop: Callable[[ColorScheme], Desktop], start_app: Callable[..., App], page: dict[str, str]
) -> None:
    desktop = start_desktop(ColorScheme.PREFER_DARK)
    app = start_app(desktop, "--color-scheme", "light")
    # Qt does see the dark desktop; the window keeps the palette it was told.
    deadline = time.monotonic() + SWITCH_TIMEOUT_S
    while (state := app.state()).system_color_scheme != "Dark":
        assert time.monotonic() < deadline, f"Qt never saw the dark desktop: {state.system_color_scheme}"
        time.sleep(0.05)
    assert state.palette == "light"
    assert app.page_colour(page["light"]) == page["light"]


def test_qts_gtk3_theme_would_keep_the_window_light_on_a_dark_gnome(
    start_desktop: Callable[[ColorScheme], Desktop], start_app: Callable[..., App]
) -> None:
    """Why ``vpnui.desktop.platform_theme`` exists: Qt's first choice on GNOME answers from the GTK 3 theme.

    With QT_QPA_PLATFORMTHEME=gtk3 (what Qt picks by itself on GNOME) Qt
    6.11.3 reads the portal yet reports the GTK 3 theme's scheme (Adwaita:
    light).  When this fails, Qt follows the portal there too and the
    module's choice can go.  NO_AT_BRIDGE: GTK's accessibility bridge would
    look for the accessibility bus, which this desktop does not run.
    """
    missing = missing_libraries([qt_dir() / "plugins" / "platformthemes" / "libqgtk3.so"])
    if missing:
        pytest.skip(f"Qt's gtk3 theme cannot load here (no {', '.join(missing)}): Qt would fall back to gnome")
    desktop = start_desktop(ColorScheme.PREFER_DARK)
    app = start_app(desktop, QT_QPA_PLATFORMTHEME="gtk3", NO_AT_BRIDGE="1")
    desktop.wait_for_a_read_of_the_color_scheme()
    # The answer comes in the app's event loop: give it a second to turn dark, which it does not.
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline:
        state = app.state()
        assert (state.system_color_scheme, state.palette) == ("Light", "light")
        time.sleep(0.05)


# ------------------------------------------------------------ the portal itself


def test_the_settings_portal_answers_as_xdg_desktop_portal_does(session_bus: SessionBus) -> None:
    async def exercise() -> None:
        service = await MessageBus().connect()
        client = await MessageBus().connect()
        try:
            portal = SettingsPortal(ColorScheme.PREFER_DARK)
            await serve(service, PORTAL, PORTAL_PATH, portal)

            async def ask(member: str, signature: str, *body: Any) -> Message:
                reply = await client.call(
                    Message(
                        destination=PORTAL,
                        path=PORTAL_PATH,
                        interface=PORTAL_SETTINGS,
                        member=member,
                        signature=signature,
                        body=list(body),
                    )
                )
                assert reply is not None
                return reply

            assert await get_property(client, PORTAL, PORTAL_PATH, PORTAL_SETTINGS, "version") == 2
            (one,) = (await ask("ReadOne", "ss", APPEARANCE, COLOR_SCHEME_KEY)).body
            assert one == Variant("u", 1)
            # Read (version 1) wraps the value in a second variant, as the real portal does.
            (old,) = (await ask("Read", "ss", APPEARANCE, COLOR_SCHEME_KEY)).body
            assert old == Variant("v", Variant("u", 1))
            for patterns in ([APPEARANCE], ["org.freedesktop.*"], [], [""]):
                (every,) = (await ask("ReadAll", "as", patterns)).body
                assert every == {APPEARANCE: {COLOR_SCHEME_KEY: Variant("u", 1)}}, patterns
            (none,) = (await ask("ReadAll", "as", ["org.gnome.*"])).body
            assert none == {}
            missing = await ask("ReadOne", "ss", APPEARANCE, "accent-color")
            assert (missing.message_type, missing.error_name) == (MessageType.ERROR, PORTAL_NOT_FOUND)

            changes: list[list[Any]] = []
            match = f"type='signal',interface='{PORTAL_SETTINGS}',member='SettingChanged'"
            await client.call(
                Message(
                    destination="org.freedesktop.DBus",
                    path="/org/freedesktop/DBus",
                    interface="org.freedesktop.DBus",
                    member="AddMatch",
                    signature="s",
                    body=[match],
                )
            )
            client.add_message_handler(
                lambda message: changes.append(message.body) if message.member == "SettingChanged" else None
            )
            portal.set_color_scheme(ColorScheme.PREFER_LIGHT)
            for _ in range(100):
                if changes:
                    break
                await asyncio.sleep(0.02)
            assert changes == [[APPEARANCE, COLOR_SCHEME_KEY, Variant("u", 2)]]
            (now,) = (await ask("ReadOne", "ss", APPEARANCE, COLOR_SCHEME_KEY)).body
            assert now == Variant("u", 2)
            assert [read[0] for read in portal.reads] == ["ReadOne", "Read", *["ReadAll"] * 5, "ReadOne", "ReadOne"]
        finally:
            client.disconnect()
            service.disconnect()

    asyncio.run(exercise())


def test_a_bad_command_to_the_desktop_is_reported_and_changes_nothing(
    start_desktop: Callable[[ColorScheme], Desktop],
) -> None:
    desktop = start_desktop(ColorScheme.PREFER_DARK)
    desktop.services.send("color-scheme sepia")
    assert "unknown colour scheme 'sepia'" in desktop.services.read_until("error")["message"]
    desktop.services.send("dark please")
    assert "unknown command" in desktop.services.read_until("error")["message"]
    desktop.set_color_scheme(ColorScheme.PREFER_LIGHT)  # still listening
