"""The hotline intake form (制单): a call taken and dispatched without the mouse.

The officer types the number, the name, a few letters of the category, the request type
(one digit), what the caller says and the address; Ctrl+Enter registers the order and
dispatches it to the suggested unit. While they type, the right-hand side fills in: the
caller's earlier orders (and the repeat-call mark), where the order should go and why,
and open orders it may duplicate, one key away from adding this caller to them instead.

Every lookup runs on the background lane and every save on the interactive one; a
lookup that lands after the fields moved on is dropped. Core refuses bad input field by
field, and each refusal shows under its own field; nothing typed is lost, and a save the
database cannot take (connection lost) keeps the form as it is, under a banner.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from core.addresses import AddressMatch
from core.category_search import CategoryIndex
from core.duplicates import Duplicate
from core.errors import CoreError, ValidationError
from core.routing import Suggestion
from core.service import OpResult
from core.stream import Link, LinkState
from core.taxonomy import Category
from core.workflow.intake import OrderDraft
from desktop import errors
from desktop.feed import Session
from desktop.hub import ChangeHub, Changes
from desktop.lanes import Lanes, TaskOwner, async_slot
from desktop.widgets import intake_data as data
from desktop.widgets.intake_fields import IntakeFields
from desktop.widgets.location_box import Place
from desktop.widgets.map_picker import MapPicker

PHONE_DELAY_MS = 250
DUPLICATE_DELAY_MS = 400


class IntakeForm(IntakeFields):
    order_did_register = Signal(object)  # core.service.OpResult of the registration
    call_did_finish = Signal(str)  # the confirmation shown after a save or a merge
    lookup_did_finish = Signal(str)  # "index", "history", "addresses", "place", …

    def __init__(
        self, session: Session, lanes: Lanes, hub: ChangeHub, parent: QWidget | None = None
    ) -> None:
        super().__init__(session, parent)
        self.tasks = TaskOwner()
        self.session = session
        self.lanes = lanes
        self.hub = hub
        self.index: CategoryIndex | None = None
        self.place: Place | None = None
        self.saved: data.SaveOutcome | None = None  # registered, but a later step failed
        self._busy = False
        self._closed = False
        self._seq: dict[str, int] = {}
        self._suggesting: asyncio.Task[Any] | None = None
        self._map: tuple[list[Any], dict[int, str]] | None = None
        self.confirm_box: QMessageBox | None = None
        self.map_dialog: MapPicker | None = None

        self._phone_timer = self._timer(PHONE_DELAY_MS, self._lookup_history)
        self._duplicate_timer = self._timer(DUPLICATE_DELAY_MS, self._lookup_duplicates)
        self.phone_edit.textEdited.connect(lambda _t: self._phone_timer.start())
        self.name_edit.textEdited.connect(lambda _t: self.hide_note("caller_name"))
        self.category_box.category_did_change.connect(self._category_changed)
        self.type_bar.choice_did_change.connect(lambda _c: self.hide_note("request_type"))
        self.description_edit.textChanged.connect(self._duplicate_timer.start)
        self.location_box.text_did_settle.connect(self._lookup_addresses)
        self.location_box.address_did_pick.connect(self._address_picked)
        self.location_box.place_did_clear.connect(lambda: self._set_place(None))
        self.location_box.map_was_asked.connect(self.pick_on_map)
        self.duplicate_panel.merge_was_asked.connect(self.merge_into)
        self.dispatch_button.clicked.connect(self.save_and_dispatch)
        self.save_button.clicked.connect(self.save_only)
        self.answer_button.clicked.connect(self.answer_on_spot)
        self.new_button.clicked.connect(self.new_call)
        self._shortcuts()
        self.setAcceptDrops(True)
        hub.link_did_change.connect(self._link_changed)
        hub.changes_did_arrive.connect(self._changes_arrived)
        self._link_changed(hub.link)
        self.phone_edit.setFocus()
        self._load_index()

    def _timer(self, ms: int, slot: Any) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(ms)
        timer.timeout.connect(slot)
        return timer

    def _shortcuts(self) -> None:
        keys: list[tuple[str, Any]] = [
            ("Ctrl+Return", self.save_and_dispatch),
            ("Ctrl+Enter", self.save_and_dispatch),
            ("Ctrl+S", self.save_only),
            ("Ctrl+R", self.answer_on_spot),
            ("Ctrl+N", self.new_call),
            ("Ctrl+G", self.pick_on_map),
            ("Ctrl+O", self.attachments.choose),
            ("Ctrl+M", lambda: self.merge_into(self.duplicate_panel.current())),
        ]
        for i in range(4):
            keys.append((f"Alt+{i + 1}", lambda i=i: self.suggestion_panel.choose(i)))
        # Ctrl+digits belong to the main window (its pages): candidates are stepped instead.
        keys.append(("Ctrl+Down", lambda: self.duplicate_panel.step(1)))
        keys.append(("Ctrl+Up", lambda: self.duplicate_panel.step(-1)))
        for sequence, slot in keys:
            shortcut = QShortcut(QKeySequence(sequence), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

    # --- lookups (background lane) ---------------------------------------------------------

    def _next(self, what: str) -> int:
        self._seq[what] = self._seq.get(what, 0) + 1
        return self._seq[what]

    def _current(self, what: str, seq: int) -> bool:
        return not self._closed and self._seq.get(what) == seq

    async def _read(self, what: str, fn: Any, *args: Any, **kw: Any) -> tuple[bool, Any]:
        """(still wanted, result) of one lookup; a lost connection shows the banner."""
        seq = self._next(what)
        try:
            result = await self.lanes.background(fn, self.session, *args, **kw)
        except Exception as exc:
            if not errors.is_connection_error(exc):
                raise
            self._show_banner(exc)
            return False, None
        return self._current(what, seq), result

    def _landed(self, what: str) -> None:
        self.lookup_did_finish.emit(what)

    @async_slot()
    async def _load_index(self) -> None:
        fresh, index = await self._read("index", data.category_index)
        if fresh:
            self.index = index
            self.category_box.set_index(index)
            self._landed("index")

    @async_slot()
    async def _lookup_history(self) -> None:
        text = self.phone_edit.text()
        self.hide_note("phone")
        fresh, history = await self._read("history", data.caller_history, text)
        if fresh:
            self.caller_panel.show_history(history, typed=bool(text.strip()))
            self._landed("history")

    @async_slot(str)
    async def _lookup_addresses(self, text: str) -> None:
        fresh, matches = await self._read("addresses", data.find_addresses, text)
        if fresh:
            self.location_box.set_matches(matches)
            self._landed("addresses")

    def _address_picked(self, match: AddressMatch) -> None:
        self.hide_note("address")
        self._resolve_place(match.unit_id, match.lon, match.lat, False)

    @async_slot(int, float, float, bool)
    async def _resolve_place(self, unit_id: int, lon: float, lat: float, from_map: bool) -> None:
        fresh, place = await self._read("place", data.place_of, unit_id, lon, lat, from_map)
        if fresh:
            self._set_place(place)
            self._landed("place")

    def _set_place(self, place: Place | None) -> None:
        self.place = place
        self.location_box.show_place(place)
        self._refresh_suggestions()
        self._duplicate_timer.start()

    def _category_changed(self, category: Category | None) -> None:
        self.hide_note("category_node_id")
        dispute = category is not None and category.is_dispute
        self.dispute_box.setVisible(dispute)
        self._refresh_suggestions()
        self._duplicate_timer.start()

    def _refresh_suggestions(self) -> None:
        self._suggesting = self._suggest()

    @property
    def suggesting(self) -> bool:
        """Suggestions for the current category and place are still on their way."""
        return self._suggesting is not None and not self._suggesting.done()

    @async_slot()
    async def _suggest(self) -> None:
        category = self.category_box.category
        if category is None:
            self._next("suggestions")
            self.suggestion_panel.set_suggestions([])
            return
        location = self.place.unit_id if self.place else self.session.actor.unit_id
        fresh, found = await self._read("suggestions", data.suggestions, category, location)
        if fresh:
            note = self.tr("No unit to suggest: dispatch from the order list.")
            self.suggestion_panel.set_suggestions(found, note)
            self._landed("suggestions")

    @async_slot()
    async def _lookup_duplicates(self) -> None:
        category = self.category_box.category
        text = self.description_edit.toPlainText().strip()
        if category is None and self.place is None:
            self._next("duplicates")
            self.duplicate_panel.set_candidates([])
            return
        fresh, found = await self._read(
            "duplicates",
            data.possible_duplicates,
            location_unit_id=self.place.unit_id if self.place else None,
            lon=self.place.lon if self.place else None,
            lat=self.place.lat if self.place else None,
            category_node_id=category.node_id if category else None,
            text=f"{self.title_edit.text()} {text}",
        )
        if fresh:
            self.duplicate_panel.set_candidates(found, searched=True)
            self._landed("duplicates")

    def _changes_arrived(self, changes: Changes) -> None:
        """Another workstation registered or closed something: the candidates may differ."""
        if changes.not_from(self) and self.has_input():
            self._duplicate_timer.start()

    # --- the map ---------------------------------------------------------------------------

    @async_slot()
    async def pick_on_map(self) -> None:
        if self.map_dialog is not None:
            return
        if self._map is None:
            fresh, found = await self._read("map", data.map_shapes)
            if not fresh:
                return
            self._map = found
        shapes, names = self._map
        org = self.session.store.reference().org
        start = (self.place.lon, self.place.lat) if self.place and self.place.lon else None
        dialog = MapPicker(shapes, org.grid_index.locate, names, start, self)  # type: ignore[arg-type]
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.finished.connect(lambda code: self._map_closed(dialog, code))
        self.map_dialog = dialog
        dialog.open()
        dialog.setFocus()

    def _map_closed(self, dialog: MapPicker, code: int) -> None:
        self.map_dialog = None
        if code == MapPicker.DialogCode.Accepted and dialog.point and dialog.unit_id:
            lon, lat = dialog.point
            self._resolve_place(dialog.unit_id, lon, lat, True)
        self.window().activateWindow()
        self.location_box.line.setFocus()

    # --- the draft -------------------------------------------------------------------------

    def draft(self, answer: str | None = None) -> OrderDraft:
        return self.fields_draft(self.place, answer)

    def has_input(self) -> bool:
        return self.typed_anything() or self.saved is not None

    # --- saving (interactive lane) ---------------------------------------------------------

    def save_and_dispatch(self) -> None:
        self.tasks.spawn(self._save("dispatch"))

    def save_only(self) -> None:
        self.tasks.spawn(self._save("save"))

    def answer_on_spot(self) -> None:
        """The first press opens the answer box; with an answer typed, it saves."""
        if not self.answer_row.isVisible() or not self.answer_edit.toPlainText().strip():
            self.show_answer()
            self.answer_edit.setFocus()
            return
        self.tasks.spawn(self._save("answer"))

    async def _save(self, mode: str) -> None:
        if self._busy or self.map_dialog is not None:
            return
        if not self.hub.online:
            self._show_banner(None)
            return
        if mode == "dispatch" and self._suggesting is not None and self.suggesting:
            await asyncio.wait([self._suggesting])
        target = self.suggestion_panel.target() if mode == "dispatch" else None
        answer = self.answer_edit.toPlainText().strip() if mode == "answer" else None
        self.clear_notes()
        self._set_busy(True)
        try:
            if self.saved is not None:
                outcome = await self.lanes.interactive(
                    data.finish_call,
                    self.session,
                    self.saved,
                    target.unit_id if target else None,
                    list(self.saved.unattached),
                    answer,
                )
            else:
                outcome = await self.lanes.interactive(
                    data.register_call,
                    self.session,
                    self.draft(answer),
                    target.unit_id if target else None,
                    list(self.attachments.pending),
                )
        except ValidationError as exc:
            self.show_errors(exc.errors)
            return
        except Exception as exc:
            if not errors.is_connection_error(exc):
                raise
            self._show_banner(exc)
            return
        finally:
            self._set_busy(False)
        first = self.saved is None
        for result in outcome.results:
            self.hub.note_own(result.event_ids, self)
        self.banner.hide()
        if first:
            self.order_did_register.emit(outcome.registered)
        self._conclude(outcome, target)

    def _conclude(self, out: data.SaveOutcome, target: Suggestion | None) -> None:
        attached = ""
        if out.attached:
            attached = " " + self.tr("{n} file(s) attached.").format(n=len(out.attached))
        refused = ""
        if out.refused:
            refused = " " + self.tr("Not attached: {files}.").format(
                files="; ".join(r.text() for r in out.refused)
            )
        if out.failure is not None:
            self.saved = out
            self.set_fields_locked(True)
            why = errors.describe(out.failure)
            if isinstance(out.failure, ValidationError):
                self.show_errors(out.failure.errors)
                why = "; ".join(self.error_text(e) for e in out.failure.errors)
            self.notice_warning(
                self.tr(
                    "Order {number} is registered, but the next step failed: {why} "
                    "Ctrl+Enter tries again; Ctrl+N leaves it awaiting dispatch."
                ).format(number=out.number, why=why)
                + refused
            )
            if not isinstance(out.failure, CoreError) and not errors.is_connection_error(
                out.failure
            ):
                errors.report(out.failure)
            return
        if out.answered:
            text = self.tr("Order {number} answered on the spot and closed.")
        elif out.dispatched_to is not None and target is not None:
            text = self.tr("Order {number} registered and dispatched to {unit}.")
        else:
            text = self.tr("Order {number} registered; it awaits dispatch.")
        text = text.format(number=out.number, unit=target.unit_name if target else "")
        self._finish_call(text + attached + refused, warn=bool(out.refused))

    def _finish_call(self, text: str, warn: bool = False) -> None:
        self.clear_form()
        if warn:
            self.notice_warning(text)
        else:
            self.notice_ok(text)
        self.call_did_finish.emit(text)

    # --- merging into a duplicate -----------------------------------------------------------

    def merge_into(self, dup: Duplicate | None) -> None:
        if dup is not None:
            self.tasks.spawn(self._merge(dup))

    async def _merge(self, dup: Duplicate) -> None:
        if self._busy:
            return
        if not self.hub.online:
            self._show_banner(None)
            return
        self.clear_notes()
        self._set_busy(True)
        saved = self.saved
        try:
            if saved is not None:
                results: list[OpResult] = [
                    await self.lanes.interactive(
                        data.merge, self.session, saved.order_id, dup.order_id
                    )
                ]
            else:
                said = self.description_edit.toPlainText().strip()
                note = (
                    self.tr("Another call on this matter ({caller}): {text}").format(
                        caller=self.name_edit.text().strip() or self.tr("caller"), text=said
                    )
                    if said
                    else None
                )
                results = await self.lanes.interactive(
                    data.add_caller,
                    self.session,
                    dup.order_id,
                    self.name_edit.text() or None,
                    self.phone_edit.text() or None,
                    note,
                )
        except ValidationError as exc:
            self.show_errors(exc.errors)
            return
        except CoreError as exc:
            self.show_general(errors.describe(exc))
            return
        except Exception as exc:
            if not errors.is_connection_error(exc):
                raise
            self._show_banner(exc)
            return
        finally:
            self._set_busy(False)
        for result in results:
            self.hub.note_own(result.event_ids, self)
        self.banner.hide()
        if saved is not None:
            text = self.tr(
                "Order {source} merged into order {number}: its callers and history are kept there."
            ).format(source=saved.number, number=dup.number)
        else:
            text = self.tr(
                "Caller added to order {number} ({title}); no new order was registered."
            ).format(number=dup.number, title=dup.title)
        self._finish_call(text)

    # --- errors ----------------------------------------------------------------------------

    def _show_banner(self, exc: BaseException | None) -> None:
        text = self.tr(
            "The database cannot be reached, so nothing was saved. Your entries are kept in "
            "this form: save again when the connection is back."
        )
        if exc is not None:
            text += "\n" + errors.describe(exc)
        self.banner.setText(text)
        self.banner.show()

    def _link_changed(self, link: Link) -> None:
        if link.state is LinkState.DOWN:
            self.banner.setText(
                self.tr("Disconnected from the database: saving is not possible now.")
            )
            self.banner.show()
        elif not self._busy:
            self.banner.hide()

    # --- clearing --------------------------------------------------------------------------

    def new_call(self) -> None:
        """Ctrl+N: clear for the next call; asks first only when something was typed."""
        if self.confirm_box is not None:
            return
        if not self.has_input():
            self.clear_form()
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("New call"),
            self.tr("Discard what was typed for this call?"),
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setDefaultButton(QMessageBox.StandardButton.Discard)
        box.button(QMessageBox.StandardButton.Discard).setText(self.tr("Discard"))
        box.button(QMessageBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        box.finished.connect(self._confirmed)
        self.confirm_box = box
        box.open()

    def _confirmed(self, _code: int) -> None:
        box, self.confirm_box = self.confirm_box, None
        if box is not None and box.result() == QMessageBox.StandardButton.Discard:
            self.clear_form()
            self.notice.hide()
        else:
            self.phone_edit.setFocus()

    def clear_form(self) -> None:
        for what in ("history", "addresses", "place", "suggestions", "duplicates"):
            self._next(what)  # whatever is still on its way is no longer wanted
        self._phone_timer.stop()
        self._duplicate_timer.stop()
        self.saved = None
        self.place = None
        self.set_fields_locked(False)
        self.reset_fields()
        self.caller_panel.show_history(None)
        self.suggestion_panel.set_suggestions([])
        self.duplicate_panel.set_candidates([])
        self.clear_notes()
        self.phone_edit.setFocus()

    # --- drag and drop ---------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        self.attachments.add_paths(paths)
        event.acceptProposedAction()

    def take_focus(self) -> None:
        """The page is shown: the cursor goes back where the officer left it, or to the
        caller's number for a new call."""
        inside = self.focusWidget()
        if inside is not None and inside is not self and self.isAncestorOf(inside):
            inside.setFocus()
        else:
            self.phone_edit.setFocus()

    # --- closing ---------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shut_down()
        super().closeEvent(event)

    def shut_down(self) -> None:
        """Stop timers and tasks, and let go of the hub (also for a page that is dropped)."""
        if self._closed:
            return
        self._closed = True
        self._phone_timer.stop()
        self._duplicate_timer.stop()
        self.stop_lines()
        self.hub.link_did_change.disconnect(self._link_changed)
        self.hub.changes_did_arrive.disconnect(self._changes_arrived)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.disconnect(self._focus_changed)
        for dialog in (self.confirm_box, self.map_dialog):
            if dialog is not None:
                dialog.close()
        self.tasks.cancel_all()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for button in (self.dispatch_button, self.save_button, self.answer_button):
            button.setEnabled(not busy)
