"""Bulk pass on the review queue (批量核查通过): a supervisor reads each result in the list,
selects the ones that stand, and passes them in one go.

Each order is reviewed in its own transaction, as of the version the list showed: one that
changed meanwhile, or that this supervisor may not review, is refused alone and named in
the summary, and the others still pass. A failed review (返工) needs a reason per order,
so it stays in the order editor.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget

from core.errors import CoreError
from core.service import OrderService
from desktop import errors
from desktop.feed import Session
from desktop.hub import ChangeHub
from desktop.lanes import Lanes, TaskOwner, async_slot


@dataclass(frozen=True)
class Outcome:
    passed: list[str]  # order numbers
    refused: list[tuple[str, str]]  # order number, why (in words)
    event_ids: list[int]


def pass_reviews(session: Session, rows: list[tuple[int, int, str]]) -> Outcome:
    """(order id, version read, number) each: review passed, one transaction each."""
    svc = OrderService(session.store)
    passed: list[str] = []
    refused: list[tuple[str, str]] = []
    event_ids: list[int] = []
    for order_id, version, number in rows:
        try:
            result = svc.review(session.actor, order_id, True, expected_version=version)
        except CoreError as exc:
            refused.append((number, errors.describe(exc)))
            continue
        passed.append(number)
        event_ids += list(result.event_ids)
    return Outcome(passed, refused, event_ids)


class BulkReview(QObject):
    """The "pass selected" button of a review queue and what it does."""

    bulk_did_finish = Signal(object)  # Outcome

    def __init__(self, session: Session, lanes: Lanes, hub: ChangeHub, parent: QWidget) -> None:
        super().__init__(parent)
        self.tasks = TaskOwner()
        self.session = session
        self.lanes = lanes
        self.hub = hub
        self.button = QPushButton(self.tr("Pass selected (Ctrl+Shift+P)"), parent)
        self.button.setToolTip(
            self.tr("Review passed for every selected order: each goes on to its return visit")
        )
        self.box: QMessageBox | None = None
        self._rows: list[tuple[int, int, str]] = []

    def ask(self, rows: list[tuple[int, int, str]], others: int = 0) -> None:
        """Confirm, then pass ``rows`` (order id, version, number). ``others`` selected
        rows await a town's check, not the centre's review: they are left alone."""
        if self.box is not None or not (rows or others):
            return
        self._rows = rows
        text = self.tr(
            "Pass the review of {n} orders? Each goes on to its return visit. "
            "Orders changed since the list was read are left as they are."
        ).format(n=len(rows))
        if others:
            text += "\n\n" + self.tr(
                "{k} of the selected are a village's answers that the town checks first: "
                "they are left alone."
            ).format(k=others)
        buttons = QMessageBox.StandardButton.Cancel
        if rows:
            buttons |= QMessageBox.StandardButton.Ok
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Pass the selected results"),
            text,
            buttons,
            self.button.window(),
        )
        if rows:
            ok = box.button(QMessageBox.StandardButton.Ok)
            ok.setText(self.tr("Pass {n}").format(n=len(rows)))
        box.button(QMessageBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        box.finished.connect(self._answered)
        self.box = box
        box.open()

    def _answered(self, code: int) -> None:
        box, self.box = self.box, None
        if box is not None:
            box.deleteLater()
        if code == QMessageBox.StandardButton.Ok:
            self.run(self._rows)

    @async_slot(object)
    async def run(self, rows: list[tuple[int, int, str]]) -> None:
        self.button.setEnabled(False)
        try:
            outcome: Outcome = await self.lanes.interactive(pass_reviews, self.session, rows)
        except Exception as exc:
            if not errors.is_connection_error(exc):
                raise
            outcome = Outcome([], [(n, errors.describe(exc)) for _i, _v, n in rows], [])
        finally:
            self.button.setEnabled(True)
        self.hub.note_own(outcome.event_ids, self)
        self.bulk_did_finish.emit(outcome)

    def describe(self, outcome: Outcome) -> str:
        text = self.tr("{n} passed.").format(n=len(outcome.passed))
        if outcome.refused:
            text += " " + self.tr("Not passed: {list}").format(
                list="; ".join(f"{number} ({why})" for number, why in outcome.refused)
            )
        return text

    def shut_down(self) -> None:
        if self.box is not None:
            self.box.close()
        self.tasks.cancel_all()
