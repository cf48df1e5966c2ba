"""Routing suggestions: the category's tier and owner, the location's units, and what
this centre did before, each with its reason."""

from __future__ import annotations

from core.clock import ManualClock
from core.domain.actor import Actor
from core.routing import suggest
from core.service import OrderService
from core.storage.db import read_tx
from tests.core.county import County
from tests.core.test_queries import draft

CATEGORY = "db44t2479-2024:0303:030301"  # 建筑工程管理: tier 2, owner dept:urban


def suggestions(svc: OrderService, county: County, centre: str, at: str = "town1v1g1"):
    ref = svc.store.reference()
    cat = ref.categories.get(CATEGORY)
    assert cat is not None and cat.default_tier == 2
    with read_tx(svc.store.engine) as conn:
        return suggest(
            conn, ref.org, cat, county.units[at], county.units[centre], svc.store.clock.now()
        )


def test_without_history_the_category_rule_leads(svc: OrderService, county: County) -> None:
    got = suggestions(svc, county, "county")
    u = county.units
    assert [s.unit_id for s in got] == [u["town1"], u["town1v1"], u["urban"]]
    assert got[0].reasons == ("tier_town",)
    assert got[2].reasons == ("category_owner",) and got[2].unit_name == "县城管局"


def test_settled_practice_outranks_the_rule_and_returns_do_not_count(
    svc: OrderService, actors: dict[str, Actor], county: County, clock: ManualClock
) -> None:
    u, a = county.units, actors
    for _ in range(3):
        oid = svc.register(a["duty"], draft("town1v1g1")).order_id
        svc.dispatch(a["dispatcher"], oid, u["urban"])
    returned = svc.register(a["duty"], draft("town1v1g2")).order_id
    hop = svc.dispatch(a["dispatcher"], returned, u["police"]).value[0]
    svc.return_hop(a["h_police"], returned, hop, "不属于本单位职责")
    elsewhere = svc.register(a["duty"], draft("town2v1g1")).order_id
    svc.dispatch(a["dispatcher"], elsewhere, u["civil"])  # another town: not counted here
    clock.advance(minutes=5)
    got = suggestions(svc, county, "county")
    assert got[0].unit_id == u["urban"]
    assert got[0].reasons == ("category_owner", "history")
    assert got[0].detail["history_orders"] == 3
    ids = [s.unit_id for s in got]
    assert u["police"] not in ids and u["civil"] not in ids
    assert ids[1:3] == [u["town1"], u["town1v1"]]


def test_weak_history_comes_after_the_rule(
    svc: OrderService, actors: dict[str, Actor], county: County
) -> None:
    u, a = county.units, actors
    oid = svc.register(a["duty"], draft("town1v1g1")).order_id
    svc.dispatch(a["dispatcher"], oid, u["hrss"])
    got = suggestions(svc, county, "county")
    assert [s.unit_id for s in got][:3] == [u["town1"], u["town1v1"], u["urban"]]
    assert got[3].unit_id == u["hrss"] and got[3].reasons == ("history",)


def test_a_town_centre_sends_inside_its_town(svc: OrderService, county: County) -> None:
    got = suggestions(svc, county, "town1")
    assert [s.unit_id for s in got] == [county.units["town1v1"]]
    assert got[0].reasons == ("tier_village",)
