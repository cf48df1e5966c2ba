"""The supervision page's three tables as thin models over ``core.supervision`` rows.

Warning and overdue are shown by the work queues' icons (a diamond, a triangle) and a
word as well as a colour; notices by their count per colour, spelt out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from enum import IntEnum
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from core.supervision import Advice, Because, LateOrder, PendingRequest, RequestKind, UnitLoad
from desktop import labels, theme
from desktop.widgets.paged_model import PagedModel
from desktop.widgets.queue_table import Sla, sla_icon, span

Index = QModelIndex | QPersistentModelIndex
_DISPLAY = Qt.ItemDataRole.DisplayRole
_DECORATION = Qt.ItemDataRole.DecorationRole
_FOREGROUND = Qt.ItemDataRole.ForegroundRole
_BACKGROUND = Qt.ItemDataRole.BackgroundRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_ALIGN = Qt.ItemDataRole.TextAlignmentRole
TIME_FORMAT = "%m-%d %H:%M"
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
UnitName = Callable[[int], str]


def _sla(overdue: bool, warning: bool, paused: bool = False) -> Sla:
    if paused:
        return Sla.PAUSED
    if overdue:
        return Sla.OVERDUE
    return Sla.WARNING if warning else Sla.ON_TIME


def _sla_colours(sla: Sla, role: int) -> Any:
    if sla is Sla.OVERDUE:
        return theme.color("danger" if role == _FOREGROUND else "danger_bg")
    if sla is Sla.WARNING:
        return theme.color("warning" if role == _FOREGROUND else "warning_bg")
    return None


# --- units -------------------------------------------------------------------------------


class UnitCol(IntEnum):
    UNIT = 0
    OVERDUE = 1
    WARNING = 2
    NOTICES = 3


class UnitModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[UnitLoad] = []

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(UnitCol)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        if role != _DISPLAY or orientation != Qt.Orientation.Horizontal:
            return None
        return (self.tr("Unit"), self.tr("Overdue"), self.tr("Due soon"), self.tr("Notices"))[
            section
        ]

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        row = self.rows[index.row()]
        col = UnitCol(index.column())
        sla = {UnitCol.OVERDUE: Sla.OVERDUE, UnitCol.WARNING: Sla.WARNING}.get(col)
        count = {
            UnitCol.OVERDUE: row.overdue,
            UnitCol.WARNING: row.warning,
            UnitCol.NOTICES: row.notices,
        }.get(col)
        if role == _DISPLAY:
            return row.unit_name if col is UnitCol.UNIT else str(count)
        if role == _DECORATION and sla is not None and count:
            return sla_icon(sla)
        if role in (_FOREGROUND, _BACKGROUND) and sla is not None and count:
            return _sla_colours(sla, role)
        if role == _ALIGN and col is not UnitCol.UNIT:
            return _RIGHT
        if role == _TOOLTIP:
            return self.tr(
                "{unit}: {overdue} overdue, {warning} due soon; {notices} notices on them"
            ).format(
                unit=row.unit_name, overdue=row.overdue, warning=row.warning, notices=row.notices
            )
        return None

    def replace(self, rows: Sequence[UnitLoad]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def unit_ids(self) -> list[int]:
        return [r.unit_id for r in self.rows]


# --- one unit's orders -------------------------------------------------------------------


class LateCol(IntEnum):
    SLA = 0
    NUMBER = 1
    TITLE = 2
    STATE = 3
    DUE = 4
    NOTICES = 5
    SUGGESTION = 6
    REASON = 7


class LateModel(PagedModel):
    def __init__(
        self, tz: ZoneInfo, unit_name: UnitName, page_size: int = 100, parent: QObject | None = None
    ) -> None:
        super().__init__(page_size, parent)
        self.tz = tz
        self.unit_name = unit_name
        self._rows: list[LateOrder] = []

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(LateCol)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        if role != _DISPLAY or orientation != Qt.Orientation.Horizontal:
            return None
        return (
            self.tr("Overdue by"),
            self.tr("Order no."),
            self.tr("Title"),
            self.tr("State"),
            self.tr("Due"),
            self.tr("Notices so far"),
            self.tr("Suggested"),
            self.tr("Why"),
        )[section]

    def row(self, r: int) -> LateOrder:
        row: LateOrder = self._rows[r]
        return row

    def replace(self, rows: Sequence[LateOrder], more: bool) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._more = more
        self._fetching = False
        self.endResetModel()

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        row = self._rows[index.row()]
        col = LateCol(index.column())
        sla = _sla(row.overdue, row.warning, row.paused)
        if col is LateCol.SLA:
            if role == _DECORATION:
                return sla_icon(sla)
            if role in (_FOREGROUND, _BACKGROUND):
                return _sla_colours(sla, role)
        if col is LateCol.SUGGESTION and role == _FOREGROUND:
            advice = row.suggestion.advice
            if advice in (Advice.RED, Advice.ESCALATE):
                return theme.color("danger")
            if advice is Advice.YELLOW:
                return theme.color("warning")
        if role == _TOOLTIP and col in (LateCol.SUGGESTION, LateCol.REASON):
            return self.reason(row)
        if role in (_DISPLAY, _TOOLTIP):
            return self._text(row, col)
        return None

    def _text(self, row: LateOrder, col: LateCol) -> str:
        if col is LateCol.SLA:
            return self._late(row)
        if col is LateCol.NUMBER:
            return row.number
        if col is LateCol.TITLE:
            return row.title
        if col is LateCol.STATE:
            return labels.state(row.state)
        if col is LateCol.DUE:
            return self._time(row.due_at)
        if col is LateCol.NOTICES:
            if not (row.yellow or row.red):
                return self.tr("None")
            return self.tr("Yellow {y} · Red {r}").format(y=row.yellow, r=row.red)
        if col is LateCol.SUGGESTION:
            return self.advice(row)
        return self.reason(row)

    def _time(self, at: datetime | None) -> str:
        return f"{at.astimezone(self.tz):{TIME_FORMAT}}" if at is not None else "–"

    def _late(self, row: LateOrder) -> str:
        if row.paused:
            return self.tr("Paused")
        if row.overdue and row.overdue_for is not None:
            return self.tr("Overdue {span}").format(span=self.span_text(row.overdue_for))
        return self.tr("Due soon")

    def span_text(self, delta: timedelta) -> str:
        days, hours, minutes = span(delta.total_seconds())
        if days:
            return self.tr("{d} d {h} h").format(d=days, h=hours)
        if hours:
            return self.tr("{h} h {m} min").format(h=hours, m=minutes)
        return self.tr("{m} min").format(m=minutes)

    def advice(self, row: LateOrder) -> str:
        advice = row.suggestion.advice
        if advice is Advice.YELLOW:
            return self.tr("Yellow notice")
        if advice is Advice.RED:
            return self.tr("Red notice")
        if advice is Advice.ESCALATE:
            target = row.escalate_to
            to = self.unit_name(target) if target is not None else ""
            return self.tr("Escalate to {unit}").format(unit=to)
        return "–"

    def reason(self, row: LateOrder) -> str:
        s = row.suggestion
        texts = {
            Because.WARNING_NO_NOTICE: self.tr("Due soon, no notice yet"),
            Because.OVERDUE_NO_NOTICE: self.tr("Overdue, no notice yet"),
            Because.YELLOW_STANDS: self.tr("Overdue {age} working days after yellow"),
            Because.YELLOW_RECENT: self.tr("Yellow {age} working days ago; red after {needed}"),
            Because.RED_STANDS: self.tr("Overdue {age} working days after red"),
            Because.RED_RECENT: self.tr("Red {age} working days ago; escalate after {needed}"),
            Because.NOTICE_GIVEN: self.tr("Due soon, already noticed"),
            Because.PAUSED: self.tr("Paused: the clock is stopped"),
            Because.NOT_LATE: self.tr("No rule applies"),
        }
        return texts[s.because].format(age=s.age, needed=s.needed)


# --- requests awaiting a decision --------------------------------------------------------


class RequestCol(IntEnum):
    KIND = 0
    NUMBER = 1
    UNIT = 2
    REASON = 3
    DAYS = 4
    ASKED = 5
    DUE = 6
    TITLE = 7


class RequestModel(QAbstractTableModel):
    def __init__(self, tz: ZoneInfo, unit_name: UnitName, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.tz = tz
        self.unit_name = unit_name
        self.rows: list[PendingRequest] = []

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(RequestCol)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        if role != _DISPLAY or orientation != Qt.Orientation.Horizontal:
            return None
        return (
            self.tr("Request"),
            self.tr("Order no."),
            self.tr("Unit"),
            self.tr("Reason"),
            self.tr("Days asked"),
            self.tr("Asked"),
            self.tr("Due"),
            self.tr("Title"),
        )[section]

    def replace(self, rows: Sequence[PendingRequest]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def ids(self) -> list[int]:
        return [r.id for r in self.rows]

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        row = self.rows[index.row()]
        col = RequestCol(index.column())
        if col is RequestCol.DUE and row.overdue:
            if role == _DECORATION:
                return sla_icon(Sla.OVERDUE)
            if role in (_FOREGROUND, _BACKGROUND):
                return _sla_colours(Sla.OVERDUE, role)
        if role == _ALIGN and col is RequestCol.DAYS:
            return _RIGHT
        if role not in (_DISPLAY, _TOOLTIP):
            return None
        if col is RequestCol.KIND:
            if row.kind is RequestKind.PAUSE:
                return self.tr("Pause")
            return self.tr("Extension")
        if col is RequestCol.NUMBER:
            return row.number
        if col is RequestCol.UNIT:
            return self.unit_name(row.unit_id) if row.unit_id is not None else "–"
        if col is RequestCol.REASON:
            return row.reason
        if col is RequestCol.DAYS:
            return str(row.days) if row.days is not None else "–"
        if col is RequestCol.ASKED:
            when = f"{row.asked_at.astimezone(self.tz):{TIME_FORMAT}}" if row.asked_at else "–"
            return f"{when} {row.asked_by}" if row.asked_by else when
        if col is RequestCol.DUE:
            if row.due_at is None:
                return "–"
            at = f"{row.due_at.astimezone(self.tz):{TIME_FORMAT}}"
            return self.tr("{time} (overdue)").format(time=at) if row.overdue else at
        return row.title
