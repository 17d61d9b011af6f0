"""``python -m vpnui.render_states DIR``: every state and modal as a PNG.

Nothing is staged: the real app runs offscreen against a real lab and
daemon in a private MIMIC_HOME, each condition is produced in the lab, and
the window is captured once the app shows its answer.  The README's
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
from collections.abc import Callable
from pathlib import Path
from typing import Any

# Offscreen rendering: no display needed (set before Qt is imported).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import qasync
from PySide6.QtGui import QGuiApplication
from PySide6.QtQml import QQmlApplicationEngine

from mimic_core.lab_client import LabControl
from mimic_core.sync_client import DaemonConnection
from vpnui import i18n
from vpnui.app import AppOptions, MimicApp
from vpnui.config import lab_endpoints
from vpnui.connection.settings import ConnectionSettings
from vpnui.connection.states import ConnectionState, VPNClientState
from vpnui.daemon_client import LinkState
from vpnui.embedded_lab import ensure_lab, recorded_lab_url
from vpnui.main_window import load_main_window


class Renderer:
    def __init__(self, app: MimicApp, lab: LabControl, out: Path) -> None:
        self.app = app
        self.lab = lab
        self.out = out
        self.written: list[Path] = []

    async def until(self, condition: Callable[[], bool], what: str, timeout_s: float = 15.0) -> None:
        deadline = time.monotonic() + timeout_s
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError(f"the app never reached: {what}")
            await asyncio.sleep(0.02)

    async def shoot(self, name: str, settle_s: float = 0.4) -> None:
        # Let animations (toggle, popup fade) finish before the capture.
        await asyncio.sleep(settle_s)
        window = self.app.window
        assert window is not None
        path = self.out / f"{name}.png"
        window.grabWindow().save(str(path))
        self.written.append(path)
        print(path)

    def popup(self, name: str) -> Any:
        assert self.app.window is not None
        return self.app.window.findChild(object, name)

    async def modal(self, key: str, file: str) -> None:
        await self.until(lambda: self.app.manager.failure_key == key, f"the {key} modal")
        await self.shoot(file)

    async def cleared(self) -> None:
        self.lab.reset()
        await self.until(lambda: self.app.manager.failure_key == "", "every modal closed")

    def berlin(self) -> list[str]:
        return [s.name for s in self.lab.servers().servers() if s.name.startswith("de-ber")]

    async def run(self) -> None:
        m = self.app.manager
        await self.until(
            lambda: m.link_state is LinkState.READY and m.location_model.rowCount() > 0, "a ready daemon link"
        )
        await asyncio.sleep(1.0)  # the location scores arrive
        await self.shoot("01-off")

        self.lab.patch({"servers": {name: {"latency_ms": 600} for name in self.berlin()}})
        m.toggle()
        await self.until(lambda: m.property("connectionState") == ConnectionState.ServerProbe, "the server probe")
        await self.shoot("02-connecting", settle_s=0.1)
        await self.until(lambda: m.property("state") == VPNClientState.On, "VPN on")
        self.lab.reset()
        await self.shoot("03-on", settle_s=2.2)

        with DaemonConnection() as daemon:
            daemon.hello()
            server = daemon.status().server
        assert server is not None
        self.lab.patch({"servers": {server.name: {"loss": 0.6}}})
        await self.until(lambda: m.property("unstable"), "the unstable indicator")
        await self.shoot("04-unstable")
        self.lab.reset()
        await self.until(lambda: not m.property("unstable"), "stable again", timeout_s=30)

        self.popup("locationPicker").open()
        await self.shoot("05-location-picker")
        self.popup("locationPicker").close()

        self.lab.patch({"captive_portal": True})
        await self.modal("captivePortal", "10-captive-portal-while-on")
        await self.cleared()
        self.lab.patch({"internet": False})
        await self.modal("noInternet", "11-no-internet-while-on")
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
            await self.modal(key, file)
            await self.cleared()

        with DaemonConnection() as daemon:
            pid = int(daemon.hello()["pid"])
        os.kill(pid, signal.SIGKILL)
        await self.modal("daemonLost", "26-daemon-lost")
        await self.until(lambda: m.link_state is LinkState.READY and m.failure_key == "", "the daemon back")

        self.popup("labPanel").open()
        await self.shoot("30-lab-panel")
        self.popup("labPanel").close()
        self.popup("settingsPanel").open()
        await self.shoot("31-settings")
        self.popup("settingsPanel").close()


def fast_settings() -> ConnectionSettings:
    # Only the waits are shorter than the defaults, so the run takes seconds.
    return ConnectionSettings(stability_settling_s=1.0, stability_samples_required=2)


async def render(out: Path) -> list[Path]:
    lab_url = await ensure_lab()
    # The window as vpnui.main first shows it, before the app's objects exist.
    engine = QQmlApplicationEngine()
    starting = out / "00-starting.png"
    window = load_main_window(engine)
    frame: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def swapped() -> None:
        if not frame.done():
            frame.set_result(None)

    window.frameSwapped.connect(swapped)
    await asyncio.wait_for(frame, timeout=10)
    window.grabWindow().save(str(starting))
    print(starting)
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
    service_starting = out / "00-starting-service.png"
    window.grabWindow().save(str(service_starting))
    print(service_starting)
    await app.start()
    renderer = Renderer(app, LabControl(lab_url), out)
    renderer.written += [starting, service_starting]
    try:
        await renderer.run()
    finally:
        await app.shutdown()
    return renderer.written


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
    parser = argparse.ArgumentParser(description="Render every state and modal of the app to PNG files")
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
    print(f"{len(written)} screenshots in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
