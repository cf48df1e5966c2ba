"""The dispatch panels: one tab per tier the user works at, one per queue, live counts.

The centre sees every tier's dispatch, acceptance, progress, review and visit queues; a
handling unit sees its own assignments and what it passed down (``core.queues``). The
warning and overdue filters run across the chosen queue. Every filter, search and sort
is a query (``core.queues.page``), one page at a time; nothing is sorted in Python.

Live: any change reported by the hub re-reads the counts and the rows loaded so far
(a queue is short, and an order moving between queues must leave one and join another).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QIcon, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QTabBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from core.domain.enums import Role
from core.queues import Queue, QueueCount, QueueQuery, QueueRow, Scope, Sla, counts, page
from core.storage.db import read_tx
from desktop import errors, labels
from desktop.feed import Session
from desktop.hub import ChangeHub, Changes
from desktop.lanes import Lanes, Rerun, TaskOwner, async_slot
from desktop.settings import AppSettings
from desktop.views.bulk_review import BulkReview, Outcome
from desktop.views.quick_visit import QuickVisit
from desktop.widgets.queue_table import SORTS, Col, QueueModel, QueueView, sla_icon
from desktop.widgets.queue_table import Sla as RowSla

TICK_MS = 30_000  # the countdowns move on twice a minute
SEARCH_DELAY_MS = 300
SETTINGS_KEY = "queues"


@dataclass(frozen=True)
class Page:
    rows: list[QueueRow]
    more: bool
    now: datetime


def read_page(session: Session, scope: Scope, query: QueueQuery, offset: int, limit: int) -> Page:
    store = session.store
    with read_tx(store.engine) as conn:
        now = store.clock.now()
        rows = page(
            conn,
            session.actor,
            store.reference().org,
            query,
            now,
            limit=limit + 1,
            offset=offset,
            scope=scope,
        )
    return Page(rows[:limit], len(rows) > limit, now)


def read_counts(session: Session, scope: Scope) -> dict[tuple[str, str], QueueCount]:
    store = session.store
    with read_tx(store.engine) as conn:
        got = counts(conn, session.actor, store.reference().org, store.clock.now(), scope=scope)
    return {(p.value, q.value): c for (p, q), c in got.items()}


class QueuesPage(QWidget):
    order_did_open = Signal(int)  # the user asked to open this order
    rows_did_load = Signal(int)

    def __init__(
        self,
        session: Session,
        lanes: Lanes,
        hub: ChangeHub,
        scope: Scope,
        settings: AppSettings,
        *,
        page_size: int = 100,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.tasks = TaskOwner()
        self.session = session
        self.lanes = lanes
        self.hub = hub
        self.scope = scope
        self.settings = settings
        self._counts: dict[tuple[str, str], QueueCount] = {}
        self._sort = (Col.DUE, Qt.SortOrder.AscendingOrder)
        self._rerun = Rerun(self._load)
        self._loaded_at = time.monotonic()
        self._closed = False
        self._outcome = ""  # the last bulk pass or visit, until the filters change
        self._keep_row = 0  # where the cursor was before the last visit
        self.shown: QueueQuery | None = None  # what the rows on screen answer

        self.panel_bar = QTabBar(self)
        self.panel_bar.setExpanding(False)
        self.panel_bar.setProperty("role", "panels")
        for panel in scope.panels:
            self.panel_bar.addTab(labels.label(labels.PANELS, panel.kind.value))
        self.queue_bar = QTabBar(self)
        self.queue_bar.setExpanding(False)
        self._queues = self._queues_for_scope()
        for queue in self._queues:
            self.queue_bar.addTab(labels.label(labels.QUEUES, queue.value))

        self.sla_group = QButtonGroup(self)
        self.sla_group.setExclusive(True)
        self.sla_buttons: dict[Sla, QToolButton] = {}
        shapes = {Sla.ALL: None, Sla.WARNING: RowSla.WARNING, Sla.OVERDUE: RowSla.OVERDUE}
        for sla, icon in shapes.items():
            button = QToolButton(self)
            button.setCheckable(True)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            if icon is not None:
                button.setIcon(sla_icon(icon))
            self.sla_group.addButton(button)
            self.sla_buttons[sla] = button
        self.sla_buttons[Sla.ALL].setChecked(True)
        self.search = QLineEdit(self)
        self.search.setClearButtonEnabled(True)
        self.search.setPlaceholderText(self.tr("Search number, title, address or caller (Ctrl+F)"))
        self.search.setMinimumWidth(320)
        self.summary = QLabel(self)
        self.summary.setProperty("role", "muted")

        self.model = QueueModel(session.tz, page_size, self)
        self.table = QueueView(self)
        self.table.setModel(self.model)
        header = self.table.horizontalHeader()
        header.setSortIndicator(Col.DUE, Qt.SortOrder.AscendingOrder)

        filters = QHBoxLayout()
        filters.setSpacing(6)
        for button in self.sla_buttons.values():
            filters.addWidget(button)
        filters.addSpacing(12)
        filters.addWidget(self.search, 1)
        filters.addWidget(self.summary)
        # A supervisor at a centre passes results in bulk from the review queue.
        self.bulk: BulkReview | None = None
        if scope.centre_units != () and session.actor.has(Role.SUPERVISOR):
            self.bulk = BulkReview(session, lanes, hub, self)
            self.bulk.button.clicked.connect(self.pass_selected)
            self.bulk.bulk_did_finish.connect(self._bulk_finished)
            filters.addWidget(self.bulk.button)
        # … and calls citizens back from the visit queue.
        self.visits: QuickVisit | None = None
        if scope.centre_units != () and session.actor.has(Role.SUPERVISOR):
            self.visits = QuickVisit(session, lanes, hub, self)
            self.visits.button.clicked.connect(self.visit_current)
            self.visits.visit_did_finish.connect(self._visit_finished)
            filters.addWidget(self.visits.button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 12)
        layout.setSpacing(6)
        layout.addWidget(self.panel_bar)
        layout.addWidget(self.queue_bar)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        self._restore()
        self._show_counts()
        self._fit_queue()

        self.panel_bar.currentChanged.connect(self._filters_changed)
        self.queue_bar.currentChanged.connect(self._filters_changed)
        self.sla_group.buttonClicked.connect(lambda _b: self._filters_changed())
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._filters_changed)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        header.sortIndicatorChanged.connect(self._sort_changed)
        self.model.fetch_did_start.connect(self._fetch_page)
        self.empty = QLabel(self.tr("Nothing waiting here."), self.table.viewport())
        self.empty.setProperty("role", "muted")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.hide()
        self.table.doubleClicked.connect(lambda _i: self.open_current())
        self._tick = QTimer(self)
        self._tick.setInterval(TICK_MS)
        self._tick.timeout.connect(self._tick_countdowns)
        self._tick.start()
        self._build_actions()
        hub.changes_did_arrive.connect(self._changes_arrived)
        self.reload()

    def _queues_for_scope(self) -> list[Queue]:
        if self.scope.centre_units == ():  # a handling unit only: visits are the centre's
            return [q for q in Queue if q is not Queue.VISIT]
        return list(Queue)

    def _build_actions(self) -> None:
        open_action = QAction(self.tr("Open order"), self)
        open_action.setShortcuts([QKeySequence(Qt.Key.Key_Return), QKeySequence(Qt.Key.Key_Enter)])
        open_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        open_action.triggered.connect(self.open_current)
        self.table.addAction(open_action)
        bulk = QAction(self.tr("Pass selected"), self)
        bulk.setShortcut(QKeySequence("Ctrl+Shift+P"))
        bulk.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        bulk.triggered.connect(self.pass_selected)
        self.addAction(bulk)
        visit = QAction(self.tr("Call back"), self)
        visit.setShortcut(QKeySequence("Ctrl+Shift+V"))
        visit.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        visit.triggered.connect(self.visit_current)
        self.addAction(visit)
        find = QAction(self.tr("Search"), self)
        find.setShortcut(QKeySequence.StandardKey.Find)
        find.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        find.triggered.connect(self._focus_search)
        self.addAction(find)
        # Alt+1..5: the queues; Ctrl+Alt+1..3: the panels (tiers).
        for i in range(len(self._queues)):
            act = QAction(self)
            act.setShortcut(QKeySequence(f"Alt+{i + 1}"))
            act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            act.triggered.connect(lambda _c=False, i=i: self.queue_bar.setCurrentIndex(i))
            self.addAction(act)
        for i in range(len(self.scope.panels)):
            act = QAction(self)
            act.setShortcut(QKeySequence(f"Ctrl+Alt+{i + 1}"))
            act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            act.triggered.connect(lambda _c=False, i=i: self.panel_bar.setCurrentIndex(i))
            self.addAction(act)

    def _focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    # --- what is asked for ----------------------------------------------------------------

    def query(self) -> QueueQuery | None:
        if not self.scope.panels:
            return None
        panel = self.scope.panels[max(0, self.panel_bar.currentIndex())]
        queue = self._queues[max(0, self.queue_bar.currentIndex())]
        sla = next(s for s, b in self.sla_buttons.items() if b.isChecked())
        col, order = self._sort
        return QueueQuery(
            panel,
            queue,
            sla,
            self.search.text().strip(),
            SORTS[col],
            order == Qt.SortOrder.DescendingOrder,
        )

    def _sort_changed(self, section: int, order: Qt.SortOrder) -> None:
        if section not in SORTS:  # not a column the database sorts by: put it back
            header = self.table.horizontalHeader()
            header.blockSignals(True)
            header.setSortIndicator(self._sort[0], self._sort[1])
            header.blockSignals(False)
            return
        self._sort = (Col(section), order)
        self._filters_changed()

    def _filters_changed(self) -> None:
        self._outcome = ""
        self._save()
        self._show_counts()
        self._fit_queue()
        self.reload()

    def _fit_queue(self) -> None:
        """The review queue shows each result, and lets a supervisor select many; the
        visit queue shows the result and whom to call back."""
        query = self.query()
        reviewing = query is not None and query.queue is Queue.REVIEW
        visiting = query is not None and query.queue is Queue.VISIT
        self.table.setColumnHidden(Col.RESULT, not (reviewing or visiting))
        self.table.setColumnHidden(Col.CALLER, not visiting)
        for col in (Col.URGENCY, Col.REGISTERED):  # room for the result and the caller
            self.table.setColumnHidden(col, visiting)
        many = reviewing and self.bulk is not None
        self.table.setSelectionMode(
            QAbstractItemView.SelectionMode.ExtendedSelection
            if many
            else QAbstractItemView.SelectionMode.SingleSelection
        )
        if self.bulk is not None:
            self.bulk.button.setVisible(many)
        if self.visits is not None:
            self.visits.button.setVisible(visiting)

    def pass_selected(self) -> None:
        if self.bulk is None or not self.bulk.button.isVisible():
            return
        rows = [self.model.row(i.row()) for i in self.table.selectionModel().selectedRows()]
        # A town's review queue also lists its villages' answers, which the town checks
        # before they reach the centre: those are not this supervisor's to pass.
        mine = [r for r in rows if r.state == "pending_review"]
        self.bulk.ask([(r.id, r.version, r.number) for r in mine], len(rows) - len(mine))

    def visit_current(self) -> None:
        """The visit dialog for the row the cursor is on; afterwards the list keeps its
        place, so the next call is the row now under the cursor."""
        if self.visits is None or not self.visits.button.isVisible():
            return
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        row = self.model.row(rows[0].row())
        if self.visits.is_stale(row):  # visited a moment ago; the list is being read again
            self.summary.setText(self.tr("The list is being refreshed: one moment."))
            return
        self._keep_row = rows[0].row()
        self.visits.ask(row)

    def _visit_finished(self, line: str) -> None:
        self._outcome = line
        self._show_summary()
        self.table.setFocus()  # the next call is one key away
        self.reload()

    def _bulk_finished(self, outcome: Outcome) -> None:
        assert self.bulk is not None
        self._outcome = self.bulk.describe(outcome)
        self._show_summary()
        self.reload()

    def open_current(self) -> None:
        """The row with the keyboard focus (with several selected, the one the cursor is
        on); else the first selected."""
        current = self.table.currentIndex()
        rows = self.table.selectionModel().selectedRows()
        if current.isValid():
            self.order_did_open.emit(self.model.row(current.row()).id)
        elif rows:
            self.order_did_open.emit(self.model.row(rows[0].row()).id)

    # --- loading --------------------------------------------------------------------------

    @async_slot()
    async def reload(self) -> None:
        """Counts and the rows shown; calls meanwhile fold into one more pass."""
        await self._rerun()

    async def _load(self) -> None:
        query = self.query()
        if query is None:
            return
        limit = max(self.model.rowCount(), self.model.page_size)
        selected = self._selected_id()
        try:
            got: Page = await self.lanes.background(
                read_page, self.session, self.scope, query, 0, limit
            )
            if self._closed:
                return
            if query == self.query():  # else the user moved on meanwhile: read again
                self._loaded_at = time.monotonic()
                self.model.replace(got.rows, got.more, got.now)
                if self.visits is not None:
                    self.visits.rows_did_load(got.rows)
                self.shown = query
                self._select(selected)
                self._show_empty()
                self.rows_did_load.emit(self.model.rowCount())
            else:
                self._rerun.again()
            # The rows first, then the counts: they span every queue and take longer.
            self._counts = await self.lanes.background(read_counts, self.session, self.scope)
            if self._closed:
                return
        except Exception as exc:
            if not errors.is_connection_error(exc):
                raise
            return  # the window's banner says the link is down; the next change reloads
        self._show_counts()

    @async_slot(int, int)
    async def _fetch_page(self, offset: int, limit: int) -> None:
        query = self.query()
        if query is None:
            return
        try:
            got: Page = await self.lanes.background(
                read_page, self.session, self.scope, query, offset, limit
            )
        except Exception as exc:
            self.model.fetch_did_fail()
            if not errors.is_connection_error(exc):
                raise
            return
        if query == self.query():
            self.model.append(offset, got.rows, got.more)
        else:
            self.model.fetch_did_fail()

    @property
    def settled(self) -> bool:
        """The rows shown answer the filters chosen, and no read is under way (tests)."""
        return not self._rerun.running and self.shown == self.query()

    def _changes_arrived(self, changes: Changes) -> None:
        if changes.order_ids:
            self.reload()

    def _tick_countdowns(self) -> None:
        if self.model.now is not None:
            elapsed = timedelta(seconds=time.monotonic() - self._loaded_at)
            self.model.tick(self.model.now + elapsed)
            self._loaded_at = time.monotonic()

    def _show_empty(self) -> None:
        """An empty queue says so, in the middle of the table, instead of a blank box."""
        query = self.query()
        if self.model.rowCount() or query is None:
            self.empty.hide()
            return
        if query.text or query.sla is not Sla.ALL:
            self.empty.setText(self.tr("No order matches the filter."))
        else:
            self.empty.setText(self.tr("Nothing waiting here."))
        self.empty.setGeometry(self.table.viewport().rect())
        self.empty.show()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.empty.setGeometry(self.table.viewport().rect())

    def _selected_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row(rows[0].row()).id if rows else None

    def _select(self, order_id: int | None) -> None:
        ids = self.model.ids()
        if not ids:
            return
        # Gone (visited, passed, taken): the row that took its place.
        r = ids.index(order_id) if order_id in ids else min(self._keep_row, len(ids) - 1)
        self._keep_row = 0
        self.table.selectRow(r)

    # --- counts ---------------------------------------------------------------------------

    def _count(self, panel: str | None, queue: str | None) -> QueueCount:
        total = warning = overdue = 0
        for (p, q), c in self._counts.items():
            if (panel is None or p == panel) and (queue is None or q == queue):
                total, warning, overdue = total + c.total, warning + c.warning, overdue + c.overdue
        return QueueCount(total, warning, overdue)

    def _show_counts(self) -> None:
        for i, panel in enumerate(self.scope.panels):
            c = self._count(panel.kind.value, None)
            name = labels.label(labels.PANELS, panel.kind.value)
            self.panel_bar.setTabText(i, f"{name}  {c.total}" if c.total else name)
            if c.overdue:
                self.panel_bar.setTabIcon(i, sla_icon(RowSla.OVERDUE))
            else:
                self.panel_bar.setTabIcon(i, sla_icon(RowSla.WARNING) if c.warning else QIcon())
        query = self.query()
        kind = query.panel.kind.value if query is not None else None
        for i, queue in enumerate(self._queues):
            c = self._count(kind, queue.value)
            name = labels.label(labels.QUEUES, queue.value)
            self.queue_bar.setTabText(i, f"{name}  {c.total}")
            self.queue_bar.setTabToolTip(
                i,
                self.tr("{total} orders: {warning} due soon, {overdue} overdue").format(
                    total=c.total, warning=c.warning, overdue=c.overdue
                ),
            )
        here = self._count(kind, query.queue.value if query is not None else None)
        self.sla_buttons[Sla.ALL].setText(self.tr("All {n}").format(n=here.total))
        self.sla_buttons[Sla.WARNING].setText(self.tr("Due soon {n}").format(n=here.warning))
        self.sla_buttons[Sla.OVERDUE].setText(self.tr("Overdue {n}").format(n=here.overdue))
        self._show_summary()

    def _show_summary(self) -> None:
        """Rows shown; after a bulk pass its outcome too, until the filters change, so a
        reload from the live stream does not wipe the refusals before they are read."""
        shown = self.tr("{shown} shown").format(shown=self.model.rowCount())
        self.summary.setText(f"{shown} · {self._outcome}" if self._outcome else shown)

    # --- remembered between runs ----------------------------------------------------------

    def _save(self) -> None:
        query = self.query()
        if query is None or self._closed:
            return
        self.settings.set_value(f"{SETTINGS_KEY}/panel", query.panel.kind.value)
        self.settings.set_value(f"{SETTINGS_KEY}/queue", query.queue.value)
        self.settings.save_header(SETTINGS_KEY, self.table.horizontalHeader())

    def _restore(self) -> None:
        panel = self.settings.value(f"{SETTINGS_KEY}/panel")
        queue = self.settings.value(f"{SETTINGS_KEY}/queue")
        for i, p in enumerate(self.scope.panels):
            if p.kind.value == panel:
                self.panel_bar.setCurrentIndex(i)
        for i, q in enumerate(self._queues):
            if q.value == queue:
                self.queue_bar.setCurrentIndex(i)
        header = self.table.horizontalHeader()
        restored = self.settings.restore_header(SETTINGS_KEY, header)
        self.table.stretch_text()
        if restored:
            section = header.sortIndicatorSection()
            if section in SORTS:  # the sort comes back with the columns
                self._sort = (Col(section), header.sortIndicatorOrder())
            else:
                header.setSortIndicator(Col.DUE, Qt.SortOrder.AscendingOrder)

    def close_page(self) -> None:
        """The window closes: stop listening and cancel what is running."""
        if self._closed:
            return
        self._save()
        self._closed = True
        self._tick.stop()
        self.hub.changes_did_arrive.disconnect(self._changes_arrived)
        self.tasks.cancel_all()
        if self.bulk is not None:
            self.bulk.shut_down()
        if self.visits is not None:
            self.visits.shut_down()
