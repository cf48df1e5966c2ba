"""The return visit (回访) as the visiting supervisor makes it: the caller's number to dial
(read for this visit and logged, like every full number), the attempts so far, the
outcome on keys 1–4, and what the policy will do with it before it is recorded."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from core.errors import CoreError
from core.policy import PolicyVersion
from desktop import errors, labels
from desktop.feed import Session
from desktop.lanes import Lanes, TaskOwner, async_slot
from desktop.views.order_data import reveal

RESULTS = ("satisfied", "basically_satisfied", "unsatisfied", "unreachable")
REVEAL_REASON = "回访"  # stored with the logged read (phone_reads.reason)


@dataclass(frozen=True)
class VisitCase:
    """What the dialog shows of the order: from the editor's snapshot or a queue row."""

    number: str  # the order number
    caller_shown: str | None
    phone_masked: str | None
    attempts: int
    result_text: str | None


class VisitDialog(QDialog):
    def __init__(
        self,
        case: VisitCase,
        policy: PolicyVersion,
        lanes: Lanes,
        session: Session,
        order_id: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.case, self.policy = case, policy
        self.lanes, self.session, self.order_id = lanes, session, order_id
        self.tasks = TaskOwner()
        self.finished.connect(lambda _code: self.tasks.cancel_all())
        self.attempts = case.attempts
        self.setWindowTitle(self.tr("Return visit: {number}").format(number=case.number))
        self.setMinimumWidth(520)
        o = case
        form = QFormLayout()
        form.addRow(self.tr("Caller"), QLabel(o.caller_shown or self.tr("(no name)"), self))
        self.number = QLabel(o.phone_masked or self.tr("No number on record"), self)
        self.number.setProperty("role", "title")
        self.number.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.copy_button = QPushButton(self.tr("Copy"), self)
        self.copy_button.setEnabled(False)
        self.copy_button.clicked.connect(
            lambda: QGuiApplication.clipboard().setText(self.number.text())
        )
        number_row = QHBoxLayout()
        number_row.addWidget(self.number, 1)
        number_row.addWidget(self.copy_button)
        form.addRow(self.tr("Number"), number_row)
        self.number_note = QLabel(self.tr("Reading the full number for this visit (logged)…"), self)
        self.number_note.setProperty("role", "muted")
        self.number_note.setWordWrap(True)
        form.addRow("", self.number_note)
        form.addRow(
            self.tr("Attempts so far"),
            QLabel(
                self.tr("{n} of at most {max}").format(
                    n=self.attempts, max=policy.visit_max_attempts
                ),
                self,
            ),
        )
        if o.result_text:
            result = QLabel(o.result_text, self)
            result.setWordWrap(True)
            form.addRow(self.tr("Handler's result"), result)
        self.group = QButtonGroup(self)
        choices = QVBoxLayout()
        for i, code in enumerate(RESULTS, start=1):
            button = QRadioButton(f"&{i}  {labels.label(labels.VISIT_RESULTS, code)}", self)
            self.group.addButton(button, i - 1)
            choices.addWidget(button)
        self.group.idToggled.connect(lambda _i, _on: self._check())
        form.addRow(self.tr("Outcome"), choices)
        self.effect = QLabel(self)
        self.effect.setWordWrap(True)
        self.effect.setProperty("role", "muted")
        self.effect.setMinimumHeight(2 * self.fontMetrics().lineSpacing() + 4)  # two lines
        form.addRow(self.effect)
        self.note = QPlainTextEdit(self)
        self.note.setTabChangesFocus(True)
        self.note.setMinimumHeight(80)
        self.note.textChanged.connect(self._check)
        form.addRow(self.tr("Note"), self.note)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.tr("Record visit"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self._check()
        first = self.group.button(0)
        first.setFocus()
        if o.phone_masked:
            self.read_number()
        else:
            self.number_note.hide()

    def outcome(self) -> str | None:
        i = self.group.checkedId()
        return RESULTS[i] if i >= 0 else None

    def note_required(self) -> bool:
        return (
            self.outcome() == "unsatisfied" and self.policy.unsatisfied_visit == "supervisor_close"
        )

    def _check(self) -> None:
        outcome = self.outcome()
        n, most = self.attempts + 1, self.policy.visit_max_attempts
        if outcome is None:
            text = self.tr("Choose the outcome of the call (Alt+1 to Alt+4).")
        elif outcome in ("satisfied", "basically_satisfied"):
            text = self.tr("The order closes.")
        elif outcome == "unsatisfied" and self.policy.unsatisfied_visit == "reopen":
            text = self.tr("The order is reopened (重办) and goes back to the centre to dispatch.")
        elif outcome == "unsatisfied":
            text = self.tr("The order closes with your note, which is required.")
        elif n >= most:
            text = self.tr("Attempt {n} of {max}: the order closes as unreachable.").format(
                n=n, max=most
            )
        else:
            text = self.tr("Attempt {n} of {max}: the order waits for another call.").format(
                n=n, max=most
            )
        self.effect.setText(text)
        ok = outcome is not None and (not self.note_required() or bool(self.note_text()))
        self.ok_button.setEnabled(ok)

    def note_text(self) -> str:
        return self.note.toPlainText().strip()

    def values(self) -> dict[str, Any]:
        return {"result": self.outcome(), "note": self.note_text() or None}

    @async_slot()
    async def read_number(self) -> None:
        try:
            number = await self.lanes.interactive(
                reveal, self.session, self.order_id, REVEAL_REASON, None
            )
        except CoreError as exc:
            self.number_note.setText(errors.describe(exc))
            return
        if number:
            self.number.setText(number)
            self.copy_button.setEnabled(True)
        self.number_note.setText(self.tr("Full number read for this visit; the read is logged."))
