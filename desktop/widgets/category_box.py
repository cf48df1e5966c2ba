"""Category search at intake: name, code or pinyin initials, picked from a list with the
arrows and Enter; the chosen category's whole path shows under the box.

The index (core.category_search) is built off the UI thread by whoever owns the box and
handed in with ``set_index``; a search itself is a sub-millisecond scan, so it runs here.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from core.category_search import CategoryIndex, Hit
from core.taxonomy import Category
from desktop.widgets.suggest_line import SuggestLine

LIMIT = 12


class CategoryBox(QWidget):
    category_did_change = Signal(object)  # Category | None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.index: CategoryIndex | None = None
        self.category: Category | None = None
        self.path = ""
        self.line = SuggestLine(self, delay_ms=60, rows=10, min_width=520)
        self.line.setPlaceholderText(self.tr("Name, code or pinyin initials, e.g. jzgc"))
        self.setFocusProxy(self.line)
        self.path_label = QLabel(self)
        self.path_label.setProperty("role", "muted")
        self.path_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.line)
        layout.addWidget(self.path_label)
        self.line.text_did_settle.connect(self.search)
        self.line.textEdited.connect(self._edited)
        self.line.item_did_pick.connect(self._picked)
        self._show_path()

    def set_index(self, index: CategoryIndex) -> None:
        self.index = index
        if self.line.text() and self.category is None:
            self.search(self.line.text())

    def search(self, text: str) -> list[Hit]:
        if self.index is None or self.category is not None:
            return []
        hits = self.index.search(text, LIMIT)
        self.line.set_items([(f"{h.category.code}  {h.path}", h) for h in hits])
        if text.strip() and not hits:
            self.path_label.setText(self.tr("No category matches “{text}”.").format(text=text))
        return hits

    def _edited(self, _text: str) -> None:
        if self.category is not None:
            self._set(None, "")

    def _picked(self, hit: Hit) -> None:
        self.line.setText(hit.category.name)
        self._set(hit.category, hit.path)

    def _set(self, category: Category | None, path: str) -> None:
        self.category, self.path = category, path
        self._show_path()
        self.category_did_change.emit(category)

    def _show_path(self) -> None:
        if self.category is None:
            self.path_label.setText(self.tr("Type, then ↑ ↓ and Enter to pick."))
            return
        text = f"{self.path}  ·  {self.category.code}"
        if self.category.is_dispute:
            text += "  ·  " + self.tr("dispute")
        self.path_label.setText(text)

    def clear(self) -> None:
        self.line.stop()
        self.line.clear()
        self.line.set_items([])
        if self.category is not None:
            self._set(None, "")
        self._show_path()
