"""The theme's text colours are readable on the fills they are used on (WCAG 2.1 AA).

Colours come from the Theme singleton as QML evaluates it
(tests/support/theme_contrast.py).  The start-up test checks the banner's
colours as rendered in the real window too (tests/ui/test_startup_layout.py).
"""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from tests.support.theme_contrast import AA_NORMAL_TEXT, contrast_ratio, theme_colours

# The daemon-link banner (qml/MainContent.qml): its text on its fill, per link state.
BANNER_PAIRS = {
    "starting": ("textOnWarning", "warning"),
    "lost": ("textOnDanger", "danger"),
}


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


@pytest.mark.parametrize("link_state", BANNER_PAIRS)
def test_banner_text_reaches_aa_contrast(qapp: QApplication, link_state: str) -> None:
    colours = theme_colours()
    text, fill = BANNER_PAIRS[link_state]
    ratio = contrast_ratio(colours[text], colours[fill])
    assert ratio >= AA_NORMAL_TEXT, f"{text} {colours[text]} on {fill} {colours[fill]}: {ratio:.2f}:1"
