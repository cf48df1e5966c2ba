"""Indicators and the composite score against a small county built through OrderService,
every figure computed by hand below. Runs on SQLite and PostgreSQL.

The fixture (local time, Asia/Shanghai; March 2025 has no holidays). Handout and
acceptance limits end at 23:59:59 on the next working day; complaints resolve in 7
natural days (same clock time). P* are phone numbers.

  F0  Jan 20 09:00  P1, answered on the spot
  F1  Feb 28 23:30  P8 town1: dispatched Mar 3 09:00 to town1, accepted 10:00, submitted
                    Mar 7 22:00 (resolve due Mar 7 23:30: on time), left pending review
  O1  Mar 3 09:00   P1 town1: answered on the spot
  O2  Mar 3 10:00   P2 town1: → town1 11:00, accepted 14:00, submitted Mar 5, review passed,
                    visit satisfied Mar 6 (closed)
  O3  Mar 4 09:00   P3 town2, category 01: → town2 09:30, accepted Mar 7 (late), submitted
                    Mar 12 10:00 (resolve due Mar 11 09:00: late), review failed, resubmitted
                    Mar 13, review passed, visit basically satisfied Mar 14 (closed)
  O4  Mar 5 09:00   P4 town1: → town1 10:00, returned 15:00, → urban 16:00, accepted Mar 6,
                    submitted Mar 7, review passed, visit unsatisfied Mar 8 → reopened
  O5  Mar 6 09:00   P5 town2: → town2 10:00, accepted 11:00, never submitted; supervised
                    yellow Mar 14, red Mar 20 (and yellow Apr 2, outside March)
  O6  Mar 7 09:00   P7 town1: voided 09:10
  O7  Mar 10 09:00  P8 county level, category 01: → police + civil (assisting) 10:00, police
                    accepted 11:00, civil answered Mar 11, submitted Mar 12, review passed,
                    unreachable Mar 13, 14, 15 (closed by the third)
  O8  Mar 11 09:00  P7 town1: → town1 10:00, passed down to town1v1 11:00, never accepted;
                    supervised yellow Mar 25
  O9  Mar 20 09:00  P2 town2, category 01, one extra caller at intake and one added 10:00:
                    → town2 09:30, accepted 10:00, supervised yellow Mar 21, submitted
                    Mar 22, review passed, visit satisfied Mar 23 (closed)
  O10 Mar 24 09:00  P10 town1: dispatched late Mar 27 09:00, accepted 10:00, never submitted
  O11 Mar 26 09:00  walk-in, no phone, town2, category 01: never dispatched
  O12 Mar 31 23:30  P12 town1: never dispatched (March, although 15:30 UTC)
  O13 Apr 1 00:10   P13 town1: April, although Mar 31 16:10 UTC
  O14 Mar 12 09:00  P3 town2, category 01: merged into O3 09:30
  O15 Mar 13 09:00  P15 town1: → town1 10:00, accepted 11:00, paused Mar 14 (before due)
  O16 Mar 14 09:00  P16 town2, category 01: transferred out 09:30
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import update

from core.analytics import Measure, Report, Rules, compute, load_composite, load_rules
from core.analytics.report import DrillDatabase
from core.clock import ManualClock
from core.domain.actor import Actor
from core.service import OrderService
from core.storage.db import write_tx
from core.storage.schema import settings
from core.workflow.intake import OrderDraft
from tests.core.conftest import sh
from tests.core.county import POINTS, County

CAT_A = "db44t2479-2024:0303:030301"  # level 1: 03 城乡建设
CAT_B = "db44t2479-2024:0101:010101"  # level 1: 01 科教文体
L1_A, L1_B = "db44t2479-2024:03", "db44t2479-2024:01"


def mar(day: int, hour: int, minute: int = 0) -> datetime:
    return sh(2025, 3, day, hour, minute)


AS_OF = sh(2025, 4, 10, 9, 0)


def _draft(where: str, phone: str | None, cat: str = CAT_A, **kw: Any) -> OrderDraft:
    loc: dict[str, Any] = {}
    if where in POINTS:
        loc["lon"], loc["lat"] = POINTS[where]
    base: dict[str, Any] = dict(
        channel="hotline",
        request_type="complaint",
        category_node_id=cat,
        description="测试诉求",
        phone=phone,
        **loc,
    )
    base.update(kw)
    return OrderDraft(**base)


def build(svc: OrderService, a: dict[str, Actor], c: County, clock: ManualClock) -> dict[str, int]:
    """The orders above, in time order. Returns order and hop ids by name."""
    u = c.units
    ids: dict[str, int] = {}
    steps: list[tuple[datetime, Callable[[], None]]] = []

    def at(when: datetime, fn: Callable[[], Any]) -> None:
        steps.append((when, fn))

    def reg(name: str, when: datetime, draft: OrderDraft) -> None:
        at(when, lambda: ids.__setitem__(name, svc.register(a["duty"], draft).order_id))

    def dispatch(name: str, when: datetime, unit: str, *assist: str) -> None:
        def go() -> None:
            hops = svc.dispatch(a["dispatcher"], ids[name], u[unit], [u[x] for x in assist]).value
            ids[f"{name}.{unit}"] = hops[0]
            for x, hop in zip(assist, hops[1:], strict=True):
                ids[f"{name}.{x}"] = hop

        at(when, go)

    def act(when: datetime, fn: Callable[[], Any]) -> None:
        at(when, fn)

    def close_loop(name: str, hop: str, user: str, submit: datetime, result: str) -> None:
        act(submit, lambda: svc.submit_result(a[user], ids[name], ids[hop], "已办结"))
        act(
            submit.replace(hour=submit.hour + 1),
            lambda: svc.review(a["supervisor"], ids[name], True),
        )
        act(
            submit.replace(day=submit.day + 1),
            lambda: svc.visit(a["supervisor"], ids[name], result),
        )

    reg("F0", sh(2025, 1, 20, 9, 0), _draft("town1v1g1", "13800000001", answer_on_spot="已答复"))
    reg("F1", sh(2025, 2, 28, 23, 30), _draft("town1v1g1", "13800000008"))
    dispatch("F1", mar(3, 9), "town1")
    act(mar(3, 10), lambda: svc.accept(a["h_town1"], ids["F1"], ids["F1.town1"]))
    act(mar(7, 22), lambda: svc.submit_result(a["h_town1"], ids["F1"], ids["F1.town1"], "好"))

    reg("O1", mar(3, 9), _draft("town1v1g1", "13800000001", answer_on_spot="已答复"))

    reg("O2", mar(3, 10), _draft("town1v1g1", "13800000002"))
    dispatch("O2", mar(3, 11), "town1")
    act(mar(3, 14), lambda: svc.accept(a["h_town1"], ids["O2"], ids["O2.town1"]))
    close_loop("O2", "O2.town1", "h_town1", mar(5, 10), "satisfied")

    reg("O3", mar(4, 9), _draft("town2v1g1", "13800000003", CAT_B))
    dispatch("O3", mar(4, 9, 30), "town2")
    act(mar(7, 10), lambda: svc.accept(a["h_town2"], ids["O3"], ids["O3.town2"]))
    act(mar(12, 10), lambda: svc.submit_result(a["h_town2"], ids["O3"], ids["O3.town2"], "好"))
    act(mar(12, 11), lambda: svc.review(a["supervisor"], ids["O3"], False, "照片不清"))
    close_loop("O3", "O3.town2", "h_town2", mar(13, 10), "basically_satisfied")

    reg("O4", mar(5, 9), _draft("town1v1g1", "13800000004"))
    dispatch("O4", mar(5, 10), "town1")
    act(mar(5, 15), lambda: svc.return_hop(a["h_town1"], ids["O4"], ids["O4.town1"], "非本单位"))
    dispatch("O4", mar(5, 16), "urban")
    act(mar(6, 9), lambda: svc.accept(a["h_urban"], ids["O4"], ids["O4.urban"]))
    close_loop("O4", "O4.urban", "h_urban", mar(7, 9), "unsatisfied")

    reg("O5", mar(6, 9), _draft("town2v1g1", "13800000005"))
    dispatch("O5", mar(6, 10), "town2")
    act(mar(6, 11), lambda: svc.accept(a["h_town2"], ids["O5"], ids["O5.town2"]))
    act(mar(14, 9), lambda: svc.supervise(a["supervisor"], ids["O5"], "yellow", "请加快"))
    act(mar(20, 9), lambda: svc.supervise(a["supervisor"], ids["O5"], "red", "再次督办"))
    act(sh(2025, 4, 2, 9), lambda: svc.supervise(a["supervisor"], ids["O5"], "yellow", "四月"))

    reg("O6", mar(7, 9), _draft("town1v1g1", "13800000007"))
    act(mar(7, 9, 10), lambda: svc.void(a["dispatcher"], ids["O6"], "恶意来电"))

    reg("O7", mar(10, 9), _draft("county", "13800000008", CAT_B, location_unit_id=u["county"]))
    dispatch("O7", mar(10, 10), "police", "civil")
    act(mar(10, 11), lambda: svc.accept(a["h_police"], ids["O7"], ids["O7.police"]))
    act(mar(11, 9), lambda: svc.answer_assist(a["h_civil"], ids["O7"], ids["O7.civil"], "已协办"))
    act(mar(12, 9), lambda: svc.submit_result(a["h_police"], ids["O7"], ids["O7.police"], "好"))
    act(mar(12, 10), lambda: svc.review(a["supervisor"], ids["O7"], True))
    for day in (13, 14, 15):
        act(mar(day, 9), lambda: svc.visit(a["supervisor"], ids["O7"], "unreachable"))

    reg("O8", mar(11, 9), _draft("town1v1g1", "13800000007"))
    dispatch("O8", mar(11, 10), "town1")
    act(
        mar(11, 11),
        lambda: ids.__setitem__(
            "O8.town1v1",
            svc.pass_down(a["h_town1"], ids["O8"], ids["O8.town1"], u["town1v1"]).value,
        ),
    )
    act(mar(25, 9), lambda: svc.supervise(a["supervisor"], ids["O8"], "yellow", "请签收"))

    reg(
        "O9",
        mar(20, 9),
        _draft("town2v1g1", "13800000002", CAT_B, extra_callers=[("李四", "13900000009")]),
    )
    act(mar(20, 10), lambda: svc.add_caller(a["duty"], ids["O9"], "王五", "13900000010"))
    dispatch("O9", mar(20, 9, 30), "town2")
    act(mar(20, 10), lambda: svc.accept(a["h_town2"], ids["O9"], ids["O9.town2"]))
    act(mar(21, 9), lambda: svc.supervise(a["supervisor"], ids["O9"], "yellow", "请加快"))
    close_loop("O9", "O9.town2", "h_town2", mar(22, 9), "satisfied")

    reg("O10", mar(24, 9), _draft("town1v1g1", "13800000010"))
    dispatch("O10", mar(27, 9), "town1")
    act(mar(27, 10), lambda: svc.accept(a["h_town1"], ids["O10"], ids["O10.town1"]))

    reg("O11", mar(26, 9), _draft("town2v1g1", None, CAT_B, channel="walk_in"))
    reg("O12", mar(31, 23, 30), _draft("town1v1g1", "13800000012"))
    reg("O13", sh(2025, 4, 1, 0, 10), _draft("town1v1g1", "13800000013"))

    reg("O14", mar(12, 9), _draft("town2v1g1", "13800000003", CAT_B))
    act(mar(12, 9, 30), lambda: svc.merge(a["dispatcher"], ids["O14"], ids["O3"], "重复"))

    reg("O15", mar(13, 9), _draft("town1v1g1", "13800000015"))
    dispatch("O15", mar(13, 10), "town1")
    act(mar(13, 11), lambda: svc.accept(a["h_town1"], ids["O15"], ids["O15.town1"]))
    act(mar(14, 8), lambda: svc.request_pause(a["h_town1"], ids["O15"], "等待法院判决"))
    act(mar(14, 9), lambda: svc.decide_pause(a["supervisor"], ids["O15"], True))

    reg("O16", mar(14, 9), _draft("town2v1g1", "13800000016", CAT_B))
    act(mar(14, 9, 30), lambda: svc.transfer(a["dispatcher"], ids["O16"], "邻县", "不在本县"))

    for when, fn in sorted(steps, key=lambda s: s[0]):
        clock.set(when)
        fn()
    clock.set(AS_OF)
    return ids


@pytest.fixture
def built(svc: OrderService, actors: dict[str, Actor], county: County, clock: ManualClock) -> Any:
    return build(svc, actors, county, clock)


def report(svc: OrderService, by: str = "county", period: str = "2025-03", **rules: Any) -> Report:
    return compute(
        svc.store.engine,
        period=period,
        by=by,
        rules=replace(load_rules(), **rules),
        as_of=svc.store.clock.now(),
    )


def nd(m: Measure) -> tuple[int, int | None]:
    return (m.numerator, m.denominator)


# --- the county total, default rules ---------------------------------------------------------

EXPECTED_MARCH = {
    "intake": (13, None),  # 15 registered in March local time, minus voided O6 and merged O14
    "on_spot": (1, 13),  # O1
    "timely_dispatch": (8, 11),  # 9 dispatched (O10 late) + O11, O12 waiting past due
    "accurate_dispatch": (8, 9),  # O4 returned by town1
    "timely_acceptance": (10, 12),  # O3 accepted late; O8's village hop still awaiting
    "on_time_closure": (6, 10),  # F1 O1 O2 O4 O7 O9 on time; O3 late; O5 O8 O10 open overdue
    "closure_rate": (5, 12),  # O1 O2 O3 O7 O9 closed; O6 O14 O16 left out
    "rework_rate": (1, 6),  # O3 failed once; O2 O3 O4 O7 O9 passed
    "satisfaction": (3, 4),  # O2 O9 satisfied, O3 basic; O4 unsatisfied; 3 unreachable left out
    "repeat_calls": (3, 13),  # O7 (F1 in Feb), O9 (O2), O14 (O3); not O8 (O6 voided), not O1
    "supervisions": (4, None),
    "supervisions_yellow": (3, None),
    "supervisions_red": (1, None),
    "supervisions_pending": (2, None),  # O5 in progress, O8 dispatched; O9 closed
}


def test_every_indicator_for_the_county(svc: OrderService, built: Any) -> None:
    rep = report(svc)
    got = {name: nd(m) for name, m in rep.total.measures.items()}
    assert got == EXPECTED_MARCH
    assert rep.groups == ()
    assert rep.total.measures["satisfaction"].value == pytest.approx(0.75)
    assert rep.total.measures["intake"].value == 13


def test_composite_score_by_hand(svc: OrderService, built: Any) -> None:
    rep = report(svc)
    # on-time 6/10 × 50 + closure 5/12 × 30 + (1 − 1/6) × 10 + (10 − 0.5×4 − 2)
    expected = 0.6 * 50 + 5 / 12 * 30 + (1 - 1 / 6) * 10 + 6
    assert rep.total.score.value == round(expected, 2) == 56.83
    assert rep.total.score.terms["deduction"] == 6
    assert rep.total.score.terms["on_time_closure"] == pytest.approx(30)


@pytest.mark.parametrize(
    ("rule", "value", "indicator", "expected"),
    [
        ("intake_counts", "calls", "intake", (16, None)),  # + O14 + O9's two further callers
        ("basic_counts_satisfied", False, "satisfaction", (2, 4)),
        ("exclude_unreachable", False, "satisfaction", (3, 7)),
        ("repeat_window_days", 60, "repeat_calls", (4, 13)),  # O1: F0 was 42 days before
        ("repeat_window_days", 9, "repeat_calls", (1, 13)),  # only O14 (8 days)
        ("count_rejected_returns", True, "accurate_dispatch", (8, 9)),
        ("returns_as_response", False, "timely_acceptance", (9, 11)),  # O4's return left out
        ("score_assisting", True, "timely_acceptance", (11, 13)),  # civil answered O7 in time
    ],
)
def test_rule_switches(
    svc: OrderService,
    built: Any,
    rule: str,
    value: object,
    indicator: str,
    expected: tuple[int, int | None],
) -> None:
    rep = report(svc, **{rule: value})
    assert nd(rep.total.measures[indicator]) == expected
    others = {k: v for k, v in EXPECTED_MARCH.items() if k != indicator}
    assert {k: nd(m) for k, m in rep.total.measures.items() if k != indicator} == others


def test_rejected_return_counts_only_by_the_rule(
    svc: OrderService, actors: dict[str, Actor], county: County, clock: ManualClock
) -> None:
    a, u = actors, county.units
    clock.set(mar(3, 9))
    oid = svc.register(a["duty"], _draft("town1v1g1", "13800000020")).order_id
    hop = svc.dispatch(a["dispatcher"], oid, u["town1"]).value[0]
    clock.set(mar(3, 10))
    svc.return_hop(a["h_town1"], oid, hop, "非本单位")
    clock.set(mar(3, 11))
    svc.reject_return(a["dispatcher"], oid, hop, "属于本单位")  # 驳回: the dispatch stands
    clock.set(mar(3, 12))
    svc.accept(a["h_town1"], oid, hop)
    clock.set(AS_OF)
    assert nd(report(svc).total.measures["accurate_dispatch"]) == (1, 1)
    assert nd(report(svc, count_rejected_returns=True).total.measures["accurate_dispatch"]) == (
        0,
        1,
    )
    # The hop's first acceptance limit ended with the (timely) return.
    assert nd(report(svc).total.measures["timely_acceptance"]) == (1, 1)
    assert nd(report(svc, returns_as_response=False).total.measures["timely_acceptance"]) == (
        0,
        0,
    )


# --- grouping -------------------------------------------------------------------------------


def _by(rep: Report) -> dict[str, Any]:
    return {g.key: g for g in rep.groups}


def test_by_unit(svc: OrderService, built: Any, county: County) -> None:
    u = county.units
    rep = report(svc, by="unit")
    g = _by(rep)
    centre, town1, town2 = str(u["county"]), str(u["town1"]), str(u["town2"])
    urban, police, village = str(u["urban"]), str(u["police"]), str(u["town1v1"])
    assert set(g) == {centre, town1, town2, urban, police, village}
    assert g[town1].name == "第1镇" and g[centre].name == "测试县"

    def check(key: str, **want: tuple[int, int | None]) -> None:
        got = {n: nd(g[key].measures[n]) for n in want}
        assert got == want, key

    # The centre keeps what it answered itself, never dispatched or transferred out.
    check(centre, intake=(4, None), on_spot=(1, 4), timely_dispatch=(0, 2), closure_rate=(1, 3))
    check(centre, on_time_closure=(1, 1), accurate_dispatch=(0, 0), repeat_calls=(1, 4))
    check(town1, intake=(4, None), timely_dispatch=(3, 4), closure_rate=(1, 4))
    check(town1, on_time_closure=(2, 4), timely_acceptance=(6, 6), rework_rate=(0, 1))
    check(town1, supervisions=(1, None), supervisions_pending=(1, None), satisfaction=(1, 1))
    check(town2, intake=(3, None), closure_rate=(2, 3), on_time_closure=(1, 3))
    check(town2, timely_acceptance=(2, 3), rework_rate=(1, 3), satisfaction=(2, 2))
    check(town2, supervisions=(3, None), supervisions_red=(1, None), repeat_calls=(1, 3))
    check(town2, supervisions_pending=(1, None))
    # O4 was returned by town1 and ended with the urban department.
    check(urban, intake=(1, None), accurate_dispatch=(0, 1), timely_acceptance=(1, 1))
    check(urban, satisfaction=(0, 1), closure_rate=(0, 1), on_time_closure=(1, 1))
    check(police, intake=(1, None), satisfaction=(0, 0), repeat_calls=(1, 1))
    check(village, intake=(0, None), timely_acceptance=(0, 1))
    # Scores: 50×on-time + 30×closure + 10×(1 − rework) + (10 − 0.5×supervisions − pending)
    assert g[police].score.value == 100.0
    assert g[centre].score.value == 80.0  # rework has no reviews: full marks
    assert g[urban].score.value == 70.0
    assert g[town1].score.value == 51.0  # 25 + 7.5 + 10 + 8.5
    assert g[town2].score.value == 50.83  # 16.67 + 20 + 6.67 + 7.5
    assert g[village].score.value is None  # nothing registered or due: not scored
    ranks = [(grp.key, grp.rank) for grp in rep.groups]
    assert ranks == [(police, 1), (centre, 2), (urban, 3), (town1, 4), (town2, 5), (village, None)]
    # Groups add up to the county (each order counts for one unit by default).
    assert sum(grp.measures["intake"].numerator for grp in rep.groups) == 13


def test_by_unit_scoring_assisting_units(svc: OrderService, built: Any, county: County) -> None:
    u = county.units
    g = _by(report(svc, by="unit", score_assisting=True))
    civil, police = g[str(u["civil"])], g[str(u["police"])]
    assert nd(civil.measures["intake"]) == (1, None)  # O7 counts for its assisting unit too
    assert nd(civil.measures["timely_acceptance"]) == (1, 1)
    assert nd(civil.measures["closure_rate"]) == (1, 1)
    assert nd(police.measures["intake"]) == (1, None)
    assert nd(police.measures["timely_acceptance"]) == (1, 1)


def test_by_town(svc: OrderService, built: Any, county: County) -> None:
    u = county.units
    g = _by(report(svc, by="town"))
    town1, town2, county_ = str(u["town1"]), str(u["town2"]), str(u["county"])
    assert set(g) == {town1, town2, county_}
    want = {
        town1: {"intake": (7, None), "on_time_closure": (4, 6), "closure_rate": (2, 7)},
        town2: {"intake": (5, None), "on_time_closure": (1, 3), "closure_rate": (2, 4)},
        county_: {"intake": (1, None), "on_time_closure": (1, 1), "closure_rate": (1, 1)},
    }
    for key, measures in want.items():
        assert {n: nd(g[key].measures[n]) for n in measures} == measures
    # Hops count for their order's town.
    assert nd(g[town1].measures["timely_acceptance"]) == (7, 8)
    assert nd(g[town2].measures["timely_acceptance"]) == (2, 3)
    assert g[county_].name == "测试县"


def test_by_tier(svc: OrderService, built: Any) -> None:
    g = _by(report(svc, by="tier"))
    assert set(g) == {"1", "2", "3", "none"}
    intake = {k: g[k].measures["intake"].numerator for k in g}
    assert intake == {"2": 6, "1": 1, "3": 1, "none": 5}
    # Hops count for their receiver's level: towns 2, departments 1, the village 3.
    acceptance = {k: nd(g[k].measures["timely_acceptance"]) for k in g}
    assert acceptance == {"2": (8, 9), "1": (2, 2), "3": (0, 1), "none": (0, 0)}


def test_by_category(svc: OrderService, built: Any) -> None:
    g = _by(report(svc, by="category"))
    assert set(g) == {L1_A, L1_B}
    assert g[L1_A].name == "城乡建设" and g[L1_B].name == "科教文体"
    assert nd(g[L1_A].measures["intake"]) == (8, None)
    assert nd(g[L1_B].measures["intake"]) == (5, None)
    assert nd(g[L1_B].measures["repeat_calls"]) == (3, 5)  # O7, O9, O14 (all category 01)


# --- periods --------------------------------------------------------------------------------


def test_local_month_boundaries(svc: OrderService, built: Any) -> None:
    feb = report(svc, period="2025-02").total.measures
    assert nd(feb["intake"]) == (1, None)  # F1 at 23:30 local on Feb 28
    assert nd(feb["timely_dispatch"]) == (1, 1)  # dispatched Mon Mar 3, due that night
    assert feb["on_time_closure"].value is None  # nothing fell due in February
    apr = report(svc, period="2025-04").total.measures
    assert nd(apr["intake"]) == (1, None)  # O13 at 00:10 local on Apr 1 (still Mar 31 UTC)
    assert nd(apr["supervisions"]) == (1, None)  # O5's third notice
    year = report(svc, period="2025").total.measures
    assert nd(year["intake"]) == (16, None)  # F0 + F1 + 13 in March + O13
    assert nd(year["supervisions"]) == (5, None)


def test_default_period_is_the_last_complete_local_month(svc: OrderService, built: Any) -> None:
    rep = compute(svc.store.engine, as_of=sh(2025, 4, 1, 0, 30))  # 16:30 UTC on Mar 31
    assert rep.period.label == "2025-03"
    assert rep.period.start == sh(2025, 3, 1)
    assert nd(rep.total.measures["intake"]) == (13, None)


def test_open_items_not_yet_due_are_left_out(svc: OrderService, built: Any) -> None:
    """Computed at 23:45 on Mar 31: O12 (registered 23:30) is not yet late for its dispatch,
    so it leaves the cohort instead of counting as late."""
    rep = compute(svc.store.engine, period="2025-03", as_of=mar(31, 23, 45))
    assert nd(rep.total.measures["timely_dispatch"]) == (8, 10)
    assert nd(rep.total.measures["on_time_closure"]) == (6, 10)  # O10 was due 09:00 that day


def test_empty_period(svc: OrderService, built: Any) -> None:
    rep = report(svc, period="2024-06")
    assert rep.empty
    assert all(m.value in (None, 0.0) for m in rep.total.measures.values())
    assert rep.total.score.value is None


def test_drill_database_is_refused(svc: OrderService) -> None:
    with write_tx(svc.store.engine) as conn:
        conn.execute(
            update(settings).where(settings.c.key == "database_kind").values(value="drill")
        )
    with pytest.raises(DrillDatabase):
        report(svc)


def test_the_shipped_rule_files_load() -> None:
    assert load_rules() == Rules()
    comp = load_composite()
    assert [(t.indicator, t.weight) for t in comp.rates] == [
        ("on_time_closure", 50),
        ("closure_rate", 30),
        ("rework_rate", 10),
    ]
