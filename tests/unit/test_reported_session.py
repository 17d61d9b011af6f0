"""The app's record of which session its stored telemetry is of: trusted only when it is a session id."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from vpnui.reported_session import ReportedSession


def test_saved_id_is_read_back(tmp_path: Path) -> None:
    file = ReportedSession(tmp_path / "state" / "app-session.json")
    assert file.load() is None
    session_id = str(uuid.uuid4())
    file.save(session_id)
    assert ReportedSession(file.path).load() == session_id


@pytest.mark.parametrize(
    "content",
    [b"", b"{", b"[]", b'{"session_id": 5}', b'{"session_id": "not-a-uuid"}', b'{"session_id": "x", "more": 1}'],
)
def test_bad_content_is_unknown_and_kept(tmp_path: Path, content: bytes, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "app-session.json"
    path.write_bytes(content)
    assert ReportedSession(path).load() is None
    assert path.read_bytes() == content  # left for whoever wants to look at it
    assert "not a session id file" in caplog.text


def test_an_unwritable_place_is_logged_not_raised(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    ReportedSession(blocker / "app-session.json").save(str(uuid.uuid4()))
    assert "cannot save the reported session id" in caplog.text


def test_forget_leaves_no_id(tmp_path: Path) -> None:
    file = ReportedSession(tmp_path / "app-session.json")
    file.save(str(uuid.uuid4()))
    file.forget()
    assert file.load() is None
    file.forget()  # nothing to remove is fine
