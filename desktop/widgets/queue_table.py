"""One queue of a dispatch panel: a lazy table model over ``core.queues.QueueRow`` pages.

The database filters and sorts (``core.queues.page``); this model only holds the pages
loaded so far and asks for the next one through ``fetch_did_start``, so a queue of any
length costs one page of rows. A header click asks for a new sort (``sort_did_change``)
instead of sorting here: a proxy sort of a big table takes tens of seconds.

Every row shows how long until its next deadline, and its SLA state by an icon of its
own shape and a word as well as a colour, so nobody needs to tell red from amber.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import IntEnum
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPointF,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import QHeaderView, QWidget

from core.queues import QueueRow, Sort
from desktop import labels, theme
from desktop.widgets.paged_model import PagedModel
from desktop.widgets.table_view import RowTableView

Index = QModelIndex | QPersistentModelIndex
_DISPLAY = Qt.ItemDataRole.DisplayRole
_DECORATION = Qt.ItemDataRole.DecorationRole
_FOREGROUND = Qt.ItemDataRole.ForegroundRole
_BACKGROUND = Qt.ItemDataRole.BackgroundRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
TIME_FORMAT = "%m-%d %H:%M"


class Col(IntEnum):
    DUE = 0
    NUMBER = 1
    URGENCY = 2
    TITLE = 3
    CATEGORY = 4
    LOCATION = 5
    HOLDER = 6
    MARKS = 7
    REGISTERED = 8
    RESULT = 9  # shown on the review and visit queues only
    CALLER = 10  # shown on the visit queue only: who to call back (number masked)


# Columns the database can sort by; the others ignore a header click.
SORTS = {
    Col.DUE: Sort.DEADLINE,
    Col.NUMBER: Sort.NUMBER,
    Col.URGENCY: Sort.URGENCY,
    Col.REGISTERED: Sort.REGISTERED,
}
WIDTHS = {
    Col.DUE: 190,
    Col.NUMBER: 150,
    Col.URGENCY: 70,
    Col.CATEGORY: 150,
    Col.LOCATION: 200,
    Col.HOLDER: 140,
    Col.MARKS: 150,
    Col.REGISTERED: 110,
    Col.CALLER: 170,
}


class Sla(IntEnum):
    NONE = 0
    ON_TIME = 1
    WARNING = 2
    OVERDUE = 3
    PAUSED = 4


def sla_of(row: QueueRow) -> Sla:
    if row.paused:
        return Sla.PAUSED
    if row.due_at is None:
        return Sla.NONE
    if row.overdue:
        return Sla.OVERDUE
    return Sla.WARNING if row.warning else Sla.ON_TIME


def span(seconds: float) -> tuple[int, int, int]:
    s = int(abs(seconds))
    return s // 86400, s % 86400 // 3600, s % 3600 // 60


_ICONS: dict[Sla, QIcon] = {}


def sla_icon(sla: Sla) -> QIcon:
    """A shape per state: circle on time, diamond warning, triangle overdue, bars paused."""
    icon = _ICONS.get(sla)
    if icon is not None:
        return icon
    size = 16
    pix = QPixmap(size, size)
    pix.fill(QColor(0, 0, 0, 0))
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    colour = {
        Sla.ON_TIME: theme.color("ok"),
        Sla.WARNING: theme.color("warning"),
        Sla.OVERDUE: theme.color("danger"),
        Sla.PAUSED: theme.color("muted"),
        Sla.NONE: theme.color("border"),
    }[sla]
    p.setPen(QPen(colour.darker(120), 1))
    p.setBrush(QBrush(colour))
    if sla is Sla.ON_TIME or sla is Sla.NONE:
        p.drawEllipse(3, 3, 10, 10)
    elif sla is Sla.WARNING:
        diamond = [QPointF(8, 1.5), QPointF(14.5, 8), QPointF(8, 14.5), QPointF(1.5, 8)]
        p.drawPolygon(QPolygonF(diamond))
    elif sla is Sla.OVERDUE:
        p.drawPolygon(QPolygonF([QPointF(8, 1.5), QPointF(15, 14), QPointF(1, 14)]))
        p.setPen(QPen(QColor("white"), 1.6))
        p.drawLine(QPointF(8, 5.5), QPointF(8, 9.5))
        p.drawPoint(QPointF(8, 11.8))
    else:
        p.setPen(Qt.PenStyle.NoPen)
        p.drawRect(3, 2, 4, 12)
        p.drawRect(9, 2, 4, 12)
    p.end()
    icon = _ICONS[sla] = QIcon(pix)
    return icon


class QueueModel(PagedModel):
    def __init__(self, tz: ZoneInfo, page_size: int = 100, parent: QObject | None = None):
        super().__init__(page_size, parent)
        self.tz = tz
        self.now: datetime | None = None  # the clock the countdowns are read against
        self._rows: list[QueueRow] = []

    # --- Qt's side ------------------------------------------------------------------------

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Col)

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        row = self._rows[index.row()]
        col = index.column()
        if col == Col.DUE:
            return self._due(row, role)
        if role in (_DISPLAY, _TOOLTIP):
            return self._text(row, Col(col))
        if role == _FOREGROUND and col == Col.URGENCY and row.urgency != "normal":
            return theme.color("danger")
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        if role != _DISPLAY or orientation != Qt.Orientation.Horizontal:
            return None
        return (
            self.tr("Time left"),
            self.tr("Order no."),
            self.tr("Urgency"),
            self.tr("Title"),
            self.tr("Category"),
            self.tr("Location"),
            self.tr("Held by"),
            self.tr("Marks"),
            self.tr("Registered"),
            self.tr("Result submitted"),
            self.tr("Caller"),
        )[section]

    # --- the view's side ------------------------------------------------------------------

    def row(self, r: int) -> QueueRow:
        row: QueueRow = self._rows[r]
        return row

    def replace(self, rows: Sequence[QueueRow], more: bool, now: datetime) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._more = more
        self._fetching = False
        self.now = now
        self.endResetModel()

    def tick(self, now: datetime) -> None:
        """The countdowns move on; only the deadline column is repainted."""
        self.now = now
        if self._rows:
            self.dataChanged.emit(self.index(0, Col.DUE), self.index(len(self._rows) - 1, Col.DUE))

    # --- cells ----------------------------------------------------------------------------

    def _due(self, row: QueueRow, role: int) -> Any:
        sla = sla_of(row)
        if role == _DECORATION:
            return sla_icon(sla)
        if role == _FOREGROUND:
            if sla is Sla.OVERDUE:
                return theme.color("danger")
            if sla is Sla.WARNING:
                return theme.color("warning")
            return None
        if role == _BACKGROUND:
            if sla is Sla.OVERDUE:
                return theme.color("danger_bg")
            if sla is Sla.WARNING:
                return theme.color("warning_bg")
            return None
        if role == _TOOLTIP:
            if row.due_at is None:
                return self.tr("No open time limit")
            at = row.due_at.astimezone(self.tz)
            return self.tr("{state}; due {time}").format(
                state=self._sla_word(sla), time=f"{at:%Y-%m-%d %H:%M}"
            )
        if role != _DISPLAY:
            return None
        if row.due_at is None or self.now is None:
            return self._sla_word(sla)
        clock = self.now if not row.paused else None
        if clock is None:
            return self._sla_word(sla)
        days, hours, minutes = span((row.due_at - clock).total_seconds())
        if days:
            left = self.tr("{d} d {h} h").format(d=days, h=hours)
        elif hours:
            left = self.tr("{h} h {m} min").format(h=hours, m=minutes)
        else:
            left = self.tr("{m} min").format(m=minutes)
        if sla is Sla.OVERDUE:
            return self.tr("Overdue {span}").format(span=left)
        if sla is Sla.WARNING:
            return self.tr("Due soon: {span}").format(span=left)
        return self.tr("{span} left").format(span=left)

    def _sla_word(self, sla: Sla) -> str:
        return {
            Sla.NONE: self.tr("No deadline"),
            Sla.ON_TIME: self.tr("On time"),
            Sla.WARNING: self.tr("Due soon"),
            Sla.OVERDUE: self.tr("Overdue"),
            Sla.PAUSED: self.tr("Paused"),
        }[sla]

    def _text(self, row: QueueRow, col: Col) -> str:
        if col == Col.NUMBER:
            return row.number
        if col == Col.URGENCY:
            return labels.urgency(row.urgency)
        if col == Col.TITLE:
            return row.title
        if col == Col.CATEGORY:
            return row.category_name
        if col == Col.LOCATION:
            return row.location_unit_name + (f" · {row.address}" if row.address else "")
        if col == Col.HOLDER:
            return row.lead_unit_name or self.tr("Centre")
        if col == Col.MARKS:
            return self._marks(row)
        if col == Col.RESULT:
            return " ".join((row.result_text or "").split())
        if col == Col.CALLER:
            return " ".join(p for p in (row.caller_name, row.caller_phone) if p)
        return f"{row.registered_at.astimezone(self.tz):{TIME_FORMAT}}"

    def _marks(self, row: QueueRow) -> str:
        marks = []
        if row.assisting:
            marks.append(self.tr("Assisting"))
        if row.returned:
            marks.append(self.tr("Returned"))
        if row.reworked:
            marks.append(self.tr("Rework"))
        if row.escalated:
            marks.append(self.tr("Escalated"))
        if row.supervised:
            marks.append(self.tr("Supervised"))
        if row.request == "pause":
            marks.append(self.tr("Pause asked"))
        elif row.request == "extension":
            marks.append(self.tr("Extension asked"))
        if row.visit_attempts:
            marks.append(self.tr("Called {n}×").format(n=row.visit_attempts))
        if row.confidential:
            marks.append(self.tr("Confidential"))
        return " · ".join(marks)


class QueueView(RowTableView):
    """A queue: sort indicators the database honours."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        header = self.horizontalHeader()
        header.setSortIndicatorShown(True)
        header.setSectionsClickable(True)

    def setModel(self, model: Any) -> None:
        super().setModel(model)
        for col, width in WIDTHS.items():
            self.setColumnWidth(col, width)
        self.stretch_text()

    def stretch_text(self) -> None:
        """The title (and on the review queue the result) take the width that is left; a
        restored header state must not turn them back into fixed widths."""
        header = self.horizontalHeader()
        header.setSectionResizeMode(Col.TITLE, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(Col.RESULT, QHeaderView.ResizeMode.Stretch)
