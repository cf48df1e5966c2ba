"""A drill's scores as tables with Chinese headers, and as an Excel workbook or a CSV file.

The tables are shared by every output: the workbook (``write_xlsx``), the CSV
(``write_csv``), the PDF drawn by ``desktop.drill_report_pdf`` and the command's stdout,
so a number reads the same everywhere. Times are naive datetimes in the county's zone
(``DrillScore.tz``); durations are whole seconds; shares are fractions (the workbook
formats them as percentages, the CSV writes percentages). No Qt, and openpyxl only
inside the writer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from core.drill.scoring import DrillScore, InjectOutcome, TraineeScore

LEVEL_NAMES = {1: "县级", 2: "镇级", 3: "村级"}
STATUS_NAMES = {
    "dispatched": "已派单",
    "late": "超时派单",
    "not_dispatched": "未派单",
    "pending": "待派单(未超时)",
    "decided": "已处置",
    "not_decided": "未处置",
    "not_fired": "未触发",
    "refused": "受理被拒",
}
FEED_NAMES = {
    "pending": "待确认",
    "confirmed": "已确认",
    "dismissed": "已排除(误报)",
    "registered": "已自动受理",
}
KIND_NAMES = {
    "call": "来电",
    "patrol_report": "网格巡查上报",
    "city_handdown": "12345转办",
    "iot_alert": "物联感知告警",
    "video_alert": "视频告警",
}
TRAINEE_HEADERS = (
    "姓名",
    "账号",
    "所在单位",
    "派单次数",
    "派单用时中位数(秒)",
    "派单用时最长(秒)",
    "时限达标",
    "时限达标率",
    "预警认领",
    "告警处置",
    "告警处置正确",
    "分派正确",
    "分派准确率",
    "漏办事项",
)
INJECT_HEADERS = (
    "事项",
    "类型",
    "触发时间",
    "预期层级",
    "预期单位",
    "预期时限(秒)",
    "预期处置",
    "结果",
    "工单编号",
    "首次派单时间",
    "派单用时(秒)",
    "派单人",
    "实派层级",
    "实派单位",
    "分派正确",
    "告警状态",
    "处置人",
    "漏办归属",
)
SHARES = ("时限达标率", "分派准确率")
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
NOT_SCORED = "不计分"


def _local(at: datetime | None, tz: str) -> datetime | None:
    return None if at is None else at.astimezone(ZoneInfo(tz)).replace(tzinfo=None)


def _secs(v: float | None) -> int | None:
    return None if v is None else round(v)


def _ratio(a: int, b: int) -> str:
    return f"{a}/{b}" if b else "—"


def trainee_row(t: TraineeScore) -> list[Any]:
    r = t.routing
    return [
        t.display_name,
        t.username,
        t.unit_name,
        len(t.dispatches),
        _secs(t.dispatch_median),
        _secs(t.dispatch_max),
        _ratio(t.limits_met, t.limits_counted),
        t.limits_share,
        len(t.alerts_acknowledged),
        len(t.feed_decisions),
        _ratio(t.feed_correct, t.feed_scored),
        _ratio(r.correct, r.total) if r is not None else NOT_SCORED,
        r.share if r is not None else None,
        "、".join(t.missed),
    ]


def trainee_table(score: DrillScore) -> list[list[Any]]:
    """The header and one row per trainee."""
    return [list(TRAINEE_HEADERS), *(trainee_row(t) for t in score.trainees)]


def _yes(v: bool | None) -> str | None:
    return None if v is None else ("是" if v else "否")


def inject_row(i: InjectOutcome, score: DrillScore) -> list[Any]:
    expected = "排除误报" if i.expected_dismiss else "派单"
    tz = score.tz
    return [
        i.inject,
        KIND_NAMES.get(i.kind, i.kind),
        _local(i.fired_at, tz),
        LEVEL_NAMES.get(i.expected_level or 0),
        score.unit_name(i.expected_unit) or None,
        _secs(i.expected_within),
        expected,
        STATUS_NAMES.get(i.status, i.status),
        i.order_number,
        _local(i.dispatched_at, tz),
        _secs(i.seconds_to_dispatch),
        i.dispatched_by,
        LEVEL_NAMES.get(i.got_level or 0),
        score.unit_name(i.got_unit) or None,
        _yes(i.routing_ok),
        FEED_NAMES.get(i.feed_status or "", i.feed_status),
        i.decided_by,
        "、".join(i.attributed),
    ]


def inject_table(score: DrillScore) -> list[list[Any]]:
    """The team summary: every scripted inject, expected beside what happened."""
    return [list(INJECT_HEADERS), *(inject_row(i, score) for i in score.injects)]


def detail_table(t: TraineeScore, score: DrillScore) -> list[list[Any]]:
    """One trainee's items: dispatches, routing misses, decisions, acknowledgements."""
    rows: list[list[Any]] = [["项目", "事项", "内容", "用时(秒)", "是否正确"]]
    for d in t.dispatches:
        rows.append(["首次派单", d.inject or "", d.order_number, _secs(d.seconds), None])
    if t.routing is not None:
        for m in t.routing.misses:
            want_unit = score.unit_name(m.expected_unit)
            want = f"{LEVEL_NAMES.get(m.expected_level or 0, '')} {want_unit}".strip()
            got = f"{LEVEL_NAMES.get(m.got_level, '')} {score.unit_name(m.got_unit)}"
            rows.append(["分派错误", m.inject, f"应派 {want}, 实派 {got}", None, "否"])
    for f in t.feed_decisions:
        status = FEED_NAMES.get(f.status, f.status)
        rows.append(["告警处置", f.inject or "", f"{f.title}: {status}", _secs(f.seconds)])
        rows[-1].append(_yes(f.correct))
    for a in t.alerts_acknowledged:
        rows.append(["预警认领", str(a.alert_id), a.title, _secs(a.seconds), None])
    for kind, n in t.actions:
        rows.append(["操作", kind, n, None, None])
    for inject in t.missed:
        rows.append(["漏办", inject, "", None, "否"])
    return rows


def summary_lines(score: DrillScore) -> list[tuple[str, str]]:
    """(label, value) pairs heading every output."""
    tz = score.tz
    start = _local(score.start, tz)
    return [
        ("演练", f"{score.scenario_title or ''} ({score.scenario_id or '回放演练'})".strip()),
        ("开始时间", start.strftime(TIME_FORMAT) if start else "—"),
        ("评分时点", f"{_local(score.at, tz):{TIME_FORMAT}} ({tz})"),
        ("参演人员", str(len(score.trainees))),
        ("脚本事项", str(len(score.injects))),
        ("漏办事项", "、".join(i.inject for i in score.missed) or "无"),
        ("分派准确率", "按脚本预期计分" if score.scored else "回放演练无预期处置, 不计分"),
    ]


# --- writers -------------------------------------------------------------------------------


def _cell(v: Any) -> Any:
    if isinstance(v, datetime):
        return v.strftime(TIME_FORMAT)
    return "" if v is None else v


def write_csv(score: DrillScore, path: Path) -> None:
    """UTF-8 with BOM (Excel opens it): the trainees' table, a blank line, the injects'.
    Shares as percentages rounded to one decimal."""
    import csv

    trainees = trainee_table(score)
    shares = [trainees[0].index(h) for h in SHARES]
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(trainees[0])
        for row in trainees[1:]:
            w.writerow(
                [
                    round(v * 100, 1) if i in shares and isinstance(v, float) else _cell(v)
                    for i, v in enumerate(row)
                ]
            )
        w.writerow([])
        for row in inject_table(score):
            w.writerow([_cell(v) for v in row])


def sheet_name(name: str, taken: set[str]) -> str:
    """An Excel sheet name: no []:*?/\\, at most 31 characters, unique."""
    base = re.sub(r"[\[\]:*?/\\]", "_", name)[:31] or "trainee"
    out, n = base, 2
    while out.lower() in taken:
        out = f"{base[:28]}~{n}"
        n += 1
    taken.add(out.lower())
    return out


def write_xlsx(score: DrillScore, path: Path) -> None:
    """Sheets: ``trainees`` (one row each), ``injects`` (the team summary), ``summary``
    lines on top of neither; then one sheet per trainee (by username) with their items."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    trainees = trainee_table(score)
    ws = wb.create_sheet("trainees")
    _sheet(ws, trainees, widths=[12, 14, 16, *([10] * (len(TRAINEE_HEADERS) - 4)), 20])
    for h in SHARES:
        col = trainees[0].index(h) + 1
        for row in ws.iter_rows(min_row=2, min_col=col, max_col=col):
            row[0].number_format = "0.0%"
    ws = wb.create_sheet("injects")
    _sheet(ws, inject_table(score), widths=[12, 12, 19, 8, 12, 10, 10, 12, 20, 19, *[10] * 8])
    for col in (3, 10):
        for row in ws.iter_rows(min_row=2, min_col=col, max_col=col):
            row[0].number_format = "yyyy-mm-dd hh:mm:ss"
    taken = {"trainees", "injects", "summary"}
    for t in score.trainees:
        ws = wb.create_sheet(sheet_name(t.username, taken))
        _sheet(ws, detail_table(t, score), widths=[12, 14, 40, 10, 10])
    ws = wb.create_sheet("summary")
    _sheet(ws, [["项目", "内容"], *map(list, summary_lines(score))], widths=[12, 60])
    wb.properties.title = f"演练评分 {score.scenario_id or ''}".strip()
    wb.save(path)


def _sheet(ws: Any, table: Sequence[Sequence[Any]], widths: Sequence[int]) -> None:
    """Rows under a bold, frozen header, with widths in characters (a CJK one takes two),
    as the monthly report's sheets are."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    for row in table:
        ws.append(list(row))
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    ws.freeze_panes = "B2"
    for i, width in enumerate(widths, start=1):
        head = str(table[0][i - 1]) if i <= len(table[0]) else ""
        ws.column_dimensions[get_column_letter(i)].width = max(width, 2 * len(head) + 2)
