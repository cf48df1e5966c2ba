"""The assessment page (考核评价) against the fixture of tests/core/test_analytics (March
2025): the figures on screen are compute()'s, the change is against February's run, the
drill-down lists the group's orders and opens one. Renders in Chinese to a PNG."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from core.analytics import compute, parse_period
from core.analytics.drill import group_order_ids, shift_month
from core.analytics.rules import COUNTS, INDICATORS
from core.domain.actor import Actor
from core.store import Store
from desktop.lanes import Lanes
from desktop.settings import AppSettings
from desktop.views.assessment import FIXED, AssessmentPage
from tests.core.county import County
from tests.core.test_analytics import built  # noqa: F401 - the fixture
from tests.desktop.helpers import session_for


def open_page(
    qtbot: QtBot, store: Store, actor: Actor, lanes: Lanes, settings: AppSettings
) -> AssessmentPage:
    page = AssessmentPage(session_for(store, actor), lanes, settings)
    qtbot.addWidget(page)
    page.resize(1600, 900)
    page.show()
    qtbot.waitUntil(lambda: page.settled, timeout=10000)
    return page


def choose(qtbot: QtBot, page: AssessmentPage, period: str, by: str) -> None:
    page.set_period(period)
    page.set_by(by)
    qtbot.waitUntil(lambda: page.settled and page.shown == (period, by), timeout=10000)


def close_page(qtbot: QtBot, page: AssessmentPage) -> None:
    page.close_page()
    qtbot.waitUntil(lambda: page.tasks.pending == 0)
    page.close()


def cell(page: AssessmentPage, row: int, col: int) -> str:
    return str(page.model.data(page.model.index(row, col)))


def expected_cell(m: Any, name: str) -> str:
    if name in COUNTS:
        return str(m.numerator)
    return "–" if m.value is None else f"{m.value * 100:.1f}%"


@pytest.mark.parametrize("by", ["unit", "town", "tier", "category", "county"])
def test_the_figures_are_computes(
    qtbot: QtBot,
    store: Store,
    actors: dict[str, Actor],
    lanes: Lanes,
    settings: AppSettings,
    built: Any,  # noqa: F811
    by: str,
) -> None:
    page = open_page(qtbot, store, actors["supervisor"], lanes, settings)
    assert page.period.label == "2025-03"  # the clock is at April 10: the last complete month
    choose(qtbot, page, "2025-03", by)
    now = store.clock.now()
    rep = compute(store.engine, period="2025-03", by=by, as_of=now)
    feb = compute(store.engine, period="2025-02", by=by, as_of=now)
    want = [*rep.groups, rep.total]
    assert [ln.row.key for ln in page.model.lines] == [g.key for g in want]
    before = {g.key: g.score.value for g in feb.groups} | {"county": feb.total.score.value}
    for r, group in enumerate(want):
        score = group.score.value
        assert cell(page, r, 1) == ("–" if score is None else f"{score:.2f}")
        assert cell(page, r, 3) == ("" if group.rank is None else str(group.rank))
        for c, name in enumerate(INDICATORS, start=len(FIXED)):
            assert cell(page, r, c) == expected_cell(group.measures[name], name), (r, name)
        prev = before.get(group.key)
        if score is not None and prev is not None:
            change = round(score - prev, 2)
            arrow = "↑" if change > 0 else "↓" if change < 0 else "="
            assert cell(page, r, 2) == f"{arrow} {abs(change):.2f}"
    # Ranked: rank 1 first, the unscored and the county total last.
    ranks = [g.rank for g in rep.groups if g.rank is not None]
    assert ranks == sorted(ranks)
    # Indicator headers are the rule file's Chinese names.
    assert page.model.headerData(len(FIXED), Qt.Orientation.Horizontal) == "受理量"
    charted = [g for g in (rep.groups or (rep.total,)) if g.score.value is not None]
    assert [b.score for b in page.chart.bars] == [g.score.value for g in charted]
    close_page(qtbot, page)


def test_the_change_against_the_month_before(
    qtbot: QtBot,
    store: Store,
    actors: dict[str, Actor],
    lanes: Lanes,
    settings: AppSettings,
    built: Any,  # noqa: F811
) -> None:
    page = open_page(qtbot, store, actors["supervisor"], lanes, settings)
    choose(qtbot, page, "2025-03", "county")
    # February: F1 registered, nothing else due; March's county score is 56.83.
    feb = compute(store.engine, period="2025-02", as_of=store.clock.now()).total.score.value
    line = page.model.lines[-1]
    assert line.row.score.value == 56.83 and line.previous == feb
    if feb is None:
        assert cell(page, 0, 2) == "–"
    else:
        change = round(56.83 - feb, 2)
        assert line.change == change
        assert cell(page, 0, 2) == ("↑ " if change > 0 else "↓ ") + f"{abs(change):.2f}"
    # April against March: the arrow turns with the numbers.
    page.step(1)
    qtbot.waitUntil(lambda: page.settled and page.shown == ("2025-04", "county"), timeout=10000)
    apr = page.model.lines[-1]
    assert apr.previous == 56.83
    if apr.row.score.value is not None:
        assert apr.change == round(apr.row.score.value - 56.83, 2)
    page.step(-1)
    qtbot.waitUntil(lambda: page.shown == ("2025-03", "county") and page.settled, timeout=10000)
    close_page(qtbot, page)


def test_drill_down_lists_the_groups_orders_and_opens_one(
    qtbot: QtBot,
    store: Store,
    actors: dict[str, Actor],
    county: County,
    lanes: Lanes,
    settings: AppSettings,
    built: Any,  # noqa: F811
) -> None:
    page = open_page(qtbot, store, actors["supervisor"], lanes, settings)
    choose(qtbot, page, "2025-03", "unit")
    town1 = str(county.units["town1"])
    row = [ln.row.key for ln in page.model.lines].index(town1)
    page.table.setFocus()
    page.table.selectRow(row)
    with qtbot.waitSignal(page.drill_did_load, timeout=10000):
        qtbot.keyClick(page.table, Qt.Key.Key_Return)
    want = {built[n] for n in ("F1", "O2", "O4", "O8", "O10", "O15")}
    assert set(page.drill_model.ids()) == want
    march = parse_period("2025-03", store.reference().tz)
    assert want == group_order_ids(store.engine, march, "unit", town1, as_of=store.clock.now())
    # The county row lists every order behind the month.
    page.table.selectRow(len(page.model.lines) - 1)
    with qtbot.waitSignal(page.drill_did_load, timeout=10000):
        qtbot.keyClick(page.table, Qt.Key.Key_Enter)
    assert set(page.drill_model.ids()) == group_order_ids(
        store.engine, march, "county", "county", as_of=store.clock.now()
    )
    page.drill_table.setFocus()
    page.drill_table.selectRow(0)
    with qtbot.waitSignal(page.order_did_open) as opened:
        qtbot.keyClick(page.drill_table, Qt.Key.Key_Return)
    assert opened.args[0] == page.drill_model.ids()[0]
    assert shift_month(march, -1).label == "2025-02"
    close_page(qtbot, page)


def test_a_lost_connection_is_shown_not_raised(
    qtbot: QtBot,
    store: Store,
    actors: dict[str, Actor],
    lanes: Lanes,
    settings: AppSettings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sqlalchemy.exc import OperationalError

    from desktop.views import assessment

    def down(*_a: object) -> None:
        raise OperationalError("select", {}, Exception("server closed the connection"))

    monkeypatch.setattr(assessment, "read_reports", down)
    page = AssessmentPage(session_for(store, actors["supervisor"]), lanes, settings)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.status.property("role") == "error", timeout=5000)
    assert "database" in page.status.text()
    close_page(qtbot, page)


def test_the_page_renders_in_chinese(
    qtbot: QtBot,
    store: Store,
    actors: dict[str, Actor],
    lanes: Lanes,
    settings: AppSettings,
    built: Any,  # noqa: F811
    zh: None,
    backend: str,
) -> None:
    page = open_page(qtbot, store, actors["supervisor"], lanes, settings)
    choose(qtbot, page, "2025-03", "unit")
    page.table.selectRow(0)
    with qtbot.waitSignal(page.drill_did_load, timeout=10000):
        page.drill_current()
    assert page.heading.text() == "考核评价"
    qtbot.wait(50)
    assert page.grab().save(f"/tmp/assess_unit_{backend}.png")
    choose(qtbot, page, "2025-03", "tier")
    qtbot.wait(50)
    assert page.grab().save(f"/tmp/assess_tier_{backend}.png")
    close_page(qtbot, page)


def test_a_published_month_shows_its_stored_figures(
    qtbot: QtBot,
    store: Store,
    actors: dict[str, Actor],
    lanes: Lanes,
    settings: AppSettings,
    built: Any,  # noqa: F811
) -> None:
    from core.analytics.published import publish

    pub = publish(store.engine, "2025-03", "supervisor", at=store.clock.now())
    page = open_page(qtbot, store, actors["supervisor"], lanes, settings)
    choose(qtbot, page, "2025-03", "unit")
    stored = pub.report("unit", parse_period("2025-03", store.reference().tz))
    assert [ln.row.key for ln in page.model.lines[:-1]] == [g.key for g in stored.groups]
    assert [ln.row.score.value for ln in page.model.lines[:-1]] == [
        g.score.value for g in stored.groups
    ]
    assert "published" in page.status.text() and "supervisor" in page.status.text()
    close_page(qtbot, page)
