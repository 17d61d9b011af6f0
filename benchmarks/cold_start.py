"""Cold start: process start to the first frame of the main window, and to its full UI.

Each launch is a new ``python -m benchmarks.first_frame`` process: ``app``
runs ``vpnui.main.main`` (the entry point of ``python -m vpnui``) with every
endpoint on the command line pointing at an already-running lab and a daemon
already answering on the socket, so nothing is spawned; ``minimal`` loads a
trivial Qt Quick window of the same size.  Both figures run from the moment
just before this process starts the child (``time.monotonic()``, which is
system-wide), software rendering offscreen: the first to the main window's
first ``QQuickWindow.frameSwapped`` (the window with a skeleton of its status card, see
``vpnui.main_window``), the second to the first frame that shows its screens
(status card, toggle, location), which is what the first frame showed
before the window came in two steps.

Launches alternate between the two so drift affects both alike; the first
launch of each is discarded (it fills the OS page cache, Qt's QML disk
cache and Python's bytecode cache, which every later launch, like a user's
second start, finds warm: the children may write bytecode even where
``PYTHONDONTWRITEBYTECODE`` is set, in a folder of the benchmark's home).
The phases inside the app's launch are kept in the details: interpreter
start, imports, building the app and loading the QML window, ``start()``,
and the wait for the first frame.

Every launch, of both kinds, runs on a desktop (``benchmarks.desktop_session``):
a private session bus with a tray host and a notification service, as a
user's session has, so Qt and the app find a bus as they would there.  An
app launch counts only once the tray host registered that process's item
(after its stamps: the app registers it once it is started); then it is
killed and the next launch begins.
"""

from __future__ import annotations

from typing import Any, Final

from benchmarks.desktop_session import Desktop, desktop_session
from benchmarks.report import Figure, Reference, Spec, numbers_of, ratio, verdict
from benchmarks.settings import RunSettings
from benchmarks.stats import summarize
from benchmarks.world import Child, World, private_world
from vpnui.config import lab_endpoints

TARGET_RATIO: Final = 1.3
FULL_UI_TARGET_RATIO: Final = 1.6
FRAME_TIMEOUT_S: Final = 60.0

SPEC: Final = Spec(
    key="cold_start",
    title="Cold start to first frame (with tray)",
    unit="ms",
    target=f"≤ {TARGET_RATIO}x the minimal window",
    definition=(
        "from starting `python -m vpnui` (its real main(), endpoints on the command line, lab and daemon already "
        "running) to the main window's first frameSwapped, offscreen, on a private session bus with a tray host and "
        "a notification service (each launch's tray item registered), Python's bytecode and Qt's QML cache warm "
        "from a discarded first launch, as at a user's second start; reference: a minimal PySide6 Qt Quick window "
        "of the same size, same wrapper, same bus, same caches"
    ),
)
FULL_UI_SPEC: Final = Spec(
    key="cold_start_full_ui",
    title="Cold start to the full UI (with tray)",
    unit="ms",
    target=f"≤ {FULL_UI_TARGET_RATIO}x the minimal window",
    definition=(
        "from starting `python -m vpnui` (as above) to the first frame showing the main window's screens (status "
        "card, toggle, location: MainContent.qml loaded), on the same desktop; reference: the same minimal window's "
        "first frame"
    ),
)
SPECS: Final = (SPEC, FULL_UI_SPEC)


def vpnui_arguments(lab_url: str) -> list[str]:
    endpoints = lab_endpoints(lab_url)
    return [
        "--connectivity-url",
        endpoints.connectivity_url or "",
        "--captive-portal-url",
        endpoints.captive_portal_url or "",
        "--subscription-url",
        endpoints.subscription_url or "",
        "--servers-url",
        endpoints.servers_url or "",
        "--ingestion-url",
        endpoints.ingestion_url or "",
        "--portal-url",
        endpoints.portal_url or "",
        "--account-url",
        endpoints.account_url or "",
        "--lab-url",
        endpoints.lab_url or "",
    ]


def launch(world: World, desktop: Desktop, mode: str, index: int) -> dict[str, float]:
    """One launch: the child's stamps, relative to the moment it was started, in ms."""
    arguments = ["-m", "benchmarks.first_frame", mode]
    if mode == "app":
        arguments += vpnui_arguments(world.lab_url)
    # The discarded first launch of each kind writes the bytecode the later ones read.
    child = Child(arguments, world, f"first-frame-{mode}-{index}", keep_bytecode=True)
    try:
        event = child.expect("frame", FRAME_TIMEOUT_S)
        if mode == "app":
            desktop.wait_for_item(child.pid)
    finally:
        # The figures are taken: no orderly shutdown to wait for (and no second
        # instance of the app alive when the next launch starts).
        child.kill()
    return {key: round((float(value) - child.started_at) * 1000, 2) for key, value in event.items() if key != "event"}


def _phases(stamps: list[dict[str, float]]) -> dict[str, Any]:
    """Median duration of each step of a launch, in ms."""
    steps = (
        ("interpreter", None, "started"),
        ("Qt imports", "started", "imported"),
        ("QGuiApplication", "imported", "show"),
        ("window load", "show", "shown"),
        ("first frame after load", "shown", "first_frame"),
        ("app imports, objects and screens", "first_frame", "attached"),
        ("full-UI frame after screens", "attached", "full_ui"),
    )
    phases: dict[str, Any] = {}
    for name, begin, end in steps:
        values = [
            stamp[end] - (stamp[begin] if begin is not None else 0.0)
            for stamp in stamps
            if end in stamp and (begin is None or begin in stamp)
        ]
        if values:
            phases[name] = round(summarize(values).median, 1)
    return phases


def run(settings: RunSettings) -> list[Figure]:
    app_stamps: list[dict[str, float]] = []
    minimal_stamps: list[dict[str, float]] = []
    with private_world() as world, desktop_session(world) as desktop:
        for index in range(settings.warmup + settings.launches):
            for mode, found in (("minimal", minimal_stamps), ("app", app_stamps)):
                stamps = launch(world, desktop, mode, index)
                if index >= settings.warmup:
                    found.append(stamps)
        items = len(desktop.items)
    app = summarize([stamp["first_frame"] for stamp in app_stamps])
    full_ui = summarize([stamp["full_ui"] for stamp in app_stamps])
    minimal = summarize([stamp["first_frame"] for stamp in minimal_stamps])
    reference = Reference("minimal Qt Quick window", numbers_of(minimal))
    details = {
        "app_phases_ms": _phases(app_stamps),
        "minimal_phases_ms": _phases(minimal_stamps),
        "tray_items_registered": items,
    }
    measured_ratio = ratio(app.median, minimal.median)
    full_ui_ratio = ratio(full_ui.median, minimal.median)
    return [
        SPEC.figure(
            numbers_of(app),
            verdict(measured_ratio is not None and measured_ratio <= TARGET_RATIO),
            reference=reference,
            ratio=measured_ratio,
            details=details,
        ),
        FULL_UI_SPEC.figure(
            numbers_of(full_ui),
            verdict(full_ui_ratio is not None and full_ui_ratio <= FULL_UI_TARGET_RATIO),
            reference=reference,
            ratio=full_ui_ratio,
            details=details,
        ),
    ]
