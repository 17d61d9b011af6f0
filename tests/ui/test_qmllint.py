"""qmllint, with the type information of the app's Python types, finds nothing in ``qml/``.

Without that information qmllint cannot see ``ConnectionManager`` or
``Failure`` at all (an import warning, and every access to them unchecked);
with it, a mistyped property or enum value is a finding, as it is here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from vpnui.build_qml_typeinfo import MODULE_DIR, QMLTYPES_FILE, lint, main, qml_files, write_typeinfo

MISTYPED = """import QtQuick
import Mimic

Item {
    required property ConnectionManager manager
    visible: manager.failure === Failure.NoInternett || manager.linkStat === DaemonLink.Ready
}
"""


@pytest.fixture(scope="module")
def typeinfo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_typeinfo(tmp_path_factory.mktemp("qml-types"))


def test_the_type_information_describes_the_apps_types(typeinfo: Path) -> None:
    qmltypes = (typeinfo / MODULE_DIR / QMLTYPES_FILE).read_text()
    for exported in ("ConnectionManager", "LabConditions", "Preferences", "Failure", "DaemonLink", "Latency"):
        assert f'"Mimic/{exported} 1.0"' in qmltypes
    assert "isCreatable: false" in qmltypes
    # The picker creates its LocationSearch: the one type QML may create.
    search = qmltypes[qmltypes.index('name: "LocationSearch"') :]
    search = search[: search.index("Component {")] if "Component {" in search else search
    assert '"Mimic/LocationSearch 1.0"' in search and "isCreatable: false" not in search
    assert '"NoInternet"' in qmltypes and '"Switching"' in qmltypes


def test_qmllint_finds_nothing_in_the_apps_qml(typeinfo: Path) -> None:
    assert len(qml_files()) > 10
    findings = lint(typeinfo)
    assert findings == [], "\n".join(findings)


def test_qmllint_finds_a_mistyped_enum_and_property(typeinfo: Path, tmp_path: Path) -> None:
    broken = tmp_path / "Broken.qml"
    broken.write_text(MISTYPED)
    findings = "\n".join(lint(typeinfo, [broken]))
    assert 'Member "NoInternett" not found on type "Failure"' in findings
    assert 'Member "linkStat" not found on type "ConnectionManager"' in findings


def test_make_qmllint_finds_nothing_with_a_relative_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``make qmllint`` passes ``build/qml-types``, relative to where it runs: qmllint runs in ``qml/``."""
    monkeypatch.chdir(tmp_path)
    assert main(["qml-types", "--lint"]) == 0
