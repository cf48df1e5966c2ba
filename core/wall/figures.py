"""The wall's figures, live or as of a past moment, read in one snapshot so they agree.

``read_figures(store, scope, at)`` fills a ``WallFigures``; ``read_rates`` the month's rates
and the ranking (slower: core.analytics); ``with_rates`` puts the two together. ``at`` None
is live: the moment is ``store.clock.now()``. The statements are in core.wall.reads.

Every count below is for the page's ``Scope``: ``unit_id`` keeps orders located in that
unit's territory (the unit and every unit under it), ``limit_classes`` and ``channels``
keep orders of those classes and channels.

Definitions (the moment is T; "today" is [local midnight of T in the county's zone, T]):

- **intake_today**: orders registered today, whatever became of them (voided and merged
  ones too). **closed_today**: orders that entered ``closed`` today (a ``closed`` state
  interval starting today; an order closed twice today counts once). The state intervals,
  not ``orders.closed_at``, because they are indexed and are the same live and as of T.
- **open**: orders in an open state (registered, dispatched, in progress, paused, pending
  review, pending visit). Live from ``orders.state``; as of T from the state interval
  alive at T (``valid_from <= T < valid_to``, or ``valid_to`` NULL).
- **overdue**: an open order with a time limit open at T whose due time is before the
  order's clock: T, or the moment its pause began when it is paused (core.queues' rule).
  **warning** (临期): open, not overdue, with an open limit whose warning time has passed
  on that clock. Live the open limits are ``ended_at IS NULL``; as of T those with
  ``start_at <= T`` and not ended by T. *Due times are as they stand now*: an extension
  granted, or a pause lifted, after T moves the due time the past moment is judged by.
- **funnel**: open orders by (tier, state). The tier is the level of the unit holding the
  order as the dispatch panels fold it (1 the county and its departments, 2 a town, 3 a
  village or a grid); not dispatched: the category's planned tier, else the county's.
  Live the holder is ``orders.lead_unit_id``. As of T: none when the order was
  ``registered`` at T; else the receiver of the latest lead hop dispatched by T, skipping
  a hop below the top whose answer had gone up by T and a hop returned or escalated by T
  (its ``returned``/``escalated`` event). *Approximation*: a hop that was reworked after a
  failed review keeps its earlier answer time, so between that failure and the new answer
  a multi-level chain reads as held one level up.
- **grids**: open and overdue orders per ``orders.location_unit_id`` (a grid, or the
  village, town or county an order without a grid is filed under); units with open
  orders only, by unit id.
- **trend_today**: orders registered per local whole hour, the 24 hours whose last is the
  hour T is in (that bucket ends at T); **trend_last_week** the same hours 7 days before.
- **categories**: open orders by top-level category, largest first (then by code).
- **disputes_by_risk**: open orders with a risk grade, per grade (every grade present).
- **alerts**: early-warning alerts open at T (raised by T, not closed by T), with their
  status at T (acknowledged by T or raised); red, orange, yellow, then newest. A town's
  page shows the town's alerts and the county-wide ones (no unit); other filters do not
  apply to alerts.
- **ticker**: the newest events of the last 7 days (live: by event id; as of T: by time,
  ``at <= T``), with the order's number, title and place (the town or street of its
  location, else the department or town holding it, else the county), as the order reads
  now. Events about no order (feed items, alerts) show on an unfiltered page only.
- **arrivals**: orders with coordinates registered in (T − flash_minutes, T], newest
  first. **overdue_spots**: overdue open orders with coordinates, at their earliest open
  due time, most overdue first.
- **newest_event_id/at**: live the newest event in the snapshot; as of T the newest with
  ``at <= T`` (0 and None when there is none).
- **drill**: settings ``database_kind`` is ``drill``.
- Registration times are as recorded: orders imported later with older registration times
  appear in the past they name.
- **Rates** (``read_rates``): the indicators on_time_closure, satisfaction and
  timely_acceptance of ``core.analytics.compute`` for the local month containing T, as of
  T; the whole county's, or with a town's scope the town's own (``by="town"``). Themed
  pages (limit classes, channels) show the county's rates. The ranking is ``by="unit"``:
  units with a composite score, best (rank 1) first and worst first; with a town's scope
  the units inside the town, ranked among themselves.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from core.analytics.report import _snapshot, database_settings
from core.domain.enums import UnitKind
from core.org import OrgDirectory, is_within
from core.store import Store
from core.wall import reads
from core.wall.model import (
    FUNNEL_STATES,
    RISK_GRADES,
    TIERS,
    CategoryShare,
    GridLoad,
    Kpis,
    RankRow,
    Rates,
    Scope,
    TrendPoint,
    WallFigures,
)
from core.wall.reads import PageFilter
from core.workflow.context import Reference

# --- the whole wall ----------------------------------------------------------------------


def _moment(store: Store, at: datetime | None) -> datetime:
    if at is None:
        return store.clock.now().astimezone(UTC)
    if at.tzinfo is None:
        raise ValueError("read_figures needs a timezone-aware moment")
    return at.astimezone(UTC)


def _county_level(org: OrgDirectory) -> int:
    county = next((u for u in org.all() if u.kind == UnitKind.COUNTY), None)
    return county.level if county is not None else 1


def _tier(level: int, county_level: int) -> int:
    """The funnel's tier of a holder's level, as the dispatch panels fold levels."""
    return max(TIERS[0], min(TIERS[-1], level - county_level + 1))


def read_figures(
    store: Store,
    scope: Scope,
    at: datetime | None = None,
    *,
    ticker_items: int = 8,
    alert_items: int = 5,
    flash_minutes: float = 10.0,
    spots_limit: int = 300,
) -> WallFigures:
    """The wall's figures for ``scope``: live (``at`` None, the store's clock) or as of
    ``at`` (aware). One read snapshot; rates and ranking are left empty (``read_rates``)."""
    ref = store.reference()
    org = ref.org
    live = at is None
    moment = _moment(store, at)
    flt = PageFilter(scope, org)
    county_level = _county_level(org)
    starts = reads.hour_starts(moment, ref)
    week = timedelta(days=7)
    midnight = reads.midnight(moment, ref)
    with _snapshot(store.engine) as conn:
        drill = database_settings(conn).get("database_kind") == "drill"
        base = reads.open_base(moment, live, flt, county_level, conn.dialect.name == "sqlite")
        grouped = reads.open_figures(conn, base)
        overdue_spots = reads.overdue_spots(conn, base, spots_limit)
        today, intake = reads.registered_by_hour(conn, flt, starts, moment, midnight)
        last = [s - week for s in starts]
        last_week, _ = reads.registered_by_hour(conn, flt, last, moment - week, last[0])
        closed = reads.closed_since(conn, flt, midnight, moment)
        arrivals = reads.arrivals(conn, flt, moment, flash_minutes, spots_limit)
        alert_rows = reads.open_alerts(conn, org, flt, moment, live, alert_items)
        newest_id, newest_at = reads.newest_event(conn, moment, live)
        ticker = reads.ticker(conn, org, flt, moment, live, newest_id, ticker_items)
    kpi = next(r for r in grouped if r[0] == "kpi")
    funnel = {(tier, state): 0 for tier in TIERS for state in FUNNEL_STATES}
    grids: list[GridLoad] = []
    by_cat: dict[str, int] = {}
    risk = dict.fromkeys(RISK_GRADES, 0)
    for kind, key, code, n, extra, _ in grouped:
        if kind == "funnel":
            tier = (_tier(int(key), county_level), code)
            funnel[tier] = funnel.get(tier, 0) + int(n)
        elif kind == "grid":
            grids.append(GridLoad(int(key), int(n), int(extra)))
        elif kind == "cat":
            top = _top_category(ref, code)
            by_cat[top] = by_cat.get(top, 0) + int(n)
        elif kind == "risk":
            risk[code] = int(n)
    return WallFigures(
        at=moment,
        live=live,
        newest_event_id=newest_id,
        newest_event_at=newest_at,
        kpis=Kpis(
            intake_today=intake,
            open=int(kpi[3]),
            overdue=int(kpi[4]),
            warning=int(kpi[5]),
            on_time_rate=None,
            satisfaction=None,
            response_rate=None,
            closed_today=closed,
        ),
        grids=tuple(sorted(grids, key=lambda g: g.unit_id)),
        trend_today=_points(starts, today),
        trend_last_week=_points(last, last_week),
        funnel=funnel,
        categories=_shares(ref, by_cat),
        disputes_by_risk=risk,
        best=(),
        worst=(),
        alerts=alert_rows,
        ticker=ticker,
        arrivals=arrivals,
        overdue_spots=overdue_spots,
        drill=drill,
    )


def _points(starts: list[datetime], counts: list[int]) -> tuple[TrendPoint, ...]:
    return tuple(TrendPoint(s, n) for s, n in zip(starts, counts, strict=True))


def _top_category(ref: Reference, node_id: str) -> str:
    cat = ref.categories.get(node_id)
    seen = 0
    while cat is not None and cat.parent_node_id is not None and seen < 10:
        parent = ref.categories.get(cat.parent_node_id)
        if parent is None:
            break
        cat, seen = parent, seen + 1
    return cat.node_id if cat is not None else node_id


def _shares(ref: Reference, counts: dict[str, int]) -> tuple[CategoryShare, ...]:
    out = []
    for code, n in counts.items():
        cat = ref.categories.get(code)
        out.append(CategoryShare(code, cat.name if cat is not None else code, n))
    return tuple(sorted(out, key=lambda c: (-c.count, c.code)))


# --- rates and ranking --------------------------------------------------------------------


def read_rates(
    store: Store, scope: Scope, at: datetime | None = None, ranking_items: int = 5
) -> Rates:
    """The month-to-the-moment rates and the unit ranking (see the module docstring):
    ``core.analytics.compute_many`` for the local month containing the moment, as of it.
    Reads a drill database too (the wall shows a drill's own figures)."""
    from core.analytics.composite import rank
    from core.analytics.period import month
    from core.analytics.report import compute_many

    ref = store.reference()
    moment = _moment(store, at)
    local = moment.astimezone(ref.tz)
    period = month(local.year, local.month, ref.tz)
    town = scope.unit_id
    bys = ("unit",) if town is None else ("town", "unit")
    reports = compute_many(store.engine, period=period, bys=bys, as_of=moment, allow_drill=True)
    units_report = reports["unit"]
    if town is None:
        measures: dict[str, Any] | None = units_report.total.measures
        ranked = [
            (int(g.key), g.name or g.key, g.score.value, g.rank)
            for g in units_report.groups
            if g.score.value is not None and g.rank is not None and g.key.isdigit()
        ]
    else:
        mine = next((g for g in reports["town"].groups if g.key == str(town)), None)
        measures = mine.measures if mine is not None else None
        path = ref.org.get(town).path
        inside = [
            g
            for g in units_report.groups
            if g.score.value is not None
            and g.key.isdigit()
            and (unit := ref.org.find(int(g.key))) is not None
            and is_within(unit.path, path)
        ]
        ranks = rank([g.score.value for g in inside])
        ranked = [
            (int(g.key), g.name or g.key, g.score.value, r)
            for g, r in zip(inside, ranks, strict=True)
            if g.score.value is not None and r is not None
        ]
    rows = [RankRow(uid, name, float(value), int(r)) for uid, name, value, r in ranked]
    best = sorted(rows, key=lambda r: (r.rank, r.unit_id))[:ranking_items]
    worst = sorted(rows, key=lambda r: (-r.rank, r.unit_id))[:ranking_items]

    def rate(name: str) -> float | None:
        return measures[name].value if measures is not None else None

    return Rates(
        period=period.label,
        for_unit=town,
        on_time_rate=rate("on_time_closure"),
        satisfaction=rate("satisfaction"),
        response_rate=rate("timely_acceptance"),
        best=tuple(best),
        worst=tuple(worst),
    )


def with_rates(figures: WallFigures, rates: Rates) -> WallFigures:
    """The figures with the rates and the ranking put in."""
    return replace(
        figures,
        kpis=replace(
            figures.kpis,
            on_time_rate=rates.on_time_rate,
            satisfaction=rates.satisfaction,
            response_rate=rates.response_rate,
        ),
        best=rates.best,
        worst=rates.worst,
        ranking_period=rates.period,
    )


__all__ = ["read_figures", "read_rates", "with_rates"]
