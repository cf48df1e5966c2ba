"""The order editor's action bar and the small dialogs that collect an action's input.

Every operation of ``core.actions`` gets a button, grouped by stage of the closed loop.
Disabled buttons stay visible and say why in their tooltip; each button has a mnemonic
(Alt+letter) picked so no two clash, in whatever language the labels are.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from core.actions import Action, Op
from core.org import Unit
from desktop import labels


class ActionWords(QObject):
    """Operation names and refusal reasons in words (a QObject, so ``self.tr`` works for
    pyside6-lupdate)."""

    def op_text(self, op: Op) -> str:
        return self._ops()[op]

    def _ops(self) -> dict[Op, str]:
        return {
            Op.EDIT: self.tr("Edit"),
            Op.ADD_CALLER: self.tr("Add caller"),
            Op.ADD_ATTACHMENT: self.tr("Add attachment"),
            Op.ANSWER_ON_SPOT: self.tr("Answer on the spot"),
            Op.DISPATCH: self.tr("Dispatch"),
            Op.MERGE: self.tr("Merge into…"),
            Op.VOID: self.tr("Void"),
            Op.TRANSFER: self.tr("Transfer out"),
            Op.ACCEPT: self.tr("Accept"),
            Op.RETURN_HOP: self.tr("Return"),
            Op.ACCEPT_RETURN: self.tr("Accept return"),
            Op.REJECT_RETURN: self.tr("Reject return"),
            Op.PASS_DOWN: self.tr("Pass down"),
            Op.REASSIGN: self.tr("Reassign"),
            Op.ESCALATE: self.tr("Escalate"),
            Op.ADD_ASSIST: self.tr("Call in assist"),
            Op.NOTE_PROGRESS: self.tr("Progress note"),
            Op.REQUEST_PAUSE: self.tr("Request pause"),
            Op.DECIDE_PAUSE: self.tr("Decide pause"),
            Op.RESUME: self.tr("Resume"),
            Op.REQUEST_EXTENSION: self.tr("Request extension"),
            Op.DECIDE_EXTENSION: self.tr("Decide extension"),
            Op.ANSWER_ASSIST: self.tr("Assisting answer"),
            Op.SUBMIT_RESULT: self.tr("Submit result"),
            Op.REVIEW: self.tr("Review"),
            Op.VISIT: self.tr("Return visit"),
            Op.REOPEN: self.tr("Reopen"),
            Op.SUPERVISE: self.tr("Supervise"),
        }

    def why_text(self, action: Action, unit_name: Callable[[int], str]) -> str:
        """A refusal's reason code in words, with its detail filled in."""
        d = action.detail
        state = labels.state(str(d.get("state", "")))
        texts = {
            "not_visible": self.tr("This order is outside your jurisdiction."),
            "role_required": self.tr("Needs one of these roles: {roles}.").format(
                roles=labels.roles(d.get("roles", []))
            ),
            "not_order_centre": self.tr(
                "Only the order's centre, or a centre above it, may do this."
            ),
            "wrong_state": self.tr("Not possible while the order is “{state}”.").format(
                state=state
            ),
            "closed": self.tr("The order is finished (“{state}”).").format(state=state),
            "paused": self.tr("The order is paused: resume it first."),
            "wrong_hop_state": self.tr("Not possible while the assignment is “{state}”.").format(
                state=labels.hop_state(str(d.get("hop_state", "")))
            ),
            "not_your_assignment": self.tr("Your unit holds no assignment on this order for this."),
            "not_sender": self.tr("Only the unit that sent the assignment, or a centre above it."),
            "not_holder": self.tr("Your unit does not hold the order now."),
            "no_holder": self.tr("No unit holds the order now."),
            "no_targets": self.tr("There is no unit to choose."),
            "return_pending": self.tr("A return from below awaits your decision first."),
            "assist_answers_missing": self.tr(
                "Waiting for assisting answers from: {units}."
            ).format(units=", ".join(unit_name(u) for u in d.get("waiting", []))),
            "request_pending": self.tr("A request already awaits a decision."),
            "no_request": self.tr("No request awaits a decision."),
            "nothing_returned": self.tr("Nothing has been returned."),
            "not_assist": self.tr("Only an assisting unit answers this way."),
            "parent_moved_on": self.tr("The unit above has moved on."),
            "not_current": self.tr("The assignment is no longer current."),
            "extension_cap": self.tr("The extension limit has been reached."),
            "no_resolve_limit": self.tr("No running deadline to extend."),
            "unknown_unit": self.tr("Unknown unit."),
        }
        return texts.get(action.why or "", action.why or "")


# --- the action bar ---------------------------------------------------------------------

GROUPS: tuple[tuple[str, tuple[Op, ...]], ...] = (
    (
        labels.QT_TRANSLATE_NOOP("ActionBar", "Intake"),
        (Op.ADD_CALLER, Op.ADD_ATTACHMENT, Op.ANSWER_ON_SPOT, Op.MERGE, Op.VOID, Op.TRANSFER),
    ),
    (
        labels.QT_TRANSLATE_NOOP("ActionBar", "Dispatch and acceptance"),
        (
            Op.DISPATCH,
            Op.ACCEPT,
            Op.RETURN_HOP,
            Op.ACCEPT_RETURN,
            Op.REJECT_RETURN,
            Op.PASS_DOWN,
            Op.REASSIGN,
            Op.ESCALATE,
            Op.ADD_ASSIST,
        ),
    ),
    (
        labels.QT_TRANSLATE_NOOP("ActionBar", "Handling"),
        (
            Op.NOTE_PROGRESS,
            Op.ANSWER_ASSIST,
            Op.SUBMIT_RESULT,
            Op.REQUEST_PAUSE,
            Op.DECIDE_PAUSE,
            Op.RESUME,
            Op.REQUEST_EXTENSION,
            Op.DECIDE_EXTENSION,
        ),
    ),
    (
        labels.QT_TRANSLATE_NOOP("ActionBar", "Review and close"),
        (Op.REVIEW, Op.VISIT, Op.REOPEN, Op.SUPERVISE),
    ),
)
RESERVED = set("SZRUL")  # the editor's own keys (Save, undo, Reload, …)


def mnemonic(text: str, used: set[str], fallback: str) -> str:
    """``text`` with an unused Alt+letter: a letter of its own, else "(&X)" appended."""
    plain = text.replace("&", "")
    for i, ch in enumerate(plain):
        key = ch.upper()
        if ch.isascii() and ch.isalnum() and key not in used:
            used.add(key)
            return plain[:i] + "&" + plain[i:]
    for ch in fallback.upper() + "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789":
        if ch.isalnum() and ch not in used:
            used.add(ch)
            return f"{plain} (&{ch})"
    return plain


class ActionBar(QWidget):
    action_did_trigger = Signal(object)  # core.actions.Action

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.words = ActionWords(self)
        self.buttons: dict[tuple[Op, int | None], QPushButton] = {}
        self._grids: list[QGridLayout] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for title, _ops in GROUPS:
            box = QGroupBox(QCoreApplication.translate("ActionBar", title), self)
            grid = QGridLayout(box)
            grid.setSpacing(4)
            self._grids.append(grid)
            layout.addWidget(box)
        layout.addStretch(1)

    def set_actions(self, actions: Sequence[Action], unit_name: Callable[[int], str]) -> None:
        for button in self.buttons.values():
            button.hide()
            button.deleteLater()
        for grid in self._grids:
            while grid.count():
                grid.takeAt(0)
        self.buttons = {}
        used = set(RESERVED)
        for grid, (_title, ops) in zip(self._grids, GROUPS, strict=True):
            cell = 0
            for op in ops:
                mine = [a for a in actions if a.code == op]
                for act in mine:
                    text = self.words.op_text(op)
                    if len(mine) > 1 and act.detail.get("unit_id") is not None:
                        text += f" · {unit_name(act.detail['unit_id'])}"
                    button = QPushButton(mnemonic(text, used, op.value[0]), self)
                    button.setEnabled(act.enabled)
                    button.setToolTip(self._tooltip(act, unit_name))
                    button.setAutoDefault(False)
                    button.ensurePolished()  # the stylesheet's padding counts in its size
                    button.clicked.connect(lambda _=False, a=act: self.action_did_trigger.emit(a))
                    grid.addWidget(button, cell // 2, cell % 2)
                    button.show()  # else shown later (queued), and left out of the size
                    self.buttons[(op, act.hop_id)] = button
                    cell += 1

    def _tooltip(self, act: Action, unit_name: Callable[[int], str]) -> str:
        if not act.enabled:
            return self.words.why_text(act, unit_name)
        unit = act.detail.get("unit_id")
        if unit is not None:
            return self.tr("On the assignment to {unit}").format(unit=unit_name(unit))
        return self.words.op_text(act.code)

    def button(self, op: Op, hop_id: int | None = None) -> QPushButton:
        """The button for ``op`` (on ``hop_id`` when given): for tests and shortcuts."""
        if (op, hop_id) in self.buttons:
            return self.buttons[(op, hop_id)]
        return next(b for (o, _h), b in self.buttons.items() if o == op)


# --- the dialogs ------------------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    """What one operation asks for; keys are the service method's argument names."""

    text: str | None = None  # "reason", "text" or "note"
    required: bool = False
    unit: str | None = None
    assists: bool = False
    choice: str | None = None  # "result", "level" or "kind"
    decision: str | None = None  # "approve" or "passed"
    days: bool = False
    lines: tuple[str, ...] = ()
    file: bool = False


SPECS: dict[Op, Spec] = {
    Op.ADD_CALLER: Spec(lines=("name", "phone")),
    Op.ADD_ATTACHMENT: Spec(file=True, choice="kind"),
    Op.ANSWER_ON_SPOT: Spec("text", True),
    Op.DISPATCH: Spec("note", unit="lead_unit_id", assists=True),
    Op.MERGE: Spec("reason", lines=("target_number",)),
    Op.VOID: Spec("reason", True),
    Op.TRANSFER: Spec("reason", True, lines=("destination",)),
    Op.RETURN_HOP: Spec("reason", True),
    Op.ACCEPT_RETURN: Spec("note"),
    Op.REJECT_RETURN: Spec("reason", True),
    Op.PASS_DOWN: Spec("note", unit="to_unit_id"),
    Op.REASSIGN: Spec("reason", True, unit="to_unit_id"),
    Op.ESCALATE: Spec("reason", True),
    Op.ADD_ASSIST: Spec("note", unit="unit_id"),
    Op.NOTE_PROGRESS: Spec("text", True),
    Op.REQUEST_PAUSE: Spec("reason", True),
    Op.DECIDE_PAUSE: Spec("note", decision="approve"),
    Op.RESUME: Spec("note"),
    Op.REQUEST_EXTENSION: Spec("reason", True, days=True),
    Op.DECIDE_EXTENSION: Spec("note", decision="approve"),
    Op.ANSWER_ASSIST: Spec("text", True),
    Op.SUBMIT_RESULT: Spec("text", True),
    Op.REVIEW: Spec("reason", decision="passed"),
    Op.VISIT: Spec("note", choice="result"),
    Op.REOPEN: Spec("reason", True),
    Op.SUPERVISE: Spec("text", True, choice="level"),
}

CHOICES = {
    "result": labels.VISIT_RESULTS,
    "level": labels.SUPERVISION_LEVELS,
    "kind": labels.ATTACHMENT_KINDS,
}


def needs_dialog(op: Op) -> bool:
    return op in SPECS


class ActionDialog(QDialog):
    """Collects one action's input; ``values()`` are the service call's arguments."""

    def __init__(
        self,
        action: Action,
        units: Sequence[Unit] = (),
        assist_units: Sequence[Unit] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.action = action
        self.spec = spec = SPECS[action.code]
        self.words = ActionWords(self)
        self.setWindowTitle(self.words.op_text(action.code).replace("…", ""))
        self.setMinimumWidth(440)
        form = QFormLayout()
        self.lines: dict[str, QLineEdit] = {}
        line_labels = {
            "name": self.tr("Name"),
            "phone": self.tr("Phone"),
            "target_number": self.tr("Target order number"),
            "destination": self.tr("Destination"),
        }
        for key in spec.lines:
            edit = QLineEdit(self)
            self.lines[key] = edit
            form.addRow(line_labels[key], edit)
        self.path_edit: QLineEdit | None = None
        if spec.file:
            self.path_edit = QLineEdit(self)
            browse = QPushButton(self.tr("Browse…"), self)
            browse.clicked.connect(self._browse)
            row = QHBoxLayout()
            row.addWidget(self.path_edit, 1)
            row.addWidget(browse)
            form.addRow(self.tr("File"), row)
        self.unit_box: QComboBox | None = None
        if spec.unit:
            self.unit_box = self._unit_box(units)
            form.addRow(self.tr("Unit"), self.unit_box)
        self.assist_list: QListWidget | None = None
        if spec.assists:
            self.assist_list = QListWidget(self)
            self.assist_list.setMaximumHeight(140)
            for unit in assist_units:
                item = QListWidgetItem(unit.name, self.assist_list)
                item.setData(Qt.ItemDataRole.UserRole, unit.id)
                item.setCheckState(Qt.CheckState.Unchecked)
            form.addRow(self.tr("Assisting units"), self.assist_list)
        self.choice_box: QComboBox | None = None
        if spec.choice:
            self.choice_box = QComboBox(self)
            for code in CHOICES[spec.choice]:
                self.choice_box.addItem(labels.label(CHOICES[spec.choice], code), code)
            form.addRow(self.tr("Choice"), self.choice_box)
        self.decision_box: QComboBox | None = None
        if spec.decision:
            self.decision_box = QComboBox(self)
            if spec.decision == "passed":
                self.decision_box.addItem(self.tr("Pass: go on to the return visit"), True)
                self.decision_box.addItem(self.tr("Fail: send back for rework"), False)
            else:
                self.decision_box.addItem(self.tr("Approve"), True)
                self.decision_box.addItem(self.tr("Deny"), False)
            form.addRow(self.tr("Decision"), self.decision_box)
        self.days_box: QSpinBox | None = None
        if spec.days:
            self.days_box = QSpinBox(self)
            self.days_box.setRange(1, max(1, int(action.detail.get("max_days", 30))))
            form.addRow(self.tr("Extra days"), self.days_box)
        self.text_edit: QPlainTextEdit | None = None
        if spec.text:
            self.text_edit = QPlainTextEdit(self)
            self.text_edit.setTabChangesFocus(True)
            self.text_edit.setMinimumHeight(90)
            names = {"reason": self.tr("Reason"), "text": self.tr("Text"), "note": self.tr("Note")}
            name = (
                names[spec.text]
                if spec.required
                else self.tr("{name} (optional)").format(name=names[spec.text])
            )
            form.addRow(name, self.text_edit)
            self.text_edit.textChanged.connect(self._check)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.words.op_text(action.code).replace("…", ""))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        for edit in self.lines.values():
            edit.textChanged.connect(self._check)
        if self.path_edit is not None:
            self.path_edit.textChanged.connect(self._check)
        self._check()

    def _unit_box(self, units: Sequence[Unit]) -> QComboBox:
        box = QComboBox(self)
        box.setEditable(True)
        box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        top = min((u.level for u in units), default=0)
        for unit in units:
            box.addItem("  " * (unit.level - top) + unit.name, unit.id)
        completer = QCompleter([u.name for u in units], box)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        box.setCompleter(completer)
        box.currentIndexChanged.connect(self._check)
        return box

    def _browse(self) -> None:
        dialog = QFileDialog(self, self.tr("Choose a file"))
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(self._chosen)
        self.file_dialog = dialog
        dialog.open()

    def _chosen(self, path: str) -> None:
        if self.path_edit is not None:
            self.path_edit.setText(path)

    def _check(self) -> None:
        ok = True
        if self.spec.required and self.text_edit is not None:
            ok = bool(self.text_edit.toPlainText().strip())
        if self.unit_box is not None:
            ok = ok and self.unit_id() is not None
        if self.path_edit is not None:
            ok = ok and bool(self.path_edit.text().strip())
        if "target_number" in self.lines or "destination" in self.lines:
            ok = ok and all(e.text().strip() for e in self.lines.values())
        if "name" in self.lines:
            ok = ok and any(e.text().strip() for e in self.lines.values())
        self.ok_button.setEnabled(ok)

    def unit_id(self) -> int | None:
        box = self.unit_box
        if box is None:
            return None
        index = box.findText(box.currentText().strip(), Qt.MatchFlag.MatchEndsWith)
        data = box.itemData(index) if index >= 0 else box.currentData()
        return int(data) if data is not None else None

    def values(self) -> dict[str, Any]:
        spec = self.spec
        out: dict[str, Any] = {k: e.text().strip() or None for k, e in self.lines.items()}
        if self.path_edit is not None:
            out["path"] = self.path_edit.text().strip()
        if spec.unit:
            out[spec.unit] = self.unit_id()
        if self.assist_list is not None:
            items = [self.assist_list.item(i) for i in range(self.assist_list.count())]
            out["assist_unit_ids"] = [
                int(i.data(Qt.ItemDataRole.UserRole))
                for i in items
                if i.checkState() == Qt.CheckState.Checked
            ]
        if self.choice_box is not None and spec.choice:
            out[spec.choice] = self.choice_box.currentData()
        if self.decision_box is not None and spec.decision:
            out[spec.decision] = bool(self.decision_box.currentData())
        if self.days_box is not None:
            out["days"] = self.days_box.value()
        if self.text_edit is not None and spec.text:
            out[spec.text] = self.text_edit.toPlainText().strip() or None
        return out


class ReasonDialog(QDialog):
    """Why one wants to see a caller's full number: the answer is logged with the read."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Show the full number"))
        intro = QLabel(self.tr("Every look at a full number is logged. Why do you need it?"), self)
        intro.setWordWrap(True)
        self.reason_edit = QLineEdit(self)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.tr("Show"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.reason_edit.textChanged.connect(
            lambda text: self.ok_button.setEnabled(bool(text.strip()))
        )
        self.ok_button.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.reason_edit)
        layout.addWidget(buttons)

    def reason(self) -> str:
        return self.reason_edit.text().strip()
