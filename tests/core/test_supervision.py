"""督办 read models: warning and overdue orders by accountable unit (equal to a direct
reading of the time limits), one unit's orders with their notices, the escalation rule
on a controlled clock, and the requests awaiting a decision."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from core.calendar import WorkCalendar
from core.clock import ManualClock
from core.domain.actor import Actor
from core.domain.enums import OPEN_STATES
from core.errors import ValidationError
from core.service import OrderService
from core.storage.db import read_tx
from core.storage.schema import orders, time_limits
from core.supervision import (
    Advice,
    Because,
    Notice,
    RequestKind,
    Rule,
    late_orders,
    load_rule,
    parse_rule,
    pending_requests,
    suggest,
    supervision_scope,
    unit_loads,
)
from tests.core.conftest import SHANGHAI, sh
from tests.core.county import County
from tests.core.test_queries import draft


@dataclass
class Late:
    """Orders in every SLA condition a supervisor meets, a working week after the start."""

    orders: dict[str, int] = field(default_factory=dict)


def late_mix(svc: OrderService, a: dict[str, Actor], county: County, clock: ManualClock) -> Late:
    """Monday 09:00: ``held`` (town1, in progress) and ``waiting`` (town2, not accepted)
    and ``undispatched`` (the centre's); Wednesday: ``soon`` (town1, in progress); the
    next Tuesday (8 days on) the first three are overdue, ``soon`` is in warning, and
    ``fresh`` (registered then) is on time. ``asks_pause`` and ``asks_more`` (town1,
    in progress) carry a pause and an extension request."""
    u = county.units
    late = Late()

    def handled(name: str, unit: str, handler: str) -> int:
        oid = svc.register(a["duty"], draft("town1v1g1", description=name)).order_id
        hop = svc.dispatch(a["dispatcher"], oid, u[unit]).value[0]
        svc.accept(a[handler], oid, hop)
        late.orders[name] = oid
        return oid

    handled("held", "town1", "h_town1")
    waiting = svc.register(a["duty"], draft("town2v1g1", description="waiting")).order_id
    svc.dispatch(a["dispatcher"], waiting, u["town2"])
    late.orders["waiting"] = waiting
    late.orders["undispatched"] = svc.register(
        a["duty"], draft("town1v1g2", description="undispatched")
    ).order_id
    clock.advance(days=2)
    handled("soon", "town1", "h_town1")
    clock.advance(days=6)
    late.orders["fresh"] = svc.register(a["duty"], draft(description="fresh")).order_id
    pause = handled("asks_pause", "town1", "h_town1")
    svc.request_pause(a["h_town1"], pause, "等待法院判决")
    more = handled("asks_more", "town1", "h_town1")
    svc.request_extension(a["h_town1"], more, 5, "需要协调供电公司")
    return late


def direct_loads(svc: OrderService, county: County) -> dict[int, tuple[int, int]]:
    """Warning and overdue counts per holding unit, read straight from the limits."""
    now = svc.store.clock.now()
    with read_tx(svc.store.engine) as conn:
        rows = list(conn.execute(select(orders)))
        limits = list(conn.execute(select(time_limits).where(time_limits.c.ended_at.is_(None))))
    out: dict[int, tuple[int, int]] = {}
    for o in rows:
        if o.state not in {s.value for s in OPEN_STATES}:
            continue
        mine = [lim for lim in limits if lim.order_id == o.id]
        if not mine:
            continue
        due = min(lim.due_at for lim in mine)
        warn = min(lim.warn_at for lim in mine)
        at = o.paused_at or now
        overdue, warning = due < at, warn <= at <= due
        if overdue or warning:
            unit = o.lead_unit_id or o.centre_unit_id
            w, d = out.get(unit, (0, 0))
            out[unit] = (w + int(warning), d + int(overdue))
    return out


def test_loads_by_unit_equal_a_direct_reading(
    svc: OrderService, actors: dict[str, Actor], county: County, clock: ManualClock
) -> None:
    late = late_mix(svc, actors, county, clock)
    svc.supervise(actors["supervisor"], late.orders["held"], "yellow", "请加快办理")
    ref = svc.store.reference()
    scope = supervision_scope(actors["supervisor"], ref.org)
    with read_tx(svc.store.engine) as conn:
        loads = unit_loads(conn, ref.org, scope, clock.now())
    got = {ld.unit_id: (ld.warning, ld.overdue) for ld in loads}
    assert got == direct_loads(svc, county)
    u = county.units
    assert got[u["town1"]] == (1, 1) and got[u["town2"]] == (0, 1)
    assert got[u["county"]] == (0, 1)  # the centre holds what it has not dispatched
    assert loads[0].overdue >= loads[-1].overdue
    by_unit = {ld.unit_id: ld for ld in loads}
    assert by_unit[u["town1"]].notices == 1 and by_unit[u["town1"]].unit_name == "第1镇"

    # A town's centre sees its own town's orders only.
    town = supervision_scope(actors["town1_duty"], ref.org)
    with read_tx(svc.store.engine) as conn:
        theirs = {ld.unit_id for ld in unit_loads(conn, ref.org, town, clock.now())}
    assert u["town2"] not in theirs


def test_one_units_orders_with_notices_and_suggestions(
    svc: OrderService, actors: dict[str, Actor], county: County, clock: ManualClock
) -> None:
    late = late_mix(svc, actors, county, clock)
    sup, u = actors["supervisor"], county.units
    svc.supervise(sup, late.orders["soon"], "yellow", "临期提醒")
    ref = svc.store.reference()
    scope = supervision_scope(sup, ref.org)

    def rows() -> dict[str, object]:
        with read_tx(svc.store.engine) as conn:
            got = late_orders(
                conn,
                ref.org,
                scope,
                clock.now(),
                u["town1"],
                rule=Rule(),
                cal=ref.calendar,
                tz=ref.tz,
            )
        return {r.number: r for r in got}

    first = rows()
    numbers = {svc.load(sup, late.orders[n]).order.number: n for n in ("held", "soon")}
    assert set(first) == set(numbers)
    held = next(r for r in first.values() if r.id == late.orders["held"])
    soon = next(r for r in first.values() if r.id == late.orders["soon"])
    assert held.overdue and held.overdue_for is not None and held.overdue_for > timedelta(0)
    assert soon.warning and not soon.overdue and (soon.yellow, soon.red) == (1, 0)
    assert held.suggestion.advice is Advice.YELLOW
    assert held.suggestion.because is Because.OVERDUE_NO_NOTICE
    assert soon.suggestion.because is Because.NOTICE_GIVEN

    # Yellow on Tuesday; by Thursday (2 working days) still overdue: red is suggested.
    svc.supervise(sup, held.id, "yellow", "请加快办理")
    after = next(r for r in rows().values() if r.id == held.id)
    assert after.suggestion.because is Because.YELLOW_RECENT and after.suggestion.age == 0
    clock.advance(days=2)
    after = next(r for r in rows().values() if r.id == held.id)
    assert after.suggestion.advice is Advice.RED and after.suggestion.age == 2
    svc.supervise(sup, held.id, "red", "红牌督办")
    clock.advance(days=1)  # Friday
    after = next(r for r in rows().values() if r.id == held.id)
    assert after.suggestion.because is Because.RED_RECENT and (after.yellow, after.red) == (1, 1)
    clock.advance(days=3)  # Monday: 2 working days; Tuesday: 3
    assert next(r for r in rows().values() if r.id == held.id).suggestion.advice is Advice.NONE
    clock.advance(days=1)
    after = next(r for r in rows().values() if r.id == held.id)
    assert after.suggestion.advice is Advice.ESCALATE and after.escalate_to == u["county"]


CAL = WorkCalendar()


def _rule_case(
    now: datetime, *, overdue: bool = True, warning: bool = False, paused: bool = False,
    notices: tuple[Notice, ...] = (), rule: Rule | None = None,
) -> tuple[Advice, Because]:  # fmt: skip
    got = suggest(
        rule or Rule(),
        CAL,
        SHANGHAI,
        now,
        warning=warning,
        overdue=overdue,
        paused=paused,
        notices=notices,
    )
    return got.advice, got.because


def test_the_rule_counts_working_days_across_a_holiday() -> None:
    # A yellow notice on Monday 29 September 2025; 1-8 October is the National Day break
    # (and Saturday 11 October is a working day made up for it).
    yellow = (Notice("yellow", sh(2025, 9, 29, 10, 0), None),)
    assert _rule_case(sh(2025, 9, 30, 10, 0), notices=yellow)[0] is Advice.NONE  # 1 day
    assert _rule_case(sh(2025, 10, 8, 10, 0), notices=yellow)[0] is Advice.NONE  # still 1
    assert _rule_case(sh(2025, 10, 9, 10, 0), notices=yellow) == (
        Advice.RED,
        Because.YELLOW_STANDS,
    )
    red = (*yellow, Notice("red", sh(2025, 10, 9, 10, 0), None))
    assert _rule_case(sh(2025, 10, 11, 10, 0), notices=red)[1] is Because.RED_RECENT
    assert _rule_case(sh(2025, 10, 14, 9, 0), notices=red)[0] is Advice.ESCALATE


def test_the_rule_in_warning_paused_and_switched_off() -> None:
    now = sh(2025, 3, 4, 9, 0)
    assert _rule_case(now, overdue=False, warning=True) == (
        Advice.YELLOW,
        Because.WARNING_NO_NOTICE,
    )
    off = Rule(yellow_on_warning=False, yellow_on_overdue=False)
    assert _rule_case(now, overdue=False, warning=True, rule=off)[0] is Advice.NONE
    assert _rule_case(now, rule=off)[0] is Advice.NONE
    assert _rule_case(now, paused=True) == (Advice.NONE, Because.PAUSED)
    assert _rule_case(now, overdue=False)[1] is Because.NOT_LATE


def test_the_shipped_rule_loads_and_bad_files_are_named(tmp_path: Path) -> None:
    assert load_rule() == Rule()
    bad = tmp_path / "supervision.toml"
    bad.write_text(
        "[rule]\nred_after_working_days = 0\nyellow_on_warning = 'yes'\ncolour = 1\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as caught:
        load_rule(bad)
    errors = {(e.field, e.code) for e in caught.value.errors}
    assert errors == {
        ("rule.red_after_working_days", "out_of_range"),
        ("rule.yellow_on_warning", "not_bool"),
        ("rule.colour", "unknown_key"),
    }
    assert all(e.params["source"] == str(bad) for e in caught.value.errors)
    bad.write_text("[rule\n", encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        load_rule(bad)
    assert caught.value.codes_for("file") == ["bad_toml"]
    with pytest.raises(ValidationError):
        parse_rule({}, "x.toml")


def test_requests_awaiting_a_decision(
    svc: OrderService, actors: dict[str, Actor], county: County, clock: ManualClock
) -> None:
    late = late_mix(svc, actors, county, clock)
    ref = svc.store.reference()
    scope = supervision_scope(actors["supervisor"], ref.org)

    def read() -> list[tuple[int, RequestKind, str, int | None, str | None]]:
        with read_tx(svc.store.engine) as conn:
            got = pending_requests(conn, ref.org, scope, clock.now())
        return [(r.id, r.kind, r.reason, r.days, r.asked_by) for r in got]

    assert read() == [
        (late.orders["asks_pause"], RequestKind.PAUSE, "等待法院判决", None, "h_town1"),
        (late.orders["asks_more"], RequestKind.EXTENSION, "需要协调供电公司", 5, "h_town1"),
    ]
    svc.decide_pause(actors["supervisor"], late.orders["asks_pause"], True, "同意")
    svc.decide_extension(actors["supervisor"], late.orders["asks_more"], False, "理由不足")
    assert read() == []
