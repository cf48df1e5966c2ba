"""The import's bulk registration (``register_bulk``) writes exactly what the batch
registration (``register_many``) writes: the same orders, limits, callers, events and state
intervals, value for value as stored (JSON text included), the same ids and counters, the
same refusals. Same clock, same actor, two fresh copies of the county, both backends."""

from __future__ import annotations

import gc
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from core.clock import ManualClock
from core.domain.actor import Actor
from core.errors import PermissionDenied, ValidationError
from core.imports.run import GC_YOUNG_THRESHOLD, fewer_collections
from core.service import OrderService
from core.service_batch import BatchResult
from core.store import open_store
from core.workflow.intake import OrderDraft
from tests.core.conftest import sh
from tests.core.county import POINTS, County
from tests.core.test_smoke_loop import draft

TABLES = ("orders", "order_callers", "time_limits", "events", "state_intervals", "hops")


def varied(county: County) -> list[OrderDraft]:
    """Every kind of draft an import or a replay sends, good and bad, interleaved."""
    lon, lat = POINTS["town2v1g1"]
    dispute = "db44t2479-2024:0903:090305"
    now = sh(2025, 3, 3, 9, 0)
    out = [
        draft(),
        draft(description="噪音扰民\n第二行", request_type="report", urgency="urgent"),
        draft(phone="not a phone"),  # refused
        draft(
            category_node_id=dispute,
            risk_grade="yellow",
            parties=[{"name": "张三"}, {"name": "李四", "phone": "13900001111"}],
            dispute_type="邻里",
            leader_responsible="王主任",
            mediation_outcome="agreement",
            lon=lon,
            lat=lat,
        ),
        draft(description="   "),  # refused
        draft(channel="letter_visit", phone=None, extra_callers=[("王五", "010-62345678")]),
        draft(request_type="consultation", answer_on_spot="已告知办理流程"),
        draft(lon=POINTS["outside"][0], lat=POINTS["outside"][1]),  # refused
        draft(confidential=True, caller_name="举报人", phone="13912345678"),
        draft(anonymous=True, phone=None, channel="online", caller_name=None),
        draft(caller_name="  赵六 ", title="自定标题", address="城关镇 1 号"),
        # an upstream deadline already past: the resolve limit is capped and overdue
        draft(
            external_source="city12345", external_ref="U-1", upstream_due=now - timedelta(hours=2)
        ),
        # an upstream deadline earlier than ours caps it; a later one does not
        draft(
            external_source="city12345", external_ref="U-2", upstream_due=now + timedelta(days=1)
        ),
        draft(
            external_source="city12345", external_ref="U-3", upstream_due=now + timedelta(days=90)
        ),
        draft(police_incident_no=" 110-0001 ", urgency="urgent", channel="police_110"),
        draft(lon=None, lat=None, location_unit_id=county.units["town1v1g2"]),
        draft(lon=None, lat=None),  # filed under the centre
        draft(coord_system="gcj02", lon=lon + 0.005, lat=lat - 0.002),
        draft(
            extra_callers=[("甲", "13800000001"), (None, "0571-2234567-8"), ("乙", None)],
            answer_on_spot="当场答复",
        ),
        draft(category_node_id="no-such-node"),  # refused
        draft(request_type="suggestion", limit_class="safety"),
        draft(phone="138 1234 5678", caller_name="钱七"),
        draft(upstream_due=sh(2025, 3, 3, 8, 59), urgency="urgent"),  # capped, overdue
        draft(upstream_due=now),  # capped, due this instant: not overdue yet
    ]
    return out


def dump(svc: OrderService) -> dict[str, list[tuple[Any, ...]]]:
    """Every row as the driver returns it (SQLite: the stored JSON text itself)."""
    with svc.store.engine.connect() as conn:
        out = {
            t: [tuple(r) for r in conn.exec_driver_sql(f"SELECT * FROM {t} ORDER BY id")]
            for t in TABLES
        }
        out["counters"] = [
            tuple(r) for r in conn.exec_driver_sql("SELECT * FROM counters ORDER BY name")
        ]
        if conn.dialect.name == "postgresql":  # kept by statement triggers on orders, hops
            out["order_reach"] = [
                tuple(r) for r in conn.exec_driver_sql("SELECT * FROM order_reach ORDER BY 1, 2")
            ]
    return out


def codes(result: BatchResult) -> list[tuple[int, list[tuple[str, str]]]]:
    out = []
    for index, exc in result.rejected:
        assert isinstance(exc, ValidationError)
        out.append((index, [(e.field, e.code) for e in exc.errors]))
    return out


@pytest.mark.parametrize("chunk", [2000, 5])
def test_bulk_writes_what_register_many_writes(
    fresh_db: Callable[[], str],
    clock: ManualClock,
    actors: dict[str, Actor],
    county: County,
    chunk: int,
) -> None:
    """``chunk``: orders per transaction."""
    many, bulk = (OrderService(open_store(fresh_db(), clock=clock)) for _ in range(2))
    try:
        for svc in (many, bulk):  # orders already there: ids and numbers carry on from them
            svc.register(actors["duty"], draft(description="先有一件"))
        want = many.register_many(actors["duty"], varied(county), chunk=chunk)
        got = bulk.register_bulk(actors["duty"], varied(county), chunk=chunk)
        assert codes(got) == codes(want)
        assert [i for i, _ in got.rejected] == [2, 4, 7, 19]
        assert (got.registered, got.numbers, got.event_count) == (
            want.registered,
            want.numbers,
            want.event_count,
        )
        assert len(got.registered) == 20
        expected, actual = dump(many), dump(bulk)
        for table in expected:
            assert actual[table] == expected[table], table
        assert len(actual["events"]) == 1 + 20 + 2  # two answered on the spot
        assert any(row for row in actual["time_limits"] if row[11] is True or row[11] == 1)
    finally:
        many.store.engine.dispose()
        bulk.store.engine.dispose()


def test_bulk_needs_an_intake_role(svc: OrderService, actors: dict[str, Actor]) -> None:
    with pytest.raises(PermissionDenied):
        svc.register_bulk(actors["h_town1"], [draft()])
    # nothing valid: nothing to refuse on the role, as register_many
    result = svc.register_bulk(actors["h_town1"], [draft(description="")])
    assert [i for i, _ in result.rejected] == [0]


def test_an_import_collects_garbage_less_often_and_restores_the_threshold() -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), fewer_collections():
        assert gc.get_threshold()[0] >= GC_YOUNG_THRESHOLD
        raise RuntimeError("a refused file")
    assert gc.get_threshold() == before
