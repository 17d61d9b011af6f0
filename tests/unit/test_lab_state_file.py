"""The lab's announcement file: atomic, private, and removed only by its owner."""

from __future__ import annotations

import json
from pathlib import Path

from mimic_core.lab_state import read_state, ready_line, remove_state, write_state


def test_ready_line_is_one_json_object() -> None:
    line = ready_line("http://127.0.0.1:8123", 42)
    assert "\n" not in line
    assert json.loads(line) == {"event": "ready", "url": "http://127.0.0.1:8123", "pid": 42}


def test_written_state_reads_back_and_is_private(tmp_path: Path) -> None:
    path = tmp_path / "lab.json"
    write_state(path, ready_line("http://127.0.0.1:1", 7))
    state = read_state(path)
    assert state is not None
    assert (state.url, state.pid) == ("http://127.0.0.1:1", 7)
    assert path.stat().st_mode & 0o777 == 0o600
    assert [entry.name for entry in tmp_path.iterdir()] == ["lab.json"]


def test_missing_or_broken_state_reads_as_none(tmp_path: Path) -> None:
    assert read_state(tmp_path / "absent.json") is None
    broken = tmp_path / "broken.json"
    broken.write_text('{"url": ')
    assert read_state(broken) is None


def test_only_the_announcing_lab_removes_the_file(tmp_path: Path) -> None:
    path = tmp_path / "lab.json"
    write_state(path, ready_line("http://127.0.0.1:2", 100))
    remove_state(path, 99)
    assert path.exists()
    remove_state(path, 100)
    assert not path.exists()
    remove_state(path, 100)
