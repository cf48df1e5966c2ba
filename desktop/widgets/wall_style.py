"""What the wall's panels share: sizes in screen units, the dark colours, number formats,
severity marks, and ``WallPanel``, a panel that paints itself once into a cached pixmap.

The wall is read from across a briefing room, so every size is a multiple of the *unit*,
1 % of the screen height in pixels (10.8 px on a 1080-line screen), and no text is smaller
than ``MIN_TEXT_UNITS``. A panel repaints from its cache until its data, size or scale
changes, so the 200 events a second that move the ticker and the map cost the other
panels nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPaintEvent,
    QPen,
    QPixmap,
    QPolygonF,
)
from PySide6.QtWidgets import QApplication, QWidget

from desktop import theme

MIN_TEXT_UNITS = 2.5  # no text on the wall is smaller
BODY_UNITS = 2.5
TITLE_UNITS = 3.0
FIGURE_UNITS = 8.0  # a KPI figure
EMPHASIS_UNITS = 12.0  # the emphasised KPI figure
PAD_UNITS = 1.2  # inside a panel's frame
DEFAULT_UNIT = 10.8  # a 1080-line screen, until set_scale says otherwise
DASH = "—"  # a rate with nothing to measure yet
# Glyph ink above and below the baseline, in em, for Noto Sans CJK SC (汉字 0.88 above;
# g and y 0.25 below). Text is placed by its ink, not by the font's roomier line box
# (1.45 em), so rows sit closer and still never touch.
INK_TOP = 0.92
INK_BOTTOM = 0.26
LINE_EM = 1.25
ROW_EM = 1.3  # rows of a list: a touch more air than lines of one block

# severity → (colour token, shape); the shape and the word carry it for colour-blind readers
SEVERITY_MARKS = {
    "red": ("danger", "triangle"),
    "orange": ("ramp_high", "diamond"),
    "yellow": ("warning", "ring"),
}


def colour(name: str) -> QColor:
    """A colour of the wall's dark theme (``theme.WALL``)."""
    return theme.color(name, theme.WALL)


def wall_font(unit: float, size_units: float, bold: bool = False) -> QFont:
    """The application's font (Noto Sans CJK SC first) at ``size_units`` of screen height,
    in pixels, never below ``MIN_TEXT_UNITS``."""
    font = QFont(QApplication.font())
    px = math.ceil(max(size_units, MIN_TEXT_UNITS) * unit - 1e-6)
    font.setPixelSize(max(1, px))
    font.setBold(bold)
    return font


def line_height(font: QFont) -> float:
    """How far apart lines of ``font`` are set on the wall."""
    return font.pixelSize() * LINE_EM


def row_pitch(font: QFont) -> float:
    """How far apart the rows of a list in ``font`` are set."""
    return font.pixelSize() * ROW_EM


def fmt_count(n: int) -> str:
    return f"{n:,}"


def fmt_rate(rate: float | None) -> str:
    """0..1 as a percent with one decimal; nothing to measure yet: a dash."""
    return DASH if rate is None else f"{rate * 100:.1f}%"


def mix(low: QColor, high: QColor, t: float) -> QColor:
    """Linear blend, ``t`` clamped to 0..1."""
    t = min(max(t, 0.0), 1.0)
    return QColor.fromRgbF(
        low.redF() + (high.redF() - low.redF()) * t,
        low.greenF() + (high.greenF() - low.greenF()) * t,
        low.blueF() + (high.blueF() - low.blueF()) * t,
    )


def draw_mark(p: QPainter, shape: str, centre: QPointF, size: float, fill: QColor) -> None:
    """A state's shape, ``size`` pixels across: circle, diamond, triangle (▲) or ring (◉)."""
    r = size / 2
    x, y = centre.x(), centre.y()
    p.save()
    p.setPen(QPen(colour("window"), max(1.0, size / 14)))
    p.setBrush(QBrush(fill))
    if shape == "diamond":
        p.drawPolygon(
            QPolygonF([QPointF(x, y - r), QPointF(x + r, y), QPointF(x, y + r), QPointF(x - r, y)])
        )
    elif shape == "triangle":
        p.drawPolygon(
            QPolygonF([QPointF(x, y - r), QPointF(x + r, y + r * 0.8), QPointF(x - r, y + r * 0.8)])
        )
    elif shape == "ring":
        p.setPen(QPen(fill, max(1.5, size / 7)))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawEllipse(centre, r * 0.85, r * 0.85)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QBrush(fill))
        p.drawEllipse(centre, r * 0.38, r * 0.38)
    else:
        p.drawEllipse(centre, r * 0.8, r * 0.8)
    p.restore()


@dataclass(frozen=True)
class TextBox:
    """One piece of text a panel drew: the box it was given, the box it used, its font.
    Tests check that ``used`` stays inside both ``box`` and the widget."""

    box: QRectF
    used: QRectF
    text: str
    font: QFont


class WallPanel(QWidget):
    """A wall panel: a dark frame with its title, content painted by ``render_content``
    into a cached pixmap, and ``paint_overlay`` for what moves on top of it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.unit = DEFAULT_UNIT
        self.title = ""
        self.text_boxes: list[TextBox] = []  # what the last render drew
        self._cache: QPixmap | None = None
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self._fonts_changed()

    # --- scale and fonts ----------------------------------------------------------------

    def set_scale(self, unit: float) -> None:
        """``unit``: 1 % of the screen height in pixels."""
        self.unit = float(unit)
        self._fonts_changed()
        self.updateGeometry()
        self.invalidate()

    def u(self, units: float) -> float:
        return units * self.unit

    def _fonts_changed(self) -> None:
        self.title_font = wall_font(self.unit, TITLE_UNITS, bold=True)
        self.body_font = wall_font(self.unit, BODY_UNITS)

    def fonts(self) -> dict[str, QFont]:
        """Every font the panel draws with, by role (tests check their sizes)."""
        return {"title": self.title_font, "body": self.body_font}

    def minimum_units(self) -> tuple[float, float]:
        """The smallest useful (width, height), in units."""
        return (30.0, 20.0)

    def preferred_units(self) -> tuple[float, float]:
        """The (width, height) the panel reads best at, in units."""
        return self.minimum_units()

    def minimumSizeHint(self) -> QSize:
        w, h = self.minimum_units()
        return QSize(math.floor(self.u(w)), math.floor(self.u(h)))

    def sizeHint(self) -> QSize:
        w, h = self.preferred_units()
        return QSize(math.ceil(self.u(w)), math.ceil(self.u(h)))

    # --- painting -----------------------------------------------------------------------

    def changed(self, data: object) -> bool:
        """Whether ``data`` (what a setter was given, comparable) differs from last time:
        a setter given the same figures again keeps its rendered pixmap."""
        if self._cache is not None and getattr(self, "_data", None) == data:
            return False
        self._data = data
        return True

    def invalidate(self) -> None:
        """The data, size or scale changed: render anew on the next paint."""
        self._cache = None
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        if self._cache is None or self._cache.size() != self.size() * self._ratio():
            self._cache = self._render()
        p = QPainter(self)
        clip = QRectF(event.rect())
        ratio = self._ratio()
        source = QRectF(
            clip.x() * ratio, clip.y() * ratio, clip.width() * ratio, clip.height() * ratio
        )
        p.drawPixmap(clip, self._cache, source)
        self.paint_overlay(p, clip)
        p.end()

    def _ratio(self) -> float:
        return self.devicePixelRatioF()

    def _render(self) -> QPixmap:
        ratio = self._ratio()
        pix = QPixmap(self.size() * ratio)
        pix.setDevicePixelRatio(ratio)
        pix.fill(colour("window"))
        self.text_boxes = []
        p = QPainter(pix)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        self.render_content(p)
        p.end()
        return pix

    def render_content(self, p: QPainter) -> None:
        """Paint everything that stays until the data changes (the default: the frame)."""
        self.draw_frame(p)

    def paint_overlay(self, p: QPainter, clip: QRectF) -> None:
        """Paint what moves, over the cached content; nothing by default."""

    # --- helpers for render_content -----------------------------------------------------

    def _outer(self) -> QRectF:
        m = max(1.0, self.u(0.3))
        return QRectF(self.rect()).adjusted(m, m, -m, -m)

    def frame_inner(self) -> QRectF:
        """Inside the frame's padding: where the title and the content go."""
        pad = self.u(PAD_UNITS)
        return self._outer().adjusted(pad, pad * 0.7, -pad, -pad * 0.6)

    def draw_frame(self, p: QPainter, title: str | None = None, note: str = "") -> QRectF:
        """The panel's surface, border and title (``note``: small, muted, at the title's
        right); returns the rectangle left for content."""
        p.save()
        p.setPen(QPen(colour("border"), max(1.0, self.u(0.15))))
        p.setBrush(QBrush(colour("surface")))
        p.drawRoundedRect(self._outer(), self.u(0.8), self.u(0.8))
        p.restore()
        inner = self.frame_inner()
        text = self.title if title is None else title
        if not text:
            return inner
        line = self.line_height(self.title_font)
        bar = QRectF(inner.left(), inner.top() + line * 0.18, self.u(0.45), line * 0.64)
        p.fillRect(bar, colour("accent"))
        box = QRectF(bar.right() + self.u(0.9), inner.top(), 0, line)
        box.setRight(inner.right())
        if note:
            width = min(QFontMetricsF(self.body_font).horizontalAdvance(note), box.width() / 2)
            right = QRectF(inner.right() - width, inner.top(), width, line)
            self.draw_text(p, right, note, self.body_font, colour("muted"))
            box.setRight(right.left() - self.u(1.0))
        self.draw_text(p, box, text, self.title_font, colour("text"))
        return inner.adjusted(0, line + self.u(0.4), 0, 0)

    def draw_text(
        self,
        p: QPainter,
        box: QRectF,
        text: str,
        font: QFont,
        pen: QColor,
        align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft,
    ) -> QRectF:
        """One line in ``box``, its ink centred vertically, elided at a character boundary
        when too wide (never cut mid-glyph); a box too low for the ink draws nothing.
        Returns the box the text's ink takes."""
        px = font.pixelSize()
        if box.height() < px * (INK_TOP + INK_BOTTOM) - 0.5:
            return QRectF(box.topLeft(), box.topLeft())
        metrics = QFontMetricsF(font)
        shown, room = text, box.width()
        while shown and metrics.horizontalAdvance(shown) > box.width() and room > 0:
            # elidedText may overshoot by a pixel of hinting: ask again a little narrower
            shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, room)
            room -= max(1.0, metrics.horizontalAdvance(shown) - box.width())
        if not shown:
            return QRectF(box.topLeft(), box.topLeft())
        advance = metrics.horizontalAdvance(shown)
        if align & Qt.AlignmentFlag.AlignHCenter:
            x = box.center().x() - advance / 2
        elif align & Qt.AlignmentFlag.AlignRight:
            x = box.right() - advance
        else:
            x = box.left()
        baseline = box.center().y() + px * (INK_TOP - INK_BOTTOM) / 2
        p.setFont(font)
        p.setPen(pen)
        p.drawText(QPointF(x, baseline), shown)
        used = QRectF(x, baseline - px * INK_TOP, advance, px * (INK_TOP + INK_BOTTOM))
        self.text_boxes.append(TextBox(QRectF(box), used, shown, QFont(font)))
        return used

    def line_height(self, font: QFont) -> float:
        """How far apart lines of ``font`` are set: its ink and a little air."""
        return line_height(font)

    def empty_note(self, p: QPainter, area: QRectF, text: str, pen: QColor | None = None) -> None:
        """A one-line note centred in ``area`` (no data yet)."""
        line = self.line_height(self.body_font)
        box = QRectF(area.left(), area.center().y() - line / 2, area.width(), line)
        self.draw_text(
            p, box, text, self.body_font, pen or colour("muted"), Qt.AlignmentFlag.AlignHCenter
        )
