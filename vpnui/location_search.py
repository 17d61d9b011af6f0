"""The location picker's list: the recent locations on top, then every location the search matches.

Both parts are views of the manager's ``LocationListModel`` (Qt's
``QSortFilterProxyModel``), one after the other in one model
(``QConcatenateTablesProxyModel``), so the picker's ListView, its arrow
keys and its sections go through them as one list.  A latency or a
selection that changes reaches the rows shown in place; typing filters
the rows without rebuilding the others.

Matching ignores case and accents ("sao" finds São Paulo, "zur" Zürich):
what a user types on a keyboard without those letters.
"""

from __future__ import annotations

import unicodedata
from typing import Any, Final

from PySide6.QtCore import (
    QByteArray,
    QConcatenateTablesProxyModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Signal,
    Slot,
)

from vpnui.i18n import translate
from vpnui.location_model import DISPLAY_ROLE, ROLES, LocationListModel
from vpnui.qml_types import creatable_app_type
from vpnui.typed_property import typed_property

_Index = QModelIndex | QPersistentModelIndex

_ROLE: Final = {name: role for role, name in ROLES.items()}
SECTION_ROLE: Final = max(ROLES) + 1
"""``section``: the heading a row stands under ("Recent", or its country)."""
RECENT_ENTRY_ROLE: Final = max(ROLES) + 2
"""``recentEntry``: the row is one of the recent ones on top (the location also has its row under its country)."""
EXTRA_ROLES: Final = {SECTION_ROLE: "section", RECENT_ENTRY_ROLE: "recentEntry"}


def folded(text: str) -> str:
    """``text`` without case or accents: "São Paulo" -> "sao paulo"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


class _Part(QSortFilterProxyModel):
    """The recent locations (most recent first, only while nothing is searched) or the matching ones."""

    def __init__(self, recent: bool, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._recent = recent
        self._needle = ""
        if recent:
            self.setSortRole(_ROLE["recentRank"])
            self.sort(0)

    def set_needle(self, needle: str) -> None:
        # Qt 6.9+: begin/endFilterChange tell the views only which rows come and go.
        self.beginFilterChange()
        self._needle = needle
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:
        source = self.sourceModel()
        index = source.index(source_row, 0, source_parent)
        if self._recent:
            return not self._needle and bool(index.data(_ROLE["recent"]))
        if not self._needle:
            return True
        return any(self._needle in folded(str(index.data(_ROLE[role]))) for role in ("city", "country"))

    def data(self, index: _Index, role: int = DISPLAY_ROLE) -> Any:
        if role == RECENT_ENTRY_ROLE:
            return self._recent
        if role == SECTION_ROLE:
            if self._recent:
                return translate("LocationPicker", "Recent")
            return super().data(index, _ROLE["country"])
        return super().data(index, role)

    def roleNames(self) -> dict[int, QByteArray]:
        names = dict(super().roleNames())
        names.update({role: QByteArray(name.encode()) for role, name in EXTRA_ROLES.items()})
        return names


@creatable_app_type()
class LocationSearch(QConcatenateTablesProxyModel):
    """``LocationSearch { locations: manager.locations; search: field.text }``: the picker's rows."""

    locationsChanged = Signal()
    searchChanged = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._source: LocationListModel | None = None
        self._search = ""
        self._parts = (_Part(recent=True, parent=self), _Part(recent=False, parent=self))

    def _get_locations(self) -> LocationListModel | None:
        return self._source

    def _set_locations(self, source: LocationListModel | None) -> None:
        if source is self._source:
            return
        if self._source is not None:
            self._detach_parts()
            self._source.modelAboutToBeReset.disconnect(self._detach_parts)
            self._source.modelReset.disconnect(self._attach_parts)
        self._source = source
        if source is not None:
            # A reset of the source (another server list) resets both parts
            # at once, and QConcatenateTablesProxyModel (Qt 6.11) begins a reset
            # of its own for each source: nested resets, which views do not
            # support (Qt warns).  So the parts leave the list before the source
            # resets and come back after it: their rows removed, then inserted.
            # Connected before the parts' own handlers, and after them:
            source.modelAboutToBeReset.connect(self._detach_parts)
            for part in self._parts:
                part.setSourceModel(source)
            source.modelReset.connect(self._attach_parts)
            self._attach_parts()
        self.locationsChanged.emit()

    def _attach_parts(self) -> None:
        if not self.sourceModels():
            for part in self._parts:
                self.addSourceModel(part)

    def _detach_parts(self) -> None:
        for part in self._parts:
            if part in self.sourceModels():
                self.removeSourceModel(part)

    def _get_search(self) -> str:
        return self._search

    def _set_search(self, text: str) -> None:
        if text == self._search:
            return
        self._search = text
        needle = folded(text.strip())
        for part in self._parts:
            part.set_needle(needle)
        self.searchChanged.emit()

    def roleNames(self) -> dict[int, QByteArray]:
        # Every source (both parts) has the same roles, the two added ones included.
        return self._parts[1].roleNames()

    @Slot(result=int)
    def selectedRow(self) -> int:
        """The first row of the selected location (its recent entry if it has one); -1 when none is shown."""
        for row in range(self.rowCount()):
            if self.index(row, 0).data(_ROLE["selected"]):
                return row
        return -1

    locations = typed_property(LocationListModel, _get_locations, _set_locations, notify=locationsChanged)
    # What the user typed: rows whose city or country contains it, case and accents aside.
    search = typed_property(str, _get_search, _set_search, notify=searchChanged)
