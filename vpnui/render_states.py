"""``python -m vpnui.render_states DIR``: every state, banner and modal as PNGs, light and dark.

Nothing is staged: the real app runs offscreen against a real lab and
daemon in a private MIMIC_HOME, each condition is produced in the lab, and
the window is captured once the app shows its answer, in the light palette
and then in the dark one (``NAME-light.png``, ``NAME-dark.png``: the same
moment, only the theme's scheme changed between the two captures).  Panels
open as a user opens them (their buttons), and the keyboard's focus ring is
shown by real Tab key events.  A contact sheet of every capture
(``contact-sheet.png``) is drawn last, for the README.  The README's
screenshots come from here, so they always match the code.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Final

# Offscreen rendering: no display needed (set before Qt is imported).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import qasync
from PySide6.QtCore import QEvent, QMetaObject, QObject, QRect, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QKeyEvent, QPainter
from PySide6.QtQml import QQmlApplicationEngine
from PySide6.QtQuick import QQuickWindow
from PySide6.QtTest import QTest

from mimic_core.lab_client import LabControl
from mimic_core.sync_client import DaemonConnection
from vpnui import i18n
from vpnui.app import AppOptions, MimicApp
from vpnui.config import lab_endpoints
from vpnui.connection.settings import ConnectionSettings
from vpnui.connection.states import ConnectionState, VPNClientState
from vpnui.daemon_client import LinkState
from vpnui.embedded_lab import ensure_lab, recorded_lab_url
from vpnui.main_window import load_main_window, set_color_scheme

SCHEMES: Final = ("light", "dark")
CONTACT_SHEET: Final = "contact-sheet.png"
# The contact sheet: each state's light and dark captures side by side, at this scale.
SHEET_SCALE: Final = 0.5
SHEET_PAIRS_PER_ROW: Final = 4
SHEET_GAP: Final = 12
SHEET_LABEL_HEIGHT: Final = 28


class Capture:
    """Grabs the window in each palette, the same moment twice."""

    def __init__(self, engine: QQmlApplicationEngine, window: QQuickWindow, out: Path) -> None:
        self.engine = engine
        self.window = window
        self.out = out
        self.written: list[Path] = []

    async def shoot(self, name: str, settle_s: float = 0.4) -> None:
        # Let animations (the switch, a banner's icon) finish before the capture.
        await asyncio.sleep(settle_s)
        for scheme in SCHEMES:
            set_color_scheme(self.engine, scheme)
            path = self.out / f"{name}-{scheme}.png"
            # grabWindow polishes and renders the scene now, with the new colours.
            self.window.grabWindow().save(str(path))
            self.written.append(path)
            print(path)
        set_color_scheme(self.engine, SCHEMES[0])


class Renderer:
    def __init__(self, app: MimicApp, lab: LabControl, capture: Capture) -> None:
        self.app = app
        self.lab = lab
        self.capture = capture

    async def until(self, condition: Callable[[], bool], what: str, timeout_s: float = 15.0) -> None:
        deadline = time.monotonic() + timeout_s
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError(f"the app never reached: {what}")
            await asyncio.sleep(0.02)

    @property
    def window(self) -> QQuickWindow:
        assert self.app.window is not None
        return self.app.window

    def find(self, name: str) -> QObject | None:
        found = self.window.findChild(QObject, name)
        return found if isinstance(found, QObject) else None

    def opened(self, name: str) -> bool:
        popup = self.find(name)
        return popup is not None and bool(popup.property("opened"))

    async def open_panel(self, button: str, panel: str) -> None:
        """Press the panel's button, as a user does; the panel is created then."""
        pressed = self.find(button)
        assert pressed is not None, f"no {button}"
        QMetaObject.invokeMethod(pressed, "click")
        await self.until(lambda: self.opened(panel), f"the {panel} open")

    async def close_panel(self, panel: str) -> None:
        QTest.keyClick(self.window, Qt.Key.Key_Escape)
        await self.until(lambda: not self.opened(panel), f"the {panel} closed by Escape")

    def keys(self, *keys: Qt.Key, text: str = "") -> None:
        """Key events, as the keyboard sends them: ``keys`` pressed, then ``text`` typed."""
        for key in keys:
            QTest.keyClick(self.window, key)
        for character in text:
            code = ord(character.upper()) if character.isascii() else 0
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QGuiApplication.sendEvent(self.window, QKeyEvent(kind, code, Qt.KeyboardModifier.NoModifier, character))

    async def failure(self, key: str, file: str) -> None:
        await self.until(lambda: self.app.manager.failure_key == key, f"the {key} failure shown")
        await self.capture.shoot(file)

    async def cleared(self) -> None:
        self.lab.reset()
        await self.until(lambda: self.app.manager.failure_key == "", "every failure cleared")

    def berlin(self) -> list[str]:
        return [s.name for s in self.lab.servers().servers() if s.name.startswith("de-ber")]

    async def run(self) -> None:
        m = self.app.manager
        await self.until(
            lambda: m.link_state is LinkState.READY and m.location_model.rowCount() > 0, "a ready daemon link"
        )
        # A user who was connected to São Paulo, then Berlin: the picker lists both as recent.
        m.chooseLocation("br", "sao")
        m.toggle()
        await self.until(lambda: m.property("state") == VPNClientState.On, "VPN on in São Paulo")
        m.chooseLocation("de", "ber")
        await self.until(
            lambda: m.property("state") == VPNClientState.On and str(m.property("serverName")).startswith("de-ber"),
            "VPN on in Berlin",
        )
        m.toggle()
        await self.until(lambda: m.property("state") == VPNClientState.Off, "VPN off")
        await asyncio.sleep(1.0)  # the location scores arrive
        await self.capture.shoot("01-off")

        self.lab.patch({"servers": {name: {"latency_ms": 600} for name in self.berlin()}})
        m.toggle()
        await self.until(lambda: m.property("connectionState") == ConnectionState.ServerProbe, "the server probe")
        await self.capture.shoot("02-connecting", settle_s=0.1)
        await self.until(lambda: m.property("state") == VPNClientState.On, "VPN on")
        self.lab.reset()
        await self.capture.shoot("03-on", settle_s=2.2)

        with DaemonConnection() as daemon:
            daemon.hello()
            server = daemon.status().server
        assert server is not None
        self.lab.patch({"servers": {server.name: {"loss": 0.6}}})
        await self.until(lambda: m.property("unstable"), "the unstable banner")
        await self.capture.shoot("04-unstable")
        self.lab.reset()
        await self.until(lambda: not m.property("unstable"), "stable again", timeout_s=30)

        await self.open_panel("locationButton", "locationPicker")
        await self.capture.shoot("05-location-picker")
        self.keys(text="sao")
        await self.capture.shoot("06-location-search")
        await self.close_panel("locationPicker")
        # The focus ring: Tab from the switch to the location row (on a
        # stable link: a loaded machine can delay keepalives into "loss").
        await self.until(lambda: not m.property("unstable"), "stable", timeout_s=30)
        toggle = self.find("vpnToggle")
        assert toggle is not None
        self.window.requestActivate()
        QMetaObject.invokeMethod(toggle, "forceActiveFocus")
        self.keys(Qt.Key.Key_Tab)
        await self.capture.shoot("07-keyboard-focus")

        self.lab.patch({"captive_portal": True})
        await self.failure("captivePortal", "10-captive-portal-while-on")
        await self.cleared()
        self.lab.patch({"internet": False})
        await self.failure("noInternet", "11-no-internet-while-on")
        await self.cleared()
        m.toggle()
        await self.until(lambda: m.property("state") == VPNClientState.Off, "VPN off")

        for patch, key, file in (
            ({"internet": False}, "noInternet", "20-no-internet"),
            ({"captive_portal": True}, "captivePortal", "21-captive-portal"),
            ({"account_service": "down"}, "accountServiceUnreachable", "22-account-unreachable"),
            ({"subscription": "expired"}, "noSubscription", "23-subscription-expired"),
            ({"firewall_blocks_udp": True}, "firewallBlocking", "24-firewall"),
            (
                {"servers": {name: {"down": True} for name in self.berlin()}},
                "serverUnavailable",
                "25-server-unavailable",
            ),
        ):
            self.lab.patch(patch)
            m.toggle()
            await self.failure(key, file)
            await self.cleared()

        with DaemonConnection() as daemon:
            pid = int(daemon.hello()["pid"])
        os.kill(pid, signal.SIGKILL)
        await self.failure("daemonLost", "26-daemon-lost")
        await self.until(lambda: m.link_state is LinkState.READY and m.failure_key == "", "the daemon back")

        await self.open_panel("labPanelButton", "labPanel")
        self.lab.patch({"captive_portal": True})
        await self.until(
            lambda: bool(self.app.lab_conditions.property("conditions").get("captive_portal")),
            "the lab panel showing the fault",
        )
        await self.capture.shoot("30-lab-panel")
        await self.close_panel("labPanel")
        self.lab.reset()
        await self.open_panel("settingsButton", "settingsPanel")
        await self.capture.shoot("31-settings")
        await self.close_panel("settingsPanel")


def fast_settings() -> ConnectionSettings:
    # Only the waits are shorter than the defaults, so the run takes seconds.
    return ConnectionSettings(stability_settling_s=1.0, stability_samples_required=2)


async def render(out: Path) -> list[Path]:
    lab_url = await ensure_lab()
    # The window as vpnui.main first shows it, before the app's objects exist.
    engine = QQmlApplicationEngine()
    window = load_main_window(engine)
    capture = Capture(engine, window, out)
    frame: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def swapped() -> None:
        if not frame.done():
            frame.set_result(None)

    window.frameSwapped.connect(swapped)
    await asyncio.wait_for(frame, timeout=10)
    await capture.shoot("00-starting", settle_s=0)
    app = MimicApp(
        AppOptions(
            endpoints=lab_endpoints(lab_url),
            daemon_args=["--keepalive-interval", "0.3"],
            connection=fast_settings(),
        ),
        engine=engine,
    )
    app.show()
    # The screens, attached while the daemon link is still starting: its
    # banner is up, in the free space above the bottom buttons.
    # The link only starts with app.start(): waiting for the banner's icon
    # (decoded off the GUI thread) changes nothing else.
    await capture.shoot("00-starting-service", settle_s=0.3)
    await app.start()
    renderer = Renderer(app, LabControl(lab_url), capture)
    try:
        await renderer.run()
    finally:
        await app.shutdown()
    return capture.written


def contact_sheet(captures: Sequence[Path], path: Path) -> Path:
    """One PNG of every state: its light and dark captures side by side, named, in rows."""
    states = sorted({capture.name.rsplit("-", 1)[0] for capture in captures})
    images = {capture.name: QImage(str(capture)) for capture in captures}
    first = next(iter(images.values()))
    shot_w, shot_h = int(first.width() * SHEET_SCALE), int(first.height() * SHEET_SCALE)
    pair_w = 2 * shot_w + SHEET_GAP // 2
    columns = min(SHEET_PAIRS_PER_ROW, len(states))
    rows = (len(states) + columns - 1) // columns
    sheet = QImage(
        columns * pair_w + (columns + 1) * SHEET_GAP,
        rows * (shot_h + SHEET_LABEL_HEIGHT) + (rows + 1) * SHEET_GAP,
        QImage.Format.Format_RGB32,
    )
    sheet.fill(QColor("#e0e0e6"))
    painter = QPainter(sheet)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    font = QFont("DejaVu Sans")
    font.setPixelSize(15)
    painter.setFont(font)
    painter.setPen(QColor("#20123a"))
    for index, state in enumerate(states):
        row, column = divmod(index, columns)
        left = SHEET_GAP + column * (pair_w + SHEET_GAP)
        top = SHEET_GAP + row * (shot_h + SHEET_LABEL_HEIGHT + SHEET_GAP)
        for offset, scheme in enumerate(SCHEMES):
            image = images.get(f"{state}-{scheme}.png")
            if image is not None:
                target = QRect(left + offset * (shot_w + SHEET_GAP // 2), top, shot_w, shot_h)
                painter.drawImage(target, image)
        label = QRect(left, top + shot_h, pair_w, SHEET_LABEL_HEIGHT)
        painter.drawText(label, int(Qt.AlignmentFlag.AlignCenter), state)
    painter.end()
    if not sheet.save(str(path)):
        raise OSError(f"could not write {path}")
    return path


# How long the daemon (its Glean's shutdown) and the lab may take to exit.
STOP_TIMEOUT_S = 20.0


def stop_background_processes(lab_url: str | None) -> None:
    """End the daemon and the lab of the private world, and wait until they have.

    Their home is removed next: a daemon still writing its Glean data there
    (its shutdown takes seconds) made the removal fail.
    """
    pid = None
    try:
        with DaemonConnection() as daemon:
            pid = int(daemon.hello()["pid"])
            os.kill(pid, signal.SIGTERM)
    except (OSError, ConnectionError):
        pass
    if lab_url:
        lab = LabControl(lab_url)
        lab.shutdown()
        lab.wait_until_stopped(timeout=STOP_TIMEOUT_S)
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while pid is not None and time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Render every state, banner and modal of the app to PNG files, light and dark"
    )
    parser.add_argument("out", type=Path)
    parser.add_argument(
        "--locale",
        default=i18n.SOURCE_LANGUAGE,
        help="the window's language (as vpnui --locale): pseudo shows text that would be cut off; default: en",
    )
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="mv-render-", dir="/tmp") as home:
        # A private world: the renders never touch the user's own daemon or lab.
        os.environ["MIMIC_HOME"] = home
        qt_app = QGuiApplication(sys.argv[:1])
        i18n.install(qt_app, args.locale)
        loop = qasync.QEventLoop(qt_app)
        asyncio.set_event_loop(loop)
        try:
            with loop:
                written = loop.run_until_complete(render(args.out))
        finally:
            stop_background_processes(recorded_lab_url())
        sheet = contact_sheet(written, args.out / CONTACT_SHEET)
    print(sheet)
    print(f"{len(written)} screenshots and their contact sheet in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
