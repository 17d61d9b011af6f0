"""The desktop's accessibility bus (AT-SPI): where a screen reader on Linux hears what an app says.

A GNOME or KDE session runs ``at-spi-bus-launcher`` (Debian's
``at-spi2-core``) on the session bus: it owns ``org.a11y.Bus``, starts a
bus of its own for accessibility and gives its address (``GetAddress``).
Qt's AT-SPI bridge (qtbase ``src/gui/accessible/linux/dbusconnection.cpp``,
6.11) turns on when that service is there and its ``org.a11y.Status``
says ``IsEnabled`` or ``ScreenReaderEnabled`` (what Orca sets when it
starts); it then sends the app's events on the accessibility bus, but only
those some listener registered for with the registry
(``org.a11y.atspi.Registry``, ``at-spi2-registryd``, which that bus starts
on demand): ``atspiadaptor.cpp`` asks ``GetRegisteredEvents`` and follows
``EventListenerRegistered``.

``AccessibilityBus`` is that launcher on a given session bus (the tests'
private one), its sockets in a runtime directory of the caller's, never the
user's own.  ``at-spi-bus-launcher`` is installed when missing and the
caller runs as root, as ``dbus-daemon`` is (``lab.desktop_bus``);
``AtSpiMissing`` says what to install otherwise.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
from pathlib import Path
from typing import IO, Final

from dbus_fast import Variant
from dbus_fast.aio import MessageBus

from lab.desktop_bus import ensure_command
from lab.leftovers import stop_process
from mimic_core.dbus_calls import call_bus, call_method, disconnect

DEBIAN_PACKAGE: Final = "at-spi2-core"
LAUNCHER: Final = "at-spi-bus-launcher"
# Debian installs the launcher and the registry outside PATH.
LIBEXEC: Final = "/usr/libexec"
A11Y_BUS: Final = "org.a11y.Bus"
A11Y_BUS_PATH: Final = "/org/a11y/bus"
A11Y_STATUS: Final = "org.a11y.Status"
REGISTRY: Final = "org.a11y.atspi.Registry"
REGISTRY_PATH: Final = "/org/a11y/atspi/registry"
START_TIMEOUT_S: Final = 15.0


class AtSpiMissing(RuntimeError):
    """``at-spi-bus-launcher`` is not installed and could not be; the message says what to install."""


def ensure_launcher() -> str:
    """The path of ``at-spi-bus-launcher``: installed with apt-get as root when missing, else ``AtSpiMissing``."""
    path = ensure_command(LAUNCHER, DEBIAN_PACKAGE, search_path=f"{os.environ.get('PATH', '')}:{LIBEXEC}")
    if path is None:
        raise AtSpiMissing(
            f"{LAUNCHER} is missing: install Debian's {DEBIAN_PACKAGE!r} package (as root it is installed when needed)"
        )
    return path


class AccessibilityBus:
    """``at-spi-bus-launcher`` on the session bus at ``session_address``, until ``stop``.

    ``runtime_dir``: the session's XDG_RUNTIME_DIR, where the launcher puts
    the accessibility bus's socket (without it, in ``~/.cache/at-spi``,
    shared with every other launcher of the user).  No DISPLAY: on X the
    launcher would also publish the address on the root window, and Qt's
    xcb platform takes that as "enabled" whatever the status says; here
    the status alone decides, as on Wayland.  ``stderr``: where the
    launcher, its bus and the registry write (a file).
    """

    def __init__(self, session_address: str, runtime_dir: Path, stderr: IO[bytes] | None = None) -> None:
        launcher = ensure_launcher()
        env = {name: value for name, value in os.environ.items() if name not in ("DISPLAY", "WAYLAND_DISPLAY")}
        env.update(
            DBUS_SESSION_BUS_ADDRESS=session_address,
            XDG_RUNTIME_DIR=str(runtime_dir),
            # The launcher reads and writes GNOME's toolkit-accessibility setting: in memory, not the user's dconf.
            GSETTINGS_BACKEND="memory",
        )
        self.session_address = session_address
        self.process = subprocess.Popen(
            [launcher, "--launch-immediately"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=stderr if stderr is not None else subprocess.DEVNULL,
        )

    async def address(self) -> str:
        """The accessibility bus's address (``org.a11y.Bus.GetAddress``), once the launcher serves it."""
        session = await MessageBus(bus_address=self.session_address).connect()
        try:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + START_TIMEOUT_S
            while True:
                (owned,) = await call_bus(session, "NameHasOwner", "s", [A11Y_BUS])
                if owned:
                    break
                if self.process.poll() is not None:
                    raise RuntimeError(f"{LAUNCHER} exited ({self.process.returncode}) before serving {A11Y_BUS}")
                if loop.time() > deadline:
                    raise RuntimeError(f"{LAUNCHER} did not serve {A11Y_BUS} within {START_TIMEOUT_S:.0f} s")
                await asyncio.sleep(0.05)
            (address,) = await call_method(
                session, destination=A11Y_BUS, path=A11Y_BUS_PATH, interface=A11Y_BUS, member="GetAddress"
            )
            assert isinstance(address, str)
            return address
        finally:
            await disconnect(session)

    async def set_status(self, name: str, value: bool) -> None:
        """Sets ``org.a11y.Status`` ``name`` (``ScreenReaderEnabled``: what a screen reader sets when it starts)."""
        session = await MessageBus(bus_address=self.session_address).connect()
        try:
            await call_method(
                session,
                destination=A11Y_BUS,
                path=A11Y_BUS_PATH,
                interface="org.freedesktop.DBus.Properties",
                member="Set",
                signature="ssv",
                body=[A11Y_STATUS, name, Variant("b", value)],
            )
        finally:
            await disconnect(session)

    def stop(self) -> None:
        # The launcher ends the accessibility bus it started; the registry leaves with its bus.
        stop_process(self.process)
