"""The paging half of the order lists' models: rows arrive a page at a time, asked for by
``fetch_did_start`` (the view runs the query on a lane and hands the page to ``append``),
so a list of any length costs the pages the user scrolled through. Nothing here queries
or sorts; subclasses say how a row looks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Signal

Index = QModelIndex | QPersistentModelIndex


class PagedModel(QAbstractTableModel):
    fetch_did_start = Signal(int, int)  # offset, limit: the view answers with append()

    def __init__(self, page_size: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.page_size = page_size
        self._rows: list[Any] = []  # each with an ``id``
        self._more = False
        self._fetching = False

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and self._more and not self._fetching

    def fetchMore(self, parent: Index) -> None:
        if self.canFetchMore(parent):
            self._fetching = True
            self.fetch_did_start.emit(len(self._rows), self.page_size)

    def ids(self) -> list[int]:
        return [r.id for r in self._rows]

    @property
    def has_more(self) -> bool:
        return self._more

    def fetch_did_fail(self) -> None:
        self._fetching = False

    def append(self, offset: int, rows: Sequence[Any], more: bool) -> None:
        """A page asked for by ``fetch_did_start``; a page for a stale offset is dropped,
        and rows already shown (the list shifts when orders arrive) are not repeated."""
        self._fetching = False
        if offset != len(self._rows):
            return
        known = set(self.ids())
        fresh = [r for r in rows if r.id not in known]
        if fresh:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
            self._rows.extend(fresh)
            self._rows_added(len(fresh))
            self.endInsertRows()
        self._more = more

    def _rows_added(self, count: int) -> None:
        """Rows were appended: a subclass keeping per-row caches grows them."""
