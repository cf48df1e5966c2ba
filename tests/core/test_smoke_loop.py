"""One order through the whole loop, on both backends."""

from __future__ import annotations

from sqlalchemy import select

from core.domain.enums import OrderState
from core.service import OrderService
from core.storage.schema import events
from core.workflow.intake import OrderDraft
from tests.core.county import POINTS, County


def draft(**kw: object) -> OrderDraft:
    lon, lat = POINTS["town1v1g1"]
    base: dict[str, object] = dict(
        channel="hotline",
        request_type="complaint",
        category_node_id="db44t2479-2024:0303:030301",
        description="路灯不亮",
        phone="13812345678",
        lon=lon,
        lat=lat,
    )
    base.update(kw)
    return OrderDraft(**base)  # type: ignore[arg-type]


def test_full_loop(svc: OrderService, actors, county: County) -> None:
    res = svc.register(actors["duty"], draft())
    oid = res.order_id
    agg = svc.load(actors["duty"], oid)
    assert agg.order.state == OrderState.REGISTERED
    assert agg.order.location_unit_id == county.units["town1v1g1"]
    res = svc.dispatch(actors["dispatcher"], oid, county.units["town1"])
    hop = res.value[0]
    svc.accept(actors["h_town1"], oid, hop)
    svc.submit_result(actors["h_town1"], oid, hop, "已修复")
    svc.review(actors["supervisor"], oid, True)
    res = svc.visit(actors["supervisor"], oid, "satisfied")
    agg = svc.load(actors["duty"], oid)
    assert agg.order.state == OrderState.CLOSED
    assert agg.order.version == 6
    with svc.store.engine.connect() as conn:
        ids = conn.execute(select(events.c.id).order_by(events.c.id)).scalars().all()
    assert ids == list(range(1, 7))
