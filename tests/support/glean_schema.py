"""Validation of Glean pings against the ingestion pipeline's JSON schema.

Every ping the product sends must be accepted by Mozilla's ingestion, which
validates it against ``glean.1.schema.json``.  The repository keeps a copy
in ``resources/`` so it is self-contained; the reference copy beside the
repository (``shared/reference/``) is the fallback.

The schema is draft-06 and uses two format names of Mozilla's own,
``datetime`` and ``json``, which no standard checker knows (jsonschema
ignores unknown formats), so they are checked here: a format error in a
datetime metric would otherwise pass silently.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import jsonschema

REPO_ROOT: Final = Path(__file__).resolve().parents[2]
SCHEMA_CANDIDATES: Final = (
    REPO_ROOT / "resources" / "glean.1.schema.json",
    Path(__file__).resolve().parents[3] / "shared" / "reference" / "glean.1.schema.json",
)

# Glean's datetimes: ISO 8601 truncated to the metric's time unit, always
# with an offset, e.g. 2024-05-01+02:00 (day), 2024-05-01T10:20+02:00
# (minute), 2024-05-01T10:20:30.123+02:00 (millisecond).
_GLEAN_DATETIME: Final = re.compile(
    r"^\d{4}-\d{2}-\d{2}"
    r"(T\d{2}(:\d{2}(:\d{2}(\.\d{1,9})?)?)?)?"
    r"(Z|[+-]\d{2}:\d{2})$"
)


def _is_glean_datetime(value: object) -> bool:
    """Mozilla's ``datetime`` format; non-strings are the ``type`` keyword's business."""
    return not isinstance(value, str) or _GLEAN_DATETIME.match(value) is not None


def _is_json(value: object) -> bool:
    """Mozilla's ``json`` format: the value must be serializable as JSON."""
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


format_checker: Final = jsonschema.FormatChecker()
format_checker.checks("datetime")(_is_glean_datetime)
format_checker.checks("json")(_is_json)


def schema_path() -> Path:
    """The schema file used: the repository's copy if present, else the reference copy."""
    for candidate in SCHEMA_CANDIDATES:
        if candidate.is_file():
            return candidate
    raise FileNotFoundError("glean.1.schema.json not found in " + " or ".join(str(path) for path in SCHEMA_CANDIDATES))


@functools.cache
def _validator() -> jsonschema.Draft6Validator:
    schema = json.loads(schema_path().read_text(encoding="utf-8"))
    jsonschema.Draft6Validator.check_schema(schema)
    return jsonschema.Draft6Validator(schema, format_checker=format_checker)


def ping_errors(payload: Mapping[str, Any]) -> list[str]:
    """Every schema violation of ``payload``, as ``path: message`` lines (empty when valid)."""
    errors = sorted(_validator().iter_errors(payload), key=lambda error: list(error.absolute_path))
    return [f"{'/'.join(str(part) for part in error.absolute_path) or '<root>'}: {error.message}" for error in errors]


def validate_ping(payload: Mapping[str, Any]) -> None:
    """Raise ``AssertionError`` listing every violation if ``payload`` does not validate."""
    errors = ping_errors(payload)
    if errors:
        raise AssertionError("the ping does not validate against glean.1.schema.json:\n" + "\n".join(errors))
