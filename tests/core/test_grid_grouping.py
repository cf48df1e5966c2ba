"""Grouping by grid (网格): an order counts for the grid its location lies in, a hop for the
grid of its order's location; an order located above grid level counts for the "no grid"
group of its town (keyed by the town's id; the county's for a county-level location).
Hand-computed on the March scenario of test_analytics plus three late entries. Both backends.
"""

from __future__ import annotations

from typing import Any

import pytest

from core.analytics import Report, compute
from core.clock import ManualClock
from core.domain.actor import Actor
from core.service import OrderService
from tests.core.county import County
from tests.core.test_analytics import AS_OF, CAT_B, _draft, build, mar, nd


def build_with_late_entries(
    svc: OrderService, actors: dict[str, Actor], county: County, clock: ManualClock
) -> dict[str, int]:
    ids = build(svc, actors, county, clock)
    u = county.units
    # G1 in grid 1-1-2, dispatched to town1 and never accepted; G2 in the school's special
    # grid; G3 located at village 1-2 (above grid level).
    clock.set(mar(28, 9))
    ids["G1"] = svc.register(actors["duty"], _draft("town1v1g2", "13700000001")).order_id
    clock.set(mar(28, 10))
    svc.dispatch(actors["dispatcher"], ids["G1"], u["town1"], [])
    clock.set(mar(29, 9))
    ids["G2"] = svc.register(actors["duty"], _draft("school", "13700000002", CAT_B)).order_id
    ids["G3"] = svc.register(
        actors["duty"], _draft("village", "13700000003", location_unit_id=u["town1v2"])
    ).order_id
    clock.set(AS_OF)
    return ids


@pytest.fixture
def built(svc: OrderService, actors: dict[str, Actor], county: County, clock: ManualClock) -> Any:
    return build_with_late_entries(svc, actors, county, clock)


def report(svc: OrderService, by: str) -> Report:
    return compute(svc.store.engine, period="2025-03", by=by, as_of=svc.store.clock.now())


def test_orders_and_hops_count_for_the_grid_of_the_location(
    svc: OrderService, built: Any, county: County
) -> None:
    u = county.units
    rep = report(svc, "grid")
    g = {row.key: row for row in rep.groups}
    g1, g2, school = str(u["town1v1g1"]), str(u["town1v1g2"]), str(u["school"])
    t2g1, town1, county_ = str(u["town2v1g1"]), str(u["town1"]), str(u["county"])
    assert set(g) == {g1, g2, school, t2g1, town1, county_}
    intake = {k: g[k].measures["intake"].numerator for k in g}
    # 7 and 5 as by town before the late entries; O7 at the county; G1, G2, G3 one each.
    assert intake == {g1: 7, g2: 1, school: 1, t2g1: 5, town1: 1, county_: 1}
    assert sum(intake.values()) == rep.total.measures["intake"].numerator == 16
    # Hops by their order's grid: O8's village hop counts for 1-1-1 as by town; G1's
    # town hop, still awaiting past its limit, for 1-1-2.
    acceptance = {k: nd(g[k].measures["timely_acceptance"]) for k in g}
    assert acceptance == {
        g1: (7, 8),
        g2: (0, 1),
        school: (0, 0),
        t2g1: (2, 3),
        town1: (0, 0),
        county_: (1, 1),  # O7: the police lead hop (assisting hops are not scored)
    }
    assert nd(g[g1].measures["on_time_closure"]) == (4, 6)
    assert nd(g[g1].measures["closure_rate"]) == (2, 7)
    assert nd(g[t2g1].measures["closure_rate"]) == (2, 4)
    # Names and kinds: grids are grids; the "no grid" groups are their town and the county.
    assert (g[g1].name, g[g1].kind) == ("1-1-1网格", "grid")
    assert (g[school].name, g[school].kind) == ("实验小学专属网格", "grid")
    assert (g[town1].name, g[town1].kind) == ("第1镇", "town")
    assert g[county_].kind == "county"


def test_grids_add_up_to_their_town(svc: OrderService, built: Any, county: County) -> None:
    u = county.units
    by_grid = {row.key: row for row in report(svc, "grid").groups}
    by_town = {row.key: row for row in report(svc, "town").groups}
    town1_parts = [str(u[k]) for k in ("town1v1g1", "town1v1g2", "school", "town1")]
    for name in ("intake", "timely_acceptance", "closure_rate", "on_time_closure"):
        parts = [by_grid[k].measures[name] for k in town1_parts]
        whole = by_town[str(u["town1"])].measures[name]
        assert sum(m.numerator for m in parts) == whole.numerator, name
        if whole.denominator is not None:
            assert sum(m.denominator or 0 for m in parts) == whole.denominator, name


def test_stats_by_grid(
    svc: OrderService, built: Any, capsys: pytest.CaptureFixture[str], county: County
) -> None:
    from main import main

    url = svc.store.engine.url.render_as_string(hide_password=False)
    assert main(["stats", "--db", url, "--period", "2025-03", "--by", "grid"]) == 0
    out = capsys.readouterr().out
    assert "by grid" in out
    assert "1-1-2网格" in out and "第1镇(未落网格)" in out


def test_drill_down_by_grid(svc: OrderService, built: Any, county: County) -> None:
    from core.analytics import parse_period
    from core.analytics.drill import group_order_ids

    u = county.units
    march = parse_period("2025-03", svc.store.reference().tz)

    def ids(key: int) -> set[int]:
        return group_order_ids(svc.store.engine, march, "grid", str(key), as_of=AS_OF)

    assert ids(u["town1v1g2"]) == {built["G1"]}
    assert ids(u["school"]) == {built["G2"]}
    assert ids(u["town1"]) == {built["G3"]}  # the "no grid" group of town 1
    assert ids(u["town2v2g2"]) == set()
