"""A private D-Bus session bus and the desktop services the app talks to: the desktop the lab plays.

For the tests and the benchmarks, which run the app with a tray host and a
notification service without touching the user's own session.
``dbus-daemon`` (Debian's ``dbus`` package) runs the bus; it is installed
here when missing and the caller runs as root (as on CI, a fresh machine),
and ``DBusDaemonMissing`` says what to install otherwise (the tests skip on
it).  On that bus go small real services written with dbus-fast: a
notification service that records every ``Notify`` call and can invoke an
action, a StatusNotifierWatcher that records the items registered with
it, and the desktop portal's settings (``SettingsPortal``), which tell apps
the desktop's colour scheme and when it changes.  ``python -m
lab.desktop_bus`` serves them on the session bus of its environment,
reports, as JSON lines, every item and notification, and reads commands on
its standard input (``color-scheme prefer-dark``: the desktop turns dark).

No ``from __future__ import annotations``: dbus-fast reads the D-Bus
signatures from the annotations' objects (``-> None`` included).
"""

import asyncio
import contextlib
import enum
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import IO, Annotated, Any

from dbus_fast import Variant
from dbus_fast.aio import MessageBus
from dbus_fast.annotations import DBusSignature
from dbus_fast.constants import PropertyAccess
from dbus_fast.errors import DBusError
from dbus_fast.service import ServiceInterface, dbus_property, method, signal

from lab.leftovers import stop_process
from mimic_core.dbus_calls import call_method, disconnect

DEBIAN_PACKAGE = "dbus"
WATCHER = "org.kde.StatusNotifierWatcher"
WATCHER_PATH = "/StatusNotifierWatcher"
NOTIFICATIONS = "org.freedesktop.Notifications"
NOTIFICATIONS_PATH = "/org/freedesktop/Notifications"
PORTAL = "org.freedesktop.portal.Desktop"
PORTAL_PATH = "/org/freedesktop/portal/desktop"
PORTAL_SETTINGS = "org.freedesktop.portal.Settings"
PORTAL_SETTINGS_VERSION = 2
PORTAL_NOT_FOUND = "org.freedesktop.portal.Error.NotFound"
APPEARANCE = "org.freedesktop.appearance"
COLOR_SCHEME_KEY = "color-scheme"


class DBusDaemonMissing(RuntimeError):
    """``dbus-daemon`` is not installed and could not be; the message says what to install."""


def ensure_command(command: str, package: str, search_path: str | None = None) -> str | None:
    """The path of ``command``; when missing and root, Debian's ``package`` installed with apt-get first.

    ``search_path``: where to look (``PATH``'s form; default: PATH), for
    commands a package installs elsewhere (``/usr/libexec``).  ``None`` when
    it is still missing (not root, no apt-get, or the package does not provide it).
    """
    path = shutil.which(command, path=search_path)
    if path:
        return path
    if os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env, capture_output=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", package], check=True, env=env, capture_output=True)
        return shutil.which(command, path=search_path)
    return None


def ensure_dbus_daemon() -> str:
    """The path of ``dbus-daemon``: installed with apt-get as root when missing, else ``DBusDaemonMissing``."""
    path = ensure_command("dbus-daemon", DEBIAN_PACKAGE)
    if path is None:
        raise DBusDaemonMissing(
            f"dbus-daemon is missing: install Debian's {DEBIAN_PACKAGE!r} package (as root it is installed when needed)"
        )
    return path


# The session bus without the machine's service directories: no installed
# notification daemon is started behind the test's back.
BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


class SessionBus:
    """A ``dbus-daemon`` session bus of its own; ``address`` is its DBUS_SESSION_BUS_ADDRESS.

    ``stderr``: where the bus daemon's own messages go (a file), instead of the caller's stderr.
    """

    def __init__(self, stderr: IO[bytes] | None = None) -> None:
        daemon = ensure_dbus_daemon()
        self._config = tempfile.NamedTemporaryFile("w", suffix=".conf", prefix="mimic-bus-")  # noqa: SIM115
        self._config.write(BUS_CONFIG)
        self._config.flush()
        self.process = subprocess.Popen(
            [daemon, f"--config-file={self._config.name}", "--nofork", "--nopidfile", "--print-address=1"],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
        assert self.process.stdout is not None
        self.address = self.process.stdout.readline().strip()
        if not self.address:
            self.stop()
            raise RuntimeError("dbus-daemon printed no address")

    def stop(self) -> None:
        stop_process(self.process)
        if self.process.stdout is not None:
            self.process.stdout.close()
        self._config.close()


@dataclass
class NotifyCall:
    app_name: str
    replaces_id: int
    icon: str
    summary: str
    body: str
    actions: list[str]
    hints: dict[str, Any]
    timeout: int
    id: int


class NotificationRecorder(ServiceInterface):
    """org.freedesktop.Notifications that keeps every call instead of drawing it."""

    def __init__(self, on_notify: Callable[[NotifyCall], None] | None = None) -> None:
        super().__init__(NOTIFICATIONS)
        self.calls: list[NotifyCall] = []
        self._on_notify = on_notify

    @method()
    def Notify(  # noqa: PLR0917  (the D-Bus method's eight arguments)
        self,
        app_name: Annotated[str, DBusSignature("s")],
        replaces_id: Annotated[int, DBusSignature("u")],
        icon: Annotated[str, DBusSignature("s")],
        summary: Annotated[str, DBusSignature("s")],
        body: Annotated[str, DBusSignature("s")],
        actions: Annotated[list[str], DBusSignature("as")],
        hints: Annotated[dict[str, Variant], DBusSignature("a{sv}")],
        timeout: Annotated[int, DBusSignature("i")],
    ) -> Annotated[int, DBusSignature("u")]:
        call = NotifyCall(
            app_name,
            replaces_id,
            icon,
            summary,
            body,
            list(actions),
            {key: value.value for key, value in hints.items()},
            timeout,
            id=len(self.calls) + 1,
        )
        self.calls.append(call)
        if self._on_notify is not None:
            self._on_notify(call)
        return call.id

    @method()
    def CloseNotification(self, notification_id: Annotated[int, DBusSignature("u")]) -> None:
        self.NotificationClosed(notification_id, 3)

    @method()
    def GetCapabilities(self) -> Annotated[list[str], DBusSignature("as")]:
        return ["actions", "body"]

    @method()
    def GetServerInformation(self) -> Annotated[tuple[str, str, str, str], DBusSignature("ssss")]:
        return ["recorder", "mimic-vpn tests", "1.0", "1.2"]  # type: ignore[return-value]

    @signal()
    def ActionInvoked(self, notification_id: int, action: str) -> Annotated[tuple[int, str], DBusSignature("us")]:
        return [notification_id, action]  # type: ignore[return-value]

    @signal()
    def NotificationClosed(self, notification_id: int, reason: int) -> Annotated[tuple[int, int], DBusSignature("uu")]:
        return [notification_id, reason]  # type: ignore[return-value]

    def summaries(self) -> list[str]:
        return [call.summary for call in self.calls]


class StatusNotifierWatcher(ServiceInterface):
    """org.kde.StatusNotifierWatcher with a host: records the items registered."""

    def __init__(self, on_register: Callable[[str], None] | None = None) -> None:
        super().__init__(WATCHER)
        self.items: list[str] = []
        self._on_register = on_register

    @method()
    def RegisterStatusNotifierItem(self, service: Annotated[str, DBusSignature("s")]) -> None:
        self.items.append(service)
        self.StatusNotifierItemRegistered(service)
        if self._on_register is not None:
            self._on_register(service)

    @method()
    def RegisterStatusNotifierHost(self, service: Annotated[str, DBusSignature("s")]) -> None:
        """The test's watcher has its host built in."""

    @signal()
    def StatusNotifierItemRegistered(self, service: str) -> Annotated[str, DBusSignature("s")]:
        return service

    @dbus_property(access=PropertyAccess.READ)
    def RegisteredStatusNotifierItems(self) -> Annotated[list[str], DBusSignature("as")]:
        return self.items

    @dbus_property(access=PropertyAccess.READ)
    def IsStatusNotifierHostRegistered(self) -> Annotated[bool, DBusSignature("b")]:
        return True

    @dbus_property(access=PropertyAccess.READ)
    def ProtocolVersion(self) -> Annotated[int, DBusSignature("i")]:
        return 0


class ColorScheme(enum.IntEnum):
    """``org.freedesktop.appearance`` ``color-scheme``: the desktop's choice of light or dark."""

    DEFAULT = 0
    """No preference (GNOME's "default")."""
    PREFER_DARK = 1
    PREFER_LIGHT = 2

    @property
    def setting(self) -> str:
        """The name GNOME's ``org.gnome.desktop.interface color-scheme`` gives it: ``prefer-dark``..."""
        return self.name.lower().replace("_", "-")

    @classmethod
    def from_setting(cls, name: str) -> "ColorScheme":
        for scheme in cls:
            if scheme.setting == name:
                return scheme
        raise ValueError(f"unknown colour scheme {name!r} (known: {', '.join(s.setting for s in cls)})")


class SettingsPortal(ServiceInterface):
    """``org.freedesktop.portal.Settings`` (version 2) over a dictionary of namespaces and keys.

    What xdg-desktop-portal serves on a desktop: apps read the desktop's
    settings with ``ReadAll``/``ReadOne`` (Qt reads ``color-scheme`` with
    ``ReadAll`` when its platform theme starts) and follow
    ``SettingChanged``.  ``set`` changes a value and emits the signal, as
    the portal does when the user flips the desktop's dark style.
    """

    def __init__(
        self,
        color_scheme: ColorScheme = ColorScheme.DEFAULT,
        on_read: Callable[[tuple[str, ...]], None] | None = None,
    ) -> None:
        super().__init__(PORTAL_SETTINGS)
        self.settings: dict[str, dict[str, Variant]] = {
            APPEARANCE: {COLOR_SCHEME_KEY: Variant("u", int(color_scheme))},
        }
        self.reads: list[tuple[str, ...]] = []
        """Every call that read a setting: its method's name, then its arguments (``ReadAll``'s namespaces)."""
        self._on_read = on_read

    def _read(self, *call: str) -> None:
        self.reads.append(call)
        if self._on_read is not None:
            self._on_read(call)

    def set(self, namespace: str, key: str, value: Variant) -> None:
        self.settings.setdefault(namespace, {})[key] = value
        self.SettingChanged(namespace, key, value)

    def set_color_scheme(self, scheme: ColorScheme) -> None:
        self.set(APPEARANCE, COLOR_SCHEME_KEY, Variant("u", int(scheme)))

    def _lookup(self, namespace: str, key: str) -> Variant:
        try:
            return self.settings[namespace][key]
        except KeyError:
            raise DBusError(PORTAL_NOT_FOUND, f"Requested setting {namespace} {key} not found") from None

    @staticmethod
    def _matches(namespace: str, patterns: list[str]) -> bool:
        # The portal's globbing: "" or no pattern matches all, "org.gnome.*" by prefix.
        return not patterns or any(
            pattern in ("", namespace) or (pattern.endswith("*") and namespace.startswith(pattern[:-1]))
            for pattern in patterns
        )

    @method()
    def ReadAll(
        self, namespaces: Annotated[list[str], DBusSignature("as")]
    ) -> Annotated[dict[str, dict[str, Variant]], DBusSignature("a{sa{sv}}")]:
        self._read("ReadAll", *namespaces)
        return {name: dict(values) for name, values in self.settings.items() if self._matches(name, namespaces)}

    @method()
    def Read(
        self, namespace: Annotated[str, DBusSignature("s")], key: Annotated[str, DBusSignature("s")]
    ) -> Annotated[Variant, DBusSignature("v")]:
        self._read("Read", namespace, key)
        # Deprecated in version 2 for this: the value comes in a second variant.
        return Variant("v", self._lookup(namespace, key))

    @method()
    def ReadOne(
        self, namespace: Annotated[str, DBusSignature("s")], key: Annotated[str, DBusSignature("s")]
    ) -> Annotated[Variant, DBusSignature("v")]:
        self._read("ReadOne", namespace, key)
        return self._lookup(namespace, key)

    @signal()
    def SettingChanged(
        self, namespace: str, key: str, value: Variant
    ) -> Annotated[tuple[str, str, Variant], DBusSignature("ssv")]:
        return [namespace, key, value]  # type: ignore[return-value]

    @dbus_property(access=PropertyAccess.READ)
    def version(self) -> Annotated[int, DBusSignature("u")]:
        return PORTAL_SETTINGS_VERSION


async def serve(bus: MessageBus, name: str, path: str, interface: ServiceInterface) -> None:
    bus.export(path, interface)
    await bus.request_name(name)


async def get_property(bus: MessageBus, destination: str, path: str, interface: str, name: str) -> Any:
    (value,) = await call_method(
        bus,
        destination=destination,
        path=path,
        interface="org.freedesktop.DBus.Properties",
        member="Get",
        signature="ss",
        body=[interface, name],
    )
    return value.value


def report(event: str, **fields: Any) -> None:
    print(json.dumps({"event": event, **fields}, default=str), flush=True)


COMMANDS_HELP = "color-scheme default|prefer-dark|prefer-light"
"""What ``python -m lab.desktop_bus`` reads on its standard input, one command a line."""


def run_command(line: str, portal: SettingsPortal) -> None:
    """One command read on standard input; a bad one is reported as ``error`` and changes nothing."""
    words = line.split()
    if not words:
        return
    if words[0] == COLOR_SCHEME_KEY and len(words) == 2:
        try:
            scheme = ColorScheme.from_setting(words[1])
        except ValueError as exc:
            report("error", message=str(exc))
            return
        portal.set_color_scheme(scheme)
        report("setting_changed", namespace=APPEARANCE, key=COLOR_SCHEME_KEY, value=int(scheme))
        return
    report("error", message=f"unknown command {line.strip()!r} (known: {COMMANDS_HELP})")


async def read_commands(portal: SettingsPortal) -> None:
    """The commands on standard input, until it ends: a pipe or a terminal as lines come, a file at once."""
    if sys.stdin is None:
        return
    mode = os.fstat(sys.stdin.fileno()).st_mode
    if not (stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) or os.isatty(sys.stdin.fileno())):
        # A file, or /dev/null (which epoll cannot watch): nothing to wait for.
        for line in sys.stdin:
            run_command(line, portal)
        return
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    transport, _ = await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    try:
        while line := await reader.readline():
            run_command(line.decode(errors="replace"), portal)
    finally:
        transport.close()


async def serve_desktop(tray_host: bool = True, color_scheme: ColorScheme = ColorScheme.DEFAULT) -> None:
    """The notification service, (``tray_host``) the watcher and the settings portal on the bus, until cancelled.

    Reports ``serving`` once all are there, then ``item_registered`` (with
    the item's bus name), ``notify`` (the call's fields) and
    ``setting_read`` (an app read the desktop's settings) as they come, and
    ``setting_changed`` for each command on standard input carried out.
    """
    bus = await MessageBus().connect()
    try:
        recorder = NotificationRecorder(on_notify=lambda call: report("notify", **asdict(call)))
        await serve(bus, NOTIFICATIONS, NOTIFICATIONS_PATH, recorder)
        if tray_host:
            watcher = StatusNotifierWatcher(on_register=lambda service: report("item_registered", service=service))
            await serve(bus, WATCHER, WATCHER_PATH, watcher)
        portal = SettingsPortal(
            color_scheme, on_read=lambda read: report("setting_read", method=read[0], args=read[1:])
        )
        await serve(bus, PORTAL, PORTAL_PATH, portal)
        report("serving", tray_host=tray_host, color_scheme=color_scheme.setting)
        await read_commands(portal)
        await asyncio.Event().wait()
    finally:
        await disconnect(bus)


def main(argv: list[str] | None = None) -> int:
    """``python -m lab.desktop_bus [--no-tray-host] [--color-scheme SCHEME]``: serve until SIGTERM (or SIGINT)."""
    import argparse  # noqa: PLC0415
    import signal as signals  # noqa: PLC0415  (``signal`` here is dbus-fast's decorator)

    parser = argparse.ArgumentParser(
        prog="python -m lab.desktop_bus",
        description=main.__doc__,
        epilog=f"Commands on standard input, one a line: {COMMANDS_HELP} (the desktop's colour scheme changes).",
    )
    parser.add_argument("--no-tray-host", action="store_true", help="only the notification service")
    parser.add_argument(
        "--color-scheme",
        choices=[scheme.setting for scheme in ColorScheme],
        default=ColorScheme.DEFAULT.setting,
        help="the desktop's colour scheme the settings portal gives at first (default: %(default)s, no preference)",
    )
    args = parser.parse_args(argv)
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        print("python -m lab.desktop_bus: DBUS_SESSION_BUS_ADDRESS is not set", file=sys.stderr)
        return 2

    async def run() -> None:
        task = asyncio.ensure_future(
            serve_desktop(tray_host=not args.no_tray_host, color_scheme=ColorScheme.from_setting(args.color_scheme))
        )
        loop = asyncio.get_running_loop()
        for signum in (signals.SIGTERM, signals.SIGINT):
            loop.add_signal_handler(signum, task.cancel)
        with contextlib.suppress(asyncio.CancelledError):
            await task

    asyncio.run(run())
    return 0


if __name__ == "__main__":
    sys.exit(main())
