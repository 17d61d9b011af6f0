"""The picker's list over the manager's location model: recent ones on top, accent-blind search, rows kept.

Qt's own QAbstractItemModelTester (pytest-qt's ``qtmodeltester``) checks the
model through every change; the rest checks what the picker relies on.
"""

from __future__ import annotations

from msgspec.structs import replace
from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester

from tests.support.model_tester import check_model
from vpnui.connection.locations import LatencyTier, LocationRow
from vpnui.location_model import DISPLAY_ROLE, USER_ROLE, LocationListModel
from vpnui.location_search import LocationSearch, folded


def row(country: str, city: str, **more: object) -> LocationRow:
    base = LocationRow(
        country_code=country[:2].lower(),
        city_code=city[:3].lower(),
        country=country,
        city=city,
        servers=2,
        latency_ms=-1.0,
        latency_tier=LatencyTier.Unknown,
        selected=False,
        recent_rank=-1,
    )
    return replace(base, **more)


ROWS = [
    row("Brazil", "São Paulo", recent_rank=1),
    row("Germany", "Berlin", recent_rank=0, selected=True),
    row("Germany", "Frankfurt"),
    row("Switzerland", "Zürich"),
]


def shown(search: LocationSearch) -> list[tuple[str, str, bool]]:
    """(name, section, recentEntry) of every row, top to bottom."""
    roles = {bytes(name.data()).decode(): role for role, name in search.roleNames().items()}
    return [
        tuple(search.index(number, 0).data(roles[name]) for name in ("name", "section", "recentEntry"))
        for number in range(search.rowCount())
    ]


def searching(rows: list[LocationRow]) -> tuple[LocationListModel, LocationSearch]:
    model = LocationListModel()
    model.update(rows)
    search = LocationSearch()
    search.setProperty("locations", model)
    return model, search


def test_the_search_passes_qts_model_tester(qtmodeltester: ModelTester) -> None:
    model, search = searching(ROWS)
    check_model(qtmodeltester, search)
    search.setProperty("search", "sao")
    model.update([replace(ROWS[0], latency_ms=30.0, latency_tier=LatencyTier.Good), *ROWS[1:]])
    search.setProperty("search", "")
    model.update([replace(ROWS[0], recent_rank=0), replace(ROWS[1], recent_rank=1), *ROWS[2:]])
    model.update(ROWS[1:])
    check_model(qtmodeltester, search)


def test_recent_locations_head_the_list_most_recent_first_then_all_by_country() -> None:
    _, search = searching(ROWS)
    assert shown(search) == [
        ("Berlin, Germany", "Recent", True),
        ("São Paulo, Brazil", "Recent", True),
        ("São Paulo, Brazil", "Brazil", False),
        ("Berlin, Germany", "Germany", False),
        ("Frankfurt, Germany", "Germany", False),
        ("Zürich, Switzerland", "Switzerland", False),
    ]
    assert search.selectedRow() == 0, "the selected location's first row: its recent entry"


def test_search_ignores_case_and_accents_and_hides_the_recent_ones() -> None:
    _, search = searching(ROWS)
    search.setProperty("search", "SAO")
    assert shown(search) == [("São Paulo, Brazil", "Brazil", False)]
    search.setProperty("search", "zur")
    assert shown(search) == [("Zürich, Switzerland", "Switzerland", False)]
    search.setProperty("search", " germany ")
    assert [name for name, _, _ in shown(search)] == ["Berlin, Germany", "Frankfurt, Germany"]
    search.setProperty("search", "xyz")
    assert (shown(search), search.selectedRow()) == ([], -1)
    search.setProperty("search", "")
    assert len(shown(search)) == len(ROWS) + 2
    assert folded("São Paulo") == "sao paulo"


def test_a_new_latency_changes_the_rows_in_place() -> None:
    """The picker's delegates stay (their focus, the scroll position) while latencies arrive."""
    model, search = searching(ROWS)
    resets, removed, changed = [], [], []
    search.modelReset.connect(lambda: resets.append(1))
    search.rowsRemoved.connect(lambda *_: removed.append(1))
    search.dataChanged.connect(lambda first, last, roles: changed.append((first.row(), last.row())))
    model.update([*ROWS[:2], replace(ROWS[2], latency_ms=140.0, latency_tier=LatencyTier.Moderate), ROWS[3]])
    assert (resets, removed) == ([], [])
    assert changed == [(4, 4)], "Frankfurt's row, below the two recent ones"


def test_the_role_numbers_are_qts() -> None:
    assert (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.UserRole) == (DISPLAY_ROLE, USER_ROLE)
