"""The dispatch panels against a real store: tiers and queues by role, live counts, the
SLA filters, database sorting, keyboard navigation and remembered choices."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from core.clock import ManualClock
from core.domain.actor import Actor
from core.queues import Queue, scope_of
from core.service import OrderService
from core.store import Store
from desktop.hub import ChangeHub
from desktop.lanes import Lanes
from desktop.settings import AppSettings
from desktop.views.queues import QueuesPage
from desktop.widgets.queue_table import Col, Sla, sla_of
from tests.core.county import County
from tests.core.test_queries import draft
from tests.desktop.helpers import session_for, start_hub


@pytest.fixture
def hub(store: Store) -> Iterator[ChangeHub]:
    hub = start_hub(store)
    yield hub
    hub.stop()


def open_page(
    qtbot: QtBot, store: Store, actor: Actor, lanes: Lanes, settings: AppSettings, hub: ChangeHub
) -> QueuesPage:
    scope = scope_of(actor, store.reference().org)
    page = QueuesPage(session_for(store, actor), lanes, hub, scope, settings)
    qtbot.addWidget(page)
    page.resize(1400, 700)
    page.show()
    qtbot.waitUntil(lambda: page.settled and page.model.now is not None, timeout=5000)
    return page


def close_page(qtbot: QtBot, page: QueuesPage) -> None:
    page.close_page()
    qtbot.waitUntil(lambda: page.tasks.pending == 0)


def answered(
    svc: OrderService,
    a: dict[str, Actor],
    county: County,
    text: str,
    *,
    reviewed: bool = False,
    phone: str = "13812345678",
) -> int:
    """An order town1 has answered with ``text``: awaiting review, or its visit."""
    oid = svc.register(a["duty"], draft("town1v1g1", description=text, phone=phone)).order_id
    hop = svc.dispatch(a["dispatcher"], oid, county.units["town1"]).value[0]
    svc.accept(a["h_town1"], oid, hop)
    svc.submit_result(a["h_town1"], oid, hop, text)
    if reviewed:
        svc.review(a["supervisor"], oid, True)
    return oid


def tabs(bar: object) -> list[str]:
    return [bar.tabText(i) for i in range(bar.count())]  # type: ignore[attr-defined]


def test_the_centre_sees_every_tier_and_queue_with_counts(
    qtbot: QtBot,
    store: Store,
    svc: OrderService,
    actors: dict[str, Actor],
    county: County,
    lanes: Lanes,
    settings: AppSettings,
    hub: ChangeHub,
) -> None:
    a, u = actors, county.units
    waiting = svc.register(a["duty"], draft("town1v1g1")).order_id
    sent = svc.register(a["duty"], draft("town1v1g2")).order_id
    svc.dispatch(a["dispatcher"], sent, u["town1"])
    page = open_page(qtbot, store, a["duty"], lanes, settings, hub)
    assert len(tabs(page.panel_bar)) == 3 and len(tabs(page.queue_bar)) == 5
    page.panel_bar.setCurrentIndex(1)  # the town tier
    qtbot.waitUntil(lambda: page.model.ids() == [waiting] and page.settled)
    assert tabs(page.queue_bar)[0].endswith("1") and tabs(page.queue_bar)[1].endswith("1")
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: page.model.ids() == [sent])
    row = page.model.row(0)
    assert sla_of(row) is Sla.ON_TIME and row.due_at is not None
    icon = page.model.data(page.model.index(0, Col.DUE), Qt.ItemDataRole.DecorationRole)
    assert icon is not None and not icon.isNull()  # the state has a shape, not only a colour
    assert page.model.data(page.model.index(0, Col.DUE)).endswith(" left")

    # Live: a new call shows up in the dispatch queue without anyone clicking.
    page.queue_bar.setCurrentIndex(0)
    qtbot.waitUntil(lambda: page.model.ids() == [waiting])
    third = svc.register(a["duty"], draft("town1v1g1", description="又一起")).order_id
    qtbot.waitUntil(lambda: set(page.model.ids()) == {waiting, third}, timeout=5000)
    qtbot.waitUntil(lambda: tabs(page.queue_bar)[0].endswith("2"))

    with qtbot.waitSignal(page.order_did_open) as opened:
        page.table.selectRow(0)
        qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert opened.args[0] in (waiting, third)
    close_page(qtbot, page)


def test_overdue_filter_and_database_sort(
    qtbot: QtBot,
    store: Store,
    svc: OrderService,
    actors: dict[str, Actor],
    county: County,
    clock: ManualClock,
    lanes: Lanes,
    settings: AppSettings,
    hub: ChangeHub,
) -> None:
    a, u = actors, county.units
    first = svc.register(a["duty"], draft("town1v1g1")).order_id
    svc.dispatch(a["dispatcher"], first, u["town1"])
    clock.advance(days=3)
    second = svc.register(a["duty"], draft("town1v1g2")).order_id
    svc.dispatch(a["dispatcher"], second, u["town1"])
    page = open_page(qtbot, store, a["h_town1"], lanes, settings, hub)
    assert len(tabs(page.panel_bar)) == 2 and len(tabs(page.queue_bar)) == 4  # no visits
    page.queue_bar.setCurrentIndex(1)
    qtbot.waitUntil(lambda: page.model.ids() == [first, second])
    assert sla_of(page.model.row(0)) is Sla.OVERDUE
    page.sla_buttons[next(s for s in page.sla_buttons if s.value == "overdue")].click()
    qtbot.waitUntil(lambda: page.model.ids() == [first])
    page.sla_buttons[next(s for s in page.sla_buttons if s.value == "all")].click()
    qtbot.waitUntil(lambda: page.model.ids() == [first, second])
    header = page.table.horizontalHeader()
    header.setSortIndicator(Col.REGISTERED, Qt.SortOrder.DescendingOrder)
    qtbot.waitUntil(lambda: page.model.ids() == [second, first])
    header.setSortIndicator(Col.TITLE, Qt.SortOrder.AscendingOrder)  # not sortable: ignored
    assert header.sortIndicatorSection() == Col.REGISTERED
    close_page(qtbot, page)

    again = open_page(qtbot, store, a["h_town1"], lanes, settings, hub)
    assert again.queue_bar.currentIndex() == 1  # the queue is remembered, and the sort
    assert again.table.horizontalHeader().sortIndicatorSection() == Col.REGISTERED
    qtbot.waitUntil(lambda: again.settled and again.model.ids() == [second, first])
    close_page(qtbot, again)


def test_a_long_queue_comes_a_page_at_a_time(
    qtbot: QtBot,
    store: Store,
    svc: OrderService,
    actors: dict[str, Actor],
    county: County,
    clock: ManualClock,
    lanes: Lanes,
    settings: AppSettings,
    hub: ChangeHub,
) -> None:
    made = []
    for i in range(5):
        made.append(svc.register(actors["duty"], draft("town1v1g1", description=f"第{i}件")))
        clock.advance(minutes=10)
    scope = scope_of(actors["duty"], store.reference().org)
    page = QueuesPage(session_for(store, actors["duty"]), lanes, hub, scope, settings, page_size=2)
    qtbot.addWidget(page)
    asked: list[tuple[int, int]] = []
    page.model.fetch_did_start.connect(lambda offset, limit: asked.append((offset, limit)))
    page.resize(1200, 600)
    page.show()
    page.panel_bar.setCurrentIndex(1)  # the town tier: planned tier 2
    # The view asks for pages while its viewport has room: two rows a query.
    qtbot.waitUntil(lambda: page.settled and not page.model.has_more, timeout=5000)
    assert page.model.ids() == [r.order_id for r in made]  # earliest deadline first
    assert {limit for _offset, limit in asked} == {2} and {2, 4} <= {o for o, _l in asked}
    close_page(qtbot, page)


def test_a_supervisor_passes_selected_results_in_one_go(
    qtbot: QtBot,
    store: Store,
    svc: OrderService,
    actors: dict[str, Actor],
    county: County,
    lanes: Lanes,
    settings: AppSettings,
    hub: ChangeHub,
) -> None:
    a = actors
    done = [answered(svc, a, county, t) for t in ("路灯已修复", "井盖已补齐", "垃圾已清运")]
    page = open_page(qtbot, store, a["supervisor"], lanes, settings, hub)
    page.panel_bar.setCurrentIndex(1)
    page.queue_bar.setCurrentIndex(page._queues.index(Queue.REVIEW))
    qtbot.waitUntil(lambda: page.settled and sorted(page.model.ids()) == done, timeout=5000)
    assert page.bulk is not None and page.bulk.button.isVisible()
    assert not page.table.isColumnHidden(Col.RESULT)  # the result is read in the list
    results = {page.model.data(page.model.index(r, Col.RESULT)) for r in range(3)}
    assert results == {"路灯已修复", "井盖已补齐", "垃圾已清运"}
    first, second, third = page.model.ids()
    stale = (third, page.model.row(2).version, page.model.row(2).number)
    page.table.clearSelection()
    for r in (0, 1):
        page.table.selectionModel().select(
            page.model.index(r, 0),
            QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
        )
    mods = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(page.table, Qt.Key.Key_P, mods)
    qtbot.waitUntil(lambda: page.bulk is not None and page.bulk.box is not None)
    with qtbot.waitSignal(page.bulk.bulk_did_finish, timeout=5000) as finished:
        page.bulk.box.button(QMessageBox.StandardButton.Ok).click()
    assert finished.args[0].refused == []
    for oid in (first, second):
        assert svc.load(a["admin"], oid).order.state == "pending_visit"
    assert "2 passed." in page.summary.text()
    qtbot.waitUntil(lambda: page.settled and page.model.ids() == [third], timeout=5000)

    # One changed since the list was read is refused alone, and named.
    svc.edit(a["duty"], third, {"title": "改过的标题"})
    page.bulk.ask([stale])
    qtbot.waitUntil(lambda: page.bulk is not None and page.bulk.box is not None)
    with qtbot.waitSignal(page.bulk.bulk_did_finish, timeout=5000) as finished:
        page.bulk.box.button(QMessageBox.StandardButton.Ok).click()
    assert [n for n, _why in finished.args[0].refused] == [stale[2]]
    assert svc.load(a["admin"], third).order.state == "pending_review"
    assert stale[2] in page.summary.text()
    close_page(qtbot, page)


def test_the_visit_queue_shows_whom_to_call_back(
    qtbot: QtBot,
    store: Store,
    svc: OrderService,
    actors: dict[str, Actor],
    county: County,
    lanes: Lanes,
    settings: AppSettings,
    hub: ChangeHub,
) -> None:
    a = actors
    oid = answered(svc, a, county, "已更换灯泡", reviewed=True)
    svc.visit(a["supervisor"], oid, "unreachable")
    page = open_page(qtbot, store, a["supervisor"], lanes, settings, hub)
    page.panel_bar.setCurrentIndex(1)
    page.queue_bar.setCurrentIndex(page._queues.index(Queue.VISIT))
    qtbot.waitUntil(lambda: page.settled and page.model.ids() == [oid], timeout=5000)
    assert not page.table.isColumnHidden(Col.CALLER)
    assert not page.table.isColumnHidden(Col.RESULT)
    cell = {c: page.model.data(page.model.index(0, c)) for c in (Col.CALLER, Col.RESULT, Col.MARKS)}
    assert cell[Col.CALLER] == "王先生 138****5678"  # masked: the visit dialog reads it in full
    assert cell[Col.RESULT] == "已更换灯泡"
    assert page.model.row(0).visit_attempts == 1 and "1" in cell[Col.MARKS]
    page.queue_bar.setCurrentIndex(page._queues.index(Queue.REVIEW))
    qtbot.waitUntil(lambda: page.settled, timeout=5000)
    assert page.table.isColumnHidden(Col.CALLER)
    close_page(qtbot, page)


def test_a_supervisor_calls_back_from_the_list(
    qtbot: QtBot,
    store: Store,
    svc: OrderService,
    actors: dict[str, Actor],
    county: County,
    lanes: Lanes,
    settings: AppSettings,
    hub: ChangeHub,
) -> None:
    a = actors
    ids = [answered(svc, a, county, t, reviewed=True) for t in ("已修复", "已清理")]
    page = open_page(qtbot, store, a["supervisor"], lanes, settings, hub)
    page.panel_bar.setCurrentIndex(1)
    page.queue_bar.setCurrentIndex(page._queues.index(Queue.VISIT))
    qtbot.waitUntil(lambda: page.settled and sorted(page.model.ids()) == ids, timeout=5000)
    assert page.visits is not None and page.visits.button.isVisible()
    page.table.setFocus()
    page.table.selectRow(0)
    first = page.model.ids()[0]
    qtbot.keyClick(
        page.table,
        Qt.Key.Key_V,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    qtbot.waitUntil(lambda: page.visits is not None and page.visits.dialog is not None)
    dialog = page.visits.dialog
    qtbot.waitUntil(lambda: dialog.number.text() == "13812345678", timeout=5000)
    dialog.group.button(0).setChecked(True)  # 满意
    with qtbot.waitSignal(page.visits.visit_did_finish, timeout=5000):
        dialog.ok_button.click()
    assert svc.load(a["admin"], first).order.state == "closed"
    qtbot.waitUntil(
        lambda: page.settled and page.model.ids() == [ids[1 - ids.index(first)]], timeout=5000
    )
    assert page.table.selectionModel().selectedRows()[0].row() == 0  # the next call
    assert "visit recorded" in page._outcome and page._outcome in page.summary.text()

    # changed meanwhile: refused and named, nothing recorded
    second = page.model.row(0)
    svc.edit(a["duty"], second.id, {"title": "改过"})
    page.visits.ask(second)
    dialog = page.visits.dialog
    assert dialog is not None
    dialog.group.button(3).setChecked(True)  # unreachable
    with qtbot.waitSignal(page.visits.visit_did_finish, timeout=5000) as done:
        dialog.ok_button.click()
    assert second.number in done.args[0]
    assert svc.load(a["admin"], second.id).order.visit_attempts == 0
    close_page(qtbot, page)


def test_bulk_pass_leaves_a_village_answer_to_its_town(
    qtbot: QtBot,
    store: Store,
    svc: OrderService,
    actors: dict[str, Actor],
    county: County,
    lanes: Lanes,
    settings: AppSettings,
    hub: ChangeHub,
) -> None:
    a, u = actors, county.units
    mine = answered(svc, a, county, "井盖已补齐")
    oid = svc.register(a["duty"], draft("town1v1g1", description="村道积水")).order_id
    top = svc.dispatch(a["dispatcher"], oid, u["town1"]).value[0]
    low = svc.pass_down(a["h_town1"], oid, top, u["town1v1"]).value
    svc.accept(a["h_town1v1"], oid, low)
    svc.submit_result(a["h_town1v1"], oid, low, "已抽水")  # the town checks it first
    page = open_page(qtbot, store, a["supervisor"], lanes, settings, hub)
    page.panel_bar.setCurrentIndex(1)
    page.queue_bar.setCurrentIndex(page._queues.index(Queue.REVIEW))
    qtbot.waitUntil(lambda: page.settled and sorted(page.model.ids()) == [mine, oid], timeout=5000)
    page.table.selectAll()
    page.pass_selected()
    assert page.bulk is not None and page.bulk.box is not None
    assert "1" in page.bulk.box.text() and page.bulk._rows == [
        (
            mine,
            page.model.row(page.model.ids().index(mine)).version,
            svc.load(a["admin"], mine).order.number,
        )
    ]
    with qtbot.waitSignal(page.bulk.bulk_did_finish, timeout=5000) as finished:
        page.bulk.box.button(QMessageBox.StandardButton.Ok).click()
    assert finished.args[0].refused == []
    assert svc.load(a["admin"], mine).order.state == "pending_visit"
    assert svc.load(a["admin"], oid).order.state == "in_progress"
    close_page(qtbot, page)
