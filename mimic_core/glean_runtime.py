"""Glean for both Mimic VPN processes: one instance per process, started, fed and stopped here.

The app and the daemon each run a Glean of their own, with their own data
directory (two uploaders scanning one ``pending_pings/`` send every ping
twice and lose others).  The module is Qt-free because the daemon uses it
too, and it does more than call ``Glean.initialize`` because glean-sdk 71's
uploaders do not fit a long-lived process (measured in
``docs/decisions/0003-in-process-uploader.md``):

* **Uploading** runs in-process, on a thread of its own, as Glean's Kotlin
  and Swift bindings do from a background worker.  Glean's own upload
  trigger only wakes that thread (``_UploadTrigger``); the thread also
  sweeps shortly after every submit, backs off after failures and sweeps
  periodically, so no ping stays on disk while the process runs, and an HTTP
  timeout or a rate-limit wait blocks nothing else.
* **Reasons**: ``submit`` takes a reason's name, checks it against the ping
  and the process owning the ping, and passes the index glean-sdk expects.
* **Shutdown** is bounded and never blocks its caller for longer.
* **Restarting in one process** (tests run many apps one after the other):
  after the core shutdown the runtime resets Glean, so another can start
  with another data directory and endpoint.
* **Definitions** come from ``resources/glean_definitions.json``
  (``glean_definitions``, ``glean_objects``), not from glean_parser at run time.

Every glean-sdk internal this needs goes through ``glean_compat``.

Glean's debugging options need nothing here: glean-core reads
``GLEAN_DEBUG_VIEW_TAG`` and ``GLEAN_SOURCE_TAGS`` from the environment when
it initializes and sends them as the ``X-Debug-ID`` and ``X-Source-Tags``
headers of every ping (glean-sdk 71; ``vpnui-lab fleet`` tags its runs so,
``tests/chaos/test_fleet.py`` reads the headers back at the lab).
"""

from __future__ import annotations

import atexit
import functools
import http.client
import logging
import threading
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

from glean import Configuration, Glean
from glean.metrics import PingType
from glean.net import BaseUploader
from glean.net.ping_uploader import UploadResult

from mimic_core import glean_compat
from mimic_core.glean_definitions import bundled_definitions
from mimic_core.glean_delivery import DELIVERY_LIMITS, DeliveryLimits
from mimic_core.glean_objects import build_metrics, build_pings
from mimic_core.instance_lock import AlreadyRunning, InstanceLock
from mimic_core.telemetry_names import APPLICATION_IDS, PING_OWNERS, ProcessName

log = logging.getLogger(__name__)
# The SDK logs every upload pass at INFO ("No more pings to upload!"); in a
# daemon log that is a line every half second with nothing to act on.
logging.getLogger("glean").setLevel(logging.WARNING)

PassOutcome = Literal["done", "failed", "stopped", "deadline"]

OWNER_LOCK_NAME: Final = "mimic-owner.lock"
"""A lock file in the data directory, held while a runtime uses it, so two processes never share one."""

DEFAULT_SHUTDOWN_TIMEOUT_S: Final = 5.0
EXIT_SHUTDOWN_TIMEOUT_S: Final = 3.0
"""Bound of the shutdown run at interpreter exit when the owner did not shut down itself."""
EXIT_PERSIST_WAIT_S: Final = 10.0
"""How much longer interpreter exit waits for a shutdown that has not finished (started there or by the owner).

glean-core's shutdown waits up to 10 s for its dispatcher to write what was
submitted; a process that ends sooner loses those pings, and ending it while
the core is still shutting down aborted the daemon (SIGABRT, seen after a
SIGTERM during a burst).  After a burst of sessions that queue takes seconds
(measured: 340 of 600 pings still to write when a 400-request burst ended;
the daemon took 3.6 s from SIGTERM to exit after 1,000 requests), longer than
the owner's own bounded ``shutdown`` call, so exit is where the wait belongs:
nothing is left to keep responsive there.
"""
PREVIOUS_TEARDOWN_WAIT_S: Final = 30.0
"""How long ``start`` waits for a previous runtime's unfinished shutdown before refusing to start."""
INIT_WAIT_S: Final = 10.0
"""How long Glean's initialization is waited for: by the upload thread before its first pass, by a shutdown.

The same bound as glean-core's own wait for it at shutdown."""

DEFAULT_UPLOAD_TIMEOUT_S: Final = 10.0
"""Per-request HTTP timeout, the same as the SDK's own uploader."""
FOLLOW_UP_WINDOW_S: Final = 3.0
FOLLOW_UP_INTERVAL_S: Final = 0.5
"""After a submit, sweep every ``FOLLOW_UP_INTERVAL_S`` for ``FOLLOW_UP_WINDOW_S`` even without a trigger."""
IDLE_SWEEP_INTERVAL_S: Final = 15.0
"""Sweep this often when nothing happens, so nothing stays stranded on disk for long."""
RETRY_INITIAL_S: Final = 1.0
RETRY_MAX_S: Final = 60.0
"""Backoff after a pass with failed attempts (doubling from the first value up to the second)."""


class GleanRuntimeError(RuntimeError):
    """Glean cannot be started, or a call does not fit the running instance."""


class DataDirInUseError(GleanRuntimeError):
    """Another runtime (in this or another process) holds the data directory."""


# ---------------------------------------------------------------------------
# Definitions (generated from metrics.yaml / pings.yaml)
# ---------------------------------------------------------------------------


@functools.cache
def metrics() -> Any:
    """The metrics tree of ``resources/metrics.yaml`` (``metrics().session.installation_id``).

    Typed ``Any`` because the tree is built at run time, from the generated
    definitions, with the shape ``glean.load_metrics`` gives it.  Built once
    per process and shared by every runtime: the metric objects are not
    bound to one Glean instance.
    """
    return build_metrics(bundled_definitions())


@functools.cache
def pings() -> Any:
    """The pings of ``resources/pings.yaml`` (``pings().vpnsession``, ``pings().vpnsession_reason_codes``).

    Built once per process.  Glean only re-registers pings with a new
    instance after a reset if they were created while no instance was
    initialized, which ``GleanRuntime.start`` ensures by building them first.
    """
    return build_pings(bundled_definitions())


def ping_names() -> tuple[str, ...]:
    """The names of the custom pings defined in ``pings.yaml``, sorted."""
    return tuple(sorted(name for name, value in vars(pings()).items() if isinstance(value, PingType)))


def reason_names(ping: str) -> tuple[str, ...]:
    """The reasons ``ping`` can be submitted with, in glean_parser's (sorted) order."""
    codes = _reason_codes(ping)
    return tuple(member.name.lower() for member in codes)


def _reason_codes(ping: str) -> Any:
    if ping not in ping_names():
        raise GleanRuntimeError(f"unknown ping {ping!r}; the pings are {', '.join(ping_names())}")
    return getattr(pings(), f"{ping}_reason_codes")


def _ping_object(ping: str) -> PingType:
    value = getattr(pings(), ping)
    assert isinstance(value, PingType)
    return value


# ---------------------------------------------------------------------------
# Uploading
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UploadStats:
    """What the upload thread of one runtime has done so far.

    Exposed so the app can show telemetry health and tests can tell "the
    endpoint refused" from "nothing was tried".
    """

    attempts: int = 0
    """Upload requests made (each try of each ping)."""
    delivered: int = 0
    """Answered with 2xx: the ping is deleted locally."""
    failed: int = 0
    """Recoverable failures (5xx, timeouts, refused connections): the ping stays queued and is retried."""
    rejected: int = 0
    """Answered with 4xx or not uploadable: Glean deletes the ping."""
    last_status: int | None = None
    """HTTP status of the last answered attempt."""


class DirectHttpUploader(BaseUploader):  # type: ignore[misc]
    """POSTs a ping with ``http.client``, with a timeout of its own.

    The SDK's ``HttpClientUploader`` has a class-wide 10 s timeout; a
    per-runtime one lets tests bound a hung endpoint.  Like the SDK's
    uploader it never uses proxies, which loopback traffic must not see.
    """

    def __init__(self, timeout_s: float = DEFAULT_UPLOAD_TIMEOUT_S) -> None:
        self.timeout_s = timeout_s

    def upload(self, capable_request: Any) -> Any:
        """The ``UploadResult`` of one attempt; never raises for network errors."""
        request = capable_request.capable(lambda capabilities: len(capabilities) == 0)
        if request is None:
            return UploadResult.INCAPABLE(0)
        url = urllib.parse.urlsplit(request.url)
        connection: http.client.HTTPConnection
        if url.scheme == "http":
            connection = http.client.HTTPConnection(url.hostname or "", url.port or 80, timeout=self.timeout_s)
        elif url.scheme == "https":
            connection = http.client.HTTPSConnection(url.hostname or "", url.port or 443, timeout=self.timeout_s)
        else:
            log.error("cannot upload a ping to %s: unsupported scheme", request.url)
            return UploadResult.UNRECOVERABLE_FAILURE(0)
        path = url.path + (f"?{url.query}" if url.query else "")
        try:
            connection.request("POST", path, body=request.body, headers=request.headers)
            response = connection.getresponse()
            response.read()
        except http.client.InvalidURL as exc:
            log.error("cannot upload a ping to %s: %s", request.url, exc)
            return UploadResult.UNRECOVERABLE_FAILURE(0)
        except (OSError, http.client.HTTPException) as exc:
            log.info("ping upload to %s failed, it stays queued: %s", request.url, exc)
            return UploadResult.RECOVERABLE_FAILURE(0)
        finally:
            connection.close()
        return UploadResult.HTTP_STATUS(response.status)


class _UploadTrigger:
    """Stands in for "the last uploader subprocess" in glean's ProcessDispatcher.

    With ``allow_multiprocessing`` on, every upload trigger of the SDK
    (after a ping was stored, at init, after collection was disabled, and
    any direct ``PingUploadWorker.process()`` call) first calls ``poll()``
    on the last uploader process and spawns nothing while it reports
    ``None`` (still running).  This object always reports ``None`` and, while
    armed, wakes the runtime's upload thread instead.  ``poll()`` is called
    on Glean's dispatcher thread with a core lock held, so it only sets an
    event.
    """

    returncode: int | None = None

    def __init__(self, wake: threading.Event | None) -> None:
        self._wake = wake

    def poll(self) -> int | None:
        if self._wake is not None:
            self._wake.set()
        return None

    def wait(self, timeout: float | None = None) -> int:
        return 0


_DISARMED_TRIGGER: Final = _UploadTrigger(None)
"""Installed between runtimes so that a stray trigger never spawns the SDK's subprocess uploader."""


class _Uploader:
    """The upload thread of one runtime, and the final bounded pass of its shutdown."""

    def __init__(self, endpoint: str, uploader: DirectHttpUploader, name: str) -> None:
        self._endpoint = endpoint
        self._uploader = uploader
        self._wake = threading.Event()
        self._stop = threading.Event()
        # Held around every call into glean-core, and by ``retire``: once
        # retired (just before the core instance is destroyed) no call from
        # this uploader can reach a later instance of another runtime.
        self._core_lock = threading.Lock()
        self._live = True
        self._stats_lock = threading.Lock()
        self._stats = UploadStats()
        self._follow_up_until = 0.0
        self._backoff_s = RETRY_INITIAL_S
        self.trigger = _UploadTrigger(self._wake)
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def expect_ping(self) -> None:
        """A ping was just submitted: wake now and keep sweeping for a short while."""
        self._follow_up_until = time.monotonic() + FOLLOW_UP_WINDOW_S
        self._wake.set()

    @property
    def stats(self) -> UploadStats:
        with self._stats_lock:
            return self._stats

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    def join(self, timeout_s: float) -> bool:
        self._thread.join(max(0.0, timeout_s))
        return not self._thread.is_alive()

    def retire(self) -> None:
        """No call into glean-core from this uploader after this returns."""
        with self._core_lock:
            self._live = False

    def drain(self, deadline: float) -> PassOutcome:
        """Upload what is queued until nothing is left or ``deadline`` (monotonic)."""
        outcome = self._pass(deadline=deadline, stop=None)
        if outcome in ("done", "failed"):
            # glean-core answers Done at once, without uploading, when the
            # last pass left 3 recoverable failures in its window (an upload
            # thread stopped right after the third), and resets the window as
            # it does so: a second pass uploads then.  Cheap otherwise.
            outcome = self._pass(deadline=deadline, stop=None)
        return outcome

    def _run(self) -> None:
        try:
            self._wait_for_init()
            next_sweep = time.monotonic()
            while not self._stop.is_set():
                self._wake.wait(max(0.0, next_sweep - time.monotonic()))
                self._wake.clear()
                if self._stop.is_set():
                    break
                outcome = self._pass(deadline=None, stop=self._stop)
                now = time.monotonic()
                if outcome == "failed":
                    next_sweep = now + self._backoff_s
                    self._backoff_s = min(self._backoff_s * 2, RETRY_MAX_S)
                    continue
                self._backoff_s = RETRY_INITIAL_S
                following_up = now < self._follow_up_until
                next_sweep = now + (FOLLOW_UP_INTERVAL_S if following_up else IDLE_SWEEP_INTERVAL_S)
        except Exception:
            log.exception("the Glean upload thread failed; pings are uploaded at the next start")

    def _wait_for_init(self) -> None:
        # Glean initializes on a thread of its own; a pass before it finished
        # would find nothing and swallow the wake-up of the init trigger.
        if not glean_compat.wait_for_init(INIT_WAIT_S, self._stop) and not self._stop.is_set():
            log.warning("Glean did not initialize (it failed, or took over %.0f s)", INIT_WAIT_S)

    def _pass(self, deadline: float | None, stop: threading.Event | None) -> PassOutcome:
        """Upload until glean-core has nothing more: ``done``, ``failed``, ``stopped`` or ``deadline``."""
        failed = False
        while True:
            if stop is not None and stop.is_set():
                return "stopped"
            if deadline is not None and time.monotonic() >= deadline:
                return "deadline"
            with self._core_lock:
                if not self._live:
                    return "stopped"
                task = glean_compat.next_upload_task()
            if task.request is not None:
                request = task.request
                result = self._uploader.do_upload(glean_compat.upload_request(request, self._endpoint))
                failed |= self._count(result)
                with self._core_lock:
                    if not self._live:
                        return "stopped"
                    last = glean_compat.report_upload(request, result)
                if last:
                    return "failed" if failed else "done"
            elif task.wait_s is not None:
                # Throttled (the rate limit of mimic_core.glean_delivery) or pings still being scanned.
                wait_s = task.wait_s
                if deadline is not None:
                    wait_s = min(wait_s, max(0.0, deadline - time.monotonic()))
                if (stop or threading.Event()).wait(wait_s):
                    return "stopped"
            else:
                return "failed" if failed else "done"

    def _count(self, result: Any) -> bool:
        """Add one attempt to the stats; whether it was a recoverable failure."""
        status: int | None = None
        if isinstance(result, UploadResult.HTTP_STATUS):
            status = int(result.code)
        # glean-core's policy: 2xx delivered, 4xx (and unrecoverable) deleted, anything else retried.
        delivered = status is not None and 200 <= status < 300
        rejected = isinstance(result, UploadResult.UNRECOVERABLE_FAILURE | UploadResult.INCAPABLE) or (
            status is not None and 400 <= status < 500
        )
        failed = not delivered and not rejected
        with self._stats_lock:
            old = self._stats
            self._stats = UploadStats(
                attempts=old.attempts + 1,
                delivered=old.delivered + int(delivered),
                failed=old.failed + int(failed),
                rejected=old.rejected + int(rejected),
                last_status=status if status is not None else old.last_status,
            )
        return failed


# ---------------------------------------------------------------------------
# The runtime
# ---------------------------------------------------------------------------


class _Registry:
    """The process-wide state of the runtimes: Glean itself is a per-process singleton."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.current: GleanRuntime | None = None
        self.last_teardown: threading.Thread | None = None
        """The shutdown thread of the last runtime; a new one starts only once it is done."""
        self.reset_failure: str | None = None
        """Why the last runtime's reset failed, if it did: Glean cannot start again in this process."""


_registry: Final = _Registry()


class GleanRuntime:
    """The Glean instance of this process, from ``start`` to ``shutdown``.

    At most one runs per process at a time (Glean is a process-wide
    singleton); after ``shutdown`` another can be started, with another
    data directory and endpoint.
    """

    def __init__(
        self,
        *,
        process: ProcessName,
        data_dir: Path,
        server_endpoint: str,
        upload_enabled: bool,
        uploader: _Uploader,
        owner_lock: InstanceLock,
    ) -> None:
        """Use :meth:`start`; this only records what ``start`` set up."""
        self.process: Final = process
        self.application_id: Final = APPLICATION_IDS[process]
        self.data_dir: Final = data_dir
        self.server_endpoint: Final = server_endpoint
        self._upload_enabled = upload_enabled
        self._uploader = uploader
        self._owner_lock = owner_lock
        self._state_lock = threading.Lock()
        self._teardown: threading.Thread | None = None

    @classmethod
    def start(
        cls,
        process: ProcessName,
        data_dir: Path,
        server_endpoint: str,
        upload_enabled: bool,
        app_version: str,
        *,
        build_id: str | None = None,
        channel: str | None = None,
        internal_pings: bool = True,
        upload_timeout_s: float = DEFAULT_UPLOAD_TIMEOUT_S,
        limits: DeliveryLimits = DELIVERY_LIMITS,
    ) -> GleanRuntime:
        """Initialize Glean for ``process`` and start uploading to ``server_endpoint``.

        ``data_dir`` must belong to this process alone (it is locked while
        the runtime runs).  ``server_endpoint`` is required on purpose: the
        SDK's default is Mozilla's production ingestion.  ``build_id``
        becomes ``client_info.app_build`` (default: ``app_version``; the SDK
        would send "Unknown").  ``internal_pings`` enables Glean's built-in
        pings: of those the Python SDK only ever sends ``health``, at every
        start, and that ping carries Glean's own count of the pings it
        deleted or dropped (``glean.upload.*``), which ``vpnui-lab report``
        shows (the ``deletion-request`` ping is sent either way).
        ``limits`` are glean-core's upload rate limit and pending-pings cap
        (``mimic_core.glean_delivery``).
        """
        if process not in APPLICATION_IDS:
            raise GleanRuntimeError(f"unknown process {process!r}; expected 'app' or 'daemon'")
        endpoint = _checked_endpoint(server_endpoint)
        with _registry.lock:
            running = _registry.current
            if running is not None:
                raise GleanRuntimeError(
                    f"Glean already runs in this process ({running.application_id} in {running.data_dir}); "
                    "shut it down first"
                )
            _wait_for_previous_teardown()
            if Glean.is_initialized():
                if _registry.reset_failure is not None:
                    raise GleanRuntimeError(
                        "Glean cannot start again in this process: resetting it after the last runtime "
                        f"failed ({_registry.reset_failure})"
                    )
                raise GleanRuntimeError("Glean was initialized in this process without GleanRuntime")
            glean_compat.warn_if_unverified()
            # Before the first initialization, so that the pings are kept
            # for re-registration with every later instance.
            metrics()
            pings()
            data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            owner_lock = InstanceLock(data_dir / OWNER_LOCK_NAME)
            try:
                owner_lock.acquire()
            except AlreadyRunning as exc:
                raise DataDirInUseError(
                    f"the Glean data directory {data_dir} is in use (pid {exc.pid}); "
                    "every process needs a data directory of its own"
                ) from None
            http_uploader = DirectHttpUploader(upload_timeout_s)
            uploader = _Uploader(endpoint, http_uploader, name=f"glean-upload-{process}")
            try:
                glean_compat.set_upload_trigger(uploader.trigger)
                configuration = Configuration(
                    server_endpoint=endpoint,
                    channel=channel,
                    ping_uploader=http_uploader,
                    allow_multiprocessing=True,
                    enable_internal_pings=internal_pings,
                    max_pending_pings_count=limits.max_pending_pings,
                    max_pending_pings_directory_size=limits.max_pending_bytes,
                )
                initialized_with_limits = glean_compat.initialize_with_rate_limit(
                    limits.seconds_per_interval,
                    limits.pings_per_interval,
                    lambda: Glean.initialize(
                        application_id=APPLICATION_IDS[process],
                        application_version=app_version,
                        upload_enabled=upload_enabled,
                        configuration=configuration,
                        data_dir=data_dir,
                        application_build_id=build_id if build_id is not None else app_version,
                    ),
                )
                if not initialized_with_limits:
                    # Never on 71.0.0; a later binding that initializes some
                    # other way would silently bring back the 15/min limit.
                    raise GleanRuntimeError(
                        "glean-sdk did not initialize through _uniffi.glean_initialize; "
                        f"the upload rate limit cannot be set (checked with {glean_compat.VERIFIED_GLEAN_SDK})"
                    )
            except BaseException:
                glean_compat.set_upload_trigger(_DISARMED_TRIGGER)
                owner_lock.release()
                raise
            runtime = cls(
                process=process,
                data_dir=data_dir,
                server_endpoint=endpoint,
                upload_enabled=upload_enabled,
                uploader=uploader,
                owner_lock=owner_lock,
            )
            uploader.start()
            # Registered after Glean's own atexit reset, so it runs first.
            atexit.register(runtime._shutdown_at_exit)
            _registry.current = runtime
        log.info("Glean started for %s in %s, uploading to %s", runtime.application_id, data_dir, endpoint)
        return runtime

    @classmethod
    def current(cls) -> GleanRuntime | None:
        """The running runtime of this process, if any."""
        with _registry.lock:
            return _registry.current

    # -- accessors -----------------------------------------------------------

    @property
    def metrics(self) -> Any:
        """The loaded metrics tree (see :func:`metrics`)."""
        return metrics()

    @property
    def pings(self) -> Any:
        """The loaded pings (see :func:`pings`)."""
        return pings()

    @property
    def running(self) -> bool:
        """True from ``start`` until ``shutdown`` was called."""
        with self._state_lock:
            return self._teardown is None

    @property
    def upload_enabled(self) -> bool:
        return self._upload_enabled

    @property
    def upload_stats(self) -> UploadStats:
        return self._uploader.stats

    def owned_pings(self) -> tuple[str, ...]:
        """The pings this process submits."""
        return tuple(name for name in ping_names() if PING_OWNERS.get(name) == self.process)

    def pending_ping_count(self) -> int:
        """Pings stored on disk and not uploaded yet (Glean's observed 71.0.0 layout)."""
        return glean_compat.pending_ping_count(self.data_dir)

    # -- operations ----------------------------------------------------------

    def submit(self, ping: str, reason_name: str) -> None:
        """Submit ``ping`` (owned by this process) with the reason named ``reason_name``.

        Raises ``GleanRuntimeError`` for an unknown ping, a ping of the other
        process or an unknown reason: a wrong reason would otherwise be
        logged by the core and silently replaced by none.  Returns at once;
        the ping is assembled on Glean's thread and uploaded by this
        runtime's upload thread.
        """
        self._require_running()
        codes = _reason_codes(ping)
        owner = PING_OWNERS.get(ping)
        if owner != self.process:
            raise GleanRuntimeError(f"the {ping} ping is submitted by the {owner}, not by the {self.process}")
        if reason_name not in reason_names(ping):
            raise GleanRuntimeError(
                f"unknown reason {reason_name!r} for {ping}; expected one of {', '.join(reason_names(ping))}"
            )
        _ping_object(ping).submit(codes[reason_name.upper()].value)
        self._uploader.expect_ping()

    def set_upload_enabled(self, enabled: bool) -> None:
        """Turn collection and upload on or off (the telemetry switch of the settings).

        Turning it off makes Glean clear the stored metrics and queued pings
        and send a ``deletion-request`` ping; turning it on starts a fresh
        collection.  Each process applies its own switch: the app forwards
        the setting to the daemon, which calls this too.
        """
        self._require_running()
        Glean.set_collection_enabled(enabled)
        self._upload_enabled = enabled
        self._uploader.wake()

    def shutdown(self, timeout_s: float = DEFAULT_SHUTDOWN_TIMEOUT_S) -> bool:
        """Stop Glean: whether it finished within ``timeout_s``.

        On a thread of its own, in order: the core shutdown (which writes
        every submitted ping to disk), a last upload pass bounded by the
        same deadline, and the reset that lets this process start Glean
        again.  What could not be uploaded stays on disk for the next start.
        If the bound is hit the work goes on in the background; a later
        ``start`` waits for it.  Calling it again waits again.
        """
        run_here_until: float | None = None
        with _registry.lock, self._state_lock:
            if self._teardown is None:
                deadline = time.monotonic() + max(0.0, timeout_s)
                self._teardown = threading.Thread(
                    target=self._tear_down,
                    args=(deadline,),
                    name=f"glean-shutdown-{self.process}",
                    daemon=True,
                )
                _registry.last_teardown = self._teardown
                if _registry.current is self:
                    _registry.current = None
                try:
                    self._teardown.start()
                except RuntimeError:
                    # No new threads once the interpreter is finalizing
                    # (atexit on Python 3.12+): shut down on this thread.
                    run_here_until = deadline
            teardown = self._teardown
        if run_here_until is not None:
            self._tear_down(run_here_until)
        if teardown.ident is None:  # it ran on the caller's thread
            return True
        teardown.join(max(0.0, timeout_s))
        finished = not teardown.is_alive()
        if not finished:
            log.warning("Glean shutdown of %s did not finish within %.1f s", self.application_id, timeout_s)
        return finished

    def _tear_down(self, deadline: float) -> None:
        try:
            self._uploader.stop()
            # glean-core 71.0.0's shutdown waits for its init thread only
            # until the pre-init queue is flushed, and closes the database
            # at its end; the init thread records its health ping after that
            # flush, and panics ("No database found") when the database is
            # already closed.  The panic poisons the core's locks, so Glean
            # can neither reset nor start again in this process.  So a
            # runtime shut down right after its start first lets the init
            # thread finish.  (A failed initialization never says so; then
            # this waits out the bound, as glean-core's shutdown itself
            # would wait for the queue the init thread never flushed.)
            if not glean_compat.wait_for_init(INIT_WAIT_S):
                log.warning("Glean did not initialize (it failed, or took over %.0f s); shutting it down", INIT_WAIT_S)
            # Blocks on Glean's dispatcher (at most 10 s in the core): once
            # it returns, every submitted ping is on disk.
            glean_compat.shutdown_core()
            self._uploader.join(deadline - time.monotonic())
            # Also with upload disabled: a deletion-request ping may be queued.
            if self._uploader.drain(deadline) != "done":
                log.info("Glean shutdown of %s left pings on disk for the next start", self.application_id)
        except Exception:
            log.exception("Glean shutdown of %s failed", self.application_id)
        finally:
            # Whatever happened above: the old uploader must never reach the
            # next instance, and the next start needs the reset.
            self._uploader.retire()
            glean_compat.set_upload_trigger(_DISARMED_TRIGGER)
            try:
                glean_compat.reset()
            except Exception as exc:
                # A panic on one of glean-core's threads (glean.init, say)
                # poisons its locks: the reset fails, and so would every
                # reset after it.
                _registry.reset_failure = f"{type(exc).__name__}: {exc}"
                log.exception("resetting Glean after the shutdown of %s failed", self.application_id)
            self._owner_lock.release()
            # Only now: until here, interpreter exit must wait for this
            # teardown (see ``_shutdown_at_exit``).
            atexit.unregister(self._shutdown_at_exit)

    def _shutdown_at_exit(self) -> None:
        # A second call only waits for the teardown the first one (or the owner) started.
        if not self.shutdown(EXIT_SHUTDOWN_TIMEOUT_S) and not self.shutdown(EXIT_PERSIST_WAIT_S):
            # The core is still shutting down on the teardown thread;
            # Glean's own atexit reset must not destroy it concurrently.
            glean_compat.keep_core_at_exit()

    def _require_running(self) -> None:
        if not self.running:
            raise GleanRuntimeError(f"the Glean runtime of the {self.process} was shut down")

    def __repr__(self) -> str:
        state = "running" if self.running else "shut down"
        return f"<GleanRuntime {self.application_id} {state} data_dir={self.data_dir}>"


def _checked_endpoint(server_endpoint: str) -> str:
    parts = urllib.parse.urlsplit(server_endpoint)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise GleanRuntimeError(f"the Glean server endpoint must be an http(s) URL, not {server_endpoint!r}")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise GleanRuntimeError(f"the Glean server endpoint is scheme, host and port only (got {server_endpoint!r})")
    return f"{parts.scheme}://{parts.netloc}"


def _wait_for_previous_teardown() -> None:
    teardown = _registry.last_teardown
    if teardown is None or not teardown.is_alive():
        return
    teardown.join(PREVIOUS_TEARDOWN_WAIT_S)
    if teardown.is_alive():
        raise GleanRuntimeError(
            f"the previous Glean runtime did not finish shutting down within {PREVIOUS_TEARDOWN_WAIT_S} s"
        )
