"""Where the order goes: core.routing's suggestions, the first one chosen, each with its
reason in words. Alt+1…4 (the form's shortcuts) or the arrows choose another."""

from __future__ import annotations

import html
from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import QFrame, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from core.routing import Suggestion
from desktop import labels, theme
from desktop.widgets.caller_panel import panel_title

ROLE = Qt.ItemDataRole.UserRole


def reasons_text(s: Suggestion) -> str:
    sep = QCoreApplication.translate("Labels", ", ")
    return sep.join(labels.routing_reason(r, s.detail) for r in s.reasons)


class SuggestionPanel(QFrame):
    target_did_change = Signal(object)  # Suggestion | None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.suggestions: list[Suggestion] = []
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = panel_title(self.tr("Dispatch to"), self)
        self.chosen = QLabel(self)
        self.chosen.setWordWrap(True)
        self.chosen.setStyleSheet("font-size: 15px;")
        self.list = QListWidget(self)
        self.list.setUniformItemSizes(True)
        self.list.setMaximumHeight(96)  # four suggestions at most
        self.list.currentRowChanged.connect(self._row_changed)
        layout = self.body = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addWidget(self.title)
        layout.addWidget(self.chosen)
        layout.addWidget(self.list, 1)
        self.set_suggestions([])

    def set_suggestions(self, suggestions: Sequence[Suggestion], note: str = "") -> None:
        self.suggestions = list(suggestions)
        self.list.blockSignals(True)
        self.list.clear()
        for i, s in enumerate(self.suggestions):
            item = QListWidgetItem(f"Alt+{i + 1}   {s.unit_name}  —  {reasons_text(s)}")
            item.setData(ROLE, i)
            self.list.addItem(item)
        self.list.blockSignals(False)
        self.list.setVisible(bool(self.suggestions))
        if self.suggestions:
            self.choose(0)
        else:
            self.chosen.setText(
                note or self.tr("Pick a category (and the address) to see where it should go.")
            )
            self.chosen.setProperty("role", "muted")
            theme.repolish(self.chosen)
            self.target_did_change.emit(None)

    def target(self) -> Suggestion | None:
        row = self.list.currentRow()
        return self.suggestions[row] if 0 <= row < len(self.suggestions) else None

    def choose(self, index: int) -> bool:
        if not 0 <= index < len(self.suggestions):
            return False
        if self.list.currentRow() == index:
            self._row_changed(index)
        else:
            self.list.setCurrentRow(index)
        return True

    def _row_changed(self, row: int) -> None:
        s = self.target()
        if s is None:
            return
        self.chosen.setText(
            self.tr("<b>{unit}</b> — {why}").format(
                unit=html.escape(s.unit_name), why=html.escape(reasons_text(s))
            )
        )
        self.chosen.setProperty("role", "")
        theme.repolish(self.chosen)
        self.target_did_change.emit(s)
