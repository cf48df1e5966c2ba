"""Horizontal bars with names and counts, largest first: the mix of open orders by category,
or open disputes by risk grade (红/橙/黄/绿, each in its colour, with its shape and word).

At most ``top_n`` rows, and no more than fit at the wall's text size; what does not fit is
summed into a last "Other" row, so the counts still add up to the total.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFont, QFontMetricsF, QPainter
from PySide6.QtWidgets import QWidget

from core.wall.model import RISK_GRADES, CategoryShare
from desktop import labels
from desktop.widgets.wall_style import (
    WallPanel,
    colour,
    draw_mark,
    fmt_count,
    row_pitch,
    wall_font,
)

RISK_MARKS = {
    "red": ("danger", "triangle"),
    "orange": ("ramp_high", "diamond"),
    "yellow": ("warning", "ring"),
    "green": ("ok", "circle"),
}
ROW_MAX_UNITS = 5.5
NAME_SHARE = 0.42  # the name column takes at most this much of the width


class ShareBars(WallPanel):
    """Names, bars and counts, one row per item."""

    def __init__(self, parent: QWidget | None = None, *, top_n: int = 6) -> None:
        super().__init__(parent)
        self.top_n = top_n
        self.word_other = self.tr("Other")
        self.word_empty = self.tr("No open orders")
        self.items: list[tuple[str, int]] = []
        self.tokens: list[str] = []  # colour token per item
        self.marks: list[str] = []  # shape per item ("" for none)

    def _fonts_changed(self) -> None:
        super()._fonts_changed()
        self.count_font = wall_font(self.unit, 2.5, bold=True)

    def fonts(self) -> dict[str, QFont]:
        return {**super().fonts(), "count": self.count_font}

    def minimum_units(self) -> tuple[float, float]:
        return (30.0, 16.0)

    def preferred_units(self) -> tuple[float, float]:
        return (45.0, 28.0)

    def set_shares(
        self,
        items: Sequence[tuple[str, int]],
        title: str,
        *,
        colours: Sequence[str] | None = None,
        marks: Sequence[str] | None = None,
    ) -> None:
        """``items``: (name, count), drawn in the given order; ``colours``: a ``theme.WALL``
        token per item (default accent); ``marks``: a shape per item (see ``draw_mark``)."""
        if not self.changed((tuple(items), title, tuple(colours or ()), tuple(marks or ()))):
            return
        self.items = [(name, int(count)) for name, count in items]
        self.title = title
        self.tokens = list(colours) if colours is not None else ["accent"] * len(self.items)
        self.marks = list(marks) if marks is not None else [""] * len(self.items)
        self.invalidate()

    def set_categories(self, shares: Sequence[CategoryShare]) -> None:
        """The category mix of open orders, largest first."""
        ordered = sorted(shares, key=lambda s: -s.count)
        self.set_shares([(s.name, s.count) for s in ordered], self.tr("Open orders by category"))

    def set_risk(self, by_grade: Mapping[str, int]) -> None:
        """Open disputes by risk grade, red to green, each grade in its colour and shape."""
        self.set_shares(
            [(labels.risk_grade(g), by_grade.get(g, 0)) for g in RISK_GRADES],
            self.tr("Disputes by risk grade"),
            colours=[RISK_MARKS[g][0] for g in RISK_GRADES],
            marks=[RISK_MARKS[g][1] for g in RISK_GRADES],
        )

    def rows(self, fit: int) -> list[tuple[str, int, str, str]]:
        """The rows to draw when ``fit`` rows fit: the first ones, the rest as "Other"."""
        rows = [
            (name, count, token, mark)
            for (name, count), token, mark in zip(self.items, self.tokens, self.marks, strict=True)
        ]
        limit = max(1, min(self.top_n, fit))
        if len(rows) <= limit:
            return rows
        rest = sum(r[1] for r in rows[limit - 1 :])
        return [*rows[: limit - 1], (self.word_other, rest, "muted", "")]

    # --- painting -----------------------------------------------------------------------

    def render_content(self, p: QPainter) -> None:
        area = self.draw_frame(p)
        if not self.items or not any(c for _, c in self.items):
            self.empty_note(p, area, self.word_empty)
            return
        rows = self.rows(int(area.height() // row_pitch(self.body_font)))
        row_h = min(area.height() / len(rows), self.u(ROW_MAX_UNITS))
        m = QFontMetricsF(self.body_font)
        mark_w = self.u(2.6) if any(r[3] for r in rows) else 0.0
        name_w = min(
            max(m.horizontalAdvance(r[0]) for r in rows) + self.u(1.0),
            area.width() * NAME_SHARE,
        )
        cm = QFontMetricsF(self.count_font)
        count_w = max(cm.horizontalAdvance(fmt_count(r[1])) for r in rows) + self.u(1.0)
        top = max(r[1] for r in rows) or 1
        for i, (name, count, token, mark) in enumerate(rows):
            row = QRectF(area.left(), area.top() + i * row_h, area.width(), row_h)
            x = row.left()
            if mark:
                draw_mark(
                    p, mark, QPointF(x + self.u(1.0), row.center().y()), self.u(2.0), colour(token)
                )
            x += mark_w
            self.draw_text(
                p, QRectF(x, row.top(), name_w, row_h), name, self.body_font, colour("text")
            )
            track = QRectF(x + name_w, row.center().y() - row_h * 0.27, 0, row_h * 0.54)
            track.setRight(row.right() - count_w)
            p.fillRect(track, colour("surface_alt"))
            bar = QRectF(track.left(), track.top(), track.width() * count / top, track.height())
            p.fillRect(bar, colour(token))
            self.draw_text(
                p,
                QRectF(row.right() - count_w, row.top(), count_w, row_h),
                fmt_count(count),
                self.count_font,
                colour("text"),
                Qt.AlignmentFlag.AlignRight,
            )
