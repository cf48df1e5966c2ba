"""Ranked composite scores as horizontal bars, each with the previous period's score as a
thin lighter bar under it and the score written at the bar's end.

pyqtgraph is imported when the chart is built (the assessment page is built on first
use), so it stays off the start-up path.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics
from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget

from desktop import theme

BAR_HEIGHT = 0.5
PREVIOUS_HEIGHT = 0.18
LABEL_CHARS = 10  # longer group names are cut with an ellipsis on the axis


@dataclass(frozen=True)
class Bar:
    label: str
    score: float | None
    previous: float | None


class ScoreChart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        import pyqtgraph as pg

        self._pg = pg
        self.bars: list[Bar] = []
        self._texts: list[Any] = []
        self.label_font = QFont(QApplication.font())
        self.title = QLabel(self)
        self.title.setProperty("role", "muted")
        self.plot = pg.PlotWidget(self, background=theme.color("surface"))
        self.plot.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.getPlotItem().invertY(True)  # rank 1 on top
        for side in ("left", "bottom"):
            axis = self.plot.getAxis(side)
            axis.setTickFont(self.label_font)
            axis.setTextPen(theme.color("text"))
            axis.setPen(theme.color("border"))
        self.plot.getAxis("left").setStyle(tickLength=0)
        self.now_bars = pg.BarGraphItem(
            x0=[], y=[], height=BAR_HEIGHT, width=[], brush=theme.color("accent"), pen=None
        )
        light = QColor(theme.color("accent"))
        light.setAlpha(70)
        self.before_bars = pg.BarGraphItem(
            x0=[], y=[], height=PREVIOUS_HEIGHT, width=[], brush=light, pen=None
        )
        self.plot.addItem(self.before_bars)
        self.plot.addItem(self.now_bars)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.title)
        layout.addWidget(self.plot, 1)

    def set_bars(self, bars: Sequence[Bar], title: str) -> None:
        """Scored groups in rank order; the unscored are left out of the chart."""
        pg = self._pg
        self.bars = [b for b in bars if b.score is not None]
        self.title.setText(title)
        ys = [float(i) for i in range(len(self.bars))]
        widths = [float(b.score or 0.0) for b in self.bars]
        self.now_bars.setOpts(x0=[0.0] * len(ys), y=ys, width=widths, height=BAR_HEIGHT)
        prev = [
            (b.previous, y) for b, y in zip(self.bars, ys, strict=True) if b.previous is not None
        ]
        gap = (BAR_HEIGHT + PREVIOUS_HEIGHT) / 2 + 0.02
        self.before_bars.setOpts(
            x0=[0.0] * len(prev),
            y=[y + gap for _, y in prev],
            width=[float(p) for p, _ in prev],
            height=PREVIOUS_HEIGHT,
        )
        for item in self._texts:
            self.plot.removeItem(item)
        self._texts = []
        for b, y in zip(self.bars, ys, strict=True):
            text = pg.TextItem(f"{b.score:.2f}", color=theme.color("text"), anchor=(0, 0.5))
            text.setFont(self.label_font)
            text.setPos(float(b.score or 0.0) + 1.0, y)
            self.plot.addItem(text)
            self._texts.append(text)
        ticks = [(y, _short(b.label)) for y, b in zip(ys, self.bars, strict=True)]
        left = self.plot.getAxis("left")
        left.setTicks([ticks])
        metrics = QFontMetrics(self.label_font)
        left.setWidth(max([40, *(metrics.horizontalAdvance(t) + 16 for _, t in ticks)]))
        top = max([100.0, *widths, *(float(p) for p, _ in prev)])
        self.plot.setXRange(0, top * 1.12, padding=0)
        self.plot.setYRange(-0.6, max(len(ys), 1) - 0.2, padding=0)


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"
