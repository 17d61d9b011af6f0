"""The freedesktop launcher entry, the app icon and the XDG autostart entry.

Stdlib only: ``vpnui --install-desktop-entry`` runs it without Qt or a display.
Locations follow the XDG base directory spec ($XDG_DATA_HOME, $XDG_CONFIG_HOME),
so a test points them at a temporary folder with two environment variables.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path
from typing import Final

from mimic_core import assets

APP_ID: Final = "mimic-vpn"
ICONS_DIR: Final = assets.resource("icons")
APP_ICON: Final = ICONS_DIR / f"{APP_ID}.svg"


def _xdg(variable: str, default: str) -> Path:
    value = os.environ.get(variable, "")
    # The spec: a relative path is invalid and is ignored.
    return Path(value) if value and os.path.isabs(value) else Path.home() / default


def applications_dir() -> Path:
    return _xdg("XDG_DATA_HOME", ".local/share") / "applications"


def icon_path() -> Path:
    return _xdg("XDG_DATA_HOME", ".local/share") / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"


def autostart_path() -> Path:
    return _xdg("XDG_CONFIG_HOME", ".config") / "autostart" / f"{APP_ID}.desktop"


def launch_command() -> str:
    """How this installation is started: this interpreter with ``-m vpnui`` (works in a venv never put on PATH)."""
    return shlex.join([sys.executable, "-m", "vpnui"])


def desktop_entry(autostart: bool = False) -> str:
    lines = [
        "[Desktop Entry]",
        "Type=Application",
        "Version=1.5",
        "Name=Mimic VPN",
        "GenericName=VPN client",
        "Comment=Connect to Mimic VPN and see the state of the connection",
        f"Exec={launch_command()}",
        f"Icon={APP_ID}",
        "Terminal=false",
        "Categories=Network;Security;",
        "Keywords=vpn;privacy;network;",
        "StartupNotify=true",
        f"StartupWMClass={APP_ID}",
        "SingleMainWindow=true",
    ]
    if autostart:
        lines.append("X-GNOME-Autostart-enabled=true")
    return "\n".join(lines) + "\n"


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


def install_desktop_entry() -> list[Path]:
    """The launcher entry and the icon, for this user; returns the files written."""
    entry = applications_dir() / f"{APP_ID}.desktop"
    _write(entry, desktop_entry())
    icon = icon_path()
    icon.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(APP_ICON, icon)
    return [entry, icon]


def uninstall_desktop_entry() -> list[Path]:
    removed = []
    for path in (applications_dir() / f"{APP_ID}.desktop", icon_path(), autostart_path()):
        if path.exists():
            path.unlink()
            removed.append(path)
    return removed


def write_autostart_entry() -> Path:
    path = autostart_path()
    _write(path, desktop_entry(autostart=True))
    return path


def remove_autostart_entry() -> None:
    autostart_path().unlink(missing_ok=True)
