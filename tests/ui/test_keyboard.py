"""The whole app by keyboard alone: real key events to the real window, the real daemon and lab behind it.

Tab goes through the controls in reading order and shows where it is (a
focus ring a user can see: the pixels change); Space and Return press;
Escape closes any panel or modal; in the location picker the arrows move
and typing filters.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, Qt, SignalInstance
from PySide6.QtGui import QAccessible, QGuiApplication, QImage, QKeyEvent
from PySide6.QtQuick import QQuickItem, QQuickWindow
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from lab.lab_process import LabProcess
from mimic_vpn_testing.qt_driving import find_item, find_object, open_popups, shown
from mimic_vpn_testing.surface import MODALS
from vpnui.app import MimicApp
from vpnui.connection.states import VPNClientState

MAIN_TAB_ORDER = ["vpnToggle", "locationButton", "labPanelButton", "settingsButton"]


def press(window: QQuickWindow, key: Qt.Key, times: int = 1) -> None:
    for _ in range(times):
        QTest.keyClick(window, key)


def type_text(window: QQuickWindow, text: str) -> None:
    """Keys with their text, to whatever has the focus (QTest.keyClicks takes widgets only)."""
    for character in text:
        code = ord(character.upper()) if character.isascii() else 0
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QGuiApplication.sendEvent(window, QKeyEvent(kind, code, Qt.KeyboardModifier.NoModifier, character))


def focused(window: QQuickWindow) -> str:
    """The objectName of the item with the keyboard focus, or of its nearest named ancestor."""
    item = window.activeFocusItem()
    while item is not None and not item.objectName():
        item = item.parentItem()
    return item.objectName() if item is not None else ""


def ring_shown(window: QQuickWindow) -> bool:
    """Whether the focused control draws its focus ring (Qt Quick Controls' visualFocus: focus from the keyboard)."""
    item = window.activeFocusItem()
    return item is not None and bool(item.property("visualFocus"))


def tab_to(qtbot: QtBot, window: QQuickWindow, name: str, limit: int = 30) -> None:
    """Tab until ``name`` has the focus, as a user does; fails if it is never reached."""
    seen = []
    for _ in range(limit):
        if focused(window) == name:
            return
        press(window, Qt.Key.Key_Tab)
        seen.append(focused(window))
    raise AssertionError(f"Tab never reached {name!r}; it went through {seen}")


def scene_rect(item: QQuickItem, margin: float) -> QRectF:
    corner = item.mapToScene(QPointF(0, 0))
    return QRectF(corner.x() - margin, corner.y() - margin, item.width() + 2 * margin, item.height() + 2 * margin)


def changed_pixels(before: QImage, after: QImage, area: QRectF) -> int:
    rect = area.toAlignedRect().intersected(before.rect())
    return sum(
        before.pixel(x, y) != after.pixel(x, y)
        for y in range(rect.top(), rect.bottom() + 1)
        for x in range(rect.left(), rect.right() + 1)
    )


def modal_open(qtbot: QtBot, window: QQuickWindow, modal: str) -> None:
    qtbot.waitUntil(lambda: open_popups(window, MODALS) == [modal], timeout=15_000)


def test_tab_goes_through_the_main_screen_in_reading_order_and_shows_where_it_is(qtbot: QtBot, mimic: MimicApp) -> None:
    window = mimic.window
    assert window is not None
    qtbot.waitUntil(lambda: bool(mimic.lab_conditions.property("available")), timeout=10_000)
    order = []
    for _ in MAIN_TAB_ORDER:
        before = window.grabWindow()
        press(window, Qt.Key.Key_Tab)
        after = window.grabWindow()
        order.append(focused(window))
        # A ring a user can see around the control that has the focus (the pixels
        # just outside it change), and only there: nothing else moved.
        item = find_item(window, focused(window))
        assert changed_pixels(before, after, scene_rect(item, 4)) > 40, f"no visible focus on {order[-1]}"
    assert order == MAIN_TAB_ORDER
    press(window, Qt.Key.Key_Tab)
    assert focused(window) == MAIN_TAB_ORDER[0], "Tab goes round"
    press(window, Qt.Key.Key_Backtab)
    assert focused(window) == MAIN_TAB_ORDER[-1], "Backtab goes back"


def popups_are(window: QQuickWindow, names: list[str], *, expected: list[str]) -> Callable[[], bool]:
    """A condition for ``qtbot.waitUntil``: of the popups ``names``, just ``expected`` are open."""
    return lambda: open_popups(window, names) == expected


def test_every_interactive_item_has_an_accessible_role_and_name(qtbot: QtBot, mimic: MimicApp) -> None:
    window = mimic.window
    assert window is not None
    qtbot.waitUntil(lambda: bool(mimic.lab_conditions.property("available")), timeout=10_000)
    # The panels too: each is created when first opened.
    for button, panel in (("locationButton", "locationPicker"), ("labPanelButton", "labPanel")):
        tab_to(qtbot, window, button)
        press(window, Qt.Key.Key_Return)
        qtbot.waitUntil(popups_are(window, [panel], expected=[panel]), timeout=5_000)
        unnamed = [name for name, item in focus_chain(window) if not accessible_name(item)]
        assert unnamed == [], f"in {panel}, focusable items without an accessible name: {unnamed}"
        press(window, Qt.Key.Key_Escape)
        qtbot.waitUntil(popups_are(window, [panel], expected=[]), timeout=5_000)
    unnamed = [name for name, item in focus_chain(window) if not accessible_name(item)]
    assert unnamed == [], f"focusable items without an accessible name: {unnamed}"


def accessible_name(item: QObject) -> str:
    """The name a screen reader reads for ``item`` (empty when it has no role)."""
    interface = QAccessible.queryAccessibleInterface(item)
    if interface is None:
        return ""
    name = interface.text(QAccessible.Text.Name)
    role = interface.role()
    return name if role not in (QAccessible.Role.NoRole, QAccessible.Role.Client) else ""


def focus_chain(window: QQuickWindow) -> list[tuple[str, QQuickItem]]:
    """Every item Tab visits from where the focus is now, once round."""
    start = window.activeFocusItem()
    visited: list[tuple[str, QQuickItem]] = []
    item = start
    for _ in range(200):
        press(window, Qt.Key.Key_Tab)
        item = window.activeFocusItem()
        if item is None or any(item is seen for _, seen in visited):
            break
        visited.append((focused(window), item))
    return visited


def test_keyboard_only_on_location_panels_modals_off(qtbot: QtBot, mimic: MimicApp, lab: LabProcess) -> None:
    window = mimic.window
    assert window is not None
    manager: Any = mimic.manager
    qtbot.waitUntil(lambda: bool(mimic.lab_conditions.property("available")), timeout=10_000)

    # The switch: Return turns the VPN on.
    tab_to(qtbot, window, "vpnToggle")
    press(window, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: manager.state == VPNClientState.On, timeout=10_000)
    # Said to a screen reader: the new state, in the card's words.
    announcer = find_object(window, "announcer")
    qtbot.waitUntil(lambda: announcer.property("message") == f"VPN is on. {manager.subtitle}", timeout=2_000)

    # The location: Return opens the picker with the search field focused;
    # typing filters, Down goes into the list, Return chooses.
    tab_to(qtbot, window, "locationButton")
    press(window, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: open_popups(window, ["locationPicker"]) == ["locationPicker"], timeout=5_000)
    assert focused(window) == "locationSearch"
    type_text(window, "par")
    qtbot.waitUntil(lambda: shown(window, "location_fr_par"), timeout=2_000)
    assert not shown(window, "location_de_ber")
    press(window, Qt.Key.Key_Down)
    assert focused(window).startswith("location_"), "the list has the focus, on its current row"
    press(window, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: open_popups(window, ["locationPicker"]) == [], timeout=5_000)
    qtbot.waitUntil(lambda: manager.serverName.startswith("fr-par"), timeout=10_000)
    assert manager.state == VPNClientState.On
    # Back where the user was, and shown there: the keyboard user sees where the focus went.
    assert focused(window) == "locationButton"
    assert ring_shown(window), "the focus came back to the location button without its focus ring"

    # Arrows move in the list; typing there goes on in the search field.
    press(window, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: open_popups(window, ["locationPicker"]) == ["locationPicker"], timeout=5_000)
    press(window, Qt.Key.Key_Down)
    start = find_item(window, "locationList").property("currentIndex")
    press(window, Qt.Key.Key_Down, times=2)
    assert find_item(window, "locationList").property("currentIndex") == start + 2
    press(window, Qt.Key.Key_Up)
    assert find_item(window, "locationList").property("currentIndex") == start + 1
    type_text(window, "tok")
    assert focused(window) == "locationSearch"
    assert find_item(window, "locationSearch").property("text") == "tok"
    press(window, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: open_popups(window, ["locationPicker"]) == [], timeout=5_000)
    assert manager.serverName.startswith("fr-par")

    # The lab panel and the settings: Return (or Space) opens, Escape closes.
    for button, panel, key in (
        ("labPanelButton", "labPanel", Qt.Key.Key_Return),
        ("settingsButton", "settingsPanel", Qt.Key.Key_Space),
    ):
        tab_to(qtbot, window, button)
        press(window, key)
        qtbot.waitUntil(popups_are(window, [panel], expected=[panel]), timeout=5_000)
        press(window, Qt.Key.Key_Tab)
        assert focused(window) != button, "Tab stays inside the open panel"
        press(window, Qt.Key.Key_Escape)
        qtbot.waitUntil(popups_are(window, [panel], expected=[]), timeout=5_000)
        assert focused(window) == button
        assert ring_shown(window), f"Escape gave the focus back to {button} without its focus ring"

    # A lab fault switched on by keyboard, inside the lab panel: Space on the focused switch.
    tab_to(qtbot, window, "labPanelButton")
    press(window, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: open_popups(window, ["labPanel"]) == ["labPanel"], timeout=5_000)
    tab_to(qtbot, window, "labCaptivePortalSwitch")
    press(window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: lab.control.conditions().captive_portal is True, timeout=5_000)
    # Every modal, each closed by keyboard: Escape, its close button, Keep VPN on.
    # The first comes above the lab panel still open, with the focus on its first action;
    # Escape closes the one on top, then the panel.
    modal_open(qtbot, window, "modalCaptivePortal")
    assert focused(window) == "modalCaptivePortalTurnOffAndOpen"
    press(window, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: open_popups(window, MODALS) == [], timeout=2_000)
    assert open_popups(window, ["labPanel"]) == ["labPanel"]
    press(window, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: open_popups(window, ["labPanel"]) == [], timeout=2_000)
    lab.control.reset()

    lab.control.patch({"subscription": "expired"})
    modal_open(qtbot, window, "modalNoSubscription")
    tab_to(qtbot, window, "modalNoSubscriptionClose")
    press(window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: open_popups(window, MODALS) == [], timeout=2_000)
    lab.control.reset()

    lab.control.patch({"firewall_blocks_udp": True})
    modal_open(qtbot, window, "modalFirewallBlocking")
    tab_to(qtbot, window, "modalFirewallBlockingKeepOn")
    press(window, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: open_popups(window, MODALS) == [], timeout=2_000)
    lab.control.reset()

    paris = [s.name for s in lab.control.servers().servers() if s.name.startswith("fr-par")]
    lab.control.patch({"servers": {name: {"down": True} for name in paris}})
    modal_open(qtbot, window, "modalServerUnavailable")
    assert focused(window) == "modalServerUnavailableChoose"
    press(window, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: open_popups(window, MODALS) == [], timeout=2_000)
    lab.control.reset()
    assert manager.state == VPNClientState.On

    # The switch again: Space turns the VPN off.
    tab_to(qtbot, window, "vpnToggle")
    press(window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: manager.state == VPNClientState.Off, timeout=10_000)


def test_a_status_title_with_its_own_ellipsis_is_said_without_a_period_after_it(
    qtbot: QtBot, mimic: MimicApp, lab: LabProcess
) -> None:
    """The title "Connecting…" is said once, as "Connecting… Checking…", not "Connecting…. Checking…"."""
    window = mimic.window
    assert window is not None
    manager: Any = mimic.manager
    # Slower servers: the VPN stays in Connecting long enough for it to be said (well
    # within the handshake's timeout: a slow answer must not read as a blocked network).
    servers = [server.name for server in lab.control.servers().servers()]
    lab.control.patch({"servers": {name: {"latency_ms": 80} for name in servers}})
    announcer = find_object(window, "announcer")
    said: list[str] = []
    # A QML item's signal: its type is known at run time only.
    message_changed: SignalInstance = announcer.messageChanged  # type: ignore[attr-defined]
    message_changed.connect(lambda: said.append(str(announcer.property("message"))))
    tab_to(qtbot, window, "vpnToggle")
    press(window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: manager.state == VPNClientState.On, timeout=15_000)
    qtbot.waitUntil(lambda: any(text.startswith("VPN is on") for text in said), timeout=2_000)
    connecting = [text for text in said if text.startswith("Connecting")]
    assert connecting, f"Connecting was never said: {said}"
    assert all(not text.startswith("Connecting….") for text in connecting), connecting
    assert all(text.startswith("Connecting… ") for text in connecting), connecting
    # Once: the steps under it ("Checking…", "Finding…", "Setting up…") are shown, not each said.
    assert len(connecting) == 1, said
    assert said[-1] == f"VPN is on. {manager.subtitle}", said
