"""The lab panel: see and flip the embedded lab's network conditions.

It follows the lab's event stream so the panel always shows the real
conditions (also when they are changed from the command line), and every
change is reported to the ConnectionManager as a network change, the way an
operating system reports a Wi-Fi switch.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import msgspec
from PySide6.QtCore import QObject, Signal, Slot

from vpnui.background_tasks import BackgroundTasks
from vpnui.i18n import arg, translate
from vpnui.qml_types import app_type
from vpnui.typed_property import typed_property

if TYPE_CHECKING:
    import aiohttp

log = logging.getLogger(__name__)

RECONNECT_S = 1.0


@app_type("The lab conditions are created by the app")
class LabConditions(QObject):
    availableChanged = Signal()
    conditionsChanged = Signal()
    errorChanged = Signal()

    def __init__(self, on_change: Callable[[], None], expected: bool = False, parent: QObject | None = None) -> None:
        """``expected``: a lab will be attached (the embedded one, or a configured lab URL)."""
        super().__init__(parent)
        self._on_change = on_change
        self._expected = expected
        self._url: str | None = None
        self._http: aiohttp.ClientSession | None = None
        self._conditions: dict[str, Any] = {}
        self._servers: list[dict[str, Any]] = []
        self._error = ""
        self._tasks = BackgroundTasks("lab panel")

    def _get_available(self) -> bool:
        return self._url is not None

    def _get_expected(self) -> bool:
        return self._expected or self._url is not None

    def _get_conditions(self) -> dict[str, Any]:
        return self._conditions

    def _get_servers(self) -> list[dict[str, Any]]:
        return self._servers

    def _get_error(self) -> str:
        return self._error

    available = typed_property(bool, _get_available, notify=availableChanged)
    # Known from the first frame, while ``available`` waits for the lab to be
    # found: the lab panel's button takes its place at once, so the buttons
    # beside it do not shift under the pointer when the lab turns up.
    expected = typed_property(bool, _get_expected, notify=availableChanged)
    conditions = typed_property(dict, _get_conditions, notify=conditionsChanged)
    servers = typed_property(list, _get_servers, notify=conditionsChanged)
    error = typed_property(str, _get_error, notify=errorChanged)

    def attach(self, lab_url: str) -> None:
        """Follow the lab at ``lab_url``."""
        import aiohttp  # noqa: PLC0415  (loaded after the window is shown)

        self._url = lab_url.rstrip("/")
        self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=3.0))
        self.availableChanged.emit()
        self._tasks.spawn(self._follow(lab_url))

    async def close(self) -> None:
        await self._tasks.cancel_all()
        if self._http is not None:
            await self._http.close()
            self._http = None

    @Slot(str, "QVariant")
    def setCondition(self, key: str, value: Any) -> None:
        self._patch({key: value})

    @Slot(str, str, "QVariant")
    def setServer(self, name: str, field: str, value: Any) -> None:
        self._patch({"servers": {name: {field: value}}})

    @Slot()
    def reset(self) -> None:
        self._tasks.spawn(self._call("POST", "/lab/reset", None))

    def _patch(self, patch: dict[str, Any]) -> None:
        self._tasks.spawn(self._call("PATCH", "/lab/conditions", patch))

    async def _call(self, method: str, path: str, body: dict[str, Any] | None) -> None:
        import aiohttp  # noqa: PLC0415

        if self._url is None or self._http is None:
            return
        try:
            async with self._http.request(method, f"{self._url}{path}", json=body) as reply:
                if reply.status >= 400:
                    refusal = (await reply.json()).get("error", reply.status)
                    self._set_error(arg(translate("Lab", "The lab refused: %1"), refusal))
                    return
            self._set_error("")
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            self._set_error(arg(translate("Lab", "The lab is unreachable: %1"), exc))

    def _set_error(self, error: str) -> None:
        if error != self._error:
            self._error = error
            self.errorChanged.emit()

    async def _follow(self, lab_url: str) -> None:
        """Mirror the lab's conditions from its event stream, reconnecting if it drops."""
        import asyncio  # noqa: PLC0415  (see vpnui.background_tasks)

        import aiohttp  # noqa: PLC0415

        while True:
            try:
                await self._load_servers()
                assert self._http is not None
                async with self._http.get(
                    f"{lab_url}/lab/events", timeout=aiohttp.ClientTimeout(total=None, sock_read=None)
                ) as response:
                    first = True
                    async for raw in response.content:
                        line = raw.decode("utf-8", "replace").strip()
                        if line.startswith("data:"):
                            self._update(json.loads(line[5:]), announce=not first)
                            first = False
            except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
                self._set_error(arg(translate("Lab", "The lab is unreachable: %1"), exc))
            await asyncio.sleep(RECONNECT_S)

    async def _load_servers(self) -> None:
        # Here, not at import: the lab's servers are read once it answers,
        # long after the window's screens (which this module is loaded for).
        from mimic_core.server_list import ServerList, ServerName  # noqa: PLC0415

        if self._url is None or self._http is None:
            return
        async with self._http.get(f"{self._url}/lab/servers") as reply:
            reply.raise_for_status()
            directory = msgspec.json.decode(await reply.read(), type=ServerList[ServerName])
        self._servers = [
            {"name": server.name, "city": city.code, "cityName": city.name}
            for country in directory.countries
            for city in country.cities
            for server in city.servers
        ]

    def _update(self, conditions: dict[str, Any], announce: bool) -> None:
        self._conditions = conditions
        servers = conditions.get("servers", {})
        for row in self._servers:
            state = servers.get(row["name"], {})
            row["down"] = bool(state.get("down", False))
            row["latencyMs"] = int(state.get("latency_ms", 0))
            row["loss"] = float(state.get("loss", 0.0))
        self._set_error("")
        self.conditionsChanged.emit()
        if announce:
            self._on_change()
