"""Time limits as the workflow computes and stores them, across real holiday weeks."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from core.clock import ManualClock
from core.domain.actor import Actor
from core.domain.enums import LimitKind
from core.domain.events import EventKind
from core.errors import CoreError
from core.service import OrderService
from core.storage.db import write_tx
from core.storage.schema import calendar_overrides, events
from core.storage.seed import import_policy_file
from core.workflow.model import Aggregate, LimitRec
from tests.core.conftest import SHANGHAI, sh
from tests.core.test_smoke_loop import draft

HARD_DISPUTE = "db44t2479-2024:0805:080508"  # 拖欠、克扣工资 (a labour dispute)


def limit(agg: Aggregate, kind: LimitKind, open_only: bool = True) -> LimitRec:
    found = [lim for lim in agg.limits if lim.kind == kind and (lim.open or not open_only)]
    assert found, f"no {kind} limit"
    return found[-1]


def local(dt: datetime) -> datetime:
    return dt.astimezone(SHANGHAI)


def register(svc: OrderService, actors: dict[str, Actor], **kw: object) -> Aggregate:
    oid = svc.register(actors["duty"], draft(**kw)).order_id
    return svc.load(actors["duty"], oid)


def test_national_day_week_2025(
    svc: OrderService, actors: dict[str, Actor], clock: ManualClock
) -> None:
    clock.set(sh(2025, 9, 30, 10, 0))  # Tuesday before 国庆+中秋 (10-01 … 10-08 off)
    agg = register(svc, actors)
    # 1 working day to hand out, end of day: the first working day after the 30th is 10-09.
    assert local(limit(agg, LimitKind.HANDOUT).due_at) == sh(2025, 10, 9, 23, 59, 59)
    # general items: 7 natural days, same clock time; holidays do not stop natural days.
    assert local(limit(agg, LimitKind.RESOLVE).due_at) == sh(2025, 10, 7, 10, 0)
    consult = register(svc, actors, request_type="consultation")
    # 5 working days, end of day: 10-09, 10-10, 10-11 (Saturday, 调休 working day), 10-13, 10-14.
    assert local(limit(consult, LimitKind.RESOLVE).due_at) == sh(2025, 10, 14, 23, 59, 59)
    assert not limit(consult, LimitKind.RESOLVE).calendar_fallback


def test_make_up_sunday_counts(
    svc: OrderService, actors: dict[str, Actor], clock: ManualClock
) -> None:
    clock.set(sh(2025, 9, 26, 16, 0))  # Friday; Saturday 09-27 off, Sunday 09-28 a 调休 working day
    agg = register(svc, actors)
    assert local(limit(agg, LimitKind.HANDOUT).due_at) == sh(2025, 9, 28, 23, 59, 59)


def test_spring_festival_2026_hard_dispute(
    svc: OrderService, actors: dict[str, Actor], clock: ManualClock
) -> None:
    clock.set(
        sh(2026, 2, 13, 10, 0)
    )  # Friday; 02-14 (Sat) works, 02-15 … 02-23 off, 02-28 (Sat) works
    agg = register(
        svc, actors, category_node_id=HARD_DISPUTE, limit_class="hard_dispute", risk_grade="orange"
    )
    resolve = limit(agg, LimitKind.RESOLVE)
    assert resolve.rule_id == "resolve-hard-dispute"
    assert local(resolve.due_at) == sh(2026, 4, 2, 23, 59, 59)  # 30 working days
    # The handout: the next working day is Saturday 02-14, a make-up working day.
    assert local(limit(agg, LimitKind.HANDOUT).due_at) == sh(2026, 2, 14, 23, 59, 59)


def test_step_into_2027_is_flagged_and_correctable(
    svc: OrderService,
    actors: dict[str, Actor],
    clock: ManualClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock.set(sh(2026, 12, 28, 10, 0))  # Monday; chinese-calendar knows nothing of 2027
    with caplog.at_level(logging.WARNING):
        res = svc.register(actors["duty"], draft(request_type="consultation"))
    assert res.calendar_fallback
    agg = svc.load(actors["duty"], res.order_id)
    resolve = limit(agg, LimitKind.RESOLVE)
    assert resolve.calendar_fallback
    # weekends only: 12-29, 12-30, 12-31, 2027-01-01 (a Friday), 01-04
    assert local(resolve.due_at) == sh(2027, 1, 4, 23, 59, 59)
    warnings = [r.message for r in caplog.records if r.levelname == "WARNING"]
    assert any("No official holiday calendar for 2027" in m for m in warnings)
    # An administrator enters New Year's Day 2027 as a day off: later deadlines take it.
    with write_tx(svc.store.engine) as conn:
        conn.execute(
            insert(calendar_overrides).values(
                day=datetime(2027, 1, 1).date(), working=False, note="元旦", set_at=clock.now()
            )
        )
    svc.store.reload_reference()
    agg2 = register(svc, actors, request_type="consultation")
    assert local(limit(agg2, LimitKind.RESOLVE).due_at) == sh(2027, 1, 5, 23, 59, 59)
    # The stored deadline of the first order does not move: deadlines are stored when computed.
    assert local(limit(svc.load(actors["duty"], agg.id), LimitKind.RESOLVE).due_at) == sh(
        2027, 1, 4, 23, 59, 59
    )


def to_in_progress(
    svc: OrderService, actors: dict[str, Actor], county: object, agg: Aggregate
) -> int:
    hop = svc.dispatch(actors["dispatcher"], agg.id, county.units["town1"]).value[0]  # type: ignore[attr-defined]
    svc.accept(actors["h_town1"], agg.id, hop)
    return int(hop)


def test_pause_stops_the_clock(
    svc: OrderService, actors: dict[str, Actor], clock: ManualClock, county
) -> None:
    agg = register(svc, actors)
    due_before = limit(agg, LimitKind.RESOLVE).due_at
    to_in_progress(svc, actors, county, agg)
    svc.request_pause(actors["h_town1"], agg.id, "等待法院判决")
    clock.advance(hours=2)
    svc.decide_pause(actors["supervisor"], agg.id, True)
    clock.advance(days=3)
    svc.resume(actors["supervisor"], agg.id)
    after = svc.load(actors["duty"], agg.id)
    assert limit(after, LimitKind.RESOLVE).due_at == due_before + timedelta(days=3)


def test_pause_on_working_days_skips_the_weekend(
    svc: OrderService, actors: dict[str, Actor], clock: ManualClock, county
) -> None:
    clock.set(sh(2025, 3, 3, 9, 0))  # Monday
    agg = register(
        svc, actors, request_type="consultation"
    )  # 5 working days: due Mon 03-10 end of day
    assert local(limit(agg, LimitKind.RESOLVE).due_at) == sh(2025, 3, 10, 23, 59, 59)
    to_in_progress(svc, actors, county, agg)
    svc.request_pause(actors["h_town1"], agg.id, "等待鉴定")
    clock.set(sh(2025, 3, 7, 9, 0))  # Friday 09:00
    svc.decide_pause(actors["supervisor"], agg.id, True)
    clock.set(
        sh(2025, 3, 10, 9, 0)
    )  # Monday 09:00: only Friday's 15 working hours... plus none of the weekend
    svc.resume(actors["supervisor"], agg.id)
    after = svc.load(actors["duty"], agg.id)
    # The clock lost Friday 09:00 → Monday 09:00 = 24 working hours (Fri 15 h + Mon 9 h).
    assert local(limit(after, LimitKind.RESOLVE).due_at) == sh(2025, 3, 11, 23, 59, 59)


def test_late_submission_freezes_overdue(
    svc: OrderService, actors: dict[str, Actor], clock: ManualClock, county
) -> None:
    agg = register(svc, actors)
    hop = to_in_progress(svc, actors, county, agg)
    clock.advance(days=8)  # past the 7-day limit
    svc.submit_result(actors["h_town1"], agg.id, hop, "已修复")
    after = svc.load(actors["duty"], agg.id)
    resolve = limit(after, LimitKind.RESOLVE, open_only=False)
    assert resolve.ended_overdue is True
    with svc.store.engine.connect() as conn:
        flags = dict(
            conn.execute(
                select(events.c.kind, events.c.overdue).where(events.c.order_id == agg.id)
            ).all()
        )
    assert flags[EventKind.RESULT_SUBMITTED] is True and flags[EventKind.REGISTERED] is False
    handout = limit(after, LimitKind.HANDOUT, open_only=False)
    assert handout.ended_overdue is False  # accepted on the first day


def test_rework_starts_a_new_limit(
    svc: OrderService, actors: dict[str, Actor], clock: ManualClock, county
) -> None:
    agg = register(svc, actors)
    hop = to_in_progress(svc, actors, county, agg)
    svc.submit_result(actors["h_town1"], agg.id, hop, "已修复")
    clock.advance(days=10)
    svc.review(actors["supervisor"], agg.id, False, "现场未修复")
    after = svc.load(actors["duty"], agg.id)
    resolves = [lim for lim in after.limits if lim.kind == LimitKind.RESOLVE]
    assert len(resolves) == 2
    first, second = resolves
    assert first.ended_overdue is False  # submitted in time; the frozen flag stays
    assert second.open and second.start_at == clock.now()
    assert second.due_at == clock.now() + timedelta(days=7)


def test_stricter_upstream_deadline_wins(
    svc: OrderService, actors: dict[str, Actor], clock: ManualClock
) -> None:
    soon = clock.now() + timedelta(days=2)
    agg = register(
        svc, actors, channel="city_platform", external_ref="GD12345-1", upstream_due=soon
    )
    resolve = limit(agg, LimitKind.RESOLVE)
    assert resolve.due_at == soon and resolve.upstream_capped
    late = register(
        svc,
        actors,
        channel="city_platform",
        external_ref="GD12345-2",
        upstream_due=clock.now() + timedelta(days=30),
    )
    assert not limit(late, LimitKind.RESOLVE).upstream_capped
    assert limit(late, LimitKind.RESOLVE).due_at == clock.now() + timedelta(days=7)


def test_urgent_items_count_in_hours(
    svc: OrderService, actors: dict[str, Actor], clock: ManualClock
) -> None:
    agg = register(svc, actors, urgency="urgent")
    assert limit(agg, LimitKind.HANDOUT).due_at == clock.now() + timedelta(hours=1)
    assert limit(agg, LimitKind.RESOLVE).due_at == clock.now() + timedelta(hours=24)
    # An urgent simple dispute: two rules match equally, and the stricter one wins.
    dispute = register(
        svc,
        actors,
        urgency="urgent",
        category_node_id="db44t2479-2024:0903:090305",
        risk_grade="green",
    )
    assert limit(dispute, LimitKind.RESOLVE).rule_id == "resolve-urgent"


def test_service_marks_warning_then_overdue_once(
    svc: OrderService, actors: dict[str, Actor], clock: ManualClock
) -> None:
    agg = register(svc, actors)
    resolve = limit(agg, LimitKind.RESOLVE)
    clock.set(resolve.warn_at + timedelta(minutes=1))
    assert svc.mark_time_conditions() >= 1
    assert svc.mark_time_conditions() == 0
    clock.set(resolve.due_at + timedelta(minutes=1))
    svc.mark_time_conditions()
    after = svc.load(actors["duty"], agg.id)
    assert after.order.state == "registered"  # conditions, not states
    with svc.store.engine.connect() as conn:
        kinds = list(
            conn.execute(select(events.c.kind).where(events.c.order_id == agg.id)).scalars()
        )
    resolve_marks = [k for k in kinds if k in (EventKind.LIMIT_WARNED, EventKind.LIMIT_OVERDUE)]
    assert resolve_marks.count(EventKind.LIMIT_OVERDUE) == 2  # the handout and the resolve limit
    assert svc.mark_time_conditions() == 0


def test_extensions_are_capped(
    svc: OrderService, actors: dict[str, Actor], clock: ManualClock, county
) -> None:
    agg = register(svc, actors)
    to_in_progress(svc, actors, county, agg)
    due = limit(agg, LimitKind.RESOLVE).due_at
    svc.request_extension(actors["h_town1"], agg.id, 10, "需要协调")
    svc.decide_extension(actors["supervisor"], agg.id, True)
    after = svc.load(actors["duty"], agg.id)
    assert limit(after, LimitKind.RESOLVE).due_at == due + timedelta(days=10)
    assert after.order.extension_count == 1
    with pytest.raises(CoreError) as err:
        svc.request_extension(actors["h_town1"], agg.id, 25, "还要更久")  # 10 + 25 > 30 days
    assert err.value.code == "extension_cap_reached"
    svc.request_extension(actors["h_town1"], agg.id, 5, "再延五天")
    svc.decide_extension(actors["supervisor"], agg.id, False)
    svc.request_extension(actors["h_town1"], agg.id, 5, "再延五天")
    svc.decide_extension(actors["supervisor"], agg.id, True)
    with pytest.raises(CoreError) as err:
        svc.request_extension(actors["h_town1"], agg.id, 1, "第三次")  # at most two granted
    assert err.value.code == "extension_cap_reached"


def test_policy_versions_apply_by_effective_date(
    svc: OrderService, actors: dict[str, Actor], clock: ManualClock, tmp_path: Path
) -> None:
    from core.resources import TIME_LIMIT_POLICY

    text = TIME_LIMIT_POLICY.read_text(encoding="utf-8")
    newer = (
        text.replace('id = "2025.1"', 'id = "2025.7"')
        .replace(
            "effective_from = 2025-01-01T00:00:00+08:00",
            "effective_from = 2025-07-01T00:00:00+08:00",
        )
        .replace("amount = 7\n", "amount = 3\n")
    )
    path = tmp_path / "policy.toml"
    path.write_text(newer, encoding="utf-8")
    with write_tx(svc.store.engine) as conn:
        assert import_policy_file(conn, path, datetime.now(UTC)) == 1
        assert import_policy_file(conn, path, datetime.now(UTC)) == 0  # idempotent
    svc.store.reload_reference()
    clock.set(sh(2025, 6, 30, 10, 0))
    before = register(svc, actors)
    assert limit(before, LimitKind.RESOLVE).policy_version == "2025.1"
    assert limit(before, LimitKind.RESOLVE).due_at == clock.now() + timedelta(days=7)
    clock.set(sh(2025, 7, 1, 10, 0))
    after = register(svc, actors)
    assert limit(after, LimitKind.RESOLVE).policy_version == "2025.7"
    assert limit(after, LimitKind.RESOLVE).due_at == clock.now() + timedelta(days=3)
