"""How deeply a JSON text nests arrays and objects, found without parsing it.

msgspec's JSON decoder recurses once per nesting level and has no depth
limit of its own: it stops at Python's recursion limit with a
``RecursionError`` (msgspec 0.18-0.23; a built-in cap was declined upstream,
msgspec#1033 and #1073, leaving the limit to ``sys.getrecursionlimit()``).
Where that happens depends on how deep the caller's stack already is, so it
cannot be a documented limit, and a ``RecursionError`` is not the decoder's
error.  The protocol therefore measures the depth first and refuses a line
nested deeper than its limit before msgspec sees it.

The measure runs at C speed with few objects: copies of the line, the
pieces between its quotes (mostly empty or one byte, which Python shares),
and iterators that stop at the first level past the limit.  A regular
expression removing the strings built some 12 000 pieces (2.5 MB) for a
line of nested one-key objects, and a deep line is exactly what a hostile
peer sends.
"""

from __future__ import annotations

from itertools import accumulate
from typing import Final

_QUOTE: Final = ord('"')
_OPENERS: Final = (ord("["), ord("{"))
_CLOSERS: Final = (ord("]"), ord("}"))
_NOT_STRUCTURE: Final = bytes(b for b in range(256) if b not in (_QUOTE, *_OPENERS, *_CLOSERS))
# Per bracket: +1 opens a level, -1 closes one.
_STEP: Final = tuple(1 if b in _OPENERS else -1 if b in _CLOSERS else 0 for b in range(256))


def exceeds_depth(text: bytes, limit: int) -> bool:
    """Whether ``text`` nests arrays/objects more than ``limit`` levels deep (a top-level object is level 1).

    Exact for valid JSON.  For a text that is not, the answer may be either,
    which does not matter: the line is refused anyway, and up to its first
    syntax error (where the decoder stops) it is read here as the decoder
    reads it, so the decoder never nests deeper than counted.
    """
    # Fewer brackets than the limit cannot nest deeper than it: the common case costs two counts.
    if text.count(b"[") + text.count(b"{") <= limit:
        return False
    # Escapes first, as a decoder scans them from the left: an escaped
    # backslash, then an escaped quote, is neither a backslash nor a quote.
    # Every other escape is a backslash and a letter, dropped with the rest.
    structure = text.replace(b"\\\\", b"").replace(b'\\"', b"").translate(None, _NOT_STRUCTURE)
    # Quotes and brackets are left, and every other piece between quotes is
    # outside a string (an unterminated string runs to the end, as the
    # decoder reads it).
    brackets = b"".join(structure.split(b'"')[::2])
    levels = accumulate(map(_STEP.__getitem__, brackets))
    return next(filter(limit.__lt__, levels), None) is not None
