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
from collections.abc import Callable
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
from mimic_core.dbus_calls import call_bus
from tests.support.desktop_session import App, GnomeDesktop
from tests.support.theme_contrast import theme_colours


@pytest.fixture
def page(qapp: object) -> dict[str, str]:
    """Theme.bgPage in each palette, as ``#rrggbb``, read from the theme."""
    return {scheme: theme_colours(scheme)["bgPage"][:7] for scheme in ("light", "dark")}


def test_the_window_follows_the_desktops_colour_scheme_at_start_and_when_it_changes(
    start_desktop: Callable[[ColorScheme], GnomeDesktop], start_app: Callable[..., App], page: dict[str, str]
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
    start_desktop: Callable[[ColorScheme], GnomeDesktop], start_app: Callable[..., App], page: dict[str, str]
) -> None:
    desktop = start_desktop(ColorScheme.PREFER_DARK)
    app = start_app(desktop, "--color-scheme", "light")
    # Qt does see the dark desktop; the window keeps the palette it was told.
    state = app.wait_for(
        lambda state: state.system_color_scheme == "Dark",
        lambda state: f"Qt never saw the dark desktop: {state.system_color_scheme}",
    )
    assert state.palette == "light"
    assert app.page_colour(page["light"]) == page["light"]


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
            await call_bus(client, "AddMatch", "s", [match])
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
    start_desktop: Callable[[ColorScheme], GnomeDesktop],
) -> None:
    desktop = start_desktop(ColorScheme.PREFER_DARK)
    desktop.services.send("color-scheme sepia")
    assert "unknown colour scheme 'sepia'" in desktop.services.read_until("error")["message"]
    desktop.services.send("dark please")
    assert "unknown command" in desktop.services.read_until("error")["message"]
    desktop.set_color_scheme(ColorScheme.PREFER_LIGHT)  # still listening
