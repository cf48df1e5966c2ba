"""One of a few choices, one keystroke each: "1 咨询  2 求助  3 投诉 …".

The bar takes the focus as a whole (one Tab stop, not six); a digit picks its choice,
Left and Right step through them, Delete clears when no choice is required. The
buttons are there for the mouse and to show the digits; they never take the focus.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QButtonGroup, QFrame, QHBoxLayout, QPushButton, QWidget

from desktop import theme

_QSS = """
ChoiceBar { border: 1px solid transparent; border-radius: 4px; }
ChoiceBar:focus { border: 1px solid {accent}; background: {selection}; }
QPushButton { padding: 4px 10px; }
QPushButton:checked { background: {accent}; color: {accent_text}; border-color: {accent}; }
"""


class ChoiceBar(QFrame):
    choice_did_change = Signal(object)  # the chosen code, or None

    def __init__(
        self,
        choices: Sequence[tuple[str, str]],
        parent: QWidget | None = None,
        *,
        default: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.codes = [code for code, _ in choices]
        self.default = default
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        tokens = {k: theme.color(k).name() for k in ("accent", "accent_text", "selection")}
        qss = _QSS
        for key, value in tokens.items():
            qss = qss.replace("{" + key + "}", value)
        self.setStyleSheet(qss)
        self.group = QButtonGroup(self)
        self.group.setExclusive(False)  # so that "none chosen" can be shown
        layout = QHBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(4)
        self.buttons: list[QPushButton] = []
        for i, (_code, text) in enumerate(choices):
            button = QPushButton(f"{i + 1} {text}", self)
            button.setCheckable(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setAutoDefault(False)
            self.group.addButton(button, i)
            layout.addWidget(button)
            self.buttons.append(button)
        layout.addStretch(1)
        self.group.idClicked.connect(self._clicked)
        self._code: str | None = None
        self.set_code(default)

    @property
    def code(self) -> str | None:
        return self._code

    def set_code(self, code: str | None) -> None:
        if code is not None and code not in self.codes:
            code = None
        changed = code != self._code
        self._code = code
        for i, button in enumerate(self.buttons):
            button.setChecked(self.codes[i] == code)
        if changed:
            self.choice_did_change.emit(code)

    def reset(self) -> None:
        self.set_code(self.default)

    def _clicked(self, index: int) -> None:
        self.set_code(self.codes[index])
        self.setFocus(Qt.FocusReason.MouseFocusReason)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if mods == Qt.KeyboardModifier.NoModifier:
            if Qt.Key.Key_1 <= key <= Qt.Key.Key_9:
                index = key - Qt.Key.Key_1
                if index < len(self.codes):
                    self.set_code(self.codes[index])
                return
            if key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
                current = self.codes.index(self._code) if self._code in self.codes else -1
                step = 1 if key == Qt.Key.Key_Right else -1
                if current < 0:
                    current = 0 if step > 0 else len(self.codes)
                self.set_code(self.codes[max(0, min(len(self.codes) - 1, current + step))])
                return
            if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.default is None:
                self.set_code(None)
                return
        super().keyPressEvent(event)
