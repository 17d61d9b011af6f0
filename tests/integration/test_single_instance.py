"""One ``vpnui`` per user: a second launch shows the first one's window and exits 0 (two real processes)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from lab.lab_process import LabProcess
from vpnui.desktop import launcher


def test_a_second_launch_shows_the_running_window_and_exits_0(lab: LabProcess, tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    first_log = tmp_path / "first.log"
    with first_log.open("w") as log_file:
        first = subprocess.Popen([sys.executable, "-m", "vpnui"], env=env, stdout=log_file, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while "using the network lab" not in first_log.read_text() and time.monotonic() < deadline:
                assert first.poll() is None, first_log.read_text()
                time.sleep(0.1)
            second = subprocess.run(
                [sys.executable, "-m", "vpnui"], env=env, capture_output=True, text=True, timeout=60, check=False
            )
            assert second.returncode == 0, second.stderr
            assert "Mimic VPN is already running; its window was shown" in second.stderr
            deadline = time.monotonic() + 10
            while "another launch of vpnui: showing this window" not in first_log.read_text():
                assert time.monotonic() < deadline, first_log.read_text()
                time.sleep(0.1)
            assert first.poll() is None  # the first one keeps running
        finally:
            first.terminate()
            assert first.wait(timeout=30) == 0


def test_the_launcher_entry_and_icon_are_installed_and_removed_by_one_command(tmp_path: Path, mimic_home: Path) -> None:
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    installed = subprocess.run(
        [sys.executable, "-m", "vpnui", "--install-desktop-entry"], env=env, capture_output=True, text=True, check=True
    )
    entry = tmp_path / "data" / "applications" / "mimic-vpn.desktop"
    icon = tmp_path / "data" / "icons" / "hicolor" / "scalable" / "apps" / "mimic-vpn.svg"
    assert installed.stdout.split("\n")[:2] == [f"installed {entry}", f"installed {icon}"]
    text = entry.read_text()
    assert f"Exec={sys.executable} -m vpnui\n" in text
    assert "Icon=mimic-vpn\n" in text and "Name=Mimic VPN\n" in text
    assert icon.read_bytes() == launcher.APP_ICON.read_bytes()
    subprocess.run(
        [sys.executable, "-m", "vpnui", "--uninstall-desktop-entry"], env=env, check=True, capture_output=True
    )
    assert not entry.exists() and not icon.exists()
