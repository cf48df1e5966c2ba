"""The workstation window: the pages the user's roles work in, kept current live.

- 来电受理 intake (duty officers and shift leads): the keyboard-first call form;
- 工作队列 the dispatch panels (everyone who dispatches, handles, reviews or visits);
- 全部工单 every order the user may see, newest first;
- 考核评价 assessment (supervisors, commanders, administrators): indicators, scores, ranks;
- 督办 supervision (the same roles): late orders by unit, notices, approvals;
- 预警研判 early warning (the centre's duty officers, shift leads, supervisors, commanders):
  the alerts and the machine feeds' 待确认 items. Above every page, a banner shows the
  newest alert nobody has acknowledged, with a signal when one is raised (``AlertWatch``).

Pages are built when first shown, so start-up pays for the first page only. The page,
the window's geometry and the list columns are restored on the next start.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from core.domain.enums import Role
from core.queues import scope_of
from core.stream import Link, LinkState
from core.workflow.guards import CENTRE_INTAKE
from desktop import errors
from desktop.feed import OrderFeed, Session, Snapshot
from desktop.hub import ChangeHub, Changes
from desktop.lanes import Lanes, Rerun, TaskOwner, async_slot
from desktop.settings import AppSettings
from desktop.views.alert_watch import AlertWatch
from desktop.views.order_editor import OrderEditor
from desktop.views.queues import QueuesPage
from desktop.widgets.alert_banner import AlertBanner
from desktop.widgets.alert_data import watches_alerts
from desktop.widgets.link_status import LinkStatus
from desktop.widgets.order_table import OrderTableModel, OrderTableView

if TYPE_CHECKING:
    from desktop.views.alerts import AlertsPage
    from desktop.views.assessment import AssessmentPage
    from desktop.views.drill_console import DrillConsolePage
    from desktop.views.intake import IntakeForm
    from desktop.views.supervision import SupervisionPage
    from desktop.wall_app import WallEntry

SETTINGS_NAME = "main"
PAGE_KEY = "main/page"
EDITOR_KEY = "order_editor"
INTAKE, QUEUES, ORDERS = "intake", "queues", "orders"
ASSESSMENT, SUPERVISION, ALERTS = "assessment", "supervision", "alerts"
DRILL = "drill"
PAGES = (INTAKE, QUEUES, ORDERS, ASSESSMENT, SUPERVISION, ALERTS, DRILL)  # Ctrl+1..7
ASSESSORS = (Role.SUPERVISOR, Role.LEADER, Role.ADMIN)
DRILL_RUNNERS = (Role.TRAINER, Role.ADMIN)


class MainWindow(QMainWindow):
    rows_did_load = Signal(int)  # a (re)load finished: how many rows are shown
    page_did_become_ready = Signal(str)  # the first page shown has its data (bench, tests)
    window_did_close = Signal()

    def __init__(
        self,
        session: Session,
        lanes: Lanes,
        settings: AppSettings,
        hub: ChangeHub,
        *,
        page_size: int = 100,
        feed: OrderFeed | None = None,
        drill: bool = False,
        start_page: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.tasks = TaskOwner()
        self.session = session
        self.lanes = lanes
        self.settings = settings
        self.feed = feed or OrderFeed(session)
        self._closed = False
        self._total: int | None = None
        self._rerun = Rerun(self._load_top)
        self._loaded = False
        self._dirty: set[int] = set()
        self._refreshing = False
        self.hub = hub
        self.editor: OrderEditor | None = None
        self.scope = scope_of(session.actor, session.store.reference().org)
        self.intake: IntakeForm | None = None
        self.queues: QueuesPage | None = None
        self.assessment: AssessmentPage | None = None
        self.supervision: SupervisionPage | None = None
        self.alerts: AlertsPage | None = None
        self.drill_console: DrillConsolePage | None = None
        self.drill, self._start_page = drill, start_page
        self._ready_sent = False

        title = self.tr("Command Center — {unit}").format(unit=session.unit_name)
        self.setWindowTitle(self.tr("[DRILL] {title}").format(title=title) if drill else title)
        self.model = OrderTableModel(session.tz, page_size, self)
        self.table = OrderTableView(self)
        self.table.setModel(self.model)
        self.link = LinkStatus(self, session, lanes)  # the status bar and the lost banner
        self.banner = self.link.banner
        self.user_label, self.unit_label = self.link.user_label, self.link.unit_label
        self.db_label, self.fresh_label = self.link.db_label, self.link.fresh_label
        self.service_label = self.link.service_label
        self.heading = QLabel(self.tr("Orders"), self)
        self.heading.setProperty("role", "title")
        self.count_label = QLabel(self)
        self.count_label.setProperty("role", "muted")

        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        self.drill_banner = QLabel(
            self.tr("DRILL · this is a drill database: nothing done here counts as real work"),
            self,
        )
        self.drill_banner.setProperty("role", "drill")
        self.drill_banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.drill_banner.setVisible(drill)
        layout.addWidget(self.drill_banner)
        self.alert_banner = AlertBanner(session.tz, central)
        self.alert_banner.show_all_requested.connect(lambda: self.show_page(ALERTS))
        layout.addWidget(self.alert_banner)
        self.orders_page = QWidget(central)
        top_layout = QVBoxLayout(self.orders_page)
        top_layout.setContentsMargins(12, 10, 12, 12)
        top_layout.setSpacing(6)
        top_layout.addWidget(self.heading)
        top_layout.addWidget(self.count_label)
        top_layout.addWidget(self.table, 1)
        self.nav = QListWidget(central)
        self.nav.setProperty("role", "nav")
        self.nav.setFixedWidth(132)
        self.nav.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Ctrl+1..3 switch pages
        self.stack = QStackedWidget(central)
        self._pages: dict[str, QWidget | None] = {}
        body = QHBoxLayout()
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(0)
        body.addWidget(self.nav)
        body.addWidget(self.stack, 1)
        layout.addLayout(body, 1)
        self.setCentralWidget(central)
        self._build_pages()
        self._build_actions()
        self.alert_watch: AlertWatch | None = None
        if watches_alerts(session):
            self.alert_watch = AlertWatch(session, lanes, hub, self.alert_banner, self)
            self.alert_watch.alerts_did_load.connect(self._alerts_waiting)
            self.alert_watch.outcome_did_show.connect(self.statusBar().showMessage)

        hub.changes_did_arrive.connect(self._changes_arrived)
        hub.link_did_change.connect(self._link_changed)
        self.model.fetch_did_start.connect(self._fetch_page)

        header = self.table.horizontalHeader()
        self._columns_fitted = settings.has_header(SETTINGS_NAME)
        if not settings.restore_window(SETTINGS_NAME, self, header):
            self.resize(1600, 900)
        self.reload()
        self.show_page(self._first_page())
        self._link_changed(hub.link)
        self.link.start()

    def _build_actions(self) -> None:
        refresh = QAction(self.tr("Refresh"), self)
        refresh.setShortcut(QKeySequence.StandardKey.Refresh)
        refresh.triggered.connect(self.reload)
        self.edit_action = QAction(self.tr("Edit order…"), self)
        self.edit_action.setShortcuts(
            [QKeySequence(Qt.Key.Key_Return), QKeySequence(Qt.Key.Key_Enter)]
        )
        self.edit_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.edit_action.triggered.connect(self.edit_current)
        self.table.addAction(self.edit_action)
        self.table.doubleClicked.connect(lambda _index: self.edit_current())
        for i, name in enumerate(PAGES):
            go = QAction(self)
            go.setShortcut(QKeySequence(f"Ctrl+{i + 1}"))
            go.triggered.connect(lambda _c=False, name=name: self.show_page(name))
            self.addAction(go)
        close = QAction(self.tr("Quit"), self)
        close.setShortcut(QKeySequence.StandardKey.Quit)
        close.triggered.connect(self.close)
        self.addActions([refresh, close])
        self.wall_action = QAction(self.tr("Open the wall (一屏全域)"), self)
        self.wall_action.setShortcut(QKeySequence("Ctrl+Shift+W"))
        self.wall_action.triggered.connect(lambda: self.walls.open())
        view = self.menuBar().addMenu(self.tr("&View"))
        view.addAction(self.wall_action)
        view.addSeparator()
        view.addAction(refresh)
        view.addAction(close)
        from desktop.wall_app import WallEntry  # it imports desktop.app, which imports us

        self.walls: WallEntry = WallEntry(self.session.store, self.lanes, self.hub, self)

    # --- editing --------------------------------------------------------------------------

    def edit_current(self) -> OrderEditor | None:
        """Open the editor on the order selected in the list."""
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.open_order(self.model.row(rows[0].row()).id)

    def open_order(self, order_id: int) -> OrderEditor:
        """The order's editor: every field, its timeline, and what this user may do now."""
        if self.editor is not None and self.editor.isVisible():
            self.editor.close()
        editor = OrderEditor(self.session, self.lanes, self.hub, order_id, parent=self)
        editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        self.settings.restore_dialog(EDITOR_KEY, editor, editor.split)
        editor.finished.connect(
            lambda _code: self.settings.save_dialog(EDITOR_KEY, editor, editor.split)
        )
        editor.destroyed.connect(lambda _o=None: self._editor_gone(editor))
        self.editor = editor
        editor.open()
        return editor

    def _editor_gone(self, editor: OrderEditor) -> None:
        if self.editor is editor:
            self.editor = None

    # --- pages ----------------------------------------------------------------------------

    def _build_pages(self) -> None:
        """The pages this user's roles work in, in the navigation on the left."""
        names = {
            INTAKE: self.tr("Intake"),
            QUEUES: self.tr("Work queues"),
            ORDERS: self.tr("All orders"),
            ASSESSMENT: self.tr("Assessment"),
            SUPERVISION: self.tr("Supervision"),
            ALERTS: self.tr("Early warning"),
            DRILL: self.tr("Drill console"),
        }
        wanted = []
        if self.session.actor.has(*CENTRE_INTAKE):
            wanted.append(INTAKE)
        if self.scope.panels:
            wanted.append(QUEUES)
        wanted.append(ORDERS)
        if self.session.actor.has(*ASSESSORS):
            wanted += [ASSESSMENT, SUPERVISION]
        if watches_alerts(self.session):
            wanted.append(ALERTS)
        if self.drill and self.session.actor.has(*DRILL_RUNNERS):
            wanted.append(DRILL)
        for name in wanted:
            item = QListWidgetItem(names[name], self.nav)
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setToolTip(f"Ctrl+{PAGES.index(name) + 1}")
            self._pages[name] = None
        self.nav.currentItemChanged.connect(
            lambda item, _prev: (
                item is not None and self.show_page(str(item.data(Qt.ItemDataRole.UserRole)))
            )
        )

    def _first_page(self) -> str:
        if self._start_page in self._pages:
            return str(self._start_page)
        saved = self.settings.value(PAGE_KEY)
        if saved in self._pages:
            return str(saved)
        return next(iter(self._pages))

    def page_names(self) -> list[str]:
        return list(self._pages)

    @property
    def current_page(self) -> str:
        item = self.nav.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else ORDERS

    def show_page(self, name: str) -> bool:
        """Switch to a page (built on first use); False when the user has no such page."""
        if name not in self._pages:
            return False
        widget = self._pages[name]
        if widget is None:
            widget = self._pages[name] = self._make_page(name)
            self.stack.addWidget(widget)
        self.stack.setCurrentWidget(widget)
        for i in range(self.nav.count()):
            item = self.nav.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == name and self.nav.currentRow() != i:
                self.nav.setCurrentRow(i)
        self.settings.set_value(PAGE_KEY, name)
        if name == INTAKE and self.intake is not None:
            self.intake.take_focus()
        elif name == QUEUES and self.queues is not None:
            self.queues.table.setFocus()
        elif name == ASSESSMENT and self.assessment is not None:
            self.assessment.table.setFocus()
        elif name == SUPERVISION and self.supervision is not None:
            self.supervision.take_focus()
        elif name == ALERTS and self.alerts is not None:
            self.alerts.take_focus()
        elif name == ORDERS:
            self.table.setFocus()
            self._fit_columns()
        return True

    def _fit_columns(self) -> None:
        """Size the list's columns once, to rows shown at the table's real width."""
        if not self._columns_fitted and self.model.rowCount() and self.table.isVisible():
            self._columns_fitted = True
            self.table.fit_columns()

    def _make_page(self, name: str) -> QWidget:
        if name == INTAKE:
            from desktop.views.intake import IntakeForm  # built on first use: a quicker start

            intake = IntakeForm(self.session, self.lanes, self.hub, parent=self.stack)
            intake.lookup_did_finish.connect(self._intake_lookup)
            self.intake = intake
            return intake
        if name == QUEUES:
            self.queues = QueuesPage(
                self.session, self.lanes, self.hub, self.scope, self.settings, parent=self.stack
            )
            self.queues.order_did_open.connect(self.open_order)
            self.queues.rows_did_load.connect(lambda n: self._ready(QUEUES))
            return self.queues
        if name == ASSESSMENT:
            from desktop.views.assessment import AssessmentPage  # pyqtgraph: on first use

            self.assessment = AssessmentPage(
                self.session, self.lanes, self.settings, parent=self.stack
            )
            self.assessment.order_did_open.connect(self.open_order)
            self.assessment.rows_did_load.connect(lambda n: self._ready(ASSESSMENT))
            return self.assessment
        if name == SUPERVISION:
            from desktop.views.supervision import SupervisionPage

            self.supervision = SupervisionPage(
                self.session, self.lanes, self.hub, parent=self.stack
            )
            self.supervision.order_did_open.connect(self.open_order)
            self.supervision.rows_did_load.connect(lambda n: self._ready(SUPERVISION))
            return self.supervision
        if name == ALERTS:
            from desktop.views.alerts import AlertsPage

            self.alerts = AlertsPage(self.session, self.lanes, self.hub, parent=self.stack)
            self.alerts.order_did_open.connect(self.open_order)
            self.alerts.rows_did_load.connect(lambda n: self._ready(ALERTS))
            self.alerts.outcome_did_show.connect(self.statusBar().showMessage)
            return self.alerts
        if name == DRILL:
            from desktop.views.drill_console import DrillConsolePage

            self.drill_console = DrillConsolePage(
                self.session, self.lanes, self.hub, parent=self.stack
            )
            self.drill_console.rows_did_load.connect(lambda n: self._ready(DRILL))
            return self.drill_console
        return self.orders_page

    def _alerts_waiting(self, alerts: int, items: int) -> None:
        """The navigation says how much waits for someone there: alerts to acknowledge and
        feed items to confirm, so the page is found without the banner."""
        for i in range(self.nav.count()):
            item = self.nav.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == ALERTS:
                name = self.tr("Early warning")
                item.setText(f"{name} {alerts + items}" if alerts + items else name)
                item.setToolTip(
                    self.tr(
                        "{alerts} alerts to acknowledge, {items} feed alerts to confirm"
                    ).format(alerts=alerts, items=items)
                    + " · Ctrl+6"
                )

    def _intake_lookup(self, what: str) -> None:
        if what == "index":  # the category search is built: the form is ready for a call
            self._ready(INTAKE)

    def _ready(self, name: str) -> None:
        if not self._ready_sent:
            self._ready_sent = True
            self.page_did_become_ready.emit(name)

    # --- loading --------------------------------------------------------------------------

    @async_slot()
    async def reload(self) -> None:
        """Re-read the rows shown. Calls during a reload fold into one more pass."""
        await self._rerun()

    async def _load_top(self) -> None:
        limit = max(self.model.rowCount(), self.model.page_size)
        try:
            snap: Snapshot = await self.lanes.background(self.feed.snapshot, limit)
        except Exception as exc:
            if not errors.is_connection_error(exc):
                raise
            self._load_failed(exc)
            return
        self.model.replace(snap.rows, snap.more)
        self._fit_columns()
        self._loaded = True
        self.tasks.spawn(self._count())
        self.rows_did_load.emit(self.model.rowCount())
        if self.current_page == ORDERS:
            self._ready(ORDERS)

    async def _count(self) -> None:
        try:
            self._total = await self.lanes.background(self.feed.count)
        except Exception as exc:
            if not errors.is_connection_error(exc):
                raise
            return
        self._show_count()

    @async_slot(int, int)
    async def _fetch_page(self, offset: int, limit: int) -> None:
        try:
            snap: Snapshot = await self.lanes.background(self.feed.page, offset, limit)
        except Exception as exc:
            self.model.fetch_did_fail()
            if not errors.is_connection_error(exc):
                raise
            self._load_failed(exc)
            return
        self.model.append(offset, snap.rows, snap.more)
        self._show_count()

    def _show_count(self) -> None:
        shown = self.model.rowCount()
        if self._total is None:
            self.count_label.setText(self.tr("{shown} shown").format(shown=shown))
        else:
            self.count_label.setText(
                self.tr("{total} orders, {shown} shown").format(total=self._total, shown=shown)
            )

    # --- live changes ---------------------------------------------------------------------

    @async_slot(object)
    async def _changes_arrived(self, changes: Changes) -> None:
        """Re-read only the changed orders; a burst folds into the pass that is running."""
        self._dirty |= changes.not_from(self)
        if "registered" in changes.kinds or "merged" in changes.kinds:
            self.tasks.spawn(self._count())
        if self._refreshing or not self._loaded:
            return
        self._refreshing = True
        try:
            while self._dirty:
                asked, self._dirty = self._dirty, set()
                try:
                    rows = await self.lanes.background(self.feed.rows, asked)
                except Exception as exc:
                    if not errors.is_connection_error(exc):
                        raise
                    self._dirty |= asked  # read again once the link is back
                    return
                self.model.refresh(asked, rows)
            self._show_count()
            self.rows_did_load.emit(self.model.rowCount())
        finally:
            self._refreshing = False

    # --- the database's health ------------------------------------------------------------

    def _link_changed(self, link: Link) -> None:
        was_down = self.link.show_link(link)
        if link.state is LinkState.DOWN:
            return
        if not self._loaded and was_down:
            self.reload()
        elif self._dirty:
            self._changes_arrived(Changes(self.hub.delivered, 0, frozenset()))

    def _load_failed(self, exc: BaseException) -> None:
        """A read failed before the stream noticed: say so; the next live report reloads."""
        self.link.show_lost(Link(LinkState.DOWN, self.hub.confirmed_at, errors.describe(exc)))

    def check_service(self) -> None:
        self.link.check_service()

    # --- closing --------------------------------------------------------------------------

    @property
    def pending(self) -> int:
        """Tasks of the window and its pages still running (tests wait for none)."""
        return self.tasks.pending + sum(int(p.tasks.pending) for p in self._built_pages())

    def _built_pages(self) -> list[Any]:
        pages = (
            self.queues,
            self.intake,
            self.assessment,
            self.supervision,
            self.alerts,
            self.drill_console,
            self.link,
        )
        return [p for p in pages if p is not None] + (
            [self.alert_watch] if self.alert_watch is not None else []
        )

    async def drain(self) -> None:
        """After closing: wait for the cancelled queries' tasks to unwind."""
        await self.tasks.drain()
        for page in self._built_pages():
            await page.tasks.drain()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._closed:
            self._closed = True
            self.link.stop()
            self.hub.changes_did_arrive.disconnect(self._changes_arrived)
            self.hub.link_did_change.disconnect(self._link_changed)
            self.tasks.cancel_all()
            if self.queues is not None:
                self.queues.close_page()
            if self.intake is not None:
                self.intake.shut_down()
            if self.assessment is not None:
                self.assessment.close_page()
            if self.supervision is not None:
                self.supervision.close_page()
            if self.alerts is not None:
                self.alerts.close_page()
            if self.alert_watch is not None:
                self.alert_watch.shut_down()
            if self.drill_console is not None:
                self.drill_console.shut()
            self.walls.close()
            self.settings.save_window(SETTINGS_NAME, self, self.table.horizontalHeader())
            self.window_did_close.emit()
        super().closeEvent(event)
