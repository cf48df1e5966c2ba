"""The order list: a thin table model over ``core.queries.OrderRow`` pages, and its view.

The model never queries. It asks for more rows through ``fetch_did_start`` (the window
runs the query on a lane and hands the page back) and takes whole reloads through
``replace``, which inserts, removes and updates rows by id, so the selection and the
scroll position survive a live update.
"""

from __future__ import annotations

import bisect
from collections.abc import Collection, Sequence
from enum import IntEnum
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtWidgets import QHeaderView, QWidget

from core.queries import OrderRow
from desktop import labels, theme
from desktop.widgets.paged_model import PagedModel
from desktop.widgets.table_view import RowTableView

Index = QModelIndex | QPersistentModelIndex


class Col(IntEnum):
    NUMBER = 0
    REGISTERED = 1
    STATE = 2
    CHANNEL = 3
    REQUEST_TYPE = 4
    CATEGORY = 5
    TITLE = 6
    CALLER = 7
    LOCATION = 8
    LEAD = 9
    DUE = 10


# Most columns fit their content, up to a cap; the title takes the width that is left.
CAPS = {Col.CHANNEL: 130, Col.CATEGORY: 150, Col.CALLER: 150, Col.LOCATION: 210, Col.LEAD: 150}
TITLE_MIN = 200
SLACK = 12  # the styled item's margins
TIME_FORMAT = "%Y-%m-%d %H:%M"
_DISPLAY = Qt.ItemDataRole.DisplayRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_FOREGROUND = Qt.ItemDataRole.ForegroundRole
_BACKGROUND = Qt.ItemDataRole.BackgroundRole


class OrderTableModel(PagedModel):
    def __init__(self, tz: ZoneInfo, page_size: int = 100, parent: QObject | None = None):
        super().__init__(page_size, parent)
        self.tz = tz
        self._rows: list[OrderRow] = []
        self._cells: list[tuple[str, ...] | None] = []

    # --- Qt's side ------------------------------------------------------------------------

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Col)

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        if role not in (_DISPLAY, _TOOLTIP, _FOREGROUND, _BACKGROUND):
            return None
        r, c = index.row(), index.column()
        if role == _DISPLAY:
            return self._row_cells(r)[c]
        row = self._rows[r]
        if c == Col.DUE and row.due_at is not None and (row.overdue or row.warning):
            if role == _FOREGROUND:
                return theme.color("danger" if row.overdue else "warning")
            if role == _BACKGROUND:
                return theme.color("danger_bg" if row.overdue else "warning_bg")
            return self.tr("Overdue") if row.overdue else self.tr("Deadline near")
        if role == _TOOLTIP:  # the whole text of a cell the column width cuts short
            return self._row_cells(r)[c]
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        if role != _DISPLAY or orientation != Qt.Orientation.Horizontal:
            return None
        return (
            self.tr("Order no."),
            self.tr("Registered at"),
            self.tr("State"),
            self.tr("Channel"),
            self.tr("Request type"),
            self.tr("Category"),
            self.tr("Title"),
            self.tr("Caller"),
            self.tr("Location"),
            self.tr("Lead unit"),
            self.tr("Deadline"),
        )[section]

    # --- the window's side ----------------------------------------------------------------

    def row(self, r: int) -> OrderRow:
        row: OrderRow = self._rows[r]
        return row

    def _rows_added(self, count: int) -> None:
        self._cells.extend([None] * count)

    def replace(self, rows: Sequence[OrderRow], more: bool) -> None:
        """Show ``rows`` (a fresh read of the top of the list), moving as little as possible."""
        new_ids = [r.id for r in rows]
        wanted = set(new_ids)
        for i in reversed(range(len(self._rows))):
            if self._rows[i].id not in wanted:
                self.beginRemoveRows(QModelIndex(), i, i)
                del self._rows[i], self._cells[i]
                self.endRemoveRows()
        position = {oid: i for i, oid in enumerate(new_ids)}
        kept = [position[r.id] for r in self._rows]
        if kept != sorted(kept):  # the order itself changed: rare, start over
            self.beginResetModel()
            self._rows, self._cells = list(rows), [None] * len(rows)
            self.endResetModel()
        else:
            self._insert_missing(rows)
            self._rows, self._cells = list(rows), [None] * len(rows)
            if rows:
                last = self.index(len(rows) - 1, len(Col) - 1)
                self.dataChanged.emit(self.index(0, 0), last)
        self._more = more
        self._fetching = False

    def refresh(self, asked: Collection[int], rows: Sequence[OrderRow]) -> None:
        """A fresh read of the orders ``asked`` for (those the user may still see are in
        ``rows``): update the shown ones in place, drop those gone from sight, and insert
        new ones where they sort, if that is within the part of the list loaded so far."""
        fresh = {r.id: r for r in rows}
        for i in reversed(range(len(self._rows))):
            oid = self._rows[i].id
            if oid not in asked:
                continue
            if oid in fresh:
                self._rows[i], self._cells[i] = fresh.pop(oid), None
                self.dataChanged.emit(self.index(i, 0), self.index(i, len(Col) - 1))
            else:
                self.beginRemoveRows(QModelIndex(), i, i)
                del self._rows[i], self._cells[i]
                self.endRemoveRows()
        keys = [_key(r) for r in self._rows]  # descending
        for row in sorted(fresh.values(), key=_key, reverse=True):
            at = bisect.bisect_left(keys, _neg(row), key=_neg_key)
            if at == len(self._rows) and self._more:
                continue  # below the loaded part: it comes with its page
            self.beginInsertRows(QModelIndex(), at, at)
            self._rows.insert(at, row)
            self._cells.insert(at, None)
            keys.insert(at, _key(row))
            self.endInsertRows()

    def _insert_missing(self, rows: Sequence[OrderRow]) -> None:
        """Insert, in runs, the rows of ``rows`` not yet shown (the shown ones are in order)."""
        have = {r.id for r in self._rows}
        i = 0
        while i < len(rows):
            if rows[i].id in have:
                i += 1
                continue
            j = i
            while j < len(rows) and rows[j].id not in have:
                j += 1
            self.beginInsertRows(QModelIndex(), i, j - 1)
            self._rows[i:i] = rows[i:j]
            self._cells[i:i] = [None] * (j - i)
            self.endInsertRows()
            i = j

    # --- display text, computed once per row ----------------------------------------------

    def _row_cells(self, r: int) -> tuple[str, ...]:
        cells = self._cells[r]
        if cells is None:
            cells = self._cells[r] = self._format(self._rows[r])
        return cells

    def _format(self, row: OrderRow) -> tuple[str, ...]:
        dash = "—"
        if row.confidential:
            caller = self.tr("Confidential")
        else:
            caller = " ".join(p for p in (row.caller_name, row.caller_phone) if p) or dash
        place = row.location_unit_name + (f" · {row.address}" if row.address else "")
        return (
            row.number,
            self._time(row.registered_at),
            labels.state(row.state),
            labels.channel(row.channel),
            labels.request_type(row.request_type),
            row.category_name,
            row.title,
            caller,
            place,
            row.lead_unit_name or dash,
            self._time(row.due_at) if row.due_at else dash,
        )

    def _time(self, at: Any) -> str:
        return str(at.astimezone(self.tz).strftime(TIME_FORMAT))


def _key(row: OrderRow) -> tuple[Any, int]:
    return (row.registered_at, row.id)


def _neg(row: OrderRow) -> tuple[float, int]:
    return (-row.registered_at.timestamp(), -row.id)


def _neg_key(key: tuple[Any, int]) -> tuple[float, int]:
    return (-key[0].timestamp(), -key[1])


class OrderTableView(RowTableView):
    """The full order list; its columns fit the first page loaded."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        header = self.horizontalHeader()
        header.setStretchLastSection(False)

    def setModel(self, model: QAbstractItemModel | None) -> None:
        super().setModel(model)
        if model is not None:  # resize modes apply to sections that exist
            header = self.horizontalHeader()
            header.setSectionResizeMode(Col.TITLE, QHeaderView.ResizeMode.Stretch)

    def fit_columns(self) -> None:
        """Size the columns to the rows loaded so far (one page: cheap)."""
        header = self.horizontalHeader()
        for col in Col:
            if col is Col.TITLE:
                continue
            width = max(self.sizeHintForColumn(col), header.sectionSizeHint(col)) + SLACK
            self.setColumnWidth(col, min(width, CAPS.get(col, width)))
        others = sum(self.columnWidth(c) for c in Col if c is not Col.TITLE)
        if self.viewport().width() - others < TITLE_MIN:
            header.setSectionResizeMode(Col.TITLE, QHeaderView.ResizeMode.Interactive)
            self.setColumnWidth(Col.TITLE, TITLE_MIN)
