"""Translatable texts: the marking lupdate can read, placeholders, the pseudo-locale, the German catalogue."""

from __future__ import annotations

import ast
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from lab.daemon_process import REPO_ROOT
from vpnui.i18n import PSEUDO_GROWTH, arg, pseudo

CATALOGUE_DE = REPO_ROOT / "translations" / "mimic_vpn_de.ts"
PLACEHOLDER = re.compile(r"%(?:L?[1-9]|n)")
MARKUP = re.compile(r"<[^>]*>|&[a-z]+;")


def messages(path: Path) -> list[tuple[str, str, ET.Element]]:
    """(context, source, translation element) of every message of a ``.ts`` file."""
    found = []
    for context in ET.parse(path).getroot().iter("context"):
        name = context.findtext("name", "")
        for message in context.iter("message"):
            translation = message.find("translation")
            assert translation is not None
            found.append((name, message.findtext("source", ""), translation))
    return found


SOURCES = sorted({source for _, source, _ in messages(CATALOGUE_DE)})


# ------------------------------------------------------------------ marking


def unreadable_translate_calls(path: Path) -> list[str]:
    """``translate(...)`` calls pyside6-lupdate would skip without a word: not (literal, literal[, literal|None])."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        if name != "translate":
            continue
        literal = [isinstance(argument, ast.Constant) and isinstance(argument.value, str) for argument in node.args]
        none = [isinstance(argument, ast.Constant) and argument.value is None for argument in node.args]
        third_ok = len(node.args) < 3 or literal[2] or none[2]
        if len(node.args) not in (2, 3) or not all(literal[:2]) or not third_ok or node.keywords:
            where = path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path.name
            found.append(f"{where}:{node.lineno}: {ast.unparse(node)[:80]}")
    return found


def test_every_python_text_is_marked_so_lupdate_reads_it() -> None:
    # vpnui/i18n.py defines translate (and str.translate maps pseudo-accents).
    sources = [path for path in sorted((REPO_ROOT / "vpnui").rglob("*.py")) if path.name != "i18n.py"]
    offenders = [line for path in sources for line in unreadable_translate_calls(path)]
    assert offenders == []


def test_the_check_sees_a_call_lupdate_would_skip(tmp_path: Path) -> None:
    """Proof that the check above can fail: lupdate silently skips these (tried with 6.11.3)."""
    module = tmp_path / "marking.py"
    module.write_text(
        'translate("Status", name)\ntranslate("Status", "A %1", where)\ntranslate("Status", "B", None, n)\n'
    )
    assert len(unreadable_translate_calls(module)) == 3


# --------------------------------------------------------------- placeholders


def test_arg_fills_in_order_and_leaves_what_it_has_no_value_for() -> None:
    assert arg("Moved to %1: %2 stopped answering", "b", "a") == "Moved to b: a stopped answering"
    assert arg("%2 before %1", "one", "two") == "two before one"
    assert arg("%1 and %2", "only") == "only and %2"
    assert arg("%1", "50%1 off") == "50%1 off"  # a value is not filled in again


# --------------------------------------------------------------- pseudo-locale


@pytest.mark.parametrize("source", SOURCES)
def test_every_text_pseudo_translates_longer_and_accented_keeping_placeholders(source: str) -> None:
    translated = pseudo(source)
    assert len(translated) >= len(source) * (1 + PSEUDO_GROWTH)
    assert translated.startswith("[") and translated.endswith("]")
    assert PLACEHOLDER.findall(translated) == PLACEHOLDER.findall(source)
    letters = [character for character in source if character.isascii() and character.isalpha()]
    if letters:
        # Markup (the lab panel's <b>) and entities are kept as they are: only the words are accented.
        words = MARKUP.sub("", translated)
        assert not any(character.isascii() and character.isalpha() for character in words)


def test_pseudo_keeps_blank_text_blank() -> None:
    assert pseudo("") == ""
    assert pseudo("  ") == "  "


# ---------------------------------------------------------- German catalogue


def test_the_german_catalogue_is_complete() -> None:
    found = messages(CATALOGUE_DE)
    assert len(found) > 100
    unfinished = [
        f"{context}: {source}"
        for context, source, translation in found
        if translation.get("type") in ("unfinished", "vanished", "obsolete") or not (translation.text or "").strip()
    ]
    assert unfinished == []


def test_every_german_text_keeps_the_placeholders_of_its_source() -> None:
    wrong = [
        f"{context}: {source!r} -> {translation.text!r}"
        for context, source, translation in messages(CATALOGUE_DE)
        if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(translation.text or ""))
    ]
    assert wrong == []
