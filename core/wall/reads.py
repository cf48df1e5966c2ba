"""The statements behind the wall's figures (core.wall.figures has the definitions):
the orders open at a moment, live or as of a past moment, counted five ways in one
statement; registrations per hour; closures; arrivals; alerts; the ticker."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    Select,
    String,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import aliased

from core.analytics.sql import unindexed
from core.domain.enums import OPEN_STATES, HopRole, HopState, OrderState, UnitKind
from core.domain.events import EventKind
from core.org import OrgDirectory, is_within
from core.storage.schema import alerts, events, hops, orders, state_intervals, time_limits, units
from core.storage.types import UTCDateTime
from core.wall.model import AlertRow, Scope, Spot, TickerItem
from core.workflow.context import Reference

OPEN = sorted(s.value for s in OPEN_STATES)
TICKER_DAYS = 7
_SEVERITY = {"red": 0, "orange": 1, "yellow": 2}
# A hop in one of these states may have stopped holding the order before T: its return or
# escalation event says when.
_LEFT = (HopState.RETURNED.value, HopState.RETURN_ACCEPTED.value, HopState.ESCALATED.value)
_LEAVING = (EventKind.RETURNED.value, EventKind.ESCALATED.value)
_PLACE_KINDS = (UnitKind.TOWN, UnitKind.STREET)


def instant(value: datetime) -> ColumnElement[datetime]:
    """An instant bound as the columns' own type (naive UTC on both backends)."""
    return literal(value, UTCDateTime())


# --- the scope -------------------------------------------------------------------------


class PageFilter:
    """The page's scope as conditions on ``orders`` (none when it is the whole county)."""

    def __init__(self, scope: Scope, org: OrgDirectory) -> None:
        self.scope = scope
        self.unit_ids: tuple[int, ...] | None = None
        self.unit_path: str | None = None
        if scope.unit_id is not None:
            self.unit_path = org.get(scope.unit_id).path
            self.unit_ids = tuple(
                sorted(u.id for u in org.all() if is_within(u.path, self.unit_path))
            )

    @property
    def everything(self) -> bool:
        s = self.scope
        return s.unit_id is None and not s.limit_classes and not s.channels

    def conds(self) -> list[ColumnElement[bool]]:
        """``+0`` and ``|| ''`` keep SQLite (no statistics) on the state, time and id
        indexes the reads are built around, never on the location index."""
        out: list[ColumnElement[bool]] = []
        if self.unit_ids is not None:
            out.append((orders.c.location_unit_id + 0).in_(self.unit_ids))
        if self.scope.limit_classes:
            out.append(unindexed(orders.c.limit_class).in_(self.scope.limit_classes))
        if self.scope.channels:
            out.append(unindexed(orders.c.channel).in_(self.scope.channels))
        return out


# --- open orders, live and as of T ------------------------------------------------------


def _limit_times(alive: ColumnElement[bool]) -> tuple[Any, Any]:
    """The earliest due and warning times of the order's limits open at the moment."""

    def earliest(col: Any) -> Any:
        return (
            select(func.min(col))
            .where(time_limits.c.order_id == orders.c.id, alive)
            .correlate(orders)
            .scalar_subquery()
        )

    return earliest(time_limits.c.due_at), earliest(time_limits.c.warn_at)


def _level_live(county_level: int) -> Any:
    holder = select(units.c.level).where(units.c.id == orders.c.lead_unit_id).correlate(orders)
    return func.coalesce(holder.scalar_subquery(), orders.c.planned_tier, county_level)


def _level_as_of(state: Any, t: ColumnElement[datetime], county_level: int) -> Any:
    """The holder's level at T from the hops (see the module docstring)."""
    h = aliased(hops, name="h")
    left = (
        exists()
        .where(
            events.c.order_id == h.c.order_id,
            events.c.hop_id == h.c.id,
            unindexed(events.c.kind).in_(_LEAVING),
            events.c.at <= t,
        )
        .correlate(h)
    )
    holder = (
        select(units.c.level)
        .select_from(h.join(units, units.c.id == h.c.receiver_unit_id))
        .where(
            h.c.order_id == orders.c.id,
            h.c.role == HopRole.LEAD.value,
            h.c.dispatched_at <= t,
            or_(h.c.parent_id.is_(None), h.c.answered_at.is_(None), h.c.answered_at > t),
            or_(h.c.state.not_in(_LEFT), ~left),
        )
        .order_by(h.c.seq.desc())
        .limit(1)
        .correlate(orders)
        .scalar_subquery()
    )
    planned = func.coalesce(orders.c.planned_tier, county_level)
    return case(
        (state == OrderState.REGISTERED.value, planned),
        else_=func.coalesce(holder, planned),
    )


def open_base(
    moment: datetime, live: bool, flt: PageFilter, county_level: int, sqlite: bool
) -> Select[Any]:
    """One row per order open at the moment, with what every figure needs."""
    t = instant(moment)
    if live:
        state: Any = orders.c.state
        stop: Any = orders.c.paused_at
        source: Any = orders
        where = [orders.c.state.in_(OPEN)]
        level = _level_live(county_level)
        due, warn = _limit_times(time_limits.c.ended_at.is_(None))
    else:
        si = state_intervals
        cols = (si.c.order_id, si.c.state, si.c.valid_from)
        # Alive at T: an order open now whose current interval began by T, or an interval
        # in an open state that ended after T (a range of (state, valid_to)). The first
        # starts from orders.state, whose statistics PostgreSQL estimates well; "open
        # intervals not ended" it would take for most of the table and hash all orders.
        # SQLite without statistics would take (state, valid_from) for the second, every
        # interval that ever began before T: ``|| ''`` leaves it the (state, valid_to) one.
        started = (unindexed(si.c.valid_from) if sqlite else si.c.valid_from) <= t
        current = and_(si.c.order_id == orders.c.id, si.c.valid_to.is_(None))
        alive = union_all(
            select(*cols)
            .select_from(orders.join(si, current))
            .where(orders.c.state.in_(OPEN), si.c.valid_from <= t),
            select(*cols).where(si.c.state.in_(OPEN), si.c.valid_to > t, started),
        ).subquery("alive")
        state = alive.c.state
        stop = case((alive.c.state == OrderState.PAUSED.value, alive.c.valid_from))
        source = alive.join(orders, orders.c.id == alive.c.order_id)
        where = []
        level = _level_as_of(alive.c.state, t, county_level)
        tl = time_limits.c
        due, warn = _limit_times(
            and_(tl.start_at <= t, or_(tl.ended_at.is_(None), tl.ended_at > t))
        )
    return (
        select(
            orders.c.id.label("id"),
            state.label("state"),
            func.coalesce(stop, t).label("clock"),
            level.label("level"),
            orders.c.location_unit_id.label("loc"),
            orders.c.category_node_id.label("cat"),
            orders.c.risk_grade.label("risk"),
            orders.c.lon.label("lon"),
            orders.c.lat.label("lat"),
            due.label("due"),
            warn.label("warn"),
        )
        .select_from(source)
        .where(*where, *flt.conds())
    )


def open_figures(conn: Connection, base_q: Select[Any]) -> list[Any]:
    """Every count over the open orders in one statement: the open orders are found once
    (a materialised CTE) and grouped five ways."""
    base = base_q.cte("base").prefix_with("MATERIALIZED")
    overdue = case((base.c.due < base.c.clock, 1), else_=0)
    warning = case((and_(base.c.warn <= base.c.clock, base.c.due >= base.c.clock), 1), else_=0)
    no_int, no_str, zero = cast(null(), Integer), cast(null(), String), literal(0)
    parts = [
        select(
            literal("kpi"),
            no_int,
            no_str,
            func.count(),
            func.coalesce(func.sum(overdue), 0),
            func.coalesce(func.sum(warning), 0),
        ).select_from(base),
        select(literal("funnel"), base.c.level, base.c.state, func.count(), zero, zero).group_by(
            base.c.level, base.c.state
        ),
        select(literal("grid"), base.c.loc, no_str, func.count(), func.sum(overdue), zero).group_by(
            base.c.loc
        ),
        select(literal("cat"), no_int, base.c.cat, func.count(), zero, zero).group_by(base.c.cat),
        select(literal("risk"), no_int, base.c.risk, func.count(), zero, zero)
        .where(base.c.risk.is_not(None))
        .group_by(base.c.risk),
    ]
    return list(conn.execute(union_all(*parts)))


def overdue_spots(conn: Connection, base_q: Select[Any], limit: int) -> tuple[Spot, ...]:
    # Materialised as in open_figures: inlined, PostgreSQL plans the lookups per order
    # differently (half a second for a month-old moment at 1,000,000 orders).
    base = base_q.cte("base").prefix_with("MATERIALIZED")
    q = (
        select(base.c.id, base.c.lon, base.c.lat, base.c.due)
        .where(base.c.due < base.c.clock, base.c.lon.is_not(None), base.c.lat.is_not(None))
        .order_by(base.c.due, base.c.id)
        .limit(limit)
    )
    return tuple(Spot(int(r.id), float(r.lon), float(r.lat), r.due) for r in conn.execute(q))


# --- registrations and closures ----------------------------------------------------------


def hour_starts(moment: datetime, ref: Reference) -> list[datetime]:
    """The 24 local whole hours up to the one ``moment`` is in, as aware UTC starts."""
    local = moment.astimezone(ref.tz)
    last = local.replace(minute=0, second=0, microsecond=0).astimezone(UTC)
    return [last - timedelta(hours=23 - i) for i in range(24)]


def midnight(moment: datetime, ref: Reference) -> datetime:
    local = moment.astimezone(ref.tz)
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)


def registered_by_hour(
    conn: Connection, flt: PageFilter, starts: list[datetime], end: datetime, since: datetime
) -> tuple[list[int], int]:
    """Orders registered per hour of ``starts`` (the last hour ends at ``end``), and how
    many of them in [``since``, ``end``]: one index range of registration times."""
    reg = orders.c.registered_at
    bucket = case(*((reg < instant(s), i - 1) for i, s in enumerate(starts)), else_=len(starts) - 1)
    today = case((reg >= instant(since), 1), else_=0)
    q = (
        select(bucket, today, func.count())
        .where(reg >= instant(min(starts[0], since)), reg <= instant(end), *flt.conds())
        .group_by(bucket, today)
    )
    counts = [0] * len(starts)
    total = 0
    for b, is_today, n in conn.execute(q):
        if int(b) >= 0:
            counts[int(b)] += int(n)
        if is_today:
            total += int(n)
    return counts, total


def closed_since(conn: Connection, flt: PageFilter, since: datetime, moment: datetime) -> int:
    si = state_intervals
    q = (
        select(func.count(func.distinct(si.c.order_id)))
        .select_from(si.join(orders, orders.c.id == si.c.order_id))
        .where(
            si.c.state == OrderState.CLOSED.value,
            si.c.valid_from >= instant(since),
            si.c.valid_from <= instant(moment),
            *flt.conds(),
        )
    )
    return int(conn.execute(q).scalar_one())


def arrivals(
    conn: Connection, flt: PageFilter, moment: datetime, minutes: float, limit: int
) -> tuple[Spot, ...]:
    reg = orders.c.registered_at
    q = (
        select(orders.c.id, orders.c.lon, orders.c.lat, reg)
        .where(
            reg > instant(moment - timedelta(minutes=minutes)),
            reg <= instant(moment),
            orders.c.lon.is_not(None),
            orders.c.lat.is_not(None),
            *flt.conds(),
        )
        .order_by(reg.desc(), orders.c.id.desc())
        .limit(limit)
    )
    return tuple(
        Spot(int(r.id), float(r.lon), float(r.lat), r.registered_at) for r in conn.execute(q)
    )


# --- alerts, the ticker and the newest event -----------------------------------------------


def open_alerts(
    conn: Connection, org: OrgDirectory, flt: PageFilter, moment: datetime, live: bool, limit: int
) -> tuple[AlertRow, ...]:
    a = alerts.c
    t = instant(moment)
    if live:
        where: list[ColumnElement[bool]] = [a.status.in_(("raised", "acknowledged"))]
        acknowledged: Any = a.status == "acknowledged"
    else:
        where = [a.raised_at <= t, or_(a.closed_at.is_(None), a.closed_at > t)]
        acknowledged = and_(a.acknowledged_at.is_not(None), a.acknowledged_at <= t)
    if flt.unit_ids is not None:
        where.append(or_(a.unit_id.is_(None), a.unit_id.in_(flt.unit_ids)))
    severity = case(
        *((a.severity == name, rank) for name, rank in _SEVERITY.items()), else_=len(_SEVERITY)
    )
    q = (
        select(
            a.id,
            a.rule,
            a.severity,
            a.title,
            a.raised_at,
            a.unit_id,
            case((acknowledged, "acknowledged"), else_="raised").label("status"),
        )
        .where(*where)
        .order_by(severity, a.raised_at.desc(), a.id.desc())
        .limit(limit)
    )
    return tuple(
        AlertRow(
            int(r.id),
            r.rule,
            r.severity,
            r.title,
            r.raised_at,
            r.status,
            _unit_name(org, r.unit_id),
        )
        for r in conn.execute(q)
    )


def _unit_name(org: OrgDirectory, unit_id: int | None) -> str | None:
    unit = org.find(unit_id)
    return unit.name if unit is not None else None


def newest_event(conn: Connection, moment: datetime, live: bool) -> tuple[int, datetime | None]:
    e = events.c
    if live:
        newest = select(func.max(e.id)).scalar_subquery()
        row = conn.execute(select(e.id, e.at).where(e.id == newest)).first()
    else:
        q = select(e.id, e.at).where(e.at <= instant(moment)).order_by(e.at.desc(), e.id.desc())
        row = conn.execute(q.limit(1)).first()
    return (int(row.id), row.at) if row is not None else (0, None)


def ticker(
    conn: Connection,
    org: OrgDirectory,
    flt: PageFilter,
    moment: datetime,
    live: bool,
    newest_id: int,
    limit: int,
) -> tuple[TickerItem, ...]:
    """The newest events of the last ``TICKER_DAYS`` days: a bounded stretch of the log,
    however rare the page's orders are in it. The page's filter is a lookup per event
    (a scalar subquery neither backend turns into a join), so the newest events are read
    in time order until enough match; joined, PostgreSQL would merge-join all orders."""
    e = events.c
    since = instant(moment - timedelta(days=TICKER_DAYS))
    where: list[ColumnElement[bool]] = []
    if not flt.everything:
        inside = (
            select(literal(1))
            .where(orders.c.id == e.order_id, *flt.conds())
            .correlate(events)
            .scalar_subquery()
        )
        where.append(inside.is_not(None))
    if live:
        # One probe of the time index: the first event of the stretch (ids follow time).
        first = select(e.id).where(e.at >= since).order_by(e.at).limit(1).scalar_subquery()
        where += [e.id >= func.coalesce(first, newest_id + 1), e.id <= newest_id]
        order: list[Any] = [e.id.desc()]
    else:
        where += [e.at >= since, e.at <= instant(moment)]
        order = [e.at.desc(), e.id.desc()]
    ids = list(conn.execute(select(e.id).where(*where).order_by(*order).limit(limit)).scalars())
    if not ids:
        return ()
    q = (
        select(
            e.id,
            e.at,
            e.kind,
            orders.c.number,
            orders.c.title,
            orders.c.location_unit_id,
            orders.c.lead_unit_id,
        )
        .select_from(events.outerjoin(orders, orders.c.id == e.order_id))
        .where(e.id.in_(ids))
    )
    rows = {int(r.id): r for r in conn.execute(q)}
    places: dict[tuple[int | None, int | None], str | None] = {}
    out = []
    for event_id in ids:
        r = rows[int(event_id)]
        key = (r.location_unit_id, r.lead_unit_id)
        if key not in places:
            places[key] = _place(org, *key)
        out.append(TickerItem(int(r.id), r.at, r.kind, r.number, r.title, places[key]))
    return tuple(out)


def _place(org: OrgDirectory, location: int | None, lead: int | None) -> str | None:
    """The town or street of the order's location; else the department or town of the unit
    holding it; else the county (an order located at county level, not dispatched)."""
    if location is None:
        return None
    for unit_id in (location, lead):
        if unit_id is None or org.find(unit_id) is None:
            continue
        for unit in org.ancestors(unit_id):
            if unit.kind in _PLACE_KINDS or unit.kind == UnitKind.DEPARTMENT:
                return unit.name
    root = org.territory_root()
    return root.name if root is not None else _unit_name(org, location)
