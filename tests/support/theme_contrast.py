"""WCAG contrast of the theme's colours, read from the theme singleton itself.

The colours are taken from ``qml/theme/Theme.qml`` as QML evaluates it, in
its light or its dark palette (a colour defined as another one, or with
alpha, comes out as the UI uses it), and so are the pairs of colours the
theme says are drawn one on the other: a check can never drift from the file.  The ratio is WCAG 2.1's, computed
by coloraide; a translucent foreground is first laid over its background,
as the renderer does.
"""

from __future__ import annotations

from typing import Final

from coloraide import Color
from PySide6.QtCore import QObject
from PySide6.QtGui import QColor, QGuiApplication
from PySide6.QtQml import QJSValue, QQmlEngine

from vpnui.main_window import QML_DIR, set_color_scheme

AA_NORMAL_TEXT: Final = 4.5
"""WCAG 2.1 level AA (1.4.3) for text under 18 pt, or 14 pt bold."""
AA_LARGE_TEXT: Final = 3.0
"""WCAG 2.1 level AA for large text and (1.4.11) for the parts of controls."""


def contrast_ratio(foreground: str, background: str) -> float:
    """The WCAG 2.1 contrast ratio (1 to 21) of ``foreground`` on ``background``.

    Colours are CSS strings (``#rrggbb``, ``#rrggbbaa``, names).  The
    background must be opaque: what lies under a translucent one decides the
    contrast, and only the caller knows it.
    """
    back = Color(background)
    if back.alpha() < 1:
        raise ValueError(f"the background {background} is translucent: lay it over what is under it first")
    front = Color.layer([foreground, back], space="srgb")
    return float(front.contrast(back, method="wcag21"))


def _theme(engine: QQmlEngine, scheme: str) -> QObject:
    set_color_scheme(engine, scheme)
    theme = engine.singletonInstance("theme", "Theme")
    if not isinstance(theme, QObject):
        raise RuntimeError(f"the Theme singleton did not load from {QML_DIR / 'theme'}")
    return theme


def theme_colours(scheme: str = "light") -> dict[str, str]:
    """Every colour property of the ``Theme`` singleton in ``scheme`` ("light" or "dark"), as ``#rrggbbaa``.

    Needs a ``QGuiApplication`` (the theme imports Qt Quick).
    """
    if QGuiApplication.instance() is None:
        raise RuntimeError("reading the theme needs a QGuiApplication")
    engine = QQmlEngine()
    try:
        theme = _theme(engine, scheme)
        meta = theme.metaObject()
        colours: dict[str, str] = {}
        for index in range(meta.propertyOffset(), meta.propertyCount()):
            name = str(meta.property(index).name())
            value = theme.property(name)
            if isinstance(value, QColor):
                # QColor spells alpha first (#aarrggbb); CSS, and so coloraide, last.
                argb = value.name(QColor.NameFormat.HexArgb)
                colours[name] = f"#{argb[3:]}{argb[1:3]}"
        return colours
    finally:
        engine.deleteLater()


def theme_pairs() -> dict[str, list[tuple[str, str]]]:
    """The pairs the theme declares: ``text`` (its textPairs) and ``graphic`` (its graphicPairs), by colour name."""
    if QGuiApplication.instance() is None:
        raise RuntimeError("reading the theme needs a QGuiApplication")
    engine = QQmlEngine()
    try:
        theme = _theme(engine, "light")
        pairs: dict[str, list[tuple[str, str]]] = {}
        for kind in ("text", "graphic"):
            value = theme.property(f"{kind}Pairs")
            # A `var` list comes out as a QJSValue (PySide 6.11): its plain form is a list of lists.
            listed = value.toVariant() if isinstance(value, QJSValue) else value
            pairs[kind] = [(str(front), str(back)) for front, back in listed]
        return pairs
    finally:
        engine.deleteLater()
