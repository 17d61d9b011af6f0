"""Making room for many sockets in one process.

A thousand simulated servers need two thousand sockets, more than the soft
open-file limit of many desktop sessions (often 1024).  The soft limit may
be raised up to the hard limit without privileges, so the lab does that
rather than failing halfway through binding its servers.
"""

from __future__ import annotations

import resource


def ensure_open_files(needed: int) -> int:
    """Raise the soft RLIMIT_NOFILE to at least ``needed``; the limit in force.

    ``OSError`` if the hard limit is too low, naming both numbers.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= needed:
        return soft
    if hard != resource.RLIM_INFINITY and hard < needed:
        raise OSError(
            f"{needed} open files are needed but the hard limit is {hard}; raise it (ulimit -Hn) or use fewer servers"
        )
    resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))
    return needed
