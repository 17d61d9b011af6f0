"""``python -m lab.pipeline.system_check`` finds the JRE pyspark will start, or names the package to install."""

from __future__ import annotations

from pathlib import Path

import pytest

from lab.pipeline import system_check


def test_a_java_home_without_java_is_reported_with_the_debian_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("JAVA_HOME", str(tmp_path))

    assert system_check.main(["--no-install"]) == 1
    error = capsys.readouterr().err
    assert f"JAVA_HOME={tmp_path} has no bin/java" in error
    assert "apt-get install openjdk-17-jre-headless" in error


def test_the_java_of_java_home_is_the_one_pyspark_starts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "java").write_text("")
    monkeypatch.setenv("JAVA_HOME", str(tmp_path))

    assert system_check.java() == tmp_path / "bin" / "java"
    assert system_check.main(["--no-install"]) == 0
