"""``python -m lab.debug_view.system_check`` finds the Chromium the browser test drives, or names the package."""

from __future__ import annotations

from pathlib import Path

import pytest

from lab.debug_view import system_check


def test_without_chromium_on_path_it_names_the_debian_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))

    assert system_check.chromium() is None
    assert system_check.main(["--no-install"]) == 1
    assert "sudo apt-get install chromium" in capsys.readouterr().err


def test_the_chromium_on_path_is_the_one_the_test_starts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    browser = tmp_path / "chromium"
    browser.write_text("#!/bin/sh\n")
    browser.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))

    assert system_check.chromium() == browser
    assert system_check.main(["--no-install"]) == 0
