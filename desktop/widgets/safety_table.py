"""The safety index (平安指数) of every grid or town, ranked: rank, name, index and one
column per category; a category cell's tooltip lists its indicators (raw value → score).
Sortable by any column (the rank order first); groups without an index sort last.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtWidgets import QHeaderView, QLabel, QVBoxLayout, QWidget

from core.analytics.safety import SafetyResult, SafetyRow
from desktop.widgets.table_view import RowTableView

Index = QModelIndex | QPersistentModelIndex
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
FIXED = 3  # rank, name, index; then the categories
LAST = float("inf")


def _score(v: float | None) -> str:
    return "–" if v is None else f"{v:.2f}"


def _raw(v: float | None) -> str:
    return "–" if v is None else f"{v:.4g}"


class SafetyModel(QAbstractTableModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.result: SafetyResult | None = None
        self.rows: list[SafetyRow] = []

    def replace(self, result: SafetyResult | None) -> None:
        self.beginResetModel()
        self.result = result
        self.rows = list(result.rows) if result is not None else []
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or self.result is None:
            return 0
        return FIXED + len(self.result.config.categories)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or self.result is None:
            return None
        cats = self.result.config.categories
        if role == Qt.ItemDataRole.DisplayRole:
            if section < FIXED:
                name = self.tr("Grid") if self.result.by == "grid" else self.tr("Town")
                return [self.tr("Rank"), name, self.result.config.name][section]
            return cats[section - FIXED].zh
        if role == Qt.ItemDataRole.ToolTipRole and section >= FIXED:
            cat = cats[section - FIXED]
            return self.tr("Weight {weight:g}").format(weight=cat.weight)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self.result is None:
            return None
        row = self.rows[index.row()]
        col = index.column()
        cats = self.result.config.categories
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return "" if row.rank is None else str(row.rank)
            if col == 1:
                return row.name or row.key
            if col == 2:
                return _score(row.index)
            return _score(row.categories.get(cats[col - FIXED].id))
        if role == SORT_ROLE:
            if col == 0:
                return LAST if row.rank is None else float(row.rank)
            if col == 1:
                return row.name or row.key
            value = row.index if col == 2 else row.categories.get(cats[col - FIXED].id)
            return -LAST if value is None else value
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if col == 1:
                return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and col >= FIXED:
            cat = cats[col - FIXED]
            lines = []
            for ind in cat.indicators:
                got = row.indicators.get(ind.id)
                raw = _raw(got.raw if got else None)
                lines.append(f"{ind.zh}: {raw} → {_score(got.score if got else None)}")
            return "\n".join(lines)
        return None


class SafetyPanel(QWidget):
    """A title and the ranked table; empty (with a note) unless grouped by grid or town."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel(self)
        self.title.setProperty("role", "muted")
        self.title.setWordWrap(True)
        self.model = SafetyModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = RowTableView(self)
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        layout.addWidget(self.title)
        layout.addWidget(self.table, 1)
        self.set_result(None, self.tr("The safety index is shown when grouped by grid or town."))

    def set_result(self, result: SafetyResult | None, title: str) -> None:
        self.model.replace(result)
        self.proxy.sort(
            self.table.horizontalHeader().sortIndicatorSection(),
            self.table.horizontalHeader().sortIndicatorOrder(),
        )
        self.title.setText(title)

    def cell(self, row: int, col: int) -> str:
        """The text shown at (row, col) in the sorted view (tests)."""
        return str(self.proxy.data(self.proxy.index(row, col)))
