"""The lab's current conditions, and who is told when they change.

Every part of the world (HTTP handlers, UDP and TCP servers) reads the
conditions afresh for each request or datagram, so a change applies at once
to everything.  Watchers (the ``/lab/events`` streams, the log) get every
change in order; a watcher that stops reading does not hold up the others.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection, Iterator
from contextlib import contextmanager

from lab.event_stream import Broadcast
from mimic_core.network_conditions import Conditions, apply_patch, to_json

log = logging.getLogger(__name__)


class ConditionBoard:
    """Holds the one ``Conditions`` value and announces its changes."""

    def __init__(self, known_servers: Collection[str], initial: Conditions | None = None) -> None:
        self._known_servers = frozenset(known_servers)
        self._current = initial if initial is not None else Conditions()
        self._changes: Broadcast[Conditions] = Broadcast()

    @property
    def current(self) -> Conditions:
        return self._current

    @property
    def known_servers(self) -> frozenset[str]:
        return self._known_servers

    def patch(self, patch: object) -> Conditions:
        """Apply a partial patch (``ValueError`` if invalid) and announce it."""
        self._replace(apply_patch(self._current, patch, self._known_servers))
        return self._current

    def reset(self) -> Conditions:
        self._replace(Conditions())
        return self._current

    @contextmanager
    def watch(self) -> Iterator[asyncio.Queue[Conditions | None]]:
        """A queue receiving every later change; ``None`` means the lab is closing."""
        with self._changes.watch() as queue:
            yield queue

    def close(self) -> None:
        """Tell every watcher to stop."""
        self._changes.close()

    def _replace(self, conditions: Conditions) -> None:
        if conditions == self._current:
            return
        self._current = conditions
        log.info("conditions changed: %s", to_json(conditions).decode())
        self._changes.announce(conditions)
