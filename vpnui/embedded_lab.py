"""The embedded network lab: found if it runs, started if it does not.

With no backend configured the app's whole outside world is a lab on
loopback.  The lab is started detached, like the daemon, because it plays
the internet: a VPN session kept by the daemon after the app quits still
needs its server to answer.  The lab writes its address to a state file in
the runtime directory, which is how the app (and the command-line tools)
find it again.
"""

from __future__ import annotations

import asyncio
import logging
import time

import aiohttp

from mimic_core.lab_state import read_state
from mimic_core.paths import locations
from vpnui.config import Endpoints, lab_endpoints
from vpnui.spawn import spawn_detached

log = logging.getLogger(__name__)

START_TIMEOUT_S = 20.0


class LabUnavailable(Exception):
    """The embedded lab could not be found or started."""


async def _healthy(session: aiohttp.ClientSession, url: str) -> bool:
    try:
        async with session.get(f"{url}/lab/health", timeout=aiohttp.ClientTimeout(total=1.0)) as reply:
            return reply.status == 200
    except (aiohttp.ClientError, TimeoutError):
        return False


def recorded_lab_url() -> str | None:
    state = read_state(locations().lab_state)
    return state.url if state is not None else None


async def ensure_lab(extra_args: list[str] | None = None) -> str:
    """The URL of a running lab for this user, starting one if needed."""
    async with aiohttp.ClientSession() as session:
        url = recorded_lab_url()
        if url and await _healthy(session, url):
            return url
        try:
            pid = spawn_detached("lab", ["serve", *(extra_args or [])], locations().logs / "lab.stderr")
        except OSError as exc:
            raise LabUnavailable(f"could not start the network lab: {exc}") from exc
        log.info("started the network lab, pid %d", pid)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            await asyncio.sleep(0.1)
            url = recorded_lab_url()
            if url and await _healthy(session, url):
                return url
    raise LabUnavailable(
        f"the network lab did not start within {START_TIMEOUT_S:.0f} s; see {locations().logs / 'lab.stderr'}"
    )


async def world_endpoints(configured: Endpoints, use_lab: bool, lab_args: list[str] | None = None) -> Endpoints:
    """``configured`` completed from the embedded lab where it leaves gaps."""
    if configured.complete():
        return configured
    if not use_lab:
        raise LabUnavailable("some endpoints are not configured and the embedded lab is disabled")
    lab_url = await ensure_lab(lab_args)
    log.info("using the network lab at %s", lab_url)
    return configured.with_defaults(lab_endpoints(lab_url))
