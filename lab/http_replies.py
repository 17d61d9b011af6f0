"""How the lab's HTTP endpoints answer, fail and refuse.

"No internet" must look to a client like a dead network, not like an HTTP
error it could mistake for a server problem, so such a request gets no
response at all: the connection is torn down at once (the client sees a
disconnect immediately rather than waiting for its timeout).
"""

from __future__ import annotations

from typing import NoReturn

import msgspec
from aiohttp import web

from mimic_core.lab_api import ErrorReply
from mimic_core.network_conditions import Conditions

_encoder = msgspec.json.Encoder()


def json_reply(value: object, status: int = 200) -> web.Response:
    return web.Response(body=_encoder.encode(value), status=status, content_type="application/json")


def error_reply(message: str, status: int) -> web.Response:
    return json_reply(ErrorReply(message), status)


def drop_connection(request: web.Request) -> NoReturn:
    """Abort the connection without sending a response.

    The exception only ends the handler: with the transport already gone,
    aiohttp's attempt to send it fails quietly as a client disconnect.
    """
    transport = request.transport
    if transport is not None:
        transport.abort()
    raise web.HTTPServiceUnavailable()


def portal_url(request: web.Request) -> str:
    return str(request.url.origin().with_path("/portal"))


def obey_network(request: web.Request, conditions: Conditions) -> None:
    """What stands between a client and any web service: the network and the portal."""
    if not conditions.web_reachable():
        drop_connection(request)
    if conditions.captive_portal:
        raise web.HTTPFound(portal_url(request))
