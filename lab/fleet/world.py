"""The world's timeline: faults of the shared lab turned on and off at their planned times, then a healthy world.

One thread owns the lab's conditions during a run, so two clients never
fight over them.  Once the run's time is up (and whatever the timeline
still had), the lab is reset and ``healthy`` is set: the clients close
their sessions and deliver their pings only in a healthy world.
"""

from __future__ import annotations

import logging
import threading
import time

import msgspec

from lab.chaos.plan import LabReset, LabSet, describe
from lab.fleet.plan import Timed
from mimic_core.lab_client import LabControl, LabRequestError, LabUnreachableError
from mimic_core.network_conditions import Conditions

log = logging.getLogger(__name__)


class WorldEntry(msgspec.Struct, frozen=True):
    at_s: float
    """When it was done, from the start of the run."""
    change: str
    outcome: str


class WorldDriver:
    def __init__(self, timeline: list[Timed], lab: LabControl, duration_s: float, stop: threading.Event) -> None:
        self.timeline = timeline
        self.lab = lab
        self.duration_s = duration_s
        self.stop = stop
        self.healthy = threading.Event()
        self.done: list[WorldEntry] = []
        self.current = "healthy"
        """The fault on now, for the progress line."""
        self._began = 0.0
        self.thread = threading.Thread(target=self._run, name="fleet-world", daemon=True)

    def start(self, began: float) -> None:
        self._began = began
        self.thread.start()

    def _run(self) -> None:
        for timed in self.timeline:
            if self.stop.wait(max(0.0, self._began + timed.at_s - time.monotonic())):
                return
            if isinstance(timed.action, LabSet):
                self._apply(timed.action)
        if self.stop.wait(max(0.0, self._began + self.duration_s - time.monotonic())):
            return
        self._apply(LabReset())
        self.current = "healthy"
        # Set even if the reset failed (the entry says so): the clients close either way.
        self.healthy.set()

    def _apply(self, action: LabSet | LabReset) -> None:
        try:
            if isinstance(action, LabSet):
                conditions = self.lab.set(*action.assignments)
                self.current = "healthy" if conditions == Conditions() else describe(action).removeprefix("lab.set ")
            else:
                self.lab.reset()
            outcome = "ok"
        except (LabRequestError, LabUnreachableError) as exc:
            outcome = f"failed: {exc}"
            log.warning("world change %s failed: %s", describe(action), exc)
        self.done.append(WorldEntry(round(time.monotonic() - self._began, 1), describe(action), outcome))
