"""Submissions as the lab's edge hands them to the store, built in one place for the store's tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import duckdb

from lab.pipeline.decoder import Submission
from lab.pipeline.store import RAW


def edge_submission(
    body: bytes = b"{}",
    *,
    document_id: str | None = None,
    doc_type: str = "vpnsession",
    tag: str | None = None,
    received: datetime | None = None,
    user_agent: str | None = None,
) -> Submission:
    """A ``POST /submit/mimic-vpn/<doc_type>/1/<document_id>`` of ``body``, tagged ``tag`` (X-Debug-ID) if given."""
    document_id = document_id or str(uuid.uuid4())
    return Submission(
        submission_timestamp=received or datetime.now(UTC),
        uri=f"/submit/mimic-vpn/{doc_type}/1/{document_id}",
        namespace="mimic-vpn",
        doc_type=doc_type,
        doc_version="1",
        doc_id=document_id,
        method="POST",
        content_length=len(body),
        user_agent=user_agent,
        headers={"x_debug_id": tag} if tag else {},
        payload=body,
    )


def raw_rows(db: duckdb.DuckDBPyConnection) -> int:
    """How many submissions the store's raw table holds."""
    (rows,) = db.execute(f"SELECT count(*) FROM {RAW}").fetchone() or (0,)
    return int(rows)
