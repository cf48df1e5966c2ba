"""The supervision page's first two tabs, laid out: tables and buttons, no behaviour
(the page connects them). Each button has a mnemonic (Alt+letter)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop.widgets.supervision_models import LateModel, RequestModel, UnitModel, UnitName
from desktop.widgets.table_view import RowTableView


def _widths(table: RowTableView, widths: dict[int, int]) -> None:
    header = table.horizontalHeader()
    for col, width in widths.items():
        header.resizeSection(col, width)
    header.setStretchLastSection(True)


class LateTab(QWidget):
    """临期/超期: units on the left, the chosen unit's orders and the notices on the right."""

    def __init__(self, tz: ZoneInfo, unit_name: UnitName, page_size: int, parent: QWidget):
        super().__init__(parent)
        self.unit_model = UnitModel(self)
        self.unit_table = RowTableView(self)
        self.unit_table.setModel(self.unit_model)
        header = self.unit_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in (1, 2, 3):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.late_model = LateModel(tz, unit_name, page_size, self)
        self.late_table = RowTableView(self)
        self.late_table.setModel(self.late_model)
        self.late_table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        _widths(self.late_table, {0: 160, 1: 115, 2: 200, 3: 120, 4: 100, 5: 115, 6: 125})
        self.unit_title = QLabel(self)
        self.unit_title.setProperty("role", "muted")
        self.yellow_button = QPushButton(self.tr("&Yellow notice…"), self)
        self.red_button = QPushButton(self.tr("&Red notice…"), self)
        self.apply_button = QPushButton(self.tr("Apply &suggestion…"), self)
        self.open_button = QPushButton(self.tr("&Open order"), self)
        self.outcome = QLabel(self)
        self.outcome.setWordWrap(True)

        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.unit_title)
        right_layout.addWidget(self.late_table, 1)
        buttons = QHBoxLayout()
        for b in (self.yellow_button, self.red_button, self.apply_button, self.open_button):
            buttons.addWidget(b)
        buttons.addWidget(self.outcome, 1)
        right_layout.addLayout(buttons)
        self.split = QSplitter(Qt.Orientation.Horizontal, self)
        self.split.addWidget(self.unit_table)
        self.split.addWidget(right)
        self.split.setStretchFactor(1, 1)
        self.split.setSizes([430, 1000])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(self.split)

    def reselect(self, ids: list[int], selected: set[int], current: int | None) -> None:
        """After a reload, the rows selected before stay selected, the cursor where it was
        (else on the first of them, else on the first row)."""
        sel = self.late_table.selectionModel()
        flags = sel.SelectionFlag
        for r, oid in enumerate(ids):
            if oid in selected:
                sel.select(self.late_model.index(r, 0), flags.Select | flags.Rows)
        if current in ids:
            sel.setCurrentIndex(self.late_model.index(ids.index(current), 0), flags.NoUpdate)
        elif ids and not selected & set(ids):
            self.late_table.selectRow(0)
        elif ids:
            first = next(r for r, oid in enumerate(ids) if oid in selected)
            sel.setCurrentIndex(self.late_model.index(first, 0), flags.NoUpdate)


class RequestsTab(QWidget):
    """审批: pause and extension requests awaiting a decision."""

    def __init__(self, tz: ZoneInfo, unit_name: UnitName, parent: QWidget):
        super().__init__(parent)
        self.model = RequestModel(tz, unit_name, self)
        self.table = RowTableView(self)
        self.table.setModel(self.model)
        _widths(self.table, {0: 80, 1: 150, 2: 140, 3: 320, 4: 90, 5: 170, 6: 160})
        self.approve_button = QPushButton(self.tr("&Approve…"), self)
        self.deny_button = QPushButton(self.tr("&Deny…"), self)
        self.open_button = QPushButton(self.tr("Open &order"), self)
        self.outcome = QLabel(self)
        self.outcome.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        for b in (self.approve_button, self.deny_button, self.open_button):
            buttons.addWidget(b)
        buttons.addWidget(self.outcome, 1)
        layout.addLayout(buttons)
