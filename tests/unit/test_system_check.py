"""What ``make run`` checks before the GUI starts (pure parts, plus the real plugin)."""

from __future__ import annotations

import pytest

from vpnui import system_check


def test_every_known_library_maps_to_a_package() -> None:
    packages, unknown = system_check.packages_for(["libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxcb-keysyms.so.1"])
    assert packages == ["libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1"]
    assert unknown == []


def test_unknown_libraries_are_named() -> None:
    packages, unknown = system_check.packages_for(["libfancy.so.9"])
    assert packages == [] and unknown == ["libfancy.so.9"]


def test_missing_libraries_reads_ldd_of_the_real_plugin() -> None:
    plugin = system_check.qt_dir() / "plugins" / "platforms" / "libqxcb.so"
    assert plugin.exists()
    missing = system_check.missing_libraries([plugin])
    # Whatever this machine lacks, every name is a shared object ldd reported.
    assert all(".so" in name for name in missing)


def test_a_machine_without_a_display_is_told_how_to_get_one(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.setattr(system_check, "missing_libraries", lambda binaries: [])
    assert system_check.main(["--no-install"]) == 1
    assert "xvfb-run -a make run" in capsys.readouterr().err


def test_missing_libraries_are_named_with_the_install_command(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(system_check, "missing_libraries", lambda binaries: ["libxcb-icccm.so.4"])
    assert system_check.main(["--no-install"]) == 1
    err = capsys.readouterr().err
    assert "libxcb-icccm.so.4" in err and "apt-get install libxcb-icccm4" in err


def test_ready_machine_passes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(system_check, "missing_libraries", lambda binaries: [])
    monkeypatch.setenv("DISPLAY", ":99")
    assert system_check.main(["--no-install"]) == 0
