"""Desktop notifications of what the VPN does, through org.freedesktop.Notifications.

Sent with desktop-notifier (dbus-fast underneath) on the app's asyncio loop.
What is said is in ``notification_texts``; this module decides when: the
global "Notifications" switch and each kind's own switch, a throttle per kind
and variant, nothing for a change the user just made in the focused window,
and nothing at all (one line in the log) without a session bus or a
notification service.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from mimic_core import dbus_calls
from vpnui.background_tasks import BackgroundTasks
from vpnui.connection.states import VPNClientState
from vpnui.desktop import manager_view as view
from vpnui.desktop import notification_texts as texts
from vpnui.desktop import session_bus
from vpnui.desktop.launcher import APP_ICON
from vpnui.desktop.notification_texts import USER_CHANGE_S, Note, Throttle
from vpnui.desktop.settings import NotificationKind
from vpnui.settings import Settings

if TYPE_CHECKING:
    from desktop_notifier import DesktopNotifier

    from vpnui.connection.manager import ConnectionManager

log = logging.getLogger(__name__)

SERVICE = "org.freedesktop.Notifications"
# The results of a user's own action that the window already shows them.
USER_CHANGE_KINDS = frozenset(
    {NotificationKind.CONNECTED, NotificationKind.DISCONNECTED, NotificationKind.SUBSCRIPTION}
)
USER_CHANGES = frozenset({"activate", "deactivate", "location"})


class DesktopNotifications(QObject):
    """Listens to the ConnectionManager and notifies the desktop."""

    def __init__(
        self,
        manager: ConnectionManager,
        settings: Settings,
        window_active: Callable[[], bool],
        throttle_s: float = texts.THROTTLE_S,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._manager = manager
        self._settings = settings
        self._window_active = window_active
        self._throttle = Throttle(throttle_s)
        self._tasks = BackgroundTasks("notifications")
        self._notifier: DesktopNotifier | None = None
        self._available: bool | None = None  # None: not probed yet
        self._said_unavailable = False
        self._user_change_at = -USER_CHANGE_S
        self._dismissed = ""
        self._state = view.client_state(manager)
        self._told_lost: set[NotificationKind] = set()
        # What the service accepted, in order.  A note's buttons work from the
        # moment it is here: desktop-notifier maps the service's id to the note
        # only once the Notify reply has been read.
        self.delivered: list[Note] = []

        manager.stateChanged.connect(self._on_state)
        manager.userActed.connect(self._on_user_acted)
        manager.serverMoved.connect(lambda old, new: self._post(texts.server_moved(old, new)))
        manager.captivePortalDetected.connect(self._on_captive_portal)
        manager.internetProbeFailed.connect(self._on_internet_lost)
        manager.daemonLost.connect(self._on_daemon_lost)
        manager.subscriptionNotFound.connect(self._on_subscription)
        manager.failureCleared.connect(self._on_failure_cleared)

    # ------------------------------------------------------------ events

    def _on_user_acted(self, what: str) -> None:
        if what == "dismiss":
            self._dismissed = self._manager.failure_key  # its "cleared" is the user's, not the network's
        elif what in USER_CHANGES:
            # The latest action decides: one made from the tray, or with the window in the background, is told.
            self._user_change_at = time.monotonic() if self._window_active() else -USER_CHANGE_S

    def _on_state(self) -> None:
        before, after = self._state, view.client_state(self._manager)
        self._state = after
        if after == VPNClientState.On and before in (VPNClientState.Connecting, VPNClientState.Switching):
            self._post(
                texts.connected(view.text(self._manager, "locationName"), view.text(self._manager, "serverName"))
            )
        elif after == VPNClientState.Off and before in (
            VPNClientState.On,
            VPNClientState.Disconnecting,
            VPNClientState.Switching,
        ):
            self._told_lost.discard(NotificationKind.INTERNET)
            self._post(texts.disconnected())

    def _on_captive_portal(self, _portal_url: str) -> None:
        if self._state == VPNClientState.On:
            self._post(texts.captive_portal())

    def _on_internet_lost(self) -> None:
        if self._state == VPNClientState.On:
            self._told_lost.add(NotificationKind.INTERNET)
            self._post(texts.internet_lost())

    def _on_daemon_lost(self) -> None:
        self._told_lost.add(NotificationKind.DAEMON)
        self._post(texts.daemon_lost())

    def _on_subscription(self, status: str) -> None:
        if status == "expired":
            self._post(texts.subscription_expired())

    def _on_failure_cleared(self, key: str) -> None:
        dismissed, self._dismissed = self._dismissed, ""
        if key == dismissed:
            return
        if key == "noInternet" and NotificationKind.INTERNET in self._told_lost:
            self._told_lost.discard(NotificationKind.INTERNET)
            if self._state == VPNClientState.On:
                self._post(texts.internet_back(view.text(self._manager, "locationName")))
        elif key == "daemonLost" and NotificationKind.DAEMON in self._told_lost:
            self._told_lost.discard(NotificationKind.DAEMON)
            self._post(texts.daemon_back())

    # ----------------------------------------------------------- sending

    def _post(self, note: Note) -> None:
        if not self._settings.notifications_enabled or not self._settings.desktop.notifies(note.kind):
            log.debug("notification %s is switched off", note.key)
            return
        now = time.monotonic()
        if note.kind in USER_CHANGE_KINDS and now - self._user_change_at < USER_CHANGE_S:
            log.debug("notification %s not sent: the user just made this change in the window", note.key)
            return
        if not self._throttle.allow(note, now):
            log.debug("notification %s throttled", note.key)
            return
        self._tasks.spawn(self._send(note))

    async def _send(self, note: Note) -> None:
        if not self._available and not await self._probe():
            return
        from desktop_notifier import Button, Urgency  # noqa: PLC0415

        assert self._notifier is not None
        buttons = [
            Button(title=label, identifier=action, on_pressed=partial(self._on_action, action))
            for action, label in note.actions
        ]
        await self._notifier.send(
            title=note.summary,
            message=note.body,
            urgency=Urgency.Critical if note.critical else Urgency.Normal,
            buttons=buttons,
        )
        self.delivered.append(note)

    def _on_action(self, action: str) -> None:
        if action == texts.TURN_OFF_ACTION:
            log.info("notification action: turn off the VPN")
            self._manager.deactivate()

    async def _probe(self) -> bool:
        """Whether a notification service is on the session bus; says so once in the log when not."""
        try:
            bus = await session_bus.connect()
            try:
                available = await session_bus.has_service(bus, SERVICE)
            finally:
                await dbus_calls.disconnect(bus)
            reason = "" if available else f"no {SERVICE} service on the session bus"
        except session_bus.NoSessionBus as exc:
            available, reason = False, f"no D-Bus session bus ({exc})"
        if available and self._notifier is None:
            # Loaded on first use: desktop-notifier and dbus-fast cost start-up time.
            from desktop_notifier import DesktopNotifier, Icon  # noqa: PLC0415

            self._notifier = DesktopNotifier(app_name="Mimic VPN", app_icon=Icon(path=APP_ICON))
        if not available and not self._said_unavailable:
            log.info("desktop notifications are off: %s", reason)
            self._said_unavailable = True
        self._available = available
        return available

    async def close(self) -> None:
        await self._tasks.cancel_all()
        backend = getattr(self._notifier, "_backend", None)
        bus = getattr(backend, "bus", None)
        if bus is not None:
            # desktop-notifier 6.2 has no close(); its backend's bus would
            # otherwise stay open on a loop that is about to close.
            await dbus_calls.disconnect(bus)
