"""The main window against a real store: jurisdiction, live updates, paging, the database
going away, and the window layout surviving a restart."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import create_engine, select, text

from core.clock import ManualClock
from core.domain.actor import Actor
from core.service import OrderService
from core.service_process import ServiceProcess
from core.storage.db import read_tx
from core.storage.repo import load_aggregates
from core.storage.schema import orders
from core.storage.singleton import NoLock
from core.store import Store, open_store
from core.stream import Link, LinkState
from core.workflow.guards import can_see
from desktop import theme
from desktop.lanes import Lanes
from desktop.settings import AppSettings
from desktop.widgets.order_table import Col
from tests.core.county import County
from tests.core.test_queries import Mix, draft, populate
from tests.desktop.helpers import close_window, open_window


@pytest.fixture
def mix(svc: OrderService, actors: dict[str, Actor], county: County, clock: ManualClock) -> Mix:
    return populate(svc, actors, county, clock)


def shown_ids(window: object) -> list[int]:
    return window.model.ids()  # type: ignore[attr-defined,no-any-return]


@pytest.mark.parametrize("user", ["h_town1", "h_town2v1", "h_police", "duty"])
def test_a_user_lists_exactly_the_orders_they_may_see(
    qtbot: QtBot,
    store: Store,
    actors: dict[str, Actor],
    mix: Mix,
    lanes: Lanes,
    settings: AppSettings,
    user: str,
) -> None:
    with read_tx(store.engine) as conn:
        aggs = load_aggregates(conn, mix.orders.values())
    org = store.reference().org
    allowed = {oid for oid, agg in aggs.items() if can_see(actors[user], agg, org)}
    window = open_window(qtbot, store, actors[user], lanes, settings)
    assert set(shown_ids(window)) == allowed
    assert len(shown_ids(window)) == len(allowed)
    if user != "duty":
        assert 0 < len(allowed) < len(mix.orders)  # the filter did something
    close_window(qtbot, window)


def test_a_new_order_appears_without_anyone_clicking(
    qtbot: QtBot,
    svc: OrderService,
    store: Store,
    actors: dict[str, Actor],
    mix: Mix,
    lanes: Lanes,
    settings: AppSettings,
) -> None:
    window = open_window(qtbot, store, actors["h_town1"], lanes, settings)
    before = shown_ids(window)
    mine = svc.register(actors["duty"], draft("town1v1g2", title="新来的工单")).order_id
    elsewhere = svc.register(actors["duty"], draft("town2v1g1")).order_id
    qtbot.waitUntil(lambda: mine in shown_ids(window), timeout=5000)
    assert shown_ids(window) == [mine, *before]  # on top, the rest untouched
    assert elsewhere not in shown_ids(window)
    assert window.model.row(0).title == "新来的工单"
    close_window(qtbot, window)


def test_a_change_to_a_shown_order_is_redrawn_in_place(
    qtbot: QtBot,
    svc: OrderService,
    store: Store,
    actors: dict[str, Actor],
    county: County,
    mix: Mix,
    lanes: Lanes,
    settings: AppSettings,
) -> None:
    window = open_window(qtbot, store, actors["dispatcher"], lanes, settings)
    oid = mix.orders["town1_grid"]
    row = shown_ids(window).index(oid)
    window.table.selectRow(row)
    svc.dispatch(actors["dispatcher"], oid, county.units["town1"])
    qtbot.waitUntil(lambda: window.model.row(row).state == "dispatched", timeout=5000)
    assert window.model.row(row).lead_unit_name == "第1镇"
    assert window.table.selectionModel().selectedRows()[0].row() == row
    close_window(qtbot, window)


def test_rows_load_a_page_at_a_time(
    qtbot: QtBot,
    store: Store,
    actors: dict[str, Actor],
    mix: Mix,
    lanes: Lanes,
    settings: AppSettings,
) -> None:
    window = open_window(qtbot, store, actors["duty"], lanes, settings, page_size=5)
    model = window.model
    assert model.rowCount() == 5 and model.has_more
    qtbot.waitUntil(lambda: "13" in window.count_label.text(), timeout=5000)
    while model.has_more:
        n = model.rowCount()
        model.fetchMore(window.table.rootIndex())
        qtbot.waitUntil(lambda n=n: model.rowCount() > n, timeout=5000)
    assert model.rowCount() == len(mix.orders)
    assert len(set(shown_ids(window))) == len(mix.orders)
    close_window(qtbot, window)


def test_deadline_colours_warning_and_overdue(
    qtbot: QtBot,
    store: Store,
    actors: dict[str, Actor],
    mix: Mix,
    clock: ManualClock,
    lanes: Lanes,
    settings: AppSettings,
) -> None:
    clock.advance(timedelta(days=60))
    window = open_window(qtbot, store, actors["duty"], lanes, settings)
    model = window.model
    row = shown_ids(window).index(mix.orders["town1_grid"])
    assert model.row(row).overdue
    index = model.index(row, Col.DUE)
    assert model.data(index, 9) == theme.color("danger")  # ForegroundRole
    assert model.data(model.index(row, Col.TITLE), 9) is None
    closed = shown_ids(window).index(mix.orders["on_spot"])
    assert model.data(model.index(closed, Col.DUE)) == "—"
    close_window(qtbot, window)


def test_a_lost_link_shows_a_banner_and_a_stale_mark(
    qtbot: QtBot,
    store: Store,
    actors: dict[str, Actor],
    lanes: Lanes,
    settings: AppSettings,
) -> None:
    window = open_window(qtbot, store, actors["duty"], lanes, settings)
    qtbot.waitUntil(lambda: "Data confirmed at" in window.fresh_label.text(), timeout=5000)
    confirmed = window.hub.confirmed_at
    window.hub.stop()  # the real stream must not report LIVE over the staged outage
    window.hub._linked(Link(LinkState.DOWN, confirmed, "OperationalError: refused", 2.0))
    assert window.banner.isVisible()
    assert "Retrying in 2 s" in window.banner.text()
    assert "OperationalError" in window.banner.text()
    assert window.fresh_label.property("role") == "stale"
    assert "Disconnected" in window.fresh_label.text()
    window.hub._linked(Link(LinkState.LIVE, confirmed))
    assert not window.banner.isVisible()
    assert window.fresh_label.property("role") is None
    close_window(qtbot, window)


@pytest.mark.postgres
def test_a_real_outage_is_shown_and_nothing_is_lost(
    qtbot: QtBot,
    svc: OrderService,
    store: Store,
    actors: dict[str, Actor],
    lanes: Lanes,
    settings: AppSettings,
    backend: str,
) -> None:
    if backend != "postgres":
        pytest.skip("needs a server to refuse connections")
    window = open_window(qtbot, store, actors["duty"], lanes, settings)
    qtbot.waitUntil(lambda: window.hub.link.state is LinkState.LIVE, timeout=5000)
    name = store.engine.url.database
    admin = create_engine(store.engine.url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    # Another workstation keeps its connection through the outage and writes meanwhile.
    other = OrderService(open_store(store.engine.url.render_as_string(hide_password=False)))
    other.register(actors["duty"], draft())
    with admin.connect() as conn:
        conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
        pid = window.hub.subscription.backend_pid
        conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
    try:
        qtbot.waitUntil(window.banner.isVisible, timeout=10000)
        during = other.register(actors["duty"], draft(title="断线期间登记")).order_id
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        admin.dispose()
    qtbot.waitUntil(lambda: not window.banner.isVisible(), timeout=15000)
    qtbot.waitUntil(lambda: during in shown_ids(window), timeout=5000)
    other.store.engine.dispose()
    close_window(qtbot, window)


def test_events_from_another_process_appear_in_the_open_window(
    qtbot: QtBot,
    store: Store,
    actors: dict[str, Actor],
    lanes: Lanes,
    settings: AppSettings,
) -> None:
    window = open_window(qtbot, store, actors["h_town1"], lanes, settings)
    assert shown_ids(window) == []
    url = store.engine.url.render_as_string(hide_password=False)
    proc = subprocess.run(
        [sys.executable, "-m", "tests.core.stream_writer", url, "20"],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    with read_tx(store.engine) as conn:
        theirs = set(conn.execute(select(orders.c.id)).scalars())
    assert len(theirs) >= 3
    qtbot.waitUntil(lambda: set(shown_ids(window)) == theirs, timeout=10000)
    row = window.model.row(0)
    assert row.state in ("in_progress", "pending_review")
    close_window(qtbot, window)


def test_window_geometry_and_columns_survive_a_restart(
    qtbot: QtBot,
    store: Store,
    actors: dict[str, Actor],
    lanes: Lanes,
    settings: AppSettings,
) -> None:
    first = open_window(qtbot, store, actors["duty"], lanes, settings)
    first.resize(700, 500)  # inside the 800×600 offscreen screen
    first.table.setColumnWidth(Col.CALLER, 333)
    close_window(qtbot, first)
    second = open_window(qtbot, store, actors["duty"], lanes, settings)
    assert (second.width(), second.height()) == (700, 500)
    assert second.table.columnWidth(Col.CALLER) == 333
    close_window(qtbot, second)


def test_status_bar_names_user_unit_database_and_freshness(
    qtbot: QtBot,
    store: Store,
    actors: dict[str, Actor],
    lanes: Lanes,
    settings: AppSettings,
) -> None:
    window = open_window(qtbot, store, actors["h_town1"], lanes, settings)
    assert "h_town1" in window.user_label.text()
    assert "第1镇" in window.unit_label.text()
    assert store.url in window.db_label.text()
    qtbot.waitUntil(lambda: "Data confirmed at" in window.fresh_label.text(), timeout=5000)
    qtbot.waitUntil(lambda: "not running" in window.service_label.text(), timeout=5000)
    assert window.service_label.property("role") == "stale"
    ServiceProcess(store, lock=NoLock(), mode="in_process").cycle()  # a heartbeat
    window.check_service()
    qtbot.waitUntil(lambda: window.service_label.text() == "Service: running", timeout=5000)
    close_window(qtbot, window)


@pytest.mark.parametrize(
    ("user", "pages"),
    [
        ("duty", ["intake", "queues", "orders", "alerts"]),
        ("supervisor", ["queues", "orders", "assessment", "supervision", "alerts"]),
        ("h_town1v1", ["queues", "orders"]),
        ("wall", ["orders"]),
        ("leader", ["queues", "orders", "assessment", "supervision", "alerts"]),
        ("admin", ["orders", "assessment", "supervision"]),
    ],
)
def test_the_window_offers_the_pages_of_the_users_roles(
    qtbot: QtBot,
    store: Store,
    actors: dict[str, Actor],
    lanes: Lanes,
    settings: AppSettings,
    user: str,
    pages: list[str],
) -> None:
    window = open_window(qtbot, store, actors[user], lanes, settings)
    assert window.page_names() == pages
    assert window.current_page == pages[0]
    assert window.show_page("intake") == ("intake" in pages)
    if "assessment" in pages:  # Ctrl+4, built on first use; an order opens from it
        qtbot.keyClick(window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
        assert window.current_page == "assessment" and window.assessment is not None
        assert window.stack.currentWidget() is window.assessment
        qtbot.waitUntil(lambda: window.assessment is not None and window.assessment.settled)
    else:
        assert not window.show_page("assessment") and window.assessment is None
    if "alerts" in pages:  # Ctrl+6: the alerts and the feeds' items to confirm
        qtbot.keyClick(window, Qt.Key.Key_6, Qt.KeyboardModifier.ControlModifier)
        assert window.current_page == "alerts" and window.alerts is not None
        qtbot.waitUntil(lambda: window.alerts is not None and window.alerts.settled)
    else:
        assert not window.show_page("alerts") and window.alert_watch is None
    close_window(qtbot, window)


def test_the_page_survives_a_restart_and_ctrl_digits_switch_pages(
    qtbot: QtBot,
    store: Store,
    actors: dict[str, Actor],
    lanes: Lanes,
    settings: AppSettings,
) -> None:
    first = open_window(qtbot, store, actors["dispatcher"], lanes, settings)
    assert first.current_page == "intake" and first.intake is not None
    first.activateWindow()  # the keyboard is at the caller's number, ready for a call
    phone = first.intake.phone_edit
    qtbot.waitUntil(lambda: QApplication.focusWidget() is phone, timeout=3000)
    qtbot.keyClick(first, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert first.current_page == "queues"
    assert first.stack.currentWidget() is first.queues
    qtbot.keyClick(first, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert first.current_page == "orders"
    qtbot.keyClick(first, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    close_window(qtbot, first)
    second = open_window(qtbot, store, actors["dispatcher"], lanes, settings)
    assert second.current_page == "queues"
    close_window(qtbot, second)


def test_the_editor_opens_at_the_size_it_was_left(
    qtbot: QtBot,
    store: Store,
    svc: OrderService,
    actors: dict[str, Actor],
    lanes: Lanes,
    settings: AppSettings,
) -> None:
    oid = svc.register(actors["duty"], draft("town1v1g1")).order_id
    window = open_window(qtbot, store, actors["supervisor"], lanes, settings)
    first = window.open_order(oid)
    qtbot.waitUntil(lambda: first.base is not None, timeout=5000)
    first.resize(700, 560)
    first.split.setSizes([420, 280])
    wanted = first.split.sizes()
    first.reject()
    qtbot.waitUntil(lambda: window.editor is None and window.pending == 0, timeout=5000)
    second = window.open_order(oid)
    qtbot.waitUntil(lambda: second.base is not None, timeout=5000)
    assert (second.width(), second.height()) == (700, 560)
    assert second.split.sizes() == wanted
    second.reject()
    qtbot.waitUntil(lambda: second.tasks.pending == 0)
    close_window(qtbot, window)


def test_a_drill_database_says_so_on_the_window(
    qtbot: QtBot,
    store: Store,
    actors: dict[str, Actor],
    lanes: Lanes,
    settings: AppSettings,
    tmp_path: Path,
) -> None:
    window = open_window(qtbot, store, actors["duty"], lanes, settings, drill=True)
    try:
        assert window.drill_banner.isVisible()
        assert "DRILL" in window.windowTitle() and "DRILL" in window.drill_banner.text()
        folder = Path(os.environ.get("CC_SCREENSHOT_DIR", tmp_path))
        folder.mkdir(parents=True, exist_ok=True)
        window.grab().save(str(folder / "test_main_drill_zh.png"))
    finally:
        close_window(qtbot, window)
    live = open_window(qtbot, store, actors["duty"], lanes, settings)
    try:
        assert not live.drill_banner.isVisible() and "DRILL" not in live.windowTitle()
    finally:
        close_window(qtbot, live)


def test_the_view_menu_opens_one_wall_and_closing_the_window_closes_it(
    qtbot: QtBot,
    store: Store,
    actors: dict[str, Actor],
    lanes: Lanes,
    settings: AppSettings,
) -> None:
    window = open_window(qtbot, store, actors["duty"], lanes, settings)
    wall = None
    try:
        with qtbot.waitSignal(window.wall_action.triggered):
            window.wall_action.trigger()
        wall = window.walls.wall
        assert wall is not None and wall.isVisible() and wall.closable
        qtbot.waitUntil(lambda: wall is not None and wall.settled, timeout=15000)
        closed: list[bool] = []
        wall.window_did_close.connect(lambda: closed.append(True))
    finally:
        close_window(qtbot, window)
    assert closed == [True] and window.walls.wall is None  # closed with the workstation
