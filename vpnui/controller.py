"""The Controller: turns the VPN on and off in the daemon, nothing else.

All decisions about whether to activate live in the ConnectionManager; the
Controller only carries them out and mirrors the one fact the daemon owns,
whether a tunnel is active.  Keeping it this small is the point of the
ConnectionManager design: one place holds state, one place talks to the daemon.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Property, QObject, Signal

from mimic_core import protocol
from vpnui.daemon_client import DaemonClient

# Activation covers handshakes with several candidate servers, each with
# retries; it is answered when one succeeds or all failed.
ACTIVATE_TIMEOUT_S = 60.0


class Controller(QObject):
    activeChanged = Signal(bool)

    def __init__(self, client: DaemonClient, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._client = client
        self._active = False
        client.eventReceived.connect(self._on_event)

    def _get_active(self) -> bool:
        return self._active

    active = Property(bool, _get_active, notify=activeChanged)

    def _set_active(self, active: bool) -> None:
        if active != self._active:
            self._active = active
            self.activeChanged.emit(active)

    async def activate(self, servers: Sequence[protocol.ServerEndpoint], location: str) -> dict[str, Any]:
        """Ask the daemon for a tunnel to the first live server of ``servers``."""
        data = await self._client.request(
            protocol.Activate(id=0, servers=list(servers), location=location), timeout=ACTIVATE_TIMEOUT_S
        )
        self._set_active(True)
        return data

    async def deactivate(self) -> None:
        await self._client.request(protocol.Deactivate(id=0))
        self._set_active(False)

    def sync(self, status: protocol.StatusData) -> None:
        """Adopt the daemon's truth (after a (re)connection)."""
        self._set_active(status.state in ("on", "connecting"))

    def _on_event(self, event: object) -> None:
        if isinstance(event, protocol.Connected):
            self._set_active(True)
        elif isinstance(event, protocol.Disconnected):
            self._set_active(False)
