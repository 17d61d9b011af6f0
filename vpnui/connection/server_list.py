"""Fetching the server list from the account service.

The location picker shows it and the server probe needs the servers of the
chosen city as the daemon's ``ServerEndpoint``; the model itself is shared
with the lab (``mimic_core.server_list``).
"""

from __future__ import annotations

from typing import TypeAlias

import aiohttp
import msgspec

from mimic_core import server_list
from mimic_core.server_list import ServerAddress
from vpnui.connection.http_probes import TRANSPORT_ERRORS, describe_transport_error, open_probe_session
from vpnui.connection.settings import ConnectionSettings

ServerList: TypeAlias = server_list.ServerList[ServerAddress]
"""The list as the account service publishes it: every server with its address."""


class ServerListError(Exception):
    """The server list could not be fetched or is not a valid list."""


_decoder = msgspec.json.Decoder(ServerList)


def decode_server_list(data: bytes) -> ServerList:
    """A server list from its JSON, or ``ServerListError`` naming what is wrong."""
    try:
        return _decoder.decode(data)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise ServerListError(f"invalid server list: {exc}") from None


async def fetch_server_list(
    servers_url: str, settings: ConnectionSettings, session: aiohttp.ClientSession | None = None
) -> ServerList:
    """The server list from the account service, or ``ServerListError``.

    ``session`` defaults to a private one that is closed before returning.
    """
    if session is None:
        async with open_probe_session() as own_session:
            return await fetch_server_list(servers_url, settings, own_session)
    timeout = aiohttp.ClientTimeout(total=settings.server_list_timeout_s)
    try:
        async with session.get(servers_url, timeout=timeout) as response:
            if response.status != 200:
                raise ServerListError(f"server list unavailable: HTTP {response.status} from {servers_url}")
            data = await response.read()
    except TRANSPORT_ERRORS as exc:
        reason = describe_transport_error(exc, settings.server_list_timeout_s)
        raise ServerListError(f"server list unavailable from {servers_url}: {reason}") from exc
    return decode_server_list(data)
