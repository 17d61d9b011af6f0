"""The edge's spool (lab/pipeline/spool.py): what was answered stays on disk until the store committed it."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import msgspec
import pytest

from lab.pipeline import spool
from lab.pipeline.decoder import Submission
from lab.pipeline.spool import Spool
from lab.pipeline.store import Writer, connect, unstored
from tests.support.submissions import edge_submission


def submission(number: int, payload: bytes = b"\x1f\x8b gzip bytes \x00\xff") -> Submission:
    return edge_submission(
        payload,
        document_id=f"00000000-0000-4000-8000-{number:012d}",
        tag="run-1",
        received=datetime(2026, 12, 1, 15, 30, number % 60, 123456, tzinfo=UTC),
        user_agent="Glean/71.0.0 (Python on Linux)",
    )


def test_what_was_appended_and_not_committed_is_recovered_whole(tmp_path: Path) -> None:
    opened = Spool(tmp_path / "spool")
    opened.open()
    sent = [submission(n) for n in range(5)]
    sequences = [opened.append(item) for item in sent]
    opened.committed(sequences[1])  # a batch of two stored, three not: the segment is kept whole
    opened.close()  # (a killed lab does not even close; the records are on disk either way)

    recovered, segments = spool.recover(tmp_path / "spool")

    assert recovered == sent
    assert segments == sorted((tmp_path / "spool").glob("segment-*.bin"))


def test_a_torn_last_record_is_left_out(tmp_path: Path) -> None:
    opened = Spool(tmp_path / "spool")
    opened.open()
    opened.append(submission(1))
    opened.append(submission(2))
    (segment,) = (tmp_path / "spool").glob("segment-*.bin")
    # The lab killed in the middle of the second write: that request was never answered.
    os.truncate(segment, segment.stat().st_size - 3)

    recovered, _ = spool.recover(tmp_path / "spool")

    assert recovered == [submission(1)]


def test_the_segment_is_emptied_once_everything_appended_is_committed(tmp_path: Path) -> None:
    opened = Spool(tmp_path / "spool")
    opened.open()
    last = [opened.append(submission(n)) for n in range(3)][-1]

    opened.committed(last)

    assert spool.recover(tmp_path / "spool")[0] == []
    opened.close()
    assert list((tmp_path / "spool").iterdir()) == []


def test_a_full_segment_is_closed_and_deleted_once_committed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spool, "SEGMENT_BYTES", 1)  # every record starts a new segment
    opened = Spool(tmp_path / "spool")
    opened.open()
    first, second, third = (opened.append(submission(n)) for n in range(3))
    assert len(list((tmp_path / "spool").glob("segment-*.bin"))) == 3

    opened.committed(second)

    assert spool.recover(tmp_path / "spool")[0] == [submission(2)]
    opened.committed(third)
    assert spool.recover(tmp_path / "spool")[0] == []
    assert first < second < third
    opened.close()


def test_a_new_spool_never_appends_to_a_segment_left_for_recovery(tmp_path: Path) -> None:
    killed = Spool(tmp_path / "spool")
    killed.open()
    killed.append(submission(1))
    left, segments = spool.recover(tmp_path / "spool")

    restarted = Spool(tmp_path / "spool")
    restarted.open()
    restarted.append(submission(2))
    for path in segments:
        path.unlink()  # what the store does once it has stored the recovered ones

    assert left == [submission(1)]
    assert spool.recover(tmp_path / "spool")[0] == [submission(2)]
    restarted.close()
    killed.close()


def test_recovery_stores_only_what_the_store_does_not_hold_yet() -> None:
    # A lab killed after committing a batch but before emptying the spool left both copies behind.
    db = connect(None)
    try:
        committed = [submission(n, b"{not json") for n in range(3)]
        Writer(db).write(committed)
        left = [*committed, submission(3), submission(4)]

        assert unstored(db, left) == [submission(3), submission(4)]
        # The same document id uploaded again later is a new submission (a retry), not a stored one.
        retried = msgspec.structs.replace(submission(1), submission_timestamp=datetime(2026, 12, 1, 16, 0, tzinfo=UTC))
        assert unstored(db, [retried]) == [retried]
    finally:
        db.close()
