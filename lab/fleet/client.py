"""One client of the fleet: its timeline carried out on its installation, on a thread of its own.

Each action goes through the fault runner's driver (``lab.chaos.runner``),
which performs it, waits until the app and the daemon are at rest, and
records what it saw, so the fault runner's invariants can be checked per
client afterwards.  Around that the client takes what the machine's limits
ask (``lab.fleet.limits``): a slot among the open apps before its app
starts (held until the app is gone), and a turn among the processes
starting.  Closing, once the world is healthy again: the app open, the VPN
off, every ping delivered, then the app quit in order.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from typing import IO, Final

from lab.chaos.plan import Action, AppStart, AppStop, kind_of
from lab.chaos.record import RunRecord
from lab.chaos.runner import ChaosOptions, InstallationDriver
from lab.fleet.limits import Gates
from lab.fleet.plan import ClientPlan
from lab.installation import Installation

log = logging.getLogger(__name__)

STARTING_KINDS: Final = frozenset({"app.start", "daemon.start", "ctl.activate"})
"""Actions that start a process: ``vpnui-ctl activate`` is one, and starts the daemon when none runs."""
STEP_LOG: Final = "fleet-steps.log"


class FleetClient:
    def __init__(
        self,
        plan: ClientPlan,
        installation: Installation,
        *,
        options: ChaosOptions,
        gates: Gates,
        stop: threading.Event,
        world_healthy: threading.Event,
    ) -> None:
        self.plan = plan
        self.installation = installation
        self.gates = gates
        self.stop = stop
        self.world_healthy = world_healthy
        self._log_file: IO[str] = (installation.places.logs / STEP_LOG).open("a", encoding="utf-8")
        self.driver = InstallationDriver(installation, options, self._note)
        self.phase = "waiting"
        self.steps_done = 0
        self.vpn_on = False
        self.holding_app = False
        self.lag_s = 0.0
        """How late the latest action was, against its planned time (the largest seen: ``max_lag_s``)."""
        self.max_lag_s = 0.0
        self.error = ""
        self.done = threading.Event()
        self._began = 0.0
        self.thread = threading.Thread(target=self._run, name=f"fleet-{plan.name}", daemon=True)

    # ----------------------------------------------------------------- state

    @property
    def name(self) -> str:
        return self.plan.name

    @property
    def record(self) -> RunRecord:
        return self.driver.record

    def app_open(self) -> bool:
        return self.installation.app_running()

    def sessions_seen(self) -> int:
        return len(self.driver.observer.sessions)

    def kills(self) -> int:
        return sum(entry.signal == "SIGKILL" for entry in self.record.signalled)

    # ------------------------------------------------------------------- run

    def start(self, began: float) -> None:
        """Start the timeline; ``began`` is the run's start (``time.monotonic``) its offsets count from."""
        self._began = began
        self.thread.start()

    def _run(self) -> None:
        try:
            self.driver.begin(start_app=False)
            self.phase = "running"
            for index, timed in enumerate(self.plan.timeline, 1):
                due = self._began + timed.at_s
                if self.stop.wait(max(0.0, due - time.monotonic())):
                    return
                self.lag_s = max(0.0, time.monotonic() - due)
                self.max_lag_s = max(self.max_lag_s, self.lag_s)
                if not self._step(index, timed.action):
                    return
            self.phase = "waiting for the world"
            while not self.world_healthy.wait(0.2):
                if self.stop.is_set():
                    return
            self.phase = "closing"
            self._close(len(self.plan.timeline) + 1)
            self.phase = "done"
        except Exception as exc:
            if not self.stop.is_set():
                self.error = f"{type(exc).__name__}: {exc}"
                self._note(traceback.format_exc())
                self.phase = "failed"
        finally:
            if self.holding_app:
                self.holding_app = False
                self.gates.apps.release()
            self.done.set()

    def _step(self, index: int, action: Action) -> bool:
        """Carry ``action`` out within the machine's limits; ``False`` when the run is being stopped."""
        kind = kind_of(action)
        if kind == "app.start" and not self.holding_app and not self.installation.app_running():
            if not self.gates.apps.acquire(self.stop):
                return False
            self.holding_app = True
        starts = kind in STARTING_KINDS
        if starts and not self.gates.starting.acquire(self.stop):
            return False
        try:
            step = self.driver.step(index, action)
        finally:
            if starts:
                self.gates.starting.release()
        self.steps_done += 1
        self.vpn_on = step.daemon.startswith("on")
        if self.holding_app and not self.installation.app_running():
            self.holding_app = False
            self.gates.apps.release()
        return not self.stop.is_set()

    def _close(self, index: int) -> None:
        """The app open, the VPN off, every ping delivered, then the app quit in order (its slot freed)."""
        if not self.installation.app_running():
            if not self._step(index, AppStart()):
                return
            index += 1
        index = self.driver.close_world(index, reset_lab=False)
        self.record.delivery = self.driver.wait_for_delivery()
        self._step(index + 1, AppStop())

    # --------------------------------------------------------------- helpers

    def _note(self, line: str) -> None:
        """The driver's step lines, and anything gone wrong, go to the client's own log."""
        try:
            self._log_file.write(f"{time.strftime('%H:%M:%S')} {line}\n")
            self._log_file.flush()
        except (OSError, ValueError):
            log.debug("cannot write the step log of %s", self.plan.name)

    def close_log(self) -> None:
        self._log_file.close()
