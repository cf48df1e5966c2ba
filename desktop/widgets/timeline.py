"""An order's timeline: every event, oldest first, one row each, in the reader's language;
and its assignments (hops) as a tree, with the assisting units' answers.

Rows come from ``core.timeline.Entry``; codes (kinds, states, fields) become labels here.
A handful to a few hundred rows per order, so rows size to their wrapped text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from core.timeline import Entry
from core.workflow.model import HopRec
from desktop import labels, theme


class TimelineView(QTableWidget):
    COLUMNS = 5

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, self.COLUMNS, parent)
        self.setHorizontalHeaderLabels(
            [
                self.tr("Time"),
                self.tr("By"),
                self.tr("Event"),
                self.tr("Assignment"),
                self.tr("Details"),
            ]
        )
        self.verticalHeader().hide()
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setWordWrap(True)
        header = self.horizontalHeader()
        for col in range(self.COLUMNS - 1):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(self.COLUMNS - 1, QHeaderView.ResizeMode.Stretch)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.entries: list[Entry] = []

    def set_entries(self, entries: Sequence[Entry], tz: ZoneInfo) -> None:
        self.entries = list(entries)
        self.setRowCount(len(entries))
        for row, e in enumerate(entries):
            at = e.at.astimezone(tz)
            who = e.actor or self.tr("System")
            if e.actor_unit:
                who = f"{who}\n{e.actor_unit}"
            cells = (
                f"{at:%Y-%m-%d %H:%M}",
                who,
                labels.event_kind(e.kind),
                self.hop_text(e),
                self.details(e),
            )
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if e.overdue and col == 0:
                    item.setForeground(theme.color("danger"))
                self.setItem(row, col, item)
        self.scrollToBottom()

    def hop_text(self, e: Entry) -> str:
        if e.sender is None or e.receiver is None:
            return ""
        role = labels.label(labels.HOP_ROLES, e.hop_role or "")
        return f"{e.sender} → {e.receiver} ({role})"

    def details(self, e: Entry) -> str:
        parts: list[str] = []
        if e.from_state and e.to_state and e.from_state != e.to_state:
            parts.append(f"{labels.state(e.from_state)} → {labels.state(e.to_state)}")
        d = e.detail
        if e.kind == "field_edited" and "field" in d:
            parts.append(self._edit_text(str(d["field"]), d.get("from"), d.get("to")))
        if "text" in d:
            parts.append(str(d["text"]))
        if d.get("source_at"):  # a note imported with the order: when the source wrote it
            parts.append(
                self.tr("At the source: {time} ({type})").format(
                    time=str(d["source_at"])[:16].replace("T", " "),
                    type=d.get("source_type") or "—",
                )
            )
        if "result" in d:
            parts.append(labels.label(labels.VISIT_RESULTS, str(d["result"])))
        if "level" in d:
            parts.append(labels.label(labels.SUPERVISION_LEVELS, str(d["level"])))
        if "mark" in d:
            parts.append(self._mark_text(d))
        if "days" in d:
            parts.append(self.tr("{days} days").format(days=d["days"]))
        if isinstance(d.get("attachment"), Mapping):
            parts.append(str(d["attachment"].get("filename", "")))
        if "destination" in d:
            parts.append(self.tr("To: {place}").format(place=d["destination"]))
        if "target" in d:
            parts.append(self.tr("Into order {number}").format(number=d["target"]))
        if "source" in d:
            parts.append(self.tr("From order {number}").format(number=d["source"]))
        if e.reason:
            parts.append(self.tr("Reason: {reason}").format(reason=e.reason))
        return "\n".join(p for p in parts if p)

    def _mark_text(self, d: Mapping[str, Any]) -> str:
        """Screening and appeals: which mark, and what was decided."""
        if d["mark"] == "unsatisfied":
            what = self.tr("Mark: unsatisfied visit")
        elif d.get("limit_kind") == "accept":
            what = self.tr("Mark: late acceptance")
        else:
            what = self.tr("Mark: late result")
        verdict = d.get("verdict") or d.get("decision")
        return f"{what} · {labels.label(labels.MARK_DECISIONS, str(verdict))}" if verdict else what

    def _edit_text(self, field: str, before: Any, after: Any) -> str:
        name = labels.order_field(field)

        def show(values: Any) -> str:
            if not isinstance(values, Mapping):
                return "" if values is None else str(values)
            shown = [str(v) for v in values.values() if v not in (None, "")]
            return " ".join(shown) if shown else "—"

        if field in ("phone", "caller_name"):
            return self.tr("{field} changed").format(field=name)  # never shown in full
        return f"{name}: {show(before)} → {show(after)}"


class HopTree(QTreeWidget):
    """Every assignment (hop) under the one it came from: sender → receiver, role, state."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setHeaderLabels(
            [
                self.tr("Assignment"),
                self.tr("Role"),
                self.tr("State"),
                self.tr("Dispatched"),
                self.tr("Accepted"),
                self.tr("Answer, return reason or note"),
            ]
        )
        self.setWordWrap(True)
        header = self.header()
        for col in range(5):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)

    def set_hops(
        self, hops: Sequence[HopRec], unit_name: Callable[[int], str], tz: ZoneInfo
    ) -> None:
        self.clear()
        items: dict[int, QTreeWidgetItem] = {}
        for h in sorted(hops, key=lambda h: h.seq):
            parent = items.get(h.parent_id) if h.parent_id is not None else None
            text = h.answer_text or h.return_reason or h.note or ""
            cells = [
                f"{unit_name(h.sender_unit_id)} → {unit_name(h.receiver_unit_id)}",
                labels.label(labels.HOP_ROLES, h.role),
                labels.hop_state(h.state),
                _when(h.dispatched_at, tz),
                _when(h.accepted_at, tz),
                text,
            ]
            item = QTreeWidgetItem(cells)
            item.setData(0, Qt.ItemDataRole.UserRole, h.id)
            item.setToolTip(5, text)
            if parent is None:
                self.addTopLevelItem(item)
            else:
                parent.addChild(item)
            items[h.id] = item
        self.expandAll()


class AssistTable(QTableWidget):
    """The assisting units' own answers: the lead cannot submit until all are in."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, 4, parent)
        self.setHorizontalHeaderLabels(
            [self.tr("Assisting unit"), self.tr("State"), self.tr("Answered"), self.tr("Answer")]
        )
        self.verticalHeader().hide()
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setWordWrap(True)
        header = self.horizontalHeader()
        for col in range(3):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)

    def set_hops(
        self, hops: Sequence[HopRec], unit_name: Callable[[int], str], tz: ZoneInfo
    ) -> None:
        assists = [h for h in hops if h.role == "assist"]
        self.setRowCount(len(assists))
        for row, h in enumerate(assists):
            cells = (
                unit_name(h.receiver_unit_id),
                labels.hop_state(h.state),
                _when(h.answered_at, tz),
                h.answer_text or h.return_reason or "",
            )
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.setItem(row, col, item)


def _when(at: datetime | None, tz: ZoneInfo) -> str:
    return "" if at is None else f"{at.astimezone(tz):%m-%d %H:%M}"
