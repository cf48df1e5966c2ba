"""Table models of the alerts page: early-warning alerts and the machine feeds' items."""

from __future__ import annotations

from collections.abc import Callable
from datetime import tzinfo
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtWidgets import QWidget

from desktop import theme
from desktop.widgets.alert_banner import severity_colour, severity_icon, severity_text
from desktop.widgets.alert_data import AlertRow, FeedItem

Index = QModelIndex | QPersistentModelIndex
R = TypeVar("R")
WHEN = "%m-%d %H:%M"
DISPLAY, TIP, DECORATION, FOREGROUND = (
    Qt.ItemDataRole.DisplayRole,
    Qt.ItemDataRole.ToolTipRole,
    Qt.ItemDataRole.DecorationRole,
    Qt.ItemDataRole.ForegroundRole,
)


def rule_text(rule: str) -> str:
    words = {
        "cluster": QCoreApplication.translate("Alerts", "Cluster"),
        "repeat_caller": QCoreApplication.translate("Alerts", "Repeat caller"),
        "sensitive_words": QCoreApplication.translate("Alerts", "Sensitive words"),
        "surge": QCoreApplication.translate("Alerts", "Surge"),
        "near_breach": QCoreApplication.translate("Alerts", "About to breach"),
    }
    return words.get(rule, rule)


def alert_status_text(status: str) -> str:
    words = {
        "raised": QCoreApplication.translate("Alerts", "Waiting"),
        "acknowledged": QCoreApplication.translate("Alerts", "Acknowledged"),
        "closed": QCoreApplication.translate("Alerts", "Closed"),
    }
    return words.get(status, status)


def item_status_text(status: str) -> str:
    words = {
        "pending": QCoreApplication.translate("Alerts", "To confirm"),
        "confirmed": QCoreApplication.translate("Alerts", "Confirmed"),
        "dismissed": QCoreApplication.translate("Alerts", "Dismissed"),
        "registered": QCoreApplication.translate("Alerts", "Registered at once"),
    }
    return words.get(status, status)


def kind_text(kind: str) -> str:
    words = {
        "video": QCoreApplication.translate("Alerts", "Video"),
        "iot": QCoreApplication.translate("Alerts", "IoT sensor"),
    }
    return words.get(kind, kind)


class RowsModel(QAbstractTableModel, Generic[R]):
    """A list of rows shown whole; subclasses give the headers and the cells."""

    def __init__(self, tz: tzinfo, parent: QWidget) -> None:
        super().__init__(parent)
        self.tz = tz
        self.rows: list[R] = []

    def headers(self) -> tuple[str, ...]:
        raise NotImplementedError

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers())

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if role != DISPLAY or orientation != Qt.Orientation.Horizontal:
            return None
        return self.headers()[section]

    def replace(self, rows: list[R]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()


class AlertModel(RowsModel[AlertRow]):
    def headers(self) -> tuple[str, ...]:
        return (
            self.tr("Severity"),
            self.tr("Raised"),
            self.tr("Rule"),
            self.tr("Alert"),
            self.tr("Where"),
            self.tr("Status"),
            self.tr("Acknowledged by"),
        )

    def data(self, index: Index, role: int = 0) -> Any:
        a = self.rows[index.row()]
        col = index.column()
        if role == DECORATION and col == 0:
            return severity_icon(a.severity)
        if role == FOREGROUND and col == 0:
            return severity_colour(a.severity)
        if role == FOREGROUND and a.status == "closed":
            return theme.color("muted")
        if role == TIP and col == 3:
            return a.title
        if role == TIP and col == 5 and a.close_note:
            return a.close_note
        if role != DISPLAY:
            return None
        if col == 0:
            return severity_text(a.severity)
        if col == 1:
            return a.raised_at.astimezone(self.tz).strftime(WHEN)
        if col == 2:
            return rule_text(a.rule)
        if col == 3:
            return a.title
        if col == 4:
            return a.unit_name or self.tr("Whole county")
        if col == 5:
            return alert_status_text(a.status)
        if a.acknowledged_by and a.acknowledged_at is not None:
            at = a.acknowledged_at.astimezone(self.tz).strftime("%H:%M")
            return f"{a.acknowledged_by} {at}"
        return ""


class ItemModel(RowsModel[FeedItem]):
    def __init__(self, tz: tzinfo, unit_name: Callable[[int], str], parent: QWidget) -> None:
        super().__init__(tz, parent)
        self.unit_name = unit_name

    def headers(self) -> tuple[str, ...]:
        return (
            self.tr("Occurred"),
            self.tr("Source"),
            self.tr("Type"),
            self.tr("What"),
            self.tr("Where"),
            self.tr("Status"),
        )

    def data(self, index: Index, role: int = 0) -> Any:
        item = self.rows[index.row()]
        col = index.column()
        if role == TIP and col == 3:
            return item.description or item.title
        if role == TIP and col == 5 and item.decision_note:
            return item.decision_note
        if role != DISPLAY:
            return None
        if col == 0:
            return item.occurred_at.astimezone(self.tz).strftime(WHEN)
        if col == 1:
            return item.source
        if col == 2:
            return kind_text(item.kind)
        if col == 3:
            more = item.description
            return f"{item.title} — {more}" if more and more != item.title else item.title
        if col == 4:
            grid = self.unit_name(item.unit_id) if item.unit_id is not None else ""
            return " · ".join(p for p in (item.address or "", grid) if p) or self.tr("Unknown")
        return item_status_text(item.status)
