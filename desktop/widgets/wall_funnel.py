"""Open orders by the tier holding them (county, town, village) and by state: one stacked
bar per tier, as long as its total against the busiest tier, centred so the rows read as a
funnel; each segment carries its count, and a key under the rows names the states.

A segment is given at least the width its count needs while the row has room, so the
counts stay readable even where one state dwarfs the others.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFont, QFontMetricsF, QPainter
from PySide6.QtWidgets import QWidget

from core.wall.model import FUNNEL_STATES, TIERS
from desktop.widgets.wall_style import WallPanel, colour, fmt_count, wall_font

STATE_COLOURS = {
    "registered": "warning",
    "dispatched": "ramp_high",
    "in_progress": "accent",
    "paused": "muted",
    "pending_review": "ok",
    "pending_visit": "text",
}
TIER_UNITS = 2.8
ROW_MAX_UNITS = 6.5


class LevelFunnel(WallPanel):
    """Per tier, a row of segments by state with counts."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = self.tr("Open orders by level")
        self.tier_names = {1: self.tr("County"), 2: self.tr("Town"), 3: self.tr("Village")}
        self.state_names = {
            "registered": self.tr("To dispatch"),
            "dispatched": self.tr("To accept"),
            "in_progress": self.tr("In progress"),
            "paused": self.tr("Paused"),
            "pending_review": self.tr("To review"),
            "pending_visit": self.tr("To visit"),
        }
        self.funnel: dict[tuple[int, str], int] = {}

    def _fonts_changed(self) -> None:
        super()._fonts_changed()
        self.tier_font = wall_font(self.unit, TIER_UNITS, bold=True)
        self.count_font = wall_font(self.unit, 2.5, bold=True)

    def fonts(self) -> dict[str, QFont]:
        return {**super().fonts(), "tier": self.tier_font, "count": self.count_font}

    def minimum_units(self) -> tuple[float, float]:
        return (48.0, 19.0)

    def preferred_units(self) -> tuple[float, float]:
        return (55.0, 28.0)

    def set_funnel(self, funnel: Mapping[tuple[int, str], int]) -> None:
        """``funnel[(tier, state)]``: open orders held at that tier in that state."""
        if not self.changed(dict(funnel)):
            return
        self.funnel = dict(funnel)
        self.invalidate()

    # --- painting -----------------------------------------------------------------------

    def render_content(self, p: QPainter) -> None:
        area = self.draw_frame(p)
        rows, key, columns = self._split(area)
        self._key(p, key, columns)
        tm = QFontMetricsF(self.tier_font)
        label_w = max(tm.horizontalAdvance(n) for n in self.tier_names.values()) + self.u(1.2)
        totals = {t: sum(self.funnel.get((t, s), 0) for s in FUNNEL_STATES) for t in TIERS}
        total_w = max(tm.horizontalAdvance(fmt_count(v)) for v in totals.values()) + self.u(1.2)
        row_h = min(rows.height() / len(TIERS), self.u(ROW_MAX_UNITS))
        top = rows.top() + (rows.height() - row_h * len(TIERS)) / 2
        biggest = max(totals.values()) or 1
        for i, tier in enumerate(TIERS):
            row = QRectF(rows.left(), top + i * row_h, rows.width(), row_h)
            name_box = QRectF(row.left(), row.top(), label_w, row_h)
            self.draw_text(p, name_box, self.tier_names[tier], self.tier_font, colour("text"))
            self.draw_text(
                p,
                QRectF(row.right() - total_w, row.top(), total_w, row_h),
                fmt_count(totals[tier]),
                self.tier_font,
                colour("text"),
                Qt.AlignmentFlag.AlignRight,
            )
            track = QRectF(row.left() + label_w, row.top() + row_h * 0.1, 0, row_h * 0.8)
            track.setRight(row.right() - total_w - self.u(0.6))
            self._bar(p, tier, track, totals[tier] / biggest)

    def _key_item_width(self) -> float:
        m = QFontMetricsF(self.body_font)
        widest = max(m.horizontalAdvance(n) for n in self.state_names.values())
        return self.u(1.8) + self.u(0.6) + widest

    def _split(self, area: QRectF) -> tuple[QRectF, QRectF, int]:
        """Where the rows and the key go: the key under the rows when there is height for
        both, else in one or two columns at the right; returns (rows, key, key columns)."""
        line = self.line_height(self.body_font)
        rows_need = self.line_height(self.tier_font) * 1.1 * len(TIERS)
        item, gap = self._key_item_width(), self.u(1.6)
        n = len(FUNNEL_STATES)
        across = max(1, min(n, int((area.width() + gap) // (item + gap))))
        under = -(-n // across) * line
        if under + self.u(0.6) + rows_need <= area.height():
            key = QRectF(area.left(), area.bottom() - under, area.width(), under)
            return area.adjusted(0, 0, 0, -(under + self.u(0.6))), key, across
        for columns in (2, 1):
            height = -(-n // columns) * line
            width = columns * (item + gap)
            if height <= area.height() and area.width() - width >= self.u(22.0):
                key = QRectF(area.right() - width + gap, area.top(), width - gap, height)
                key.moveTop(area.center().y() - height / 2)
                return area.adjusted(0, 0, -width, 0), key, columns
        key = QRectF(area.left(), area.bottom() - under, area.width(), under)
        return area.adjusted(0, 0, 0, -(under + self.u(0.6))), key, across

    def _bar(self, p: QPainter, tier: int, track: QRectF, share: float) -> None:
        p.fillRect(track, colour("surface_alt"))
        counts = [self.funnel.get((tier, s), 0) for s in FUNNEL_STATES]
        shown = [(s, c) for s, c in zip(FUNNEL_STATES, counts, strict=True) if c > 0]
        if not shown:
            return
        m = QFontMetricsF(self.count_font)
        gap = max(1.0, self.u(0.25))
        gaps = gap * (len(shown) - 1)
        needs = [m.horizontalAdvance(fmt_count(c)) + self.u(1.2) for _, c in shown]
        length = track.width() * share
        labelled = sum(needs) + gaps <= track.width()
        if labelled:
            length = max(length, sum(needs) + gaps)
            widths = _fill([c for _, c in shown], needs, length - gaps)
        else:
            total = sum(c for _, c in shown)
            widths = [(length - gaps) * c / total for _, c in shown]
        x = track.center().x() - length / 2
        for (state, count), w, need in zip(shown, widths, needs, strict=True):
            seg = QRectF(x, track.top(), max(w, 1.0), track.height())
            p.fillRect(seg, colour(STATE_COLOURS[state]))
            if w >= need - 0.5:
                self.draw_text(
                    p,
                    seg,
                    fmt_count(count),
                    self.count_font,
                    colour("accent_text"),
                    Qt.AlignmentFlag.AlignHCenter,
                )
            x += w + gap

    def _key(self, p: QPainter, area: QRectF, columns: int) -> None:
        """The states' colours and names on a grid of ``columns``."""
        line = self.line_height(self.body_font)
        sw = self.u(1.8)
        width = (area.width() + self.u(1.6)) / columns
        for i, state in enumerate(FUNNEL_STATES):
            row, col = divmod(i, columns)
            x, y = area.left() + col * width, area.top() + row * line
            p.fillRect(QRectF(x, y + (line - sw) / 2, sw, sw), colour(STATE_COLOURS[state]))
            box = QRectF(x + sw + self.u(0.6), y, width - sw - self.u(2.2), line)
            self.draw_text(p, box, self.state_names[state], self.body_font, colour("muted"))


def _fill(counts: Sequence[int], needs: Sequence[float], length: float) -> list[float]:
    """Widths summing to ``length``, proportional to ``counts`` except that none is below
    its need (water-filling: the small ones get their need, the rest share what is left)."""
    fixed: set[int] = set()
    while True:
        free = length - sum(needs[i] for i in fixed)
        weight = sum(c for i, c in enumerate(counts) if i not in fixed)
        k = free / weight if weight else 0.0
        more = {i for i, c in enumerate(counts) if i not in fixed and k * c < needs[i]}
        if not more or len(fixed | more) == len(counts):
            fixed |= more
            break
        fixed |= more
    free = length - sum(needs[i] for i in fixed)
    weight = sum(c for i, c in enumerate(counts) if i not in fixed)
    if not weight:  # every segment at its need: stretch them all alike
        stretch = length / sum(needs)
        return [n * stretch for n in needs]
    return [needs[i] if i in fixed else free / weight * c for i, c in enumerate(counts)]
