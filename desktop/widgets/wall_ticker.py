"""One line of the latest events moving right to left at a fixed speed (a marquee):
"10:32 城关镇 受理 QH2026-000123 路灯不亮 · 10:31 …", the event's verb in its colour
(overdue red with a triangle, due soon amber with a diamond, closed green).

Each event is laid out once into its own pixmap; the line is a belt of those pixmaps, so a
frame only blits. New events join the belt at its end, newest first: what is on screen
never jumps. One ~30 fps timer runs while the ticker is visible, not paused and not empty.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo
from zoneinfo import ZoneInfo

from PySide6.QtCore import QElapsedTimer, QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import (
    QBrush,
    QCloseEvent,
    QColor,
    QFont,
    QFontMetricsF,
    QHideEvent,
    QLinearGradient,
    QPainter,
    QPixmap,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtWidgets import QWidget

from core.wall.model import TickerItem
from desktop.widgets.wall_style import WallPanel, colour, draw_mark, wall_font

LINE_UNITS = 2.8
SPEED_UNITS = 8.0  # units per second
FRAME_MS = 33
TITLE_MAX_UNITS = 40.0  # a longer order title is elided
FADE_UNITS = 3.0
MAX_STEP_S = 0.25  # after a stall, move no further than this much time's worth
# event kind → colour token and shape before the verb ("" none)
TONES = {
    "limit_overdue": ("danger", "triangle"),
    "overdue": ("danger", "triangle"),
    "limit_warned": ("warning", "diamond"),
    "warning": ("warning", "diamond"),
    "escalated": ("warning", ""),
    "supervised": ("warning", ""),
    "returned": ("warning", ""),
    "review_failed": ("warning", ""),
    "closed": ("ok", ""),
    "visit_expired": ("ok", ""),
    "visit_recorded": ("ok", ""),
    "review_passed": ("ok", ""),
    "result_submitted": ("ok", ""),
}


class Ticker(WallPanel):
    """The marquee of the newest events, with a fixed "live" tag at its left."""

    def __init__(self, parent: QWidget | None = None, *, speed_units: float = SPEED_UNITS) -> None:
        super().__init__(parent)
        self.speed_units = speed_units
        self.tag = self.tr("Live")
        self.word_empty = self.tr("No recent events")
        self.verbs = {
            "registered": self.tr("Received"),
            "answered_on_spot": self.tr("Answered on the spot"),
            "dispatched": self.tr("Dispatched"),
            "accepted": self.tr("Accepted"),
            "returned": self.tr("Returned"),
            "passed_down": self.tr("Passed down"),
            "reassigned": self.tr("Reassigned"),
            "escalated": self.tr("Escalated"),
            "pause_approved": self.tr("Paused"),
            "resumed": self.tr("Resumed"),
            "extension_approved": self.tr("Extended"),
            "result_submitted": self.tr("Result submitted"),
            "review_passed": self.tr("Review passed"),
            "review_failed": self.tr("Sent back for rework"),
            "visit_recorded": self.tr("Return visit"),
            "visit_expired": self.tr("Closed"),
            "closed": self.tr("Closed"),
            "reopened": self.tr("Reopened"),
            "merged": self.tr("Merged"),
            "transferred": self.tr("Transferred out"),
            "voided": self.tr("Voided"),
            "supervised": self.tr("Supervised"),
            "limit_warned": self.tr("Due soon"),
            "warning": self.tr("Due soon"),
            "limit_overdue": self.tr("Overdue"),
            "overdue": self.tr("Overdue"),
        }
        self.word_other = self.tr("Updated")
        self.items: list[TickerItem] = []
        self.tz: tzinfo = ZoneInfo("UTC")
        self.scroll_offset = 0.0  # pixels moved since the ticker was built
        self.paused = False
        self._pixmaps: dict[int, QPixmap] = {}  # event id → its laid-out line
        self._belt: list[QPixmap] = []  # what is on (or just right of) the screen
        self._head = 0.0  # x of the belt's first pixmap, from the scroll area's left
        self._next = 0  # index into items of the next to join the belt
        self._newest_joined = -1  # the newest event id that joined the belt
        self._area: tuple[tuple[int, int, float, str], QRectF] | None = None
        self._fades: list[tuple[QRectF, QBrush]] = []  # made with the cached background
        self._clock = QElapsedTimer()
        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(FRAME_MS)
        self.timer.timeout.connect(self._tick)

    def _fonts_changed(self) -> None:
        super()._fonts_changed()
        self.line_font = wall_font(self.unit, LINE_UNITS)
        self.strong_font = wall_font(self.unit, LINE_UNITS, bold=True)
        self._pixmaps = {}  # laid out anew at the new size
        self._belt = []
        self._head = 0.0
        self._next = 0

    def fonts(self) -> dict[str, QFont]:
        return {"tag": self.strong_font, "line": self.line_font, "verb": self.strong_font}

    def minimum_units(self) -> tuple[float, float]:
        return (60.0, 5.0)

    def preferred_units(self) -> tuple[float, float]:
        return (120.0, 5.5)

    # --- data ---------------------------------------------------------------------------

    def set_items(self, items: Sequence[TickerItem], tz: tzinfo) -> None:
        """The newest events, newest first. What is on screen stays; the newest not yet
        shown joins the belt next."""
        coming = self.items[self._next].event_id if self._next < len(self.items) else None
        self.items = list(items)
        self.tz = tz
        ids = [i.event_id for i in self.items]
        keep = {i.event_id for i in self.items}
        self._pixmaps = {k: v for k, v in self._pixmaps.items() if k in keep}
        if any(i > self._newest_joined for i in ids):
            self._next = 0
        else:
            self._next = ids.index(coming) if coming in ids else 0
        self._fill()
        self.invalidate()
        self._sync_timer()

    def restart(self) -> None:
        """Empty the line (another page, another moment): the next ``set_items`` starts
        afresh from its newest event instead of finishing what scrolls now."""
        self.items = []
        self._pixmaps = {}
        self._belt = []
        self._head = 0.0
        self._next = 0
        self._newest_joined = -1
        self.invalidate()
        self._sync_timer()

    def pause(self, paused: bool) -> None:
        """Stop (True) or resume the scrolling where it stands."""
        self.paused = paused
        self._sync_timer()

    # --- the belt -----------------------------------------------------------------------

    def scroll_area(self) -> QRectF:
        """Where the line moves (right of the tag); kept until the size or scale changes."""
        key = (self.width(), self.height(), self.unit, self.tag)
        if self._area is None or self._area[0] != key:
            self._area = (key, self._measure_area())
        return QRectF(self._area[1])

    def _measure_area(self) -> QRectF:
        m = QFontMetricsF(self.strong_font)
        tag_w = m.horizontalAdvance(self.tag) + self.u(3.0)
        inner = QRectF(self.rect()).adjusted(self.u(0.3), self.u(0.3), -self.u(0.3), -self.u(0.3))
        return inner.adjusted(tag_w + self.u(1.0), 0, -self.u(1.0), 0)

    def _pixmap(self, item: TickerItem) -> QPixmap:
        pix = self._pixmaps.get(item.event_id)
        if pix is None:
            pix = self._pixmaps[item.event_id] = self._lay_out(item)
        return pix

    def _lay_out(self, item: TickerItem) -> QPixmap:
        """The event as one line: time, place, verb (with its shape), number, title, and
        a dot to part it from the next."""
        m = QFontMetricsF(self.line_font)
        tone, shape = TONES.get(item.kind, ("accent", ""))
        title = m.elidedText(item.title or "", Qt.TextElideMode.ElideRight, self.u(TITLE_MAX_UNITS))
        at = item.at.astimezone(self.tz)
        verb = self.verbs.get(item.kind, self.word_other)
        # (text, font, colour); None: the verb's shape
        runs: list[tuple[str | None, QFont, QColor]] = [
            (f"{at:%H:%M}", self.line_font, colour("muted")),
            (item.place or "", self.strong_font, colour("text")),
            *([(None, self.strong_font, colour(tone))] if shape else []),
            (verb, self.strong_font, colour(tone)),
            (item.order_number or "", self.line_font, colour("muted")),
            (title, self.line_font, colour("text")),
        ]
        gap = m.horizontalAdvance(" ") * 1.2
        mark = self.u(2.0)
        placed: list[tuple[float, str | None, QFont, QColor]] = []
        x = 0.0
        for text, font, pen in runs:
            if text is None:
                placed.append((x, None, font, pen))
                x += mark + gap / 2
            elif text:
                placed.append((x, text, font, pen))
                x += QFontMetricsF(font).horizontalAdvance(text) + gap
        dot = x - gap + self.u(3.0)
        total = dot + m.horizontalAdvance("·") + self.u(3.0)
        height = m.height()
        ratio = self.devicePixelRatioF()
        pix = QPixmap(int(total * ratio) + 1, int(height * ratio) + 1)
        pix.setDevicePixelRatio(ratio)
        pix.fill(colour("surface"))
        p = QPainter(pix)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        base = m.ascent()
        for at_x, text, font, pen in placed:
            if text is None:
                draw_mark(p, shape, QPointF(at_x + mark / 2, height / 2), mark * 0.9, pen)
                continue
            p.setFont(font)
            p.setPen(pen)
            p.drawText(QPointF(at_x, base), text)
        p.setFont(self.line_font)
        p.setPen(colour("muted"))
        p.drawText(QPointF(dot, base), "·")
        p.end()
        return pix

    def _fill(self) -> None:
        """Add events at the belt's end until it reaches past the right edge."""
        if not self.items:
            return
        ratio = self.devicePixelRatioF()
        width = self.scroll_area().width()
        if not self._belt:
            self._head = self.u(FADE_UNITS)  # the first event starts clear of the fade
        end = self._head + sum(p.width() / ratio for p in self._belt)
        while end < width + 1:
            if self._next >= len(self.items):
                self._next = 0
            item = self.items[self._next]
            pix = self._pixmap(item)
            self._belt.append(pix)
            self._newest_joined = max(self._newest_joined, item.event_id)
            self._next += 1
            end += pix.width() / ratio

    def advance(self, pixels: float) -> None:
        """Move the line ``pixels`` to the left (the timer calls this; tests may too)."""
        self.scroll_offset += pixels
        self._head -= pixels
        ratio = self.devicePixelRatioF()
        while self._belt and self._head + self._belt[0].width() / ratio <= 0:
            self._head += self._belt.pop(0).width() / ratio
        self._fill()
        self.update(self.scroll_area().toAlignedRect())

    def _tick(self) -> None:
        seconds = min(self._clock.restart() / 1000.0, MAX_STEP_S)
        self.advance(self.u(self.speed_units) * seconds)

    def _sync_timer(self) -> None:
        needed = self.isVisible() and not self.paused and bool(self.items)
        if needed and not self.timer.isActive():
            self._clock.start()
            self.timer.start()
        elif not needed and self.timer.isActive():
            self.timer.stop()

    # --- painting -----------------------------------------------------------------------

    def render_content(self, p: QPainter) -> None:
        inner = QRectF(self.rect()).adjusted(self.u(0.3), self.u(0.3), -self.u(0.3), -self.u(0.3))
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(colour("surface"))
        p.drawRoundedRect(inner, self.u(0.6), self.u(0.6))
        area = self.scroll_area()
        tag = QRectF(
            inner.left(), inner.top(), area.left() - self.u(1.0) - inner.left(), inner.height()
        )
        p.setBrush(colour("accent"))
        p.drawRoundedRect(tag, self.u(0.6), self.u(0.6))
        self.draw_text(
            p, tag, self.tag, self.strong_font, colour("accent_text"), Qt.AlignmentFlag.AlignHCenter
        )
        if not self.items:
            self.draw_text(p, area, self.word_empty, self.line_font, colour("muted"))
        self._fades = []
        width = self.u(FADE_UNITS)
        for x0, x1 in ((area.left(), area.left() + width), (area.right(), area.right() - width)):
            ramp = QLinearGradient(QPointF(x0, 0), QPointF(x1, 0))
            solid, clear = colour("surface"), colour("surface")
            clear.setAlpha(0)
            ramp.setColorAt(0, solid)
            ramp.setColorAt(1, clear)
            edge = QRectF(min(x0, x1), area.top(), width, area.height())
            self._fades.append((edge, QBrush(ramp)))

    def paint_overlay(self, p: QPainter, clip: QRectF) -> None:
        if not self._belt:
            return
        area = self.scroll_area()
        p.setClipRect(area)
        ratio = self.devicePixelRatioF()
        x = area.left() + self._head
        y = area.center().y() - self._belt[0].height() / ratio / 2
        for pix in self._belt:
            w = pix.width() / ratio
            if x + w >= clip.left() and x <= clip.right():
                p.drawPixmap(QPointF(round(x), round(y)), pix)
            x += w
        for edge, brush in self._fades:  # the line comes and goes softly at both ends
            p.fillRect(edge, brush)

    def set_scale(self, unit: float) -> None:
        super().set_scale(unit)
        self._fill()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fill()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._fill()
        self._sync_timer()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self._sync_timer()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.timer.stop()
        super().closeEvent(event)
