"""A line edit with a list of suggestions under it that never takes the keyboard focus.

The officer keeps typing while the list follows: Up and Down move the highlight, Enter
picks it (and, with ``advance_on_pick``, moves on to the next field), Escape closes the
list. The first row is highlighted as soon as the list opens, so the best match is one
Enter away. The list floats over the window (a child of the top-level widget), so
opening it never pushes the form around.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QEvent, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import QFrame, QLineEdit, QListWidget, QListWidgetItem, QWidget

ROLE = Qt.ItemDataRole.UserRole


class SuggestLine(QLineEdit):
    text_did_settle = Signal(str)  # the user paused typing (edits only, not setText)
    item_did_pick = Signal(object)  # the payload of the picked row

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        delay_ms: int = 250,
        rows: int = 8,
        min_width: int = 420,
        advance_on_pick: bool = True,
    ) -> None:
        super().__init__(parent)
        self.rows = rows
        self.min_width = min_width
        self.advance_on_pick = advance_on_pick
        self.popup = QListWidget(self)
        self.popup.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.popup.setFrameShape(QFrame.Shape.Box)
        self.popup.setUniformItemSizes(True)
        self.popup.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.popup.itemClicked.connect(self._clicked)
        self.popup.hide()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self._settle)
        self.textEdited.connect(self._edited)
        self.destroyed.connect(self.popup.deleteLater)

    # --- the list --------------------------------------------------------------------------

    def set_items(self, items: Sequence[tuple[str, Any]]) -> None:
        """Rows of (text, payload); an empty list closes the popup."""
        self.popup.clear()
        for text, payload in items:
            item = QListWidgetItem(text)
            item.setData(ROLE, payload)
            self.popup.addItem(item)
        if items and self.hasFocus():
            self.popup.setCurrentRow(0)
            self._open()
        else:
            self.close_popup()

    def items(self) -> list[Any]:
        return [self.popup.item(i).data(ROLE) for i in range(self.popup.count())]

    def close_popup(self) -> None:
        self.popup.hide()

    @property
    def popup_open(self) -> bool:
        return self.popup.isVisible()

    def _open(self) -> None:
        host = self.window()
        if self.popup.parent() is not host:
            self.popup.setParent(host)
        corner = self.mapTo(host, QPoint(0, self.height()))
        height = self.popup.sizeHintForRow(0) * min(self.rows, self.popup.count()) + 4
        width = min(max(self.width(), self.min_width), host.width() - corner.x() - 8)
        self.popup.setGeometry(corner.x(), corner.y() + 1, width, height)
        self.popup.show()
        self.popup.raise_()

    def pick_current(self) -> bool:
        item = self.popup.currentItem()
        if item is None or not self.popup.isVisible():
            return False
        self.close_popup()
        self.item_did_pick.emit(item.data(ROLE))
        if self.advance_on_pick:
            self.focusNextChild()
        return True

    def _clicked(self, item: QListWidgetItem) -> None:
        self.popup.setCurrentItem(item)
        self.pick_current()

    # --- typing ----------------------------------------------------------------------------

    def _edited(self, _text: str) -> None:
        self._timer.start()

    def _settle(self) -> None:
        self.text_did_settle.emit(self.text())

    def settle_now(self) -> None:
        """Skip the pause (a finished paste, a test)."""
        self._timer.stop()
        self._settle()

    def stop(self) -> None:
        self._timer.stop()
        self.close_popup()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, mods = event.key(), event.modifiers()
        plain = mods in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier)
        count = self.popup.count()
        if plain and key in (Qt.Key.Key_Down, Qt.Key.Key_Up) and count:
            if not self.popup.isVisible():
                self._open()
            step = 1 if key == Qt.Key.Key_Down else -1
            self.popup.setCurrentRow(max(0, min(count - 1, self.popup.currentRow() + step)))
            return
        if plain and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.pick_current():
            return
        if plain and key == Qt.Key.Key_Escape and self.popup.isVisible():
            self.close_popup()
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        self.close_popup()
        super().focusOutEvent(event)

    def event(self, event: QEvent) -> bool:
        # Escape with an open list closes the list, not the dialog around the form.
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Escape
            and self.popup.isVisible()
        ):
            event.accept()
            return True
        return super().event(event)
