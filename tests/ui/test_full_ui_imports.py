"""What ``vpnui`` loads before its window shows its screens (the cold start's full UI).

The app's objects and screens come before its event loop, so what only the
running app needs (asyncio and ssl, the HTTP client, glean and its
stand-ins, the TOML parser, OpenSSL's hashes) is loaded after them; each of
these once delayed every start by milliseconds.  Checked in a fresh
interpreter that takes ``vpnui.main``'s steps up to the first frame with the
screens (the benchmark ``cold_start`` measures the time).
"""

from __future__ import annotations

from pathlib import Path

from tests.support.fresh_python import run_python

NOT_BEFORE_THE_SCREENS = (
    "asyncio",
    "ssl",
    "aiohttp",
    "glean",
    "glean_parser",
    "importlib.metadata",
    "tomllib",
    "_hashlib",
    "qasync",
    "vpnui.telemetry",
    "mimic_core.sync_client",
    # Needed only once the app runs: the picker's list (registered by
    # MimicApp.start(), the picker is compiled when first opened), the
    # notifications' texts, the login start entry, starting a daemon, the
    # lab's server list, the checks' results.
    "vpnui.location_search",
    "vpnui.desktop.notification_texts",
    "vpnui.desktop.launcher",
    "vpnui.detached",
    "mimic_core.server_list",
    "vpnui.connection.check_results",
    # Making a dataclass costs 0.3 to 1 ms; the path's classes are msgspec
    # structs (named tuples before msgspec is imported).
    "dataclasses",
)

FULL_UI = """
import json, os, sys
from mimic_core import early_start
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtGui import QGuiApplication
from PySide6.QtQml import QQmlApplicationEngine
early_start.restore_python_import()
from vpnui import i18n
from vpnui.main_window import load_main_window, wait_for_frame
app = QGuiApplication(sys.argv[:1])
i18n.install(app, "en")
engine = QQmlApplicationEngine()
wait_for_frame(load_main_window(engine))
from vpnui.app import AppOptions, MimicApp
from vpnui.config import Endpoints
mimic = MimicApp(AppOptions(endpoints=Endpoints(lab_url="http://127.0.0.1:9"), desktop=False), engine=engine)
wait_for_frame(mimic.show())
import PySide6.QtCore
screens = mimic.window.findChild(PySide6.QtCore.QObject, "statusHeader") is not None
print(json.dumps({
    "screens": screens,
    "loaded": sorted(sys.modules),
    # PySide6 builds its Qt namespace (every enum of it) on first use.
    "qt_namespace": "Qt" in vars(PySide6.QtCore),
}))
os._exit(0)
"""


def test_the_screens_come_before_what_only_the_running_app_needs(mimic_home: Path) -> None:
    found = run_python(FULL_UI)
    assert found["screens"] is True
    loaded = set(found["loaded"])
    early = sorted(
        name for name in loaded if any(name == m or name.startswith(m + ".") for m in NOT_BEFORE_THE_SCREENS)
    )
    assert early == []
    assert found["qt_namespace"] is False
