"""The one place that touches glean-sdk's internals; each workaround names the release it was measured on.

Mimic VPN goes past glean-sdk's public API for two reasons, each recorded in
``docs/decisions/``:

* **No YAML tooling at run time** (0002): glean-sdk 71.0.0's
  ``glean/__init__.py`` imports glean_parser only to compare its version,
  and ``glean._loader`` (glean_parser's parser, hence jsonschema, jinja2,
  PyYAML and rpds) only for ``load_metrics``/``load_pings``, which neither
  process calls: both build their metrics from the generated definitions.
  Stand-ins for the two modules keep about 17 MB out of the daemon.
* **The in-process uploader** (0003): ``glean_runtime`` uploads on a thread
  of its own instead of the SDK's subprocess uploader, so it drives
  glean-core's upload loop, takes the place of the SDK's "last uploader
  process" and shuts the core down and resets it itself.

Everything listed here was checked against glean-sdk 71.0.0;
``tests/unit/test_glean_compat.py`` fails when an installed release lacks
one of these internals or changes its shape, and ``pyproject.toml`` pins
glean-sdk to 71.x.  Importing this module does not import glean: the
stand-ins must be in place before glean's first import.
"""

from __future__ import annotations

import atexit
import functools
import logging
import sys
import threading
import time
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final, NamedTuple, NoReturn

log = logging.getLogger(__name__)

VERIFIED_GLEAN_SDK: Final = "71.0.0"
"""The glean-sdk release every workaround below was measured on."""

# ---------------------------------------------------------------------------
# glean_parser and glean._loader stand-ins (glean-sdk 71.0.0)
# ---------------------------------------------------------------------------

STAND_IN_NOTE: Final = "stand-in installed by mimic_core.glean_compat: the daemon loads generated definitions"


class DefinitionsNotParsedError(RuntimeError):
    """Something asked glean to parse metrics.yaml/pings.yaml in a process that runs on the stand-ins."""


def _refuse_parsing(*_args: Any, **_kwargs: Any) -> NoReturn:
    raise DefinitionsNotParsedError(
        "the daemon does not parse Glean YAML at run time: its metrics and pings come from "
        "resources/glean_definitions.json (mimic_core.glean_objects; regenerate with `make glean-definitions`)"
    )


def install_parser_stand_ins() -> bool:
    """Put the stand-ins in ``sys.modules``; whether they were installed.

    ``glean_parser`` becomes a module with only ``__version__`` (the
    installed glean_parser's, so glean's version check still compares the
    real thing) and ``glean._loader`` one whose ``load_metrics``/
    ``load_pings`` raise.  The only other user of ``glean._loader`` in
    glean-sdk 71.0.0 is ``glean._builtins``, imported by the
    ``Configuration.channel`` setter; both processes pass their channel to
    ``Configuration`` and never assign it later.

    For the processes' start only (``mimic_core.early_start``): the tests
    import glean_parser for real.  Does nothing once glean, glean_parser or
    glean's loader is imported: replacing a module something already holds
    would split it in two.
    """
    if any(name in sys.modules for name in ("glean", "glean._loader", "glean_parser")):
        return False
    import importlib.metadata  # noqa: PLC0415  (not on the app's path to its first frame)

    parser = types.ModuleType("glean_parser", STAND_IN_NOTE)
    parser.__version__ = importlib.metadata.version("glean_parser")  # type: ignore[attr-defined]
    loader = types.ModuleType("glean._loader", STAND_IN_NOTE)
    loader.load_metrics = _refuse_parsing  # type: ignore[attr-defined]
    loader.load_pings = _refuse_parsing  # type: ignore[attr-defined]
    sys.modules["glean_parser"] = parser
    sys.modules["glean._loader"] = loader
    return True


def parser_stand_ins_installed() -> bool:
    """Whether this process runs on the stand-ins (the daemon logs it)."""
    module = sys.modules.get("glean_parser")
    return module is not None and module.__doc__ == STAND_IN_NOTE


# ---------------------------------------------------------------------------
# The upload loop of glean_runtime (glean-sdk 71.0.0)
# ---------------------------------------------------------------------------

PENDING_PING_DIRS: Final = ("pending_pings", "deletion_request")
"""Where glean-core 71.0.0 keeps the pings it has not uploaded yet, inside its data directory."""


class UploadTask(NamedTuple):
    """What glean-core asks the uploader to do next: upload ``request``, wait ``wait_s``, or (neither) stop."""

    request: Any | None
    wait_s: float | None


@functools.cache
def _core() -> Any:
    """glean-sdk's generated bindings to glean-core (``glean._uniffi``)."""
    from glean import _uniffi  # noqa: PLC0415  (glean must not load when this module does)

    return _uniffi


@functools.cache
def _process_dispatcher() -> Any:
    from glean._process_dispatcher import ProcessDispatcher  # noqa: PLC0415

    return ProcessDispatcher


@functools.cache
def _glean() -> Any:
    from glean import Glean  # noqa: PLC0415

    return Glean


def set_upload_trigger(trigger: object) -> None:
    """Stand ``trigger`` in for the SDK's last uploader subprocess.

    With ``allow_multiprocessing`` on, glean-sdk 71.0.0 spawns an uploader
    subprocess on every upload trigger unless
    ``ProcessDispatcher._last_process.poll()`` returns ``None`` (still
    running); an object whose ``poll()`` always answers ``None`` turns every
    trigger into a call of that ``poll()`` and spawns nothing.
    """
    _process_dispatcher()._last_process = trigger


INIT_POLL_S: Final = 0.01
"""How often ``wait_for_init`` looks at the flag the init thread sets."""


def init_finished() -> bool:
    """Whether Glean's asynchronous initialization is done (``Glean._init_finished``, set on its own thread)."""
    return bool(_glean()._init_finished)


def wait_for_init(timeout_s: float, stop: threading.Event | None = None) -> bool:
    """Until Glean's init thread has finished, ``timeout_s`` passed or ``stop`` is set: whether it finished.

    ``Glean._init_finished`` is set by the init thread's last step (its
    ``initialize_finished`` callback), so once it is true that thread does
    nothing more.  It stays false when the initialization failed: then only
    the bound ends the wait.
    """
    deadline = time.monotonic() + timeout_s
    while not init_finished():
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        if stop is None:
            time.sleep(min(INIT_POLL_S, remaining))
        elif stop.wait(min(INIT_POLL_S, remaining)):
            return init_finished()
    return True


def next_upload_task() -> UploadTask:
    """glean-core's next upload task (``glean_get_upload_task``)."""
    task = _core().glean_get_upload_task()
    if task.is_upload():
        return UploadTask(task.request, None)
    if task.is_wait():
        # Throttled (15 pings per minute) or pings still being scanned; the core gives milliseconds.
        return UploadTask(None, task.time / 1000)
    return UploadTask(None, None)


def upload_request(request: Any, endpoint: str) -> Any:
    """The ``CapablePingUploadRequest`` a ``BaseUploader`` takes, as the SDK's upload worker builds it."""
    from glean.net.ping_upload_worker import CapablePingUploadRequest, PingUploadRequest  # noqa: PLC0415

    return CapablePingUploadRequest(PingUploadRequest(request, endpoint))


def report_upload(request: Any, result: Any) -> bool:
    """Tell glean-core how an upload went; whether it ends this upload pass (``UploadTaskAction.END``)."""
    core = _core()
    action = core.glean_process_ping_upload_response(request.document_id, result)
    return bool(action == core.UploadTaskAction.END)


def shutdown_core() -> None:
    """glean-core's shutdown (``glean_shutdown``): blocks until every submitted ping is on disk (at most 10 s)."""
    _core().glean_shutdown()


def reset() -> None:
    """Destroy the core instance and clear the Python side, so ``Glean.initialize`` may run again.

    ``Glean._reset`` (glean-sdk 71.0.0: ``glean_test_destroy_glean`` and the
    class's flags).  ``glean.testing.reset_glean`` is not usable instead: it
    switches to test mode, where every submit blocks about 1.3 s on a
    subprocess.
    """
    _glean()._reset()


def keep_core_at_exit() -> None:
    """Stop Glean's own exit hook (``atexit`` of ``Glean._reset``) from destroying a core still shutting down."""
    atexit.unregister(_glean()._reset)


def pending_ping_count(data_dir: Path) -> int:
    """Pings stored in ``data_dir`` and not uploaded yet."""
    return sum(
        1
        for folder in PENDING_PING_DIRS
        if (data_dir / folder).is_dir()
        for entry in (data_dir / folder).iterdir()
        if entry.is_file()
    )


@functools.cache
def warn_if_unverified() -> None:
    """Log once when the installed glean-sdk is not the release the workarounds were measured on."""
    import importlib.metadata  # noqa: PLC0415

    try:
        installed = importlib.metadata.version("glean-sdk")
    except importlib.metadata.PackageNotFoundError:
        installed = "unknown"
    if installed != VERIFIED_GLEAN_SDK:
        log.warning(
            "glean-sdk %s is installed; Mimic VPN relies on internals checked with %s",
            installed,
            VERIFIED_GLEAN_SDK,
        )


_initialize_lock: Final = threading.Lock()


def initialize_with_rate_limit(
    seconds_per_interval: int, pings_per_interval: int, initialize: Callable[[], None]
) -> bool:
    """Run ``initialize`` (a ``Glean.initialize`` call) so that glean-core gets this upload rate limit.

    glean-sdk 71.0.0's binding hard-codes ``rate_limit=None`` in the
    ``InternalConfiguration`` it hands to ``_uniffi.glean_initialize``
    (glean-core then applies 15 pings per 60 s); this sets it on the way.

    The pending caps go through ``Configuration``; this only adds what the
    binding cannot pass.  Returns whether glean-core was initialized with
    the rate limit: False if ``initialize`` never reached
    ``_uniffi.glean_initialize`` (Glean was already initialized, or a
    future binding initializes another way), and the caller must not assume
    the limit then.
    """
    core = _core()
    original = core.glean_initialize
    applied = False

    def glean_initialize(cfg: Any, client_info: Any, callbacks: Any) -> None:
        nonlocal applied
        cfg.rate_limit = core.PingRateLimit(
            seconds_per_interval=seconds_per_interval, pings_per_interval=pings_per_interval
        )
        applied = True
        original(cfg, client_info, callbacks)

    with _initialize_lock:
        core.glean_initialize = glean_initialize
        try:
            initialize()
        finally:
            core.glean_initialize = original
    return applied
