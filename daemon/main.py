"""Entry point of the daemon process (``vpnui-daemon``, ``python -m daemon``).

Everything that can refuse to start is done before Qt or logging is set up,
so that a second daemon for the same user exits (code 3) without touching
the running daemon's socket, state or log.  Importing this module loads
neither glean nor Qt; ``import_service`` imports QtCore, sets the
interpreter up as every process does (``mimic_core.early_start``), and only
then the service and everything it needs.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

from daemon.logging_setup import configure_logging
from daemon.options import DaemonOptions, parse_options
from mimic_core import early_start, glean_compat
from mimic_core.instance_lock import AlreadyRunning, InstanceLock
from mimic_core.paths import MAX_SOCKET_PATH, Locations, ensure_private_dir, locations
from mimic_core.telemetry_names import APPLICATION_IDS

if TYPE_CHECKING:
    from daemon.service import DaemonService

EXIT_FAILED: Final = 1
EXIT_ALREADY_RUNNING: Final = 3

log = logging.getLogger(__name__)


def main(argv: Sequence[str] | None = None) -> int:
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
    """The service class, imported once Qt is in and the interpreter is set up (``mimic_core.early_start``)."""
    import PySide6.QtCore  # noqa: F401, PLC0415

    early_start.qt_imported()
    from daemon.service import DaemonService  # noqa: PLC0415

    return DaemonService


def _serve(options: DaemonOptions, where: Locations) -> int:
    recent_logs = configure_logging(where.logs, options.log_level)
    service_class = import_service()
    if not glean_compat.parser_stand_ins_installed():
        log.warning("glean_parser was loaded before the daemon started; it costs memory the daemon does not need")
    from PySide6.QtCore import QCoreApplication  # noqa: PLC0415

    from daemon.server import ListenError  # noqa: PLC0415
    from mimic_core.qt_loop import create_event_loop  # noqa: PLC0415

    app = QCoreApplication.instance() or QCoreApplication([sys.argv[0]])
    app.setApplicationName(APPLICATION_IDS["daemon"])
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
