"""Which Qt platform theme the app asks for: on GNOME, Qt's own GNOME theme, which follows the dark style.

The window's palette follows ``Qt.styleHints.colorScheme`` (``qml/theme/Theme.qml``),
and that is what the platform theme says.  On a desktop whose
``XDG_CURRENT_DESKTOP`` names GNOME, Qt (6.11.3, the release measured) tries
the ``gtk3`` theme first (the PySide6 wheel ships its plugin, and GTK 3 is on
every GNOME), and ``QGtk3Theme::colorScheme`` gives the colour scheme of the
GTK 3 theme, judged by its name and colours (``QGtk3Storage::populateMap``,
``src/plugins/platformthemes/gtk3/qgtk3storage.cpp``).  It also reads the
settings portal's ``org.freedesktop.appearance`` ``color-scheme``
(``qgtk3portalinterface.cpp``, an asynchronous ``ReadAll``), and which of the
two the window ends up with depends on timing: on an idle machine here a
dark portal setting left the window light, and under load the same start
turned dark.  GNOME's dark style (GNOME 42 and later) is that portal
setting, not a GTK theme (https://blogs.gnome.org/alicem/2021/10/04/dark-style-preference):
unless the user also picks a dark GTK 3 theme, it stays Adwaita, and a Qt
app may stay light on a dark desktop.  Qt's built-in ``gnome``
theme (``QGnomeTheme``, ``src/gui/platform/unix/qgnometheme.cpp``, what Qt
falls back to when the gtk3 plugin does not load) takes the colour scheme
from the portal at start (``ReadAll``) and follows its ``SettingChanged``.

So on GNOME the app asks for ``gnome`` (``-platformtheme``, an argument of
this process only: the browser or anything else it starts keeps Qt's own
choice).  It loses nothing it uses from the gtk3 theme: its controls, fonts
and icons are its own (``qml/components``, ``Theme.fontFamily``,
``resources/icons``) and it opens no native dialog.  ``QT_QPA_PLATFORMTHEME``,
when set, is the user's choice and is left alone.  Other desktops keep Qt's
choice: KDE's theme reads its own colour scheme files, and on the other GTK
desktops Qt's list (Cinnamon, MATE, Xfce...) the GTK theme is where the user
chooses dark.  ``tests/ui/desktop/test_color_scheme.py`` runs the app on a
display of its own with a settings portal.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

FOLLOWS_THE_PORTAL: Final = "gnome"
"""Qt's built-in GNOME platform theme."""


def qt_arguments(environ: Mapping[str, str]) -> list[str]:
    """The arguments for ``QGuiApplication`` that choose the platform theme (none: Qt's own choice)."""
    if environ.get("QT_QPA_PLATFORMTHEME"):
        return []
    desktops = environ.get("XDG_CURRENT_DESKTOP", "").upper().split(":")
    return ["-platformtheme", FOLLOWS_THE_PORTAL] if "GNOME" in desktops else []
