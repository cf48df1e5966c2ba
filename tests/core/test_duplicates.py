"""Possible duplicates at intake (core/duplicates.py): near or same category family first,
text and recency rank them, only open orders the officer may see, on both backends."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.clock import ManualClock
from core.domain.actor import Actor
from core.duplicates import (
    Duplicate,
    Reason,
    bigrams,
    candidates,
    text_similarity,
)
from core.service import OrderService
from core.storage.db import read_tx
from tests.core.county import POINTS, County
from tests.core.test_queries import draft

LIGHTS = "db44t2479-2024:0303:030301"  # 建筑工程管理
SANITATION = "db44t2479-2024:0303:030302"  # 市容环卫: same level-2 parent (0303)
FOREST = "db44t2479-2024:0401:040101"  # 森林资源: another family
METRE_LAT = 1 / 111_195  # degrees of latitude per metre, near enough


def look(svc: OrderService, actor: Actor, **kw: object) -> list[Duplicate]:
    with read_tx(svc.store.engine) as conn:
        return candidates(conn, actor, now=svc.store.clock.now(), **kw)  # type: ignore[arg-type]


def by_id(found: list[Duplicate]) -> dict[int, Duplicate]:
    return {d.order_id: d for d in found}


def reg(svc: OrderService, actor: Actor, clock: ManualClock, at: str, **kw: object) -> int:
    clock.advance(timedelta(minutes=1))
    return int(svc.register(actor, draft(at, **kw)).order_id)


def test_bigrams_fold_width_and_break_at_punctuation() -> None:
    assert bigrams("路灯不亮") == {"路灯", "灯不", "不亮"}
    assert bigrams("路灯，不亮") == {"路灯", "不亮"}
    assert bigrams("ＡＢ c") == {"ab"}
    assert bigrams("灯") == frozenset()
    share, shared = text_similarity(bigrams("小区路灯不亮"), bigrams("幸福小区门口路灯坏了不亮"))
    assert shared == 3 and share == pytest.approx(3 / 5)
    assert text_similarity(frozenset(), bigrams("路灯")) == (0.0, 0)


def test_nothing_known_or_text_alone_finds_nothing(
    svc: OrderService, actors: dict[str, Actor], clock: ManualClock
) -> None:
    duty = actors["duty"]
    reg(svc, duty, clock, "town1v1g1", category_node_id=FOREST, description="路灯不亮")
    assert look(svc, duty) == []
    assert look(svc, duty, text="路灯不亮") == []
    assert look(svc, duty, category_node_id=LIGHTS, limit=0) == []


def test_same_grid_beats_same_village_and_another_village_is_not_near(
    svc: OrderService, actors: dict[str, Actor], county: County, clock: ManualClock
) -> None:
    duty, u = actors["duty"], county.units
    grid = reg(svc, duty, clock, "town1v1g1", category_node_id=FOREST)
    village = reg(svc, duty, clock, "town1v1g2", category_node_id=FOREST)
    school = reg(svc, duty, clock, "school", category_node_id=FOREST)  # special grid, town1v1
    far = reg(svc, duty, clock, "town2v1g1", category_node_id=FOREST)
    found = look(svc, duty, location_unit_id=u["town1v1g1"], category_node_id=LIGHTS)
    got = by_id(found)
    assert set(got) == {grid, village, school}
    assert far not in got
    assert all(d.reasons == (Reason.NEAR,) for d in found)
    assert found[0].order_id == grid
    assert got[grid].score > got[village].score
    assert got[grid].location_unit_name == "1-1-1网格"
    assert got[grid].category_name == "森林资源"
    assert got[grid].distance_m is None  # no point given
    # A call placed at a town says nothing about where it is.
    assert look(svc, duty, location_unit_id=u["town1"], category_node_id=LIGHTS) == []


def test_a_point_within_500_metres_is_near(
    svc: OrderService, actors: dict[str, Actor], clock: ManualClock
) -> None:
    duty = actors["duty"]
    there = reg(svc, duty, clock, "town1v1g1", category_node_id=FOREST)
    lon, lat = POINTS["town1v1g1"]
    found = look(svc, duty, lon=lon, lat=lat + 200 * METRE_LAT, category_node_id=LIGHTS)
    assert [d.order_id for d in found] == [there]
    assert found[0].reasons == (Reason.NEAR,)
    assert found[0].distance_m == pytest.approx(200, abs=2)
    assert look(svc, duty, lon=lon, lat=lat + 700 * METRE_LAT, category_node_id=LIGHTS) == []
    closer = look(svc, duty, lon=lon, lat=lat + 50 * METRE_LAT)
    assert closer[0].score > found[0].score


def test_same_category_and_its_siblings_anywhere(
    svc: OrderService, actors: dict[str, Actor], clock: ManualClock
) -> None:
    duty = actors["duty"]
    same = reg(svc, duty, clock, "town2v1g1", category_node_id=LIGHTS)
    sibling = reg(svc, duty, clock, "town2v1g1", category_node_id=SANITATION)
    other = reg(svc, duty, clock, "town2v1g1", category_node_id=FOREST)
    found = look(svc, duty, category_node_id=LIGHTS)
    got = by_id(found)
    assert set(got) == {same, sibling} and other not in got
    assert got[same].reasons == (Reason.SAME_CATEGORY,)
    assert got[sibling].reasons == (Reason.SIMILAR_CATEGORY,)
    assert found[0].order_id == same
    # A level-2 node stands for its whole family.
    assert set(by_id(look(svc, duty, category_node_id="db44t2479-2024:0303"))) == {same, sibling}
    assert look(svc, duty, category_node_id="no-such-node") == []


def test_similar_text_ranks_and_is_a_reason(
    svc: OrderService, actors: dict[str, Actor], clock: ManualClock
) -> None:
    duty = actors["duty"]
    lamp = reg(svc, duty, clock, "town2v1g1", description="幸福小区门口路灯坏了，晚上不亮")
    noise = reg(svc, duty, clock, "town2v1g1", description="广场舞噪音扰民")
    found = look(svc, duty, category_node_id=LIGHTS, text="小区路灯不亮好几天了")
    assert [d.order_id for d in found] == [lamp, noise]  # the newer one would lead otherwise
    assert found[0].reasons == (Reason.SAME_CATEGORY, Reason.SIMILAR_TEXT)
    assert found[1].reasons == (Reason.SAME_CATEGORY,)


def test_all_reasons_add_up_and_recency_breaks_ties(
    svc: OrderService, actors: dict[str, Actor], county: County, clock: ManualClock
) -> None:
    duty, u = actors["duty"], county.units
    old = reg(svc, duty, clock, "town1v1g1", description="路灯不亮")
    clock.advance(timedelta(days=5))
    new = reg(svc, duty, clock, "town1v1g1", description="路灯不亮")
    lon, lat = POINTS["town1v1g1"]
    found = look(
        svc,
        duty,
        location_unit_id=u["town1v1g1"],
        lon=lon,
        lat=lat,
        category_node_id=LIGHTS,
        text="路灯不亮",
    )
    assert [d.order_id for d in found] == [new, old]
    assert found[0].reasons == (Reason.NEAR, Reason.SAME_CATEGORY, Reason.SIMILAR_TEXT)
    assert found[0].distance_m == 0
    assert found[0].score > found[1].score
    assert look(svc, duty, category_node_id=LIGHTS, limit=1)[0].order_id == new


def test_only_open_orders_inside_the_window(
    svc: OrderService, actors: dict[str, Actor], county: County, clock: ManualClock
) -> None:
    duty, disp = actors["duty"], actors["dispatcher"]
    old = reg(svc, duty, clock, "town1v1g1")
    clock.advance(timedelta(days=20))
    kept = reg(svc, duty, clock, "town1v1g1")
    dispatched = reg(svc, duty, clock, "town1v1g1")
    svc.dispatch(disp, dispatched, county.units["town1"])
    voided = reg(svc, duty, clock, "town1v1g1")
    svc.void(disp, voided, "误登记")
    answered = reg(svc, duty, clock, "town1v1g1", answer_on_spot="已电话解答")
    merged = reg(svc, duty, clock, "town1v1g1")
    svc.merge(disp, merged, kept)
    clock.advance(timedelta(days=15))  # `old` is now 35 days old
    got = by_id(look(svc, duty, category_node_id=LIGHTS))
    assert set(got) == {kept, dispatched}
    assert {old, voided, answered, merged}.isdisjoint(got)
    assert set(by_id(look(svc, duty, category_node_id=LIGHTS, days=60))) == {old, kept, dispatched}


def test_callers_count_the_order_and_every_added_caller(
    svc: OrderService, actors: dict[str, Actor], clock: ManualClock
) -> None:
    duty, disp = actors["duty"], actors["dispatcher"]
    target = reg(svc, duty, clock, "town1v1g1")
    svc.add_caller(duty, target, "李女士", "13900000000")
    source = reg(svc, duty, clock, "town1v1g1", phone="13700000000")
    svc.merge(disp, source, target)
    lone = reg(svc, duty, clock, "town1v1g1")
    got = by_id(look(svc, duty, category_node_id=LIGHTS))
    assert got[target].callers == 3 and got[lone].callers == 1


def test_only_orders_the_officer_may_see(
    svc: OrderService, actors: dict[str, Actor], county: County, clock: ManualClock
) -> None:
    duty = actors["duty"]
    mine = reg(svc, duty, clock, "town1v1g1")
    theirs = reg(svc, duty, clock, "town2v1g1")
    held = reg(svc, duty, clock, "town2v1g1")
    svc.dispatch(actors["dispatcher"], held, county.units["town1"])
    town = actors["town1_duty"]
    assert set(by_id(look(svc, town, category_node_id=LIGHTS))) == {mine, held}
    assert theirs in by_id(look(svc, duty, category_node_id=LIGHTS))


def test_sqlite_walks_the_open_state_index(
    svc: OrderService, actors: dict[str, Actor], county: County, backend: str
) -> None:
    """The plan, not the timing: the registration-time window bounds the scan, never a
    walk of the whole table (bench/bench_workstation.py times it at 1,000,000 orders)."""
    if backend != "sqlite":
        pytest.skip("PostgreSQL plans a tiny table differently; the bench checks it at 1M")
    from sqlalchemy import event

    seen: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if "FROM orders JOIN categories" in statement:
            seen.append((statement, parameters))

    engine = svc.store.engine
    event.listen(engine, "before_cursor_execute", capture)
    try:
        lon, lat = POINTS["town1v1g1"]
        look(
            svc,
            actors["town1_duty"],
            location_unit_id=county.units["town1v1g1"],
            lon=lon,
            lat=lat,
            category_node_id=LIGHTS,
        )
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert len(seen) == 1
    with engine.connect() as conn:
        statement, params = seen[0]
        plan = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params).all()  # type: ignore[arg-type]
    detail = " | ".join(str(r[-1]) for r in plan)
    bounded = (
        "ix_orders_state (state=? AND registered_at>? AND registered_at<?)",  # no statistics
        "ix_orders_registered_at (registered_at>? AND registered_at<?)",  # after ANALYZE
    )
    assert any(f"SEARCH orders USING INDEX {b}" in detail for b in bounded), detail
    assert "SCAN orders" not in detail, detail
