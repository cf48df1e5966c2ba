"""The wall (一屏全域): a chrome-less, full-screen, dark view of the county for the briefing
room, that nobody touches.

Pages rotate as the playlist (resources/wall.toml, ``core.wall.config``) says. Every panel
draws one ``WallFigures`` read by ``core.wall.figures`` in one snapshot, so the panels
agree. The live event stream (``ChangeHub``) triggers a re-read, at most one per
``MIN_READ_MS``; a timer re-reads every ``refresh_seconds`` too, because time alone turns
orders overdue. The month's rates and the ranking are slower and re-read every
``rates_minutes``. The title bar carries a clock and a freshness mark that turns red when
the stream has not confirmed the figures for ``stale_seconds``.

Keys (for whoever stands at the keyboard in a briefing): Space pauses and resumes the
rotation, ←/→ turn pages, T shows the county as it was at a past moment (time travel),
L returns to live, F11 leaves and re-enters full screen, Esc closes a wall opened from a
workstation, Ctrl+Q quits.

Text sizes follow the screen height: ``unit`` is 1 % of it; nothing is smaller than 2.5
units, KPI figures are 8 units and more (the panels' ``set_scale``).
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QResizeEvent
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from core.store import Store
from core.wall.config import Page, WallConfig, pages
from core.wall.model import Rates, Scope, WallFigures
from desktop import errors, theme
from desktop.hub import ChangeHub, Changes
from desktop.lanes import Lanes, Rerun, TaskOwner, async_slot
from desktop.views.wall_moment import MomentDialog
from desktop.widgets import wall_data
from desktop.widgets.wall_alerts import AlertList
from desktop.widgets.wall_bars import ShareBars
from desktop.widgets.wall_funnel import LevelFunnel
from desktop.widgets.wall_kpis import KpiStrip
from desktop.widgets.wall_map import WallMap
from desktop.widgets.wall_ranking import RankingPanel
from desktop.widgets.wall_style import wall_font
from desktop.widgets.wall_ticker import Ticker
from desktop.widgets.wall_trend import TrendChart

log = logging.getLogger(__name__)

MIN_READ_MS = 1000  # a burst of events costs at most one read a second

CLOCK_MS = 1000
# Panels of the middle area besides the map, in the order they fill the right-hand grid.
SIDE_PANELS = ("trend", "funnel", "categories", "disputes", "ranking", "alerts")


class WallWindow(QWidget):
    figures_did_show = Signal(object)  # WallFigures drawn (tests, the bench)
    page_did_change = Signal(str)  # the page's key
    window_did_close = Signal()

    def __init__(
        self,
        store: Store,
        lanes: Lanes,
        hub: ChangeHub | None,
        config: WallConfig,
        *,
        lang: str = "zh",
        at: datetime | None = None,
        closable: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window | Qt.WindowType.FramelessWindowHint)
        self.tasks = TaskOwner()
        self.store, self.lanes, self.hub, self.config = store, lanes, hub, config
        self.lang = lang
        self.closable = closable
        ref = store.reference()
        self.tz: ZoneInfo = ref.tz
        self.playlist: list[Page] = pages(config, ref.org)
        self._focus = {p.key: wall_data.focus(ref.org, p.scope.unit_id) for p in self.playlist}
        self.index = 0
        self.paused = False
        self.at: datetime | None = None  # None: live
        self.figures: WallFigures | None = None
        self._rates: dict[int | None, tuple[float, Rates]] = {}  # by town: read at, rates
        self._closed = False
        self._last_read = 0.0
        self._rerun = Rerun(self._load)
        self._rates_rerun = Rerun(self._load_rates)
        self.unit = 10.0
        self.setObjectName("wall")
        self.setWindowTitle(self.tr("Command Center wall"))
        self.setAutoFillBackground(True)
        self.setPalette(theme.palette(theme.WALL))
        self.setStyleSheet(theme.stylesheet(theme.WALL))
        self._build(ref)
        self._build_actions()
        self._show_page(0, read=False)

        self._rotate = QTimer(self)
        self._rotate.setInterval(int(config.rotate_seconds * 1000))
        self._rotate.timeout.connect(self.next_page)
        self._refresh = QTimer(self)
        self._refresh.setInterval(int(config.refresh_seconds * 1000))
        self._refresh.timeout.connect(self.reload)
        self._throttle = QTimer(self)
        self._throttle.setSingleShot(True)
        self._throttle.timeout.connect(self.reload)
        self._clock = QTimer(self)
        self._clock.setInterval(CLOCK_MS)
        self._clock.timeout.connect(self._tick)
        self._rates_timer = QTimer(self)
        self._rates_timer.setInterval(int(config.rates_minutes * 60_000))
        self._rates_timer.timeout.connect(self.refresh_rates)
        for timer in (self._rotate, self._refresh, self._clock, self._rates_timer):
            timer.start()
        if len(self.playlist) < 2:
            self._rotate.stop()
        if hub is not None:
            hub.changes_did_arrive.connect(self._changes_arrived)
            hub.link_did_change.connect(lambda _link: self._tick())
        if at is not None:
            self.show_moment(at)
        self._tick()
        self.reload()
        self.reload_rates()

    # --- building -------------------------------------------------------------------------

    def _build(self, ref: object) -> None:
        self.drill_banner = QLabel(self)
        self.drill_banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.drill_banner.setText(self.tr("DRILL · these figures are a drill's, not the county's"))
        self.drill_banner.hide()
        self.travel_banner = QLabel(self)
        self.travel_banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.travel_banner.hide()

        self.title = QLabel(self)
        self.page_mark = QLabel(self)
        self.clock_label = QLabel(self)
        self.fresh_label = QLabel(self)
        self.pause_label = QLabel(self)
        head = QHBoxLayout()
        head.setSpacing(0)
        head.addWidget(self.title, 1)
        head.addWidget(self.page_mark)
        head.addWidget(self.pause_label)
        head.addWidget(self.fresh_label)
        head.addWidget(self.clock_label)

        self.kpis = KpiStrip(self)
        grids, county, towns = wall_data.map_layers(self.store.reference().org)
        self.map = WallMap(grids, county=county, towns=towns, parent=self)
        self.trend = TrendChart(self)
        self.funnel = LevelFunnel(self)
        self.categories = ShareBars(parent=self)
        self.disputes = ShareBars(top_n=4, parent=self)
        self.ranking = RankingPanel(self)
        self.alerts = AlertList(self)
        self.ticker = Ticker(parent=self)
        self.panels: dict[str, QWidget] = {
            "kpis": self.kpis,
            "map": self.map,
            "trend": self.trend,
            "funnel": self.funnel,
            "categories": self.categories,
            "disputes": self.disputes,
            "ranking": self.ranking,
            "alerts": self.alerts,
            "ticker": self.ticker,
        }
        for widget in self.panels.values():
            # Panels size their text by the window's height: their own minimum (in those
            # units) must not push the window to grow, which would grow the units.
            widget.setMinimumSize(1, 1)
        self.message = QLabel(self)  # a read that failed: said in place of stale figures
        self.message.setWordWrap(True)
        self.message.hide()

        self.grid = QGridLayout()
        self.outer = QVBoxLayout(self)
        self.outer.setSpacing(0)
        self.outer.addWidget(self.drill_banner)
        self.outer.addWidget(self.travel_banner)
        self.outer.addLayout(head)
        self.outer.addWidget(self.message)
        self.outer.addWidget(self.kpis)
        self.outer.addLayout(self.grid, 1)
        self.outer.addWidget(self.ticker)

    def _build_actions(self) -> None:
        def action(keys: list[QKeySequence | str], slot: object) -> None:
            act = QAction(self)
            act.setShortcuts([QKeySequence(k) if isinstance(k, str) else k for k in keys])
            act.triggered.connect(slot)
            self.addAction(act)

        action(["Space"], self.toggle_pause)
        action(["Right", "PgDown"], self.next_page)
        action(["Left", "PgUp"], self.previous_page)
        action(["T"], self.ask_moment)
        action(["L"], self.go_live)
        action(["F11"], self.toggle_full_screen)
        action([QKeySequence(QKeySequence.StandardKey.Quit)], self.close)
        if self.closable:
            action(["Esc"], self.close)

    def _arrange(self, page: Page) -> None:
        """Put the page's panels in place: KPIs across the top, the map on the left, the
        other panels two columns wide on the right, the ticker along the bottom."""
        while self.grid.count():
            self.grid.takeAt(0)
        for name, widget in self.panels.items():
            widget.setVisible(name in page.panels)
        side = [self.panels[p] for p in SIDE_PANELS if p in page.panels]
        has_map = "map" in page.panels
        columns = 2 if len(side) > 2 or not has_map else 1
        rows = max(1, -(-len(side) // columns))
        if has_map:
            self.grid.addWidget(self.map, 0, 0, rows, 1)
        first = 1 if has_map else 0
        for i, widget in enumerate(side):
            row, col = divmod(i, columns)
            span = columns - col if i == len(side) - 1 else 1  # the last fills its row
            self.grid.addWidget(widget, row, first + col, 1, span)
        for c in range(first + columns):
            self.grid.setColumnStretch(c, 0)
        if has_map:
            self.grid.setColumnStretch(0, 5 if columns == 2 else 4)
        for c in range(first, first + columns):
            self.grid.setColumnStretch(c, 4 if columns == 2 else 5)
        for r in range(self.grid.rowCount()):
            self.grid.setRowStretch(r, 1 if r < rows else 0)

    # --- sizes ----------------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.apply_scale(event.size().height() / 100.0)

    def apply_scale(self, unit: float) -> None:
        self.unit = unit
        gap = round(unit * 0.8)
        self.outer.setContentsMargins(gap, gap // 2, gap, gap // 2)
        self.outer.setSpacing(gap // 2)
        self.grid.setSpacing(gap)
        self.title.setFont(wall_font(unit, 4.2, bold=True))
        for label in (self.page_mark, self.pause_label, self.fresh_label, self.message):
            label.setFont(wall_font(unit, 2.6))
        self.clock_label.setFont(wall_font(unit, 3.6, bold=True))
        for label in (self.page_mark, self.pause_label, self.fresh_label, self.clock_label):
            label.setContentsMargins(int(unit * 1.5), 0, 0, 0)
        for banner in (self.drill_banner, self.travel_banner):
            banner.setFont(wall_font(unit, 3.4, bold=True))
            banner.setContentsMargins(0, int(unit * 0.6), 0, int(unit * 0.6))
        self._style_banners()
        for widget in self.panels.values():
            widget.set_scale(unit)  # type: ignore[attr-defined]

    def _style_banners(self) -> None:
        tokens = theme.WALL
        self.drill_banner.setStyleSheet(
            f"background: {tokens['drill']}; color: {tokens['accent_text']};"
        )
        self.travel_banner.setStyleSheet(
            f"background: {tokens['warning']}; color: {tokens['accent_text']};"
        )
        self.message.setStyleSheet(f"color: {tokens['danger']};")

    # --- pages ----------------------------------------------------------------------------

    @property
    def page(self) -> Page:
        return self.playlist[self.index]

    def _page_title(self, page: Page) -> str:
        return page.title_en if self.lang == "en" else page.title

    def _show_page(self, index: int, read: bool = True) -> None:
        self.index = index % len(self.playlist)
        page = self.page
        self.title.setText(self._page_title(page))
        self.page_mark.setText(f"{self.index + 1}/{len(self.playlist)}")
        self.kpis.set_tiles(wall_data.tiles_for(page))
        self.map.set_focus(*self._focus[page.key])
        self.ticker.restart()  # the last page's events stop scrolling
        self._arrange(page)
        self.page_did_change.emit(page.key)
        if read:
            self._rotate.start()  # a page turned by hand gets its whole interval
            self.reload()
            self.reload_rates()

    def next_page(self) -> None:
        self._show_page(self.index + 1)

    def previous_page(self) -> None:
        self._show_page(self.index - 1)

    def toggle_pause(self) -> None:
        self.paused = not self.paused
        if self.paused:
            self._rotate.stop()
        elif len(self.playlist) > 1:
            self._rotate.start()
        self.ticker.pause(self.paused)
        self._tick()

    def toggle_full_screen(self) -> None:
        if self.isFullScreen():
            self.showNormal()
        else:
            self.showFullScreen()

    # --- time travel ----------------------------------------------------------------------

    def ask_moment(self) -> None:
        dialog = MomentDialog(self.at or datetime.now(UTC), self.tz, self)
        dialog.moment_did_choose.connect(self.show_moment)
        dialog.open()

    def show_moment(self, at: datetime | None) -> None:
        """Show the county as it was at ``at`` (naive: county time), or live with None."""
        if at is not None and at.tzinfo is None:
            at = at.replace(tzinfo=self.tz)
        self.at = at.astimezone(UTC) if at is not None else None
        self._rates.clear()
        self.ticker.tag = self.tr("As of") if self.at is not None else self.tr("Live")
        self.ticker.restart()
        if self.at is None:
            self.travel_banner.hide()
        else:
            local = self.at.astimezone(self.tz)
            self.travel_banner.setText(
                self.tr("AS OF {moment} · not live · press L to return to live").format(
                    moment=f"{local:%Y-%m-%d %H:%M}"
                )
            )
            self.travel_banner.show()
        self._tick()
        self.reload()
        self.reload_rates()

    def go_live(self) -> None:
        if self.at is not None:
            self.show_moment(None)

    # --- reading --------------------------------------------------------------------------

    def _changes_arrived(self, changes: Changes) -> None:
        if self._closed or self.at is not None:
            return
        wait = MIN_READ_MS - (time.monotonic() - self._last_read) * 1000
        if wait <= 0:
            self.reload()
        elif not self._throttle.isActive():
            self._throttle.start(int(wait))

    @async_slot()
    async def reload(self) -> None:
        await self._rerun()

    @async_slot()
    async def reload_rates(self) -> None:
        """The page's rates: from the cache while younger than ``rates_minutes``."""
        await self._rates_rerun()

    def refresh_rates(self) -> None:
        self._rates.clear()
        self.reload_rates()

    @property
    def settled(self) -> bool:
        """No read runs or waits (tests)."""
        return not (self._rerun.running or self._rates_rerun.running or self._throttle.isActive())

    async def _load(self) -> None:
        page, at = self.page, self.at
        self._last_read = time.monotonic()
        try:
            figures = await self.lanes.background(
                wall_data.read, self.store, page.scope, at, self.config
            )
        except Exception as exc:
            if not errors.is_connection_error(exc):
                raise
            self._failed(exc)
            return
        if self._closed or page is not self.page or at != self.at:
            self._rerun.again()  # the page or the moment changed meanwhile
            return
        rates = self._rates.get(_rates_key(page.scope))
        self._draw(figures, rates[1] if rates else None)

    async def _load_rates(self) -> None:
        page, at = self.page, self.at
        if not ({"kpis", "ranking"} & set(page.panels)):
            return
        key = _rates_key(page.scope)
        cached = self._rates.get(key)
        if cached is not None and time.monotonic() - cached[0] < self.config.rates_minutes * 60:
            return
        try:
            rates = await self.lanes.background(
                wall_data.read_page_rates, self.store, page.scope, at, self.config
            )
        except Exception as exc:
            if not errors.is_connection_error(exc):
                raise
            return
        if self._closed or at != self.at:
            return
        self._rates[key] = (time.monotonic(), rates)
        if self.figures is not None and page is self.page:
            self._draw(self.figures, rates)

    def _failed(self, exc: BaseException) -> None:
        self.message.setText(
            self.tr("The figures could not be read: {why}").format(why=errors.describe(exc))
        )
        self.message.show()
        self._tick()

    def _draw(self, figures: WallFigures, rates: Rates | None) -> None:
        page = self.page
        self.message.hide()
        self.figures = figures
        self.drill_banner.setVisible(figures.drill)
        self.kpis.set_kpis(
            wall_data.merged_kpis(figures, rates),
            page.emphasis,
            rates_label=wall_data.rates_label(rates, page.scope, self.tr("county")),
        )
        self.map.set_loads(figures.grids, page.map_measure)
        self.map.set_spots(figures.arrivals, figures.overdue_spots, figures.at)
        self.trend.set_trend(figures.trend_today, figures.trend_last_week, self.tz)
        self.funnel.set_funnel(figures.funnel)
        self.categories.set_categories(figures.categories)
        self.disputes.set_risk(figures.disputes_by_risk)
        if rates is not None:
            self.ranking.set_ranking(rates.best, rates.worst, rates.period)
        self.alerts.set_alerts(figures.alerts, self.tz)
        self.ticker.set_items(figures.ticker, self.tz)
        self._tick()
        self.figures_did_show.emit(figures)

    # --- clock and freshness ----------------------------------------------------------------

    def _tick(self) -> None:
        now = datetime.now(UTC)
        self.clock_label.setText(f"{now.astimezone(self.tz):%Y-%m-%d %H:%M:%S}")
        self.pause_label.setText(self.tr("❚❚ paused") if self.paused else "")
        state, text = wall_data.freshness(
            now,
            self.at,
            self.hub.link if self.hub is not None else None,
            self.figures,
            self.config.stale_seconds,
            self.tz,
        )
        self.fresh_label.setText(self._fresh_text(state, text))
        colour = {"live": "ok", "stale": "danger", "past": "warning"}[state]
        self.fresh_label.setStyleSheet(f"color: {theme.WALL[colour]};")

    def _fresh_text(self, state: str, detail: str) -> str:
        if state == "past":
            return self.tr("◆ as of {moment}").format(moment=detail)
        if state == "stale":
            return self.tr("▲ stale: last confirmed {time}").format(time=detail)
        return self.tr("● live {time}").format(time=detail)

    # --- closing --------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._closed:
            self._closed = True
            for timer in (self._rotate, self._refresh, self._throttle, self._clock):
                timer.stop()
            self._rates_timer.stop()
            if self.hub is not None:
                self.hub.changes_did_arrive.disconnect(self._changes_arrived)
            self.tasks.cancel_all()
            self.window_did_close.emit()
        super().closeEvent(event)

    async def drain(self) -> None:
        await self.tasks.drain()


def _rates_key(scope: Scope) -> int | None:
    """Rates are the county's, or a town's on a town's page (core.wall.figures)."""
    return scope.unit_id
