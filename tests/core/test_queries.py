"""Read models for screens (core/queries.py): jurisdiction in SQL agrees with ``can_see``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.auth import load_actor
from core.clock import ManualClock
from core.domain.actor import Actor
from core.domain.enums import OrderState
from core.queries import (
    count_orders,
    demo_users,
    last_event_id,
    list_orders,
    visible_unit_ids,
)
from core.service import OrderService
from core.storage.db import read_tx
from core.storage.repo import load_aggregates
from core.storage.schema import events, time_limits
from core.workflow.guards import can_see
from core.workflow.intake import OrderDraft
from tests.core.county import POINTS, County

CATEGORY = "db44t2479-2024:0303:030301"


def draft(at: str | None = "town1v1g1", **kw: object) -> OrderDraft:
    base: dict[str, object] = dict(
        channel="hotline",
        request_type="complaint",
        category_node_id=CATEGORY,
        description="路灯不亮",
        phone="13812345678",
        caller_name="王先生",
    )
    if at is not None:
        base["lon"], base["lat"] = POINTS[at]
    base.update(kw)
    return OrderDraft(**base)  # type: ignore[arg-type]


@dataclass
class Mix:
    """A fixture of orders covering every way to be visible: territory, held hops
    (receiver and sender), reassignment, assisting units, pass-down, escalation."""

    orders: dict[str, int] = field(default_factory=dict)


def populate(
    svc: OrderService, actors: dict[str, Actor], county: County, clock: ManualClock
) -> Mix:
    """Registers orders one minute apart, so "newest first" is well defined."""
    a, u = actors, county.units
    mix = Mix()

    def reg(name: str, at: str | None = "town1v1g1", user: str = "duty", **kw: object) -> int:
        clock.advance(minutes=1)
        oid = svc.register(a[user], draft(at, **kw)).order_id
        mix.orders[name] = oid
        return oid

    reg("town1_grid")
    reg("town2_grid", "town2v1g1")
    reg("at_county", None, address="县政府门口")
    reg("school", "school", user="town1_duty")
    reg("confidential", "town1v1g2", confidential=True, request_type="report")
    reg("landline", "town1v1g2", phone="0517-86001234", caller_name=None, anonymous=True)
    reg("no_phone", "town2v1g1", channel="grid_patrol", phone=None, caller_name=None)
    reg("on_spot", "town1v1g1", answer_on_spot="已电话解答")

    oid = reg("town2_to_town1v1", "town2v1g1")
    svc.dispatch(a["dispatcher"], oid, u["town1v1"])

    oid = reg("police_then_civil", "town1v1g1")
    top = svc.dispatch(a["dispatcher"], oid, u["police"]).value[0]
    svc.reassign(a["dispatcher"], oid, top, u["civil"], "改派民政")

    oid = reg("town2_with_urban", "town2v1g1")
    svc.dispatch(a["dispatcher"], oid, u["town2"], [u["urban"]])

    oid = reg("passed_down", None, location_unit_id=u["town1"])
    top = svc.dispatch(a["dispatcher"], oid, u["town1"]).value[0]
    svc.pass_down(a["h_town1"], oid, top, u["town1v2"])

    oid = reg("escalated", "town2v1g1")
    top = svc.dispatch(a["dispatcher"], oid, u["town1"]).value[0]
    svc.accept(a["h_town1"], oid, top)
    svc.escalate(a["h_town1"], oid, top, "需县级协调")
    return mix


@pytest.fixture
def mix(svc: OrderService, actors: dict[str, Actor], county: County, clock: ManualClock) -> Mix:
    return populate(svc, actors, county, clock)


def allowed(svc: OrderService, actor: Actor, mix: Mix) -> set[int]:
    with read_tx(svc.store.engine) as conn:
        aggs = load_aggregates(conn, mix.orders.values())
    org = svc.store.reference().org
    return {oid for oid, agg in aggs.items() if can_see(actor, agg, org)}


def test_every_user_lists_exactly_what_can_see_allows(
    svc: OrderService, actors: dict[str, Actor], mix: Mix
) -> None:
    seen_by_someone_not_all = 0
    for name, actor in actors.items():
        want = allowed(svc, actor, mix)
        with read_tx(svc.store.engine) as conn:
            rows = list_orders(conn, actor, limit=1000)
            total = count_orders(conn, actor)
        got = [r.id for r in rows]
        assert len(got) == len(set(got)), name  # no order twice, however many hops match
        assert set(got) == want, name
        assert total == len(want), name
        seen_by_someone_not_all += 0 < len(want) < len(mix.orders)
    assert seen_by_someone_not_all >= 10  # the fixture really exercises the filter


def test_a_town_user_sees_its_territory_and_what_its_units_held(
    svc: OrderService, actors: dict[str, Actor], mix: Mix
) -> None:
    with read_tx(svc.store.engine) as conn:
        got = {r.id for r in list_orders(conn, actors["h_town1"], limit=100)}
    o = mix.orders
    assert {
        o["town1_grid"],
        o["school"],
        o["confidential"],
        o["town2_to_town1v1"],  # its village holds it
        o["passed_down"],
        o["escalated"],  # held, then escalated away
    } <= got
    assert o["town2_grid"] not in got
    assert o["at_county"] not in got
    assert o["town2_with_urban"] not in got


def test_the_county_gets_no_filter_and_a_town_a_list_of_units(
    svc: OrderService, actors: dict[str, Actor], county: County
) -> None:
    with read_tx(svc.store.engine) as conn:
        assert visible_unit_ids(conn, actors["duty"]) is None
        town = visible_unit_ids(conn, actors["h_town1"])
        police = visible_unit_ids(conn, actors["h_police"])
    u = county.units
    assert town is not None and set(town) == {
        u[k] for k in u if k == "school" or k.startswith("town1")
    }
    assert police == [u["police"]]


def test_newest_registration_first_and_pages_join_up(
    svc: OrderService, actors: dict[str, Actor], mix: Mix
) -> None:
    actor = actors["supervisor"]
    with read_tx(svc.store.engine) as conn:
        full = list_orders(conn, actor, limit=1000)
        pages = [list_orders(conn, actor, limit=4, offset=off) for off in range(0, 20, 4)]
        beyond = list_orders(conn, actor, limit=4, offset=len(full))
    assert [r.registered_at for r in full] == sorted((r.registered_at for r in full), reverse=True)
    assert full[0].id == mix.orders["escalated"]
    assert full[-1].id == mix.orders["town1_grid"]
    assert [r.id for page in pages for r in page] == [r.id for r in full]
    assert beyond == []


def test_ties_in_registration_time_break_on_the_newest_id(
    svc: OrderService, actors: dict[str, Actor]
) -> None:
    oids = [svc.register(actors["duty"], draft()).order_id for _ in range(5)]  # one instant
    with read_tx(svc.store.engine) as conn:
        pages = [list_orders(conn, actors["duty"], limit=2, offset=off) for off in (0, 2, 4)]
    assert [r.id for page in pages for r in page] == sorted(oids, reverse=True)


def test_state_filter_in_list_and_count(
    svc: OrderService, actors: dict[str, Actor], mix: Mix
) -> None:
    with read_tx(svc.store.engine) as conn:
        for user in ("duty", "h_town1", "h_town2", "h_civil"):
            actor = actors[user]
            full = list_orders(conn, actor, limit=1000)
            for states in ([OrderState.CLOSED], [OrderState.REGISTERED, OrderState.DISPATCHED]):
                want = [r.id for r in full if r.state in states]
                got = list_orders(conn, actor, limit=1000, states=states)
                assert [r.id for r in got] == want, (user, states)
                assert count_orders(conn, actor, states) == len(want), (user, states)
        closed = list_orders(conn, actors["duty"], limit=100, states=[OrderState.CLOSED])
    assert [r.id for r in closed] == [mix.orders["on_spot"]]


def test_callers_are_masked_and_confidential_orders_show_none(
    svc: OrderService, actors: dict[str, Actor], mix: Mix
) -> None:
    with read_tx(svc.store.engine) as conn:
        rows = {r.id: r for r in list_orders(conn, actors["duty"], limit=100)}
    o = mix.orders
    plain = rows[o["town1_grid"]]
    assert (plain.caller_name, plain.caller_phone) == ("王先生", "138****5678")
    secret = rows[o["confidential"]]
    assert (secret.caller_name, secret.caller_phone) == (None, None)
    assert secret.confidential and not plain.confidential
    assert rows[o["landline"]].caller_phone == "0517-****1234"
    assert rows[o["no_phone"]].caller_phone is None
    assert all("12345678" not in (r.caller_phone or "") for r in rows.values())


def test_row_fields_name_units_and_category(
    svc: OrderService, actors: dict[str, Actor], mix: Mix
) -> None:
    with read_tx(svc.store.engine) as conn:
        rows = {r.id: r for r in list_orders(conn, actors["duty"], limit=100)}
    o = mix.orders
    row = rows[o["town2_with_urban"]]
    assert (row.state, row.channel, row.request_type) == ("dispatched", "hotline", "complaint")
    assert row.category_code == "030301" and row.category_name
    assert row.location_unit_name == "2-1-1网格"
    assert row.lead_unit_name == "第2镇"
    assert row.tier == 2
    assert rows[o["town1_grid"]].lead_unit_name is None
    assert rows[o["at_county"]].location_unit_name == "测试县"
    assert rows[o["at_county"]].address == "县政府门口"
    assert rows[o["on_spot"]].due_at is None  # closed: no open resolve limit


def test_deadline_marks_follow_the_open_resolve_limit(
    svc: OrderService, actors: dict[str, Actor]
) -> None:
    oid = svc.register(actors["duty"], draft()).order_id
    with read_tx(svc.store.engine) as conn:
        due, warn = conn.execute(
            select(time_limits.c.due_at, time_limits.c.warn_at).where(
                time_limits.c.order_id == oid, time_limits.c.kind == "resolve"
            )
        ).one()

        def marks(at: object) -> tuple[bool, bool]:
            (row,) = list_orders(conn, actors["duty"], limit=1, now=at)  # type: ignore[arg-type]
            assert row.id == oid and row.due_at == due
            return row.warning, row.overdue

        assert warn < due
        assert marks(warn - timedelta(seconds=1)) == (False, False)
        assert marks(warn) == (True, False)
        assert marks(due) == (True, False)
        assert marks(due + timedelta(seconds=1)) == (True, True)


def test_last_event_id_is_the_newest_committed_event(
    svc: OrderService, actors: dict[str, Actor]
) -> None:
    with read_tx(svc.store.engine) as conn:
        before = last_event_id(conn)
    svc.register(actors["duty"], draft())
    with read_tx(svc.store.engine) as conn:
        after = last_event_id(conn)
        newest = conn.execute(select(func.max(events.c.id))).scalar_one()
    assert after == newest
    assert after > before


def test_demo_users_name_unit_and_roles(svc: OrderService, county: County) -> None:
    with read_tx(svc.store.engine) as conn:
        choices = demo_users(conn)
        town1_duty = load_actor(conn, county.users["town1_duty"])
    by_name = {c.username: c for c in choices}
    assert set(by_name) == set(county.users)
    assert by_name["dispatcher"].unit_name == "测试县"
    assert by_name["dispatcher"].roles == ("dispatcher", "duty_officer")
    assert by_name["town1_duty"].unit_name == "第1镇"
    assert set(by_name["town1_duty"].roles) == {r.value for r in town1_duty.roles}
    assert choices[0].unit_name == "测试县"  # from the top of the tree down
