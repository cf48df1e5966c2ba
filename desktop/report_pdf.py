"""The monthly assessment report (社会治理综合考核月报) as an A4 PDF for the county leader,
drawn with Qt's own PDF writer: the county summary, a bar chart of the towns' composite
scores, and the town and unit tables with repeated headers and "第 n 页 / 共 m 页".

``main.py report --format pdf`` runs this module in a subprocess (commands/ never import
Qt):

    python -m desktop.report_pdf --db URL --period YYYY-MM --out FILE [--rules F] [--composite F]

The pages are planned before anything is drawn (``flow``), so the footer knows the total.
Exit 2 with one line on stderr on bad input; the file is written under a temporary name and
renamed, so a failed run leaves nothing behind.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QGuiApplication,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
)

from desktop.theme import LIGHT

if TYPE_CHECKING:
    from core.analytics import GroupRow, Report
    from core.analytics.export import Assessment

DPI = 300
MM = DPI / 25.4  # device pixels per millimetre
PAGE_W, PAGE_H = 210 * MM, 297 * MM
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 15 * MM, 15 * MM, 18 * MM
LEFT, RIGHT = MARGIN_X, PAGE_W - MARGIN_X
TOP, BOTTOM = MARGIN_TOP, PAGE_H - MARGIN_BOTTOM
WIDTH = RIGHT - LEFT
TITLE_H, HEADER_H, ROW_H = 11 * MM, 8 * MM, 6.2 * MM
MIN_ROWS = 3  # a table starts on a new page rather than with fewer rows under its header
# The font the workstation uses (desktop/app.py FONT_FAMILIES), and the Windows fallback.
FONT_FAMILIES = ["Noto Sans CJK SC", "Microsoft YaHei", "Noto Sans", "DejaVu Sans"]
# The indicators the tables show (the summary shows all of them).
KEY_INDICATORS = (
    "intake",
    "timely_dispatch",
    "timely_acceptance",
    "on_time_closure",
    "closure_rate",
    "rework_rate",
    "satisfaction",
    "supervisions",
)
DASH = "—"


# --- page plan (no Qt) -----------------------------------------------------------------------


@dataclass(frozen=True)
class Chunk:
    """Rows ``start:stop`` of table ``table``, drawn from ``y`` under a title and a header."""

    table: int
    start: int
    stop: int
    y: float
    continued: bool  # the title says (续)


def flow(
    sizes: Sequence[int],
    top: float = TOP,
    bottom: float = BOTTOM,
    title_h: float = TITLE_H,
    header_h: float = HEADER_H,
    row_h: float = ROW_H,
    min_rows: int = MIN_ROWS,
    gap: float = 4 * MM,
) -> list[list[Chunk]]:
    """The tables' rows poured into pages, one after the other. Every chunk repeats the
    title and the column header; a table with no rows still gets one (a "no data" row)."""
    pages: list[list[Chunk]] = [[]]
    y = top
    for t, size in enumerate(sizes):
        n = max(size, 1)
        start = 0
        while start < n:
            fits = int((bottom - y - title_h - header_h) // row_h)
            if fits < min(min_rows, n - start):
                pages.append([])
                y = top
                continue
            stop = min(n, start + fits)
            pages[-1].append(Chunk(t, start, stop, y, continued=start > 0))
            y += title_h + header_h + (stop - start) * row_h + gap
            start = stop
    return [p for p in pages if p] or [[]]


# --- text helpers ----------------------------------------------------------------------------


def period_text(a: Assessment) -> str:
    p = a.period
    return f"{p.year}年度" if p.month is None else f"{p.year}年{p.month}月"


def report_title(a: Assessment) -> str:
    kind = "年报" if a.period.month is None else "月报"
    return f"{county_name(a)}社会治理综合考核{kind}"


def county_name(a: Assessment) -> str:
    return a.levels["county"].total.name or "全县"


def measure_text(row: GroupRow, name: str) -> str:
    m = row.measures[name]
    if m.denominator is None:
        return str(m.numerator)
    return DASH if m.value is None else f"{m.value * 100:.1f}%"


def score_text(row: GroupRow) -> str:
    return DASH if row.score.value is None else f"{row.score.value:.2f}"


def font(points: float, bold: bool = False) -> QFont:
    f = QFont(FONT_FAMILIES)
    f.setPointSizeF(points)
    f.setBold(bold)
    return f


def color(token: str) -> QColor:
    return QColor(LIGHT[token])


# --- drawing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    title: str
    report: Report
    rows: list[GroupRow]


class Renderer:
    """Draws one assessment on a QPdfWriter, page by page from the plan."""

    def __init__(self, a: Assessment, path: Path, names: dict[str, str]) -> None:
        from commands.stats import _group_name

        self.a = a
        self.names = names
        self.group_name = _group_name
        self.tables = [
            Table("三、镇街考核明细", a.levels["town"], list(a.levels["town"].groups)),
            Table("四、单位考核明细", a.levels["unit"], list(a.levels["unit"].groups)),
        ]
        self.plan = flow([len(t.rows) for t in self.tables])
        self.pages = 1 + len([p for p in self.plan if p])
        self.path = path
        self.writer = QPdfWriter(str(path))
        self.writer.setResolution(DPI)
        self.writer.setPageLayout(
            QPageLayout(
                QPageSize(QPageSize.PageSizeId.A4),
                QPageLayout.Orientation.Portrait,
                QMarginsF(0, 0, 0, 0),
            )
        )
        self.writer.setTitle(f"{report_title(a)} {period_text(a)}")
        self.writer.setCreator("Command Center 社会治理指挥中心")
        self.columns = self._columns()

    def render(self) -> int:
        p = QPainter()
        if not p.begin(self.writer):
            raise OSError(f"cannot open the PDF writer on {self.path}")
        try:
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
            self._overview(p)
            self._footer(p, 1)
            for n, chunks in enumerate((c for c in self.plan if c), start=2):
                self.writer.newPage()
                for chunk in chunks:
                    self._table(p, chunk)
                self._footer(p, n)
        finally:
            p.end()
        return self.pages

    # page 1 ------------------------------------------------------------------------------

    def _overview(self, p: QPainter) -> None:
        a = self.a
        p.setPen(color("text"))
        p.setFont(font(20, bold=True))
        title = QRectF(LEFT, TOP, WIDTH, 14 * MM)
        p.drawText(
            title, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter, report_title(a)
        )
        made = a.levels["county"].as_of.astimezone(a.period.tz)
        sub = (
            f"考核期 {period_text(a)} · 生成时间 {made:%Y-%m-%d %H:%M}"
            f"({a.period.tz.key}) · 本期受理工单 {len(a.orders)} 件"
        )
        p.setPen(color("muted"))
        p.setFont(font(10))
        p.drawText(QRectF(LEFT, TOP + 14 * MM, WIDTH, 7 * MM), Qt.AlignmentFlag.AlignCenter, sub)
        p.setPen(QPen(color("accent"), 0.6 * MM))
        y = TOP + 24 * MM
        p.drawLine(QPointF(LEFT, y), QPointF(RIGHT, y))
        y = self._summary(p, y + 5 * MM)
        self._chart(p, y + 6 * MM)

    def _section(self, p: QPainter, y: float, text: str) -> float:
        p.setPen(color("text"))
        p.setFont(font(13, bold=True))
        p.drawText(QRectF(LEFT, y, WIDTH, 8 * MM), Qt.AlignmentFlag.AlignVCenter, text)
        return y + 10 * MM

    def _summary(self, p: QPainter, y: float) -> float:
        """The composite score in a box, and every indicator with numerator/denominator."""
        total = self.a.levels["county"].total
        y = self._section(p, y, "一、全县总体情况")
        names = list(self.names)
        half = math.ceil(len(names) / 2)
        row_h = 7 * MM
        box = QRectF(LEFT, y, 46 * MM, half * row_h)
        p.setPen(QPen(color("border"), 0.3 * MM))
        p.setBrush(color("surface_alt"))
        p.drawRoundedRect(box, 2 * MM, 2 * MM)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.setPen(color("muted"))
        p.setFont(font(11))
        p.drawText(
            QRectF(box.left(), box.top() + 10 * MM, box.width(), 8 * MM),
            Qt.AlignmentFlag.AlignCenter,
            "综合评分",
        )
        p.setPen(color("accent"))
        p.setFont(font(30, bold=True))
        p.drawText(
            QRectF(box.left(), box.top() + 18 * MM, box.width(), 16 * MM),
            Qt.AlignmentFlag.AlignCenter,
            score_text(total),
        )
        p.setPen(color("muted"))
        p.setFont(font(8.5))
        towns = [g for g in self.a.levels["town"].groups if g.rank is not None]
        units = [g for g in self.a.levels["unit"].groups if g.rank is not None]
        p.drawText(
            QRectF(box.left(), box.top() + 36 * MM, box.width(), 12 * MM),
            Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
            f"参评镇街 {len(towns)} 个\n参评单位 {len(units)} 个",
        )
        left = box.right() + 8 * MM
        col_w = (RIGHT - left - 6 * MM) / 2
        for i, n in enumerate(names):
            x = left + (i // half) * (col_w + 6 * MM)
            top = y + (i % half) * row_h
            cell = QRectF(x, top, col_w, row_h)
            if i % half % 2 == 0:
                p.fillRect(cell, color("surface_alt"))
            m = total.measures[n]
            p.setPen(color("text"))
            p.setFont(font(9.5))
            inner = cell.adjusted(2 * MM, 0, -2 * MM, 0)
            p.drawText(inner, Qt.AlignmentFlag.AlignVCenter, self.names[n])
            p.setFont(font(9.5, bold=True))
            value = QRectF(inner.left() + 0.42 * inner.width(), top, 0.25 * inner.width(), row_h)
            p.drawText(
                value,
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                measure_text(total, n),
            )
            if m.denominator is not None:
                p.setPen(color("muted"))
                p.setFont(font(8))
                p.drawText(
                    inner,
                    Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                    f"{m.numerator} / {m.denominator}",
                )
        y += half * row_h + 2 * MM
        p.setPen(color("muted"))
        p.setFont(font(8))
        p.drawText(
            QRectF(LEFT, y, WIDTH, 10 * MM),
            Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap,
            f"注：比率后为分子 / 分母；“{DASH}”表示本期无分母、不计比率；"
            f"排名为“{DASH}”的单位本期无可考核事项，不参评。",
        )
        return y + 10 * MM

    def _chart(self, p: QPainter, y: float) -> None:
        """Horizontal bars of the towns' composite scores, best first, with the county's
        score as a dashed line."""
        y = self._section(p, y, "二、各镇街综合评分排名")
        towns = [g for g in self.a.levels["town"].groups if g.score.value is not None]
        if not towns:
            p.setPen(color("muted"))
            p.setFont(font(10))
            p.drawText(
                QRectF(LEFT, y, WIDTH, 10 * MM),
                Qt.AlignmentFlag.AlignVCenter,
                "本期没有参评的镇街。",
            )
            return
        report = self.a.levels["town"]
        labels = [f"{g.rank}. {self.group_name(report, g)}" for g in towns]
        top = y + 6 * MM  # room for the county line's label
        axis_y = BOTTOM - 14 * MM
        band = min(10 * MM, (axis_y - top) / len(towns))
        axis_y = top + band * len(towns)
        # A line of Noto CJK is about 1.45 em: shrink the text when many towns share the page.
        points = min(9.5, band / MM / 0.3528 / 1.5)
        label_font = font(points)
        fm = QFontMetricsF(label_font, self.writer)
        label_w = max(fm.horizontalAdvance(t) for t in labels) + 4 * MM
        value_w = 16 * MM
        x0, x1 = LEFT + label_w, RIGHT - value_w
        scores = [float(g.score.value or 0) for g in towns]
        scale_max = max(100.0, math.ceil(max(scores) / 10) * 10)

        def at(v: float) -> float:
            return x0 + (x1 - x0) * max(0.0, v) / scale_max

        step = 20 if scale_max <= 100 else scale_max / 5
        ticks = [i * step for i in range(int(scale_max // step) + 1)]
        p.setFont(font(8))
        for t in ticks:
            p.setPen(QPen(color("border"), 0.2 * MM))
            p.drawLine(QPointF(at(t), top), QPointF(at(t), axis_y))
            p.setPen(color("muted"))
            p.drawText(
                QRectF(at(t) - 8 * MM, axis_y + 1 * MM, 16 * MM, 5 * MM),
                Qt.AlignmentFlag.AlignCenter,
                f"{t:g}",
            )
        p.setPen(QPen(color("text"), 0.3 * MM))
        p.drawLine(QPointF(x0, top), QPointF(x0, axis_y))
        p.drawLine(QPointF(x0, axis_y), QPointF(x1, axis_y))
        p.setPen(color("muted"))
        p.drawText(
            QRectF(x0, axis_y + 6 * MM, x1 - x0, 6 * MM),
            Qt.AlignmentFlag.AlignCenter,
            "综合评分(分)",
        )
        county = self.a.levels["county"].total.score.value
        if county is not None:
            cx = at(county)
            pen = QPen(color("danger"), 0.35 * MM, Qt.PenStyle.DashLine)
            p.setPen(pen)
            p.drawLine(QPointF(cx, top - 1 * MM), QPointF(cx, axis_y))
            p.setFont(font(8))
            p.setPen(color("danger"))
            text = f"全县 {county:.2f}"
            w = QFontMetricsF(font(8), self.writer).horizontalAdvance(text) + 2 * MM
            left = min(cx - w / 2, RIGHT - w)
            p.drawText(QRectF(left, top - 6 * MM, w, 5 * MM), Qt.AlignmentFlag.AlignCenter, text)
        bar_h = band * 0.62
        for i, (g, label, v) in enumerate(zip(towns, labels, scores, strict=True)):
            by = top + i * band
            p.setPen(color("text"))
            p.setFont(label_font)
            p.drawText(
                QRectF(LEFT, by, label_w - 3 * MM, band),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                label,
            )
            bar = QRectF(x0, by + (band - bar_h) / 2, at(v) - x0, bar_h)
            p.fillRect(bar, color("accent") if g.rank == 1 else QColor("#6f9bd8"))
            value = f"{v:.2f}"
            vf = font(min(9.0, points), bold=True)
            vw = QFontMetricsF(vf, self.writer).horizontalAdvance(value)
            spot = QRectF(bar.right() + 1.5 * MM, by, vw, band)
            p.fillRect(
                spot.adjusted(-0.5 * MM, band * 0.2, 0.5 * MM, -band * 0.2), Qt.GlobalColor.white
            )
            p.setFont(vf)
            p.drawText(
                spot,
                Qt.AlignmentFlag.AlignVCenter,
                value,
            )

    # tables ------------------------------------------------------------------------------

    def _columns(self) -> list[tuple[str, float, Qt.AlignmentFlag]]:
        """(header, width, alignment): fixed columns sized to their header, and the name
        column taking what is left."""
        fm = QFontMetricsF(font(8, bold=True), self.writer)
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        centre = Qt.AlignmentFlag.AlignCenter

        def fit(text: str) -> float:
            return max(fm.horizontalAdvance(text), fm.horizontalAdvance("100.0%")) + 3 * MM

        fixed = [("排名", fit("排名"), centre)]
        fixed += [(self.names[n], fit(self.names[n]), right) for n in KEY_INDICATORS]
        fixed.append(("综合评分", fit("综合评分"), right))
        name_w = WIDTH - sum(w for _, w, _ in fixed)
        left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        return [fixed[0], ("名称", name_w, left), *fixed[1:]]

    def _cells(self, report: Report, row: GroupRow) -> list[str]:
        rank = DASH if row.rank is None else str(row.rank)
        name = self.group_name(report, row)
        return [rank, name, *(measure_text(row, n) for n in KEY_INDICATORS), score_text(row)]

    def _table(self, p: QPainter, chunk: Chunk) -> None:
        table = self.tables[chunk.table]
        y = chunk.y
        p.setPen(color("text"))
        p.setFont(font(13, bold=True))
        title = table.title + ("(续)" if chunk.continued else "")
        p.drawText(QRectF(LEFT, y, WIDTH, TITLE_H - 2 * MM), Qt.AlignmentFlag.AlignVCenter, title)
        y += TITLE_H
        p.fillRect(QRectF(LEFT, y, WIDTH, HEADER_H), color("header"))
        self._row(p, y, HEADER_H, [c[0] for c in self.columns], font(8, bold=True), "text")
        y += HEADER_H
        if not table.rows:
            p.setPen(color("muted"))
            p.setFont(font(9))
            p.drawText(QRectF(LEFT, y, WIDTH, ROW_H), Qt.AlignmentFlag.AlignCenter, "本期无数据")
            y += ROW_H
        for i in range(chunk.start, min(chunk.stop, len(table.rows))):
            if i % 2:
                p.fillRect(QRectF(LEFT, y, WIDTH, ROW_H), color("surface_alt"))
            row = table.rows[i]
            muted = "muted" if row.rank is None else "text"
            self._row(p, y, ROW_H, self._cells(table.report, row), font(8.5), muted)
            y += ROW_H
        p.setPen(QPen(color("border"), 0.25 * MM))
        p.drawLine(QPointF(LEFT, y), QPointF(RIGHT, y))
        p.drawLine(QPointF(LEFT, chunk.y + TITLE_H), QPointF(RIGHT, chunk.y + TITLE_H))

    def _row(self, p: QPainter, y: float, h: float, cells: list[str], f: QFont, token: str) -> None:
        p.setFont(f)
        p.setPen(color(token))
        fm = QFontMetricsF(f, self.writer)
        x = LEFT
        for text, (_, w, align) in zip(cells, self.columns, strict=True):
            inner = QRectF(x + 1.2 * MM, y, w - 2.4 * MM, h)
            shown = fm.elidedText(text, Qt.TextElideMode.ElideRight, inner.width())
            p.drawText(inner, align, shown)
            x += w

    def _footer(self, p: QPainter, n: int) -> None:
        y = PAGE_H - 12 * MM
        p.setPen(QPen(color("border"), 0.2 * MM))
        p.drawLine(QPointF(LEFT, y), QPointF(RIGHT, y))
        p.setPen(color("muted"))
        p.setFont(font(8))
        box = QRectF(LEFT, y + 1 * MM, WIDTH, 6 * MM)
        p.drawText(
            box, Qt.AlignmentFlag.AlignVCenter, f"{report_title(self.a)} · {period_text(self.a)}"
        )
        p.drawText(
            box,
            Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
            f"第 {n} 页 / 共 {self.pages} 页",
        )


def render(a: Assessment, path: Path) -> int:
    """Write the PDF to ``path`` (needs a QGuiApplication); returns the number of pages."""
    from commands.report import indicator_names

    return Renderer(a, path, indicator_names()).render()


# --- command line ----------------------------------------------------------------------------


class Refused(Exception):
    pass


def _parser() -> argparse.ArgumentParser:
    from commands.stats import _period

    p = argparse.ArgumentParser(
        prog="python -m desktop.report_pdf",
        description="The monthly assessment report as an A4 PDF (main.py report --format pdf).",
    )
    p.add_argument("--db", metavar="URL", help="database URL or SQLite file")
    p.add_argument("--period", type=_period, metavar="YYYY-MM|YYYY")
    p.add_argument("--out", type=Path, required=True, metavar="FILE")
    p.add_argument("--rules", type=Path, metavar="FILE", help="counting rules (indicators.toml)")
    p.add_argument("--composite", type=Path, metavar="FILE", help="score terms (composite.toml)")
    return p


def write(out: Path, draw: Callable[[Path], int]) -> int:
    """``draw`` into a temporary file next to ``out``, then rename it."""
    folder = out.parent if str(out.parent) else Path(".")
    if out.is_dir():
        raise Refused(f"cannot write {out}: it is a directory")
    if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
        raise Refused(f"cannot write {out}: {folder} is not a writable directory")
    fd, name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".pdf", dir=folder)
    os.close(fd)
    tmp = Path(name)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp's 0600 would hide the report from the group
        pages = draw(tmp)
        if tmp.stat().st_size == 0:
            raise Refused(f"cannot write {out}: the PDF writer wrote nothing")
        os.replace(tmp, out)
    except OSError as exc:
        raise Refused(f"cannot write {out}: {exc.strerror or exc}") from None
    finally:
        tmp.unlink(missing_ok=True)
    return pages


def main(argv: Sequence[str] | None = None) -> int:
    from commands import close_stores
    from commands.report import Refused as BuildRefused
    from commands.report import _build

    args = _parser().parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])
    try:
        assessment = _build(args)
        pages = write(args.out, lambda path: render(assessment, path))
    except (Refused, BuildRefused) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        close_stores()
    del app
    n = len(assessment.orders)
    print(f"report {assessment.period.label}: {n} orders; {pages} pages; wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
