"""The orders behind a group (the assessment page's drill-down) against the fixture of
test_analytics (March 2025), and the month arithmetic of the period picker."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import pytest

from core.analytics import compute, parse_period
from core.analytics.drill import group_order_ids, group_orders, indicator_names, shift_month
from core.analytics.rules import INDICATORS
from core.errors import ValidationError
from core.service import OrderService
from tests.core.county import County
from tests.core.test_analytics import built  # noqa: F401 - the fixture

TZ = ZoneInfo("Asia/Shanghai")


def ids_of(ids: dict[str, int], *names: str) -> set[int]:
    return {ids[n] for n in names}


def test_shift_month() -> None:
    jan = parse_period("2025-01", TZ)
    assert shift_month(jan, -1).label == "2024-12"
    assert shift_month(jan, 1).label == "2025-02"
    assert shift_month(parse_period("2024-12", TZ), 1).label == "2025-01"
    with pytest.raises(ValidationError):
        shift_month(parse_period("2025", TZ), 1)


def test_indicator_names_come_from_the_rules() -> None:
    names = indicator_names()
    assert list(names) == list(INDICATORS)
    assert names["on_time_closure"] == "按期办结率" and names["intake"] == "受理量"


def test_the_orders_behind_a_unit(svc: OrderService, built: Any, county: County) -> None:  # noqa: F811
    u, engine, now = county.units, svc.store.engine, svc.store.clock.now()
    march = parse_period("2025-03", TZ)
    town1 = group_order_ids(engine, march, "unit", str(u["town1"]), as_of=now)
    # Accountable for F1 O2 O8 O10 O15; O4's first hop was town1's (timely acceptance).
    assert town1 == ids_of(built, "F1", "O2", "O4", "O8", "O10", "O15")
    village = group_order_ids(engine, march, "unit", str(u["town1v1"]), as_of=now)
    assert village == ids_of(built, "O8")  # only its passed-down hop
    rows = group_orders(engine, march, "unit", str(u["town1"]), as_of=now)
    assert [r.id for r in rows] == [built[n] for n in ("F1", "O2", "O4", "O8", "O15", "O10")]
    assert rows[1].state == "closed" and rows[0].registered_at.tzinfo is not None


def test_the_county_and_every_group(svc: OrderService, built: Any) -> None:  # noqa: F811
    engine, now = svc.store.engine, svc.store.clock.now()
    march = parse_period("2025-03", TZ)
    county_ids = group_order_ids(engine, march, "county", "county", as_of=now)
    want = ["F1", "O1", "O2", "O3", "O4", "O5", "O7", "O8", "O9", "O10", "O11", "O12"]
    assert county_ids == ids_of(built, *want, "O14", "O15", "O16")  # not O6 (voided), O13
    # By town every order falls in exactly one group, and the groups add up to the county.
    rep = compute(engine, period=march, by="town", as_of=now)
    parts = [group_order_ids(engine, march, "town", g.key, as_of=now) for g in rep.groups]
    assert set().union(*parts) == county_ids
    assert sum(len(p) for p in parts) == len(county_ids)
