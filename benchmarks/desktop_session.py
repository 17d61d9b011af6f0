"""The desktop some figures are measured on: a private session bus with a tray host and a notification service.

A user's desktop has a session bus, a notification service and, mostly, a
tray host; there the app keeps a dbus-fast connection with its tasks, its
exported tray item and menu, and its notification client, and Qt itself
finds a bus.  The figures that promise something about the app's process
(idle RSS and CPU, cold start) are measured that way: ``desktop_session``
starts ``dbus-daemon`` (``lab.desktop_bus.SessionBus``) and ``python -m
lab.desktop_bus`` (a StatusNotifierWatcher and a notification service) in
the world, and points the children started inside at that bus.  A figure
is only "with tray" once ``Desktop.wait_for_item(pid)`` saw the watcher
register that very process's item.

Outside such a session the benchmarks' children have no session bus at all
(``benchmarks.__main__`` takes it out of the environment): no benchmark
ever puts an icon in, or sends a notification to, the desktop of the person
running it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Final

from benchmarks.world import BenchError, Child, World
from lab.desktop_bus import DBusDaemonMissing, SessionBus

BUS_ENV: Final = "DBUS_SESSION_BUS_ADDRESS"
SERVING_TIMEOUT_S: Final = 30.0
ITEM_TIMEOUT_S: Final = 60.0
ITEM_PREFIX: Final = "org.kde.StatusNotifierItem"
"""The app names its item ``org.kde.StatusNotifierItem-<pid>-1`` (``vpnui.desktop.tray``), as the spec asks."""


class Desktop:
    """The services of one session: what the watcher registered, how many notifications were sent."""

    def __init__(self, services: Child) -> None:
        self._services = services
        self.items: list[str] = []
        self.notifications = 0

    def wait_for_item(self, pid: int, timeout_s: float = ITEM_TIMEOUT_S) -> str:
        """The bus name of process ``pid``'s tray item once the watcher registered it; ``BenchError`` otherwise."""
        deadline = time.monotonic() + timeout_s
        while True:
            for name in self.items:
                if name.startswith(f"{ITEM_PREFIX}-{pid}-"):
                    return name
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise BenchError(f"the tray host registered no item of process {pid} within {timeout_s:.0f} s")
            self._take(self._services.read_event(remaining))

    def collect(self) -> None:
        """Take in what the services reported so far, without waiting."""
        while (event := self._services.poll_event(0.0)) is not None:
            self._take(event)

    def _take(self, event: dict[str, Any]) -> None:
        if event.get("event") == "item_registered":
            self.items.append(str(event.get("service")))
        elif event.get("event") == "notify":
            self.notifications += 1


@contextmanager
def desktop_session(world: World) -> Iterator[Desktop]:
    """A session bus with a tray host and a notification service for the children started inside."""
    log = world.log_path("dbus-daemon.stderr").open("wb")
    try:
        bus = SessionBus(stderr=log)
    except DBusDaemonMissing as exc:
        log.close()
        raise BenchError(f"cannot measure with the tray: {exc}") from None
    saved = os.environ.get(BUS_ENV)
    os.environ[BUS_ENV] = bus.address
    services: Child | None = None
    try:
        services = Child(["-m", "lab.desktop_bus"], world, "desktop-bus")
        services.expect("serving", SERVING_TIMEOUT_S)
        yield Desktop(services)
    finally:
        if services is not None:
            services.stop()
        if saved is None:
            os.environ.pop(BUS_ENV, None)
        else:
            os.environ[BUS_ENV] = saved
        bus.stop()
        log.close()
