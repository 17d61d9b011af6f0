"""The Controller: turns the VPN on and off in the daemon, nothing else.

All decisions about whether to activate live in the ConnectionManager; the
Controller only carries them out.  Keeping it this small is the point of the
ConnectionManager design: one place holds state, one place talks to the daemon.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QObject

from mimic_core import protocol
from vpnui.daemon_client import DaemonClient

# Activation covers handshakes with several candidate servers, each with
# retries; it is answered when one succeeds or all failed.
ACTIVATE_TIMEOUT_S = 60.0


class Controller(QObject):
    def __init__(self, client: DaemonClient, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._client = client

    async def activate(
        self,
        servers: Sequence[protocol.ServerEndpoint],
        location: str,
        standby: Sequence[protocol.ServerEndpoint] = (),
    ) -> dict[str, Any]:
        """Ask the daemon for a tunnel to the first live server of ``servers``.

        ``standby``: the location's other servers, where the daemon may move
        the tunnel later if its server stops answering.
        """
        request = protocol.Activate(id=0, servers=list(servers), location=location, standby=list(standby))
        data = await self._client.request(request, timeout=ACTIVATE_TIMEOUT_S)
        return data

    async def deactivate(self) -> None:
        await self._client.request(protocol.Deactivate(id=0))
