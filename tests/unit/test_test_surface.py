"""The objectNames promised to tests (``mimic_vpn_testing/surface.py``, ``docs/testing.md``) are all in the QML."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from lab.daemon_process import REPO_ROOT
from mimic_vpn_testing import surface

QML_DIR = REPO_ROOT / "qml"
DOC = REPO_ROOT / "docs" / "testing.md"
# objectName: "statusTitle"  /  objectName: "location_" + model.countryCode + ...
# A panel names its close button: closeName: "labPanelClose".
_STATIC = re.compile(r'(?:objectName|closeName):\s*"([A-Za-z0-9_]+)"\s*(\+)?')
# MVModal and MVBanner name their parts after themselves: objectName: root.objectName + "Title"
_DERIVED = re.compile(r'objectName:\s*root\.objectName\s*\+\s*"([A-Za-z]+)"')
# A banner, and the name its parts are made of: MVBanner { objectName: "daemonLinkBanner"
_BANNER = re.compile(r'MVBanner\s*\{\s*objectName:\s*"([A-Za-z0-9_]+)"')


def missing_names(qml_dir: Path) -> list[str]:
    """The listed names the QML under ``qml_dir`` no longer has."""
    static: set[str] = set()
    prefixes: set[str] = set()
    banners: set[str] = set()
    for path in qml_dir.rglob("*.qml"):
        source = path.read_text()
        for name, concatenated in _STATIC.findall(source):
            (prefixes if concatenated else static).add(name)
        banners.update(_BANNER.findall(source))
    modal_parts = set(_DERIVED.findall((qml_dir / "components" / "MVModal.qml").read_text()))
    banner_parts = set(_DERIVED.findall((qml_dir / "components" / "MVBanner.qml").read_text()))
    static.update(banner + part for banner in banners for part in banner_parts)
    listed = (*surface.MAIN, *surface.MODALS, *surface.MODAL_ACTIONS, *surface.BANNERS, *surface.PANELS)
    missing = [name for name in listed if name not in static]
    missing += [f"{modal}{part}" for modal in surface.MODALS for part in surface.MODAL_PARTS if part not in modal_parts]
    missing += [
        f"{banner}{part}" for banner in surface.BANNERS for part in surface.BANNER_PARTS if part not in banner_parts
    ]
    missing += [template for template in surface.TEMPLATES if template.split("{", 1)[0] not in prefixes]
    return missing


def test_every_listed_name_is_in_the_qml() -> None:
    assert missing_names(QML_DIR) == []


def test_a_name_gone_from_the_qml_is_reported(tmp_path: Path) -> None:
    qml = tmp_path / "qml"
    shutil.copytree(QML_DIR, qml)
    main = qml / "MainContent.qml"
    main.write_text(main.read_text().replace('objectName: "serverMovedNotice"', 'objectName: "movedNotice"'))
    picker = qml / "screens" / "LocationPicker.qml"
    picker.write_text(picker.read_text().replace('objectName: "location_" +', 'objectName: "city_" +'))

    assert missing_names(qml) == ["serverMovedNotice", "location_{country}_{city}", "location_{country}_{city}_recent"]


def test_the_documentation_lists_exactly_the_surface() -> None:
    section = DOC.read_text().split("## The test surface", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"`([A-Za-z0-9_{}]+)`", section))
    promised = {
        *surface.MAIN,
        *surface.MODALS,
        *surface.MODAL_ACTIONS,
        *surface.BANNERS,
        *surface.PANELS,
        *surface.TEMPLATES,
    }
    assert promised - listed == set(), "missing from docs/testing.md"
    # Besides the names, the section quotes only the parts' examples and the file names.
    examples = {"modalCaptivePortalTitle", "modalCaptivePortalClose", "bannerNoInternetText", "location_de_ber"}
    assert listed - promised <= examples
