"""The early-warning page and the alert banner against a real store: an alert raised by
another process shows on the banner with a signal, is acknowledged from the keyboard and
clears; the page closes alerts with a note; feed items are confirmed into orders or
dismissed with a reason; handling units see neither."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from core.domain.actor import Actor
from core.service import OrderService
from core.storage.db import read_tx, write_tx
from core.storage.schema import alerts, events, feed_items, orders
from core.store import Store
from core.warning.alerts import raise_alerts
from core.warning.model import Candidate, Rule, Severity
from desktop.hub import ChangeHub
from desktop.lanes import Lanes
from desktop.service_runner import ServiceRunner
from desktop.settings import AppSettings
from desktop.views.alerts import AlertsPage
from tests.core.county import County
from tests.core.feeds_support import Door, alert
from tests.core.test_queries import draft
from tests.desktop.helpers import close_window, open_window, session_for, start_hub


@pytest.fixture
def hub(store: Store) -> Iterator[ChangeHub]:
    hub = start_hub(store)
    yield hub
    hub.stop()


def raise_one(store: Store, county: County, title: str, severity: Severity = Severity.RED) -> int:
    candidate = Candidate(
        Rule.CLUSTER,
        f"test:{title}",
        severity,
        title,
        {"orders": []},
        county.units["town1"],
    )
    with write_tx(store.engine) as conn:
        (alert_id,) = raise_alerts(conn, [candidate], store.clock.now())
    return alert_id


def open_page(qtbot: QtBot, store: Store, actor: Actor, lanes: Lanes, hub: ChangeHub) -> AlertsPage:
    page = AlertsPage(session_for(store, actor), lanes, hub)
    qtbot.addWidget(page)
    page.resize(1400, 700)
    page.show()
    qtbot.waitUntil(lambda: page.settled and page.state is not None, timeout=5000)
    return page


def close_page(qtbot: QtBot, page: AlertsPage) -> None:
    page.close_page()
    qtbot.waitUntil(lambda: page.tasks.pending == 0)


def test_a_new_alert_rings_shows_on_the_banner_and_is_acknowledged_by_keyboard(
    qtbot: QtBot,
    store: Store,
    actors: dict[str, Actor],
    county: County,
    lanes: Lanes,
    settings: AppSettings,
) -> None:
    old = raise_one(store, county, "旧的预警", Severity.YELLOW)
    window = open_window(qtbot, store, actors["duty"], lanes, settings)
    watch = window.alert_watch
    assert watch is not None and "alerts" in window.page_names()
    qtbot.waitUntil(lambda: watch.settled and window.alert_banner.isVisible(), timeout=5000)
    assert window.alert_banner.current is not None and window.alert_banner.current.id == old

    with qtbot.waitSignal(watch.alert_did_sound, timeout=5000) as rang:
        new = raise_one(store, county, "第1镇 2小时内 5 起 噪音扰民")
    assert rang.args == [new]  # the one raised while the window was open, not the old one
    qtbot.waitUntil(
        lambda: window.alert_banner.current is not None and window.alert_banner.current.id == new
    )
    assert "第1镇 2小时内 5 起" in window.alert_banner.text.text()
    assert "1" in window.alert_banner.text.text()  # one more waits

    window.activateWindow()
    qtbot.keyClick(
        window,
        Qt.Key.Key_K,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    qtbot.waitUntil(
        lambda: window.alert_banner.current is not None and window.alert_banner.current.id == old,
        timeout=5000,
    )
    with read_tx(store.engine) as conn:
        row = conn.execute(select(alerts).where(alerts.c.id == new)).one()
    assert row.status == "acknowledged" and row.acknowledged_by == actors["duty"].user_id
    close_window(qtbot, window)


def test_a_call_with_a_sensitive_word_rings_on_the_next_service_cycle(
    qtbot: QtBot,
    store: Store,
    svc: OrderService,
    actors: dict[str, Actor],
    lanes: Lanes,
    settings: AppSettings,
) -> None:
    """The whole path on a SQLite workstation: another officer's call says 持刀; the
    in-process service's cycle runs the rules; the banner rings and shows it."""
    window = open_window(qtbot, store, actors["dispatcher"], lanes, settings)
    watch = window.alert_watch
    assert watch is not None
    qtbot.waitUntil(lambda: watch.settled)
    assert not window.alert_banner.isVisible()
    oid = svc.register(actors["duty"], draft(description="楼下有人持刀闹事，情绪激动")).order_id
    runner = ServiceRunner(store, lanes)
    with (
        qtbot.waitSignal(watch.alert_did_sound, timeout=10_000),
        qtbot.waitSignal(runner.cycle_did_run, timeout=10_000) as cycle,
    ):
        runner.run_cycle()
    assert cycle.args[0].counts.get("early_warning", 0) >= 1
    banner = window.alert_banner
    qtbot.waitUntil(lambda: banner.current is not None)
    assert banner.current is not None and banner.current.rule == "sensitive_words"
    assert banner.current.severity == "red" and "持刀" in banner.current.title
    with read_tx(store.engine) as conn:
        urgency = conn.execute(select(orders.c.urgency).where(orders.c.id == oid)).scalar_one()
    assert urgency == "critical"
    qtbot.waitUntil(lambda: runner.tasks.pending == 0)
    runner.stop()
    close_window(qtbot, window)


def test_handling_units_have_no_alerts(
    qtbot: QtBot,
    store: Store,
    actors: dict[str, Actor],
    county: County,
    lanes: Lanes,
    settings: AppSettings,
) -> None:
    raise_one(store, county, "不给处置单位看")
    window = open_window(qtbot, store, actors["h_town1"], lanes, settings)
    assert window.alert_watch is None and "alerts" not in window.page_names()
    QApplication.processEvents()
    assert not window.alert_banner.isVisible()
    close_window(qtbot, window)


def test_the_page_closes_an_alert_with_a_note(
    qtbot: QtBot,
    store: Store,
    actors: dict[str, Actor],
    county: County,
    lanes: Lanes,
    hub: ChangeHub,
) -> None:
    alert_id = raise_one(store, county, "第1镇 聚集")
    page = open_page(qtbot, store, actors["supervisor"], lanes, hub)
    assert [a.id for a in page.alert_model.rows] == [alert_id]
    assert page.ack_button.isEnabled() and page.close_button.isEnabled()
    page.close_button.click()
    assert page.dialog is not None
    assert not page.dialog.ok.isEnabled()  # a note is required
    page.dialog.edit.setPlainText("已派员处置，现场已恢复")
    with qtbot.waitSignal(page.outcome_did_show, timeout=5000):
        page.dialog.accept()
    qtbot.waitUntil(lambda: page.settled and not page.alert_model.rows)
    assert page.alerts_empty.isVisible() or not page.isVisible()
    page.show_closed.setChecked(True)
    qtbot.waitUntil(lambda: page.settled and len(page.alert_model.rows) == 1)
    with read_tx(store.engine) as conn:
        row = conn.execute(select(alerts).where(alerts.c.id == alert_id)).one()
        kinds = conn.execute(select(events.c.kind).where(events.c.order_id.is_(None))).scalars()
        kinds = list(kinds)
    assert row.status == "closed" and row.close_note == "已派员处置，现场已恢复"
    assert row.acknowledged_by == actors["supervisor"].user_id  # closing says it was seen
    assert kinds[-2:] == ["alert_raised", "alert_closed"]
    close_page(qtbot, page)


def test_feed_items_are_confirmed_into_orders_or_dismissed(
    qtbot: QtBot,
    store: Store,
    actors: dict[str, Actor],
    lanes: Lanes,
    hub: ChangeHub,
) -> None:
    page = open_page(qtbot, store, actors["duty"], lanes, hub)
    assert not page.item_model.rows and not page.items_empty.isHidden()
    door = Door(store)
    real, false = (
        r.item_id for r in door.send(alert(id="S1"), alert(source="cam", id="V1", title="人员聚集"))
    )
    # Live: the items arrive without anyone clicking.
    qtbot.waitUntil(lambda: {i.id for i in page.item_model.rows} == {real, false}, timeout=5000)
    assert page.tabs.tabText(1).endswith("2")

    page.tabs.setCurrentIndex(1)
    page.item_table.selectRow([i.id for i in page.item_model.rows].index(real))
    assert page.confirm_button.isEnabled() and not page.item_open_button.isEnabled()
    with qtbot.waitSignal(page.order_did_open, timeout=5000) as opened:
        page.confirm_button.click()
    qtbot.waitUntil(lambda: page.settled and [i.id for i in page.item_model.rows] == [false])

    page.item_table.selectRow(0)
    page.dismiss_button.click()
    assert page.dialog is not None and not page.dialog.ok.isEnabled()  # a reason is required
    page.dialog.edit.setPlainText("树影晃动误报")
    with qtbot.waitSignal(page.outcome_did_show, timeout=5000):
        page.dialog.accept()
    qtbot.waitUntil(lambda: page.settled and not page.item_model.rows)
    page.show_decided.setChecked(True)
    qtbot.waitUntil(lambda: page.settled and len(page.item_model.rows) == 2)
    with read_tx(store.engine) as conn:
        rows = {r.id: r for r in conn.execute(select(feed_items))}
        order = conn.execute(select(orders).where(orders.c.id == opened.args[0])).one()
    assert rows[real].status == "confirmed" and rows[real].order_id == opened.args[0]
    assert rows[real].decided_by == actors["duty"].user_id
    assert rows[false].status == "dismissed" and rows[false].decision_note == "树影晃动误报"
    assert rows[false].order_id is None  # a false alarm never becomes intake
    assert order.channel == "video_iot" and order.external_ref == "S1"
    close_page(qtbot, page)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_banner_and_page_render_in_chinese(
    qtbot: QtBot,
    store: Store,
    actors: dict[str, Actor],
    county: County,
    lanes: Lanes,
    settings: AppSettings,
    zh: None,
    tmp_path: Path,
) -> None:
    raise_one(store, county, "第1镇第1村 30分钟内 4 起 燃气泄漏", Severity.ORANGE)
    raise_one(store, county, "来电人 138****5678 72小时内第 3 次来电", Severity.YELLOW)
    raise_one(store, county, "工单 2026-001234 含敏感词“持刀”，已升为特急")
    window = open_window(qtbot, store, actors["dispatcher"], lanes, settings)
    window.resize(1600, 900)
    watch = window.alert_watch
    assert watch is not None
    qtbot.waitUntil(lambda: watch.settled and window.alert_banner.isVisible(), timeout=5000)
    folder = Path(os.environ.get("CC_SCREENSHOT_DIR", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    assert window.grab().save(str(folder / "alerts_banner_zh.png"))
    assert window.show_page("alerts") and window.alerts is not None
    page = window.alerts
    qtbot.waitUntil(lambda: page.settled and len(page.alert_model.rows) == 3, timeout=5000)
    assert page.alert_model.rows[0].severity == "red"  # the most severe first
    assert window.grab().save(str(folder / "alerts_page_zh.png"))
    Door(store).send(
        alert(id="S7", title="烟感报警", description="3号楼2单元烟感探测器报警"),
        alert(source="cam", id="V9", title="人员聚集", point="town2v1g1"),
    )
    qtbot.waitUntil(lambda: page.settled and len(page.item_model.rows) == 2, timeout=5000)
    page.tabs.setCurrentIndex(1)
    assert window.grab().save(str(folder / "alerts_items_zh.png"))
    close_window(qtbot, window)
