"""Where every Mimic VPN process keeps its files.

The app, the daemon, the command-line client and the lab must agree on these
locations (the daemon's socket above all), so they are computed in one place.
They come from platformdirs; ``MIMIC_HOME`` replaces all of them with
sub-directories of one folder, which is how tests and benchmarks run many
isolated copies of the product side by side.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import NamedTuple

import platformdirs

APP_NAME = "mimic-vpn"
HOME_ENV = "MIMIC_HOME"
SOCKET_NAME = "daemon.sock"

# A Unix socket path must fit in sockaddr_un.sun_path (108 bytes on Linux,
# including the terminating NUL).
MAX_SOCKET_PATH = 107


class Locations(NamedTuple):
    """All directories of one installation of the product.

    A named tuple, not a dataclass: the app reads it before its window is
    on screen, where the dataclasses module and the class cost about 1 ms
    (and msgspec, whose structs cost less, is not imported yet).
    """

    config: Path
    data: Path
    state: Path
    logs: Path
    runtime: Path

    @property
    def socket(self) -> Path:
        """The daemon's local socket, reachable only by this user."""
        return self.runtime / SOCKET_NAME

    @property
    def daemon_lock(self) -> Path:
        """Held (flock) by the one running daemon of this user."""
        return self.runtime / "daemon.lock"

    @property
    def lab_state(self) -> Path:
        """Address of the running embedded lab, written by the lab itself."""
        return self.runtime / "lab.json"

    @property
    def daemon_state(self) -> Path:
        """The daemon's persistent state (live session id and its metadata)."""
        return self.state / "daemon-state.json"

    def glean_dir(self, process: str) -> Path:
        """A Glean data directory of its own for each process (never shared)."""
        return self.data / f"glean-{process}"


def home_locations(root: Path) -> Locations:
    """The locations of an installation whose ``MIMIC_HOME`` is ``root``.

    For a process that drives another installation than its own (the fault
    runner, a fleet of installations): its own environment says nothing
    about where their files are.
    """
    return Locations(
        config=root / "config",
        data=root / "data",
        state=root / "state",
        logs=root / "logs",
        runtime=root / "run",
    )


def locations() -> Locations:
    """The locations in force for this process (``MIMIC_HOME`` wins)."""
    home = os.environ.get(HOME_ENV)
    if home:
        return home_locations(Path(home))
    with warnings.catch_warnings():
        # Without XDG_RUNTIME_DIR platformdirs falls back to /tmp/runtime-UID
        # and warns; the fallback is fine because we enforce 0700 ourselves.
        warnings.simplefilter("ignore")
        runtime = platformdirs.user_runtime_dir(APP_NAME)
    return Locations(
        config=Path(platformdirs.user_config_dir(APP_NAME)),
        data=Path(platformdirs.user_data_dir(APP_NAME)),
        state=Path(platformdirs.user_state_dir(APP_NAME)),
        logs=Path(platformdirs.user_log_dir(APP_NAME)),
        runtime=Path(runtime),
    )


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) and make it 0700, owned by this user.

    The runtime directory holds the daemon socket; anyone able to enter it
    could drive the VPN, so its mode is enforced even if it already existed.
    """
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    if path.stat().st_uid != os.getuid():
        raise PermissionError(f"{path} is not owned by the current user")
    return path
