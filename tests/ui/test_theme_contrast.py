"""The theme's text and control colours are readable on what they are drawn on (WCAG 2.1 AA), light and dark.

The colours and the pairs come from the Theme singleton as QML evaluates it
(tests/support/theme_contrast.py): the theme lists every text colour with
each fill it is used on (``textPairs``) and every control part with its
background (``graphicPairs``), so nothing here repeats them.  The start-up
test checks the banner's colours as rendered in the real window too
(tests/ui/test_startup_layout.py).
"""

from __future__ import annotations

import pytest
from PySide6.QtQml import QQmlApplicationEngine
from PySide6.QtWidgets import QApplication

from tests.support.theme_contrast import AA_LARGE_TEXT, AA_NORMAL_TEXT, contrast_ratio, theme_colours, theme_pairs
from vpnui.main import parse_args
from vpnui.main_window import load_main_window, set_color_scheme

SCHEMES = ("light", "dark")


@pytest.mark.parametrize(
    ("foreground", "background", "ratio"),
    [
        ("#ffffff", "#000000", 21.0),
        ("#777777", "#777777", 1.0),
        ("#ffffff", "#ffa436", 1.98),  # the banner's old white on orange
        ("#000000", "#ffffff", 21.0),
        ("#ffffff00", "#000000", 1.0),  # fully transparent text shows only the fill
    ],
)
def test_contrast_ratio_is_wcag_21(foreground: str, background: str, ratio: float) -> None:
    assert contrast_ratio(foreground, background) == pytest.approx(ratio, abs=0.005)


def test_opaque_colours_give_the_same_ratio_either_way_round() -> None:
    assert contrast_ratio("#ffa436", "#20123a") == pytest.approx(contrast_ratio("#20123a", "#ffa436"))


def test_a_translucent_background_is_refused() -> None:
    with pytest.raises(ValueError, match="translucent"):
        contrast_ratio("#ffffff", "#00000080")


def test_the_theme_declares_its_pairs_by_colour_names(qapp: QApplication) -> None:
    pairs = theme_pairs()
    colours = theme_colours()
    assert len(pairs["text"]) >= 20 and len(pairs["graphic"]) >= 10
    unknown = {name for pair in (*pairs["text"], *pairs["graphic"]) for name in pair} - set(colours)
    assert unknown == set()


def test_the_dark_palette_is_another_palette(qapp: QApplication) -> None:
    light, dark = theme_colours("light"), theme_colours("dark")
    for name in ("bgPage", "surface", "text", "textMuted", "accent"):
        assert light[name] != dark[name], name
    assert contrast_ratio(dark["bgPage"], "#000000") < contrast_ratio(light["bgPage"], "#000000")


@pytest.mark.parametrize("scheme", SCHEMES)
def test_every_text_of_the_theme_reaches_aa_on_its_backgrounds(qapp: QApplication, scheme: str) -> None:
    colours = theme_colours(scheme)
    failing = [
        f"{text} {colours[text]} on {fill} {colours[fill]}: {contrast_ratio(colours[text], colours[fill]):.2f}:1"
        for text, fill in theme_pairs()["text"]
        if contrast_ratio(colours[text], colours[fill]) < AA_NORMAL_TEXT
    ]
    assert failing == []


@pytest.mark.parametrize("scheme", SCHEMES)
def test_every_control_part_reaches_3_to_1_on_its_background(qapp: QApplication, scheme: str) -> None:
    colours = theme_colours(scheme)
    failing = [
        f"{part} {colours[part]} on {fill} {colours[fill]}: {contrast_ratio(colours[part], colours[fill]):.2f}:1"
        for part, fill in theme_pairs()["graphic"]
        if contrast_ratio(colours[part], colours[fill]) < AA_LARGE_TEXT
    ]
    assert failing == []


def test_a_forced_scheme_colours_the_window_and_an_unknown_one_is_refused(qapp: QApplication) -> None:
    engine = QQmlApplicationEngine()
    try:
        assert parse_args(["--color-scheme", "dark"]).color_scheme == "dark"
        set_color_scheme(engine, "dark")
        window = load_main_window(engine)
        assert window.color().name() == theme_colours("dark")["bgPage"][:7]
        set_color_scheme(engine, "light")
        assert window.color().name() == theme_colours("light")["bgPage"][:7]
        with pytest.raises(ValueError, match="unknown colour scheme 'sepia'"):
            set_color_scheme(engine, "sepia")
        window.close()
    finally:
        engine.deleteLater()
