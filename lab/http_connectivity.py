"""Connectivity and captive-portal detection, and the portal itself.

These mirror the well-known detection URLs that operating systems and
browsers use (``/generate_204``, ``/success.txt``), so the client's probes
can be pointed at real ones just as well.  Logging in on the portal page
clears the portal, as it would in a hotel lobby.
"""

from __future__ import annotations

from typing import Final

from aiohttp import web

from lab.condition_board import ConditionBoard
from lab.http_replies import drop_connection, obey_network

_PORTAL_PAGE: Final = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Lab Wi-Fi - sign in</title></head>
<body>
<h1>Welcome to Lab Wi-Fi</h1>
<p>Accept the terms to get online.</p>
<form method="post" action="/portal/login">
<button type="submit" id="accept">Accept and connect</button>
</form>
</body>
</html>
"""

_ONLINE_PAGE: Final = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Lab Wi-Fi - connected</title></head>
<body><h1>You are online</h1><p>You can close this page.</p></body>
</html>
"""


class ConnectivityRoutes:
    def __init__(self, board: ConditionBoard) -> None:
        self._board = board

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/generate_204", self.generate_204),
            web.get("/success.txt", self.success_txt),
            web.get("/portal", self.portal),
            web.post("/portal/login", self.portal_login),
        ]

    async def generate_204(self, request: web.Request) -> web.StreamResponse:
        obey_network(request, self._board.current)
        return web.Response(status=204)

    async def success_txt(self, request: web.Request) -> web.StreamResponse:
        obey_network(request, self._board.current)
        return web.Response(text="success", content_type="text/plain")

    async def portal(self, request: web.Request) -> web.StreamResponse:
        if not self._board.current.web_reachable():
            drop_connection(request)
        return web.Response(text=_PORTAL_PAGE, content_type="text/html")

    async def portal_login(self, request: web.Request) -> web.StreamResponse:
        if not self._board.current.web_reachable():
            drop_connection(request)
        self._board.patch({"captive_portal": False})
        return web.Response(text=_ONLINE_PAGE, content_type="text/html")
