"""The order editor: every field, the callers (masked), the assignments, the attachments,
the timeline, and one button per operation of the closed loop.

Two people in mind:
- Those who may edit (the ``edit`` action) take a soft lock on opening; if someone else
  holds one, a banner names them. A lock warns, it never blocks.
- While it is open, a change by anyone else shows at once (the change hub).
- A save or an action carries the version the editor read. A stale save opens the
  stale-save dialog (reload keeping one's edits); a stale action is refused and the
  editor reloads. While the database is unreachable nothing is sent; the form keeps
  its content.
Unsaved edits can be undone field by field (Ctrl+Z) or all at once ("Revert all").
"""

from __future__ import annotations

import socket
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from core.action_targets import on_the_way
from core.actions import Action, Op, targets
from core.errors import CoreError, StaleVersion, ValidationError
from core.marks import Move
from core.service import OpResult, OrderService
from core.stream import Link, LinkState
from desktop import errors, labels, theme
from desktop.feed import Session
from desktop.hub import ChangeHub, Changes
from desktop.lanes import Lanes, TaskOwner, async_slot
from desktop.views.order_actions import SPECS, ActionBar, ActionDialog, ReasonDialog
from desktop.views.order_data import (
    Snapshot,
    current_version,
    full_image,
    history_since,
    read_order,
    reveal,
    run_action,
    thumbnails,
)
from desktop.views.order_form import OrderForm
from desktop.views.stale_save import StaleSaveDialog
from desktop.views.visit_dialog import VisitCase, VisitDialog
from desktop.widgets.attachments import ImagePreview
from desktop.widgets.edit_lock import EditLock
from desktop.widgets.order_tabs import OrderTabs

WORKSTATION = f"{socket.gethostname()}"


class OrderEditor(QDialog):
    order_did_save = Signal(object)  # OpResult of a save
    order_did_change = Signal(object)  # OpResult of any save or action

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
        self.setWindowTitle(self.tr("Order"))
        self.resize(1280, 820)

        self.lock_banner = self._banner("warning")
        self.changed_banner = self._banner("warning")
        self.error_label = self._banner("error")
        self.heading = QLabel(self)
        self.heading.setProperty("role", "title")
        self.heading.setWordWrap(True)
        self.subheading = QLabel(self)
        self.subheading.setWordWrap(True)
        self.readonly_note = self._banner("muted")

        self.form = OrderForm(session, self)
        self.title_edit = self.form.title_edit
        self.description_edit = self.form.description_edit
        self.undo_stack = self.form.undo_stack
        self.tabs = OrderTabs(self.form, self)
        self.hops, self.assists = self.tabs.hops, self.tabs.assists
        self.timeline, self.attachments = self.tabs.timeline, self.tabs.attachments
        self.attachments.attachment_did_activate.connect(self.preview)
        self.action_bar = ActionBar(self)
        self.action_bar.action_did_trigger.connect(self.start_action)
        self.form.caller_reveal_did_request.connect(self.ask_reveal)
        self.tabs.marks.move_did_confirm.connect(self.run)

        self.side = side = QScrollArea(self)
        side.setWidget(self.action_bar)
        side.setWidgetResizable(True)
        side.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.split = split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(self.tabs)
        split.addWidget(side)
        split.setStretchFactor(0, 1)
        split.setSizes([940, 320])

        self.undo_button = QPushButton(self.tr("Undo"), self)
        self.undo_button.setToolTip(self.tr("Undo the last field change (Ctrl+Z)"))
        self.undo_button.clicked.connect(self.undo_stack.undo)
        self.undo_stack.canUndoChanged.connect(self.undo_button.setEnabled)
        self.revert_button = QPushButton(self.tr("Revert all"), self)
        self.revert_button.setToolTip(self.tr("Put back every field as it was read"))
        self.revert_button.clicked.connect(self.form.revert_all)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close, self
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(self.tr("Save"))
        self.save_button.setToolTip(self.tr("Save the changed fields (Ctrl+S)"))
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("Close"))
        self.reload_button = QPushButton(self.tr("Reload"), self)
        self.reload_button.setToolTip(self.tr("Read the order again, keeping your edits (F5)"))
        self.buttons.addButton(self.reload_button, QDialogButtonBox.ButtonRole.ResetRole)
        self.save_button.clicked.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.reload_button.clicked.connect(self.reload_keeping_edits)
        self.fresh_label = QLabel(self)
        self.fresh_label.setProperty("role", "muted")
        for button in (self.undo_button, self.revert_button, self.reload_button):
            button.setAutoDefault(False)
        self._shortcuts()

        bottom = QHBoxLayout()
        bottom.addWidget(self.undo_button)
        bottom.addWidget(self.revert_button)
        bottom.addWidget(self.fresh_label, 1)
        bottom.addWidget(self.buttons)
        layout = QVBoxLayout(self)
        for w in (self.lock_banner, self.changed_banner, self.error_label):
            layout.addWidget(w)
        layout.addWidget(self.heading)
        layout.addWidget(self.subheading)
        layout.addWidget(self.readonly_note)
        layout.addWidget(split, 1)
        layout.addLayout(bottom)
        self._set_enabled(False)

        self.lock = EditLock(self.lock_banner, session, lanes, order_id, workstation)
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

    def _shortcuts(self) -> None:
        undo = self.undo_stack.createUndoAction(self, self.tr("Undo"))
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        redo = self.undo_stack.createRedoAction(self, self.tr("Redo"))
        redo.setShortcut(QKeySequence.StandardKey.Redo)
        save = QAction(self.tr("Save"), self)
        save.setShortcut(QKeySequence.StandardKey.Save)
        save.triggered.connect(self.save)
        reload = QAction(self.tr("Reload"), self)
        reload.setShortcut(QKeySequence.StandardKey.Refresh)
        reload.triggered.connect(self.reload_keeping_edits)
        self.addActions([undo, redo, save, reload])
        self.form.install_undo_keys()

    def _set_enabled(self, enabled: bool) -> None:
        editable = enabled and self.base is not None and self.base.editable
        self.form.set_editable(editable)
        self.save_button.setEnabled(editable)
        self.reload_button.setEnabled(enabled)
        self.revert_button.setEnabled(editable)
        self.undo_button.setEnabled(editable and self.undo_stack.canUndo())
        self.action_bar.setEnabled(enabled)

    def unit_name(self, unit_id: int) -> str:
        unit = self.base.ref.org.find(unit_id) if self.base else None
        return unit.name if unit is not None else str(unit_id)

    # --- the form's values -----------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        return self.form.values()

    def edits(self) -> dict[str, Any]:
        """The fields this user changed since the version the editor read (form values)."""
        if self.base is None:
            return {}
        now = self.values()
        return {k: v for k, v in now.items() if v != self.base.values.get(k)}

    # --- loading ---------------------------------------------------------------------------

    @async_slot()
    async def load(self) -> None:
        snap = await self._read()
        if snap is None:
            return
        self._apply(snap, keep={})
        self.undo_stack.clear()
        self.lock.show(snap.lock)
        if snap.editable:
            self.lock.keep()
            self.title_edit.setFocus()

    def _apply(self, snap: Snapshot, keep: dict[str, Any]) -> None:
        """Show ``snap``; fields in ``keep`` (this user's unsaved edits) keep their values."""
        self.base = snap
        o = snap.agg.order
        self.form.show_order(snap.agg, snap.ref, {**snap.values, **keep}, snap.values)
        self.setWindowTitle(self.tr("Order {number}").format(number=snap.number))
        self.heading.setText(f"{snap.number}  {o.title}")
        lead = self.unit_name(o.lead_unit_id) if o.lead_unit_id is not None else "—"
        self.subheading.setText(
            self.tr("{state} · handled by {lead} · centre {centre} · version {version}").format(
                state=labels.state(o.state),
                lead=lead,
                centre=self.unit_name(o.centre_unit_id),
                version=o.version,
            )
        )
        if snap.editable:
            self.readonly_note.hide()
        else:
            edit = next(a for a in snap.actions if a.code == Op.EDIT)
            why = self.action_bar.words.why_text(edit, self.unit_name)
            self.readonly_note.setText(self.tr("Read only: {why}").format(why=why))
            self.readonly_note.show()
        tz = self.session.tz
        self.hops.set_hops(snap.agg.hops, self.unit_name, tz)
        self.assists.set_hops(snap.agg.hops, self.unit_name, tz)
        self.timeline.set_entries(snap.entries, tz)
        self.attachments.set_rows(snap.attachments)
        self.tabs.marks.set_marks(snap.marks, snap.ref.org, tz)
        self.action_bar.set_actions([a for a in snap.actions if a.code != Op.EDIT], self.unit_name)
        self._fit_side()
        self._set_enabled(True)
        images = [r.id for r in snap.attachments if r.is_image]
        if images:
            self.load_thumbnails(images)

    def _fit_side(self) -> None:
        """The action column as wide as its widest row of buttons: never clipped."""
        for w in [*self.action_bar.findChildren(QWidget), self.action_bar]:
            w.ensurePolished()
            if (layout := w.layout()) is not None:
                layout.invalidate()
                layout.activate()
        bar = self.side.verticalScrollBar().sizeHint().width()
        need = self.action_bar.minimumSizeHint().width() + bar + 2 * self.side.frameWidth()
        self.side.setMinimumWidth(need)

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

    @async_slot(object)
    async def load_thumbnails(self, ids: list[int]) -> None:
        try:
            found = await self.lanes.background(thumbnails, self.session, self.order_id, ids)
        except Exception as exc:
            if not errors.is_connection_error(exc):
                raise
            return
        for att_id, image in found.items():
            self.attachments.set_thumbnail(att_id, image)

    @async_slot(int)
    async def preview(self, att_id: int) -> None:
        row = self.attachments.rows.get(att_id)
        if row is None or not row.is_image:
            return
        image = await self.lanes.background(full_image, self.session, self.order_id, att_id)
        if image.isNull():
            return
        self.image_preview = ImagePreview(image, row.filename, self)
        self.image_preview.open()

    # --- other people's changes ------------------------------------------------------------

    @async_slot(object)
    async def _changes_arrived(self, changes: Changes) -> None:
        """Live: with nothing typed the editor simply shows the new state; with edits under
        way it says so and keeps them. Events the editor's own read already included (the
        hub may deliver them just after it opened) change nothing."""
        if self.order_id not in changes.not_from(self) or self.base is None:
            return
        try:
            version = await self.lanes.background(current_version, self.session, self.order_id)
        except Exception as exc:
            if not errors.is_connection_error(exc):
                raise
            return
        if self.base is None or version is None or version <= self.base.version:
            return
        if not self.edits():
            await self._reload(keep_edits=True)
            return
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
        theme.repolish(self.fresh_label)

    # --- saving ----------------------------------------------------------------------------

    @async_slot()
    async def save(self) -> None:
        if self.base is None or not self.base.editable:
            return
        mine = self.edits()
        if not mine:
            return
        try:
            changes = self.form.changes(mine, self.base)
        except ValidationError as exc:
            self._field_errors(exc)
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
            await self._stale(mine)
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
        self.order_did_change.emit(result)
        await self._reload(keep_edits=False)

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
        lines = [
            f"{labels.order_field(e.field)}: {labels.field_error(e.code, e.params)}"
            for e in exc.errors
        ]
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
        self._apply(current, keep=self.edits())
        self.lock.show(current.lock)
        self.changed_banner.hide()

    async def _reload(self, keep_edits: bool) -> None:
        current = await self._read()
        if current is None:
            return
        if keep_edits:
            self._rebase(current)
        else:
            self._apply(current, keep={})
            self.undo_stack.clear()
            self.lock.show(current.lock)
            self.changed_banner.hide()

    @async_slot()
    async def reload_keeping_edits(self) -> None:
        await self._reload(keep_edits=True)

    # --- actions ---------------------------------------------------------------------------

    def start_action(self, action: Action) -> None:
        """Run ``action``, asking first for what it needs (reason, unit, result …)."""
        if self.base is None or not action.enabled:
            return
        if action.code not in SPECS:
            self.run(action, {})
            return
        if action.code == Op.VISIT:  # the number to dial, the attempts, the policy's effect
            policy = self.base.ref.policy.version_at(self.session.store.clock.now())
            o = self.base.agg.order
            case = VisitCase(
                o.number, o.caller_shown, o.phone_masked, o.visit_attempts, o.result_text
            )
            self.visit_dialog = visit = VisitDialog(
                case, policy, self.lanes, self.session, self.order_id, self
            )
            visit.accepted.connect(lambda: self.run(action, visit.values()))
            visit.open()
            return
        units, assists = [], []
        if SPECS[action.code].unit:
            args = (self.base.ref.org, self.base.agg, self.session.actor, action.code)
            units = targets(*args, action.hop_id)
            if action.code == Op.DISPATCH:
                assists = targets(*args, None, assist=True)
        dialog = ActionDialog(action, units, assists, self)
        near = on_the_way(self.base.ref.org, self.base.agg, units)
        if dialog.unit_box is not None and near is not None:
            dialog.unit_box.setCurrentIndex(dialog.unit_box.findData(near.id))
        self.action_dialog = dialog
        dialog.accepted.connect(lambda: self.run(action, dialog.values()))
        dialog.open()

    @async_slot(object, object)
    async def run(self, action: Action | Move, args: dict[str, Any]) -> None:
        if self.base is None:
            return
        if not self.hub.online:
            self._refuse(None)
            return
        self.error_label.hide()
        self._set_enabled(False)
        try:
            result: OpResult = await self.lanes.interactive(
                run_action, self.session, self.order_id, action, dict(args), self.base.version
            )
        except StaleVersion:
            await self._reload(keep_edits=True)
            self.error_label.setText(
                self.tr(
                    "Someone else changed this order first, so nothing was done. "
                    "It has been reloaded: check it and try again."
                )
            )
            self.error_label.show()
            return
        except ValidationError as exc:
            self._set_enabled(True)
            self._field_errors(exc)
            return
        except CoreError as exc:
            self._set_enabled(True)
            self.error_label.setText(errors.describe(exc))
            self.error_label.show()
            return
        except Exception as exc:
            self._set_enabled(True)
            if not errors.is_connection_error(exc):
                raise
            self._refuse(exc)
            return
        self.hub.note_own(result.event_ids, self)
        self.order_did_change.emit(result)
        await self._reload(keep_edits=True)

    # --- callers' numbers -------------------------------------------------------------------

    def ask_reveal(self, caller_id: object) -> None:
        dialog = ReasonDialog(self)
        self.reason_dialog = dialog
        dialog.accepted.connect(lambda: self.reveal(caller_id, dialog.reason()))
        dialog.open()

    @async_slot(object, str)
    async def reveal(self, caller_id: int | None, reason: str) -> None:
        try:
            number = await self.lanes.interactive(
                reveal, self.session, self.order_id, reason, caller_id
            )
        except CoreError as exc:
            self.error_label.setText(errors.describe(exc))
            self.error_label.show()
            return
        self.form.show_number(caller_id, number or "")

    # --- closing ---------------------------------------------------------------------------

    def done(self, result: int) -> None:
        if not self._closed:
            self._closed = True
            self.lock.close(taken=self.base is not None and self.base.lock.taken)
            self.hub.changes_did_arrive.disconnect(self._changes_arrived)
            self.hub.link_did_change.disconnect(self._link_changed)
            self.tasks.cancel_all()
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.done(QDialog.DialogCode.Rejected)
        super().closeEvent(event)
