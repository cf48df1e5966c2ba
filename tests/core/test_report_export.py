"""`python main.py report`: the workbook and the CSV files against core/analytics' figures
for the fixture of test_analytics (March 2025), the milestones of O2 (driven through the
whole loop), and the refusals that exit 2 and leave no file. Runs on both backends.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from core.analytics import Report, compute
from core.analytics.rules import INDICATORS
from core.clock import ManualClock
from core.domain.actor import Actor
from core.service import OrderService
from core.storage.db import write_tx
from core.storage.schema import orders, settings
from main import main
from tests.core.county import County
from tests.core.test_analytics import EXPECTED_MARCH, build, mar

LEVELS = ("county", "town", "unit", "tier")
MILESTONES = [
    "受理时间",
    "首次派单时间",
    "首次签收时间",
    "办结提交时间",
    "核查通过时间",
    "回访时间",
    "结案时间",
]
# O2: registered Mar 3 10:00, → town1 11:00, accepted 14:00, submitted Mar 5 10:00, review
# passed 11:00, visit satisfied Mar 6 10:00, which closed it (local times).
O2_MILESTONES = [mar(3, 10), mar(3, 11), mar(3, 14), mar(5, 10), mar(5, 11), mar(6, 10), mar(6, 10)]


@pytest.fixture
def built(svc: OrderService, actors: dict[str, Actor], county: County, clock: ManualClock) -> Any:
    return build(svc, actors, county, clock)


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    """Where the report goes, away from the SQLite test database in tmp_path."""
    path = tmp_path / "out"
    path.mkdir()
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def reports(svc: OrderService) -> dict[str, Report]:
    now = datetime.now(UTC)  # the command computes as of the real clock too
    return {by: compute(svc.store.engine, period="2025-03", by=by, as_of=now) for by in LEVELS}


def expected_rows(rep: Report) -> list[Any]:
    return [rep.total] if rep.by == "county" else list(rep.groups)


def number_of(svc: OrderService, order_id: int) -> str:
    with svc.store.engine.connect() as conn:
        return str(conn.execute(select(orders.c.number).where(orders.c.id == order_id)).scalar())


def test_xlsx(
    db_url: str,
    built: Any,
    svc: OrderService,
    capsys: pytest.CaptureFixture[str],
    out_dir: Path,
) -> None:
    out = out_dir / "report.xlsx"
    code, stdout, err = run(
        capsys,
        "--db",
        db_url,
        "report",
        "--period",
        "2025-03",
        "--format",
        "xlsx",
        "--out",
        str(out),
    )
    assert code == 0, err
    assert "report 2025-03: 15 orders" in stdout
    assert [p.name for p in out_dir.iterdir()] == ["report.xlsx"]  # no temporary left
    wb = load_workbook(out)
    assert wb.sheetnames == [*LEVELS, "orders"]
    expected = reports(svc)
    for level in LEVELS:
        ws = wb[level]
        assert ws.freeze_panes == "B2"
        assert all(c.font.bold for c in ws[1])
        header = [c.value for c in ws[1]]
        assert header[:4] == ["代码", "名称", "受理量", "直接答复率"]
        assert header[-2:] == ["综合评分", "排名"]
        rows = list(ws.iter_rows(min_row=2, values_only=True))
        want = expected_rows(expected[level])
        assert [r[0] for r in rows] == [g.key for g in want]
        for row, group in zip(rows, want, strict=True):
            cells = dict(zip(header, row, strict=True))
            assert cells["综合评分"] == group.score.value
            assert cells["排名"] == group.rank
            values = row[2:-2]
            for value, name in zip(values, INDICATORS, strict=True):
                m = group.measures[name]
                if m.denominator is None or m.value is None:
                    assert value == (m.numerator if m.denominator is None else None), name
                else:  # the xlsx stores 15 significant digits
                    assert value == pytest.approx(m.value, rel=1e-14), name
    head, total = ([c.value for c in wb["county"][r]] for r in (1, 2))
    county = dict(zip(head, total, strict=True))
    assert county["受理量"] == EXPECTED_MARCH["intake"][0] == 13
    assert county["及时派遣率"] == pytest.approx(8 / 11)
    assert county["综合评分"] == 56.83
    assert wb["county"]["E2"].number_format == "0.0%"

    ws = wb["orders"]
    header = [c.value for c in ws[1]]
    assert header[:7] == ["工单编号", "事项分类", "诉求类型", "所在地", "地址", "主办单位", "状态"]
    assert header[7:] == MILESTONES
    by_number = {
        r[0]: dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)
    }
    assert len(by_number) == 15  # O1-O12, O14-O16: O13 (April 1 local) and F1 (Feb) left out
    o2 = by_number[number_of(svc, built["O2"])]
    assert [o2[h] for h in MILESTONES] == [t.replace(tzinfo=None) for t in O2_MILESTONES]
    assert o2["状态"] == "已结案" and o2["诉求类型"] == "投诉" and o2["主办单位"] == "第1镇"
    o12 = by_number[number_of(svc, built["O12"])]  # registered only, Mar 31 23:30 local
    assert o12["受理时间"] == datetime(2025, 3, 31, 23, 30)
    assert all(o12[h] is None for h in MILESTONES[1:])


def test_csv(
    db_url: str,
    built: Any,
    svc: OrderService,
    capsys: pytest.CaptureFixture[str],
    out_dir: Path,
) -> None:
    out = out_dir / "report.csv"
    code, _, err = run(
        capsys,
        "report",
        "--db",
        db_url,
        "--period",
        "2025-03",
        "--format",
        "csv",
        "--out",
        str(out),
    )
    assert code == 0, err
    assert sorted(p.name for p in out_dir.iterdir()) == ["report-orders.csv", "report.csv"]
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    with out.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    expected = reports(svc)
    assert [r["层级"] for r in rows] == [
        level for level in LEVELS for _ in expected_rows(expected[level])
    ]
    for level in LEVELS:
        got = [r for r in rows if r["层级"] == level]
        for row, group in zip(got, expected_rows(expected[level]), strict=True):
            assert row["代码"] == group.key
            assert row["综合评分"] == ("" if group.score.value is None else str(group.score.value))
            assert row["排名"] == ("" if group.rank is None else str(group.rank))
    county = rows[0]
    assert county["名称"] == "全县合计 测试县"
    assert county["受理量"] == "13"
    assert county["及时派遣率(%)"] == str(round(8 / 11 * 100, 2))
    assert county["综合评分"] == "56.83"

    with (out_dir / "report-orders.csv").open(encoding="utf-8-sig", newline="") as f:
        orders_rows = {r["工单编号"]: r for r in csv.DictReader(f)}
    assert len(orders_rows) == 15
    o2 = orders_rows[number_of(svc, built["O2"])]
    assert [o2[h] for h in MILESTONES] == [t.strftime("%Y-%m-%d %H:%M:%S") for t in O2_MILESTONES]


def test_format_from_suffix(
    db_url: str, built: Any, capsys: pytest.CaptureFixture[str], out_dir: Path
) -> None:
    out = out_dir / "march.xlsx"
    code, _, err = run(capsys, "report", "--db", db_url, "--period", "2025-03", "--out", str(out))
    assert code == 0, err
    assert load_workbook(out).sheetnames[-1] == "orders"


@pytest.mark.parametrize(
    "argv",
    [
        ["--format", "docx"],
        ["--period", "2025-13"],
        ["--period", "March"],
        ["--bogus"],
    ],
)
def test_bad_arguments_exit_2(
    argv: list[str], capsys: pytest.CaptureFixture[str], out_dir: Path
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["report", "--out", str(out_dir / "r.xlsx"), *argv])
    assert exc.value.code == 2
    assert "error:" in capsys.readouterr().err
    assert list(out_dir.iterdir()) == []


def test_refusals_exit_2_and_write_nothing(
    db_url: str, svc: OrderService, capsys: pytest.CaptureFixture[str], out_dir: Path
) -> None:
    code, _, err = run(capsys, "report", "--db", db_url, "--out", str(out_dir / "r.txt"))
    assert code == 2 and "unknown format 'txt'" in err
    missing = out_dir / "no" / "such" / "r.xlsx"
    code, _, err = run(capsys, "report", "--db", db_url, "--format", "xlsx", "--out", str(missing))
    assert code == 2 and "not a writable directory" in err
    code, _, err = run(capsys, "report", "--db", db_url, "--format", "csv", "--out", str(out_dir))
    assert code == 2 and "is a directory" in err
    assert list(out_dir.iterdir()) == []

    with write_tx(svc.store.engine) as conn:
        conn.execute(
            update(settings).where(settings.c.key == "database_kind").values(value="drill")
        )
    out = out_dir / "r.xlsx"
    code, _, err = run(capsys, "report", "--db", db_url, "--format", "xlsx", "--out", str(out))
    assert code == 2 and "drill database" in err and len(err.strip().splitlines()) == 1
    assert list(out_dir.iterdir()) == []


def test_failed_write_leaves_nothing(
    db_url: str,
    built: Any,
    capsys: pytest.CaptureFixture[str],
    out_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The orders file fails after the levels' file was written: neither stays behind."""
    import commands.report as report

    real = report.write_csv
    calls = []

    def failing(table: Any, path: Path) -> None:
        calls.append(path)
        if len(calls) == 2:
            raise OSError(28, "No space left on device", str(path))
        real(table, path)

    monkeypatch.setattr(report, "write_csv", failing)
    out = out_dir / "r.csv"
    code, _, err = run(capsys, "report", "--db", db_url, "--period", "2025-03", "--out", str(out))
    assert code == 2 and "No space left on device" in err
    assert list(out_dir.iterdir()) == []
