"""The two small dialogs of the supervision page: a notice's text, a decision's note.

A notice needs a text (the workflow refuses an empty one), so OK waits for it; a
decision's note is optional, as ``core.workflow.handling`` has it. Ctrl+Enter is OK.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)


class TextDialog(QDialog):
    """A heading, what it applies to, one text box; OK is ``ok_text``."""

    def __init__(
        self,
        title: str,
        summary: str,
        ok_text: str,
        *,
        text: str = "",
        required: bool = True,
        placeholder: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        self.required = required
        self.summary = QLabel(summary, self)
        self.summary.setWordWrap(True)
        self.edit = QPlainTextEdit(self)
        self.edit.setPlaceholderText(placeholder)
        self.edit.setPlainText(text)
        self.edit.setTabChangesFocus(True)
        self.edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.edit.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.edit.setMinimumHeight(90)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(ok_text)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.edit.textChanged.connect(self._check)
        send = QAction(self)  # Ctrl+Enter sends from inside the text, as in a chat box
        send.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        send.triggered.connect(self._send)
        self.addAction(send)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.edit)
        layout.addWidget(self.buttons)
        self._check()
        self.edit.setFocus()
        self.edit.selectAll()

    def _send(self) -> None:
        if self.ok.isEnabled():
            self.accept()

    def _check(self) -> None:
        empty = not self.value()
        self.ok.setEnabled(not (self.required and empty))
        self.ok.setToolTip(self.tr("Write the text first.") if self.required and empty else "")

    def value(self) -> str:
        return self.edit.toPlainText().strip()
