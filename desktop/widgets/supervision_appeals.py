"""The supervision page's "申诉" (appeals) tab: every appeal awaiting a decision on the
supervisor's orders (``core.marks.pending_appeals``), oldest first, with the unit, the mark
and the unit's reason; uphold (the mark is lifted) or dismiss, with a note either way.
Each decision is an event on the order (appeal_decided); the list follows the live stream.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from core import marks
from core.errors import CoreError
from core.marks import MarkKind, PendingAppeal
from core.service import OpResult, OrderService
from core.storage.db import read_tx
from desktop import errors, labels
from desktop.feed import Session
from desktop.hub import ChangeHub, Changes
from desktop.lanes import Lanes, Rerun, TaskOwner, async_slot
from desktop.widgets.supervision_dialogs import TextDialog

Index = QModelIndex | QPersistentModelIndex
WHEN = "%m-%d %H:%M"


def read_appeals(session: Session) -> list[PendingAppeal]:
    org = session.store.reference().org
    with read_tx(session.store.engine) as conn:
        return marks.pending_appeals(conn, session.actor, org)


def decide(session: Session, appeal: PendingAppeal, decision: str, note: str) -> OpResult:
    svc = OrderService(session.store)
    return marks.decide_appeal(
        svc, session.actor, appeal.order_id, appeal.kind, appeal.target, decision, note
    )


class AppealModel(QAbstractTableModel):
    def __init__(self, session: Session, parent: QWidget) -> None:
        super().__init__(parent)
        self.session = session
        self.rows: list[PendingAppeal] = []

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 6

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        return (
            self.tr("Order no."),
            self.tr("Title"),
            self.tr("Mark"),
            self.tr("Appealed by"),
            self.tr("Appealed"),
            self.tr("The unit's reason"),
        )[section]

    def data(self, index: Index, role: int = 0) -> Any:
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        a = self.rows[index.row()]
        col = index.column()
        if col == 0:
            return a.number
        if col == 1:
            return a.title
        if col == 2:
            return mark_text(a)
        if col == 3:
            unit = self.session.store.reference().org.find(a.unit_id)
            return unit.name if unit is not None else str(a.unit_id)
        if col == 4:
            return a.at.astimezone(self.session.tz).strftime(WHEN)
        return a.reason

    def replace(self, rows: list[PendingAppeal]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()


def mark_text(a: PendingAppeal) -> str:
    if a.kind is MarkKind.UNSATISFIED:
        return QCoreApplication.translate("Appeals", "Unsatisfied visit")
    if a.limit_kind == "accept":
        return QCoreApplication.translate("Appeals", "Late acceptance")
    return QCoreApplication.translate("Appeals", "Late result")


class AppealsTab(QWidget):
    order_did_open = Signal(int)
    rows_did_load = Signal(int)
    decision_did_finish = Signal(str)

    def __init__(
        self,
        session: Session,
        lanes: Lanes,
        hub: ChangeHub,
        parent: QWidget,
        tasks: TaskOwner | None = None,
    ) -> None:
        super().__init__(parent)
        self.session, self.lanes, self.hub = session, lanes, hub
        self.tasks = tasks or TaskOwner()  # the page's: its close cancels ours too
        self._rerun = Rerun(self._load)
        self._closed = False
        self.dialog: TextDialog | None = None
        self.model = AppealModel(session, self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda _i: self.open_current())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._fit())
        self.empty = QLabel(self.tr("No appeal awaits a decision."), self)
        self.empty.setProperty("role", "muted")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.uphold_button = QPushButton(self.tr("Uphold…"), self)
        self.uphold_button.setToolTip(
            self.tr("The mark is lifted: the assessment no longer counts it")
        )
        self.dismiss_button = QPushButton(self.tr("Dismiss…"), self)
        self.dismiss_button.setToolTip(self.tr("The mark stands"))
        self.open_button = QPushButton(self.tr("Open order"), self)
        self.uphold_button.clicked.connect(lambda: self.ask("upheld"))
        self.dismiss_button.clicked.connect(lambda: self.ask("dismissed"))
        self.open_button.clicked.connect(self.open_current)
        self.outcome = QLabel(self)
        self.outcome.setProperty("role", "muted")
        row = QHBoxLayout()
        for b in (self.uphold_button, self.dismiss_button, self.open_button):
            row.addWidget(b)
        row.addWidget(self.outcome, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty, 1)
        layout.addLayout(row)
        hub.changes_did_arrive.connect(self._changes_arrived)
        self._fit()
        self.reload()

    # --- loading ------------------------------------------------------------------------

    @async_slot()
    async def reload(self) -> None:
        await self._rerun()

    async def _load(self) -> None:
        try:
            rows = await self.lanes.background(read_appeals, self.session)
        except Exception as exc:
            if not errors.is_connection_error(exc):
                raise
            return  # the window's banner says the link is down; the next change reloads
        if self._closed:
            return
        keep = self.current()
        self.model.replace(rows)
        if rows:
            ids = [(a.order_id, a.kind, a.target) for a in rows]
            key = (keep.order_id, keep.kind, keep.target) if keep else None
            self.table.selectRow(ids.index(key) if key in ids else 0)
        self._fit()
        self.rows_did_load.emit(len(rows))

    def _changes_arrived(self, changes: Changes) -> None:
        if changes.order_ids and not self._closed:
            self.reload()

    @property
    def settled(self) -> bool:
        return not self._rerun.running

    # --- deciding -----------------------------------------------------------------------

    def current(self) -> PendingAppeal | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.rows[rows[0].row()] if rows else None

    def _fit(self) -> None:
        has = self.current() is not None
        for b in (self.uphold_button, self.dismiss_button, self.open_button):
            b.setEnabled(has)
        self.table.setVisible(bool(self.model.rows))
        self.empty.setVisible(not self.model.rows)

    def open_current(self) -> None:
        appeal = self.current()
        if appeal is not None:
            self.order_did_open.emit(appeal.order_id)

    def ask(self, decision: str) -> None:
        appeal = self.current()
        if appeal is None or self.dialog is not None:
            return
        upheld = decision == "upheld"
        summary = self.tr("{number}: {mark}, appealed by {unit}.\nReason: {reason}").format(
            number=appeal.number,
            mark=mark_text(appeal),
            unit=self.model.data(self.model.index(self.model.rows.index(appeal), 3)),
            reason=appeal.reason,
        )
        dialog = TextDialog(
            self.tr("Uphold the appeal") if upheld else self.tr("Dismiss the appeal"),
            summary,
            self.tr("Uphold") if upheld else self.tr("Dismiss"),
            placeholder=self.tr("Why (recorded with the decision)"),
            parent=self.window(),
        )
        self.dialog = dialog
        dialog.finished.connect(lambda code: self._answered(appeal, decision, code))
        dialog.open()

    def _answered(self, appeal: PendingAppeal, decision: str, code: int) -> None:
        dialog, self.dialog = self.dialog, None
        if dialog is None:
            return
        note = dialog.edit.toPlainText().strip()
        dialog.deleteLater()
        if code == TextDialog.DialogCode.Accepted:
            self.run(appeal, decision, note)

    @async_slot(object, str, str)
    async def run(self, appeal: PendingAppeal, decision: str, note: str) -> None:
        try:
            result: OpResult = await self.lanes.interactive(
                decide, self.session, appeal, decision, note
            )
        except CoreError as exc:
            line = self.tr("{number}: not decided ({why})").format(
                number=appeal.number, why=errors.describe(exc)
            )
        except Exception as exc:
            if not errors.is_connection_error(exc):
                raise
            line = errors.describe(exc)
        else:
            self.hub.note_own(result.event_ids, self)
            line = self.tr("{number}: {decision}").format(
                number=appeal.number, decision=labels.label(labels.MARK_DECISIONS, decision)
            )
        self.outcome.setText(line)
        self.decision_did_finish.emit(line)
        self.reload()

    def close_page(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.hub.changes_did_arrive.disconnect(self._changes_arrived)
        if self.dialog is not None:
            self.dialog.reject()
        self.tasks.cancel_all()


def build_appeals_tab(
    session: Session, lanes: Lanes, hub: ChangeHub, parent: QWidget, tasks: TaskOwner
) -> AppealsTab:
    """The appeals tab for ``session``'s user (the page adds it last, closes it with
    itself, and forwards its ``order_did_open``)."""
    return AppealsTab(session, lanes, hub, parent, tasks)
