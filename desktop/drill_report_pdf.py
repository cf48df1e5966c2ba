"""The drill's score report (演练评分报告) as an A4 PDF: a page for the team (the summary
and every scripted inject, expected beside what happened), then one section per trainee,
each starting on a new page.

``main.py drill score --out FILE.pdf`` runs this module in a subprocess (commands/ never
import Qt), with the drill database's URL in the environment:

    python -m desktop.drill_report_pdf --out FILE [--scenario F.toml] [--at ISO]

Drawn as HTML by QTextDocument onto a QPdfWriter: the text lays itself out and breaks into
pages, and Qt numbers them. Exit 2 with one line on stderr on bad input; the file is
written under a temporary name and renamed.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import datetime
from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMarginsF
from PySide6.QtGui import (
    QFont,
    QGuiApplication,
    QPageLayout,
    QPageSize,
    QPdfWriter,
    QTextDocument,
)

from core.drill.score_export import (
    FEED_NAMES,
    KIND_NAMES,
    LEVEL_NAMES,
    SHARES,
    STATUS_NAMES,
    TIME_FORMAT,
    detail_table,
    summary_lines,
    trainee_row,
    trainee_table,
)
from core.drill.scoring import DrillScore, InjectOutcome
from desktop.report_pdf import Refused, write
from desktop.theme import LIGHT

DPI = 300
TITLE = "演练评分报告"
# A Latin font first: with Noto Sans CJK drawing digits and letters, Qt's PDF writer
# leaves some of them out of the text layer (pdftotext and search lose "1" and times).
# CJK characters fall through to the CJK fonts.
PDF_FONTS = ["Noto Sans", "DejaVu Sans", "Noto Sans CJK SC", "Microsoft YaHei"]
# The team tables, narrowed to fit A4 portrait: the workbook has every column.
TEAM_HEADERS = [
    "姓名",
    "单位",
    "派单",
    "用时中位数",
    "用时最长",
    "时限达标",
    "预警认领",
    "告警处置正确",
    "分派准确",
    "漏办",
]
INJECT_HEADERS = [
    "事项",
    "类型",
    "预期处置",
    "结果",
    "派单用时",
    "派单/处置人",
    "实派",
    "分派正确",
    "漏办归属",
]


def _text(v: Any, share: bool = False) -> str:
    if v is None or v == "":
        return "—"
    if share and isinstance(v, float):
        return f"{v * 100:.1f}%"
    if isinstance(v, datetime):
        return v.strftime(TIME_FORMAT)
    return escape(str(v))


def _table(rows: Sequence[Sequence[Any]], shares: Sequence[int] = ()) -> str:
    head = "".join(f"<th>{escape(str(h))}</th>" for h in rows[0])
    body = []
    for n, row in enumerate(rows[1:]):
        shade = f' bgcolor="{LIGHT["surface_alt"]}"' if n % 2 else ""
        cells = "".join(f"<td>{_text(v, i in shares)}</td>" for i, v in enumerate(row))
        body.append(f"<tr{shade}>{cells}</tr>")
    if not body:
        body.append(f'<tr><td colspan="{len(rows[0])}">无</td></tr>')
    return (
        '<table width="100%" cellspacing="0" cellpadding="3" border="0.5">'
        f'<thead><tr bgcolor="{LIGHT["header"]}">{head}</tr></thead>{"".join(body)}</table>'
    )


def _secs(v: float | None) -> str:
    return "—" if v is None else f"{v:.0f} 秒"


def _team_rows(score: DrillScore) -> list[list[Any]]:
    rows: list[list[Any]] = [TEAM_HEADERS]
    for t in score.trainees:
        r = t.routing
        share = f" ({t.limits_share * 100:.1f}%)" if t.limits_share is not None else ""
        routing = "不计分" if r is None else f"{r.correct}/{r.total} ({r.share * 100:.1f}%)"
        feed = f"{t.feed_correct}/{t.feed_scored}" if t.feed_scored else len(t.feed_decisions)
        rows.append(
            [
                t.display_name,
                t.unit_name,
                len(t.dispatches),
                _secs(t.dispatch_median),
                _secs(t.dispatch_max),
                f"{t.limits_met}/{t.limits_counted}{share}" if t.limits_counted else "—",
                len(t.alerts_acknowledged),
                feed,
                routing,
                "、".join(t.missed),
            ]
        )
    return rows


def _expected(i: InjectOutcome, score: DrillScore) -> str:
    if i.expected_dismiss:
        return "排除误报"
    unit = score.unit_name(i.expected_unit)
    where = " ".join(filter(None, [LEVEL_NAMES.get(i.expected_level or 0), unit]))
    within = f", {i.expected_within / 60:g} 分钟内" if i.expected_within else ""
    return f"派至 {where}{within}"


def _inject_rows(score: DrillScore) -> list[list[Any]]:
    rows: list[list[Any]] = [INJECT_HEADERS]
    for i in score.injects:
        got_unit = score.unit_name(i.got_unit)
        got = " ".join(filter(None, [LEVEL_NAMES.get(i.got_level or 0), got_unit]))
        status = STATUS_NAMES.get(i.status, i.status)
        if i.feed_status and i.status == "decided":
            status = FEED_NAMES.get(i.feed_status, i.feed_status)
        ok = None if i.routing_ok is None else ("是" if i.routing_ok else "否")
        rows.append(
            [
                i.inject,
                KIND_NAMES.get(i.kind, i.kind),
                _expected(i, score),
                status,
                _secs(i.seconds_to_dispatch),
                i.dispatched_by or i.decided_by,
                got,
                ok,
                "、".join(i.attributed),
            ]
        )
    return rows


def html(score: DrillScore) -> str:
    """The whole report as Qt rich text."""
    trainees = trainee_table(score)
    parts = [
        f"<h1 align='center'>{TITLE}</h1>",
        "<table cellpadding='2'>",
        *(
            f"<tr><td><b>{escape(k)}</b></td><td>{escape(v)}</td></tr>"
            for k, v in summary_lines(score)
        ),
        "</table>",
        "<h2>一、参演人员得分</h2>",
        _table(_team_rows(score)),
        "<h2>二、脚本事项与处置情况</h2>",
        _table(_inject_rows(score)) if score.injects else "<p>回放演练: 无脚本事项。</p>",
        "<p style='font-size:7pt'>注：派单用时自事项触发(或受理)起算至首次派单；时限达标率为"
        "已结束时限中未超期者所占比例, 评分时点已超期未结束者计为未达标；漏办事项归属于同一派单"
        "队列(告警为告警处置)当班派单人员。</p>",
    ]
    for n, t in enumerate(score.trainees, start=3):
        row = trainee_row(t)
        head = trainees[0]
        parts.append(
            f"<h2 style='page-break-before: always'>{_cn(n)}、{escape(t.display_name)}"
            f" ({escape(t.username)} · {escape(t.unit_name)})</h2>"
        )
        metrics = [[h, _text(row[i], h in SHARES)] for i, h in enumerate(head) if i >= 3]
        parts.append(_table([["指标", "得分"], *metrics]))
        parts.append("<h3>明细</h3>")
        parts.append(_table(detail_table(t, score)))
    return "".join(parts)


def _cn(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


def render(score: DrillScore, path: Path) -> int:
    """Write the PDF to ``path`` (needs a QGuiApplication); returns the number of pages."""
    writer = QPdfWriter(str(path))
    writer.setResolution(DPI)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(15, 15, 15, 18),
            QPageLayout.Unit.Millimeter,
        )
    )
    writer.setTitle(f"{TITLE} {score.scenario_id or ''}".strip())
    writer.setCreator("Command Center 社会治理指挥中心")
    doc = QTextDocument()
    base = QFont(PDF_FONTS)
    base.setPointSizeF(8.5)
    doc.setDefaultFont(base)
    doc.setDefaultStyleSheet(
        "h1 { font-size: 18pt; } h2 { font-size: 12pt; } h3 { font-size: 10pt; }"
        f" th {{ font-weight: bold; }} td, th {{ border-color: {LIGHT['border']}; }}"
    )
    doc.setHtml(html(score))
    doc.print_(writer)
    return int(doc.pageCount())


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m desktop.drill_report_pdf",
        description="A drill's score report as an A4 PDF (main.py drill score --out F.pdf).",
    )
    p.add_argument("--db", metavar="URL", help="the drill database's URL or SQLite file")
    p.add_argument("--scenario", type=Path, metavar="FILE", help="the scenario (TOML)")
    p.add_argument("--at", metavar="ISO", help="score as of this moment (default: now)")
    p.add_argument("--out", type=Path, required=True, metavar="FILE")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    from commands import close_stores
    from commands.drill import ScoreRefused, build_score

    args = _parser().parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])
    try:
        score = build_score(args.db, args.scenario, args.at)
        pages = write(args.out, lambda path: render(score, path))
    except (Refused, ScoreRefused) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        close_stores()
    del app
    print(f"drill score: {len(score.trainees)} trainees; {pages} pages; wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
