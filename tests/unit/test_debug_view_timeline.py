"""Session timelines: which clients are one installation, and one line per shared session id."""

from __future__ import annotations

import msgspec

from lab.debug_view import queries, timeline
from lab.debug_view.queries import SessionPing
from lab.debug_view.timeline import AXIS_WIDTH, INACTIVE_LINE, LABEL_WIDTH, NO_ID_LINE
from mimic_core.telemetry_names import INACTIVE_SESSION_ID
from tests.support.recorded_run import FIRST_SESSION, SECOND_SESSION, recorded_store


def ping(
    document_id: str,
    process: str,
    client_id: str,
    session_id: str | None,
    reason: str,
    *,
    second: int,
    installation_id: str | None = None,
) -> SessionPing:
    return SessionPing(
        document_id=document_id,
        process=process,
        client_id=client_id,
        installation_id=installation_id,
        session_id=session_id,
        reason=reason,
        seq=second,
        end_time=f"2026-12-01T10:00:{second:02d}.000+00:00",
        received_at=f"2026-12-01T10:00:{second:02d}.500+00:00",
    )


def test_the_recorded_run_is_one_installation_with_a_line_per_session() -> None:
    db = recorded_store()
    try:
        pings = queries.session_pings(db, queries.Selection(), ("vpnsession", "daemonsession"), limit=1000)
    finally:
        db.close()
    (only,) = timeline.timelines(pings)
    assert {process for process, _ in only.clients} == {"app", "daemon"}
    lines = {line.label: line for line in only.lines}
    assert set(lines) == {NO_ID_LINE, INACTIVE_LINE, FIRST_SESSION, SECOND_SESSION}
    # Session 1: the daemon was killed, its successor closed it with flush_init (tests/support/recorded_run.py).
    first = lines[FIRST_SESSION]
    assert [mark.reason for mark in first.app] == ["start", "end"]
    assert [mark.reason for mark in first.daemon] == ["daemon_start", "flush_init"]
    assert [mark.kind for mark in first.daemon] == ["start", "flush-init"]
    second = lines[SECOND_SESSION]
    assert [mark.reason for mark in second.app] == ["start", "end"]
    assert [mark.reason for mark in second.daemon] == ["daemon_start", "daemon_end"]
    assert second.summary == "app: start#5 end#6; daemon: daemon_start#4 daemon_end#5"
    # The flush pings of both sides sit on the inactive id's line; the app's first flush_init had no id at all.
    assert {mark.reason for mark in lines[INACTIVE_LINE].app + lines[INACTIVE_LINE].daemon} == {"flush"}
    assert [mark.reason for mark in lines[NO_ID_LINE].app] == ["flush_init"]
    every_mark = [mark for line in only.lines for mark in line.app + line.daemon]
    assert min(mark.x for mark in every_mark) == LABEL_WIDTH
    assert max(mark.x for mark in every_mark) == LABEL_WIDTH + AXIS_WIDTH


def test_a_daemon_without_an_installation_id_joins_the_app_through_a_session_id() -> None:
    pings = [
        ping("a1", "app", "app-1", "s-1", "start", second=1, installation_id="inst-1"),
        ping("d1", "daemon", "daemon-1", "s-1", "daemon_start", second=0),
        ping("d2", "daemon", "daemon-1", "s-2", "daemon_start", second=5),  # a session the app never saw
        ping("x1", "app", "app-2", "s-9", "start", second=2, installation_id="inst-2"),  # another installation
        ping("d3", "daemon", "daemon-1", INACTIVE_SESSION_ID, "flush", second=4),
    ]
    groups = timeline.installations(pings)
    assert [sorted(p.document_id for p in group) for group in groups] == [["a1", "d1", "d2", "d3"], ["x1"]]
    first = timeline.timeline(groups[0])
    assert [line.label for line in first.lines] == ["s-1", INACTIVE_LINE, "s-2"]  # by first ping time
    assert first.installation_ids == ["inst-1"]
    assert [line.session_id for line in first.lines] == ["s-1", None, "s-2"]


def test_the_inactive_id_alone_links_nothing() -> None:
    pings = [
        ping("a", "daemon", "daemon-1", INACTIVE_SESSION_ID, "flush", second=0),
        ping("b", "daemon", "daemon-2", INACTIVE_SESSION_ID, "flush", second=1),
    ]
    assert len(timeline.installations(pings)) == 2


def test_a_ping_with_a_bad_end_time_is_placed_at_its_arrival() -> None:
    late = ping("a", "app", "app-1", "s-1", "start", second=3)
    bad = msgspec.structs.replace(ping("b", "app", "app-1", "s-1", "end", second=9), end_time="not a time")
    drawn = timeline.timeline([late, bad])
    (line,) = drawn.lines
    assert [mark.at for mark in line.app] == ["2026-12-01T10:00:03+00:00", "2026-12-01T10:00:09.500000+00:00"]
    (single,) = timeline.timeline([late]).lines
    assert single.app[0].x == LABEL_WIDTH + AXIS_WIDTH / 2  # one moment: the middle of the axis
