"""Entry point of the daemon process (``vpnui-daemon``, ``python -m daemon``).

Everything that can refuse to start is done before Qt or logging is set up,
so that a second daemon for the same user exits (code 3) without touching
the running daemon's socket, state or log.

Importing this module loads neither glean nor Qt; ``_serve`` imports them,
in an order that keeps the daemon small:

* glean after ``main`` has put in place the stand-ins that keep glean_parser
  (and jsonschema, jinja2, PyYAML) out of the daemon (``glean_compat``);
* Qt last: once PySide6 is imported, it reads the source of every module
  imported after it (looking for ``from __feature__ import`` users) and
  keeps it in ``linecache`` for the life of the process, about 7 MB for the
  daemon's Qt-free modules (glean, asyncio, the session and telemetry code).
  Imported before Qt, those are never read.
"""

from __future__ import annotations

import importlib
import logging
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

from daemon.logging_setup import configure_logging
from daemon.options import DaemonOptions, parse_options
from mimic_core import glean_compat
from mimic_core.instance_lock import AlreadyRunning, InstanceLock
from mimic_core.paths import MAX_SOCKET_PATH, Locations, ensure_private_dir, locations

if TYPE_CHECKING:
    from daemon.service import DaemonService

EXIT_OK: Final = 0
EXIT_FAILED: Final = 1
EXIT_ALREADY_RUNNING: Final = 3

QT_FREE_MODULES: Final = ("daemon.dispatch", "daemon.child_metrics")
"""The service's Qt-free half (session, telemetry with glean, the recorder for the app's ping), imported before Qt."""

log = logging.getLogger(__name__)


def main(argv: Sequence[str] | None = None) -> int:
    glean_compat.install()
    options = parse_options(argv)
    where = locations()
    socket_path = where.socket
    if len(str(socket_path).encode()) > MAX_SOCKET_PATH:
        print_error(f"socket path {socket_path} is longer than {MAX_SOCKET_PATH} bytes")
        return EXIT_FAILED
    try:
        ensure_private_dir(where.runtime)
    except OSError as exc:
        print_error(f"cannot prepare the runtime directory {where.runtime}: {exc}")
        return EXIT_FAILED
    lock = InstanceLock(where.daemon_lock)
    try:
        lock.acquire()
    except AlreadyRunning as exc:
        pid = exc.pid if exc.pid is not None else "unknown"
        print_error(f"another Mimic VPN daemon is already running for this user (pid {pid}); socket: {socket_path}")
        return EXIT_ALREADY_RUNNING
    except OSError as exc:
        print_error(f"cannot take the daemon lock {where.daemon_lock}: {exc}")
        return EXIT_FAILED
    try:
        return _serve(options, where)
    finally:
        lock.release()


def import_service() -> type[DaemonService]:
    """The service class, its Qt-free dependencies imported before Qt (see the module docstring)."""
    for name in QT_FREE_MODULES:
        importlib.import_module(name)
    from daemon.service import DaemonService  # noqa: PLC0415  (imports Qt, through the server)

    return DaemonService


def _serve(options: DaemonOptions, where: Locations) -> int:
    recent_logs = configure_logging(where.logs, options.log_level)
    if not glean_compat.installed():
        log.warning("glean_parser was loaded before the daemon started; it costs memory the daemon does not need")
    service_class = import_service()
    from PySide6.QtCore import QCoreApplication  # noqa: PLC0415

    from daemon.server import ListenError  # noqa: PLC0415
    from mimic_core.qt_loop import create_event_loop  # noqa: PLC0415

    app = QCoreApplication.instance() or QCoreApplication([sys.argv[0]])
    app.setApplicationName("mimic-vpn-daemon")
    loop = create_event_loop(app)
    service = service_class(options, where, recent_logs)
    try:
        return loop.run_until_complete(service.run())
    except ListenError as exc:
        print_error(str(exc))
        return EXIT_FAILED
    finally:
        loop.close()


def print_error(message: str) -> None:
    """A message for whoever started the daemon, on stderr."""
    print(f"vpnui-daemon: {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
