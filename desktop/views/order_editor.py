"""Editing an order's intake fields, with two people in mind.

- On opening, the editor takes a soft lock; if someone else holds one, a banner names them
  ("张三 is editing"), and the fields stay open: a lock warns, it never blocks.
- While it is open, a change by anyone else shows at once (the change hub), and the
  lock is refreshed well inside its lifetime.
- A save carries the version the editor read. A stale one is refused by core, and the
  stale-save dialog shows what changed and offers to reload, keeping this user's edits.
- A save while the database is unreachable is refused with a clear message; the form
  keeps its content.
"""

from __future__ import annotations

import contextlib
import socket
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core import history, locks
from core.errors import StaleVersion, ValidationError
from core.service import OpResult, OrderService
from core.storage.db import read_tx
from core.stream import Link, LinkState
from core.workflow.model import Aggregate
from desktop import errors
from desktop.feed import Session
from desktop.hub import ChangeHub, Changes
from desktop.lanes import Lanes, TaskOwner, async_slot
from desktop.views.stale_save import StaleSaveDialog

FIELDS = ("title", "description", "address", "urgency")
WORKSTATION = f"{socket.gethostname()}"
LOCK_REFRESH_MS = int(locks.TTL.total_seconds() * 1000 / 3)


@dataclass(frozen=True)
class Snapshot:
    """What the editor read: the order's fields and version, and who holds the lock."""

    version: int
    values: dict[str, Any]
    number: str
    lock: locks.LockResult


def read_order(session: Session, order_id: int, workstation: str) -> Snapshot:
    agg: Aggregate = OrderService(session.store).load(session.actor, order_id)
    lock = locks.acquire(session.store, session.actor, order_id, workstation)
    o = agg.order
    values = {f: getattr(o, f) or "" for f in FIELDS}
    return Snapshot(o.version, values, o.number, lock)


def history_since(session: Session, order_id: int, version: int) -> list[history.HistoryLine]:
    with read_tx(session.store.engine) as conn:
        return history.since(conn, order_id, version)


class OrderEditor(QDialog):
    order_did_save = Signal(object)  # OpResult

    def __init__(
        self,
        session: Session,
        lanes: Lanes,
        hub: ChangeHub,
        order_id: int,
        *,
        workstation: str = WORKSTATION,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.tasks = TaskOwner()
        self.session = session
        self.lanes = lanes
        self.hub = hub
        self.order_id = order_id
        self.workstation = workstation
        self.base: Snapshot | None = None
        self._closed = False
        self.setWindowTitle(self.tr("Edit order"))
        self.setMinimumWidth(560)

        self.lock_banner = self._banner("warning")
        self.changed_banner = self._banner("warning")
        self.error_label = self._banner("error")
        self.title_edit = QLineEdit(self)
        self.title_edit.setMaxLength(200)
        self.description_edit = QPlainTextEdit(self)
        self.description_edit.setMinimumHeight(120)
        self.address_edit = QLineEdit(self)
        self.urgency_box = QComboBox(self)
        for code, text in (
            ("normal", self.tr("Normal")),
            ("urgent", self.tr("Urgent")),
            ("critical", self.tr("Critical")),
        ):
            self.urgency_box.addItem(text, code)
        self.fresh_label = QLabel(self)
        self.fresh_label.setProperty("role", "muted")

        form = QFormLayout()
        form.addRow(self.tr("Title"), self.title_edit)
        form.addRow(self.tr("Description"), self.description_edit)
        form.addRow(self.tr("Address"), self.address_edit)
        form.addRow(self.tr("Urgency"), self.urgency_box)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(self.tr("Save"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        self.reload_button = QPushButton(self.tr("Reload"), self)
        self.buttons.addButton(self.reload_button, QDialogButtonBox.ButtonRole.ResetRole)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.reload_button.clicked.connect(self.reload_keeping_edits)

        layout = QVBoxLayout(self)
        for banner in (self.lock_banner, self.changed_banner, self.error_label):
            layout.addWidget(banner)
        layout.addLayout(form)
        layout.addWidget(self.fresh_label)
        layout.addWidget(self.buttons)
        self._set_enabled(False)

        self._lock_timer = QTimer(self)
        self._lock_timer.setInterval(LOCK_REFRESH_MS)
        self._lock_timer.timeout.connect(self._refresh_lock)
        hub.changes_did_arrive.connect(self._changes_arrived)
        hub.link_did_change.connect(self._link_changed)
        self._link_changed(hub.link)
        self.load()

    def _banner(self, role: str) -> QLabel:
        label = QLabel(self)
        label.setProperty("role", role)
        label.setWordWrap(True)
        label.hide()
        return label

    def _set_enabled(self, enabled: bool) -> None:
        for w in (self.title_edit, self.description_edit, self.address_edit, self.urgency_box):
            w.setEnabled(enabled)
        self.save_button.setEnabled(enabled)
        self.reload_button.setEnabled(enabled)

    # --- the form's values -----------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        return {
            "title": self.title_edit.text().strip(),
            "description": self.description_edit.toPlainText().strip(),
            "address": self.address_edit.text().strip(),
            "urgency": self.urgency_box.currentData(),
        }

    def _show(self, values: dict[str, Any]) -> None:
        self.title_edit.setText(str(values["title"]))
        self.description_edit.setPlainText(str(values["description"]))
        self.address_edit.setText(str(values["address"]))
        self.urgency_box.setCurrentIndex(max(0, self.urgency_box.findData(values["urgency"])))

    def edits(self) -> dict[str, Any]:
        """The fields this user changed since the version the editor read."""
        if self.base is None:
            return {}
        now = self.values()
        return {f: now[f] for f in FIELDS if now[f] != self.base.values[f]}

    # --- loading ---------------------------------------------------------------------------

    @async_slot()
    async def load(self) -> None:
        snap = await self._read()
        if snap is None:
            return
        self.base = snap
        self._show(snap.values)
        self.setWindowTitle(self.tr("Edit order {number}").format(number=snap.number))
        self._show_lock(snap.lock)
        self._set_enabled(True)
        self._lock_timer.start()
        self.title_edit.setFocus()

    async def _read(self) -> Snapshot | None:
        try:
            return await self.lanes.interactive(
                read_order, self.session, self.order_id, self.workstation
            )
        except Exception as exc:
            if not errors.is_connection_error(exc):
                raise
            self._refuse(exc)
            return None

    def _show_lock(self, lock: locks.LockResult) -> None:
        holder = lock.holder
        if lock.taken or holder is None:
            self.lock_banner.hide()
            return
        since = holder.acquired_at.astimezone(self.session.tz)
        self.lock_banner.setText(
            self.tr(
                "{name} has been editing this order since {time} (workstation {ws}). "
                "You can still edit it; whoever saves second will be asked to reload."
            ).format(name=holder.display_name, time=f"{since:%H:%M}", ws=holder.workstation)
        )
        self.lock_banner.show()

    @async_slot()
    async def _refresh_lock(self) -> None:
        try:
            lock = await self.lanes.background(
                locks.acquire,
                self.session.store,
                self.session.actor,
                self.order_id,
                self.workstation,
            )
        except Exception as exc:
            if not errors.is_connection_error(exc):
                raise
            return
        self._show_lock(lock)

    # --- other people's changes ------------------------------------------------------------

    def _changes_arrived(self, changes: Changes) -> None:
        if self.order_id in changes.not_from(self):
            self.changed_banner.setText(
                self.tr(
                    "Someone else has just changed this order. Reload to see their changes; "
                    "your edits are kept."
                )
            )
            self.changed_banner.show()

    def _link_changed(self, link: Link) -> None:
        when = link.confirmed_at
        if link.state is LinkState.DOWN:
            self.fresh_label.setText(self.tr("Disconnected: saving is not possible now."))
            self.fresh_label.setProperty("role", "stale")
        elif when is not None:
            at = when.astimezone(self.session.tz)
            self.fresh_label.setText(
                self.tr("Data confirmed at {time}").format(time=f"{at:%H:%M:%S}")
            )
            self.fresh_label.setProperty("role", "muted")
        self.fresh_label.style().unpolish(self.fresh_label)
        self.fresh_label.style().polish(self.fresh_label)

    # --- saving ----------------------------------------------------------------------------

    @async_slot()
    async def save(self) -> None:
        if self.base is None:
            return
        changes = self.edits()
        if not changes:
            self.accept()
            return
        if not self.hub.online:
            self._refuse(None)
            return
        self.error_label.hide()
        self._set_enabled(False)
        try:
            result: OpResult = await self.lanes.interactive(
                OrderService(self.session.store).edit,
                self.session.actor,
                self.order_id,
                changes,
                self.base.version,
            )
        except StaleVersion:
            self._set_enabled(True)
            await self._stale(changes)
            return
        except ValidationError as exc:
            self._set_enabled(True)
            self._field_errors(exc)
            return
        except Exception as exc:
            self._set_enabled(True)
            if not errors.is_connection_error(exc):
                raise
            self._refuse(exc)
            return
        self.hub.note_own(result.event_ids, self)
        self.order_did_save.emit(result)
        self.accept()

    def _refuse(self, exc: BaseException | None) -> None:
        text = self.tr(
            "The database cannot be reached, so nothing was saved. Your entries are kept "
            "in this form: save again when the connection is back."
        )
        if exc is not None:
            text += "\n" + errors.describe(exc)
        self.error_label.setText(text)
        self.error_label.show()

    def _field_errors(self, exc: ValidationError) -> None:
        lines = [f"{e.field}: {e.code}" for e in exc.errors]
        self.error_label.setText(self.tr("Please correct:") + "\n" + "\n".join(lines))
        self.error_label.show()

    async def _stale(self, mine: dict[str, Any]) -> None:
        assert self.base is not None
        try:
            lines = await self.lanes.interactive(
                history_since, self.session, self.order_id, self.base.version
            )
            current = await self._read()
        except Exception as exc:
            if not errors.is_connection_error(exc):
                raise
            self._refuse(exc)
            return
        if current is None:
            return
        dialog = StaleSaveDialog(
            self.session.tz, self.base.values, mine, current.values, lines, self
        )
        self.stale_dialog = dialog
        dialog.finished.connect(lambda code: self._stale_answered(code, current))
        dialog.open()

    def _stale_answered(self, code: int, current: Snapshot) -> None:
        self.stale_dialog.deleteLater()
        if code == QDialog.DialogCode.Accepted:
            self._rebase(current)

    def _rebase(self, current: Snapshot) -> None:
        """Take the current version as the base; fields this user changed keep their text."""
        mine = self.edits()
        self.base = current
        self._show({**current.values, **mine})
        self._show_lock(current.lock)
        self.changed_banner.hide()

    @async_slot()
    async def reload_keeping_edits(self) -> None:
        current = await self._read()
        if current is not None:
            self._rebase(current)

    # --- closing ---------------------------------------------------------------------------

    def done(self, result: int) -> None:
        if not self._closed:
            self._closed = True
            self._lock_timer.stop()
            self.hub.changes_did_arrive.disconnect(self._changes_arrived)
            self.hub.link_did_change.disconnect(self._link_changed)
            self.tasks.cancel_all()
            if self.base is not None:
                # Fire and forget: an unreleased lock lapses on its own anyway.
                self.lanes.background_executor.submit(
                    _release, self.session, self.order_id, self.workstation
                )
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.done(QDialog.DialogCode.Rejected)
        super().closeEvent(event)


def _release(session: Session, order_id: int, workstation: str) -> None:
    # The database may have gone away: the lock then lapses by itself.
    with contextlib.suppress(Exception):
        locks.release(session.store, session.actor, order_id, workstation)
