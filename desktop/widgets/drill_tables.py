"""Table models of the trainer's console: the scenario's entries with what the trainees
did beside each, the trainees' running scores, and a replay's latest arrivals.

``ScriptModel`` holds both halves of a row; the console shows its script columns
(``SCRIPT_COLUMNS``) in one view and its handling columns (``HANDLING_COLUMNS``) in a
second one beside it, the two sharing selection and scrolling. Status words carry a
shape as well as a colour (● handled in time, ◆ late or wrong unit, ▲ missed,
○ not yet), so they read without colour too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt

from core.drill.console import Arrival
from core.drill.scenario import Entry, Inject, Situation
from core.drill.scoring import InjectOutcome, TraineeScore
from desktop import labels, theme
from desktop.widgets.alert_tables import DISPLAY, FOREGROUND, TIP, Index, RowsModel

ALIGN = Qt.ItemDataRole.TextAlignmentRole
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
SCRIPT_COLUMNS = (0, 1, 2, 3, 4, 5)
HANDLING_COLUMNS = (6, 7, 8, 9, 10, 11)
OK, LATE, MISSED, WAITING = "ok", "late", "missed", "waiting"
MARKS = {OK: "●", LATE: "◆", MISSED: "▲", WAITING: "○"}
COLOURS = {OK: "ok", LATE: "warning", MISSED: "danger", WAITING: "muted"}


def clock_text(span: timedelta) -> str:
    """A drill offset or a duration as H:MM:SS (MM:SS under an hour)."""
    total = max(0, int(span.total_seconds()))
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


def duration_text(span: timedelta) -> str:
    """A time allowed, in words (15 分钟, 1 小时 30 分钟): never mistaken for a time of day."""
    minutes = max(0, round(span.total_seconds() / 60))
    h, m = divmod(minutes, 60)
    if not h:
        return QCoreApplication.translate("DrillConsole", "{m} min").format(m=m)
    if not m:
        return QCoreApplication.translate("DrillConsole", "{h} h").format(h=h)
    return QCoreApplication.translate("DrillConsole", "{h} h {m} min").format(h=h, m=m)


def seconds_text(seconds: float | None) -> str:
    return "" if seconds is None else clock_text(timedelta(seconds=seconds))


def kind_text(kind: str) -> str:
    words = {
        "call": QCoreApplication.translate("DrillConsole", "Call"),
        "patrol_report": QCoreApplication.translate("DrillConsole", "Grid patrol report"),
        "city_handdown": QCoreApplication.translate("DrillConsole", "12345 hand-down"),
        "iot_alert": QCoreApplication.translate("DrillConsole", "IoT alert"),
        "video_alert": QCoreApplication.translate("DrillConsole", "Video alert"),
        "unit_unreachable": QCoreApplication.translate("DrillConsole", "Unit unreachable"),
        "unit_back": QCoreApplication.translate("DrillConsole", "Unit back"),
        "announcement": QCoreApplication.translate("DrillConsole", "Announcement"),
    }
    return words.get(kind, kind)


def level_text(level: int | None) -> str:
    words = {
        1: QCoreApplication.translate("DrillConsole", "County"),
        2: QCoreApplication.translate("DrillConsole", "Town"),
        3: QCoreApplication.translate("DrillConsole", "Village"),
    }
    return words.get(level, "") if level is not None else ""


@dataclass(frozen=True)
class ScriptRow:
    """One scenario entry: when it fired (None: not yet) and, for an inject, its outcome
    as the scores read it."""

    entry: Entry
    fired_at: datetime | None
    outcome: InjectOutcome | None
    unit_names: dict[str, str]  # unit code -> name, for the expected unit

    def grade(self) -> str:
        o = self.outcome
        if o is None:
            return OK if self.fired_at is not None else WAITING
        if o.status in ("late", "not_dispatched", "not_decided"):
            return LATE if o.status == "late" else MISSED
        if o.status in ("dispatched", "decided"):
            return LATE if o.routing_ok is False else OK
        return WAITING


def status_text(row: ScriptRow) -> str:
    o = row.outcome
    if isinstance(row.entry, Situation):
        return (
            QCoreApplication.translate("DrillConsole", "In effect")
            if row.fired_at is not None
            else QCoreApplication.translate("DrillConsole", "Not yet")
        )
    if o is None or o.status == "not_fired":
        return QCoreApplication.translate("DrillConsole", "Not yet")
    if o.feed_status == "dismissed":
        return QCoreApplication.translate("DrillConsole", "Dismissed")
    words = {
        "dispatched": QCoreApplication.translate("DrillConsole", "Dispatched"),
        "late": QCoreApplication.translate("DrillConsole", "Dispatched late"),
        "not_dispatched": QCoreApplication.translate("DrillConsole", "Not dispatched"),
        "pending": QCoreApplication.translate("DrillConsole", "Waiting for dispatch"),
        "decided": QCoreApplication.translate("DrillConsole", "Confirmed"),
        "not_decided": QCoreApplication.translate("DrillConsole", "Not handled"),
        "refused": QCoreApplication.translate("DrillConsole", "Refused by intake"),
    }
    if o.status == "pending" and o.feed_status == "pending":
        return QCoreApplication.translate("DrillConsole", "Waiting for confirmation")
    return words.get(o.status, o.status)


def expected_text(entry: Entry, unit_names: dict[str, str]) -> str:
    if isinstance(entry, Situation):
        return ""
    e = entry.expect
    if e.dismiss:
        return QCoreApplication.translate("DrillConsole", "Dismiss as false alarm")
    parts = [level_text(e.level)]
    if e.unit:
        parts.append(unit_names.get(e.unit, e.unit))
    if e.within is not None:
        parts.append(
            QCoreApplication.translate("DrillConsole", "within {time}").format(
                time=duration_text(e.within)
            )
        )
    return " · ".join(p for p in parts if p)


def content_text(entry: Entry, unit_names: dict[str, str]) -> str:
    if isinstance(entry, Situation):
        unit = unit_names.get(entry.unit, entry.unit) if entry.unit else ""
        return " · ".join(p for p in (unit, entry.text) if p)
    assert isinstance(entry, Inject)
    return entry.title or entry.description


class ScriptModel(RowsModel[ScriptRow]):
    def headers(self) -> tuple[str, ...]:
        return (
            self.tr("At"),
            self.tr("Item"),
            self.tr("Kind"),
            self.tr("What"),
            self.tr("Expected"),
            self.tr("Fired"),
            self.tr("Handling"),
            self.tr("Order"),
            self.tr("By"),
            self.tr("To"),
            self.tr("Took"),
            self.tr("Routing"),
        )

    def data(self, index: Index, role: int = 0) -> Any:
        row = self.rows[index.row()]
        col = index.column()
        o = row.outcome
        if role == FOREGROUND and col == 6:
            return theme.color(COLOURS[row.grade()])
        if role == FOREGROUND and col == 11 and o is not None and o.routing_ok is not None:
            return theme.color("ok" if o.routing_ok else "danger")
        if role == FOREGROUND and row.fired_at is None:
            return theme.color("muted")
        if role == ALIGN and col in (0, 5, 10):
            return RIGHT
        if role == TIP and col == 3:
            return content_text(row.entry, row.unit_names)
        if role == TIP and col == 6 and o is not None and o.attributed:
            return self.tr("Missed by: {names}").format(names="、".join(o.attributed))
        if role != DISPLAY:
            return None
        return self._cell(row, col)

    def _cell(self, row: ScriptRow, col: int) -> str:
        e, o = row.entry, row.outcome
        if col == 0:
            return clock_text(e.at)
        if col == 1:
            return e.id
        if col == 2:
            return kind_text(e.kind)
        if col == 3:
            return content_text(e, row.unit_names)
        if col == 4:
            return expected_text(e, row.unit_names)
        if col == 5:
            return row.fired_at.astimezone(self.tz).strftime("%H:%M:%S") if row.fired_at else ""
        if col == 6:
            return f"{MARKS[row.grade()]} {status_text(row)}"
        if o is None:
            return ""
        if col == 7:
            return o.order_number or ""
        if col == 8:
            return o.dispatched_by or o.decided_by or ""
        if col == 9:
            unit = row.unit_names.get(o.got_unit, o.got_unit) if o.got_unit else ""
            return " · ".join(p for p in (level_text(o.got_level), unit) if p)
        if col == 10:
            return seconds_text(o.seconds_to_dispatch)
        if o.routing_ok is None:
            return ""
        return self.tr("✓ right") if o.routing_ok else self.tr("✗ wrong")


class TraineeModel(RowsModel[TraineeScore]):
    def headers(self) -> tuple[str, ...]:
        return (
            self.tr("Trainee"),
            self.tr("Unit"),
            self.tr("Dispatched"),
            self.tr("Time to dispatch (median)"),
            self.tr("Longest"),
            self.tr("Time limits met"),
            self.tr("Alerts acknowledged"),
            self.tr("Feed alerts right"),
            self.tr("Routing right"),
            self.tr("Missed"),
        )

    def data(self, index: Index, role: int = 0) -> Any:
        t = self.rows[index.row()]
        col = index.column()
        if role == ALIGN and 2 <= col <= 8:
            return RIGHT
        if role == FOREGROUND and col == 9 and t.missed:
            return theme.color("danger")
        if role != DISPLAY:
            return None
        r = t.routing
        cells = (
            t.display_name,
            t.unit_name,
            str(len(t.dispatches)),
            seconds_text(t.dispatch_median),
            seconds_text(t.dispatch_max),
            _share(t.limits_met, t.limits_counted),
            str(len(t.alerts_acknowledged)),
            _share(t.feed_correct, t.feed_scored),
            _share(r.correct, r.total) if r is not None else self.tr("not scored"),
            "、".join(t.missed),
        )
        return cells[col]


def _share(a: int, b: int) -> str:
    return f"{a}/{b} ({a / b:.0%})" if b else "—"


class ArrivalModel(RowsModel[Arrival]):
    def headers(self) -> tuple[str, ...]:
        return (
            self.tr("Arrived"),
            self.tr("Source id"),
            self.tr("Category"),
            self.tr("Title"),
            self.tr("Order"),
            self.tr("State"),
            self.tr("By"),
            self.tr("To"),
            self.tr("Took"),
        )

    def data(self, index: Index, role: int = 0) -> Any:
        a = self.rows[index.row()]
        col = index.column()
        if role == FOREGROUND and col == 5:
            return theme.color("ok" if a.dispatched_at is not None else "muted")
        if role == ALIGN and col in (0, 8):
            return RIGHT
        if role == TIP and col == 3:
            return a.title
        if role != DISPLAY:
            return None
        cells = (
            a.registered_at.astimezone(self.tz).strftime("%H:%M:%S"),
            a.external_ref,
            a.category,
            a.title,
            a.number,
            labels.state(a.state),
            a.dispatched_by or "",
            " · ".join(p for p in (level_text(a.level), a.unit or "") if p),
            seconds_text(a.seconds),
        )
        return cells[col]
