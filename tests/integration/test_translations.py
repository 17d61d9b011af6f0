"""The catalogues match the sources, the build compiled them, and ``vpnui --locale`` or the system picks one.

A text added or changed in ``qml/`` or ``vpnui/`` without ``make
translations`` leaves the catalogue stale: the first test fails, naming the
command.  The last ones run the real app process (``vpnui --locale de``)
against a real lab and read what it shows through its inspector.
"""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from lab.daemon_process import checkout_environment
from lab.installation import Installation, wait_until
from mimic_core.inspector_protocol import AppState, Toggle
from vpnui.build_translations import LANGUAGES, catalogue, extract, is_stale, release


def test_the_catalogues_are_current_with_the_sources() -> None:
    stale = [language for language in LANGUAGES if is_stale(language, catalogue(language))]
    assert stale == [], f"stale catalogues {stale}: run `make translations` and translate what it marks unfinished"


def test_a_text_missing_from_a_catalogue_makes_it_stale(tmp_path: Path) -> None:
    """Proof that the check above can fail: a catalogue without one of the sources' texts."""
    tree = ET.parse(catalogue("de"))
    context = next(tree.getroot().iter("context"))
    context.remove(next(context.iter("message")))
    edited = tmp_path / "mimic_vpn_de.ts"
    tree.write(edited, encoding="utf-8", xml_declaration=True)
    assert is_stale("de", edited)


def test_the_compiled_catalogues_are_those_of_the_ts_files(tmp_path: Path) -> None:
    for language in LANGUAGES:
        built = catalogue(language).with_suffix(".qm")
        assert built.exists(), f"{built} is missing: run `make translations` (make run and make test do)"
        copy = tmp_path / catalogue(language).name
        copy.write_bytes(catalogue(language).read_bytes())
        (fresh,) = release([copy])
        assert fresh.read_bytes() == built.read_bytes(), f"{built} is older than its .ts: run `make translations`"


def test_the_system_locale_chooses_the_language() -> None:
    code = (
        "from PySide6.QtCore import QCoreApplication; from vpnui import i18n;"
        "app = QCoreApplication([]); print(i18n.install(app).name, i18n.translate('Status', 'VPN is off'))"
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith("LC_")}
    answers = {}
    for lang in ("de_DE.UTF-8", "de_AT.UTF-8", "C.UTF-8", "fr_FR.UTF-8"):
        done = subprocess.run(
            [sys.executable, "-W", "error", "-c", code],
            env=dict(checkout_environment(env), LANG=lang, LANGUAGE=""),
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        answers[lang] = done.stdout.strip()
    assert answers == {
        "de_DE.UTF-8": "de VPN ist aus",
        "de_AT.UTF-8": "de VPN ist aus",
        "C.UTF-8": "en VPN is off",
        "fr_FR.UTF-8": "en VPN is off",
    }


@pytest.fixture
def installation() -> Iterator[Installation]:
    found = Installation()
    try:
        found.start_lab()
        yield found
    finally:
        found.close()


def app_state(installation: Installation) -> AppState:
    state = installation.app_state()
    assert state is not None, installation.app_log_tail()
    return state


@pytest.mark.timeout(180)
def test_vpnui_locale_de_shows_the_status_and_a_failure_in_german(installation: Installation) -> None:
    installation.start_app(["--locale", "de"])
    assert wait_until(lambda: app_state(installation).link_state == "ready", 30, 0.2), installation.app_log_tail()
    off = app_state(installation)
    assert (off.title, off.subtitle) == ("VPN ist aus", "Schalten Sie es ein, um Ihre Verbindung zu schützen")

    installation.lab_control().patch({"internet": False})
    with installation.inspector() as inspector:
        inspector.request(Toggle())
    assert wait_until(lambda: app_state(installation).failure == "noInternet", 30, 0.2), installation.app_log_tail()
    failed = app_state(installation)
    # The card does not repeat the failure's title: its banner says it ("Keine Internetverbindung").
    assert (failed.title, failed.subtitle) == ("VPN ist aus", "Das VPN konnte nicht eingeschaltet werden")
    assert failed.failure_detail.startswith("Dieses Gerät ist nicht mit dem Internet verbunden.")


@pytest.mark.timeout(60)
def test_vpnui_locale_without_a_translation_is_refused_by_name(installation: Installation) -> None:
    installation.start_app(["--locale", "fr"], wait=False)
    assert wait_until(lambda: installation.app_exit_code() is not None, 30, 0.1)
    assert installation.app_exit_code() == 2
    assert "vpnui: --locale: no translation for 'fr' (available: en, de, pseudo)" in installation.app_log_tail()


def test_a_text_moved_to_another_file_keeps_its_translation_to_confirm(tmp_path: Path) -> None:
    """What the merge with a redesign of the QML relies on: moved texts are not translated again from nothing."""
    tree = ET.parse(catalogue("de"))
    for context in tree.getroot().iter("context"):
        if context.findtext("name") == "MainContent":
            name = context.find("name")
            assert name is not None
            name.text = "OldPlace"  # as if these texts had been in another file before
    moved = tmp_path / "mimic_vpn_de.ts"
    tree.write(moved, encoding="utf-8", xml_declaration=True)

    extract("de", moved)
    retry = [
        message.find("translation")
        for context in ET.parse(moved).getroot().iter("context")
        if context.findtext("name") == "MainContent"
        for message in context.iter("message")
        if message.findtext("source") == "Try again"
    ]
    assert [(found.text, found.get("type")) for found in retry if found is not None] == [
        ("Erneut versuchen", "unfinished")
    ]
    assert "OldPlace" not in moved.read_text(encoding="utf-8")
    assert not is_stale("de", moved)
