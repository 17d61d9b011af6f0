"""The debug view's HTML, from Jinja templates with every value escaped.

Everything a page shows from a ping (payloads, headers, the debug tag,
error messages, refused bodies) was written by whoever sent it, so the
environment escapes every value it inserts (``autoescape``), and an
undefined name is an error rather than an empty string.  The pages also
forbid inline scripts and styles (``CONTENT_SECURITY_POLICY``), so a value
that did get through could not run.
"""

from __future__ import annotations

import functools
from typing import Any

import jinja2


def clock(moment: str) -> str:
    """``2026-12-01T16:55:08.177+00:00`` -> ``16:55:08.177``: what a list needs (the whole moment is in its title)."""
    day, _, time = moment.partition("T")
    return time[:12] if day and time else moment


@functools.cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("lab.debug_view", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["clock"] = clock
    return env


def render(template: str, context: dict[str, Any]) -> str:
    return environment().get_template(template).render(context)
