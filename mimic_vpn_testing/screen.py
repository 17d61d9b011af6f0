"""What a test does with the app's window: click, type, read, and wait for what shows, by objectName.

Every wait is bounded, and a wait that runs out says what was on screen
instead: the VPN and check states, the failure, the status title and
subtitle, the open modals.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtQuick import QQuickItem, QQuickWindow
from pytestqt.qtbot import QtBot

from mimic_vpn_testing import qt_driving
from mimic_vpn_testing.surface import BANNERS, MODALS
from vpnui.app import MimicApp
from vpnui.connection.states import ConnectionState, VPNClientState

DEFAULT_TIMEOUT_S = 10.0


class Screen:
    """The window of one running app, driven as a user drives it."""

    def __init__(self, qtbot: QtBot, app: MimicApp) -> None:
        if app.window is None:
            raise ValueError("the app has no window yet: show and start it first (mimic_vpn_testing.app.start_app)")
        self.qtbot = qtbot
        self.app = app
        self.window: QQuickWindow = app.window

    # ------------------------------------------------------------ reading

    def item(self, name: str) -> QQuickItem:
        """The item called ``name``; ``LookupError`` naming what is visible when there is none."""
        return qt_driving.find_item(self.window, name)

    def object(self, name: str) -> QObject:
        """The object called ``name`` (a modal is a Popup, not an item)."""
        return qt_driving.find_object(self.window, name)

    def text(self, name: str) -> str:
        """The text the item called ``name`` shows."""
        return qt_driving.text_of(self.window, name)

    def property(self, name: str, prop: str) -> Any:
        """A property of the object called ``name`` (``checked``, ``visible``, ``opened``...)."""
        return self.object(name).property(prop)

    def visible(self, name: str) -> bool:
        """Whether the item called ``name`` is shown (a panel, a banner or a modal exists only once needed)."""
        return qt_driving.shown(self.window, name)

    def state(self) -> str:
        """The VPN state the window shows: ``Off``, ``Connecting``, ``On``, ``Disconnecting``, ``Switching``."""
        return VPNClientState(self.app.manager.property("state")).name

    def open_modals(self) -> list[str]:
        """The failure modals open now (at most one, when all is well)."""
        return qt_driving.open_popups(self.window, MODALS)

    def shown_banners(self) -> list[str]:
        """The failure banners shown now (at most one, when all is well)."""
        return [name for name in BANNERS if self.visible(name)]

    def describe(self) -> str:
        """What is on screen, in one line: for failure messages."""
        manager = self.app.manager
        check = ConnectionState(manager.property("connectionState")).name
        return (
            f"state {self.state()}, check {check}, daemon link {manager.link_state.value},"
            f" failure {manager.failure_key or 'none'}, title {manager.property('title')!r},"
            f" subtitle {manager.property('subtitle')!r}, open modals {self.open_modals() or 'none'},"
            f" banners {self.shown_banners() or 'none'}"
        )

    # ------------------------------------------------------------- acting

    def click(self, name: str) -> None:
        """Click the middle of the item called ``name`` once it stands still."""
        qt_driving.click(self.qtbot, self.window, name)

    def type(self, name: str, text: str) -> None:
        """Focus the item called ``name`` and type ``text`` (``" "`` presses the focused switch)."""
        qt_driving.type_text(self.qtbot, self.window, name, text)

    # ------------------------------------------------------------ waiting

    def wait_until(self, condition: Callable[[], bool], what: str, timeout: float = DEFAULT_TIMEOUT_S) -> None:
        """Let the app run until ``condition()`` holds; fails naming ``what`` and what was on screen instead."""
        try:
            self.qtbot.waitUntil(condition, timeout=int(timeout * 1000))
        except self.qtbot.TimeoutError:
            raise AssertionError(f"{what} did not happen within {timeout:g} s; on screen: {self.describe()}") from None

    def wait_for_state(self, state: str, timeout: float = DEFAULT_TIMEOUT_S) -> None:
        """Wait until the window shows the VPN state ``state`` (``On``, ``Off``...)."""
        known = [member.name for member in VPNClientState]
        if state not in known:
            raise ValueError(f"unknown VPN state {state!r} (known: {', '.join(known)})")
        self.wait_until(lambda: self.state() == state, f"the state {state}", timeout)

    def wait_for_modal(self, name: str, timeout: float = DEFAULT_TIMEOUT_S) -> None:
        """Wait until the modal ``name`` is the one open (``modalCaptivePortal``...)."""
        if name not in MODALS:
            raise ValueError(f"{name!r} is not a modal (modals: {', '.join(MODALS)})")
        self.wait_until(lambda: self.open_modals() == [name], f"the modal {name}", timeout)

    def wait_for_banner(self, name: str, timeout: float = DEFAULT_TIMEOUT_S) -> None:
        """Wait until the banner ``name`` is the one shown (``bannerNoInternet``...)."""
        if name not in BANNERS:
            raise ValueError(f"{name!r} is not a banner (banners: {', '.join(BANNERS)})")
        self.wait_until(lambda: self.shown_banners() == [name], f"the banner {name}", timeout)

    def wait_for_no_modal(self, timeout: float = DEFAULT_TIMEOUT_S) -> None:
        """Wait until no failure modal is open (each closes by itself when its cause clears)."""
        self.wait_until(lambda: not self.open_modals(), "closing every modal", timeout)

    def wait_visible(self, name: str, timeout: float = DEFAULT_TIMEOUT_S) -> None:
        """Wait until the item or object called ``name`` is visible."""
        self.wait_until(lambda: self.visible(name), f"showing {name!r}", timeout)

    def wait_for_text(self, name: str, expected: str, timeout: float = DEFAULT_TIMEOUT_S) -> None:
        """Wait until the item called ``name`` shows exactly ``expected``."""

        def shown() -> bool:
            return self.text(name) == expected

        try:
            self.wait_until(shown, f"{name!r} showing {expected!r}", timeout)
        except AssertionError as error:
            raise AssertionError(f"{error}; {name!r} shows {self.text(name)!r}") from None

    def wait_for_property(self, name: str, prop: str, value: Any, timeout: float = DEFAULT_TIMEOUT_S) -> None:
        """Wait until the property ``prop`` of ``name`` equals ``value`` (a switch's ``checked``, say)."""
        try:
            self.wait_until(lambda: self.property(name, prop) == value, f"{name}.{prop} == {value!r}", timeout)
        except AssertionError as error:
            raise AssertionError(f"{error}; {name}.{prop} is {self.property(name, prop)!r}") from None
