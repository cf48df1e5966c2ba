"""Possible duplicates of the call being typed (core.duplicates), and the one key that
adds this caller to one of them instead of opening a new order."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHeaderView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.duplicates import Duplicate
from desktop import labels
from desktop.widgets.caller_panel import panel_title


class DuplicatePanel(QFrame):
    merge_was_asked = Signal(object)  # core.duplicates.Duplicate

    def __init__(self, tz: ZoneInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tz = tz
        self.candidates: list[Duplicate] = []
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = panel_title(self.tr("Possible duplicates"), self)
        self.hint = QLabel(self)
        self.hint.setProperty("role", "muted")
        self.hint.setWordWrap(True)
        self.table = QTreeWidget(self)
        self.table.setRootIsDecorated(False)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setHeaderLabels(["", self.tr("Order"), self.tr("What, where, and why")])
        header = self.table.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.itemActivated.connect(self._activated)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addWidget(self.title)
        layout.addWidget(self.hint)
        layout.addWidget(self.table, 1)
        self.set_candidates([])

    def set_candidates(self, candidates: Sequence[Duplicate], searched: bool = False) -> None:
        self.candidates = list(candidates)
        self.table.clear()
        if not self.candidates:
            self.hint.setText(
                self.tr("No similar open order in the last 30 days.")
                if searched
                else self.tr("Similar orders show here as the call is typed.")
            )
            return
        self.hint.setText(
            self.tr(
                "Same matter? Ctrl+M adds this caller to the selected order instead of "
                "opening a new one; Ctrl+↓ and Ctrl+↑ select another."
            )
        )
        for i, dup in enumerate(self.candidates):
            self.table.addTopLevelItem(self._item(i, dup))
        self.table.setCurrentItem(self.table.topLevelItem(0))  # type: ignore[arg-type]

    def _item(self, i: int, dup: Duplicate) -> QTreeWidgetItem:
        at = dup.registered_at.astimezone(self.tz)
        order = f"{dup.number}\n{at:%m-%d %H:%M}\n{labels.state(dup.state)}"
        where = " · ".join(p for p in (dup.location_unit_name, dup.address, dup.category_name) if p)
        why = [labels.duplicate_reason(str(r)) for r in dup.reasons]
        if dup.distance_m is not None:
            why.append(self.tr("{m} m away").format(m=round(dup.distance_m)))
        if dup.callers > 1:
            why.append(self.tr("{n} callers").format(n=dup.callers))
        sep = QCoreApplication.translate("Labels", ", ")
        reasons = self.tr("Why: {reasons}").format(reasons=sep.join(why))
        item = QTreeWidgetItem([str(i + 1), order, f"{dup.title}\n{where}\n{reasons}"])
        item.setToolTip(2, f"{dup.title}\n{where}\n{reasons}")
        item.setData(0, Qt.ItemDataRole.UserRole, i)
        return item

    def candidate(self, index: int) -> Duplicate | None:
        return self.candidates[index] if 0 <= index < len(self.candidates) else None

    def step(self, by: int) -> None:
        count = self.table.topLevelItemCount()
        if count:
            item = self.table.currentItem()
            row = self.table.indexOfTopLevelItem(item) if item is not None else -1
            target = self.table.topLevelItem(max(0, min(count - 1, row + by)))
            if target is not None:
                self.table.setCurrentItem(target)
                self.table.scrollToItem(target)

    def current(self) -> Duplicate | None:
        item = self.table.currentItem()
        if item is None:
            return None
        return self.candidate(int(item.data(0, Qt.ItemDataRole.UserRole)))

    def _activated(self, item: QTreeWidgetItem) -> None:
        dup = self.candidate(int(item.data(0, Qt.ItemDataRole.UserRole)))
        if dup is not None:
            self.merge_was_asked.emit(dup)
