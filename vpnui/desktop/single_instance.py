"""One ``vpnui`` per user (and per ``MIMIC_HOME``): a second launch shows the running window and exits 0.

Stdlib only and run before Qt is imported, so a second launch costs no
window.  The claim is a bound Linux abstract Unix socket: binding it is
atomic (the first process wins), the kernel frees it when its holder dies
(no stale file), and the holder's loop serves it to hear "show".  Names in
the abstract namespace have no file permissions; the name carries the uid,
and the only request honoured is to show the window.
"""

from __future__ import annotations

import os
import socket
import zlib
from typing import Final

SHOW: Final = b"show\n"
SHOWN: Final = b"shown\n"
REPLY_TIMEOUT_S: Final = 5.0


def instance_name() -> bytes:
    home = os.environ.get("MIMIC_HOME", "")
    # Tells apart the homes of one user (a checksum is enough: not a secret).
    # Not hashlib: importing it loads OpenSSL, about 6 ms before the first frame.
    tag = f"{zlib.crc32(home.encode()):08x}"
    return f"\0mimic-vpn-app-{os.getuid()}-{tag}".encode()


def claim() -> socket.socket | None:
    """The listening socket of this, the first instance; None when another one holds it."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.bind(instance_name())
    except OSError:
        sock.close()
        return None
    sock.listen(4)
    sock.setblocking(False)
    return sock


def ask_to_show(timeout_s: float = REPLY_TIMEOUT_S) -> bool:
    """Ask the running instance to show its window; True when it said it did."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(timeout_s)
            sock.connect(instance_name())
            sock.sendall(SHOW)
            return sock.recv(64) == SHOWN
    except OSError:
        return False
