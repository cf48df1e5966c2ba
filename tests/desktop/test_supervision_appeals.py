"""The supervision page's appeals tab (申诉): the appeals awaiting a decision, upheld or
dismissed through the page with a note, written as events, and the assessment moving
exactly as core computes it. The scenario is tests/core/test_marks.py's (order A, town1)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from core import marks
from core.clock import ManualClock
from core.domain.actor import Actor
from core.marks import Decision, MarkKind
from core.service import OrderService
from core.store import Store
from desktop.hub import ChangeHub
from desktop.lanes import Lanes
from desktop.widgets.supervision_appeals import AppealsTab
from tests.core.test_marks import BASE, mar, mark, town1, two  # noqa: F401 - the fixture
from tests.desktop.helpers import start_hub
from tests.desktop.test_screens import lang, save  # noqa: F401 - the fixture
from tests.desktop.test_supervision_page import close_page, open_page


@pytest.fixture
def hub(store: Store) -> Iterator[ChangeHub]:
    hub = start_hub(store)
    yield hub
    hub.stop()


def decide(qtbot: QtBot, tab: AppealsTab, row: int, upheld: bool, note: str) -> None:
    tab.table.selectRow(row)
    (tab.uphold_button if upheld else tab.dismiss_button).click()
    dialog = tab.dialog
    assert dialog is not None and not dialog.ok.isEnabled()  # a note first
    dialog.edit.setPlainText(note)
    with qtbot.waitSignal(tab.decision_did_finish, timeout=5000):
        dialog.ok.click()


def test_appeals_are_decided_on_the_supervision_page(
    qtbot: QtBot,
    store: Store,
    svc: OrderService,
    two: dict[str, int],  # noqa: F811
    actors: dict[str, Actor],
    lanes: Lanes,
    hub: ChangeHub,
    clock: ManualClock,
) -> None:
    a, order = actors, two["A"]
    accept = mark(svc, order, MarkKind.LATE, "accept")
    visit = mark(svc, order, MarkKind.UNSATISFIED)
    clock.set(mar(12, 10))
    marks.appeal(svc, a["h_town1"], order, "late", accept.target, "村道塌方，无法进村")
    marks.appeal(svc, a["h_town1"], order, "unsatisfied", visit.target, "群众要求超出政策")
    page = open_page(qtbot, store, a["supervisor"], lanes, hub)
    tab = page.appeals
    page.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.settled and len(tab.model.rows) == 2, timeout=5000)
    assert page.tabs.tabText(page.tabs.indexOf(tab)) == "Appeals 2"
    assert [r.kind for r in tab.model.rows] == [MarkKind.LATE, MarkKind.UNSATISFIED]
    reason = tab.model.data(tab.model.index(0, 5))
    assert reason == "村道塌方，无法进村"
    assert tab.model.data(tab.model.index(0, 3)) == store.reference().org.get(accept.units[0]).name

    clock.set(mar(12, 11))
    decide(qtbot, tab, 0, True, "属实")
    qtbot.waitUntil(lambda: tab.settled and len(tab.model.rows) == 1, timeout=5000)
    decide(qtbot, tab, 0, False, "理由不足")
    qtbot.waitUntil(lambda: tab.settled and not tab.model.rows, timeout=5000)
    assert tab.empty.isVisible() and not tab.uphold_button.isEnabled()
    assert town1(svc) == {**BASE, "timely_acceptance": (2, 2)}  # upheld; dismissed: no change
    late, unsatisfied = (
        mark(svc, order, MarkKind.LATE, "accept"),
        mark(svc, order, MarkKind.UNSATISFIED),
    )
    got = {MarkKind.LATE: late.appeal, MarkKind.UNSATISFIED: unsatisfied.appeal}
    assert got[MarkKind.LATE] is not None and got[MarkKind.LATE].decision is Decision.UPHELD
    assert got[MarkKind.UNSATISFIED] is not None
    assert got[MarkKind.UNSATISFIED].decision is Decision.DISMISSED
    assert got[MarkKind.UNSATISFIED].note == "理由不足"
    resolve = mark(svc, order, MarkKind.LATE, "resolve")
    marks.appeal(svc, a["h_town1"], order, "late", resolve.target, "配件缺货")  # live
    qtbot.waitUntil(lambda: tab.settled and len(tab.model.rows) == 1, timeout=5000)
    with qtbot.waitSignal(page.order_did_open, timeout=1000) as opened:
        tab.open_current()
    assert opened.args == [order]
    close_page(qtbot, page)


def test_the_appeals_tab_renders(
    qtbot: QtBot,
    store: Store,
    svc: OrderService,
    two: dict[str, int],  # noqa: F811
    actors: dict[str, Actor],
    lanes: Lanes,
    hub: ChangeHub,
    clock: ManualClock,
    lang: str,  # noqa: F811 - the fixture
    tmp_path: Path,
) -> None:
    a, order = actors, two["A"]
    clock.set(mar(12, 10))
    accept = mark(svc, order, MarkKind.LATE, "accept")
    marks.appeal(
        svc, a["h_town1"], order, "late", accept.target, "村道塌方，车辆无法进村，次日签收"
    )
    page = open_page(qtbot, store, a["supervisor"], lanes, hub)
    page.tabs.setCurrentWidget(page.appeals)
    qtbot.waitUntil(
        lambda: page.appeals.settled and len(page.appeals.model.rows) == 1, timeout=5000
    )
    save(page, f"supervision_appeals_{lang}", tmp_path)
    page.appeals.ask("upheld")
    assert page.appeals.dialog is not None
    save(page.appeals.dialog, f"supervision_appeal_dialog_{lang}", tmp_path)
    page.appeals.dialog.reject()
    close_page(qtbot, page)
