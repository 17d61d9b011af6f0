"""The platform theme the app asks Qt for (vpnui/desktop/platform_theme.py): Qt's GNOME theme on GNOME only."""

from __future__ import annotations

import pytest

from vpnui.desktop.platform_theme import qt_arguments


@pytest.mark.parametrize("desktop", ["GNOME", "ubuntu:GNOME", "GNOME-Flashback:GNOME", "gnome"])
def test_on_gnome_the_app_asks_for_qts_gnome_theme(desktop: str) -> None:
    assert qt_arguments({"XDG_CURRENT_DESKTOP": desktop}) == ["-platformtheme", "gnome"]


@pytest.mark.parametrize("desktop", ["", "KDE", "XFCE", "X-Cinnamon", "MATE", "GNOME-Flashback", "Unity"])
def test_elsewhere_qt_chooses(desktop: str) -> None:
    assert qt_arguments({"XDG_CURRENT_DESKTOP": desktop}) == []
    assert qt_arguments({}) == []


def test_the_users_own_choice_stays() -> None:
    assert qt_arguments({"XDG_CURRENT_DESKTOP": "GNOME", "QT_QPA_PLATFORMTHEME": "gtk3"}) == []
