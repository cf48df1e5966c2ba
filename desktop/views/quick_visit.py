"""Return visits straight from the visit queue (回访, Ctrl+Shift+V): the visit dialog for the
selected row, without opening the order. The supervisor dials, picks the outcome, records
it, and the list moves on to the next call. The visit is recorded as of the version the
list showed; an order changed meanwhile is refused and named, and nothing else is lost."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QPushButton, QWidget

from core.errors import CoreError
from core.queues import QueueRow
from core.service import OpResult, OrderService
from desktop import errors, labels
from desktop.feed import Session
from desktop.hub import ChangeHub
from desktop.lanes import Lanes, TaskOwner, async_slot
from desktop.views.visit_dialog import VisitCase, VisitDialog


def record_visit(session: Session, order_id: int, values: dict[str, Any], version: int) -> OpResult:
    svc = OrderService(session.store)
    return svc.visit(
        session.actor, order_id, str(values["result"]), values.get("note"), expected_version=version
    )


class QuickVisit(QObject):
    visit_did_finish = Signal(str)  # one line for the queue's summary

    def __init__(self, session: Session, lanes: Lanes, hub: ChangeHub, parent: QWidget) -> None:
        super().__init__(parent)
        self.tasks = TaskOwner()
        self.session, self.lanes, self.hub = session, lanes, hub
        self.button = QPushButton(self.tr("Call back… (Ctrl+Shift+V)"), parent)
        self.button.setToolTip(
            self.tr("The return visit of the selected order: its number, the outcome, a note")
        )
        self.dialog: VisitDialog | None = None
        # Rows visited since the list was last read (id → the version the list showed):
        # until it is read again, they must not be called a second time.
        self.recorded: dict[int, int] = {}

    def is_stale(self, row: QueueRow) -> bool:
        return self.recorded.get(row.id, -1) >= row.version

    def rows_did_load(self, rows: Sequence[QueueRow]) -> None:
        """Forget the visits the list has caught up with: a read that began before a visit
        was recorded may still show the order as it was."""
        stale = {r.id for r in rows if self.is_stale(r)}
        self.recorded = {i: v for i, v in self.recorded.items() if i in stale}

    def ask(self, row: QueueRow) -> None:
        if self.dialog is not None or self.is_stale(row):
            return
        store = self.session.store
        policy = store.reference().policy.version_at(store.clock.now())
        case = VisitCase(
            row.number, row.caller_name, row.caller_phone, row.visit_attempts, row.result_text
        )
        dialog = VisitDialog(case, policy, self.lanes, self.session, row.id, self.button.window())
        self.dialog = dialog
        dialog.finished.connect(lambda code: self._answered(row, code))
        dialog.open()

    def _answered(self, row: QueueRow, code: int) -> None:
        dialog, self.dialog = self.dialog, None
        if dialog is None:
            return
        dialog.deleteLater()
        if code == VisitDialog.DialogCode.Accepted:
            self.run(row, dialog.values())

    @async_slot(object, object)
    async def run(self, row: QueueRow, values: dict[str, Any]) -> None:
        self.button.setEnabled(False)
        try:
            result: OpResult = await self.lanes.interactive(
                record_visit, self.session, row.id, values, row.version
            )
        except CoreError as exc:
            self.visit_did_finish.emit(
                self.tr("{number}: not recorded ({why})").format(
                    number=row.number, why=errors.describe(exc)
                )
            )
            return
        except Exception as exc:
            if not errors.is_connection_error(exc):
                raise
            self.visit_did_finish.emit(errors.describe(exc))
            return
        finally:
            self.button.setEnabled(True)
        self.hub.note_own(result.event_ids, self)
        self.recorded[row.id] = row.version
        outcome = labels.label(labels.VISIT_RESULTS, str(values["result"]))
        self.visit_did_finish.emit(
            self.tr("{number}: visit recorded ({outcome})").format(
                number=row.number, outcome=outcome
            )
        )

    def shut_down(self) -> None:
        if self.dialog is not None:
            self.dialog.reject()
        self.tasks.cancel_all()
