"""督办, the supervisor's page: who is late, notices, escalation suggestions, approvals.

- 临期/超期 by unit: the units accountable for warning and overdue orders (the holder;
  the centre while nobody holds it), with counts; a unit's orders below, a page at a
  time, with the notices so far and the suggestion of ``resources/supervision.toml``.
  Yellow and red notices (and the suggested one) go through ``OrderService.supervise``
  on every selected order, each in its own transaction as of the version shown.
- 审批: pause and extension requests awaiting a decision; approve or deny with a note.
- 申诉: ``desktop.widgets.supervision_appeals``: appeals against marks, upheld or dismissed.

Whether the user may act is ``core.actions``'s answer for the order under the cursor;
a disabled button says why in its tooltip. Reads run on the background lane, writes on
the interactive one; the page reloads on every change the hub reports.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QTabWidget, QVBoxLayout, QWidget

from core.actions import Action, Op, find
from core.domain.enums import SupervisionLevel
from core.errors import CoreError, ValidationError
from core.supervision import (
    Advice,
    LateOrder,
    PendingRequest,
    RequestKind,
    Rule,
    load_rule,
    supervision_scope,
)
from desktop import errors, labels, theme
from desktop.feed import Session
from desktop.hub import ChangeHub, Changes
from desktop.lanes import Lanes, Rerun, TaskOwner, async_slot
from desktop.views.order_actions import ActionWords
from desktop.widgets.supervision_appeals import build_appeals_tab
from desktop.widgets.supervision_data import (
    Notice,
    Outcome,
    Overview,
    decide_request,
    issue_notices,
    numbers_text,
    read_actions,
    read_late,
    read_overview,
)
from desktop.widgets.supervision_dialogs import TextDialog
from desktop.widgets.supervision_tabs import LateTab, RequestsTab
from desktop.widgets.table_view import RowTableView

LATE_TAB, REQUESTS_TAB, APPEALS_TAB = 0, 1, 2
TICK_MS = 120_000  # re-read every two minutes as well as on every change


class SupervisionPage(QWidget):
    order_did_open = Signal(int)
    rows_did_load = Signal(int)  # the overview is shown: how many units are listed
    action_did_finish = Signal(object)  # Outcome

    def __init__(
        self,
        session: Session,
        lanes: Lanes,
        hub: ChangeHub,
        *,
        page_size: int = 100,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.tasks = TaskOwner()
        self.session = session
        self.lanes = lanes
        self.hub = hub
        org = session.store.reference().org
        self.scope = supervision_scope(session.actor, org)
        self.words = ActionWords(self)
        self._closed = False
        self._rerun = Rerun(self._load)
        self._orders_rerun = Rerun(self._load_orders)
        self.shown_unit: int | None = None  # the unit whose orders are listed
        self.loaded = False
        self.dialog: TextDialog | None = None
        self._late_action: Action | None = None  # SUPERVISE on the order under the cursor
        self._decide_action: Action | None = None
        self.rule, self.rule_error = self._rule()

        def unit_name(unit_id: int) -> str:
            unit = org.find(unit_id)
            return unit.name if unit is not None else str(unit_id)

        self.unit_name = unit_name
        self.heading = QLabel(self.tr("Supervision"), self)
        self.heading.setProperty("role", "title")
        self.status = QLabel(self)
        self.status.setProperty("role", "muted")
        self.status.setWordWrap(True)
        self.error = QLabel(self.rule_error, self)
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        self.error.setVisible(bool(self.rule_error))
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)

        self.late = LateTab(session.tz, unit_name, page_size, self.tabs)
        self.unit_model, self.unit_table = self.late.unit_model, self.late.unit_table
        self.late_model, self.late_table = self.late.late_model, self.late.late_table
        self.unit_title, self.late_outcome = self.late.unit_title, self.late.outcome
        self.yellow_button, self.red_button = self.late.yellow_button, self.late.red_button
        self.apply_button, self.late_open = self.late.apply_button, self.late.open_button
        self.requests = RequestsTab(session.tz, unit_name, self.tabs)
        self.request_model, self.request_table = self.requests.model, self.requests.table
        self.approve_button = self.requests.approve_button
        self.deny_button = self.requests.deny_button
        self.request_open, self.request_outcome = self.requests.open_button, self.requests.outcome
        self.tabs.addTab(self.late, self.tr("Due soon and overdue"))
        self.tabs.addTab(self.requests, self.tr("Approvals"))
        self.appeals = build_appeals_tab(session, lanes, hub, self.tabs, self.tasks)
        self.appeals.order_did_open.connect(self.order_did_open)
        self.appeals.rows_did_load.connect(self._appeals_counted)
        self.tabs.addTab(self.appeals, self.tr("Appeals"))

        top = QHBoxLayout()
        top.addWidget(self.heading)
        top.addSpacing(16)
        top.addWidget(self.status, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 12)
        layout.setSpacing(6)
        layout.addLayout(top)
        layout.addWidget(self.error)
        layout.addWidget(self.tabs, 1)

        self._connect()
        self._build_actions()
        self._late_current_changed()
        self._request_current_changed()
        hub.changes_did_arrive.connect(self._changes_arrived)
        # Time moves orders into warning and overdue with no event when no service runs.
        self._tick = QTimer(self)
        self._tick.setInterval(TICK_MS)
        self._tick.timeout.connect(self.reload)
        self._tick.start()
        self.reload()

    def _rule(self) -> tuple[Rule, str]:
        """The escalation rule; a bad file is said on the page (by file and key)."""
        try:
            return load_rule(), ""
        except ValidationError as exc:
            where = "; ".join(str(e) for e in exc.errors)
            return Rule(), self.tr(
                "The escalation rule (resources/supervision.toml) is invalid; the built-in "
                "defaults are used until it is fixed: {errors}"
            ).format(errors=where)

    def _connect(self) -> None:
        self.unit_table.selectionModel().currentRowChanged.connect(
            lambda _c, _p: self._unit_changed()
        )
        self.late_table.selectionModel().currentRowChanged.connect(
            lambda _c, _p: self._late_current_changed()
        )
        self.late_table.selectionModel().selectionChanged.connect(lambda _s, _d: self._fit_apply())
        self.request_table.selectionModel().currentRowChanged.connect(
            lambda _c, _p: self._request_current_changed()
        )
        self.late_model.fetch_did_start.connect(self._fetch_page)
        self.yellow_button.clicked.connect(lambda: self.ask_notice(SupervisionLevel.YELLOW))
        self.red_button.clicked.connect(lambda: self.ask_notice(SupervisionLevel.RED))
        self.apply_button.clicked.connect(self.ask_apply)
        self.approve_button.clicked.connect(lambda: self.ask_decision(True))
        self.deny_button.clicked.connect(lambda: self.ask_decision(False))
        self.late_open.clicked.connect(lambda: self._open(self.late_table))
        self.request_open.clicked.connect(lambda: self._open(self.request_table))
        self.late_table.doubleClicked.connect(lambda _i: self._open(self.late_table))
        self.request_table.doubleClicked.connect(lambda _i: self._open(self.request_table))

    def _build_actions(self) -> None:
        for table in (self.late_table, self.request_table):
            act = QAction(self.tr("Open order"), table)
            act.setShortcuts([QKeySequence(Qt.Key.Key_Return), QKeySequence(Qt.Key.Key_Enter)])
            act.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            act.triggered.connect(lambda _c=False, t=table: self._open(t))
            table.addAction(act)
        # Alt+1..3: the tabs.
        for i in range(self.tabs.count()):
            act = QAction(self)
            act.setShortcut(QKeySequence(f"Alt+{i + 1}"))
            act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            act.triggered.connect(lambda _c=False, i=i: self.tabs.setCurrentIndex(i))
            self.addAction(act)

    def take_focus(self) -> None:
        table = self.request_table if self.tabs.currentIndex() == REQUESTS_TAB else None
        (table or self.unit_table).setFocus()

    # --- loading ----------------------------------------------------------------------------

    @async_slot()
    async def reload(self) -> None:
        await self._rerun()

    async def _load(self) -> None:
        try:
            got: Overview = await self.lanes.background(read_overview, self.session, self.scope)
        except Exception as exc:
            if not errors.is_connection_error(exc):
                raise
            self._show_error(errors.describe(exc))
            return
        if self._closed:
            return
        self._show_error("")
        unit = self.current_unit_id()
        request = self._current_request()
        self.unit_model.replace(got.loads)
        ids = self.unit_model.unit_ids()
        if ids:
            self.unit_table.selectRow(ids.index(unit) if unit in ids else 0)
        self.request_model.replace(got.requests)
        ids = self.request_model.ids()
        if ids:
            rid = request.id if request is not None else None
            self.request_table.selectRow(ids.index(rid) if rid in ids else 0)
        self._show_status(got)
        self.loaded = True
        await self._orders_rerun()
        if not self._closed:
            self._request_current_changed()
            self.rows_did_load.emit(self.unit_model.rowCount())

    def _show_status(self, got: Overview) -> None:
        overdue = sum(u.overdue for u in got.loads)
        warning = sum(u.warning for u in got.loads)
        at = got.now.astimezone(self.session.tz)
        self.status.setText(
            self.tr(
                "{overdue} overdue and {warning} due soon in {units} units · as of {time}"
            ).format(overdue=overdue, warning=warning, units=len(got.loads), time=f"{at:%H:%M}")
        )
        n = len(got.requests)
        self.tabs.setTabText(
            REQUESTS_TAB, self.tr("Approvals {n}").format(n=n) if n else self.tr("Approvals")
        )
        self.tabs.setTabText(
            LATE_TAB, self.tr("Due soon and overdue {n}").format(n=overdue + warning)
        )

    def current_unit_id(self) -> int | None:
        index = self.unit_table.currentIndex()
        if not index.isValid() or index.row() >= self.unit_model.rowCount():
            return None
        return self.unit_model.rows[index.row()].unit_id

    def _unit_changed(self) -> None:
        if self.loaded:
            self.tasks.spawn(self._orders_rerun())

    async def _load_orders(self) -> None:
        unit = self.current_unit_id()
        if unit is None:
            self.late_model.replace([], False)
            self.shown_unit = None
            self._show_unit_title()
            self._late_current_changed()
            return
        limit = max(self.late_model.rowCount(), self.late_model.page_size)
        selected = set(self._selected_late_ids())
        now = self._current_late()
        current = now.id if now is not None else None
        try:
            rows, more = await self.lanes.background(
                read_late, self.session, self.scope, self.rule, unit, 0, limit
            )
        except Exception as exc:
            if not errors.is_connection_error(exc):
                raise
            self._show_error(errors.describe(exc))
            return
        if self._closed:
            return
        if unit != self.current_unit_id():
            self._orders_rerun.again()  # the user moved on meanwhile
            return
        self.late_model.replace(rows, more)
        self.shown_unit = unit
        self._show_unit_title()
        self.late.reselect([r.id for r in rows], selected, current)
        self._late_current_changed()

    def _show_unit_title(self) -> None:
        unit = self.shown_unit
        if unit is None:
            self.unit_title.setText(self.tr("No unit has orders due soon or overdue."))
            return
        shown = self.late_model.rowCount()
        more = self.tr(" (scroll for more)") if self.late_model.has_more else ""
        self.unit_title.setText(
            self.tr(
                "{unit}: {n} orders shown{more}. Select several to notice them at once."
            ).format(unit=self.unit_name(unit), n=shown, more=more)
        )

    @async_slot(int, int)
    async def _fetch_page(self, offset: int, limit: int) -> None:
        unit = self.shown_unit
        if unit is None:
            self.late_model.fetch_did_fail()
            return
        try:
            rows, more = await self.lanes.background(
                read_late, self.session, self.scope, self.rule, unit, offset, limit
            )
        except Exception as exc:
            self.late_model.fetch_did_fail()
            if not errors.is_connection_error(exc):
                raise
            return
        if unit == self.shown_unit:
            self.late_model.append(offset, rows, more)
            self._show_unit_title()
        else:
            self.late_model.fetch_did_fail()

    @property
    def settled(self) -> bool:
        """What is shown answers the unit chosen, and nothing is under way (tests)."""
        return (
            self.loaded
            and self.tasks.pending == 0
            and not self._orders_rerun.running
            and self.shown_unit == self.current_unit_id()
        )

    def _changes_arrived(self, changes: Changes) -> None:
        if changes.order_ids:
            self.reload()

    # --- what the user may do -------------------------------------------------------------

    def selected_late(self) -> list[LateOrder]:
        rows = sorted(i.row() for i in self.late_table.selectionModel().selectedRows())
        return [self.late_model.row(r) for r in rows]

    def _selected_late_ids(self) -> list[int]:
        return [r.id for r in self.selected_late()]

    def _current_late(self) -> LateOrder | None:
        index = self.late_table.currentIndex()
        if not index.isValid() or index.row() >= self.late_model.rowCount():
            return None
        return self.late_model.row(index.row())

    def _current_request(self) -> PendingRequest | None:
        index = self.request_table.currentIndex()
        if not index.isValid() or index.row() >= self.request_model.rowCount():
            return None
        return self.request_model.rows[index.row()]

    def _late_current_changed(self) -> None:
        row = self._current_late()
        self._late_action = None
        self._fit_late(self.tr("Select an order first.") if row is None else self.tr("Checking…"))
        if row is not None:
            self.tasks.spawn(self._check_late(row.id))

    async def _check_late(self, order_id: int) -> None:
        acts = await self._actions(order_id, (Op.SUPERVISE,))
        row = self._current_late()
        if self._closed or row is None or row.id != order_id or acts is None:
            return
        self._late_action = find(acts, Op.SUPERVISE)[0]
        self._fit_late(self._why(self._late_action))

    async def _actions(self, order_id: int, ops: tuple[Op, ...]) -> list[Action] | None:
        try:
            return await self.lanes.background(read_actions, self.session, order_id, ops)
        except Exception as exc:  # the order went away, or the database is out of reach
            if not (isinstance(exc, CoreError) or errors.is_connection_error(exc)):
                raise
            self._show_error(errors.describe(exc))
            return None

    def _why(self, action: Action) -> str:
        return "" if action.enabled else self.words.why_text(action, self.unit_name)

    def _fit_late(self, why: str) -> None:
        may = self._late_action is not None and self._late_action.enabled
        for button in (self.yellow_button, self.red_button):
            button.setEnabled(may)
            button.setToolTip(why)
        self.late_open.setEnabled(self._current_late() is not None)
        self._fit_apply(why)

    def _fit_apply(self, why: str | None = None) -> None:
        may = self._late_action is not None and self._late_action.enabled
        if why is None:
            why = self._why(self._late_action) if self._late_action is not None else ""
        if may and not self._suggested():
            may, why = False, self.tr("No notice is suggested for the selected orders.")
        self.apply_button.setEnabled(may)
        self.apply_button.setToolTip(why)

    def _suggested(self) -> list[LateOrder]:
        return [r for r in self.selected_late() if r.suggestion.advice is not Advice.NONE]

    def _request_current_changed(self) -> None:
        req = self._current_request()
        self._decide_action = None
        self._fit_decide(
            self.tr("Select a request first.") if req is None else self.tr("Checking…")
        )
        self.request_open.setEnabled(req is not None)
        if req is not None:
            self.tasks.spawn(self._check_request(req))

    async def _check_request(self, req: PendingRequest) -> None:
        op = Op.DECIDE_PAUSE if req.kind is RequestKind.PAUSE else Op.DECIDE_EXTENSION
        acts = await self._actions(req.id, (op,))
        now = self._current_request()
        if self._closed or now is None or now.id != req.id or acts is None:
            return
        self._decide_action = find(acts, op)[0]
        self._fit_decide(self._why(self._decide_action))

    def _fit_decide(self, why: str) -> None:
        act = self._decide_action
        may = act is not None and act.enabled
        self.deny_button.setEnabled(may)
        self.deny_button.setToolTip(why)
        approvable = may and act is not None and act.detail.get("can_approve", True) is not False
        self.approve_button.setEnabled(approvable)
        cap = self.tr("The extension limit has been reached: only a denial is possible.")
        self.approve_button.setToolTip(why if not may else ("" if approvable else cap))

    def _open(self, table: RowTableView) -> None:
        index: QModelIndex = table.currentIndex()
        if not index.isValid():
            return
        if table is self.late_table:
            self.order_did_open.emit(self.late_model.row(index.row()).id)
        else:
            self.order_did_open.emit(self.request_model.rows[index.row()].id)

    # --- notices ----------------------------------------------------------------------------

    def ask_notice(self, level: SupervisionLevel) -> None:
        rows = self.selected_late()
        if not rows or not self.yellow_button.isEnabled():
            return
        notices = [Notice(r.id, r.version, r.number, level) for r in rows]
        title = labels.label(labels.SUPERVISION_LEVELS, level.value)
        summary = self.tr("{level} on {n} orders: {numbers}").format(
            level=title, n=len(rows), numbers=numbers_text(rows)
        )
        self._ask(title, summary, notices, "")

    def ask_apply(self) -> None:
        rows = self._suggested()
        if not rows or not self.apply_button.isEnabled():
            return
        notices = []
        for r in rows:
            level = r.suggestion.level
            assert level is not None
            notices.append(Notice(r.id, r.version, r.number, level, r.escalate_to))
        count = {a: sum(r.suggestion.advice is a for r in rows) for a in Advice}
        summary = self.tr(
            "Issue the suggested notice on {n} orders ({yellow} yellow, {red} red, "
            "{escalate} escalated to the unit above): {numbers}"
        ).format(
            n=len(rows),
            yellow=count[Advice.YELLOW],
            red=count[Advice.RED],
            escalate=count[Advice.ESCALATE],
            numbers=numbers_text(rows),
        )
        text = self.tr("The order is past or near its time limit: handle it and report back.")
        self._ask(self.tr("Apply the suggestion"), summary, notices, text)

    def _ask(self, title: str, summary: str, notices: list[Notice], text: str) -> None:
        if self.dialog is not None:
            return
        dialog = TextDialog(
            title,
            summary,
            self.tr("Issue"),
            text=text,
            placeholder=self.tr("What the unit must do, and by when"),
            parent=self,
        )
        dialog.accepted.connect(lambda: self.issue(notices, dialog.value()))
        dialog.finished.connect(lambda _code: self._dialog_done(dialog))
        self.dialog = dialog
        dialog.open()

    def _dialog_done(self, dialog: TextDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()

    @async_slot(object, str)
    async def issue(self, notices: list[Notice], text: str) -> None:
        outcome = await self._write(issue_notices, notices, text)
        self._show_outcome(self.late_outcome, outcome, self.tr("{n} notices issued."))
        self.action_did_finish.emit(outcome)

    async def _write(self, fn: Callable[..., Outcome], *args: Any) -> Outcome:
        buttons = (self.yellow_button, self.red_button, self.apply_button)
        for b in (*buttons, self.approve_button, self.deny_button):
            b.setEnabled(False)
        try:
            outcome: Outcome = await self.lanes.interactive(fn, self.session, *args)
        except Exception as exc:
            if not errors.is_connection_error(exc):
                raise
            outcome = Outcome(refused=[("", errors.describe(exc))])
        self.hub.note_own(outcome.event_ids, self)
        self._late_current_changed()
        self._request_current_changed()
        self.reload()
        return outcome

    def _show_outcome(self, label: QLabel, outcome: Outcome, done: str) -> None:
        """What a write did; refusals in the error colour, each with its order and why."""
        text = done.format(n=len(outcome.done))
        if outcome.refused:
            text += " " + self.tr("Refused: {list}").format(
                list="; ".join(f"{n} ({why})" if n else why for n, why in outcome.refused)
            )
        label.setText(text)
        label.setProperty("role", "error" if outcome.refused else None)
        theme.repolish(label)

    def _show_error(self, text: str) -> None:
        """A read failed (the database is out of reach): said above the tabs until the
        next read succeeds."""
        self.error.setText("\n".join(t for t in (self.rule_error, text) if t))
        self.error.setVisible(bool(self.error.text()))

    # --- approvals --------------------------------------------------------------------------

    def ask_decision(self, approve: bool) -> None:
        req = self._current_request()
        button = self.approve_button if approve else self.deny_button
        if req is None or not button.isEnabled() or self.dialog is not None:
            return
        kind = self.tr("pause") if req.kind is RequestKind.PAUSE else self.tr("extension")
        what = (
            self.tr("Approve the {kind} of {number}?")
            if approve
            else self.tr("Deny the {kind} of {number}?")
        )
        summary = what.format(kind=kind, number=req.number) + "\n" + req.reason
        dialog = TextDialog(
            self.tr("Approve") if approve else self.tr("Deny"),
            summary,
            self.tr("Approve") if approve else self.tr("Deny"),
            required=False,
            placeholder=self.tr("A note for the unit (optional)"),
            parent=self,
        )
        dialog.accepted.connect(lambda: self.decide(req, approve, dialog.value()))
        dialog.finished.connect(lambda _code: self._dialog_done(dialog))
        self.dialog = dialog
        dialog.open()

    @async_slot(object, bool, str)
    async def decide(self, req: PendingRequest, approve: bool, note: str) -> None:
        outcome = await self._write(decide_request, req, approve, note or None)
        done = self.tr("{n} approved.") if approve else self.tr("{n} denied.")
        self._show_outcome(self.request_outcome, outcome, done)
        self.action_did_finish.emit(outcome)

    # --- closing ----------------------------------------------------------------------------

    def _appeals_counted(self, n: int) -> None:
        index = self.tabs.indexOf(self.appeals)
        self.tabs.setTabText(index, self.tr("Appeals {n}").format(n=n) if n else self.tr("Appeals"))

    def close_page(self) -> None:
        """The window closes: stop listening and cancel what is running."""
        if self._closed:
            return
        self._closed = True
        self._tick.stop()
        self.hub.changes_did_arrive.disconnect(self._changes_arrived)
        if self.dialog is not None:
            self.dialog.close()
        self.appeals.close_page()
        self.tasks.cancel_all()
