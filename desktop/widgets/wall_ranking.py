"""The units' composite scores for the month: the five best beside the five worst, each
row with its rank, the unit's name and the score to one decimal.

The column heads say which is which (前五 / 后五) in words; their colours only repeat it.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter
from PySide6.QtWidgets import QWidget

from core.wall.model import RankRow
from desktop.widgets.wall_style import WallPanel, colour, row_pitch, wall_font

ROW_MAX_UNITS = 5.0
HEAD_UNITS = 2.5


class RankingPanel(WallPanel):
    """Two columns, best first on the left, worst first on the right."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = self.tr("Unit ranking")
        self.word_best = self.tr("Top five")
        self.word_worst = self.tr("Bottom five")
        self.word_empty = self.tr("No scores yet")
        self.best: list[RankRow] = []
        self.worst: list[RankRow] = []
        self.period = ""

    def _fonts_changed(self) -> None:
        super()._fonts_changed()
        self.head_font = wall_font(self.unit, HEAD_UNITS, bold=True)
        self.score_font = wall_font(self.unit, 2.5, bold=True)

    def fonts(self) -> dict[str, QFont]:
        return {**super().fonts(), "head": self.head_font, "score": self.score_font}

    def minimum_units(self) -> tuple[float, float]:
        return (44.0, 19.0)

    def preferred_units(self) -> tuple[float, float]:
        return (55.0, 30.0)

    def set_ranking(self, best: Sequence[RankRow], worst: Sequence[RankRow], period: str) -> None:
        """``best`` best first, ``worst`` worst first; ``period`` such as 2026-12."""
        if not self.changed((tuple(best), tuple(worst), period)):
            return
        self.best = list(best)
        self.worst = list(worst)
        self.period = period
        self.invalidate()

    # --- painting -----------------------------------------------------------------------

    def render_content(self, p: QPainter) -> None:
        area = self.draw_frame(p, note=self.period)
        if not self.best and not self.worst:
            self.empty_note(p, area, self.word_empty)
            return
        gap = self.u(2.0)
        half = (area.width() - gap) / 2
        left = QRectF(area.left(), area.top(), half, area.height())
        right = QRectF(area.right() - half, area.top(), half, area.height())
        p.fillRect(
            QRectF(area.center().x() - 0.5, area.top(), max(1.0, self.u(0.1)), area.height()),
            colour("border"),
        )
        self._column(p, left, self.word_best, self.best, colour("ok"))
        self._column(p, right, self.word_worst, self.worst, colour("danger"))

    def _column(
        self, p: QPainter, area: QRectF, head: str, rows: Sequence[RankRow], accent: QColor
    ) -> None:
        head_h = self.line_height(self.head_font)
        self.draw_text(
            p, QRectF(area.left(), area.top(), area.width(), head_h), head, self.head_font, accent
        )
        body = area.adjusted(0, head_h + self.u(0.2), 0, 0)
        fit = max(1, int(body.height() // row_pitch(self.score_font)))
        shown = rows[:fit]
        if not shown:
            return
        row_h = min(body.height() / len(shown), self.u(ROW_MAX_UNITS))
        sm = QFontMetricsF(self.score_font)
        score_w = max(sm.horizontalAdvance(f"{r.score:.1f}") for r in shown) + self.u(0.8)
        bm = QFontMetricsF(self.body_font)
        badge = max(
            [self.u(3.4), *(bm.horizontalAdvance(str(r.rank)) + self.u(1.2) for r in shown)]
        )
        disc = min(self.u(3.4), row_h * 0.94)
        for i, r in enumerate(shown):
            row = QRectF(body.left(), body.top() + i * row_h, body.width(), row_h)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QBrush(colour("surface_alt")))
            back = QRectF(row.left(), row.center().y() - disc / 2, badge, disc)
            p.drawRoundedRect(back, disc / 2, disc / 2)
            rank_box = QRectF(row.left(), row.top(), badge, row_h)
            self.draw_text(
                p, rank_box, str(r.rank), self.body_font, accent, Qt.AlignmentFlag.AlignHCenter
            )
            name_box = QRectF(row.left() + badge + self.u(1.0), row.top(), 0, row_h)
            name_box.setRight(row.right() - score_w)
            self.draw_text(p, name_box, r.name, self.body_font, colour("text"))
            self.draw_text(
                p,
                QRectF(row.right() - score_w, row.top(), score_w, row_h),
                f"{r.score:.1f}",
                self.score_font,
                colour("text"),
                Qt.AlignmentFlag.AlignRight,
            )
