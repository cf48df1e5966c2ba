"""The wall's figures (core.wall.figures): every tile equals a direct SQL reading written
here on its own, a past moment reads as it did live, the page's scope narrows every
order figure, and the rates are the assessment's. On both backends, on the test's clock."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, bindparam, text, update

from core.analytics.period import month
from core.analytics.report import DrillDatabase, compute, compute_many
from core.clock import ManualClock
from core.domain.actor import Actor
from core.domain.enums import OPEN_STATES
from core.service import OrderService
from core.storage.db import read_tx, write_tx
from core.storage.schema import settings
from core.storage.types import UTCDateTime
from core.wall.figures import read_figures, read_rates, with_rates
from core.wall.model import FUNNEL_STATES, RISK_GRADES, TIERS, RankRow, Rates, Scope, WallFigures
from core.warning.alerts import acknowledge, close, raise_alerts
from core.warning.model import Candidate, Rule, Severity
from core.workflow.intake import OrderDraft
from tests.core.conftest import SHANGHAI, sh
from tests.core.county import POINTS, County

STREETLIGHT = "db44t2479-2024:0303:030301"  # 建筑工程管理 (general)
HARDSHIP = "db44t2479-2024:0901:090108"  # 困难群体救助 (general, another top level)
OPEN_SQL = ", ".join(f"'{s.value}'" for s in sorted(OPEN_STATES))

_phones = itertools.count(1)


def draft(at: str | None = "town1v1g1", **kw: object) -> OrderDraft:
    base: dict[str, object] = dict(
        channel="hotline",
        request_type="complaint",
        category_node_id=STREETLIGHT,
        description="路灯不亮",
        phone=f"137{next(_phones):08d}",
        caller_name="王先生",
    )
    if at is not None:
        base["lon"], base["lat"] = POINTS[at]
    base.update(kw)
    return OrderDraft(**base)  # type: ignore[arg-type]


def category_of(svc: OrderService, limit_class: str) -> str:
    """A selectable category of this time-limit class."""
    cats = svc.store.reference().categories
    return next(c.node_id for c in cats.selectable() if c.limit_class == limit_class)


# --- a morning's work -------------------------------------------------------------------


@dataclass
class Burst:
    orders: dict[str, int] = field(default_factory=dict)
    hops: dict[str, int] = field(default_factory=dict)
    alerts: dict[str, int] = field(default_factory=dict)


def raise_one(svc: OrderService, key: str, severity: Severity, unit_id: int | None) -> int:
    cand = Candidate(Rule.CLUSTER, key, severity, f"预警 {key}", {"orders": []}, unit_id)
    with write_tx(svc.store.engine) as conn:
        [alert_id] = raise_alerts(conn, [cand], svc.store.clock.now())
    return alert_id


def burst(svc: OrderService, a: dict[str, Actor], county: County, clock: ManualClock) -> Burst:
    """A week ago: three orders, two left undispatched (overdue by now), one handled.
    This Monday morning from 08:00: a dozen orders of every kind, dispatched, accepted,
    passed down, answered, closed, one paused, one overdue at a department, and alerts."""
    u, b = county.units, Burst()
    dispute = category_of(svc, "simple_dispute")
    safety = category_of(svc, "safety")

    def reg(name: str, at: str | None = "town1v1g1", user: str = "duty", **kw: object) -> int:
        oid = svc.register(a[user], draft(at, **kw)).order_id
        b.orders[name] = oid
        return oid

    def send(name: str, unit: str, handler: str | None = None) -> int:
        hop = svc.dispatch(a["dispatcher"], b.orders[name], u[unit]).value[0]
        b.hops[name] = hop
        if handler is not None:
            svc.accept(a[handler], b.orders[name], hop)
        return int(hop)

    def close_it(name: str, handler: str) -> None:
        oid = b.orders[name]
        svc.submit_result(a[handler], oid, b.hops[name], "已处理")
        svc.review(a["supervisor"], oid, True)
        svc.visit(a["supervisor"], oid, "satisfied")

    clock.set(sh(2025, 3, 3, 8, 10))
    reg("old_waiting")
    clock.advance(minutes=55)
    reg("old_patrol", "town2v1g1", channel="grid_patrol", phone=None, caller_name=None)
    send("old_patrol", "town2")
    clock.advance(minutes=80)
    reg("old_handled", "town2v1g1")
    send("old_handled", "town2", "h_town2")
    clock.advance(hours=3)
    reg("old_county", None, category_node_id=HARDSHIP)

    clock.set(sh(2025, 3, 10, 8, 0))
    reg("t_grid")
    reg("t_town2", "town2v1g1")
    reg("t_school", "school", user="town1_duty")
    reg("t_nowhere", None, address="县政府门口")
    reg("t_dispute_red", "town1v1g2", category_node_id=dispute, risk_grade="red")
    reg("t_dispute_yellow", "town2v1g1", category_node_id=dispute, risk_grade="yellow")
    reg("t_dispute_yellow2", "town1v1g1", category_node_id=dispute, risk_grade="yellow")
    reg("t_safety", "town2v1g1", category_node_id=safety, channel="city_platform")
    reg("t_patrol", "town1v1g2", channel="grid_patrol", phone=None, caller_name=None)
    reg("t_close1", category_node_id=HARDSHIP)
    reg("t_close2", "town2v1g1")
    reg("t_pause")
    for name in b.orders:
        if name.startswith("t_"):
            clock.advance(minutes=6)
    send("t_grid", "town1", "h_town1")
    hop = svc.pass_down(a["h_town1"], b.orders["t_grid"], b.hops["t_grid"], u["town1v1"]).value
    svc.accept(a["h_town1v1"], b.orders["t_grid"], hop)
    b.hops["t_grid_village"] = hop
    send("t_dispute_red", "town1", "h_town1")
    hop = svc.pass_down(
        a["h_town1"], b.orders["t_dispute_red"], b.hops["t_dispute_red"], u["town1v2"]
    ).value
    svc.accept(a["h_town1v2"], b.orders["t_dispute_red"], hop)
    clock.advance(minutes=5)
    svc.submit_result(a["h_town1v2"], b.orders["t_dispute_red"], hop, "已调解")  # town holds
    send("t_town2", "town2")  # awaiting acceptance
    send("t_safety", "police", "h_police")
    send("t_dispute_yellow", "town2", "h_town2")
    send("t_close1", "civil", "h_civil")
    send("t_close2", "town2", "h_town2")
    send("t_pause", "town1", "h_town1")
    clock.advance(minutes=10)
    close_it("t_close1", "h_civil")
    close_it("t_close2", "h_town2")
    svc.request_pause(a["h_town1"], b.orders["t_pause"], "等待法院判决")
    svc.decide_pause(a["supervisor"], b.orders["t_pause"], True, "同意")
    svc.mark_time_conditions()
    b.alerts["red"] = raise_one(svc, "grid-1", Severity.RED, u["town1v1g1"])
    clock.advance(minutes=3)
    b.alerts["yellow"] = raise_one(svc, "county-1", Severity.YELLOW, None)
    b.alerts["orange"] = raise_one(svc, "town2-1", Severity.ORANGE, u["town2"])
    clock.advance(minutes=2)
    acknowledge(svc.store, a["duty"], b.alerts["yellow"])
    return b


def later_changes(
    svc: OrderService, a: dict[str, Actor], county: County, clock: ManualClock, b: Burst
) -> None:
    """Three hours on: more of everything, including what moves the past's holders (a
    return, an escalation from a village, a pass-down, an answer going up)."""
    u = county.units
    clock.advance(hours=3)
    for name in ("n1", "n2"):
        b.orders[name] = svc.register(a["duty"], draft("town2v1g1")).order_id
    svc.return_hop(a["h_town2"], b.orders["t_town2"], b.hops["t_town2"], "不属于本镇")
    svc.escalate(a["h_town1v1"], b.orders["t_grid"], b.hops["t_grid_village"], "需镇里协调")
    hop = svc.pass_down(
        a["h_town2"], b.orders["t_dispute_yellow"], b.hops["t_dispute_yellow"], u["town2v1"]
    ).value
    svc.accept(a["h_town2v1"], b.orders["t_dispute_yellow"], hop)
    svc.submit_result(a["h_town2v1"], b.orders["t_dispute_yellow"], hop, "已调解")
    svc.submit_result(a["h_police"], b.orders["t_safety"], b.hops["t_safety"], "已处置")
    svc.void(a["dispatcher"], b.orders["old_waiting"], "重复")
    close(svc.store, a["duty"], b.alerts["red"], "处置完毕")
    acknowledge(svc.store, a["duty"], b.alerts["orange"])
    raise_one(svc, "later-1", Severity.RED, u["town2v1g1"])
    svc.mark_time_conditions()


# --- the same figures, read directly ----------------------------------------------------


def _q(conn: Connection, sql: str, **params: Any) -> list[Any]:
    stmt = text(sql)
    params = {k: v for k, v in params.items() if f":{k}" in sql}
    times = [k for k, v in params.items() if isinstance(v, datetime)]
    if times:
        stmt = stmt.bindparams(*(bindparam(k, type_=UTCDateTime()) for k in times))
    return list(conn.execute(stmt, params))


def aware(raw: str | datetime) -> datetime:
    """A time as the driver returns it in raw SQL (SQLite text, PostgreSQL naive)."""
    value = datetime.fromisoformat(raw) if isinstance(raw, str) else raw
    return value.replace(tzinfo=UTC)


def direct(
    svc: OrderService, now: datetime, where: str = "1 = 1", town: int | None = None
) -> dict[str, Any]:
    """Every figure of ``read_figures`` (live) straight from the tables: ``where`` narrows
    orders (alias ``o``); ``town``: alerts of that unit's territory and county-wide."""
    local = now.astimezone(SHANGHAI)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)
    hour = local.replace(minute=0, second=0, microsecond=0).astimezone(UTC)
    late = (
        "EXISTS (SELECT 1 FROM time_limits l WHERE l.order_id = o.id AND l.ended_at IS NULL"
        " AND l.due_at < COALESCE(o.paused_at, :now))"
    )
    warned = (
        "EXISTS (SELECT 1 FROM time_limits l WHERE l.order_id = o.id AND l.ended_at IS NULL"
        " AND l.warn_at <= COALESCE(o.paused_at, :now))"
    )
    is_open = f"o.state IN ({OPEN_SQL}) AND ({where})"
    out: dict[str, Any] = {}
    with read_tx(svc.store.engine) as conn:
        county_level = _q(conn, "SELECT level FROM units WHERE kind = 'county'")[0][0]

        def count(sql: str, **kw: Any) -> int:
            return int(_q(conn, sql, now=now, **kw)[0][0])

        out["open"] = count(f"SELECT count(*) FROM orders o WHERE {is_open}")
        out["overdue"] = count(f"SELECT count(*) FROM orders o WHERE {is_open} AND {late}")
        out["warning"] = count(
            f"SELECT count(*) FROM orders o WHERE {is_open} AND NOT {late} AND {warned}"
        )
        out["intake_today"] = count(
            f"SELECT count(*) FROM orders o WHERE o.registered_at >= :m"
            f" AND o.registered_at <= :now AND ({where})",
            m=midnight,
        )
        out["closed_today"] = count(
            f"SELECT count(*) FROM orders o WHERE o.closed_at >= :m AND o.closed_at <= :now"
            f" AND ({where})",
            m=midnight,
        )
        funnel = {(t, s): 0 for t in TIERS for s in FUNNEL_STATES}
        for level, state, n in _q(
            conn,
            "SELECT COALESCE(h.level, o.planned_tier, :c), o.state, count(*) FROM orders o"
            f" LEFT JOIN units h ON h.id = o.lead_unit_id WHERE {is_open} GROUP BY 1, 2",
            c=county_level,
        ):
            tier = 1 if level <= county_level else 2 if level == county_level + 1 else 3
            funnel[(tier, state)] += n
        out["funnel"] = funnel
        out["grids"] = [
            tuple(int(v) for v in r)
            for r in _q(
                conn,
                f"SELECT o.location_unit_id, count(*), SUM(CASE WHEN {late} THEN 1 ELSE 0 END)"
                f" FROM orders o WHERE {is_open} GROUP BY o.location_unit_id ORDER BY 1",
                now=now,
            )
        ]
        trend = []
        for start in (hour - timedelta(hours=23 - i) for i in range(24)):
            end = min(start + timedelta(hours=1), now)
            op = "<=" if end == now else "<"
            trend.append(
                (
                    start,
                    count(
                        "SELECT count(*) FROM orders o WHERE o.registered_at >= :s"
                        f" AND o.registered_at {op} :e AND ({where})",
                        s=start,
                        e=end,
                    ),
                )
            )
        out["trend_today"] = trend
        week = timedelta(days=7)
        out["trend_last_week"] = [
            (
                s - week,
                count(
                    "SELECT count(*) FROM orders o WHERE o.registered_at >= :s"
                    f" AND o.registered_at {'<=' if i == 23 else '<'} :e AND ({where})",
                    s=s - week,
                    e=min(s + timedelta(hours=1), now) - week,
                ),
            )
            for i, (s, _) in enumerate(trend)
        ]
        out["categories"] = [
            (code, name, int(n))
            for code, name, n in _q(
                conn,
                "SELECT c1.node_id, c1.name, count(*) FROM orders o"
                " JOIN categories c3 ON c3.node_id = o.category_node_id"
                " JOIN categories c2 ON c2.node_id = c3.parent_node_id"
                " JOIN categories c1 ON c1.node_id = c2.parent_node_id"
                f" WHERE {is_open} GROUP BY c1.node_id, c1.name ORDER BY 3 DESC, 1",
            )
        ]
        risk = dict.fromkeys(RISK_GRADES, 0)
        for grade, n in _q(
            conn,
            "SELECT o.risk_grade, count(*) FROM orders o"
            f" WHERE {is_open} AND o.risk_grade IS NOT NULL GROUP BY 1",
        ):
            risk[grade] = int(n)
        out["disputes_by_risk"] = risk
        alert_scope = "1 = 1"
        if town is not None:
            alert_scope = (
                "(a.unit_id IS NULL OR a.unit_id IN (SELECT id FROM units WHERE path LIKE"
                f" (SELECT path FROM units WHERE id = {int(town)}) || '%'))"
            )
        out["alerts"] = [
            (int(i), s)
            for i, s in _q(
                conn,
                "SELECT a.id, a.status FROM alerts a WHERE a.status IN ('raised', 'acknowledged')"
                f" AND {alert_scope} ORDER BY CASE a.severity WHEN 'red' THEN 0"
                " WHEN 'orange' THEN 1 ELSE 2 END, a.raised_at DESC, a.id DESC LIMIT 5",
            )
        ]
        # The ticker looks back a week at most.
        if where == "1 = 1":
            ticker_sql = "SELECT e.id FROM events e WHERE e.at >= :week ORDER BY e.id DESC LIMIT 8"
        else:
            ticker_sql = (
                "SELECT e.id FROM events e JOIN orders o ON o.id = e.order_id"
                f" WHERE e.at >= :week AND {where} ORDER BY e.id DESC LIMIT 8"
            )
        out["ticker"] = [int(r[0]) for r in _q(conn, ticker_sql, week=now - timedelta(days=7))]
        out["newest_event_id"] = count("SELECT max(id) FROM events")
        out["arrivals"] = [
            int(r[0])
            for r in _q(
                conn,
                "SELECT o.id FROM orders o WHERE o.registered_at > :since"
                " AND o.registered_at <= :now AND o.lon IS NOT NULL AND o.lat IS NOT NULL"
                f" AND ({where}) ORDER BY o.registered_at DESC, o.id DESC",
                now=now,
                since=now - timedelta(minutes=10),
            )
        ]
        out["overdue_spots"] = [
            (int(i), aware(due))
            for i, due in _q(
                conn,
                "SELECT o.id, min(l.due_at) FROM orders o"
                " JOIN time_limits l ON l.order_id = o.id AND l.ended_at IS NULL"
                f" WHERE {is_open} AND o.lon IS NOT NULL AND o.lat IS NOT NULL"
                " GROUP BY o.id, o.paused_at HAVING min(l.due_at) < COALESCE(o.paused_at, :now)"
                " ORDER BY 2, 1",
                now=now,
            )
        ]
    return out


def seen(f: WallFigures) -> dict[str, Any]:
    """The figures in the shape ``direct`` gives them."""
    return {
        "open": f.kpis.open,
        "overdue": f.kpis.overdue,
        "warning": f.kpis.warning,
        "intake_today": f.kpis.intake_today,
        "closed_today": f.kpis.closed_today,
        "funnel": f.funnel,
        "grids": [(g.unit_id, g.open, g.overdue) for g in f.grids],
        "trend_today": [(p.hour_start, p.count) for p in f.trend_today],
        "trend_last_week": [(p.hour_start, p.count) for p in f.trend_last_week],
        "categories": [(c.code, c.name, c.count) for c in f.categories],
        "disputes_by_risk": f.disputes_by_risk,
        "alerts": [(r.id, r.status) for r in f.alerts],
        "ticker": [t.event_id for t in f.ticker],
        "newest_event_id": f.newest_event_id,
        "arrivals": [s.order_id for s in f.arrivals],
        "overdue_spots": [(s.order_id, s.at) for s in f.overdue_spots],
    }


def town_where(svc: OrderService, unit_id: int) -> str:
    return (
        "o.location_unit_id IN (SELECT id FROM units WHERE path LIKE"
        f" (SELECT path FROM units WHERE id = {int(unit_id)}) || '%')"
    )


# --- the tests ----------------------------------------------------------------------------


def test_every_tile_equals_a_direct_reading(
    svc: OrderService, actors: dict[str, Actor], county: County, clock: ManualClock
) -> None:
    b = burst(svc, actors, county, clock)
    got = read_figures(svc.store, Scope())
    want = direct(svc, clock.now())
    assert seen(got) == want
    # The burst reaches every tile: nothing passes by being empty.
    k = got.kpis
    assert k.open >= 10 and k.overdue >= 2 and k.warning >= 1
    assert k.intake_today == 12 and k.closed_today == 2
    assert {t for (t, _), n in got.funnel.items() if n} == {1, 2, 3}
    assert got.funnel[(3, "in_progress")] == 1 and got.funnel[(1, "paused")] == 0
    assert sum(p.count for p in got.trend_last_week) >= 2
    assert len(got.categories) >= 3 and got.disputes_by_risk["yellow"] == 2
    assert [a.id for a in got.alerts] == [b.alerts["red"], b.alerts["orange"], b.alerts["yellow"]]
    assert got.alerts[2].status == "acknowledged" and got.alerts[0].unit_name == "1-1-1网格"
    assert len(got.ticker) == 8 and got.overdue_spots
    assert got.live and got.at == clock.now() and not got.drill
    assert got.newest_event_at is not None and got.newest_event_at <= clock.now()
    # Places: the town of the location, else the unit holding the order, else the county.
    places = {t.order_number: t.place for t in got.ticker if t.order_number}
    assert set(places.values()) <= {"第1镇", "第2镇", "县公安局", "县民政局", "测试县"}
    assert any(t.order_number is None and t.kind == "alert_acknowledged" for t in got.ticker)
    # Arrivals: only the last ten minutes' registrations.
    clock.advance(minutes=30)
    reg = svc.register(actors["duty"], draft("town2v1g1")).order_id
    again = read_figures(svc.store, Scope())
    assert [s.order_id for s in again.arrivals] == [reg]
    assert seen(again) == direct(svc, clock.now())


@pytest.mark.parametrize("page", ["town", "limit_class", "channel"])
def test_a_pages_scope_narrows_every_order_figure(
    svc: OrderService,
    actors: dict[str, Actor],
    county: County,
    clock: ManualClock,
    page: str,
) -> None:
    burst(svc, actors, county, clock)
    town = None
    if page == "town":
        town = county.units["town1"]
        scope, where = Scope(unit_id=town), town_where(svc, town)
    elif page == "limit_class":
        scope = Scope(limit_classes=("simple_dispute", "hard_dispute"))
        where = "o.limit_class IN ('simple_dispute', 'hard_dispute')"
    else:
        scope, where = Scope(channels=("grid_patrol",)), "o.channel = 'grid_patrol'"
    got = read_figures(svc.store, scope)
    assert seen(got) == direct(svc, clock.now(), where, town)
    whole = read_figures(svc.store, Scope())
    assert 0 < got.kpis.open < whole.kpis.open
    assert all(t.order_number is not None for t in got.ticker)
    if page == "town":
        # Its own alerts and the county-wide one, not town2's.
        assert {a.severity for a in got.alerts} == {"red", "yellow"}
        assert all(g.unit_id != county.units["town2v1g1"] for g in got.grids)
    else:
        assert got.alerts == whole.alerts


def test_a_past_moment_reads_as_it_did_live(
    svc: OrderService, actors: dict[str, Actor], county: County, clock: ManualClock
) -> None:
    b = burst(svc, actors, county, clock)
    t1 = clock.now()
    scopes = [
        Scope(),
        Scope(unit_id=county.units["town1"]),
        Scope(unit_id=county.units["town2"]),
        Scope(limit_classes=("simple_dispute",)),
        Scope(channels=("grid_patrol", "hotline")),
    ]
    then = {s: read_figures(svc.store, s) for s in scopes}
    later_changes(svc, actors, county, clock, b)
    now = read_figures(svc.store, Scope())
    assert now.kpis != then[Scope()].kpis and now.newest_event_id > then[Scope()].newest_event_id
    for scope, live in then.items():
        past = read_figures(svc.store, scope, at=t1)
        assert not past.live
        assert past == replace(live, live=False), scope
    # Read as of this very moment, the past path gives the live figures too.
    for scope in scopes:
        live = read_figures(svc.store, scope)
        assert read_figures(svc.store, scope, at=clock.now()) == replace(live, live=False)
    # Local time: a moment given in Shanghai time is the same moment.
    assert read_figures(svc.store, Scope(), at=t1.astimezone(SHANGHAI)).at == t1
    with pytest.raises(ValueError):
        read_figures(svc.store, Scope(), at=t1.replace(tzinfo=None))


def test_the_drill_flag_and_rates_on_a_drill_database(
    svc: OrderService, actors: dict[str, Actor], county: County, clock: ManualClock
) -> None:
    burst(svc, actors, county, clock)
    assert not read_figures(svc.store, Scope()).drill
    with write_tx(svc.store.engine) as conn:
        conn.execute(
            update(settings).where(settings.c.key == "database_kind").values(value="drill")
        )
    assert read_figures(svc.store, Scope()).drill
    with pytest.raises(DrillDatabase):
        compute(svc.store.engine, as_of=clock.now())  # assessment stays refused
    rates = read_rates(svc.store, Scope())
    assert rates.period == "2025-03" and rates.on_time_rate is not None


def _expected_rates(svc: OrderService, at: datetime, town: int | None) -> Rates:
    local = at.astimezone(SHANGHAI)
    period = month(local.year, local.month, SHANGHAI)
    reports = compute_many(svc.store.engine, period=period, bys=("town", "unit"), as_of=at)
    if town is None:
        measures = reports["unit"].total.measures
    else:
        measures = next(g for g in reports["town"].groups if g.key == str(town)).measures
    return Rates(
        "2025-03",
        town,
        measures["on_time_closure"].value,
        measures["satisfaction"].value,
        measures["timely_acceptance"].value,
        (),
        (),
    )


def test_rates_are_the_assessments(
    svc: OrderService, actors: dict[str, Actor], county: County, clock: ManualClock
) -> None:
    burst(svc, actors, county, clock)
    at = clock.now()
    rates = read_rates(svc.store, Scope(), ranking_items=3)
    assert replace(rates, best=(), worst=()) == _expected_rates(svc, at, None)
    assert rates.on_time_rate is not None and rates.response_rate is not None
    report = compute(svc.store.engine, period="2025-03", by="unit", as_of=at)
    scored = [g for g in report.groups if g.score.value is not None]
    want = [RankRow(int(g.key), g.name or "", g.score.value or 0.0, g.rank or 0) for g in scored]
    want_best = sorted(want, key=lambda r: (r.rank, r.unit_id))[:3]
    want_worst = sorted(want, key=lambda r: (-r.rank, r.unit_id))[:3]
    assert rates.best == tuple(want_best) and rates.worst == tuple(want_worst)
    assert rates.best and rates.best[0].rank == 1

    # A town's page: the town's own rates; its units ranked among themselves.
    town = county.units["town2"]
    mine = read_rates(svc.store, Scope(unit_id=town))
    assert replace(mine, best=(), worst=()) == _expected_rates(svc, at, town)
    org = svc.store.reference().org
    assert mine.best and all(org.within(r.unit_id, town) for r in mine.best + mine.worst)
    assert mine.best[0].rank == 1
    # A themed page shows the county's rates.
    themed = read_rates(svc.store, Scope(limit_classes=("safety",)))
    assert themed == replace(rates, best=themed.best, worst=themed.worst)
    assert themed.for_unit is None

    # A past moment: the month containing it, as of it.
    before = at - timedelta(hours=1)
    past = read_rates(svc.store, Scope(), at=before)
    assert replace(past, best=(), worst=()) == _expected_rates(svc, before, None)

    figures = with_rates(read_figures(svc.store, Scope()), rates)
    assert figures.kpis.on_time_rate == rates.on_time_rate
    assert figures.kpis.response_rate == rates.response_rate
    assert figures.best == rates.best and figures.worst == rates.worst
    assert figures.ranking_period == "2025-03"
