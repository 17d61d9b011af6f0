"""The location list as a Qt model: one row per city, updated in place.

The picker's ListView keeps its delegates, scroll position and focus across
updates: a new latency or a new selection changes the roles of the rows it
concerns (``dataChanged``), and only a different server list resets the
model.  The rows themselves are computed Qt-free (``vpnui.connection.locations``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Final

from PySide6.QtCore import QAbstractListModel, QByteArray, QModelIndex, QObject, QPersistentModelIndex

from vpnui.connection.locations import LocationRow
from vpnui.qml_types import app_type

DISPLAY_ROLE: Final = 0
USER_ROLE: Final = 0x0100
"""Qt::DisplayRole and Qt::UserRole, fixed values of Qt's API.

Not read from ``PySide6.QtCore.Qt``: its first use builds the whole Qt
namespace, 15 to 30 ms with PySide6 6.11.3, and this module is imported
before the window's screens are shown (the cold start's full UI).
``tests/ui/test_location_search.py`` checks them against Qt's.
"""

_ROLE_VALUES: Final[dict[str, Callable[[LocationRow], Any]]] = {
    "name": lambda row: row.name,
    "country": lambda row: row.country,
    "city": lambda row: row.city,
    "countryCode": lambda row: row.country_code,
    "cityCode": lambda row: row.city_code,
    "servers": lambda row: row.servers,
    "latencyMs": lambda row: row.latency_ms,
    "latencyTier": lambda row: int(row.latency_tier),
    "selected": lambda row: row.selected,
    "recent": lambda row: row.recent,
    "recentRank": lambda row: row.recent_rank,
}
ROLES: Final[dict[int, str]] = {USER_ROLE + 1 + i: name for i, name in enumerate(_ROLE_VALUES)}
"""Role number -> the name a QML delegate reads it by."""
_GETTERS: Final = [(role, _ROLE_VALUES[name]) for role, name in ROLES.items()]

_Index = QModelIndex | QPersistentModelIndex


@app_type("The location list is the ConnectionManager's")
class LocationListModel(QAbstractListModel):
    """``ConnectionManager.locations``; ``update(rows)`` tells views what changed."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[LocationRow] = []

    @property
    def rows(self) -> Sequence[LocationRow]:
        return tuple(self._rows)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008  (Qt's own default)
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: _Index, role: int = DISPLAY_ROLE) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == DISPLAY_ROLE:
            return row.name
        name = ROLES.get(role)
        return _ROLE_VALUES[name](row) if name is not None else None

    def roleNames(self) -> dict[int, QByteArray]:
        return {role: QByteArray(name.encode()) for role, name in ROLES.items()}

    def update(self, rows: Sequence[LocationRow]) -> None:
        """Show ``rows``: in place when they are the same locations in the same order, else a reset."""
        new = list(rows)
        if [row.key for row in new] != [row.key for row in self._rows]:
            self.beginResetModel()
            self._rows = new
            self.endResetModel()
            return
        old, self._rows = self._rows, new
        for number, (before, after) in enumerate(zip(old, new, strict=True)):
            if before == after:
                continue
            changed = [role for role, value in _GETTERS if value(before) != value(after)]
            index = self.index(number, 0)
            self.dataChanged.emit(index, index, changed)
