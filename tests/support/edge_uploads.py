"""Uploads to the lab's edge as Glean sends them: the recorded real pings, gzipped, with fresh ids per copy.

Copy ``k`` of the recording (``benchmarks.ping_copies``: every id given the
prefix ``k``, every date moved on by ``k`` days) is clients and sessions of
its own, so several copies uploaded under different ``X-Debug-ID`` headers
are runs that can be told apart only by that header.
"""

from __future__ import annotations

import gzip
import http.client
from urllib.parse import urlsplit

import msgspec

from benchmarks.ping_copies import fresh_copy, recorded, recorded_day
from mimic_core.lab_api import StoredPing


def copy_of_recording(k: int) -> list[StoredPing]:
    """Copy ``k`` (1 and up: copy 0 keeps the recorded ids' shape) of the recorded pings, oldest first."""
    pings = recorded()
    day = recorded_day(pings)
    return [
        msgspec.json.decode(fresh_copy(msgspec.json.encode(ping).decode(), k, day), type=StoredPing) for ping in pings
    ]


def submit_path(ping: StoredPing) -> str:
    return f"/submit/{ping.app}/{ping.ping}/{ping.version}/{ping.document_id}"


def upload(url: str, path: str, body: bytes, headers: dict[str, str] | None = None) -> int:
    """POST ``body`` (already gzipped) to the lab at ``url``; the answer's status."""
    where = urlsplit(url)
    connection = http.client.HTTPConnection(where.hostname or "127.0.0.1", where.port, timeout=10)
    try:
        connection.request(
            "POST",
            path,
            body=body,
            headers={"Content-Type": "application/json; charset=utf-8", "Content-Encoding": "gzip", **(headers or {})},
        )
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def upload_ping(url: str, ping: StoredPing, headers: dict[str, str] | None = None) -> int:
    """Upload ``ping``'s payload as Glean would, under its document id."""
    return upload(url, submit_path(ping), gzip.compress(msgspec.json.encode(ping.payload)), headers)
