"""The assessment page's main table: one line per group (and the county total) with the
composite score, its change, the rank, every indicator, and, when the page is grouped by
grid or town, the safety index (平安指数) last, its category scores in the tooltip. A thin
adapter over core's rows: a few hundred at most, already ranked by core.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QApplication, QWidget

from core.analytics import GroupRow
from core.analytics.drill import indicator_names
from core.analytics.groups import COUNTY
from core.analytics.rules import COUNTS, INDICATORS
from core.analytics.safety import SafetyResult, SafetyRow
from desktop import theme

Index = QModelIndex | QPersistentModelIndex
FIXED = ("group", "score", "change", "rank")  # columns before the indicators


@dataclass(frozen=True)
class Line:
    """One row on screen: a group (or the county total) and its previous score."""

    row: GroupRow
    name: str
    previous: float | None
    had_previous: bool

    @property
    def change(self) -> float | None:
        if self.row.score.value is None or self.previous is None:
            return None
        return round(self.row.score.value - self.previous, 2)


def index_text(row: SafetyRow | None) -> str:
    return "–" if row is None or row.index is None else f"{row.index:.2f}"


def category_lines(result: SafetyResult, row: SafetyRow) -> list[str]:
    """ "name  score" per category, for tooltips."""
    out = []
    for cat in result.config.categories:
        score = row.categories.get(cat.id)
        out.append(f"{cat.zh}  {'–' if score is None else f'{score:.2f}'}")
    return out


class AssessmentModel(QAbstractTableModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lines: list[Line] = []
        self.safety: SafetyResult | None = None  # grouped by grid or town: the index
        self.names = indicator_names()
        self._up = theme.color("ok")
        self._down = theme.color("danger")
        self._bold = QFont(QApplication.font())
        self._bold.setBold(True)
        self._safety_rows: dict[str, SafetyRow] = {}

    def replace(self, lines: list[Line], safety: SafetyResult | None = None) -> None:
        self.beginResetModel()
        self.lines = lines
        self.safety = safety
        self._safety_rows = safety.by_key() if safety is not None else {}
        self.endResetModel()

    @property
    def safety_column(self) -> int | None:
        """The safety index's column (the last), or None when it is not shown."""
        return len(FIXED) + len(INDICATORS) if self.safety is not None else None

    def safety_row(self, key: str) -> SafetyRow | None:
        return self._safety_rows.get(key)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.lines)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        extra = 1 if self.safety is not None else 0
        return 0 if parent.isValid() else len(FIXED) + len(INDICATORS) + extra

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if section == self.safety_column and self.safety is not None:
            if role == Qt.ItemDataRole.DisplayRole:
                return self.safety.config.name
            if role == Qt.ItemDataRole.ToolTipRole:
                return self.tr("Safety index 0–100 (resources/analytics/safety_index.toml)")
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            if section < len(FIXED):
                return [self.tr("Group"), self.tr("Score"), self.tr("Change"), self.tr("Rank")][
                    section
                ]
            return self.names[INDICATORS[section - len(FIXED)]]
        if role == Qt.ItemDataRole.ToolTipRole and section >= len(FIXED):
            return INDICATORS[section - len(FIXED)]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        line = self.lines[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(line, col)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if col == 0:
                return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and col == 2:
            change = line.change
            if change:
                return QColor(self._up if change > 0 else self._down)
            return None
        if role == Qt.ItemDataRole.ToolTipRole and col == self.safety_column:
            return self._safety_tip(line)
        if role == Qt.ItemDataRole.ToolTipRole and col >= len(FIXED):
            m = line.row.measures[INDICATORS[col - len(FIXED)]]
            if m.denominator is not None:
                return f"{m.numerator} / {m.denominator}"
            return None
        if role == Qt.ItemDataRole.FontRole and line.row.key == COUNTY:
            return self._bold
        return None

    def _safety_tip(self, line: Line) -> str | None:
        row = self.safety_row(line.row.key)
        if row is None or self.safety is None:
            return None
        head = self.tr("Rank {rank}").format(rank=row.rank) if row.rank else ""
        return "\n".join([head, *category_lines(self.safety, row)]).strip()

    def _text(self, line: Line, col: int) -> str:
        row = line.row
        if col == 0:
            return line.name
        if col == 1:
            return "–" if row.score.value is None else f"{row.score.value:.2f}"
        if col == 2:
            return self.change_text(line)
        if col == 3:
            return "" if row.rank is None else str(row.rank)
        if col == self.safety_column:
            return index_text(self.safety_row(row.key))
        name = INDICATORS[col - len(FIXED)]
        m = row.measures[name]
        if name in COUNTS or m.denominator is None:
            return str(m.numerator)
        return "–" if m.value is None else f"{m.value * 100:.1f}%"

    def change_text(self, line: Line) -> str:
        change = line.change
        if change is None:
            if line.row.score.value is not None and not line.had_previous:
                return self.tr("none before")
            return "–"
        if change > 0:
            return f"↑ {change:.2f}"
        if change < 0:
            return f"↓ {-change:.2f}"
        return "= 0.00"
