"""The real window in German and in the pseudo-locale: the QML's texts and the app's own, from one catalogue.

The language is installed as ``vpnui`` installs it (``vpnui.i18n.install``),
before the window is made, then removed again: the other tests read English.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QCoreApplication, QObject
from pytestqt.qtbot import QtBot

from lab.lab_process import LabProcess
from mimic_vpn_testing.app import make_app, start_app
from mimic_vpn_testing.qt_driving import click, find_object, open_popups, run, shown, text_of
from mimic_vpn_testing.surface import MODALS
from vpnui import i18n
from vpnui.app import MimicApp

StartIn = Callable[[str], MimicApp]


@pytest.fixture
def start_in(qtbot: QtBot, qapp: QCoreApplication, qt_loop: object, lab: LabProcess) -> Iterator[StartIn]:
    """Starts the app with a language installed; shuts it down and goes back to English afterwards."""
    started: list[tuple[MimicApp, i18n.Language]] = []

    def start(locale: str) -> MimicApp:
        language = i18n.install(qapp, locale)
        app = make_app(lab)
        started.append((app, language))
        return start_app(qtbot, app)

    yield start
    for app, language in started:
        run(qtbot, app.shutdown())
        i18n.uninstall(qapp, language)


def modal_opened(app: MimicApp, name: str) -> Callable[[], bool]:
    assert app.window is not None
    window = app.window
    return lambda: open_popups(window, MODALS) == [name]


def test_german_status_card_banner_and_failure_modal(qtbot: QtBot, start_in: StartIn, lab: LabProcess) -> None:
    app = start_in("de")
    window = app.window
    assert window is not None
    assert text_of(window, "statusTitle") == "VPN ist aus"
    assert text_of(window, "statusSubtitle") == "Schalten Sie es ein, um Ihre Verbindung zu schützen"
    assert find_object(window, "locationButton").property("overline") == "Standort"
    assert text_of(window, "settingsButton") == "Einstellungen"

    # A condition that clears by itself: a banner, its title the manager's (one text, in Python).
    lab.control.patch({"internet": False})
    click(qtbot, window, "vpnToggle")
    qtbot.waitUntil(lambda: shown(window, "bannerNoInternet"), timeout=15_000)
    assert text_of(window, "bannerNoInternetTitle") == "Keine Internetverbindung"
    assert text_of(window, "bannerNoInternetText") == (
        "Dieses Gerät ist nicht mit dem Internet verbunden."
        " Prüfen Sie WLAN oder Kabel und versuchen Sie es dann erneut."
    )
    assert text_of(window, "statusSubtitle") == "Das VPN konnte nicht eingeschaltet werden"
    lab.control.reset()
    qtbot.waitUntil(lambda: not shown(window, "bannerNoInternet"), timeout=15_000)

    # A decision: the modal's title (Python), its buttons and close button (QML), all German.
    lab.control.patch({"subscription": "expired"})
    click(qtbot, window, "vpnToggle")
    qtbot.waitUntil(modal_opened(app, "modalNoSubscription"), timeout=15_000)
    assert text_of(window, "modalNoSubscriptionTitle") == "Kein aktives Abonnement"
    assert text_of(window, "modalNoSubscriptionBody") == (
        "Ihr Abonnement ist abgelaufen. Verlängern Sie es, um das VPN zu nutzen."
    )
    assert text_of(window, "modalNoSubscriptionManage") == "Abonnement verwalten"
    assert find_object(window, "modalNoSubscriptionClose").property("label") == "Schließen"


def test_pseudo_locale_texts_are_longer_and_accented(qtbot: QtBot, start_in: StartIn) -> None:
    app = start_in(i18n.PSEUDO)
    window = app.window
    assert window is not None
    for name, source in (
        ("statusTitle", "VPN is off"),
        ("statusSubtitle", "Turn it on to protect your connection"),
        ("settingsButton", "Settings"),
        ("labPanelButton", "Network lab"),
    ):
        shown = text_of(window, name)
        assert shown == i18n.pseudo(source)
        assert len(shown) >= 1.4 * len(source)
        assert not any(character.isascii() and character.isalpha() for character in shown), shown
    label = find_object(window, "locationButton").property("overline")
    assert isinstance(label, str) and label == i18n.pseudo("Location")


def test_uninstalling_goes_back_to_english(qapp: QCoreApplication) -> None:
    language = i18n.install(qapp, "de")
    assert i18n.translate("Status", "VPN is off") == "VPN ist aus"
    assert i18n.number(12.5, 1) == "12,5"
    i18n.uninstall(qapp, language)
    assert i18n.translate("Status", "VPN is off") == "VPN is off"
    assert i18n.number(12.5, 1) == "12.5"
    assert isinstance(language.translator, QObject)
