"""What crosses into QML: enums for the failure and the daemon link, a list model for the locations.

The model is checked with Qt's own QAbstractItemModelTester (pytest-qt's
``qtmodeltester``), then for what it is for: an update redraws only what
changed, so the picker keeps its rows (and their scroll position and focus)
while latencies arrive and the selection moves.
"""

from __future__ import annotations

import shiboken6
from msgspec.structs import replace
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from mimic_vpn_testing.qt_driving import click, find_item, find_object, shown
from tests.support.model_tester import check_model
from vpnui.app import MimicApp
from vpnui.connection.locations import LatencyTier, LocationRow
from vpnui.connection.states import FailureCause
from vpnui.daemon_client import LinkState
from vpnui.location_model import ROLES, LocationListModel
from vpnui.qml_types import FailureKind, LinkKind


def row(city: str, latency_ms: float = -1.0, tier: LatencyTier = LatencyTier.Unknown, **more: object) -> LocationRow:
    base = LocationRow(
        country_code="de",
        city_code=city.lower()[:3],
        country="Germany",
        city=city,
        servers=2,
        latency_ms=latency_ms,
        latency_tier=tier,
        selected=False,
        recent_rank=-1,
    )
    return replace(base, **more)


ROWS = [row("Berlin", selected=True), row("Frankfurt"), row("Hamburg")]


class Spy:
    """What a view of ``model`` is told."""

    def __init__(self, model: LocationListModel) -> None:
        self.resets = 0
        self.changed: list[tuple[int, int, set[str]]] = []
        model.modelReset.connect(self._reset)
        model.dataChanged.connect(self._data_changed)

    def _reset(self) -> None:
        self.resets += 1

    def _data_changed(self, first: object, last: object, roles: list[int]) -> None:
        self.changed.append((first.row(), last.row(), {ROLES[role] for role in roles}))  # type: ignore[attr-defined]


def test_the_model_passes_qts_model_tester(qtmodeltester: ModelTester) -> None:
    model = LocationListModel()
    check_model(qtmodeltester, model)
    model.update(ROWS)
    model.update([ROWS[0], replace(ROWS[1], latency_ms=40.0, latency_tier=LatencyTier.Good), ROWS[2]])
    model.update(ROWS[:2])
    check_model(qtmodeltester, model)


def test_every_role_a_delegate_reads_is_named() -> None:
    model = LocationListModel()
    names = {bytes(name.data()).decode() for name in model.roleNames().values()}
    assert {"name", "country", "city", "latencyMs", "latencyTier", "selected", "recent"} <= names
    model.update([row("São Paulo", 31.0, LatencyTier.Good, recent_rank=0)])
    by_name = {bytes(name.data()).decode(): role for role, name in model.roleNames().items()}
    index = model.index(0, 0)
    assert model.data(index, by_name["name"]) == "São Paulo, Germany"
    assert model.data(index, by_name["latencyTier"]) == LatencyTier.Good
    assert model.data(index, by_name["recent"]) is True


def test_a_latency_changes_one_row_and_its_latency_roles_only() -> None:
    model = LocationListModel()
    model.update(ROWS)
    spy = Spy(model)
    model.update([ROWS[0], replace(ROWS[1], latency_ms=140.0, latency_tier=LatencyTier.Moderate), ROWS[2]])
    assert spy.resets == 0
    assert spy.changed == [(1, 1, {"latencyMs", "latencyTier"})]


def test_moving_the_selection_changes_two_rows() -> None:
    model = LocationListModel()
    model.update(ROWS)
    spy = Spy(model)
    model.update([replace(ROWS[0], selected=False), ROWS[1], replace(ROWS[2], selected=True)])
    assert spy.resets == 0
    assert spy.changed == [(0, 0, {"selected"}), (2, 2, {"selected"})]


def test_the_same_rows_tell_nothing_and_another_list_resets() -> None:
    model = LocationListModel()
    model.update(ROWS)
    spy = Spy(model)
    model.update(list(ROWS))
    assert (spy.resets, spy.changed) == (0, [])
    model.update([ROWS[1], ROWS[0]])
    assert (spy.resets, spy.changed) == (1, [])
    assert model.rowCount() == 2


def test_every_failure_cause_has_its_qml_value_and_none_is_no_failure() -> None:
    assert FailureKind.of(None) is FailureKind.NoFailure
    assert [FailureKind.of(cause).name for cause in FailureCause] == [cause.name for cause in FailureCause]
    assert len(FailureKind) == len(FailureCause) + 1


def test_every_link_state_has_its_qml_value() -> None:
    assert {LinkKind.of(state) for state in LinkState} == set(LinkKind)


def test_the_window_reads_the_failure_and_the_link_as_enums(mimic: MimicApp) -> None:
    manager = mimic.manager
    assert manager.property("linkState") == LinkKind.Ready
    assert manager.property("failure") == FailureKind.NoFailure
    assert (manager.link_state, manager.failure_key) == (LinkState.READY, "")


def test_choosing_a_location_keeps_the_pickers_rows(qtbot: QtBot, mimic: MimicApp) -> None:
    """The rows the user sees are updated in place, not rebuilt (the model was a list rebuilt on every change)."""
    window = mimic.window
    assert window is not None
    click(qtbot, window, "locationButton")
    qtbot.waitUntil(lambda: bool(find_object(window, "locationPicker").property("opened")))
    # The list makes its rows on the frame after it opens.
    qtbot.waitUntil(lambda: shown(window, "location_fr_par"))
    berlin, paris = find_item(window, "location_de_ber"), find_item(window, "location_fr_par")
    click(qtbot, window, "location_fr_par")
    qtbot.waitUntil(lambda: mimic.manager.selected_location == ("fr", "par"))
    qtbot.waitUntil(lambda: not find_object(window, "locationPicker").property("visible"))
    assert shiboken6.isValid(berlin) and shiboken6.isValid(paris), "the rows were destroyed and made anew"
    click(qtbot, window, "locationButton")
    qtbot.waitUntil(lambda: bool(find_object(window, "locationPicker").property("opened")))
    assert find_item(window, "location_fr_par") is paris
    assert (berlin.property("selected"), paris.property("selected")) == (False, True)
