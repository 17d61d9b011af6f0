"""Nothing under the user's pointer moves while the app starts.

The real app starts as ``vpnui`` starts it: the window's first frame (the
skeleton of the status card), then the screens attached while the daemon link
is still starting (its banner up), then the link ready (the banner gone).
Every frame the window renders on the way is sampled, on the GUI thread
just before the scene graph is synchronised, so a jump a user could see
(and a click aimed at the switch could miss) is a jump the test sees.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtQml import QQmlApplicationEngine
from PySide6.QtQuick import QQuickItem, QQuickWindow
from pytestqt.qtbot import QtBot

from lab.lab_process import LabProcess
from mimic_vpn_testing.app import app_options
from mimic_vpn_testing.qt_driving import run
from tests.support.theme_contrast import AA_NORMAL_TEXT, contrast_ratio
from vpnui.app import MimicApp
from vpnui.daemon_client import LinkState
from vpnui.main_window import load_main_window


@dataclass(frozen=True)
class Frame:
    """Where things were in one rendered frame (``None``: not shown)."""

    link: str
    card: QRectF  # the skeleton until the screens exist, then the status card
    toggle: QRectF | None
    location: QRectF | None
    lab_button: QRectF | None
    settings_button: QRectF | None
    banner: QRectF | None
    banner_colours: tuple[str, str] | None  # text, fill


def _shown(window: QQuickWindow, name: str) -> QQuickItem | None:
    item = window.findChild(QQuickItem, name)
    return item if item is not None and item.isVisible() and item.width() > 0 else None


def _scene_rect(item: QQuickItem | None) -> QRectF | None:
    if item is None:
        return None
    return QRectF(item.mapToScene(QPointF(0, 0)), item.size())


def _sample(window: QQuickWindow, app: MimicApp | None) -> Frame:
    card = _shown(window, "statusHeader") or _shown(window, "startupPlaceholder")
    assert card is not None, "neither the status card nor its skeleton is shown"
    banner = _shown(window, "daemonLinkBanner")
    colours = None
    if banner is not None:
        text = window.findChild(QQuickItem, "daemonLinkBannerText")
        assert text is not None
        colours = (text.property("color").name(), banner.property("color").name())
    card_rect = _scene_rect(card)
    assert card_rect is not None
    return Frame(
        link=app.manager.link_state.value if app is not None else "",
        card=card_rect,
        toggle=_scene_rect(_shown(window, "vpnToggle")),
        location=_scene_rect(_shown(window, "locationButton")),
        lab_button=_scene_rect(_shown(window, "labPanelButton")),
        settings_button=_scene_rect(_shown(window, "settingsButton")),
        banner=_scene_rect(banner),
        banner_colours=colours,
    )


def _one_place(rects: Sequence[QRectF | None], what: str) -> QRectF:
    places = {(r.x(), r.y(), r.width(), r.height()) for r in rects if r is not None}
    assert len(places) == 1, f"the {what} moved during start-up: {sorted(places)}"
    return next(r for r in rects if r is not None)


def test_card_switch_and_location_never_move_from_first_frame_to_ready_link(
    qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop, lab: LabProcess
) -> None:
    engine = QQmlApplicationEngine()
    window = load_main_window(engine)
    holder: list[MimicApp] = []
    frames: list[Frame] = []

    def on_frame() -> None:
        frames.append(_sample(window, holder[0] if holder else None))

    # Emitted on the GUI thread for every frame, after the layouts were polished.
    window.afterAnimating.connect(on_frame)
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: len(frames) > 0)
    assert frames[0].toggle is None, "the first frame is the skeleton"

    app = MimicApp(app_options(lab), engine=engine)
    holder.append(app)
    try:
        app.show()
        # The screens arrive while the daemon link is still starting: its banner is up.
        qtbot.waitUntil(lambda: any(f.banner is not None for f in frames))
        assert app.manager.link_state is LinkState.STARTING
        run(qtbot, app.start())
        qtbot.waitUntil(
            lambda: app.manager.link_state is LinkState.READY and app.manager.location_model.rowCount() > 0,
            timeout=20_000,
        )
        qtbot.waitUntil(lambda: frames[-1].link == "ready" and frames[-1].banner is None)
        qtbot.waitUntil(lambda: frames[-1].location is not None)
    finally:
        window.afterAnimating.disconnect(on_frame)
        run(qtbot, app.shutdown())

    assert frames[-1].toggle is not None
    card_tops = [QRectF(f.card.topLeft(), QPointF(f.card.right(), f.card.top())) for f in frames]
    _one_place(card_tops, "status card")  # its top edge and width: the skeleton's, then the card's
    _one_place([f.card for f in frames if f.toggle is not None], "status card")
    toggle = _one_place([f.toggle for f in frames], "switch")
    location = _one_place([f.location for f in frames], "location row")
    # The bottom row too: the lab's button has its place before the lab is found.
    lab_button = _one_place([f.lab_button for f in frames], "lab panel button")
    settings_button = _one_place([f.settings_button for f in frames], "settings button")

    with_banner = [f for f in frames if f.banner is not None]
    assert with_banner, "no frame showed the daemon link banner"
    for frame in with_banner:
        assert frame.banner is not None
        for rect in (frame.card, toggle, location, lab_button, settings_button):
            assert not frame.banner.intersects(rect), "the banner covers something the user may click"
        assert frame.banner_colours is not None
        assert contrast_ratio(*frame.banner_colours) >= AA_NORMAL_TEXT, frame.banner_colours
