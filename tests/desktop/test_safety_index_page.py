"""The assessment page grouped by grid or town shows the safety index (平安指数): the main
table's last column and the ranked safety table hold core.analytics.safety's figures for
the March scenario (tests/core/test_grid_grouping); the safety table sorts by any column;
other groupings show no index. Renders in Chinese to PNGs in /tmp."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from core.analytics.rules import INDICATORS
from core.analytics.safety import compute_safety
from core.clock import ManualClock
from core.domain.actor import Actor
from core.service import OrderService
from core.store import Store
from desktop.lanes import Lanes
from desktop.settings import AppSettings
from desktop.views.assessment import FIXED
from desktop.widgets.safety_table import FIXED as SAFETY_FIXED
from tests.core.county import County
from tests.core.test_grid_grouping import build_with_late_entries
from tests.desktop.test_assessment import choose, close_page, open_page
from tests.desktop.test_screens import save


@pytest.fixture
def built(svc: OrderService, actors: dict[str, Actor], county: County, clock: ManualClock) -> Any:
    return build_with_late_entries(svc, actors, county, clock)


def text(v: float | None) -> str:
    return "–" if v is None else f"{v:.2f}"


@pytest.mark.parametrize("by", ["grid", "town"])
def test_the_index_on_screen_is_cores(
    qtbot: QtBot,
    store: Store,
    actors: dict[str, Actor],
    lanes: Lanes,
    settings: AppSettings,
    built: Any,
    by: str,
) -> None:
    page = open_page(qtbot, store, actors["supervisor"], lanes, settings)
    choose(qtbot, page, "2025-03", by)
    want = compute_safety(store.engine, period="2025-03", by=by, as_of=store.clock.now())
    rows = want.by_key()
    assert len(rows) == (9 if by == "grid" else 2)
    model = page.model
    col = len(FIXED) + len(INDICATORS)
    assert model.safety_column == col and model.columnCount() == col + 1
    assert model.headerData(col, Qt.Orientation.Horizontal) == "平安指数"
    seen = 0
    for r, line in enumerate(model.lines):
        got = str(model.data(model.index(r, col)))
        row = rows.get(line.row.key)
        assert got == text(row.index if row else None), line.name
        seen += row is not None
        if row is not None:
            tip = str(model.data(model.index(r, col), Qt.ItemDataRole.ToolTipRole))
            for cat in want.config.categories:
                assert f"{cat.zh}  {text(row.categories[cat.id])}" in tip
    # Grids without orders or hops have no line in the assessment table; every grid with
    # one shows its index.
    assert seen == len({ln.row.key for ln in model.lines} & set(rows))
    # The safety table: every grid (or town), ranked as core ranks them, category by category.
    panel = page.safety
    assert page.lower_tabs.currentWidget() is panel
    assert panel.proxy.rowCount() == len(want.rows)
    for r, row in enumerate(want.rows):
        assert panel.cell(r, 0) == ("" if row.rank is None else str(row.rank))
        assert panel.cell(r, 1) == row.name
        assert panel.cell(r, 2) == text(row.index)
        for c, cat in enumerate(want.config.categories, start=SAFETY_FIXED):
            assert panel.cell(r, c) == text(row.categories[cat.id])
    close_page(qtbot, page)


def test_the_safety_table_sorts_and_other_groupings_have_no_index(
    qtbot: QtBot,
    store: Store,
    actors: dict[str, Actor],
    lanes: Lanes,
    settings: AppSettings,
    built: Any,
) -> None:
    page = open_page(qtbot, store, actors["supervisor"], lanes, settings)
    choose(qtbot, page, "2025-03", "grid")
    panel = page.safety
    want = compute_safety(store.engine, period="2025-03", by="grid", as_of=store.clock.now())
    panel.table.sortByColumn(2, Qt.SortOrder.AscendingOrder)  # lowest index first
    low = sorted(r.index for r in want.rows if r.index is not None)
    assert [float(panel.cell(r, 2)) for r in range(len(low))] == low
    panel.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)  # back to the ranking
    assert [panel.cell(r, 1) for r in range(len(want.rows))] == [r.name for r in want.rows]
    choose(qtbot, page, "2025-03", "unit")
    assert page.model.safety_column is None
    assert page.model.columnCount() == len(FIXED) + len(INDICATORS)
    assert panel.proxy.rowCount() == 0
    assert page.lower_tabs.currentWidget() is page.chart
    close_page(qtbot, page)


def test_the_safety_view_renders_in_chinese(
    qtbot: QtBot,
    store: Store,
    actors: dict[str, Actor],
    lanes: Lanes,
    settings: AppSettings,
    built: Any,
    zh: None,
    backend: str,
    tmp_path: Path,
) -> None:
    page = open_page(qtbot, store, actors["supervisor"], lanes, settings)
    choose(qtbot, page, "2025-03", "grid")
    names = [ln.name for ln in page.model.lines]
    assert "第1镇（未落网格）" in names, names
    qtbot.wait(50)
    save(page, f"assess_safety_grid_{backend}", tmp_path)
    page.table.scrollTo(page.model.index(0, page.model.columnCount() - 1))
    qtbot.wait(50)
    save(page, f"assess_safety_grid_right_{backend}", tmp_path)
    choose(qtbot, page, "2025-03", "town")
    qtbot.wait(50)
    save(page, f"assess_safety_town_{backend}", tmp_path)
    close_page(qtbot, page)


def test_a_refused_configuration_is_shown_and_the_report_stays(
    qtbot: QtBot,
    store: Store,
    actors: dict[str, Actor],
    lanes: Lanes,
    settings: AppSettings,
    built: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from core.analytics import safety
    from core.errors import FieldError, ValidationError

    def refused() -> None:
        raise ValidationError([FieldError("category[0].weight", "not_positive", {"file": "x"})])

    monkeypatch.setattr(safety, "load_safety", refused)
    page = open_page(qtbot, store, actors["supervisor"], lanes, settings)
    choose(qtbot, page, "2025-03", "grid")
    assert page.model.rowCount() > 0 and page.model.safety_column is None
    assert page.safety.proxy.rowCount() == 0
    assert "category[0].weight: not_positive (file='x')" in page.safety.title.text()
    close_page(qtbot, page)
