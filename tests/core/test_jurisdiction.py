"""Who sees what (DESIGN.md, "Jurisdiction").

A user sees an order when it lies in their unit's territory, when their unit holds or
held an assignment on it, or when their unit supervises such a unit. County
departments have no territory: they see the orders they hold or held.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from core.domain.actor import Actor
from core.errors import OutOfJurisdiction, ValidationError
from core.service import OrderService
from core.storage.schema import events, orders
from core.workflow.intake import OrderDraft
from core.workflow.model import as_row
from tests.core.county import POINTS, County

EVERYONE = (
    "duty",
    "dispatcher",
    "supervisor",
    "leader",
    "wall",
    "admin",
    "town1_duty",
    "h_town1",
    "h_town2",
    "h_town1v1",
    "h_town1v2",
    "h_town2v1",
    "h_town1v1g1",
    "h_police",
    "h_civil",
    "h_hrss",
    "h_urban",
)


def draft(at: str | None = "town1v1g1", **kw: object) -> OrderDraft:
    base: dict[str, object] = dict(
        channel="hotline",
        request_type="complaint",
        category_node_id="db44t2479-2024:0303:030301",
        description="路灯不亮",
        phone="13812345678",
    )
    if at is not None:
        base["lon"], base["lat"] = POINTS[at]
    base.update(kw)
    return OrderDraft(**base)  # type: ignore[arg-type]


class World:
    def __init__(self, svc: OrderService, actors: dict[str, Actor], county: County) -> None:
        self.svc, self.a, self.u = svc, actors, county.units

    def register(self, user: str = "duty", at: str | None = "town1v1g1", **kw: Any) -> int:
        return self.svc.register(self.a[user], draft(at, **kw)).order_id

    def sees(self, user: str, oid: int) -> bool:
        try:
            agg = self.svc.load(self.a[user], oid)
        except OutOfJurisdiction:
            return False
        assert agg.order.id == oid
        return True

    def who_sees(self, oid: int) -> set[str]:
        return {user for user in EVERYONE if self.sees(user, oid)}

    def snapshot(self, oid: int) -> tuple[Any, ...]:
        agg = self.svc.load(self.a["admin"], oid)
        with self.svc.store.engine.connect() as conn:
            n = conn.execute(select(func.count()).select_from(events)).scalar_one()
        return (
            as_row(agg.order),
            [as_row(h) for h in agg.hops],
            [as_row(lim) for lim in agg.limits],
            n,
        )

    def hop(self, oid: int, unit: str, role: str = "lead") -> int:
        hops = self.svc.load(self.a["admin"], oid).hops
        return [h.id for h in hops if h.receiver_unit_id == self.u[unit] and h.role == role][-1]


@pytest.fixture
def w(svc: OrderService, actors: dict[str, Actor], county: County) -> World:
    return World(svc, actors, county)


COUNTY_STAFF = {"duty", "dispatcher", "supervisor", "leader", "wall", "admin"}


# --- territory --------------------------------------------------------------------------


def test_a_town_sees_its_own_territory_and_not_the_other_town(w: World) -> None:
    in_town1 = w.register(at="town1v1g1")
    in_town2 = w.register(at="town2v1g1")
    assert w.sees("h_town1", in_town1)
    assert not w.sees("h_town2", in_town1)
    assert w.sees("h_town2", in_town2)
    assert not w.sees("h_town1", in_town2)
    assert not w.sees("town1_duty", in_town2)


def test_who_sees_a_new_order_in_a_grid(w: World) -> None:
    oid = w.register(at="town1v1g1")
    assert w.who_sees(oid) == COUNTY_STAFF | {"town1_duty", "h_town1", "h_town1v1", "h_town1v1g1"}


def test_a_grid_does_not_see_the_neighbouring_grid(w: World) -> None:
    oid = w.register(at="town1v1g2")
    assert w.sees("h_town1v1", oid)
    assert not w.sees("h_town1v1g1", oid)
    assert not w.sees("h_town1v2", oid)


def test_the_county_sees_every_order(w: World) -> None:
    oids = [
        w.register(at="town1v1g1"),
        w.register(at="town2v1g1"),
        w.register("town1_duty", at="school"),
    ]
    oids.append(w.register(at=None))  # located at the county itself
    for oid in oids:
        for user in COUNTY_STAFF:
            assert w.sees(user, oid), (user, oid)


def test_an_order_located_at_the_county_is_seen_by_no_town(w: World) -> None:
    oid = w.register(at=None)
    assert w.who_sees(oid) == COUNTY_STAFF


# --- held assignments --------------------------------------------------------------------


def test_a_village_sees_an_order_only_once_it_was_passed_down_to_it(w: World) -> None:
    # located at the town itself: no village's territory
    oid = w.register(at=None, location_unit_id=w.u["town1"])
    top = w.svc.dispatch(w.a["dispatcher"], oid, w.u["town1"]).value[0]
    assert w.sees("h_town1", oid)
    assert not w.sees("h_town1v1", oid)
    child = w.svc.pass_down(w.a["h_town1"], oid, top, w.u["town1v1"]).value
    assert w.sees("h_town1v1", oid)
    assert not w.sees("h_town1v2", oid)
    assert not w.sees("h_town1v1g1", oid)
    w.svc.return_hop(w.a["h_town1v1"], oid, child, "不在本村")
    assert w.sees("h_town1v1", oid)  # held: still visible after the return
    w.svc.accept_return(w.a["h_town1"], oid, child)
    assert w.sees("h_town1v1", oid)
    assert not w.sees("h_town1v2", oid)


def test_a_village_sees_orders_in_its_territory_before_any_dispatch(w: World) -> None:
    oid = w.register(at="town1v1g1")
    assert w.sees("h_town1v1", oid)
    assert not w.sees("h_town1v2", oid)


def test_a_town_sees_an_order_its_village_holds(w: World) -> None:
    # located in town2 but dispatched by the county straight to a village of town1
    oid = w.register(at="town2v1g1")
    assert not w.sees("h_town1", oid)
    w.svc.dispatch(w.a["dispatcher"], oid, w.u["town1v1"])
    assert w.sees("h_town1v1", oid)
    assert w.sees("h_town1", oid)  # supervises the village that holds it
    assert w.sees("town1_duty", oid)
    assert not w.sees("h_town1v2", oid)


def test_a_town_sees_an_order_passed_down_to_its_village(w: World) -> None:
    oid = w.register(at=None, location_unit_id=w.u["town1v2g1"])
    top = w.svc.dispatch(w.a["dispatcher"], oid, w.u["town1"]).value[0]
    w.svc.pass_down(w.a["h_town1"], oid, top, w.u["town1v2"])
    assert w.sees("h_town1", oid)
    assert w.sees("h_town1v2", oid)


def test_a_department_sees_orders_dispatched_to_it_and_keeps_them_after_reassignment(
    w: World,
) -> None:
    oid = w.register(at="town1v1g1")
    assert not w.sees("h_police", oid)
    assert not w.sees("h_civil", oid)
    top = w.svc.dispatch(w.a["dispatcher"], oid, w.u["police"]).value[0]
    assert w.sees("h_police", oid)
    assert not w.sees("h_civil", oid)
    w.svc.reassign(w.a["dispatcher"], oid, top, w.u["civil"], "改派民政")
    assert w.sees("h_civil", oid)
    assert w.sees("h_police", oid)  # held: still visible after it was reassigned away
    assert not w.sees("h_hrss", oid)
    assert not w.sees("h_urban", oid)


def test_a_department_called_to_assist_sees_the_order(w: World) -> None:
    oid = w.register(at="town2v1g1")
    w.svc.dispatch(w.a["dispatcher"], oid, w.u["town2"], [w.u["urban"]])
    assert w.sees("h_urban", oid)
    assert not w.sees("h_police", oid)
    assert not w.sees("h_town1", oid)


def test_a_department_sees_nothing_of_its_own(w: World) -> None:
    oids = [w.register(at="town1v1g1"), w.register(at="town2v1g1"), w.register(at=None)]
    for oid in oids:
        for user in ("h_police", "h_civil", "h_hrss", "h_urban"):
            assert not w.sees(user, oid), (user, oid)


def test_a_department_is_not_a_location(w: World) -> None:
    """Departments have no territory: an order cannot be placed "in" one (and so become
    visible to the department without being assigned to it)."""
    try:
        oid = w.register(at=None, location_unit_id=w.u["police"])
    except ValidationError as exc:
        assert "location_unit_id" in exc.fields()
        return
    assert not w.sees("h_police", oid)


def test_a_town_that_escalated_still_sees_the_order(w: World) -> None:
    oid = w.register(at="town2v1g1")
    top = w.svc.dispatch(w.a["dispatcher"], oid, w.u["town1"]).value[0]
    w.svc.accept(w.a["h_town1"], oid, top)
    w.svc.escalate(w.a["h_town1"], oid, top, "需县级协调")
    assert w.sees("h_town1", oid)


# --- acting on what one cannot see ---------------------------------------------------------


def test_acting_on_an_invisible_order_is_refused_and_changes_nothing(w: World) -> None:
    oid = w.register(at="town1v1g1")
    top = w.svc.dispatch(w.a["dispatcher"], oid, w.u["town1"], [w.u["police"]]).value[0]
    assist = w.hop(oid, "police", "assist")
    before = w.snapshot(oid)
    attempts: list[Callable[[], object]] = [
        lambda: w.svc.accept(w.a["h_town2"], oid, top),
        lambda: w.svc.return_hop(w.a["h_town2"], oid, top, "退回"),
        lambda: w.svc.note_progress(w.a["h_town2"], oid, "看看"),
        lambda: w.svc.answer_assist(w.a["h_civil"], oid, assist, "代答"),
        lambda: w.svc.reassign(w.a["h_town2v1"], oid, top, w.u["town2"], "改派"),
        lambda: w.svc.supervise(w.a["h_hrss"], oid, "yellow", "督办"),
    ]
    for attempt in attempts:
        with pytest.raises(OutOfJurisdiction):
            attempt()
        assert w.snapshot(oid) == before


def test_another_town_centre_cannot_act_on_a_town_order(w: World) -> None:
    oid = w.register(at="town2v1g1")
    before = w.snapshot(oid)
    attempts: list[Callable[[], object]] = [
        lambda: w.svc.dispatch(w.a["town1_duty"], oid, w.u["town2"]),
        lambda: w.svc.void(w.a["town1_duty"], oid, "作废"),
        lambda: w.svc.answer_on_spot(w.a["town1_duty"], oid, "已答复"),
    ]
    for attempt in attempts:
        with pytest.raises(OutOfJurisdiction):
            attempt()
        assert w.snapshot(oid) == before


def test_merging_with_an_invisible_order_is_refused(w: World) -> None:
    mine = w.register("town1_duty", at="town1v1g1")
    theirs = w.register(at="town2v1g1")
    before = (w.snapshot(mine), w.snapshot(theirs))
    with pytest.raises(OutOfJurisdiction):
        w.svc.merge(w.a["town1_duty"], mine, theirs)
    with pytest.raises(OutOfJurisdiction):
        w.svc.merge(w.a["town1_duty"], theirs, mine)
    assert (w.snapshot(mine), w.snapshot(theirs)) == before


# --- town centres ------------------------------------------------------------------------


def _order_count(w: World) -> int:
    with w.svc.store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(orders)).scalar_one())


@pytest.mark.parametrize("how", ["coordinates", "unit"])
def test_a_town_centre_cannot_register_in_the_other_town(w: World, how: str) -> None:
    before = _order_count(w)
    kw: dict[str, Any] = (
        {"at": "town2v1g1"}
        if how == "coordinates"
        else {"at": None, "location_unit_id": w.u["town2v1"]}
    )
    with pytest.raises(ValidationError) as info:
        w.register("town1_duty", **kw)
    assert info.value.codes_for("location_unit_id") == ["outside_centre_territory"]
    assert _order_count(w) == before


def test_a_town_centre_registers_in_its_own_territory(w: World) -> None:
    oid = w.register("town1_duty", at="town1v1g2")
    agg = w.svc.load(w.a["town1_duty"], oid)
    assert agg.order.centre_unit_id == w.u["town1"]
    assert agg.order.location_unit_id == w.u["town1v1g2"]
    assert w.who_sees(oid) == COUNTY_STAFF | {"town1_duty", "h_town1", "h_town1v1"}


def test_a_town_centre_order_without_location_lies_in_the_town(w: World) -> None:
    oid = w.register("town1_duty", at=None)
    assert w.svc.load(w.a["admin"], oid).order.location_unit_id == w.u["town1"]
    assert w.sees("h_town1", oid)
    assert not w.sees("h_town1v1", oid)
    assert not w.sees("h_town2", oid)
