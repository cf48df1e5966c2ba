"""Work queues for the dispatch panels: what waits on whom, at which tier, and how late.

A panel is a tier (county, town, village: the level of the unit holding the order); a
queue is where the order stands in the loop:

| queue    | centre (dispatch, review, visits)    | a handling unit (held by it or below)   |
|----------|--------------------------------------|-----------------------------------------|
| dispatch | registered (returns marked)          | a return from below awaits its decision |
| accept   | dispatched                           | dispatched to it, or an assist to answer|
| progress | in progress, paused                  | in progress, paused                     |
| review   | pending review                       | an answer came up from below            |
| visit    | pending visit                        | —                                       |

Everything is decided in SQL: the scope, the queue, the SLA filter, the search and the
sort, so only one page of rows ever leaves the database. Every query starts from the
order states that are open (``ix_orders_state``, ``ix_orders_centre_state``,
``ix_orders_lead_state``), so closed orders cost nothing however many there are; the
next deadline is a correlated lookup on ``ix_time_limits_order_open`` for those rows only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    case,
    exists,
    false,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import aliased

from core.domain.actor import Actor
from core.domain.enums import OPEN_STATES, HopRole, HopState, OrderState, Role, UnitKind
from core.domain.ids import OrderId
from core.org import OrgDirectory, is_within
from core.storage.schema import categories, hops, orders, time_limits, units

CENTRE_ROLES = (Role.DUTY_OFFICER, Role.DISPATCHER, Role.SUPERVISOR, Role.LEADER)


class Queue(StrEnum):
    DISPATCH = "dispatch"
    ACCEPT = "accept"
    PROGRESS = "progress"
    REVIEW = "review"
    VISIT = "visit"


class Sla(StrEnum):
    ALL = "all"
    WARNING = "warning"  # 临期: past the warning mark, not yet due
    OVERDUE = "overdue"  # 超期


class Sort(StrEnum):
    DEADLINE = "deadline"  # the next deadline; rows without one last
    REGISTERED = "registered"
    NUMBER = "number"
    URGENCY = "urgency"


class PanelKind(StrEnum):
    COUNTY = "county"
    TOWN = "town"
    VILLAGE = "village"


@dataclass(frozen=True, slots=True)
class Panel:
    kind: PanelKind
    level: int  # the tier; the county panel also takes tiers above, the village those below


@dataclass(frozen=True, slots=True)
class Scope:
    """Whose queues: the centre's (orders whose centre lies in the user's unit) and/or a
    handling unit's (orders it holds or assists on, and those held below it)."""

    centre_units: tuple[int, ...] | None  # None: every centre; () : not a centre user
    unit_id: int | None  # the handling unit, or None
    unit_below: tuple[int, ...]  # the handling unit and every unit under it
    panels: tuple[Panel, ...]


@dataclass(frozen=True, slots=True)
class QueueQuery:
    panel: Panel
    queue: Queue
    sla: Sla = Sla.ALL
    text: str = ""
    sort: Sort = Sort.DEADLINE
    descending: bool = False


@dataclass(frozen=True, slots=True)
class QueueRow:
    id: OrderId
    number: str
    version: int
    state: str
    queue: str
    tier: int | None
    urgency: str
    registered_at: datetime
    category_name: str
    title: str
    caller_name: str | None
    caller_phone: str | None  # masked
    confidential: bool
    address: str | None
    location_unit_name: str
    lead_unit_name: str | None
    due_at: datetime | None  # the next deadline of any open limit
    warning: bool
    overdue: bool
    paused: bool
    returned: bool  # sent back at least once (退回)
    reworked: bool
    escalated: bool
    supervised: bool
    request: str | None  # a pending pause or extension request
    assisting: bool  # the user's unit is on it as an assisting unit, not the lead
    result_text: str | None  # the result submitted (the review and visit queues show it)
    visit_attempts: int = 0  # return-visit calls so far (the visit queue shows them)


@dataclass(frozen=True, slots=True)
class QueueCount:
    total: int = 0
    warning: int = 0
    overdue: int = 0


# --- scope ---------------------------------------------------------------------------


def panels_for(org: OrgDirectory, unit_level: int | None) -> tuple[Panel, ...]:
    """The tiers at or below ``unit_level`` (None: all three), county first."""
    county = next((u for u in org.all() if u.kind == UnitKind.COUNTY), None)
    base = county.level if county is not None else 1
    every = (
        Panel(PanelKind.COUNTY, base),
        Panel(PanelKind.TOWN, base + 1),
        Panel(PanelKind.VILLAGE, base + 2),
    )
    if unit_level is None:
        return every
    return tuple(p for p in every if p.level >= unit_level or p.kind is PanelKind.VILLAGE)


def _unit_panels(org: OrgDirectory, actor: Actor) -> list[Panel]:
    """A handling unit's own tier, and the tiers of the units under it (what it passed
    down): a county department gets the county panel alone."""
    levels = {u.level for u in org.all() if is_within(u.path, actor.unit_path)}
    return [p for p in panels_for(org, None) if any(_in_panel(lv, p) for lv in levels)]


def scope_of(actor: Actor, org: OrgDirectory) -> Scope:
    centre: tuple[int, ...] | None = ()
    panels: list[Panel] = []
    inside = tuple(u.id for u in org.all() if is_within(u.path, actor.unit_path))
    if actor.has(*CENTRE_ROLES):
        everything = len(inside) == len(org)
        centre = None if everything else inside
        # A town's centre dispatches inside its town: no county panel for it.
        panels += panels_for(org, None if everything else org.get(actor.unit_id).level)
    unit_id = None
    below: tuple[int, ...] = ()
    if actor.has(Role.HANDLER):
        unit_id = actor.unit_id
        below = inside
        panels += _unit_panels(org, actor)
    seen: list[Panel] = []
    for p in sorted(panels, key=lambda p: p.level):
        if p not in seen:
            seen.append(p)
    return Scope(centre, unit_id, below, tuple(seen))


# --- the SQL ---------------------------------------------------------------------------

_OPEN = sorted(s.value for s in OPEN_STATES)
# The states each queue may hold (the queue expression decides): a narrower index range.
# An assisting unit's part runs on its own hop, whatever the lead's state.
_STATES = {
    Queue.DISPATCH: (OrderState.REGISTERED, OrderState.IN_PROGRESS),
    Queue.ACCEPT: (OrderState.DISPATCHED, OrderState.IN_PROGRESS, OrderState.PAUSED),
    Queue.PROGRESS: (OrderState.DISPATCHED, OrderState.IN_PROGRESS, OrderState.PAUSED),
    Queue.REVIEW: (OrderState.PENDING_REVIEW, OrderState.IN_PROGRESS),
    Queue.VISIT: (OrderState.PENDING_VISIT,),
}
_UNIT_STATES = (OrderState.DISPATCHED, OrderState.IN_PROGRESS, OrderState.PAUSED)
_URGENCY_RANK = {"critical": 0, "urgent": 1, "normal": 2}


def next_limit(col: ColumnElement[datetime]) -> ColumnElement[datetime]:
    """The earliest of an open limit's times for the order in the outer query."""
    return (
        select(func.min(col))
        .where(time_limits.c.order_id == orders.c.id, time_limits.c.ended_at.is_(None))
        .scalar_subquery()
    )


class QueueSql:
    """The expressions of one scope, built once per query."""

    def __init__(self, scope: Scope, now: datetime, own_level: int, county_level: int) -> None:
        self.scope = scope
        self.own_level = own_level
        self.county_level = county_level
        self.due = next_limit(time_limits.c.due_at).label("due_at")
        self.warn = next_limit(time_limits.c.warn_at).label("warn_at")
        clock = func.coalesce(orders.c.paused_at, literal(now, orders.c.registered_at.type))
        self.overdue = self.due < clock
        self.warning = and_(self.warn <= clock, self.due >= clock)
        mine = scope.unit_id
        self.assist = (
            exists()
            .where(
                hops.c.order_id == orders.c.id,
                hops.c.receiver_unit_id == mine,
                hops.c.role == HopRole.ASSIST.value,
                hops.c.state.in_([HopState.AWAITING.value, HopState.IN_PROGRESS.value]),
            )
            .correlate(orders)
            if mine is not None
            else false()
        )
        self.assist_awaiting = (
            exists()
            .where(
                hops.c.order_id == orders.c.id,
                hops.c.receiver_unit_id == mine,
                hops.c.role == HopRole.ASSIST.value,
                hops.c.state == HopState.AWAITING.value,
            )
            .correlate(orders)
            if mine is not None
            else false()
        )
        # A return from below that the holder has yet to decide on.
        self.return_pending = (
            exists()
            .where(
                hops.c.order_id == orders.c.id,
                hops.c.sender_unit_id == orders.c.lead_unit_id,
                hops.c.role == HopRole.LEAD.value,
                hops.c.state == HopState.RETURNED.value,
            )
            .correlate(orders)
        )
        # The holder's hop is in progress again because the unit below answered.
        parent = aliased(hops)
        self.answer_up = (
            exists()
            .where(
                hops.c.order_id == orders.c.id,
                hops.c.sender_unit_id == orders.c.lead_unit_id,
                hops.c.role == HopRole.LEAD.value,
                hops.c.state == HopState.ANSWERED.value,
                parent.c.id == hops.c.parent_id,
                parent.c.state == HopState.IN_PROGRESS.value,
            )
            .correlate(orders)
        )
        self.held = orders.c.lead_unit_id.in_(scope.unit_below) if scope.unit_below else false()

    def visible(self) -> ColumnElement[bool]:
        parts: list[ColumnElement[bool]] = []
        if self.scope.centre_units is None:
            return orders.c.state.in_(_OPEN)
        if self.scope.centre_units:
            parts.append(orders.c.centre_unit_id.in_(self.scope.centre_units))
        if self.scope.unit_id is not None:
            # A unit's work ends when the result leaves it; review and visits are the centre's.
            working = orders.c.state.in_([s.value for s in _UNIT_STATES])
            parts += [and_(self.held, working), self.assist]
        return and_(orders.c.state.in_(_OPEN), or_(*parts) if parts else false())

    def _assist_only(self) -> ColumnElement[bool]:
        """Rows that are the user's only as an assisting unit (not the centre's, not held)."""
        if self.scope.unit_id is None:
            return false()
        conds: list[ColumnElement[bool]] = [self.assist, ~func.coalesce(self.held, False)]
        if self.scope.centre_units is None:
            return false()
        if self.scope.centre_units:
            conds.append(~orders.c.centre_unit_id.in_(self.scope.centre_units))
        return and_(*conds)

    def queue(self) -> ColumnElement[str]:
        state = orders.c.state
        return case(
            (self._assist_only(), case((self.assist_awaiting, "accept"), else_="progress")),
            (state == OrderState.REGISTERED.value, "dispatch"),
            (state == OrderState.DISPATCHED.value, "accept"),
            (state == OrderState.PENDING_REVIEW.value, "review"),
            (state == OrderState.PENDING_VISIT.value, "visit"),
            (self.return_pending, "dispatch"),
            (self.answer_up, "review"),
            else_="progress",
        )

    def tier(self) -> ColumnElement[int]:
        """The level of the unit holding the order (not ``orders.tier``, which stays where
        the work was done while the answer climbs back up); not yet dispatched, the
        category's planned tier, else the county's. An order the unit only assists on is
        work at the unit's own tier."""
        holder = select(units.c.level).where(units.c.id == orders.c.lead_unit_id)
        level = func.coalesce(
            holder.correlate(orders).scalar_subquery(), orders.c.planned_tier, self.county_level
        )
        if self.scope.unit_id is None:
            return level
        return case((self._assist_only(), literal(self.own_level)), else_=level)


def _panel_filter(level: ColumnElement[int], panel: Panel) -> ColumnElement[bool]:
    if panel.kind is PanelKind.COUNTY:
        return level <= panel.level
    if panel.kind is PanelKind.VILLAGE:
        return level >= panel.level
    return level == panel.level


def _search(text: str) -> ColumnElement[bool] | None:
    words = text.split()
    if not words:
        return None
    fields = (orders.c.number, orders.c.title, orders.c.address, orders.c.caller_shown)
    conds = [or_(*(f.contains(w, autoescape=True) for f in fields)) for w in words]
    return and_(*conds)


def _sql(actor: Actor, org: OrgDirectory, scope: Scope, now: datetime) -> QueueSql:
    county = panels_for(org, None)[0].level
    return QueueSql(scope, now, org.get(actor.unit_id).level, county)


def page(
    conn: Connection,
    actor: Actor,
    org: OrgDirectory,
    query: QueueQuery,
    now: datetime,
    *,
    limit: int = 100,
    offset: int = 0,
    scope: Scope | None = None,
    order_ids: Sequence[int] | None = None,
) -> list[QueueRow]:
    """One page of a queue, filtered, searched and sorted by the database.
    ``order_ids`` narrows it to those orders: a live view re-reads only what changed."""
    scope = scope or scope_of(actor, org)
    sql = _sql(actor, org, scope, now)
    queue, tier = sql.queue(), sql.tier()
    loc = units.alias("loc")
    lead = units.alias("lead")
    stmt: Select[tuple[object, ...]] = (
        select(
            orders.c.id,
            orders.c.number,
            orders.c.version,
            orders.c.state,
            queue.label("queue"),
            orders.c.tier,
            orders.c.urgency,
            orders.c.registered_at,
            categories.c.name.label("category_name"),
            orders.c.title,
            orders.c.caller_shown,
            orders.c.phone_masked,
            orders.c.confidential,
            orders.c.address,
            loc.c.name.label("location_unit_name"),
            lead.c.name.label("lead_unit_name"),
            sql.due,
            sql.warn,
            orders.c.paused_at,
            orders.c.return_count,
            orders.c.rework_count,
            orders.c.escalation_count,
            orders.c.supervision_count,
            orders.c.pending_request,
            orders.c.result_text,
            orders.c.visit_attempts,
            sql._assist_only().label("assisting"),
        )
        .select_from(
            orders.join(categories, categories.c.node_id == orders.c.category_node_id)
            .join(loc, loc.c.id == orders.c.location_unit_id)
            .outerjoin(lead, lead.c.id == orders.c.lead_unit_id)
        )
        .where(
            sql.visible(),
            orders.c.state.in_([s.value for s in _STATES[query.queue]]),
            queue == query.queue.value,
            _panel_filter(tier, query.panel),
        )
    )
    if query.sla is Sla.OVERDUE:
        stmt = stmt.where(sql.overdue)
    elif query.sla is Sla.WARNING:
        stmt = stmt.where(sql.warning)
    found = _search(query.text)
    if found is not None:
        stmt = stmt.where(found)
    if order_ids is not None:
        stmt = stmt.where(orders.c.id.in_(sorted(order_ids)))
    stmt = stmt.order_by(*_order(query, sql)).limit(limit).offset(offset)
    return [_row(r, now) for r in conn.execute(stmt)]


def _order(query: QueueQuery, sql: QueueSql) -> list[ColumnElement[object]]:
    desc = query.descending
    if query.sort is Sort.NUMBER:
        key: ColumnElement[object] = orders.c.number
    elif query.sort is Sort.REGISTERED:
        key = orders.c.registered_at
    elif query.sort is Sort.URGENCY:
        key = case(_URGENCY_RANK, value=orders.c.urgency, else_=3)
    else:
        # Rows without a deadline go last either way.
        missing = case((sql.due.is_(None), 1), else_=0)
        return [missing, sql.due.desc() if desc else sql.due.asc(), orders.c.id]
    return [key.desc() if desc else key.asc(), orders.c.id.desc() if desc else orders.c.id]


def _row(row: Any, now: datetime) -> QueueRow:
    at = row.paused_at or now
    hidden = bool(row.confidential)
    request = row.pending_request.get("type") if isinstance(row.pending_request, dict) else None
    return QueueRow(
        id=OrderId(row.id),
        number=row.number,
        version=row.version,
        state=row.state,
        queue=row.queue,
        tier=row.tier,
        urgency=row.urgency,
        registered_at=row.registered_at,
        category_name=row.category_name,
        title=row.title,
        caller_name=None if hidden else row.caller_shown,
        caller_phone=None if hidden else row.phone_masked,
        confidential=hidden,
        address=row.address,
        location_unit_name=row.location_unit_name,
        lead_unit_name=row.lead_unit_name,
        due_at=row.due_at,
        warning=row.warn_at is not None
        and row.due_at is not None
        and row.warn_at <= at <= row.due_at,
        overdue=row.due_at is not None and at > row.due_at,
        paused=row.paused_at is not None,
        returned=row.return_count > 0,
        reworked=row.rework_count > 0,
        escalated=row.escalation_count > 0,
        supervised=row.supervision_count > 0,
        request=str(request) if request else None,
        assisting=bool(row.assisting),
        result_text=row.result_text,
        visit_attempts=row.visit_attempts or 0,
    )


def counts(
    conn: Connection,
    actor: Actor,
    org: OrgDirectory,
    now: datetime,
    *,
    scope: Scope | None = None,
) -> dict[tuple[PanelKind, Queue], QueueCount]:
    """Every panel's queue sizes, with how many are in warning and overdue, in one query."""
    scope = scope or scope_of(actor, org)
    sql = _sql(actor, org, scope, now)
    queue, tier = sql.queue(), sql.tier()
    inner = (
        select(
            queue.label("queue"),
            tier.label("tier"),
            case((sql.overdue, 1), else_=0).label("overdue"),
            case((sql.warning, 1), else_=0).label("warning"),
        )
        .select_from(orders)
        .where(sql.visible())
        .subquery()
    )
    stmt = select(
        inner.c.queue,
        inner.c.tier,
        func.count(),
        func.sum(inner.c.warning),
        func.sum(inner.c.overdue),
    ).group_by(inner.c.queue, inner.c.tier)
    out: dict[tuple[PanelKind, Queue], QueueCount] = {}
    panels = scope.panels
    for q, t, total, warning, overdue in conn.execute(stmt):
        for panel in panels:
            if _in_panel(int(t), panel):
                key = (panel.kind, Queue(q))
                have = out.get(key, QueueCount())
                out[key] = QueueCount(
                    have.total + int(total),
                    have.warning + int(warning or 0),
                    have.overdue + int(overdue or 0),
                )
                break
    return out


def _in_panel(level: int, panel: Panel) -> bool:
    if panel.kind is PanelKind.COUNTY:
        return level <= panel.level
    if panel.kind is PanelKind.VILLAGE:
        return level >= panel.level
    return level == panel.level
