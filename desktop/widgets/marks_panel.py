"""The order editor's marks tab (考核标记): what counts against a unit on this order (a
late limit, an unsatisfied visit), how each stands (screened, appealed, decided), and the
moves this user may make: screen (甄别), appeal (申诉), decide an appeal (裁决). A move
that is not allowed stays visible, disabled, with the reason as its tooltip."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.marks import Mark, MarkKind, MarkView, Move, MoveKind
from core.org import OrgDirectory
from desktop import labels

WHEN = "%Y-%m-%d %H:%M"


class MarksPanel(QWidget):
    move_did_confirm = Signal(object, object)  # Move, {"choice": …, "text": …}

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.views: list[MarkView] = []
        self.org: OrgDirectory | None = None
        self.tz = ZoneInfo("Asia/Shanghai")
        self.dialog: MoveDialog | None = None
        intro = QLabel(
            self.tr(
                "A late limit or an unsatisfied visit counts against the unit in the "
                "assessment. A supervisor screens unreasonable dissatisfaction (甄别); the "
                "unit may appeal (申诉) within the appeal window, and a supervisor decides."
            ),
            self,
        )
        intro.setWordWrap(True)
        intro.setProperty("role", "muted")
        self.table = QTableWidget(0, 5, self)
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Mark"),
                self.tr("Since"),
                self.tr("Counts against"),
                self.tr("Appeal by"),
                self.tr("Standing"),
            ]
        )
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._selected)
        self.empty = QLabel(self.tr("Nothing counts against a unit on this order."), self)
        self.empty.setProperty("role", "muted")
        self.buttons: dict[MoveKind, QPushButton] = {
            MoveKind.SCREEN: QPushButton(self.tr("Screen…"), self),
            MoveKind.APPEAL: QPushButton(self.tr("Appeal…"), self),
            MoveKind.DECIDE: QPushButton(self.tr("Decide…"), self),
        }
        row = QHBoxLayout()
        for kind, button in self.buttons.items():
            button.clicked.connect(lambda _c=False, k=kind: self.ask(k))
            row.addWidget(button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addLayout(row)
        self._selected()

    # --- showing ------------------------------------------------------------------------

    def set_marks(self, views: Sequence[MarkView], org: OrgDirectory, tz: ZoneInfo) -> None:
        keep = self.current()
        self.views, self.org, self.tz = list(views), org, tz
        self.table.setRowCount(len(self.views))
        for r, view in enumerate(self.views):
            m = view.mark
            cells = [
                self.mark_text(m),
                self._when(m.at),
                "、".join(self._unit(u) for u in m.units),
                self._when(view.appeal_due),
                self.standing(m),
            ]
            for c, text in enumerate(cells):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.empty.setVisible(not self.views)
        self.table.setVisible(bool(self.views))
        row = next(
            (i for i, v in enumerate(self.views) if keep and v.mark == keep.mark),
            0 if self.views else -1,
        )
        if row >= 0:
            self.table.selectRow(row)
        self._selected()

    def mark_text(self, m: Mark) -> str:
        if m.kind is MarkKind.UNSATISFIED:
            return self.tr("Unsatisfied visit")
        if m.limit_kind == "accept":
            return self.tr("Late acceptance")
        return self.tr("Late result")

    def standing(self, m: Mark) -> str:
        parts = []
        if m.verdict is not None:
            parts.append(
                self.tr("Screened: {verdict}").format(
                    verdict=labels.label(labels.MARK_DECISIONS, m.verdict.value)
                )
            )
        if m.appeal is not None:
            if m.appeal.decision is None:
                parts.append(
                    self.tr("Appealed {when}, awaiting a decision").format(
                        when=self._when(m.appeal.at)
                    )
                )
            else:
                parts.append(
                    self.tr("Appeal: {decision}").format(
                        decision=labels.label(labels.MARK_DECISIONS, m.appeal.decision.value)
                    )
                )
        if not parts:
            parts.append(self.tr("Counts against the unit"))
        return "; ".join(parts)

    def _when(self, at: datetime) -> str:
        return at.astimezone(self.tz).strftime(WHEN)

    def _unit(self, unit_id: int) -> str:
        unit = self.org.find(unit_id) if self.org is not None else None
        return unit.name if unit is not None else str(unit_id)

    def current(self) -> MarkView | None:
        rows = self.table.selectionModel().selectedRows()
        return self.views[rows[0].row()] if rows and rows[0].row() < len(self.views) else None

    def _selected(self) -> None:
        view = self.current()
        for kind, button in self.buttons.items():
            move = self._move(view, kind)
            button.setEnabled(move is not None and move.enabled)
            why = None if move is None or move.enabled else move.why
            button.setToolTip(self.why_text(why) if why else "")

    @staticmethod
    def _move(view: MarkView | None, kind: MoveKind) -> Move | None:
        if view is None:
            return None
        return next((m for m in view.moves if m.kind is kind), None)

    def why_text(self, why: str) -> str:
        texts = {
            "role_required": self.tr("Your role may not do this."),
            "not_order_centre": self.tr("Only the order's centre may do this."),
            "not_unsatisfied": self.tr("Only an unsatisfied visit is screened."),
            "already_screened": self.tr("This visit has been screened already."),
            "already_lifted": self.tr("This mark has been lifted already."),
            "not_marked_unit": self.tr("The mark does not count against your unit."),
            "already_appealed": self.tr("This mark has been appealed already: one appeal each."),
            "appeal_window_over": self.tr("The appeal window is over."),
            "no_appeal": self.tr("No appeal awaits a decision."),
            "already_decided": self.tr("The appeal has been decided already."),
        }
        return texts.get(why, why)

    # --- moving -----------------------------------------------------------------------------

    def ask(self, kind: MoveKind) -> None:
        view = self.current()
        move = self._move(view, kind)
        if view is None or move is None or not move.enabled:
            return
        self.dialog = MoveDialog(move, self.mark_text(view.mark), self)
        dialog = self.dialog
        dialog.accepted.connect(lambda: self.move_did_confirm.emit(move, dialog.values()))
        dialog.open()


class MoveDialog(QDialog):
    """The verdict or decision, and the reason or note (required)."""

    def __init__(self, move: Move, what: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chosen = move
        titles = {
            MoveKind.SCREEN: self.tr("Screen dissatisfaction"),
            MoveKind.APPEAL: self.tr("Appeal a mark"),
            MoveKind.DECIDE: self.tr("Decide an appeal"),
        }
        self.setWindowTitle(titles[move.kind])
        self.setMinimumWidth(440)
        form = QFormLayout()
        form.addRow(self.tr("Mark"), QLabel(what, self))
        self.choice: QComboBox | None = None
        if move.kind is not MoveKind.APPEAL:
            self.choice = QComboBox(self)
            codes = (
                ("unreasonable", "reasonable")
                if move.kind is MoveKind.SCREEN
                else ("upheld", "dismissed")
            )
            for code in codes:
                self.choice.addItem(labels.label(labels.MARK_DECISIONS, code), code)
            form.addRow(self.tr("Decision"), self.choice)
        if move.kind is MoveKind.DECIDE and move.mark.appeal is not None:
            reason = QLabel(move.mark.appeal.reason, self)
            reason.setWordWrap(True)
            form.addRow(self.tr("The unit's reason"), reason)
        self.text = QPlainTextEdit(self)
        self.text.setTabChangesFocus(True)
        self.text.setMinimumHeight(90)
        form.addRow(
            self.tr("Note") if move.kind is MoveKind.DECIDE else self.tr("Reason"), self.text
        )
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.tr("Record"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.text.textChanged.connect(
            lambda: self.ok_button.setEnabled(bool(self.text.toPlainText().strip()))
        )
        self.ok_button.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def values(self) -> dict[str, str | None]:
        return {
            "choice": self.choice.currentData() if self.choice is not None else None,
            "text": self.text.toPlainText().strip(),
        }
