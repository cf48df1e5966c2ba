"""The batch registration path writes exactly what the single-order API writes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from core.clock import ManualClock
from core.domain.actor import Actor
from core.errors import CoreError, ValidationError
from core.service import OrderService
from core.storage.schema import events, order_callers, orders, state_intervals, time_limits
from core.store import open_store
from core.workflow.intake import OrderDraft
from tests.core.county import POINTS
from tests.core.test_smoke_loop import draft

TABLES = (orders, order_callers, time_limits, events, state_intervals)


def sample() -> list[OrderDraft]:
    lon, lat = POINTS["town2v1g1"]
    return [
        draft(),
        draft(description="噪音扰民", request_type="report", urgency="urgent"),
        draft(phone="not a phone"),  # bad: index 2
        draft(
            category_node_id="db44t2479-2024:0903:090305",
            risk_grade="yellow",
            parties=[{"name": "张三"}, {"name": "李四", "phone": "13900001111"}],
            lon=lon,
            lat=lat,
        ),
        draft(description="   "),  # bad: index 4
        draft(channel="letter_visit", phone=None, extra_callers=[("王五", "010-62345678")]),
        draft(request_type="consultation", answer_on_spot="已告知办理流程"),
        draft(lon=POINTS["outside"][0], lat=POINTS["outside"][1]),  # bad: index 7
    ]


def dump(svc: OrderService) -> dict[str, list[dict[str, Any]]]:
    with svc.store.engine.connect() as conn:
        return {
            t.name: [dict(r._mapping) for r in conn.execute(select(t).order_by(t.c.id))]
            for t in TABLES
        }


def test_batch_writes_what_single_calls_write(
    fresh_db: Callable[[], str], clock: ManualClock, actors: dict[str, Actor]
) -> None:
    one, many = (OrderService(open_store(fresh_db(), clock=clock)) for _ in range(2))
    try:
        rejected_single = []
        for i, d in enumerate(sample()):
            try:
                one.register(actors["duty"], d)
            except CoreError as exc:
                rejected_single.append(i)
                assert isinstance(exc, ValidationError)
        result = many.register_many(actors["duty"], sample())
        assert [i for i, _ in result.rejected] == rejected_single == [2, 4, 7]
        codes = {
            i: exc.errors[0].field for i, exc in result.rejected if isinstance(exc, ValidationError)
        }
        assert codes == {2: "phone", 4: "description", 7: "coordinates"}
        assert len(result.registered) == 5
        assert dump(one) == dump(many)
    finally:
        one.store.engine.dispose()
        many.store.engine.dispose()


def test_batch_in_chunks_keeps_numbers_dense(svc: OrderService, actors: dict[str, Actor]) -> None:
    drafts = [draft(description=f"第{i}件") for i in range(25)]
    drafts[7] = draft(description="")
    result = svc.register_many(actors["duty"], drafts, chunk=10)
    assert [i for i, _ in result.rejected] == [7]
    seq = [int(n.split("-")[1]) for n in result.numbers]
    assert seq == list(range(1, 25)), "order numbers have no holes even with a bad row"
