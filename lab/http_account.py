"""The account service: subscription status and the server list.

"Service unreachable" and "no subscription" are different diagnoses in the
client, so the service being down answers 503 and never a status; the
status itself comes from the conditions.  Both endpoints sit behind the
same network as everything else (no internet, captive portal).
"""

from __future__ import annotations

from typing import Final

from aiohttp import web

from lab.condition_board import ConditionBoard
from lab.http_replies import error_reply, json_reply, obey_network
from lab.vpn_servers import VpnServers

_ACCOUNT_PAGE: Final = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Lab account - subscription</title></head>
<body>
<h1>Your subscription</h1>
<p>Status: <strong id="status">{status}</strong></p>
<form method="post" action="/account/renew">
<button type="submit" id="renew">Renew subscription</button>
</form>
</body>
</html>
"""


class AccountRoutes:
    def __init__(self, board: ConditionBoard, servers: VpnServers) -> None:
        self._board = board
        self._servers = servers

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/api/v1/subscription", self.subscription),
            web.get("/api/v1/servers", self.server_list),
            web.get("/account", self.account_page),
            web.post("/account/renew", self.renew),
        ]

    async def account_page(self, request: web.Request) -> web.StreamResponse:
        """Where "manage subscription" leads: the status, and a way to renew."""
        unavailable = self._refuse(request)
        if unavailable is not None:
            return unavailable
        return web.Response(
            text=_ACCOUNT_PAGE.format(status=self._board.current.subscription), content_type="text/html"
        )

    async def renew(self, request: web.Request) -> web.StreamResponse:
        unavailable = self._refuse(request)
        if unavailable is not None:
            return unavailable
        self._board.patch({"subscription": "active"})
        return web.Response(text=_ACCOUNT_PAGE.format(status="active"), content_type="text/html")

    async def subscription(self, request: web.Request) -> web.StreamResponse:
        unavailable = self._refuse(request)
        if unavailable is not None:
            return unavailable
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return error_reply("a device token is required (Authorization: Bearer <token>)", 401)
        return json_reply({"status": self._board.current.subscription})

    async def server_list(self, request: web.Request) -> web.StreamResponse:
        unavailable = self._refuse(request)
        if unavailable is not None:
            return unavailable
        return json_reply(self._servers.directory())

    def _refuse(self, request: web.Request) -> web.Response | None:
        conditions = self._board.current
        obey_network(request, conditions)
        if conditions.account_service == "down":
            return error_reply("the account service is unavailable", 503)
        return None
