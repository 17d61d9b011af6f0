"""Entry point of the daemon process (``vpnui-daemon``, ``python -m daemon``).

Everything that can refuse to start is done before Qt or logging is set up,
so that a second daemon for the same user exits (code 3) without touching
the running daemon's socket, state or log.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Final

from PySide6.QtCore import QCoreApplication

from daemon.instance_lock import AlreadyRunning, InstanceLock
from daemon.logging_setup import configure_logging
from daemon.options import DaemonOptions, parse_options
from daemon.paths import MAX_SOCKET_PATH, Locations, ensure_private_dir, locations
from daemon.qt_loop import create_event_loop
from daemon.server import ListenError
from daemon.service import DaemonService, print_error

EXIT_OK: Final = 0
EXIT_FAILED: Final = 1
EXIT_ALREADY_RUNNING: Final = 3


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


def _serve(options: DaemonOptions, where: Locations) -> int:
    recent_logs = configure_logging(where.logs, options.log_level)
    app = QCoreApplication.instance() or QCoreApplication([sys.argv[0]])
    app.setApplicationName("mimic-vpn-daemon")
    loop = create_event_loop(app)
    service = DaemonService(options, where, recent_logs)
    try:
        return loop.run_until_complete(service.run())
    except ListenError as exc:
        print_error(str(exc))
        return EXIT_FAILED
    finally:
        loop.close()


if __name__ == "__main__":
    sys.exit(main())
