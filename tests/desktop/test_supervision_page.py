"""The supervision page (督办) against a real store: late orders by unit as the database
has them, yellow and red notices and the suggested one written as events, pause and
extension requests decided as the service says, the page in the main window, and a
render in Chinese."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from core.clock import ManualClock
from core.domain.actor import Actor
from core.domain.enums import LimitKind
from core.service import OrderService
from core.storage.db import read_tx
from core.storage.schema import events
from core.store import Store
from core.supervision import Advice, supervision_scope, unit_loads
from desktop.hub import ChangeHub
from desktop.lanes import Lanes
from desktop.settings import AppSettings
from desktop.views.supervision import SupervisionPage
from desktop.widgets.queue_table import Sla, sla_icon
from desktop.widgets.supervision_models import LateCol, UnitCol
from tests.core.county import County
from tests.core.test_supervision import Late, direct_loads, late_mix
from tests.desktop.helpers import close_window, open_window, session_for, start_hub


@pytest.fixture
def hub(store: Store) -> Iterator[ChangeHub]:
    hub = start_hub(store)
    yield hub
    hub.stop()


@pytest.fixture
def late(svc: OrderService, actors: dict[str, Actor], county: County, clock: ManualClock) -> Late:
    return late_mix(svc, actors, county, clock)


def open_page(
    qtbot: QtBot, store: Store, actor: Actor, lanes: Lanes, hub: ChangeHub
) -> SupervisionPage:
    page = SupervisionPage(session_for(store, actor), lanes, hub)
    qtbot.addWidget(page)
    page.resize(1500, 800)
    page.show()
    qtbot.waitUntil(lambda: page.settled, timeout=5000)
    return page


def close_page(qtbot: QtBot, page: SupervisionPage) -> None:
    page.close_page()
    qtbot.waitUntil(lambda: page.tasks.pending == 0)
    page.close()


def choose_unit(qtbot: QtBot, page: SupervisionPage, unit_id: int) -> None:
    page.unit_table.selectRow(page.unit_model.unit_ids().index(unit_id))
    qtbot.waitUntil(lambda: page.settled and page.shown_unit == unit_id, timeout=5000)


def select_orders(page: SupervisionPage, *order_ids: int) -> None:
    ids = page.late_model.ids()
    page.late_table.clearSelection()
    sel = page.late_table.selectionModel()
    flags = QItemSelectionModel.SelectionFlag
    for oid in order_ids:
        index = page.late_model.index(ids.index(oid), 0)
        sel.setCurrentIndex(index, flags.Select | flags.Rows)


def answer(
    qtbot: QtBot, page: SupervisionPage, text: str | None = None, keys: bool = False
) -> None:
    """Fill in the open dialog and press its OK (or Ctrl+Enter); wait for the write."""
    dialog = page.dialog
    assert dialog is not None
    if text is not None:
        dialog.edit.setPlainText(text)
    if keys:  # a shortcut works in the active window only (offscreen: activate it)
        dialog.activateWindow()
        qtbot.waitUntil(dialog.isActiveWindow)
        dialog.edit.setFocus()
    with qtbot.waitSignal(page.action_did_finish, timeout=5000):
        if keys:
            qtbot.keyClick(dialog.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        else:
            dialog.ok.click()
    qtbot.waitUntil(lambda: page.settled, timeout=5000)


def notices(store: Store, order_id: int) -> list[tuple[str, int | None, str | None]]:
    with read_tx(store.engine) as conn:
        rows = conn.execute(
            select(events.c.payload, events.c.reason)
            .where(events.c.order_id == order_id, events.c.kind == "supervised")
            .order_by(events.c.id)
        )
        return [(p["level"], p.get("unit_id"), reason) for p, reason in rows]


def test_late_orders_by_unit_are_the_databases(
    qtbot: QtBot,
    store: Store,
    actors: dict[str, Actor],
    county: County,
    lanes: Lanes,
    hub: ChangeHub,
    late: Late,
) -> None:
    page = open_page(qtbot, store, actors["supervisor"], lanes, hub)
    org = store.reference().org
    with read_tx(store.engine) as conn:
        want = unit_loads(
            conn, org, supervision_scope(actors["supervisor"], org), store.clock.now()
        )
    assert page.unit_model.rows == want
    direct = direct_loads(OrderService(store), county)
    assert {r.unit_id: (r.warning, r.overdue) for r in page.unit_model.rows} == direct
    town1 = county.units["town1"]
    row = page.unit_model.unit_ids().index(town1)
    overdue = page.unit_model.index(row, UnitCol.OVERDUE)
    icon = page.unit_model.data(overdue, Qt.ItemDataRole.DecorationRole)
    assert icon is sla_icon(Sla.OVERDUE)  # a shape as well as a colour

    choose_unit(qtbot, page, town1)
    assert page.late_model.ids() == [late.orders["held"], late.orders["soon"]]
    first = page.late_model.index(0, LateCol.SLA)
    assert page.late_model.data(first, Qt.ItemDataRole.DecorationRole) is sla_icon(Sla.OVERDUE)
    assert str(page.late_model.data(first)).startswith("Overdue ")
    assert page.late_model.data(page.late_model.index(0, LateCol.SUGGESTION)) == "Yellow notice"
    assert page.late_model.data(page.late_model.index(0, LateCol.REASON)) == (
        "Overdue, no notice yet"
    )
    with qtbot.waitSignal(page.order_did_open) as opened:
        page.late_table.setFocus()
        qtbot.keyClick(page.late_table, Qt.Key.Key_Return)
    assert opened.args[0] == page.late_model.row(page.late_table.currentIndex().row()).id

    # Live: a notice issued elsewhere shows without anyone clicking.
    OrderService(store).supervise(actors["leader"], late.orders["soon"], "yellow", "请加快")
    qtbot.waitUntil(
        lambda: page.settled and page.late_model.row(1).yellow == 1 and page.unit_model.rows[
            page.unit_model.unit_ids().index(town1)].notices == 1,
        timeout=5000,
    )  # fmt: skip
    close_page(qtbot, page)


def test_nothing_late_says_so(
    qtbot: QtBot, store: Store, actors: dict[str, Actor], lanes: Lanes, hub: ChangeHub
) -> None:
    page = open_page(qtbot, store, actors["supervisor"], lanes, hub)
    assert page.unit_model.rowCount() == 0 and page.request_model.rowCount() == 0
    assert page.unit_title.text() == "No unit has orders due soon or overdue."
    assert not page.yellow_button.isEnabled()
    assert page.yellow_button.toolTip() == "Select an order first."
    close_page(qtbot, page)


def test_yellow_red_and_suggested_notices_become_events(
    qtbot: QtBot,
    store: Store,
    actors: dict[str, Actor],
    county: County,
    clock: ManualClock,
    lanes: Lanes,
    hub: ChangeHub,
    late: Late,
) -> None:
    held, soon = late.orders["held"], late.orders["soon"]
    page = open_page(qtbot, store, actors["supervisor"], lanes, hub)
    choose_unit(qtbot, page, county.units["town1"])
    select_orders(page, held, soon)
    qtbot.waitUntil(page.yellow_button.isEnabled)
    page.yellow_button.click()
    assert page.dialog is not None and not page.dialog.ok.isEnabled()  # a text is required
    answer(qtbot, page, "请加快办理")
    assert notices(store, held) == [("yellow", county.units["town1"], "请加快办理")]
    assert notices(store, soon) == [("yellow", county.units["town1"], "请加快办理")]
    assert "2" in page.late_outcome.text()

    select_orders(page, soon)
    qtbot.waitUntil(page.red_button.isEnabled)
    page.activateWindow()  # a button's Alt+letter works in the active window
    qtbot.waitUntil(page.isActiveWindow)
    page.late_table.setFocus()
    qtbot.keyClick(page.late_table, Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: page.dialog is not None)
    answer(qtbot, page, "红牌督办", keys=True)
    assert [n[0] for n in notices(store, soon)] == ["yellow", "red"]
    row = page.unit_model.rows[page.unit_model.unit_ids().index(county.units["town1"])]
    assert row.notices == 3

    # Two working days on, the yellow notice on ``held`` stands: red is suggested.
    clock.advance(days=2)
    page.reload()
    qtbot.waitUntil(lambda: page.settled and page.late_model.row(0).suggestion.advice
                    is Advice.RED, timeout=5000)  # fmt: skip
    select_orders(page, held)
    qtbot.waitUntil(page.apply_button.isEnabled)
    page.apply_button.click()
    answer(qtbot, page)  # the suggested text as it stands
    assert [n[0] for n in notices(store, held)] == ["yellow", "red"]

    # Three more working days, still overdue: 提级, a red notice to the unit above.
    clock.advance(days=5)
    page.reload()
    qtbot.waitUntil(lambda: page.settled and page.late_model.row(0).suggestion.advice
                    is Advice.ESCALATE, timeout=5000)  # fmt: skip
    assert page.late_model.data(page.late_model.index(0, LateCol.SUGGESTION)) == (
        "Escalate to 测试县"
    )
    select_orders(page, held)
    qtbot.waitUntil(page.apply_button.isEnabled)
    page.apply_button.click()
    answer(qtbot, page)
    assert notices(store, held)[-1][:2] == ("red", county.units["county"])
    close_page(qtbot, page)


def test_only_supervisors_and_leaders_may_notice(
    qtbot: QtBot,
    store: Store,
    actors: dict[str, Actor],
    county: County,
    lanes: Lanes,
    hub: ChangeHub,
    late: Late,
) -> None:
    page = open_page(qtbot, store, actors["admin"], lanes, hub)
    choose_unit(qtbot, page, county.units["town1"])
    qtbot.waitUntil(lambda: page.yellow_button.toolTip() not in ("", "Checking…"))
    assert not page.yellow_button.isEnabled() and not page.apply_button.isEnabled()
    assert page.yellow_button.toolTip().startswith("Needs one of these roles")
    close_page(qtbot, page)


def test_pause_and_extension_requests_are_decided_through_the_page(
    qtbot: QtBot,
    store: Store,
    svc: OrderService,
    actors: dict[str, Actor],
    lanes: Lanes,
    hub: ChangeHub,
    late: Late,
) -> None:
    pause, more = late.orders["asks_pause"], late.orders["asks_more"]
    due_before = svc.load(actors["supervisor"], more).open_limits(LimitKind.RESOLVE)[-1].due_at
    leader = open_page(qtbot, store, actors["leader"], lanes, hub)
    assert leader.request_model.ids() == [pause, more]
    qtbot.waitUntil(lambda: leader.approve_button.toolTip() not in ("", "Checking…"))
    assert not leader.approve_button.isEnabled() and not leader.deny_button.isEnabled()
    assert "Supervisor" in leader.approve_button.toolTip()  # decisions are a supervisor's
    close_page(qtbot, leader)

    page = open_page(qtbot, store, actors["supervisor"], lanes, hub)
    page.take_focus()
    qtbot.keyClick(page.unit_table, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
    assert page.tabs.currentIndex() == 1 and page.tabs.tabText(1) == "Approvals 2"
    page.request_table.selectRow(0)
    qtbot.waitUntil(page.approve_button.isEnabled)
    page.approve_button.click()
    answer(qtbot, page, "同意挂账")
    assert svc.load(actors["supervisor"], pause).order.state == "paused"
    qtbot.waitUntil(lambda: page.request_model.ids() == [more], timeout=5000)

    page.request_table.selectRow(0)
    qtbot.waitUntil(page.deny_button.isEnabled)
    page.deny_button.click()
    assert page.dialog is not None and page.dialog.ok.isEnabled()  # the note is optional
    answer(qtbot, page, "理由不足")
    order = svc.load(actors["supervisor"], more)
    assert order.order.pending_request is None and order.order.extension_count == 0
    assert order.open_limits(LimitKind.RESOLVE)[-1].due_at == due_before
    qtbot.waitUntil(lambda: page.request_model.ids() == [], timeout=5000)
    assert page.tabs.tabText(1) == "Approvals"
    assert not page.approve_button.isEnabled()
    assert page.approve_button.toolTip() == "Select a request first."
    close_page(qtbot, page)


def test_the_window_has_the_page_for_a_supervisor(
    qtbot: QtBot,
    store: Store,
    actors: dict[str, Actor],
    lanes: Lanes,
    settings: AppSettings,
    late: Late,
) -> None:
    window = open_window(qtbot, store, actors["supervisor"], lanes, settings)
    assert "supervision" in window.page_names()
    qtbot.keyClick(window, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page == "supervision" and window.supervision is not None
    page = window.supervision
    qtbot.waitUntil(lambda: page.settled, timeout=5000)
    assert page.unit_model.rowCount() > 0
    close_window(qtbot, window)
    again = open_window(qtbot, store, actors["supervisor"], lanes, settings)
    assert again.current_page == "supervision"  # the page is remembered
    qtbot.waitUntil(lambda: again.supervision is not None and again.supervision.settled)
    close_window(qtbot, again)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_page_renders_in_chinese(
    qtbot: QtBot,
    store: Store,
    actors: dict[str, Actor],
    county: County,
    lanes: Lanes,
    hub: ChangeHub,
    late: Late,
    zh: None,
    tmp_path: Path,
) -> None:
    page = open_page(qtbot, store, actors["supervisor"], lanes, hub)
    choose_unit(qtbot, page, county.units["town1"])
    folder = Path(os.environ.get("CC_SCREENSHOT_DIR", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    assert page.grab().save(str(folder / "supervision_zh.png"))
    select_orders(page, late.orders["held"], late.orders["soon"])
    qtbot.waitUntil(page.apply_button.isEnabled)
    page.apply_button.click()
    assert page.dialog is not None
    assert page.dialog.grab().save(str(folder / "supervision_dialog_zh.png"))
    page.dialog.reject()
    page.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: page.settled)
    assert page.grab().save(str(folder / "supervision_requests_zh.png"))
    close_page(qtbot, page)
