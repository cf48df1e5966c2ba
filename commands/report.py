"""report: the monthly assessment report (月度考核报表) as an Excel workbook, CSV files or
a PDF, for unattended use (cron, a scheduled task).

    python main.py report --db URL [--period YYYY-MM|YYYY] --format xlsx|csv|pdf --out FILE

xlsx: one sheet per level (county, town, unit, tier) and an "orders" sheet. csv: FILE holds
every level's rows with a ``level`` column, and FILE-orders.csv the orders. pdf: the A4 report
for the county leader, drawn with Qt by ``desktop.report_pdf`` in a subprocess (commands never
import Qt). Files are written to a temporary name and renamed, so a failed run leaves nothing
half-written.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import tomllib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from commands import open_store
from commands.stats import _group_name, _period

if TYPE_CHECKING:
    from core.analytics import GroupRow, Report
    from core.analytics.export import Assessment

FORMATS = ("xlsx", "csv", "pdf")
# The PDF renderer's subprocess: a county-sized month takes a few seconds.
PDF_TIMEOUT = 300.0
LEVEL_NAMES = {"county": "全县", "town": "镇街", "unit": "单位", "tier": "层级"}
STATE_NAMES = {
    "registered": "已受理·待派单",
    "dispatched": "已派单·待签收",
    "in_progress": "办理中",
    "paused": "挂账·缓办",
    "pending_review": "待核查",
    "pending_visit": "待回访",
    "closed": "已结案",
    "merged": "已归并",
    "transferred": "已转出",
    "voided": "作废",
}
REQUEST_NAMES = {
    "consultation": "咨询",
    "help": "求助",
    "complaint": "投诉",
    "report": "举报",
    "suggestion": "建议",
    "praise": "表扬",
}
ORDER_HEADERS = {
    "number": "工单编号",
    "category": "事项分类",
    "request_type": "诉求类型",
    "location": "所在地",
    "address": "地址",
    "lead_unit": "主办单位",
    "state": "状态",
    "registered": "受理时间",
    "dispatched": "首次派单时间",
    "accepted": "首次签收时间",
    "submitted": "办结提交时间",
    "reviewed": "核查通过时间",
    "visited": "回访时间",
    "closed": "结案时间",
}
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


class Refused(Exception):
    """Bad input found while running: one line on stderr, exit code 2."""


def register(sub: Any) -> None:
    p = sub.add_parser(
        "report",
        help="the monthly assessment report as an Excel workbook, CSV files or a PDF",
        description="The assessment report of one month (or year) in the county's local time: "
        "every indicator, the composite score (综合评分) and the rank for the county, by "
        "town, by unit and by tier, and one row per order registered in the period with its "
        "milestones. xlsx: one sheet per level and an 'orders' sheet. csv (UTF-8 with BOM): "
        "--out report.csv writes report.csv (every level; its 层级 column says which) and "
        "report-orders.csv (the orders). pdf: the A4 report for the county leader (summary, "
        "town chart, town and unit tables). Bad input exits with code 2 and writes nothing.",
    )
    p.add_argument(
        "--db", metavar="URL", default=argparse.SUPPRESS, help="database URL or SQLite file"
    )
    p.add_argument(
        "--period",
        type=_period,
        metavar="YYYY-MM|YYYY",
        help="a month or a year (default: the last complete month)",
    )
    p.add_argument(
        "--format",
        choices=FORMATS,
        help="xlsx, csv or pdf (default: from the --out file's suffix)",
    )
    p.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="FILE",
        help="the workbook, or the levels' CSV file (the orders go to FILE-orders.csv)",
    )
    p.add_argument("--rules", type=Path, metavar="FILE", help="counting rules (indicators.toml)")
    p.add_argument("--composite", type=Path, metavar="FILE", help="score terms (composite.toml)")


def run(args: argparse.Namespace) -> int:
    try:
        fmt = _format(args)
        targets = _targets(args.out, fmt)
        if fmt == "pdf":
            print(_write_pdf(args, targets[0]))
            return 0
        assessment = _build(args)
        if fmt == "xlsx":
            _commit({targets[0]: lambda path: write_xlsx(assessment, path)})
        else:
            _commit(
                {
                    targets[0]: lambda path: write_csv(level_table(assessment, True), path),
                    targets[1]: lambda path: write_csv(order_table(assessment), path),
                }
            )
    except Refused as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    n = len(assessment.orders)
    label = assessment.period.label + published_note(assessment)
    print(f"report {label}: {n} orders; wrote {', '.join(map(str, targets))}")
    return 0


def _format(args: argparse.Namespace) -> str:
    fmt = args.format or args.out.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise Refused(f"unknown format {fmt!r}: give --format xlsx, csv or pdf")
    return str(fmt)


def _targets(out: Path, fmt: str) -> list[Path]:
    """The files to write; refused before any work when their directory is not writable."""
    paths = [out] if fmt != "csv" else [out, out.with_name(f"{out.stem}-orders{out.suffix}")]
    for path in paths:
        folder = path.parent if str(path.parent) else Path(".")
        if path.is_dir():
            raise Refused(f"cannot write {path}: it is a directory")
        if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
            raise Refused(f"cannot write {path}: {folder} is not a writable directory")
    return paths


def _write_pdf(args: argparse.Namespace, target: Path) -> str:
    """The monthly report's PDF by ``desktop.report_pdf`` (``render_pdf``); returns the
    renderer's summary line."""
    flags: list[str] = []
    for flag, value in (
        ("--period", args.period),
        ("--rules", args.rules),
        ("--composite", args.composite),
    ):
        if value is not None:
            flags += [flag, str(value)]
    stdout = render_pdf("desktop.report_pdf", flags, args.db, target)
    summary = stdout.strip().splitlines()[-1:] or ["report"]
    return f"{summary[0].rsplit('; wrote ', 1)[0]}; wrote {target}"


def render_pdf(module: str, flags: list[str], db: str | None, target: Path) -> str:
    """Run the Qt renderer ``python -m module --out TMP *flags`` in a subprocess (commands
    never import Qt), into a private temporary folder next to ``target``, then rename; the
    folder goes whatever happens (a timeout included). The database URL travels in the
    environment, not on the command line (``ps`` shows that). Returns its stdout; a
    failure is ``Refused`` with the renderer's last line."""
    import shutil
    import subprocess

    from core.storage.db import ENV_URL, resolve_url

    folder = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent or "."))
    tmp = folder / target.name
    cmd = [sys.executable, "-m", module, "--out", str(tmp), *flags]
    root = str(Path(__file__).resolve().parent.parent)
    env = {
        **os.environ,
        ENV_URL: resolve_url(db),
        "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])),
        "PYTHONIOENCODING": "utf-8",
    }
    try:
        try:
            proc = subprocess.run(
                cmd,
                env=env,
                capture_output=True,
                encoding="utf-8",
                errors="replace",
                timeout=PDF_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise Refused(f"the PDF renderer took longer than {PDF_TIMEOUT:.0f} s") from None
        lines = proc.stderr.strip().splitlines()
        if proc.returncode != 0 or not tmp.is_file():
            last = lines[-1] if lines else f"exit code {proc.returncode}"
            raise Refused(last.removeprefix("error: "))
        try:
            os.replace(tmp, target)
        except OSError as exc:
            raise Refused(f"cannot write {target}: {exc.strerror or exc}") from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return proc.stdout


def _build(args: argparse.Namespace) -> Assessment:
    from core.analytics import DrillDatabase, load_composite, load_rules
    from core.analytics.export import build

    store = open_store(args)
    try:
        rules = load_rules(args.rules) if args.rules else load_rules()
        comp = load_composite(args.composite) if args.composite else load_composite()
        return build(
            store.engine,
            period=args.period,
            rules=rules,
            composite=comp,
            as_of=store.clock.now(),
        )
    except DrillDatabase:
        raise Refused(
            "this is a drill database (database_kind = drill); "
            "drill orders never count in assessment"
        ) from None
    finally:
        store.engine.dispose()


def _commit(writers: dict[Path, Callable[[Path], None]]) -> None:
    """Write each file under a temporary name next to it, then rename them all; on any
    failure remove the temporaries and keep whatever was there before."""
    done: dict[Path, Path] = {}
    try:
        for target, write in writers.items():
            fd, name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent or ".")
            os.close(fd)
            done[target] = Path(name)
            write(Path(name))
        for target, tmp in done.items():
            os.replace(tmp, target)
    except OSError as exc:
        raise Refused(f"cannot write {exc.filename}: {exc.strerror or exc}") from None
    finally:
        for tmp in done.values():
            tmp.unlink(missing_ok=True)


def published_note(a: Assessment) -> str:
    """ " (published 2026-11-05 by 李四)" when the figures are a published period's."""
    pub = a.publication
    if pub is None:
        return ""
    return f" (published {pub.published_at.astimezone(a.period.tz):%Y-%m-%d} by {pub.published_by})"


# --- tables ----------------------------------------------------------------------------------


def indicator_names() -> dict[str, str]:
    """Indicator code -> Chinese name, from resources/analytics/indicators.toml."""
    from core.analytics.rules import INDICATORS, INDICATORS_FILE

    doc = tomllib.loads(INDICATORS_FILE.read_text(encoding="utf-8")).get("indicator", {})
    return {n: str(doc.get(n, {}).get("zh") or n) for n in INDICATORS}


def _rows(report: Report) -> list[GroupRow]:
    return [report.total] if report.by == "county" else list(report.groups)


def level_table(a: Assessment, percent: bool) -> list[list[Any]]:
    """Header and rows of every level. Rates are fractions, or percentages rounded to two
    decimals when ``percent`` (CSV has no cell formats); counts are integers."""
    from core.analytics.rules import COUNTS

    names = indicator_names()
    suffix = "(%)" if percent else ""
    header: list[Any] = ["层级", "代码", "名称"]
    header += [names[n] + ("" if n in COUNTS else suffix) for n in names]
    header += ["综合评分", "排名"]
    table = [header]
    for level, report in a.levels.items():
        for row in _rows(report):
            cells: list[Any] = [level, row.key, _group_name(report, row)]
            for n in names:
                m = row.measures[n]
                if m.denominator is None:
                    cells.append(m.numerator)
                elif m.value is None:
                    cells.append(None)
                else:
                    cells.append(round(m.value * 100, 2) if percent else m.value)
            cells += [row.score.value, row.rank]
            table.append(cells)
    return table


def order_table(a: Assessment) -> list[list[Any]]:
    """Header and one row per order; times are naive local datetimes (None when missing)."""
    from core.analytics.export import MILESTONES

    keys = list(ORDER_HEADERS)
    table: list[list[Any]] = [[ORDER_HEADERS[k] for k in keys]]
    frame = a.orders
    columns = {k: frame[k].tolist() for k in keys}
    for i in range(len(frame)):
        row: list[Any] = []
        for k in keys:
            v = columns[k][i]
            if k in MILESTONES:
                row.append(None if v is None or v != v else v.to_pydatetime())  # NaT != NaT
            elif k == "state":
                row.append(STATE_NAMES.get(v, v))
            elif k == "request_type":
                row.append(REQUEST_NAMES.get(v, v))
            else:
                row.append(v if isinstance(v, str) else None)
        table.append(row)
    return table


# --- writers ---------------------------------------------------------------------------------


def write_csv(table: Sequence[Sequence[Any]], path: Path) -> None:
    import csv
    from datetime import datetime

    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        for row in table:
            w.writerow(
                [
                    v.strftime(TIME_FORMAT) if isinstance(v, datetime) else ("" if v is None else v)
                    for v in row
                ]
            )


def write_xlsx(a: Assessment, path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    levels = level_table(a, percent=False)
    header, body = levels[0], levels[1:]
    first_rate = 3
    for level in a.levels:
        ws = wb.create_sheet(level)
        rows = [r[1:] for r in body if r[0] == level]
        _sheet(ws, [header[1:], *rows], widths=[10, 24, *([12] * (len(header) - 5)), 10, 6])
        for col in ws.iter_cols(min_row=2, min_col=first_rate, max_col=len(header) - 3):
            for cell in col:
                if isinstance(cell.value, float):
                    cell.number_format = "0.0%"
        for cell in ws[get_letter(len(header) - 2)][1:]:
            cell.number_format = "0.00"
    orders = order_table(a)
    ws = wb.create_sheet("orders")
    _sheet(ws, orders, widths=[20, 18, 10, 16, 30, 16, 14, *([19] * 7)])
    for col in ws.iter_cols(min_row=2, min_col=len(orders[0]) - 6):
        for cell in col:
            cell.number_format = "yyyy-mm-dd hh:mm:ss"
    if a.publication is not None:
        pub = a.publication
        ws = wb.create_sheet("published")
        at = pub.published_at.astimezone(a.period.tz).replace(tzinfo=None)
        _sheet(
            ws,
            [
                ["项目", "内容"],
                ["考核期", pub.period],
                ["发布时间", at],
                ["发布人", pub.published_by],
                ["规则指纹", pub.rules_hash],
                ["说明", "考核数据已发布锁定, 不再变动; 工单明细为当前状态"],
            ],
            widths=[12, 66],
        )
        ws["B3"].number_format = "yyyy-mm-dd hh:mm:ss"
        wb.properties.description = f"published{published_note(a)}"
    wb.properties.title = f"考核报表 {a.period.label}"
    wb.save(path)


def get_letter(col: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(col))


def _sheet(ws: Any, table: Sequence[Sequence[Any]], widths: Sequence[int]) -> None:
    """Rows with a bold, frozen header and column widths (in characters; a CJK character
    takes two)."""
    from openpyxl.styles import Alignment, Font

    for row in table:
        ws.append(list(row))
    bold = Font(bold=True)
    for cell in ws[1]:
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    ws.freeze_panes = "B2"
    for i, width in enumerate(widths, start=1):
        head = str(table[0][i - 1]) if i <= len(table[0]) else ""
        ws.column_dimensions[get_letter(i)].width = max(width, 2 * len(head) + 2)
