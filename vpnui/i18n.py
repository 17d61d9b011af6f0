"""The user's language: which translation the app loads, and how Python code marks its texts.

Every text the user reads is translatable in one catalogue per language
(``translations/mimic_vpn_<language>.ts``, compiled to ``.qm`` by ``make
translations``): the QML's ``qsTr`` texts and the Python ones, which are
written ``translate("Context", "Source text")`` with literal arguments so
that ``pyside6-lupdate`` finds them (``vpnui.build_translations``), and
filled in with ``arg`` (Qt's ``%1``, ``%2``, so a translation may reorder
them).  English is the source language: it needs no catalogue.

The catalogue is chosen from ``vpnui --locale`` or else the system's
locale, and installed before the window's first frame.  ``--locale
pseudo`` installs the pseudo-translation instead: every text accented and
about 40 % longer, made from the source text as it is shown, so text that
would be cut off in a longer language shows up without waiting for one.

Imports only QtCore and ``mimic_core.assets``: ``vpnui.main`` uses it
before the window is loaded, and so before the rest of the app is imported.
"""

from __future__ import annotations

import logging
import math
import re
from pathlib import Path
from typing import Final, NamedTuple

from PySide6.QtCore import QCoreApplication, QLocale, QTranslator

from mimic_core import assets

log = logging.getLogger(__name__)

CATALOGUE: Final = "mimic_vpn"
"""Catalogue files are ``<CATALOGUE>_<language>.ts`` / ``.qm``."""
SOURCE_LANGUAGE: Final = "en"
PSEUDO: Final = "pseudo"
PSEUDO_GROWTH: Final = 0.4
"""How much longer a pseudo-translated text is: German and French run 30 to 40 % longer than English."""


class UnknownLocaleError(ValueError):
    """``--locale`` names a language the app has no translation for."""


def translate(context: str, source: str, disambiguation: str | None = None) -> str:
    """``source`` in the user's language (``QCoreApplication.translate``).

    pyside6-lupdate extracts a call only when ``context`` and ``source`` are
    string literals and ``disambiguation`` a literal or None; a call it
    cannot read is silently left out, so ``tests/unit/test_i18n.py`` checks
    every call.  The app's Python texts have no plurals: lupdate 6.11 marks
    a Python call as a plural only when its count ``n`` is an integer
    literal, which a real count never is.
    """
    return QCoreApplication.translate(context, source, disambiguation)


_PLACEHOLDER: Final = re.compile(r"%([1-9])")


def arg(text: str, *values: object) -> str:
    """``text`` with ``%1``, ``%2``... replaced by ``values``, in one pass (a value's own ``%1`` stays)."""

    def value(match: re.Match[str]) -> str:
        number = int(match.group(1))
        return str(values[number - 1]) if number <= len(values) else match.group(0)

    return _PLACEHOLDER.sub(value, text)


def _number_locale(locale: QLocale) -> QLocale:
    # No thousands separators: the figures shown are small, and "1,023.9 KiB" reads worse.
    locale.setNumberOptions(QLocale.NumberOption.OmitGroupSeparator)
    return locale


_numbers = _number_locale(QLocale(QLocale.Language.English))
"""The language of the figures: that of the texts (English until ``install`` chose another)."""


def number(value: float, decimals: int) -> str:
    """``value`` with the decimal separator of the language shown (12.5 in English, 12,5 in German)."""
    return _numbers.toString(float(value), "f", decimals)


def translations_dir() -> Path:
    """Where the compiled catalogues are (absent until ``make translations`` ran in a checkout)."""
    return assets.translations_dir()


def available_languages() -> list[str]:
    """The languages the app can show: English, those with a compiled catalogue, and the pseudo-locale."""
    compiled = sorted(path.stem.removeprefix(f"{CATALOGUE}_") for path in translations_dir().glob(f"{CATALOGUE}_*.qm"))
    return [SOURCE_LANGUAGE, *compiled, PSEUDO]


# ------------------------------------------------------------ pseudo-locale

_ACCENTED: Final = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "åƀçđéƒĝĥîĵķļɱñöþǫŕšţûṽŵẋýžÅƁÇĐÉƑĜĤÎĴĶĻṀÑÖÞǪŔŠŢÛṼŴẊÝŽ",
)
_KEPT: Final = re.compile(r"%(?:L?[1-9]|n)|<[^>]*>|&[a-z]+;")
"""Placeholders, markup and entities: they must survive as they are."""
_VOWELS: Final = frozenset("åéîöûýÅÉÎÖÛÝ")


def pseudo(text: str) -> str:
    """``text`` accented and at least 40 % longer, in brackets that show when its end is cut off.

    The extra length is spread over the words (vowels doubled) so that line
    breaks fall as they would in a longer language; placeholders (``%1``,
    ``%n``) and markup are kept as they are.
    """
    if not text.strip():
        return text
    target = math.ceil(len(text) * (1 + PSEUDO_GROWTH))
    parts: list[str] = []
    kept_at = 0
    for match in _KEPT.finditer(text):
        parts.append(text[kept_at : match.start()].translate(_ACCENTED))
        parts.append(match.group(0))
        kept_at = match.end()
    parts.append(text[kept_at:].translate(_ACCENTED))
    # Even-numbered parts are text, odd ones kept as they are.
    missing = target - sum(len(part) for part in parts) - 2
    for index in range(0, len(parts), 2):
        grown = []
        for character in parts[index]:
            grown.append(character)
            if missing > 0 and character in _VOWELS:
                grown.append(character)
                missing -= 1
        parts[index] = "".join(grown)
    return "[" + "".join(parts) + "~" * max(0, missing) + "]"


class PseudoTranslator(QTranslator):
    """Translates every text to ``pseudo(text)``."""

    def translate(
        self, context: str, source_text: str, disambiguation: str | None = None, n: int = -1
    ) -> str:  # Qt's own signature
        return pseudo(source_text)

    def isEmpty(self) -> bool:
        return False


# ----------------------------------------------------------------- choosing


class Language(NamedTuple):
    """The language installed: its name (``en``, ``de``, ``pseudo``) and its translator, if any.

    A named tuple, not a dataclass: installed before the window is on
    screen, where the dataclasses module costs about 1 ms.
    """

    name: str
    translator: QTranslator | None = None


def install(app: QCoreApplication, requested: str | None = None) -> Language:
    """Install the translation for ``requested`` (``--locale``), or else the system's language.

    An explicit request the app cannot honour is an ``UnknownLocaleError``;
    a system language without a translation is English, said in the log.
    """
    global _numbers  # noqa: PLW0603  (one language per process, chosen at start)
    if requested == PSEUDO:
        pseudo_translator = PseudoTranslator(app)
        app.installTranslator(pseudo_translator)
        return Language(PSEUDO, pseudo_translator)
    locale = QLocale(requested) if requested else QLocale.system()
    if requested and locale.language() == QLocale.Language.C:
        raise UnknownLocaleError(f"{requested!r} is not a locale name (e.g. de, de_DE)")
    if locale.language() in (QLocale.Language.English, QLocale.Language.C):
        return Language(SOURCE_LANGUAGE)
    translator = QTranslator(app)
    # Tries the locale's UI languages in order (de_AT, then de...).
    if translator.load(locale, CATALOGUE, "_", str(translations_dir())):
        app.installTranslator(translator)
        _numbers = _number_locale(QLocale(translator.language()))
        return Language(translator.language(), translator)
    if requested:
        raise UnknownLocaleError(f"no translation for {requested!r} (available: {', '.join(available_languages())})")
    log.info("no translation for the system's language %s: English", locale.name())
    return Language(SOURCE_LANGUAGE)


def uninstall(app: QCoreApplication, language: Language) -> None:
    """Back to the source language (tests install several languages in one process)."""
    global _numbers  # noqa: PLW0603
    if language.translator is not None:
        app.removeTranslator(language.translator)
    _numbers = _number_locale(QLocale(QLocale.Language.English))
