"""考核评价: every indicator of one month per group, the composite score, the rank, the
change since the month before, a ranked bar chart, and the orders behind a group.

Both reports (this month and the one before) are computed by ``core.analytics.compute``
on the background lane; the drill-down by ``core.analytics.drill``. The table is a thin
adapter over the report's rows: a few hundred rows at most, already ranked by core.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from core.analytics import GroupRow, Period, Report, last_complete_month
from core.analytics.drill import DrillRow, group_orders, shift_month
from core.analytics.groups import COUNTY, GROUPINGS
from core.analytics.published import Publication, compute_or_published
from core.analytics.safety import SAFETY_GROUPINGS, SafetyResult, compute_safety
from core.errors import CoreError, ValidationError
from desktop import errors, labels, theme
from desktop.feed import Session
from desktop.lanes import Lanes, Rerun, TaskOwner, async_slot
from desktop.settings import AppSettings
from desktop.widgets.assessment_table import FIXED, AssessmentModel, Line
from desktop.widgets.safety_table import SafetyPanel
from desktop.widgets.score_chart import Bar, ScoreChart
from desktop.widgets.table_view import RowTableView

SETTINGS_KEY = "assessment"
MONTHS_BACK = 36  # how far the period picker reaches
Index = QModelIndex | QPersistentModelIndex
__all__ = ["FIXED", "AssessmentModel", "AssessmentPage", "Line"]


@dataclass(frozen=True)
class Reports:
    current: Report
    previous: Report | None  # None: the month before could not be computed
    publication: Publication | None = None  # the month is published: its figures are final
    safety: SafetyResult | None = None  # grouped by grid or town: the safety index
    safety_error: ValidationError | None = None  # its configuration file was refused


def read_reports(session: Session, period: Period, by: str) -> Reports:
    """This month's report and the month before's, as of the database clock; a published
    month's are its stored figures (``main.py publish``), which never change. Grouped by
    grid or town, the safety index too (from the same report)."""
    store = session.store
    now = store.clock.now()
    current, pub = compute_or_published(store.engine, period=period, by=by, as_of=now)
    previous, _ = compute_or_published(
        store.engine, period=shift_month(period, -1), by=by, as_of=now
    )
    safety, refused = None, None
    if by in SAFETY_GROUPINGS:
        try:
            safety = compute_safety(store.engine, by=by, report=current, as_of=now)
        except ValidationError as exc:  # a broken safety_index.toml: the report still shows
            refused = exc
    return Reports(current, previous, pub, safety, refused)


def read_drill(session: Session, period: Period, by: str, key: str) -> list[DrillRow]:
    store = session.store
    return group_orders(store.engine, period, by, key, as_of=store.clock.now())


class DrillModel(QAbstractTableModel):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tz = session.tz
        self.rows: list[DrillRow] = []

    def replace(self, rows: list[DrillRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def ids(self) -> list[int]:
        return [r.id for r in self.rows]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 4

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return [self.tr("Number"), self.tr("Title"), self.tr("State"), self.tr("Registered")][
                section
            ]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        r = self.rows[index.row()]
        col = index.column()
        if col == 0:
            return r.number
        if col == 1:
            return r.title
        if col == 2:
            return labels.state(r.state)
        return f"{r.registered_at.astimezone(self.tz):%Y-%m-%d %H:%M}"


class AssessmentPage(QWidget):
    rows_did_load = Signal(int)  # the report for the chosen month and grouping is shown
    order_did_open = Signal(int)  # the user asked to open this order
    drill_did_load = Signal(int)  # the orders behind a group are listed (tests)

    def __init__(
        self,
        session: Session,
        lanes: Lanes,
        settings: AppSettings,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.tasks = TaskOwner()
        self.session = session
        self.lanes = lanes
        self.settings = settings
        self._rerun = Rerun(self._load)
        self._closed = False
        self.shown: tuple[str, str] | None = None  # (period label, grouping) on screen
        self.report: Report | None = None
        self.previous: Report | None = None
        self.drilled: tuple[str, str, str] | None = None  # (period, grouping, group key)

        self.heading = QLabel(self.tr("Assessment"), self)
        self.heading.setProperty("role", "title")
        self.prev_button = QToolButton(self)
        self.prev_button.setText(self.tr("◀ Previous month"))
        self.next_button = QToolButton(self)
        self.next_button.setText(self.tr("Next month ▶"))
        self.period_box = QComboBox(self)
        self.period_box.setMinimumContentsLength(8)
        self._periods = self._period_choices()
        for p in self._periods:
            self.period_box.addItem(p.label)
        self.period_box.setCurrentIndex(1 if len(self._periods) > 1 else 0)
        self.by_box = QComboBox(self)
        by_names = {
            "county": self.tr("County"),
            "town": self.tr("Town"),
            "grid": self.tr("Grid"),
            "unit": self.tr("Unit"),
            "tier": self.tr("Tier"),
            "category": self.tr("Category"),
        }
        for by in GROUPINGS:
            self.by_box.addItem(by_names.get(by, by), by)
        saved = settings.value(f"{SETTINGS_KEY}/by")
        self.by_box.setCurrentIndex(max(0, self.by_box.findData(saved or "unit")))
        self.status = QLabel(self)
        self.status.setProperty("role", "muted")
        self.status.setWordWrap(True)

        self.model = AssessmentModel(self)
        self.table = RowTableView(self)
        self.table.setModel(self.model)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        self.chart = ScoreChart(self)
        self.chart.setMinimumWidth(360)
        self.safety = SafetyPanel(self)
        self.lower_tabs = QTabWidget(self)
        self.lower_tabs.addTab(self.chart, self.tr("Composite score"))
        self.lower_tabs.addTab(self.safety, self.tr("Safety index"))

        self.drill_title = QLabel(self.tr("Select a group and press Enter to list its orders."))
        self.drill_title.setProperty("role", "muted")
        self.drill_model = DrillModel(session, self)
        self.drill_table = RowTableView(self)
        self.drill_table.setModel(self.drill_model)
        drill_header = self.drill_table.horizontalHeader()
        drill_header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        drill_header.setStretchLastSection(True)
        drill_header.resizeSection(0, 150)
        drill_header.resizeSection(1, 260)
        drill_header.resizeSection(2, 120)
        drill_header.resizeSection(3, 160)

        bar = QHBoxLayout()
        bar.setSpacing(6)
        bar.addWidget(self.heading)
        bar.addSpacing(16)
        bar.addWidget(self.prev_button)
        bar.addWidget(self.period_box)
        bar.addWidget(self.next_button)
        bar.addSpacing(16)
        self.by_label = QLabel(self.tr("Group by"), self)
        bar.addWidget(self.by_label)
        bar.addWidget(self.by_box)
        bar.addSpacing(16)
        bar.addWidget(self.status, 1)

        drill_box = QWidget(self)
        drill_layout = QVBoxLayout(drill_box)
        drill_layout.setContentsMargins(0, 4, 0, 0)
        drill_layout.setSpacing(4)
        drill_layout.addWidget(self.drill_title)
        drill_layout.addWidget(self.drill_table, 1)
        # The table gets the full width (every indicator without scrolling); the chart and
        # the drill-down share the lower half.
        self.bottom_split = QSplitter(Qt.Orientation.Horizontal, self)
        self.bottom_split.addWidget(self.lower_tabs)
        self.bottom_split.addWidget(drill_box)
        self.bottom_split.setStretchFactor(0, 1)
        self.bottom_split.setStretchFactor(1, 1)
        self.bottom_split.setSizes([700, 860])
        self.split = QSplitter(Qt.Orientation.Vertical, self)
        self.split.addWidget(self.table)
        self.split.addWidget(self.bottom_split)
        self.split.setStretchFactor(0, 1)
        self.split.setStretchFactor(1, 1)
        self.split.setSizes([420, 400])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 12)
        layout.setSpacing(6)
        layout.addLayout(bar)
        layout.addWidget(self.split, 1)

        self.prev_button.clicked.connect(lambda: self.step(-1))
        self.next_button.clicked.connect(lambda: self.step(1))
        self.period_box.currentIndexChanged.connect(lambda _i: self._choice_changed())
        self.by_box.currentIndexChanged.connect(lambda _i: self._choice_changed())
        self.table.doubleClicked.connect(lambda _i: self.drill_current())
        self.drill_table.doubleClicked.connect(lambda _i: self.open_current())
        self._build_actions()
        self._fit_buttons()
        self.reload()

    def _build_actions(self) -> None:
        keys = [QKeySequence(Qt.Key.Key_Return), QKeySequence(Qt.Key.Key_Enter)]
        drill = QAction(self.tr("List the group's orders"), self)
        drill.setShortcuts(keys)
        drill.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        drill.triggered.connect(self.drill_current)
        self.table.addAction(drill)
        open_action = QAction(self.tr("Open order"), self)
        open_action.setShortcuts(keys)
        open_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        open_action.triggered.connect(self.open_current)
        self.drill_table.addAction(open_action)

    # --- what is asked for ----------------------------------------------------------------

    def _period_choices(self) -> list[Period]:
        """The month in progress, then the last complete month (the default), and back."""
        now = self.session.store.clock.now()
        last = last_complete_month(now, self.session.tz)
        return [shift_month(last, -i) for i in range(-1, MONTHS_BACK)]

    @property
    def period(self) -> Period:
        return self._periods[max(0, self.period_box.currentIndex())]

    @property
    def by(self) -> str:
        return str(self.by_box.currentData())

    def set_period(self, label: str) -> None:
        i = self.period_box.findText(label)
        if i >= 0:
            self.period_box.setCurrentIndex(i)

    def set_by(self, by: str) -> None:
        self.by_box.setCurrentIndex(max(0, self.by_box.findData(by)))

    def step(self, months: int) -> None:
        """Earlier (negative) or later months; the list runs newest first."""
        i = self.period_box.currentIndex() - months
        if 0 <= i < self.period_box.count():
            self.period_box.setCurrentIndex(i)

    def _fit_buttons(self) -> None:
        i = self.period_box.currentIndex()
        self.prev_button.setEnabled(i < self.period_box.count() - 1)
        self.next_button.setEnabled(i > 0)

    def _choice_changed(self) -> None:
        self._fit_buttons()
        if not self._closed:
            self.settings.set_value(f"{SETTINGS_KEY}/by", self.by)
        self.reload()

    # --- loading --------------------------------------------------------------------------

    @property
    def settled(self) -> bool:
        """What is shown answers what is chosen, and nothing is being read (tests)."""
        return not self._rerun.running and self.shown == (self.period.label, self.by)

    @async_slot()
    async def reload(self) -> None:
        """Calls during a load fold into one more pass."""
        await self._rerun()

    async def _load(self) -> None:
        period, by = self.period, self.by
        self._say(self.tr("Computing {period}…").format(period=period.label), None)
        try:
            got: Reports = await self.lanes.background(read_reports, self.session, period, by)
        except Exception as exc:
            if not self._shown_error(exc):
                raise
            return
        if (period.label, by) != (self.period.label, self.by):
            self._rerun.again()  # the user moved on meanwhile: read again
            return
        self._show(got)

    def _shown_error(self, exc: BaseException) -> bool:
        """Connection errors and refusals (a drill database) are shown, not raised."""
        if not (errors.is_connection_error(exc) or isinstance(exc, CoreError)):
            return False
        self._say(errors.describe(exc), "error")
        return True

    def _say(self, text: str, role: str | None) -> None:
        self.status.setText(text)
        self.status.setProperty("role", role or "muted")
        theme.repolish(self.status)

    def _show(self, got: Reports) -> None:
        rep = got.current
        self.report, self.previous = rep, got.previous
        before = {g.key: g.score.value for g in got.previous.groups} if got.previous else {}
        if got.previous is not None:
            before[COUNTY] = got.previous.total.score.value
        lines = [
            Line(g, self.group_name(rep.by, g), before.get(g.key), g.key in before)
            for g in rep.groups
        ]
        lines.append(Line(rep.total, self.group_name(rep.by, rep.total), before.get(COUNTY), True))
        self.model.replace(lines, got.safety)
        self._show_safety(got)
        self.shown = (rep.period.label, rep.by)
        previous_label = shift_month(rep.period, -1).label
        bars = [Bar(ln.name, ln.row.score.value, ln.previous) for ln in lines]
        if rep.by != COUNTY:
            bars = bars[:-1]  # the groups only; the county total is its own chart
        self.chart.set_bars(
            bars,
            self.tr("Composite score, {period} (thin light bar: {previous})").format(
                period=rep.period.label, previous=previous_label
            ),
        )
        at = rep.as_of.astimezone(self.session.tz)
        if rep.empty:
            text = self.tr("Nothing registered, due or acted on in {period}.").format(
                period=rep.period.label
            )
        else:
            text = self.tr(
                "{period}: {groups} groups; change against {previous}; as of {time}"
            ).format(
                period=rep.period.label,
                groups=len(rep.groups) or 1,
                previous=previous_label,
                time=f"{at:%Y-%m-%d %H:%M}",
            )
        if got.publication is not None:
            when = got.publication.published_at.astimezone(self.session.tz)
            text += self.tr(" · published {date} by {name}: these figures are final").format(
                date=f"{when:%Y-%m-%d}", name=got.publication.published_by
            )
        self._say(text, None)
        if self.drilled is not None and self.drilled[:2] != self.shown:
            self.drilled = None
            self.drill_model.replace([])
            self.drill_title.setText(self.tr("Select a group and press Enter to list its orders."))
        if self.model.rowCount() and not self.table.selectionModel().selectedRows():
            self.table.selectRow(0)
        self.rows_did_load.emit(self.model.rowCount())

    def _show_safety(self, got: Reports) -> None:
        rep, res = got.current, got.safety
        if res is not None:
            title = self.tr("{name}, {period}: 0–100, ranked; hover a category for its indicators")
            title = title.format(name=res.config.name, period=rep.period.label)
            if res.published:
                title += self.tr(" · from the published figures")
            self.safety.set_result(res, title)
        elif got.safety_error is not None:  # for the administrator: file, place and code
            found = "; ".join(str(e) for e in got.safety_error.errors)
            self.safety.set_result(
                None,
                self.tr("The safety index configuration was refused: {errors}").format(
                    errors=found
                ),
            )
        else:
            self.safety.set_result(
                None, self.tr("The safety index is shown when grouped by grid or town.")
            )
        if rep.by in SAFETY_GROUPINGS:
            self.lower_tabs.setCurrentWidget(self.safety)
        elif self.lower_tabs.currentWidget() is self.safety:
            self.lower_tabs.setCurrentWidget(self.chart)

    def group_name(self, by: str, row: GroupRow) -> str:
        if row.key == COUNTY:
            return self.tr("County total {name}").format(name=row.name or "").strip()
        if by == "tier":
            tiers = {
                "1": self.tr("Tier 1 (county)"),
                "2": self.tr("Tier 2 (towns)"),
                "3": self.tr("Tier 3 (villages)"),
                "4": self.tr("Tier 4 (grids)"),
                "none": self.tr("Not dispatched / centre"),
            }
            return tiers.get(row.key, row.key)
        if by == "unit" and row.kind in ("county", "city"):
            return self.tr("{name} (centre)").format(name=row.name or row.key)
        if by == "grid" and row.kind != "grid":
            return self.tr("{name} (no grid)").format(name=row.name or row.key)
        return row.name or row.key

    # --- drill-down -----------------------------------------------------------------------

    def current_line(self) -> Line | None:
        rows = self.table.selectionModel().selectedRows()
        index = self.table.currentIndex()
        r = index.row() if index.isValid() else (rows[0].row() if rows else -1)
        return self.model.lines[r] if 0 <= r < len(self.model.lines) else None

    @async_slot()
    async def drill_current(self) -> None:
        line = self.current_line()
        if line is None or self.report is None:
            return
        rep = self.report
        key = line.row.key if rep.by != COUNTY or line.row.key != COUNTY else COUNTY
        by = rep.by if key != COUNTY else COUNTY
        self.drill_title.setText(self.tr("Loading the orders of {group}…").format(group=line.name))
        try:
            rows = await self.lanes.background(read_drill, self.session, rep.period, by, key)
        except Exception as exc:
            if not self._shown_error(exc):
                raise
            return
        if self.report is not rep:
            return
        self.drilled = (rep.period.label, rep.by, key)
        self.drill_model.replace(rows)
        self.drill_title.setText(
            self.tr("{group}, {period}: {n} orders (Enter opens one)").format(
                group=line.name, period=rep.period.label, n=len(rows)
            )
        )
        if rows:
            self.drill_table.selectRow(0)
        self.drill_did_load.emit(len(rows))

    def open_current(self) -> None:
        index = self.drill_table.currentIndex()
        rows = self.drill_table.selectionModel().selectedRows()
        r = index.row() if index.isValid() else (rows[0].row() if rows else -1)
        if 0 <= r < len(self.drill_model.rows):
            self.order_did_open.emit(self.drill_model.rows[r].id)

    # --- closing --------------------------------------------------------------------------

    def close_page(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.tasks.cancel_all()
