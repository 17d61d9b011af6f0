"""The tags every ping of a fleet run carries: Glean's debug view tag and, optionally, source tags.

glean-core reads ``GLEAN_DEBUG_VIEW_TAG`` and ``GLEAN_SOURCE_TAGS`` from the
environment when Glean is initialized (glean-sdk 71: its ``DebugOptions``)
and sends them as the ``X-Debug-ID`` and ``X-Source-Tags`` headers of every
ping, so a variable in the environment of every process of an installation
tags all of its pings, the daemon's included (the app, ``vpnui-ctl`` and the
fleet itself start daemons with their own environment).  The tag names the
run: the debug view groups pings by it, and the report can be filtered by
it.  The ``automation`` source tag makes the pipeline leave the pings out of
its stable tables, as Mozilla's does for test runs.
"""

from __future__ import annotations

import re
import time
from typing import Final

DEBUG_VIEW_TAG_ENV: Final = "GLEAN_DEBUG_VIEW_TAG"
SOURCE_TAGS_ENV: Final = "GLEAN_SOURCE_TAGS"
AUTOMATION_TAG: Final = "automation"
"""The source tag the pipeline's stable tables leave out (``lab.pipeline.decoder``)."""

_TAG: Final = re.compile(r"[A-Za-z0-9-]{1,20}")
"""What Glean accepts as a debug view tag (and as each source tag); it ignores anything else, silently."""


class TagError(ValueError):
    """A tag Glean would ignore."""


def check_tag(tag: str) -> str:
    """``tag`` if Glean accepts it as a debug view tag; ``TagError`` naming the rule otherwise."""
    if not _TAG.fullmatch(tag):
        raise TagError(f"the debug tag {tag!r} is not 1 to 20 letters, digits or dashes; Glean would ignore it")
    return tag


def default_tag(seed: int, at: float | None = None) -> str:
    """``fleet-<seed>-<HHMMSS>`` (local time of the run's start), shortened to fit Glean's 20 characters."""
    clock = time.strftime("%H%M%S", time.localtime(time.time() if at is None else at))
    for candidate in (f"fleet-{seed}-{clock}", f"f{seed}-{clock}", f"f{seed % 10**12}-{clock}"):
        if _TAG.fullmatch(candidate):
            return candidate
    raise AssertionError("unreachable: the last candidate always fits")  # pragma: no cover


def glean_environment(debug_tag: str, automation: bool) -> dict[str, str | None]:
    """The variables that make Glean tag every ping of a process (``None``: unset).

    Without ``automation`` a ``GLEAN_SOURCE_TAGS`` inherited from the shell
    is removed: the run's pings are tagged as its command line says.
    """
    return {
        DEBUG_VIEW_TAG_ENV: check_tag(debug_tag),
        SOURCE_TAGS_ENV: AUTOMATION_TAG if automation else None,
    }
