"""The one setting ``vpnui`` reads before its window exists: Start minimised."""

from __future__ import annotations

from pathlib import Path

import pytest

from vpnui.settings import Settings, save_settings
from vpnui.settings_file import starts_minimised


@pytest.mark.parametrize("on", [True, False])
def test_the_setting_as_the_settings_model_writes_it(tmp_path: Path, on: bool) -> None:
    path = tmp_path / "settings.json"
    settings = Settings()
    settings.desktop.start_minimised = on
    save_settings(settings, path)
    assert starts_minimised(path) is on


@pytest.mark.parametrize(
    "text",
    [
        None,  # no file yet: a first launch
        "",
        "{not json",
        "[]",
        '{"desktop": []}',
        '{"desktop": {"start_minimised": "yes"}}',
        '{"desktop": {"start_minimised": 1}}',
        '{"start_minimised": true}',
    ],
)
def test_anything_else_is_not_minimised(tmp_path: Path, text: str | None) -> None:
    path = tmp_path / "settings.json"
    if text is not None:
        path.write_text(text)
    assert starts_minimised(path) is False
