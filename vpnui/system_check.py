"""Checks what a fresh machine may lack before the GUI starts.

Qt's xcb platform plugin needs a handful of system libraries that a minimal
Debian/Ubuntu install does not have, and when one is missing Qt only says
"could not load the Qt platform plugin xcb" and aborts.  This check reads the
real dependency list of the plugin with ``ldd``, names every missing library
and the Debian package that provides it, installs them when it can (root
with apt-get), and explains how to get a display when there is none.

Exit status: 0 ready, 1 something is missing (the message says what).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

# Shared object -> Debian package, for everything the xcb plugin links to
# that a minimal system may lack.
DEBIAN_PACKAGES: dict[str, str] = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb.so.1": "libxcb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libXau.so.6": "libxau6",
    "libXdmcp.so.6": "libxdmcp6",
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libGLX.so.0": "libglx0",
    "libGLdispatch.so.0": "libglvnd0",
    "libOpenGL.so.0": "libopengl0",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libdbus-1.so.3": "libdbus-1-3",
    "libpng16.so.16": "libpng16-16",
}


def qt_dir() -> Path:
    import PySide6  # noqa: PLC0415  (only the location is needed)

    return Path(PySide6.__file__).resolve().parent / "Qt"


def missing_libraries(binaries: list[Path]) -> list[str]:
    """Shared objects that ``ldd`` reports as "not found" for ``binaries``."""
    missing: set[str] = set()
    for binary in binaries:
        if not binary.exists():
            continue
        result = subprocess.run(["ldd", str(binary)], capture_output=True, text=True, check=False)
        for line in result.stdout.splitlines():
            if "=> not found" in line:
                missing.add(line.split("=>")[0].strip())
    return sorted(missing)


def packages_for(libraries: list[str]) -> tuple[list[str], list[str]]:
    """(Debian packages to install, libraries with no known package)."""
    packages = sorted({DEBIAN_PACKAGES[lib] for lib in libraries if lib in DEBIAN_PACKAGES})
    unknown = [lib for lib in libraries if lib not in DEBIAN_PACKAGES]
    return packages, unknown


def install(packages: list[str]) -> bool:
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        return False
    print(f"Installing the system libraries Qt needs: {' '.join(packages)}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
    return subprocess.run(["apt-get", "install", "-y", "-qq", *packages], check=False, env=env).returncode == 0


def has_display() -> bool:
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform.startswith(("offscreen", "minimal", "vnc")):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check that this machine can show the Mimic VPN window")
    parser.add_argument("--no-install", action="store_true", help="only report what is missing")
    args = parser.parse_args(argv)
    root = qt_dir()
    binaries = [root / "plugins" / "platforms" / "libqxcb.so", root / "lib" / "libQt6XcbQpa.so.6"]
    missing = missing_libraries(binaries)
    if missing:
        packages, unknown = packages_for(missing)
        if packages and not args.no_install and install(packages):
            missing = missing_libraries(binaries)
            packages, unknown = packages_for(missing)
        if missing:
            print("Qt's xcb platform plugin cannot load; missing system libraries:", file=sys.stderr)
            for lib in missing:
                print(f"  {lib}", file=sys.stderr)
            if packages:
                print(f"Install them with:\n  sudo apt-get install {' '.join(packages)}", file=sys.stderr)
            if unknown:
                print(f"No known Debian package for: {', '.join(unknown)}", file=sys.stderr)
            return 1
    if not has_display():
        print(
            "No display: DISPLAY and WAYLAND_DISPLAY are unset.\n"
            "Run the app on a virtual display instead:\n"
            "  sudo apt-get install xvfb && xvfb-run -a make run",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
