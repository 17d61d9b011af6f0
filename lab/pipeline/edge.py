"""The ingestion edge: Mozilla's HTTP contract for Glean submissions.

``POST|PUT /submit/<namespace>/<docType>/<docVersion>/<docId>``.  As
gcp-ingestion's edge, it never looks inside the body: a corrupt gzip, bad
JSON or a schema-invalid ping still gets 200 and becomes a row of the error
table, because any 4xx makes Glean delete the ping and the fleet would never
learn that a client is broken.  What it does refuse is the request itself:
405 for another method, 411 without ``Content-Length``, 413 for a body over
1 MB, 431 for a kept header over 1024 bytes.  It keeps ``Date``, ``DNT``,
``User-Agent``, ``X-Debug-ID``, ``X-Source-Tags``, ``X-Telemetry-Agent`` and
``X-Pingsender-Version`` and stamps ``submission_timestamp`` (UTC, µs).
The answer is sent once the submission is in the store's spool (on disk; the
store decodes and commits it within a batch, ``lab.pipeline.store``); a
store that cannot keep it is a 503, which Glean retries.  The lab's ingestion conditions
(down, error) apply first; the captive portal does not, so a portal test
never loses the pings that report on it.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Final

from aiohttp import web

from lab.condition_board import ConditionBoard
from lab.http_replies import drop_connection, error_reply
from lab.pipeline.decoder import Submission
from lab.pipeline.store import PipelineStore, StoreUnavailableError
from lab.pipeline.tables import HEADERS

log = logging.getLogger(__name__)

MAX_PAYLOAD_BYTES: Final = 1024 * 1024
"""The edge's limit on a (compressed) body."""
MAX_HEADER_BYTES: Final = 1024
ACCEPTED_METHODS: Final = frozenset({"POST", "PUT"})
KEPT_HEADERS: Final = {name: name.replace("_", "-") for name in HEADERS}
"""Column name -> HTTP header (case-insensitive), e.g. ``x_source_tags`` -> ``x-source-tags``."""


class EdgeRoutes:
    def __init__(self, board: ConditionBoard, store: PipelineStore) -> None:
        self._board = board
        self._store = store

    def routes(self) -> list[web.RouteDef]:
        return [web.route("*", "/submit/{namespace}/{doc_type}/{doc_version}/{doc_id}", self.submit)]

    async def submit(self, request: web.Request) -> web.StreamResponse:
        conditions = self._board.current
        if not conditions.web_reachable() or conditions.ingestion == "down":
            drop_connection(request)
        if conditions.ingestion == "error":
            return error_reply("ingestion is failing (lab condition)", 500)
        if request.method not in ACCEPTED_METHODS:
            return web.Response(status=405, headers={"Allow": "POST, PUT"})
        for name in ("user-agent", *KEPT_HEADERS.values()):
            if len(request.headers.get(name, "").encode("utf-8", "surrogateescape")) > MAX_HEADER_BYTES:
                return error_reply(f"the {name} header is over {MAX_HEADER_BYTES} bytes", 431)
        if request.content_length is None:
            return error_reply("Content-Length is required", 411)
        if request.content_length > MAX_PAYLOAD_BYTES:
            return error_reply(f"the body is over {MAX_PAYLOAD_BYTES} bytes", 413)
        payload = await request.read()
        info = request.match_info
        submission = Submission(
            submission_timestamp=datetime.now(UTC),
            uri=request.path,
            namespace=info["namespace"],
            doc_type=info["doc_type"],
            doc_version=info["doc_version"],
            doc_id=info["doc_id"],
            method=request.method,
            content_length=request.content_length,
            user_agent=request.headers.get("User-Agent"),
            headers={
                column: value for column, header in KEPT_HEADERS.items() if (value := request.headers.get(header))
            },
            payload=payload,
        )
        try:
            await self._store.submit(submission)
        except StoreUnavailableError as exc:
            log.warning("submission %s not kept: %s", submission.doc_id, exc)
            return error_reply("the submission could not be kept; retry later", 503)
        return web.Response(status=200, text="OK")
