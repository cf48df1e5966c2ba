"""The trainer's console (desktop/views/drill_console.py) on a real SQLite file and on
PostgreSQL, on the store's ManualClock (the page's timer is stopped; each test steps it):
only a trainer on a drill database gets the page; a scenario starts, its injects arrive
beside what a trainee did with them, pause and skip and speed steer it, stop ends it and
the score report is written; a replay shows its arrivals beside their first dispatch; a
broken scenario file is refused with its line; the command line refuses --drill with
--wall or a command. Renders in Chinese to PNG."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from core.clock import ManualClock
from core.domain.actor import Actor
from core.drill.scenario import parse_scenario
from core.service import OrderService
from core.storage.db import read_tx
from core.storage.schema import orders
from core.store import Store
from desktop.lanes import Lanes
from desktop.settings import AppSettings
from desktop.views.drill_console import DrillConsolePage
from desktop.views.main_window import DRILL
from main import main
from tests.core.county import County
from tests.core.test_drill_replay import SMALL as SMALL_MAPPING
from tests.core.test_drill_replay import small_replay
from tests.core.test_drill_scenario import SMALL, as_drill
from tests.desktop.helpers import close_window, open_window, session_for, start_hub


def _shot(page: DrillConsolePage, name: str, tmp_path: Path) -> None:
    folder = Path(os.environ.get("CC_SCREENSHOT_DIR", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    page.grab().save(str(folder / name))


def _page(qtbot: QtBot, store: Store, actor: Actor, lanes: Lanes) -> DrillConsolePage:
    hub = start_hub(store)
    page = DrillConsolePage(session_for(store, actor), lanes, hub)
    qtbot.addWidget(page)
    page.resize(1600, 900)
    page.show()
    qtbot.waitUntil(lambda: page.view is not None, timeout=10000)
    return page


def _done(qtbot: QtBot, page: DrillConsolePage) -> None:
    page.shut()
    qtbot.waitUntil(lambda: page.tasks.pending == 0, timeout=10000)
    page.hub.stop()
    page.close()


def _step(qtbot: QtBot, page: DrillConsolePage) -> None:
    """One tick of the drill, then the tables' re-read landed."""
    task = page.tick()
    qtbot.waitUntil(lambda: task.done() and page.settled, timeout=10000)
    again = page.reload()
    qtbot.waitUntil(lambda: again.done() and page.settled, timeout=10000)


def _clock(store: Store) -> ManualClock:
    clock = store.clock
    assert isinstance(clock, ManualClock)
    return clock


def _rows(page: DrillConsolePage) -> dict[str, list[str]]:
    m = page.script_model
    return {
        m.rows[r].entry.id: [str(m.index(r, c).data() or "") for c in range(m.columnCount())]
        for r in range(m.rowCount())
    }


def test_only_a_trainer_on_a_drill_database_has_the_console(
    qtbot: QtBot,
    store: Store,
    actors: dict[str, Actor],
    lanes: Lanes,
    settings: AppSettings,
) -> None:
    live = open_window(qtbot, store, actors["trainer"], lanes, settings)
    try:
        assert DRILL not in live.page_names()
    finally:
        close_window(qtbot, live)
    as_drill(store)
    duty = open_window(qtbot, store, actors["duty"], lanes, settings, drill=True)
    try:
        assert DRILL not in duty.page_names()
    finally:
        close_window(qtbot, duty)
    window = open_window(
        qtbot, store, actors["trainer"], lanes, settings, drill=True, start_page=DRILL
    )
    try:
        assert window.page_names()[-1] == DRILL and window.drill_console is not None
        assert window.stack.currentWidget() is window.drill_console
    finally:
        close_window(qtbot, window)


def _order_id(store: Store, number: str) -> int:
    with read_tx(store.engine) as conn:
        return int(conn.execute(select(orders.c.id).where(orders.c.number == number)).scalar_one())


def test_a_scenario_runs_beside_what_the_trainee_did_and_ends_in_a_report(
    qtbot: QtBot,
    store: Store,
    actors: dict[str, Actor],
    county: County,
    lanes: Lanes,
    tmp_path: Path,
    zh: None,
) -> None:
    from openpyxl import load_workbook

    as_drill(store)
    clock = _clock(store)
    scenario = tmp_path / "small.toml"
    scenario.write_text(SMALL, encoding="utf-8")
    page = _page(qtbot, store, actors["trainer"], lanes)
    try:
        assert page.start_button.isEnabled() and not page.stop_button.isEnabled()
        assert page.script_model.rowCount() == 0 and "未开始" in page.state_label.text()
        page.source.add_scenario(scenario)
        page.source.scenario_box.setCurrentIndex(page.source.scenario_box.count() - 1)
        page.speed_box.setCurrentIndex(page.speed_box.findData(60.0))
        task = page.start()
        qtbot.waitUntil(lambda: task.done() and page.status is not None, timeout=10000)
        page.timer.stop()  # the test steps it
        assert page.status is not None and page.status.speed == 60
        assert not page.start_button.isEnabled() and page.stop_button.isEnabled()

        clock.advance(timedelta(seconds=1))  # a minute of drill time at 60x: the call rings
        _step(qtbot, page)
        rows = _rows(page)
        assert rows["call-1"][5] and "待派单" in rows["call-1"][6]
        assert rows["call-1"][4] == "镇级 · 第1镇 · 15 分钟内"  # level, unit, time allowed
        assert rows["iot-1"][5] == "" and "未到" in rows["iot-1"][6]
        assert page.progress.value() >= 1

        task = page.toggle_pause()
        qtbot.waitUntil(task.done)
        assert page.status is not None and page.status.paused
        assert "继续" in page.pause_button.text() and "暂停" in page.state_label.text()
        clock.advance(timedelta(seconds=90))  # paused: iot-1 (due 1 s on) stays away
        oid = _order_id(store, rows["call-1"][7])
        OrderService(store).dispatch(actors["dispatcher"], oid, county.units["town1"])
        _step(qtbot, page)
        rows = _rows(page)
        assert rows["iot-1"][5] == ""
        assert "已派单" in rows["call-1"][6] and rows["call-1"][8] == "dispatcher"
        assert rows["call-1"][10] == "01:30" and "✓" in rows["call-1"][11]
        trainees = {t.username: t for t in page.trainee_model.rows}
        assert len(trainees["dispatcher"].dispatches) == 1
        _shot(page, "drill_console_scenario_zh.png", tmp_path)

        task = page.toggle_pause()
        qtbot.waitUntil(task.done)
        task = page.skip()  # the next items (iot-1 and patrol-1 at 2:00) arrive now
        qtbot.waitUntil(lambda: task.done() and page.settled, timeout=10000)
        _step(qtbot, page)
        rows = _rows(page)
        assert rows["iot-1"][5] and rows["patrol-1"][5]

        task = page.stop()
        qtbot.waitUntil(lambda: task.done() and page.settled, timeout=10000)
        _step(qtbot, page)
        assert "结束" in page.state_label.text()
        assert not page.pause_button.isEnabled() and not page.stop_button.isEnabled()
        assert not page.start_button.isEnabled()
        fired = page.status.fired if page.status else -1
        clock.advance(timedelta(hours=1))
        _step(qtbot, page)
        assert page.status is not None and page.status.fired == fired  # nothing after stop

        page.ask_report()  # the button's dialog: a file name ending .xlsx writes the workbook
        dialog = page.dialog
        assert dialog is not None and dialog.isVisible()
        assert (
            dialog.selectedFiles()[0].endswith(".pdf") and "演练评分-" in dialog.selectedFiles()[0]
        )
        written: list[str] = []
        page.report_did_write.connect(written.append)
        dialog.selectFile(str(tmp_path / "scores.xlsx"))
        dialog.accept()
        qtbot.waitUntil(lambda: bool(written) or page.error_label.isVisibleTo(page), timeout=30000)
        assert written == [str(tmp_path / "scores.xlsx")], page.error_label.text()
        task = page.write_report(tmp_path / "scores.pdf")
        qtbot.waitUntil(task.done, timeout=30000)
        assert written[-1] == str(tmp_path / "scores.pdf"), page.error_label.text()
        assert (tmp_path / "scores.pdf").read_bytes().startswith(b"%PDF")
        ws = load_workbook(tmp_path / "scores.xlsx")["trainees"]
        head = [c.value for c in ws[1]]
        got = {
            r[1]: dict(zip(head, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)
        }
        assert got["dispatcher"]["派单次数"] == 1 and got["dispatcher"]["派单用时最长(秒)"] == 90
        _shot(page, "drill_console_stopped_zh.png", tmp_path)
    finally:
        _done(qtbot, page)


def test_a_replay_shows_its_arrivals_beside_their_first_dispatch(
    qtbot: QtBot,
    store: Store,
    actors: dict[str, Actor],
    county: County,
    lanes: Lanes,
    tmp_path: Path,
    zh: None,
) -> None:
    as_drill(store)
    clock = _clock(store)
    replay = small_replay(tmp_path)
    mapping = tmp_path / "small.toml"
    mapping.write_text(SMALL_MAPPING, encoding="utf-8")
    page = _page(qtbot, store, actors["trainer"], lanes)
    try:
        page.source.select_scenario("flood_night")
        assert page.speed_box.currentData() == 2.0  # the scenario's own speed
        page.source.kind_box.setCurrentIndex(1)
        assert page.sides.currentWidget() is page.arrivals_group
        assert page.speed_box.currentData() == 60.0  # a day in 24 minutes
        page.source.replay_edit.setText(replay.file)
        page.source.mapping_box.addItem("small", str(mapping))
        page.source.mapping_box.setCurrentIndex(page.source.mapping_box.count() - 1)
        page.source.thin_spin.setValue(0)
        page.speed_box.setCurrentIndex(page.speed_box.findData(60.0))
        task = page.start()
        qtbot.waitUntil(lambda: task.done() and page.status is not None, timeout=10000)
        page.timer.stop()
        clock.advance(timedelta(seconds=10))  # 10 minutes of the source day
        _step(qtbot, page)
        assert [a.external_ref for a in page.arrival_model.rows] == ["S1", "S0"]
        assert page.status is not None and (page.status.fired, page.status.total) == (2, 7)
        assert "2024-06-01 09:10" in page.progress_label.text()
        task = page.toggle_pause()  # the source day stands still while the trainee works
        qtbot.waitUntil(task.done)
        clock.advance(timedelta(minutes=3))
        oid = page.arrival_model.rows[1].order_id
        OrderService(store).dispatch(actors["dispatcher"], oid, county.units["town1"])
        _step(qtbot, page)
        m = page.arrival_model
        assert len(m.rows) == 2
        cells = [str(m.index(1, c).data() or "") for c in range(m.columnCount())]
        assert cells[6] == "dispatcher" and "镇" in cells[7] and cells[8] == "03:00"
        _shot(page, "drill_console_replay_zh.png", tmp_path)
    finally:
        _done(qtbot, page)


def test_a_console_opened_again_goes_on_where_the_drill_stood(
    qtbot: QtBot, store: Store, actors: dict[str, Actor], lanes: Lanes, tmp_path: Path, zh: None
) -> None:
    as_drill(store)
    clock = _clock(store)
    scenario = tmp_path / "small.toml"
    scenario.write_text(SMALL, encoding="utf-8")

    def started() -> DrillConsolePage:
        page = _page(qtbot, store, actors["trainer"], lanes)
        page.source.add_scenario(scenario)
        page.source.scenario_box.setCurrentIndex(page.source.scenario_box.count() - 1)
        return page

    first = started()
    first.speed_box.setCurrentIndex(first.speed_box.findData(60.0))
    try:
        task = first.start()
        qtbot.waitUntil(lambda: task.done() and first.status is not None, timeout=10000)
        first.timer.stop()
        clock.advance(timedelta(seconds=1))
        _step(qtbot, first)
        assert first.status is not None and first.status.fired == 1
    finally:
        _done(qtbot, first)
    clock.advance(timedelta(seconds=30))  # nobody steps it meanwhile: half an hour of drill
    again = started()
    again.speed_box.setCurrentIndex(again.speed_box.findData(5.0))  # a second trainer's box
    try:
        qtbot.waitUntil(lambda: again.script_model.rowCount() > 0, timeout=10000)
        assert "small" in again.progress_label.text() and "接着" in again.progress_label.text()
        assert _rows(again)["call-1"][5] and not _rows(again)["iot-1"][5]  # before the start
        task = again.start()
        qtbot.waitUntil(lambda: task.done() and again.status is not None, timeout=10000)
        again.timer.stop()
        assert again.status is not None and again.status.speed == 60  # the drill's own pace
        assert again.speed_box.currentData() == 60.0
        _step(qtbot, again)  # what fell due meanwhile arrives now, once
        assert again.status.fired == len(parse_scenario(SMALL, "x").entries())
        assert again.script_model.rowCount() == again.status.total
    finally:
        _done(qtbot, again)


def test_a_broken_scenario_file_is_refused_with_its_line(
    qtbot: QtBot, store: Store, actors: dict[str, Actor], lanes: Lanes, tmp_path: Path
) -> None:
    as_drill(store)
    bad = tmp_path / "bad.toml"
    bad.write_text(SMALL.replace('kind = "call"', 'kind = "telegram"'), encoding="utf-8")
    page = _page(qtbot, store, actors["trainer"], lanes)
    try:
        page.source.add_scenario(bad)
        page.source.scenario_box.setCurrentIndex(page.source.scenario_box.count() - 1)
        task = page.start()
        qtbot.waitUntil(task.done, timeout=10000)
        assert page.run is None and page.start_button.isEnabled()
        assert page.error_label.isVisibleTo(page)
        assert "telegram" in page.error_label.text() and "line" in page.error_label.text()
    finally:
        _done(qtbot, page)


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--wall", "--drill"], "give one"),
        (["--drill", "info"], "give no command"),
    ],
)
def test_the_command_line_refuses_drill_with_the_wall_or_a_command(
    argv: list[str], says: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["--db", str(tmp_path / "x.sqlite3"), *argv]) == 2
    assert says in capsys.readouterr().err
