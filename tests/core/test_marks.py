"""Marks, screening (不满意甄别) and appeals (申诉): who may do what, and how each decision
changes the indicators, exactly as resources/analytics/indicators.toml ("Marks lifted")
says. Runs on SQLite and PostgreSQL.

Two orders in March 2025 (no holidays), both sent to town1. Acceptance limits end at
23:59:59 on the next working day; complaints resolve in 7 natural days from registration;
appeals are allowed for 5 working days after the mark, to the end of the day.

  A  Mar 3 09:00  → town1 10:00, accepted Mar 5 10:00 (due end of Mar 4: late),
                  submitted Mar 11 10:00 (due Mar 10 09:00: late), review passed 11:00,
                  visit unsatisfied Mar 12 09:00 (reopened, the default policy)
  B  Mar 3 11:00  → town1 12:00, accepted 13:00, submitted Mar 4 10:00, passed 11:00,
                  visit satisfied Mar 5 09:00 (closed)

Baseline for town1 in March: timely acceptance 1/2, on-time closure 1/2, satisfaction 1/2.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select

from core import marks
from core.analytics import load_rules
from core.analytics.published import compute_or_published, publish
from core.clock import ManualClock
from core.domain.actor import Actor
from core.domain.events import EventKind
from core.errors import IllegalTransition, NotFound, PermissionDenied, ValidationError
from core.marks import Decision, Mark, MarkKind, Verdict
from core.service import OrderService
from core.storage.db import read_tx
from core.storage.schema import events
from tests.core.conftest import sh
from tests.core.county import County
from tests.core.test_analytics import _draft


def mar(day: int, hour: int, minute: int = 0) -> datetime:
    return sh(2025, 3, day, hour, minute)


@pytest.fixture
def two(
    svc: OrderService, actors: dict[str, Actor], county: County, clock: ManualClock
) -> dict[str, int]:
    a, u = actors, county.units
    ids: dict[str, int] = {}

    def at(when: datetime) -> None:
        clock.set(when)

    for name, hour in (("A", 9), ("B", 11)):
        at(mar(3, hour))
        ids[name] = svc.register(a["duty"], _draft("town1v1g1", f"1380000000{hour % 10}")).order_id
        at(mar(3, hour + 1))
        ids[f"{name}.hop"] = svc.dispatch(a["dispatcher"], ids[name], u["town1"]).value[0]
    at(mar(3, 13))
    svc.accept(a["h_town1"], ids["B"], ids["B.hop"])
    at(mar(4, 10))
    svc.submit_result(a["h_town1"], ids["B"], ids["B.hop"], "已办")
    at(mar(4, 11))
    svc.review(a["supervisor"], ids["B"], True)
    at(mar(5, 9))
    svc.visit(a["supervisor"], ids["B"], "satisfied")
    at(mar(5, 10))
    svc.accept(a["h_town1"], ids["A"], ids["A.hop"])
    at(mar(11, 10))
    svc.submit_result(a["h_town1"], ids["A"], ids["A.hop"], "已办")
    at(mar(11, 11))
    svc.review(a["supervisor"], ids["A"], True)
    at(mar(12, 9))
    svc.visit(a["supervisor"], ids["A"], "unsatisfied", "还是漏水")
    return ids


def town1(svc: OrderService, as_of: datetime | None = None) -> dict[str, tuple[int, int | None]]:
    """Town1's three marked indicators for March, as stats and the assessment page read
    them (the stored figures once the month is published)."""
    rep, _pub = compute_or_published(
        svc.store.engine,
        period="2025-03",
        by="unit",
        rules=load_rules(),
        as_of=as_of or svc.store.clock.now(),
    )
    town = str(svc.store.reference().org.by_code("town1").id)  # type: ignore[union-attr]
    group = next(g for g in rep.groups if g.key == town)
    wanted = ("timely_acceptance", "on_time_closure", "satisfaction")
    return {n: (group.measures[n].numerator, group.measures[n].denominator) for n in wanted}


BASE = {"timely_acceptance": (1, 2), "on_time_closure": (1, 2), "satisfaction": (1, 2)}


def marks_of(svc: OrderService, order_id: int) -> list[Mark]:
    with read_tx(svc.store.engine) as conn:
        return marks.marks_of(conn, order_id, svc.store.clock.now())


def mark(svc: OrderService, order_id: int, kind: MarkKind, limit: str | None = None) -> Mark:
    return next(
        m
        for m in marks_of(svc, order_id)
        if m.kind is kind and (limit is None or m.limit_kind == limit)
    )


def test_the_marks_of_an_order(
    svc: OrderService, two: dict[str, int], county: County, clock: ManualClock
) -> None:
    got = [(m.kind, m.limit_kind, m.units) for m in marks_of(svc, two["A"])]
    town1_id = county.units["town1"]
    assert got == [
        (MarkKind.LATE, "accept", (town1_id,)),
        (MarkKind.LATE, "resolve", (town1_id,)),
        (MarkKind.UNSATISFIED, None, (town1_id,)),
    ]
    assert marks_of(svc, two["B"]) == []
    assert town1(svc) == BASE


def test_upheld_appeals_lift_late_marks_and_dismissed_ones_do_not(
    svc: OrderService, two: dict[str, int], actors: dict[str, Actor], clock: ManualClock
) -> None:
    a, order = actors, two["A"]
    accept = mark(svc, order, MarkKind.LATE, "accept")
    resolve = mark(svc, order, MarkKind.LATE, "resolve")
    clock.set(mar(12, 10))  # the acceptance mark (Mar 5) may be appealed to the end of Mar 12
    marks.appeal(svc, a["h_town1"], order, "late", accept.target, "村道塌方，无法进村")
    assert town1(svc) == BASE  # filed, not decided
    clock.set(mar(12, 11))
    marks.decide_appeal(svc, a["supervisor"], order, "late", accept.target, "upheld", "属实")
    assert town1(svc) == {**BASE, "timely_acceptance": (2, 2)}
    assert town1(svc, as_of=mar(12, 10, 30)) == BASE  # as of before the decision

    clock.set(mar(13, 9))
    marks.appeal(svc, a["h_town1"], order, "late", resolve.target, "配件缺货")
    marks.decide_appeal(
        svc, a["supervisor"], order, "late", resolve.target, "dismissed", "理由不足"
    )
    assert town1(svc) == {**BASE, "timely_acceptance": (2, 2)}
    clock.set(mar(13, 10))
    with pytest.raises(IllegalTransition, match="already_appealed"):
        marks.appeal(svc, a["h_town1"], order, "late", resolve.target, "再申诉")

    lifted = mark(svc, order, MarkKind.LATE, "accept")
    assert lifted.lifted and lifted.appeal is not None
    assert lifted.appeal.decision is Decision.UPHELD and lifted.appeal.note == "属实"
    assert not mark(svc, order, MarkKind.LATE, "resolve").lifted
    with read_tx(svc.store.engine) as conn:
        logged = conn.execute(
            select(events.c.kind, events.c.actor_unit_id, events.c.reason)
            .where(events.c.order_id == order, events.c.kind.like("appeal%"))
            .order_by(events.c.id)
        ).all()
    town1_id = lifted.units[0]
    supervisor_unit = a["supervisor"].unit_id
    assert [tuple(r) for r in logged] == [
        (EventKind.APPEAL_FILED.value, town1_id, "村道塌方，无法进村"),
        (EventKind.APPEAL_DECIDED.value, supervisor_unit, "属实"),
        (EventKind.APPEAL_FILED.value, town1_id, "配件缺货"),
        (EventKind.APPEAL_DECIDED.value, supervisor_unit, "理由不足"),
    ]


def test_an_upheld_resolve_appeal_counts_the_order_on_time(
    svc: OrderService, two: dict[str, int], actors: dict[str, Actor], clock: ManualClock
) -> None:
    a, order = actors, two["A"]
    resolve = mark(svc, order, MarkKind.LATE, "resolve")
    clock.set(mar(18, 23, 59))  # Mar 11 + 5 working days, to the end of the day
    marks.appeal(svc, a["h_town1"], order, "late", resolve.target, "暴雨停工")
    clock.set(mar(19, 9))
    marks.decide_appeal(svc, a["supervisor"], order, "late", resolve.target, "upheld", "属实")
    assert town1(svc) == {**BASE, "on_time_closure": (2, 2)}


def test_screening_sets_an_unreasonable_visit_aside(
    svc: OrderService, two: dict[str, int], actors: dict[str, Actor], clock: ManualClock
) -> None:
    a, order = actors, two["A"]
    visit = mark(svc, order, MarkKind.UNSATISFIED)
    clock.set(mar(20, 9))  # screening has no time window
    with pytest.raises(PermissionDenied, match="role_required"):
        marks.screen(svc, a["duty"], order, visit.target, "unreasonable", "超出诉求")
    with pytest.raises(ValidationError) as bad:
        marks.screen(svc, a["supervisor"], order, visit.target, "maybe", " ")
    assert bad.value.fields() == {"verdict", "reason"}
    marks.screen(svc, a["supervisor"], order, visit.target, "unreasonable", "要求超出政策范围")
    assert town1(svc) == {**BASE, "satisfaction": (1, 1)}
    screened = mark(svc, order, MarkKind.UNSATISFIED)
    assert screened.verdict is Verdict.UNREASONABLE and screened.lifted
    with pytest.raises(IllegalTransition, match="already_screened"):
        marks.screen(svc, a["supervisor"], order, visit.target, "reasonable", "改判")
    with pytest.raises(IllegalTransition, match="already_lifted"):
        marks.appeal(svc, a["h_town1"], order, "unsatisfied", visit.target, "不满意不合理")


def test_a_reasonable_visit_stays_until_an_appeal_is_upheld(
    svc: OrderService, two: dict[str, int], actors: dict[str, Actor], clock: ManualClock
) -> None:
    a, order = actors, two["A"]
    visit = mark(svc, order, MarkKind.UNSATISFIED)
    clock.set(mar(13, 9))
    marks.screen(svc, a["supervisor"], order, visit.target, "reasonable", "确未修好")
    assert town1(svc) == BASE
    with pytest.raises(IllegalTransition, match="no_appeal"):
        marks.decide_appeal(svc, a["supervisor"], order, "unsatisfied", visit.target, "upheld", "x")
    with pytest.raises(PermissionDenied, match="not_marked_unit"):
        marks.appeal(svc, a["h_town1v1"], order, "unsatisfied", visit.target, "不是我们")
    marks.appeal(svc, a["h_town1"], order, "unsatisfied", visit.target, "已上门三次，群众拒绝")
    with pytest.raises(PermissionDenied, match="role_required"):
        marks.decide_appeal(svc, a["h_town1"], order, "unsatisfied", visit.target, "upheld", "x")
    with pytest.raises(ValidationError):
        marks.decide_appeal(svc, a["supervisor"], order, "unsatisfied", visit.target, "upheld", "")
    marks.decide_appeal(svc, a["supervisor"], order, "unsatisfied", visit.target, "upheld", "核实")
    assert town1(svc) == {**BASE, "satisfaction": (1, 1)}
    with pytest.raises(IllegalTransition, match="already_lifted"):
        marks.appeal(svc, a["h_town1"], order, "unsatisfied", visit.target, "再申诉")
    with pytest.raises(NotFound, match="mark_not_found"):
        marks.appeal(svc, a["h_town1"], order, "late", visit.target, "x")  # a visit, no limit


def test_the_appeal_window_closes(
    svc: OrderService, two: dict[str, int], actors: dict[str, Actor], clock: ManualClock
) -> None:
    a, order = actors, two["A"]
    accept = mark(svc, order, MarkKind.LATE, "accept")
    clock.set(mar(13, 0, 0))  # a second past the end of Mar 12
    with pytest.raises(IllegalTransition, match="appeal_window_over"):
        marks.appeal(svc, a["h_town1"], order, "late", accept.target, "晚了")


def test_pending_appeals_list_the_supervisors_work(
    svc: OrderService,
    two: dict[str, int],
    actors: dict[str, Actor],
    county: County,
    clock: ManualClock,
    store: Any,
) -> None:
    a, order = actors, two["A"]
    visit = mark(svc, order, MarkKind.UNSATISFIED)
    resolve = mark(svc, order, MarkKind.LATE, "resolve")
    clock.set(mar(13, 9))
    marks.appeal(svc, a["h_town1"], order, "unsatisfied", visit.target, "群众拒绝配合")
    marks.appeal(svc, a["h_town1"], order, "late", resolve.target, "配件缺货")
    org = store.reference().org
    with read_tx(svc.store.engine) as conn:
        pending = marks.pending_appeals(conn, a["supervisor"], org)
        assert [(p.kind, p.unit_id) for p in pending] == [
            (MarkKind.UNSATISFIED, county.units["town1"]),
            (MarkKind.LATE, county.units["town1"]),
        ]
        assert marks.pending_appeals(conn, a["h_town2"], org) == []
    marks.decide_appeal(svc, a["supervisor"], order, "late", resolve.target, "dismissed", "不足")
    with read_tx(svc.store.engine) as conn:
        assert [p.kind for p in marks.pending_appeals(conn, a["supervisor"], org)] == [
            MarkKind.UNSATISFIED
        ]


def test_a_published_month_ignores_later_decisions(
    svc: OrderService, two: dict[str, int], actors: dict[str, Actor], clock: ManualClock
) -> None:
    a, order = actors, two["A"]
    clock.set(mar(13, 9))
    publish(svc.store.engine, "2025-03", "李四", at=clock.now())
    visit = mark(svc, order, MarkKind.UNSATISFIED)
    marks.screen(svc, a["supervisor"], order, visit.target, "unreasonable", "超出范围")
    assert town1(svc) == BASE
