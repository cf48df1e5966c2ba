"""The wall's row of KPI tiles: today's intake, open, overdue, due soon, closed today, and
the month's rates (closed on time, satisfaction, accepted on time).

One tile is emphasised (the page's choice): wider, a larger figure, an accent border.
Overdue above zero is red with a triangle, due soon amber with a diamond, so the state
reads without colour too. A rate with nothing to measure yet shows a dash.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QWidget

from core.wall.model import Kpis
from desktop.widgets.wall_style import (
    EMPHASIS_UNITS,
    FIGURE_UNITS,
    TextBox,
    WallPanel,
    colour,
    draw_mark,
    fmt_count,
    fmt_rate,
    wall_font,
)

DEFAULT_TILES = (
    "intake_today",
    "open",
    "overdue",
    "on_time_rate",
    "satisfaction",
    "response_rate",
)
RATES = ("on_time_rate", "satisfaction", "response_rate")
LABEL_UNITS = 2.8
SUFFIX_UNITS = 2.5
EMPHASIS_WEIGHT = 1.5  # the emphasised tile is this much wider
UNIT_SHARE = 0.5  # the % after a rate, against the figure's size
DIGIT_INK = 0.77  # the height of a digit's ink, in em (Noto Sans CJK SC)


class KpiStrip(WallPanel):
    """KPI tiles side by side; ``set_tiles`` picks which and in what order."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.labels = {
            "intake_today": self.tr("Received today"),
            "open": self.tr("Open"),
            "overdue": self.tr("Overdue"),
            "warning": self.tr("Due soon"),
            "closed_today": self.tr("Closed today"),
            "on_time_rate": self.tr("Closed on time"),
            "satisfaction": self.tr("Satisfaction"),
            "response_rate": self.tr("Accepted on time"),
        }
        self.tiles: tuple[str, ...] = DEFAULT_TILES
        self.kpis: Kpis | None = None
        self.emphasis = ""
        self.rates_label = ""

    def _fonts_changed(self) -> None:
        super()._fonts_changed()
        self.label_font = wall_font(self.unit, LABEL_UNITS, bold=True)
        self.figure_font = wall_font(self.unit, FIGURE_UNITS, bold=True)
        self.emphasis_font = wall_font(self.unit, EMPHASIS_UNITS, bold=True)
        self.suffix_font = wall_font(self.unit, SUFFIX_UNITS)
        self.label_small_font = wall_font(self.unit, SUFFIX_UNITS, bold=True)

    def fonts(self) -> dict[str, QFont]:
        return {
            "label": self.label_font,
            "figure": self.figure_font,
            "emphasis": self.emphasis_font,
            "suffix": self.suffix_font,
            "label_small": self.label_small_font,
        }

    def minimum_units(self) -> tuple[float, float]:
        return (len(self.tiles) * 20.0, 19.0)

    def preferred_units(self) -> tuple[float, float]:
        return (len(self.tiles) * 26.0, 21.0)

    def set_tiles(self, names: Sequence[str]) -> None:
        """Which tiles, in order; an unknown name is a KeyError."""
        unknown = [n for n in names if n not in self.labels]
        if unknown:  # refuse it now, not at paint time
            raise KeyError(f"unknown KPI tile(s): {', '.join(unknown)}")
        self.tiles = tuple(names)
        self.updateGeometry()
        self.invalidate()

    def set_kpis(self, kpis: Kpis, emphasis: str, *, rates_label: str = "") -> None:
        """``emphasis``: the tile drawn large; ``rates_label``: a small note under the rate
        tiles (the month, or 全县)."""
        if not self.changed((kpis, emphasis, rates_label)):
            return
        self.kpis = kpis
        self.emphasis = emphasis
        self.rates_label = rates_label
        self.invalidate()

    # --- painting -----------------------------------------------------------------------

    def value_text(self, name: str) -> str:
        if self.kpis is None:
            return "—"
        value = getattr(self.kpis, name)
        return fmt_rate(value) if name in RATES else fmt_count(int(value))

    def render_content(self, p: QPainter) -> None:
        gap = self.u(1.0)
        area = QRectF(self.rect()).adjusted(self.u(0.3), self.u(0.3), -self.u(0.3), -self.u(0.3))
        weights = [EMPHASIS_WEIGHT if t == self.emphasis else 1.0 for t in self.tiles]
        if not weights:
            return
        width = (area.width() - gap * (len(weights) - 1)) / sum(weights)
        x = area.left()
        for name, weight in zip(self.tiles, weights, strict=True):
            tile = QRectF(x, area.top(), width * weight, area.height())
            self._tile(p, name, tile)
            x += tile.width() + gap

    def _tile(self, p: QPainter, name: str, tile: QRectF) -> None:
        emphasised = name == self.emphasis
        p.save()
        border = colour("accent") if emphasised else colour("border")
        line = self.u(0.4) if emphasised else max(1.0, self.u(0.15))
        p.setPen(QPen(border, line))
        p.setBrush(QBrush(colour("surface")))
        half = line / 2
        p.drawRoundedRect(tile.adjusted(half, half, -half, -half), self.u(0.8), self.u(0.8))
        p.restore()
        pad = self.u(1.2)
        inner = tile.adjusted(pad, self.u(0.6) + line, -pad, -self.u(0.6) - line)
        label_h = self.line_height(self.label_font)
        label_box = QRectF(inner.left(), inner.top(), inner.width(), label_h)
        label = self.labels[name]
        font = self.label_font
        if QFontMetricsF(font).horizontalAdvance(label) > label_box.width():
            font = self.label_small_font  # a long label: the smallest text before eliding
        self.draw_text(p, label_box, label, font, colour("muted"))
        bottom = inner.bottom()
        if name in RATES and self.rates_label:
            suffix_h = self.line_height(self.suffix_font)
            suffix_box = QRectF(inner.left(), bottom - suffix_h, inner.width(), suffix_h)
            self.draw_text(p, suffix_box, self.rates_label, self.suffix_font, colour("muted"))
            bottom -= suffix_h
        figure_area = QRectF(inner.left(), label_box.bottom(), inner.width(), 0)
        figure_area.setBottom(bottom)
        self._figure(p, name, figure_area, emphasised)

    def _figure(self, p: QPainter, name: str, area: QRectF, emphasised: bool) -> None:
        text = self.value_text(name)
        number, unit = (text[:-1], "%") if text.endswith("%") else (text, "")
        pen, shape = self.figure_state(name)
        mark = self.u(4.0) if shape else 0.0
        room = area.width() - (mark + self.u(1.0) if shape else 0.0)
        start = (self.emphasis_font if emphasised else self.figure_font).pixelSize()
        number, font, unit_font = self._fit(number, unit, room, start)
        metrics = QFontMetricsF(font)
        # digits sit on the baseline: centre their ink, not the font's line box
        ink_h = font.pixelSize() * DIGIT_INK
        baseline = area.center().y() + ink_h / 2
        x = area.left()
        if shape:
            draw_mark(p, shape, QPointF(x + mark / 2, area.center().y()), mark, pen)
            x += mark + self.u(1.0)
        for text_run, run_font in ((number, font), (unit, unit_font)):
            if not text_run:
                continue
            run = QFontMetricsF(run_font)
            p.setFont(run_font)
            p.setPen(pen)
            p.drawText(QPointF(x, baseline), text_run)
            ink = run.tightBoundingRect(text_run).translated(x, baseline)
            self.text_boxes.append(TextBox(QRectF(area), ink, text_run, QFont(run_font)))
            x += run.horizontalAdvance(text_run) + (metrics.horizontalAdvance(" ") / 3)

    def _fit(self, number: str, unit: str, room: float, start: int) -> tuple[str, QFont, QFont]:
        """The largest figure from ``start`` down to the KPI minimum that fits ``room``,
        with thousands separators if they fit; a number is never elided, so at worst it
        goes below the KPI minimum (never below the wall's smallest text)."""
        floor = self.figure_font.pixelSize()
        smallest = self.suffix_font.pixelSize()
        texts = [number] if "," not in number else [number, number.replace(",", "")]
        sizes = [start]
        while sizes[-1] > floor:
            sizes.append(max(floor, int(sizes[-1] * 0.92)))
        while sizes[-1] > smallest:
            sizes.append(max(smallest, int(sizes[-1] * 0.92)))
        for px in sizes:
            for text in texts:
                font, unit_font = self._figure_fonts(px)
                width = QFontMetricsF(font).horizontalAdvance(text)
                if unit:
                    width += QFontMetricsF(unit_font).horizontalAdvance(unit) + px / 12
                if width <= room:
                    return text, font, unit_font
        return texts[-1], *self._figure_fonts(sizes[-1])

    def _figure_fonts(self, px: int) -> tuple[QFont, QFont]:
        font = QFont(self.figure_font)
        font.setPixelSize(px)
        unit_font = QFont(self.figure_font)
        unit_font.setPixelSize(max(self.suffix_font.pixelSize(), round(px * UNIT_SHARE)))
        return font, unit_font

    def figure_state(self, name: str) -> tuple[QColor, str]:
        """The figure's colour and the shape drawn before it ("" for none)."""
        if self.kpis is not None and name == "overdue" and self.kpis.overdue > 0:
            return colour("danger"), "triangle"
        if self.kpis is not None and name == "warning" and self.kpis.warning > 0:
            return colour("warning"), "diamond"
        return colour("text"), ""
