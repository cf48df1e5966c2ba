"""The caller's earlier orders while the number is typed, and the repeat-call mark."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.callers import CallerHistory
from desktop import labels


def panel_title(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setStyleSheet("font-weight: bold; font-size: 15px;")
    return label


class CallerPanel(QFrame):
    def __init__(self, tz: ZoneInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tz = tz
        self.history: CallerHistory | None = None
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = panel_title(self.tr("Caller history"), self)
        self.badge = QLabel(self.tr("Repeat caller"), self)
        self.badge.setProperty("role", "warning")
        self.badge.hide()
        self.summary = QLabel(self)
        self.summary.setProperty("role", "muted")
        self.summary.setWordWrap(True)
        self.table = QTreeWidget(self)
        self.table.setRootIsDecorated(False)
        self.table.setUniformRowHeights(True)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setHeaderLabels(
            [self.tr("Order no."), self.tr("Registered"), self.tr("State"), self.tr("Title")]
        )
        header = self.table.header()
        for col in range(3):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addStretch(1)
        top.addWidget(self.badge)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        self.show_history(None)

    @property
    def repeat(self) -> bool:
        return self.history is not None and self.history.repeat

    def show_history(self, history: CallerHistory | None, typed: bool = False) -> None:
        """``typed``: something is in the phone box, but not (yet) a usable number."""
        self.history = history
        self.table.clear()
        self.badge.setVisible(self.repeat)
        if history is None:
            self.summary.setText(
                self.tr("Keep typing the number…")
                if typed
                else self.tr("Earlier orders from the number show here as it is typed.")
            )
            return
        if history.total == 0:
            self.summary.setText(self.tr("No earlier orders from this number."))
            return
        text = self.tr("%n earlier order(s) from this number", "", history.total)
        text += self.tr(", %n in the last 30 days.", "", history.recent)
        hidden = history.total - len(history.earlier)
        if hidden > 0:
            text += " " + self.tr("{n} more are not listed (older, or not yours to see).").format(
                n=hidden
            )
        self.summary.setText(text)
        for row in history.earlier:
            at = row.registered_at.astimezone(self.tz)
            item = QTreeWidgetItem(
                [row.number, f"{at:%Y-%m-%d}", labels.state(row.state), row.title]
            )
            item.setToolTip(3, row.title)
            self.table.addTopLevelItem(item)
