"""The nesting depth of a JSON text, measured without parsing it (``mimic_core.json_depth``)."""

from __future__ import annotations

import json

import pytest

from mimic_core.json_depth import exceeds_depth


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        (b"0", 0),
        (b"[]", 1),
        (b"{}", 1),
        (b'{"a": [1, {"b": []}]}', 4),
        (b"[[], [[]], []]", 3),
        (b'["[[[[", "]]]]"]', 1),
        (b'{"[": "{{{{{"}', 1),
        (b'["\\"[[[["]', 1),  # an escaped quote does not end the string
        (b'["\\\\", [[]]]', 3),  # an escaped backslash does not escape the quote after it
        (b'["\\\\\\"[[[", []]', 2),  # backslash, escaped quote: still inside the string
        (b'["\\u005b\\n\\t[["]', 1),
    ],
)
def test_depth_of_valid_json(text: bytes, depth: int) -> None:
    json.loads(text)  # the examples are valid JSON
    assert not exceeds_depth(text, depth)
    if depth > 0:
        assert exceeds_depth(text, depth - 1)


def test_the_quick_answer_for_few_brackets() -> None:
    # Counted without looking at strings: fewer openers than the limit cannot nest deeper.
    assert not exceeds_depth(b"[[[", 3)
    assert exceeds_depth(b"[[[[", 3)


def test_an_unterminated_string_runs_to_the_end() -> None:
    assert not exceeds_depth(b'["' + b"[" * 100, 2)
    assert exceeds_depth(b"[" * 100 + b'"', 2)


@pytest.mark.parametrize(
    ("text", "deeper"),
    [
        (b"[" * 65_000, True),
        (b"]" * 30_000 + b"[" * 30, False),  # a decoder stops at the first closer
        (b'"' + b'\\"' * 30_000 + b"[" * 40, False),  # all inside one unterminated string
        (b'["' * 30_000, True),  # every other opener is outside a string
        (b'{"a":' * 12_000, True),
    ],
    ids=["openers", "closers-first", "escaped-quotes", "strings", "one-key-objects"],
)
def test_hostile_shapes(text: bytes, deeper: bool) -> None:
    assert exceeds_depth(text, 32) is deeper
