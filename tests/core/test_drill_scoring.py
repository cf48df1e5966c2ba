"""Scoring a drill: a scripted trainee gets the hand-computed values; a live database is
refused; a replay (no scenario) is not scored for routing; the workbook reads back."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from core.clock import ManualClock
from core.domain.actor import Actor
from core.drill.inject import InjectRunner
from core.drill.scenario import Scenario, parse_scenario
from core.drill.score_export import write_csv, write_xlsx
from core.drill.scoring import DrillScore, RoutingMiss, score_drill
from core.errors import CoreError
from core.feeds.decide import dismiss
from core.service import OrderService
from core.storage.db import read_tx, write_tx
from core.storage.schema import feed_items, hops, settings
from core.store import Store
from core.warning.alerts import acknowledge, raise_alerts
from core.warning.model import Candidate, Rule, Severity
from core.workflow.intake import OrderDraft
from tests.core.county import County

SCENARIO = """\
[scenario]
id = "score_test"
title = "评分测试"
duration = "01:00:00"

[[inject]]
id = "A"
at = "01:00"
kind = "call"
phone = "13900000001"
category = "030501"
urgency = "urgent"
grid = "town1v1g1"
description = "路面积水"
expect = { level = "town", unit = "town1", within = "00:15:00" }

[[inject]]
id = "B"
at = "01:00"
kind = "call"
phone = "13900000002"
category = "030501"
urgency = "urgent"
grid = "town1v1g2"
description = "井盖缺失"
expect = { level = "town" }

[[inject]]
id = "C"
at = "02:00"
kind = "patrol_report"
category = "030501"
grid = "town2v1"
description = "路灯不亮"
expect = { level = "village", unit = "town2v1", within = "00:10:00" }

[[inject]]
id = "D"
at = "03:00"
kind = "video_alert"
category = "030501"
description = "镜头雨滴误报"
grid = "town1v1g2"
expect = { dismiss = true }
"""


def as_drill(store: Store) -> None:
    with write_tx(store.engine) as conn:
        conn.execute(
            update(settings).where(settings.c.key == "database_kind").values(value="drill")
        )


@pytest.fixture
def scenario() -> Scenario:
    return parse_scenario(SCENARIO, "score_test.toml")


def lead_hop(store: Store, order_id: int) -> int:
    with read_tx(store.engine) as conn:
        return int(
            conn.execute(
                select(hops.c.id).where(hops.c.order_id == order_id, hops.c.role == "lead")
            ).scalar_one()
        )


def play(
    store: Store, scenario: Scenario, clock: ManualClock, actors: dict[str, Actor], county: County
) -> datetime:
    """The script of the module docstring's drill; returns the drill's start."""
    as_drill(store)
    svc, u = OrderService(store), county.units
    start = clock.now()
    runner = InjectRunner(store, scenario, clock, actors["duty"])
    got: dict[str, int] = {}

    def at(minutes: float) -> None:
        clock.set(start + timedelta(minutes=minutes))
        for f in runner.step():
            got[f.id] = f.order_id or f.feed_item or 0

    trainee = actors["dispatcher"]
    at(1)  # A and B ring
    at(2)  # C is reported
    at(3)  # D's camera alarms; A goes to the expected town, 2 minutes after it rang
    svc.dispatch(trainee, got["A"], u["town1"])
    at(4)
    dismiss(store, trainee, got["D"], "雨滴误报")  # a minute after it arrived: correct
    at(5)
    with write_tx(store.engine) as conn:
        (alert,) = raise_alerts(
            conn, [Candidate(Rule.SURGE, "t", Severity.ORANGE, "来电激增")], clock.now()
        )
    at(7)
    acknowledge(store, trainee, alert)  # 2 minutes after it was raised
    at(11)
    svc.dispatch(trainee, got["B"], u["town1v1"])  # a village: the wrong level, 10 minutes
    at(20)
    svc.accept(actors["h_town1"], got["A"], lead_hop(store, got["A"]))
    at(30)
    svc.submit_result(actors["h_town1"], got["A"], lead_hop(store, got["A"]), "已排水")
    at(90)  # B's urgent hour has run out: its handout and accept limits end overdue
    svc.accept(actors["h_town1v1"], got["B"], lead_hop(store, got["B"]))
    return start


def test_a_live_database_is_refused(store: Store) -> None:
    with pytest.raises(CoreError) as err:
        score_drill(store)
    assert err.value.code == "not_a_drill_database"


def test_a_scripted_trainee_gets_the_hand_computed_values(
    store: Store,
    scenario: Scenario,
    clock: ManualClock,
    actors: dict[str, Actor],
    county: County,
    tmp_path: Path,
) -> None:
    start = play(store, scenario, clock, actors, county)
    score = score_drill(store, scenario)
    assert score.at == start + timedelta(minutes=90) and score.start == start
    assert score.scored and score.scenario_id == "score_test"
    by = {t.username: t for t in score.trainees}
    # duty only ran the injects: registering them is the script's work, not a trainee's
    assert set(by) == {"dispatcher", "h_town1", "h_town1v1"}

    d = by["dispatcher"]
    assert dict(d.actions) == {"dispatched": 2, "feed_decided": 1, "alert_acknowledged": 1}
    assert [(x.inject, x.seconds) for x in d.dispatches] == [("A", 120.0), ("B", 600.0)]
    assert (d.dispatch_median, d.dispatch_max) == (360.0, 600.0)
    assert d.routing is not None and (d.routing.correct, d.routing.total) == (1, 2)
    assert d.routing.misses == (RoutingMiss("B", 2, None, 3, "town1v1"),)
    assert d.missed == ("C",)  # on duty at the county's dispatch queue
    assert [(a.title, a.seconds) for a in d.alerts_acknowledged] == [("来电激增", 120.0)]
    (decision,) = d.feed_decisions
    assert (decision.inject, decision.status, decision.seconds) == ("D", "dismissed", 60.0)
    assert decision.correct and (d.feed_correct, d.feed_scored) == (1, 1)
    # A: handout, accept, resolve all ended in time; B: handout and accept ended overdue,
    # its 24-hour resolve limit is open and not due: not counted.
    assert (d.limits_met, d.limits_counted, d.limits_share) == (3, 5, 0.6)

    h1, hv = by["h_town1"], by["h_town1v1"]
    assert dict(h1.actions) == {"accepted": 1, "result_submitted": 1}
    assert (h1.limits_met, h1.limits_counted) == (3, 3)
    assert (hv.limits_met, hv.limits_counted, hv.limits_share) == (0, 2, 0.0)
    assert h1.routing is None and h1.dispatch_median is None and h1.missed == ()

    # the team's summary
    rows = {i.inject: i for i in score.injects}
    assert [i.inject for i in score.injects] == ["A", "B", "C", "D"]
    assert {k: r.status for k, r in rows.items()} == {
        "A": "dispatched",
        "B": "dispatched",
        "C": "not_dispatched",
        "D": "decided",
    }
    assert [i.inject for i in score.missed] == ["C"]
    assert rows["C"].attributed == ("dispatcher",) and rows["C"].order_number
    assert (rows["A"].got_unit, rows["A"].routing_ok, rows["A"].dispatched_by) == (
        "town1",
        True,
        "dispatcher",
    )
    assert (rows["B"].got_level, rows["B"].routing_ok, rows["B"].seconds_to_dispatch) == (
        3,
        False,
        600.0,
    )
    assert (rows["D"].feed_status, rows["D"].decided_by) == ("dismissed", "dispatcher")

    # as of an earlier moment: C's ten minutes have not run out yet, B not dispatched
    early = score_drill(store, scenario, at=start + timedelta(minutes=8))
    early_rows = {i.inject: i.status for i in early.injects}
    assert early_rows == {"A": "dispatched", "B": "not_dispatched", "C": "pending", "D": "decided"}
    assert early.missed[0].attributed == ("dispatcher",)
    (ed,) = early.trainees
    assert ed.dispatch_max == 120.0 and ed.routing is not None and ed.routing.total == 1

    # without the scenario: a replay's view, routing not scored, the rest still measured
    bare = score_drill(store)
    bd = {t.username: t for t in bare.trainees}["dispatcher"]
    assert not bare.scored and bare.injects == () and bd.routing is None
    assert (bd.dispatch_median, bd.limits_met, bd.limits_counted) == (360.0, 3, 5)
    assert bd.feed_decisions[0].correct is None

    check_exports(score, tmp_path)


def check_exports(score: DrillScore, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "score.xlsx"
    write_xlsx(score, path)
    wb = load_workbook(path)
    assert wb.sheetnames == ["trainees", "injects", "dispatcher", "h_town1", "h_town1v1", "summary"]
    ws = wb["trainees"]
    head = [c.value for c in ws[1]]
    rows = {
        r[1]: dict(zip(head, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)
    }
    d = rows["dispatcher"]
    assert d["派单次数"] == 2 and d["派单用时中位数(秒)"] == 360 and d["派单用时最长(秒)"] == 600
    assert d["分派准确率"] == 0.5 and d["时限达标率"] == 0.6 and d["漏办事项"] == "C"
    assert rows["h_town1"]["分派准确率"] is None
    injects = list(wb["injects"].iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in injects] == ["A", "B", "C", "D"]
    assert injects[0][4] == injects[0][13] == "第1镇"  # expected and got units by name
    assert "未派单" in injects[2]
    csv_path = tmp_path / "score.csv"
    write_csv(score, csv_path)
    text = csv_path.read_text(encoding="utf-8-sig")
    assert "dispatcher" in text and "派单用时中位数(秒)" in text


def test_a_replay_is_not_scored_for_routing(
    store: Store, clock: ManualClock, actors: dict[str, Actor], county: County
) -> None:
    as_drill(store)
    svc = OrderService(store)
    draft = OrderDraft(
        channel="hotline",
        request_type="help",
        category_node_id="db44t2479-2024:0305:030501",
        description="路面积水",
        phone="13900000001",
        location_unit_id=county.units["town1v1g1"],
        external_ref="311-1",
        external_source="nyc311",
    )
    order_id = svc.register(actors["duty"], draft).order_id
    clock.advance(minutes=4)
    svc.dispatch(actors["dispatcher"], order_id, county.units["town1"])
    score = score_drill(store)
    (t,) = score.trainees
    assert t.username == "dispatcher" and t.routing is None
    assert [(x.inject, x.seconds) for x in t.dispatches] == [(None, 240.0)]
    assert score.scenario_id is None and score.start is None and score.missed == ()
    with read_tx(store.engine) as conn:
        assert conn.execute(select(feed_items.c.id)).first() is None


def test_the_command_prints_and_writes_the_report(
    db_url: str,
    store: Store,
    scenario: Scenario,
    clock: ManualClock,
    actors: dict[str, Actor],
    county: County,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from main import main

    start = play(store, scenario, clock, actors, county)
    toml = tmp_path / "score_test.toml"
    toml.write_text(SCENARIO, encoding="utf-8")
    at = (start + timedelta(minutes=90)).isoformat()
    base = ["--db", db_url, "drill", "score", "--scenario", str(toml), "--at", at]
    assert main([*base, "--out", str(tmp_path / "s.xlsx")]) == 0
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if x.startswith("dispatcher"))
    assert "360s" in line and "600s" in line and "3/5 60%" in line and "1/2 50%" in line
    assert line.endswith(" C") and "漏办事项: C" in out
    assert (tmp_path / "s.xlsx").is_file()

    assert main([*base, "--out", str(tmp_path / "s.doc")]) == 2
    assert "unknown format" in capsys.readouterr().err
    if not qt_available():
        pytest.skip("PySide6 is not installed: the PDF is not drawn")
    pdf = Path(os.environ.get("CC_SCREENSHOT_DIR", tmp_path)) / "drill_score.pdf"
    pdf.parent.mkdir(parents=True, exist_ok=True)
    assert main([*base, "--out", str(pdf)]) == 0, capsys.readouterr().err
    assert pdf.read_bytes().startswith(b"%PDF")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.skip("pdftotext is not installed: the pages' text is not checked")
    text = subprocess.run(
        [tool, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "演练评分报告" in text and "h_town1v1" in text and "dispatcher" in text


def test_the_command_refuses_a_live_database(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from main import main

    out = tmp_path / "s.xlsx"
    assert main(["--db", db_url, "drill", "score", "--out", str(out)]) == 2
    assert "is not a drill database" in capsys.readouterr().err and not out.exists()


def qt_available() -> bool:
    try:
        return importlib.util.find_spec("PySide6") is not None
    except ImportError:  # blocked, as tests/core/test_no_qt.py does
        return False
