"""The telemetry ingestion endpoint, speaking Glean's upload protocol.

Glean uploads to ``/submit/<app>/<ping>/<version>/<document id>`` with a
JSON body, gzip-compressed by default.  The body is decompressed here, not
by aiohttp, so a corrupt body is an ordinary 400 answer and the size of
what it expands to is bounded.  Any 2xx tells Glean the ping is
delivered, a 5xx or a dropped connection makes it retry later, and a 4xx
makes it give the ping up: the lab answers accordingly so telemetry
failure handling can be tested too.  The captive portal is not applied
here, so a portal test never loses the pings that report on it.
"""

from __future__ import annotations

import logging
import zlib
from typing import Final

import msgspec
from aiohttp import web

from lab.condition_board import ConditionBoard
from lab.http_replies import drop_connection, error_reply, json_reply
from lab.ingestion_store import IngestionStore

log = logging.getLogger(__name__)

MAX_PING_BYTES: Final = 16 * 1024 * 1024


class BodyError(ValueError):
    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def decode_body(raw: bytes, content_encoding: str) -> bytes:
    """The uncompressed body; ``BodyError`` for an encoding or size it refuses."""
    encoding = content_encoding.strip().lower()
    if encoding in ("", "identity"):
        return raw
    if encoding not in ("gzip", "x-gzip", "deflate"):
        raise BodyError(f"unsupported Content-Encoding {content_encoding!r}", 415)
    # wbits: 16+ for a gzip wrapper, 32+ to accept zlib or gzip for "deflate".
    decompressor = zlib.decompressobj(wbits=(16 if "gzip" in encoding else 32) + zlib.MAX_WBITS)
    try:
        body = decompressor.decompress(raw, MAX_PING_BYTES)
    except zlib.error as exc:
        raise BodyError(f"the body is not valid {encoding}: {exc}", 400) from None
    if decompressor.unconsumed_tail:
        raise BodyError(f"the ping expands to more than {MAX_PING_BYTES} bytes", 413)
    if not decompressor.eof:
        raise BodyError(f"the {encoding} body is truncated", 400)
    return body


class IngestionRoutes:
    def __init__(self, board: ConditionBoard, store: IngestionStore) -> None:
        self._board = board
        self._store = store

    def routes(self) -> list[web.RouteDef]:
        return [web.post("/submit/{app}/{ping}/{version}/{document_id}", self.submit)]

    async def submit(self, request: web.Request) -> web.StreamResponse:
        conditions = self._board.current
        if not conditions.web_reachable() or conditions.ingestion == "down":
            drop_connection(request)
        if conditions.ingestion == "error":
            return error_reply("ingestion is failing (lab condition)", 500)
        try:
            body = decode_body(await request.read(), request.headers.get("Content-Encoding", ""))
        except BodyError as exc:
            return error_reply(str(exc), exc.status)
        try:
            text = body.decode("utf-8")
            payload = msgspec.json.decode(body)
        except (UnicodeDecodeError, msgspec.DecodeError) as exc:
            return error_reply(f"the ping is not valid JSON: {exc}", 400)
        if not isinstance(payload, dict):
            return error_reply("the ping must be a JSON object", 400)
        info = request.match_info
        stored = await self._store.store(
            document_id=info["document_id"],
            app=info["app"],
            ping=info["ping"],
            version=info["version"],
            headers=dict(request.headers),
            payload=text,
        )
        if not stored:
            log.info("duplicate ping %s ignored", info["document_id"])
        return json_reply({"document_id": info["document_id"], "duplicate": not stored})
