"""`python main.py report --format pdf`: the command runs desktop.report_pdf in a subprocess
and writes a whole PDF (or nothing) for the fixture of test_analytics (March 2025); the page
plan pours long tables over pages with their header repeated; the renderer, run in this
process, paginates a long unit table. Runs on both backends.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

import commands.report as report_cmd
from core.analytics.export import build as build_assessment
from core.clock import ManualClock
from core.domain.actor import Actor
from core.service import OrderService
from core.storage.db import write_tx
from core.storage.schema import settings
from desktop import report_pdf
from desktop.report_pdf import Chunk, flow
from main import main
from tests.core.county import County
from tests.core.test_analytics import build

PAGE = re.compile(rb"/Type\s*/Page(?!s)")


@pytest.fixture
def built(svc: OrderService, actors: dict[str, Actor], county: County, clock: ManualClock) -> Any:
    return build(svc, actors, county, clock)


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    path = tmp_path / "out"
    path.mkdir()
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def pages(data: bytes) -> int:
    return len(PAGE.findall(data))


def check_pdf(path: Path) -> bytes:
    data = path.read_bytes()
    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF")
    return data


def page_text(path: Path) -> str | None:
    """The pages' text through poppler's pdftotext, when this machine has it."""
    tool = shutil.which("pdftotext")
    if tool is None:
        return None
    done = subprocess.run([tool, "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True)
    # Qt's ToUnicode map names the lowest code point of a glyph, and Noto CJK shares glyphs
    # between ideographs and (Kangxi) radicals: 月 comes back as ⽉ U+2F49, 页 as ⻚ U+2EDA.
    # NFKC folds the Kangxi ones; the regexes below skip the others. Spaces are dropped.
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", done.stdout.decode("utf-8")))


def test_pdf(db_url: str, built: Any, capsys: pytest.CaptureFixture[str], out_dir: Path) -> None:
    out = out_dir / "report.pdf"
    code, stdout, err = run(
        capsys,
        "--db",
        db_url,
        "report",
        "--period",
        "2025-03",
        "--format",
        "pdf",
        "--out",
        str(out),
    )
    assert code == 0, err
    # Page 1: the summary and the chart; page 2: the town table (2 towns) and the unit table.
    assert stdout.strip() == f"report 2025-03: 15 orders; 2 pages; wrote {out}"
    assert [p.name for p in out_dir.iterdir()] == ["report.pdf"]  # no temporary left
    data = check_pdf(out)
    assert pages(data) == 2
    # The title is stored as UTF-8 in the XMP metadata, which Qt writes uncompressed.
    assert "测试县社会治理综合考核月报 2025年3月".encode() in data
    text = page_text(out)
    if text is None:
        pytest.skip("pdftotext is not installed: the pages' text is not checked")
    assert "测试县社会治理综合考核月报" in text
    assert re.search("第1.?/共2", text) and re.search("第2.?/共2", text)
    assert "56.83" in text  # the county's composite score (test_report_export)


def test_format_from_suffix(
    db_url: str, built: Any, capsys: pytest.CaptureFixture[str], out_dir: Path
) -> None:
    out = out_dir / "march.pdf"
    code, _, err = run(capsys, "report", "--db", db_url, "--period", "2025-03", "--out", str(out))
    assert code == 0, err
    assert pages(check_pdf(out)) == 2


def test_refusals_exit_2_and_write_nothing(
    db_url: str,
    svc: OrderService,
    capsys: pytest.CaptureFixture[str],
    out_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    missing = out_dir / "no" / "such" / "r.pdf"
    code, _, err = run(capsys, "report", "--db", db_url, "--out", str(missing))
    assert code == 2 and "not a writable directory" in err
    code, _, err = run(capsys, "report", "--db", db_url, "--format", "pdf", "--out", str(out_dir))
    assert code == 2 and "is a directory" in err
    code, _, err = run(
        capsys,
        "report",
        "--db",
        db_url,
        "--out",
        str(out_dir / "r.pdf"),
        "--rules",
        str(out_dir / "missing.toml"),
    )
    assert code == 2 and "missing.toml" in err and len(err.strip().splitlines()) == 1
    assert list(out_dir.iterdir()) == []

    monkeypatch.setattr(report_cmd, "PDF_TIMEOUT", 0.01)
    code, _, err = run(capsys, "report", "--db", db_url, "--out", str(out_dir / "r.pdf"))
    assert code == 2 and "took longer than" in err
    assert list(out_dir.iterdir()) == []  # the renderer's folder went with it
    monkeypatch.undo()

    with write_tx(svc.store.engine) as conn:
        conn.execute(
            update(settings).where(settings.c.key == "database_kind").values(value="drill")
        )
    code, _, err = run(capsys, "report", "--db", db_url, "--out", str(out_dir / "r.pdf"))
    assert code == 2 and "drill database" in err and len(err.strip().splitlines()) == 1
    assert err.startswith("error: ") and not err.startswith("error: error:")
    assert list(out_dir.iterdir()) == []


def test_flow_repeats_headers_and_keeps_every_row() -> None:
    plan = flow([2, 95], top=0, bottom=100, title_h=10, header_h=5, row_h=2, gap=4)
    chunks = [c for page in plan for c in page]
    # Page 1: the town table (2 rows, ending at 19, + 4) and 31 units; then 42 units a page.
    assert [(c.table, c.start, c.stop) for c in chunks] == [
        (0, 0, 2),
        (1, 0, 31),
        (1, 31, 73),
        (1, 73, 95),
    ]
    assert [len(p) for p in plan] == [2, 1, 1]
    assert [c.continued for c in chunks] == [False, False, True, True]
    for c in chunks:  # every chunk, its title, header and rows, fits between top and bottom
        assert c.y + 10 + 5 + (c.stop - c.start) * 2 <= 100


def test_flow_moves_a_table_that_would_start_with_too_few_rows() -> None:
    plan = flow([40, 10], top=0, bottom=100, title_h=10, header_h=5, row_h=2, gap=4)
    # 40 rows end at y = 95 (+ 4): not even the title and the header fit below.
    assert plan[1] == [Chunk(1, 0, 10, 0, continued=False)]
    empty = flow([0, 0], top=0, bottom=100, title_h=10, header_h=5, row_h=2, gap=4)
    assert [(c.start, c.stop) for c in empty[0]] == [(0, 1), (0, 1)]  # a "no data" row each


def test_renderer_paginates_long_tables(
    qapp: Any,
    svc: OrderService,
    built: Any,
    tmp_path: Path,
) -> None:
    """In this process: a unit table of 25 times the fixture's units spreads over pages, each
    counted in the PDF."""
    a = build_assessment(svc.store.engine, period="2025-03", as_of=datetime.now(UTC))
    unit = a.levels["unit"]
    many = replace(unit, groups=unit.groups * 25)
    a = replace(a, levels={**a.levels, "unit": many})
    expected = 1 + len(flow([len(a.levels["town"].groups), len(many.groups)]))
    assert expected >= 4
    out = tmp_path / "long.pdf"
    assert report_pdf.write(out, lambda path: report_pdf.render(a, path)) == expected
    data = check_pdf(out)
    assert pages(data) == expected
    text = page_text(out)
    if text is not None:
        assert text.count("单位考核明细(续)") == expected - 2  # the header repeated
        assert text.count("综合评分排名") == 1
        assert re.search(f"第{expected}.?/共{expected}", text)
