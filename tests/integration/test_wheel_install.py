"""The product installed from a wheel finds its QML, resources and translations, run from outside the checkout.

The app loads its window from QML files and both processes read data files
(the Glean definitions, the server list, the ping schema); a wheel carries
them only if they are package data, and the product finds them only if it
looks where the wheel put them rather than next to the source tree.
"""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path

from lab.daemon_process import REPO_ROOT
from tests.support.installed_product import clean_environment

CHECK = """
import json, sys
from PySide6.QtGui import QGuiApplication
from PySide6.QtQml import QQmlApplicationEngine

from vpnui import i18n
from vpnui.main_window import load_main_window

app = QGuiApplication(sys.argv)
language = i18n.install(app, "de")
engine = QQmlApplicationEngine()
window = load_main_window(engine)

from lab.pipeline.decoder import SCHEMA_FILE
from lab.server_catalog import load_catalog
from mimic_core import assets
from mimic_core.glean_definitions import bundled_definitions
from vpnui.desktop.launcher import APP_ICON
from lab.debug_view.rendering import environment
from lab.debug_view.routes import STATIC_DIR, STATIC_FILES

definitions = json.loads(assets.resource("glean_definitions.json").read_text(encoding="utf-8"))
print(json.dumps({
    "window": window.objectName(),
    "qml_dir": str(assets.qml_dir()),
    "resources_dir": str(assets.resources_dir()),
    "translations_dir": str(assets.translations_dir()),
    "language": language.name,
    "german": i18n.translate("Status", "VPN is off"),
    "definitions": sorted(definitions),
    "metrics": len(bundled_definitions().metrics),
    "servers": len(load_catalog().names()),
    "schema": json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))["$id"],
    "icon": APP_ICON.is_file(),
    "debug_view_templates": sorted(environment().list_templates()),
    "debug_view_static": sorted(name for name, (path, _) in STATIC_FILES.items() if path.is_file()),
    "debug_view_dir": str(STATIC_DIR),
}))
"""


def test_the_installed_wheel_loads_its_qml_and_resources_outside_the_checkout(
    installed_python: Path, tmp_path: Path
) -> None:
    result = subprocess.run(
        [str(installed_python), "-W", "error", "-c", textwrap.dedent(CHECK)],
        cwd=tmp_path,
        env=clean_environment(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "QML" not in result.stderr, result.stderr  # no QML error or warning either
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    for found in (answer["qml_dir"], answer["resources_dir"], answer["debug_view_dir"], answer["translations_dir"]):
        assert not Path(found).is_relative_to(REPO_ROOT), found  # the wheel's copy, not the checkout's
    assert answer["window"] == "mainWindow"
    # The compiled catalogue is package data too (built by make translations before the wheel).
    assert (answer["language"], answer["german"]) == ("de", "VPN ist aus")
    assert answer["definitions"] == ["generator", "metrics", "pings", "sources"]
    assert answer["metrics"] > 0
    assert answer["servers"] > 0
    assert answer["icon"] is True
    assert answer["schema"]
    # The lab's debug view: its page templates and static files are package data too.
    assert "overview.html" in answer["debug_view_templates"]
    assert "region_report.html" in answer["debug_view_templates"]
    assert answer["debug_view_static"] == ["debug-view.css", "debug-view.js", "icon.svg"]
