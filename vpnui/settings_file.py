"""Where the user's settings file is, and the one setting read before the window exists.

``vpnui.main`` asks whether to start minimised before it loads the window,
so that a start-minimised app never puts its window on screen, not even for
a frame.  That is before the app's own modules are imported (the window
comes first: ``vpnui.main_window``), so this module reads the file with the
standard library's JSON reader instead of the settings model
(``vpnui.settings``, on msgspec), which reads the whole file as usual later
and reports an unusable one; here such a file means "not minimised": the
window shows, and nothing is lost.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Final

from mimic_core.paths import locations

SETTINGS_FILE: Final = "settings.json"


def settings_path() -> Path:
    return locations().config / SETTINGS_FILE


def starts_minimised(path: Path | None = None) -> bool:
    """Whether Settings → "Start minimised" is on (``desktop.start_minimised`` in the file)."""
    try:
        data = json.loads((path or settings_path()).read_bytes())
    except (OSError, ValueError):
        return False
    desktop = data.get("desktop") if isinstance(data, dict) else None
    return isinstance(desktop, dict) and desktop.get("start_minimised") is True
