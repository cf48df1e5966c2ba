"""Intake per hour over the last 24 hours (bars) against the same hours a week earlier (a
thin dashed line), hours in local time along the bottom.

The title and the legend are painted by the panel; the chart is a pyqtgraph plot, imported
when the chart is built so it stays off the start-up path. Ticks are placed by hand: a
label never crowds its neighbour, and none sits so close to an end that it is cut.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import timedelta, tzinfo

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFont, QFontMetricsF, QPainter, QPen, QResizeEvent
from PySide6.QtWidgets import QWidget

from core.wall.model import TrendPoint
from desktop.widgets.wall_style import WallPanel, colour

BAR_WIDTH = 0.72
HOUR_STEPS = (1, 2, 3, 4, 6, 8, 12)
SWATCH_UNITS = 3.0


class TrendChart(WallPanel):
    """Today's hourly intake against last week's, with a legend (今日 / 上周同日)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        import pyqtgraph as pg

        self._pg = pg
        self.title = self.tr("Intake, last 24 hours")
        self.word_today = self.tr("Today")
        self.word_last_week = self.tr("Same day last week")
        self.hours: list[str] = []  # local hour label per bar
        self.today: list[int] = []
        self.last_week: list[float] = []
        self._x_ticks: list[tuple[float, str]] = []
        self._y_ticks: list[tuple[float, str]] = []
        self.plot = pg.PlotWidget(self, background=colour("surface"))
        self.plot.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.setMouseEnabled(x=False, y=False)
        item = self.plot.getPlotItem()
        item.hideAxis("top")
        item.hideAxis("right")
        self.bars = pg.BarGraphItem(
            x=[], height=[], width=BAR_WIDTH, brush=colour("accent"), pen=None
        )
        self.line = pg.PlotDataItem([], [])
        self.plot.addItem(self.bars)
        self.plot.addItem(self.line)
        self._style_plot()

    def fonts(self) -> dict[str, QFont]:
        return {**super().fonts(), "legend": self.body_font, "axis": self.body_font}

    def minimum_units(self) -> tuple[float, float]:
        return (40.0, 18.0)

    def preferred_units(self) -> tuple[float, float]:
        return (55.0, 26.0)

    def set_scale(self, unit: float) -> None:
        super().set_scale(unit)
        self._style_plot()
        self._layout()

    def set_trend(
        self, today: Sequence[TrendPoint], last_week: Sequence[TrendPoint], tz: tzinfo
    ) -> None:
        """``today``: the 24 hours up to now, oldest first; ``last_week``: the same hours
        seven days earlier (matched by hour)."""
        if not self.changed((tuple(today), tuple(last_week), tz)):
            return
        before = {p.hour_start + timedelta(days=7): p.count for p in last_week}
        self.today = [p.count for p in today]
        self.last_week = [float(before.get(p.hour_start, math.nan)) for p in today]
        self.hours = [
            self.tr("{hour}:00").format(hour=f"{p.hour_start.astimezone(tz).hour:02d}")
            for p in today
        ]
        xs = [float(i) for i in range(len(today))]
        self.bars.setOpts(x=xs, height=[float(c) for c in self.today], width=BAR_WIDTH)
        self.line.setData(xs, self.last_week, connect="finite")  # a missing hour: a gap
        self._ticks()

    # --- layout ---------------------------------------------------------------------------

    def _style_plot(self) -> None:
        pg = self._pg
        self.line.setPen(
            pg.mkPen(colour("muted"), width=max(2.0, self.u(0.3)), style=Qt.PenStyle.DashLine)
        )
        metrics = QFontMetricsF(self.body_font)
        hour_w = metrics.horizontalAdvance(self.tr("{hour}:00").format(hour="00"))
        # a label at an end may reach past the axis by half its size, into the plot's
        # margins (set below) that keep room for it; pyqtgraph would otherwise hide it
        reach = {"left": metrics.height() / 2, "bottom": hour_w / 2}
        for side in ("left", "bottom"):
            axis = self.plot.getAxis(side)
            axis.setTickFont(self.body_font)
            axis.setTextPen(colour("muted"))
            axis.setPen(pg.mkPen(colour("border"), width=max(1.0, self.u(0.15))))
            axis.setStyle(
                tickLength=int(self.u(0.5)),
                tickTextOffset=int(self.u(0.5)),
                hideOverlappingLabels=int(reach[side]) + 2,
            )
        self.plot.getAxis("bottom").setHeight(int(metrics.height() + self.u(1.2)))
        # room above the top tick and right of the last hour for half a label
        self.plot.getPlotItem().setContentsMargins(0, reach["left"], reach["bottom"], 0)

    def _legend_width(self) -> float:
        m = QFontMetricsF(self.body_font)
        words = m.horizontalAdvance(self.word_today) + m.horizontalAdvance(self.word_last_week)
        return words + 2 * self.u(SWATCH_UNITS) + self.u(1.0) * 3

    def _header_lines(self, width: float) -> int:
        title = QFontMetricsF(self.title_font).horizontalAdvance(self.title) + self.u(1.5)
        return 1 if title + self._legend_width() + self.u(2.0) <= width else 2

    def _layout(self) -> None:
        inner = self.frame_inner()
        header = self.line_height(self.title_font) + self.u(0.6)
        if self._header_lines(inner.width()) == 2:
            header += self.line_height(self.body_font) + self.u(0.3)
        self.plot.setGeometry(inner.adjusted(0, header, 0, 0).toAlignedRect())
        self._ticks()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._layout()

    def _ticks(self) -> None:
        """Hours every few bars (as many as read apart), counts on a round step."""
        metrics = QFontMetricsF(self.body_font)
        left = self.plot.getAxis("left")
        bottom = self.plot.getAxis("bottom")
        top = max([1, *self.today, *(int(v) for v in self.last_week if not math.isnan(v))])
        height = max(self.plot.height() - bottom.height() - metrics.height(), 1.0)
        fit = max(1, min(5, int(height // (metrics.height() * 1.8))))
        step = _nice(top / fit)
        values = [step * k for k in range(1, -(-top // step) + 1)]
        labels = [(float(v), f"{v:,}") for v in values]
        self._y_ticks = labels
        left.setTicks([labels])
        widest = max([metrics.horizontalAdvance(t) for _, t in labels] or [0.0])
        left.setWidth(int(widest + self.u(1.4)))
        self.plot.setYRange(0, max(top, values[-1] if values else 1) * 1.06, padding=0)
        n = len(self.hours)
        self.plot.setXRange(-0.6, max(n, 1) - 0.4, padding=0)
        slot = max(self.plot.width() - left.width(), 1.0) / max(n + 0.2, 1.0)
        label_w = max([metrics.horizontalAdvance(h) for h in self.hours] or [0.0])
        every = next((s for s in HOUR_STEPS if s * slot >= label_w * 1.5), 24)
        first = n - 1 - ((n - 1) // every) * every  # keep the newest hour labelled
        self._x_ticks = [(float(i), self.hours[i]) for i in range(first, n, every)]
        bottom.setTicks([self._x_ticks])

    # --- painting -----------------------------------------------------------------------

    def render_content(self, p: QPainter) -> None:
        inner = self.draw_frame(p, "")
        title_h = self.line_height(self.title_font)
        lines = self._header_lines(inner.width())
        bar = QRectF(inner.left(), inner.top() + title_h * 0.18, self.u(0.45), title_h * 0.64)
        p.fillRect(bar, colour("accent"))
        title_box = QRectF(bar.right() + self.u(0.9), inner.top(), 0, title_h)
        legend_w = self._legend_width()
        if lines == 1:
            title_box.setRight(inner.right() - legend_w - self.u(1.0))
            row = QRectF(inner.right() - legend_w, inner.top(), legend_w, title_h)
        else:
            title_box.setRight(inner.right())
            body_h = self.line_height(self.body_font)
            row = QRectF(inner.left(), inner.top() + title_h + self.u(0.3), legend_w, body_h)
        self.draw_text(p, title_box, self.title, self.title_font, colour("text"))
        self._legend(p, row)

    def _legend(self, p: QPainter, row: QRectF) -> None:
        m = QFontMetricsF(self.body_font)
        swatch = self.u(SWATCH_UNITS)
        gap = self.u(1.0)
        x = row.left()
        y = row.center().y()
        p.fillRect(QRectF(x, y - self.u(0.9), swatch, self.u(1.8)), colour("accent"))
        x += swatch + gap / 2
        w = m.horizontalAdvance(self.word_today)
        self.draw_text(
            p,
            QRectF(x, row.top(), w, row.height()),
            self.word_today,
            self.body_font,
            colour("text"),
        )
        x += w + gap * 1.5
        pen = QPen(colour("muted"), max(2.0, self.u(0.3)), Qt.PenStyle.DashLine)
        p.setPen(pen)
        p.drawLine(QPointF(x, y), QPointF(x + swatch, y))
        x += swatch + gap / 2
        w = m.horizontalAdvance(self.word_last_week)
        self.draw_text(
            p,
            QRectF(x, row.top(), w, row.height()),
            self.word_last_week,
            self.body_font,
            colour("text"),
        )

    def tick_labels(self) -> tuple[list[str], list[str]]:
        """The labels on the hour axis and on the count axis (tests)."""
        return [t for _, t in self._x_ticks], [t for _, t in self._y_ticks]


def _nice(raw: float) -> int:
    """The round step (1, 2, 5 × 10ⁿ) at or above ``raw``."""
    raw = max(raw, 1.0)
    power = 10 ** math.floor(math.log10(raw))
    for f in (1, 2, 5, 10):
        if f * power >= raw:
            return int(f * power)
    return int(10 * power)
