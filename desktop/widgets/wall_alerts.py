"""The early-warning alerts open at the moment, red first: per row the severity as shape,
colour and word, the title (elided at a character, never cut mid-glyph), the unit, the
local time it was raised and whether anyone has acknowledged it.

No alerts reads "无预警" in the ok colour; more alerts than fit end in "还有 N 条".
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo
from zoneinfo import ZoneInfo

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFont, QFontMetricsF, QPainter
from PySide6.QtWidgets import QWidget

from core.wall.model import AlertRow
from desktop.widgets.wall_style import (
    SEVERITY_MARKS,
    WallPanel,
    colour,
    draw_mark,
    row_pitch,
    wall_font,
)

UNIT_MAX_UNITS = 14.0  # the unit column never takes more
TITLE_MIN_UNITS = 12.0  # below this the unit column gives way to the title


class AlertList(WallPanel):
    """One line per open alert."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = self.tr("Alerts")
        self.severity_words = {
            "red": self.tr("Red"),
            "orange": self.tr("Orange"),
            "yellow": self.tr("Yellow"),
        }
        self.status_words = {
            "raised": self.tr("Waiting"),
            "acknowledged": self.tr("Acknowledged"),
        }
        self.word_none = self.tr("No alerts")
        self.alerts: list[AlertRow] = []
        self.tz: tzinfo = ZoneInfo("UTC")

    def _fonts_changed(self) -> None:
        super()._fonts_changed()
        self.word_font = wall_font(self.unit, 2.5, bold=True)

    def fonts(self) -> dict[str, QFont]:
        return {**super().fonts(), "severity": self.word_font}

    def minimum_units(self) -> tuple[float, float]:
        return (40.0, 16.0)

    def preferred_units(self) -> tuple[float, float]:
        return (60.0, 30.0)

    def set_alerts(self, alerts: Sequence[AlertRow], tz: tzinfo) -> None:
        """Open alerts in the order to show them (red first, then newest first)."""
        if not self.changed((tuple(alerts), tz)):
            return
        self.alerts = list(alerts)
        self.tz = tz
        self.invalidate()

    # --- painting -----------------------------------------------------------------------

    def render_content(self, p: QPainter) -> None:
        note = self.tr("{count} open").format(count=len(self.alerts)) if self.alerts else ""
        area = self.draw_frame(p, note=note)
        line = self.line_height(self.body_font)
        if not self.alerts:
            mark = self.u(2.2)
            m = QFontMetricsF(self.word_font)
            width = mark + self.u(1.0) + m.horizontalAdvance(self.word_none)
            x = area.center().x() - width / 2
            y = area.center().y()
            draw_mark(p, "circle", QPointF(x + mark / 2, y), mark, colour("ok"))
            box = QRectF(x + mark + self.u(1.0), y - line / 2, width - mark - self.u(1.0), line)
            self.draw_text(p, box, self.word_none, self.word_font, colour("ok"))
            return
        pitch = row_pitch(self.body_font)
        fit = max(1, int(area.height() // pitch))
        shown = self.alerts if len(self.alerts) <= fit else self.alerts[: fit - 1]
        row_h = min(area.height() / min(len(self.alerts), fit), pitch * 1.25)
        columns = self._columns(area.width())
        for i, alert in enumerate(shown):
            self._row(
                p, alert, QRectF(area.left(), area.top() + i * row_h, area.width(), row_h), columns
            )
        if len(shown) < len(self.alerts):
            more = self.tr("{count} more").format(count=len(self.alerts) - len(shown))
            box = QRectF(area.left(), area.top() + len(shown) * row_h, area.width(), row_h)
            self.draw_text(p, box, more, self.body_font, colour("muted"))

    def _columns(self, width: float) -> dict[str, float]:
        """Widths of mark, word, title, unit, time and status; the title takes the rest."""
        m = QFontMetricsF(self.body_font)
        wm = QFontMetricsF(self.word_font)
        gap = self.u(1.2)
        cols = {
            "mark": self.u(2.8),
            "word": max(wm.horizontalAdvance(w) for w in self.severity_words.values()) + gap,
            "time": m.horizontalAdvance("00:00") + gap,
            "status": max(m.horizontalAdvance(w) for w in self.status_words.values()),
        }
        units = [a.unit_name for a in self.alerts if a.unit_name]
        unit_w = max([m.horizontalAdvance(u) for u in units] or [0.0])
        cols["unit"] = min(unit_w, self.u(UNIT_MAX_UNITS)) + gap if units else 0.0
        rest = width - sum(cols.values()) - gap
        if rest < self.u(TITLE_MIN_UNITS):
            rest += cols["unit"]
            cols["unit"] = 0.0
        cols["title"] = max(rest, 0.0)
        cols["gap"] = gap
        return cols

    def _row(self, p: QPainter, alert: AlertRow, row: QRectF, cols: dict[str, float]) -> None:
        token, shape = SEVERITY_MARKS.get(alert.severity, ("muted", "circle"))
        tint = colour(token)
        x = row.left()
        draw_mark(p, shape, QPointF(x + self.u(1.1), row.center().y()), self.u(2.2), tint)
        x += cols["mark"]
        word = self.severity_words.get(alert.severity, alert.severity)
        self.draw_text(
            p, QRectF(x, row.top(), cols["word"], row.height()), word, self.word_font, tint
        )
        x += cols["word"]
        self.draw_text(
            p,
            QRectF(x, row.top(), cols["title"], row.height()),
            alert.title,
            self.body_font,
            colour("text"),
        )
        x += cols["title"] + cols["gap"]
        if cols["unit"] and alert.unit_name:
            box = QRectF(x, row.top(), cols["unit"] - cols["gap"], row.height())
            self.draw_text(p, box, alert.unit_name, self.body_font, colour("muted"))
        x += cols["unit"]
        at = alert.raised_at.astimezone(self.tz)
        self.draw_text(
            p,
            QRectF(x, row.top(), cols["time"], row.height()),
            f"{at:%H:%M}",
            self.body_font,
            colour("text"),
        )
        x += cols["time"]
        waiting = alert.status == "raised"
        status = self.status_words.get(alert.status, alert.status)
        self.draw_text(
            p,
            QRectF(x, row.top(), cols["status"], row.height()),
            status,
            self.body_font,
            colour("warning" if waiting else "muted"),
            Qt.AlignmentFlag.AlignRight,
        )
