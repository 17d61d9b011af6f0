"""The user's settings, kept as JSON in the platformdirs config directory.

Settings are few and written rarely; JSON keeps them readable and editable.
A corrupt file never stops the app: it is moved aside (so nothing the user
wrote is lost) and defaults are used, with the reason logged.
"""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

import msgspec

from mimic_core.atomic_file import write_atomically
from mimic_core.paths import locations
from vpnui.desktop.settings import DesktopSettings

log = logging.getLogger(__name__)

SETTINGS_FILE = "settings.json"


class Settings(msgspec.Struct, kw_only=True):
    telemetry_enabled: bool = True
    notifications_enabled: bool = True
    country_code: str = ""
    city_code: str = ""
    # Identifies this installation to the account service (simulated) and in
    # telemetry; generated once.
    device_token: str = ""
    installation_id: str = ""
    # Notifications per kind, tray, login start (vpnui/desktop/).
    desktop: DesktopSettings = msgspec.field(default_factory=DesktopSettings)


def settings_path() -> Path:
    return locations().config / SETTINGS_FILE


def load_settings(path: Path | None = None) -> Settings:
    path = path or settings_path()
    settings = Settings()
    if path.exists():
        try:
            settings = msgspec.json.decode(path.read_bytes(), type=Settings)
        except (OSError, msgspec.DecodeError, msgspec.ValidationError) as exc:
            aside = path.with_suffix(".corrupt")
            log.error("settings file %s is unusable (%s); moved to %s, using defaults", path, exc, aside)
            path.replace(aside)
            settings = Settings()
    changed = False
    if not settings.device_token:
        settings.device_token = uuid.uuid4().hex
        changed = True
    if not settings.installation_id:
        settings.installation_id = str(uuid.uuid4())
        changed = True
    if changed:
        save_settings(settings, path)
    return settings


def save_settings(settings: Settings, path: Path | None = None) -> None:
    write_atomically(path or settings_path(), msgspec.json.format(msgspec.json.encode(settings)))
