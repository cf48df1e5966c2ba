"""Read models for screens: what a list shows, already filtered by jurisdiction in SQL.

The jurisdiction rule is ``core.workflow.guards.can_see``, restated for the database: the
user's unit path is a prefix of the path of the order's location unit, or of the sender
or receiver of any hop on the order. Unit paths are resolved to unit ids first (the unit
table is small), so the order and hop tables are filtered through their unit-id indexes.
A user whose unit contains every unit (the county, or the city above it) gets no filter.

Core returns codes (state, channel, request type); the desktop translates them.

Lists read the caller through ``orders.phone_masked`` and ``orders.caller_shown``, which
core keeps with every change: a PostgreSQL user role may not read the full columns
(core.storage.dbroles), and a full number is read only through ``core.privacy``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, Connection, Subquery, exists, func, not_, or_, select, union

from core.domain.actor import Actor
from core.domain.enums import LimitKind
from core.domain.ids import EventId, OrderId
from core.storage import ids
from core.storage.schema import (
    categories,
    hops,
    orders,
    time_limits,
    units,
    user_roles,
    users,
)


@dataclass(frozen=True, slots=True)
class OrderRow:
    """One line of an order list. ``caller_*`` are None on confidential orders."""

    id: OrderId
    number: str
    version: int
    state: str
    registered_at: datetime
    channel: str
    request_type: str
    category_name: str
    category_code: str
    title: str
    caller_name: str | None
    caller_phone: str | None  # masked
    confidential: bool
    address: str | None
    location_unit_name: str
    lead_unit_name: str | None
    tier: int | None
    due_at: datetime | None  # the open resolve limit's deadline
    warning: bool  # past the open resolve limit's warn_at
    overdue: bool  # past its due_at


@dataclass(frozen=True, slots=True)
class UserChoice:
    """A user offered by the demo login picker."""

    username: str
    display_name: str
    unit_name: str
    roles: tuple[str, ...]


def last_event_id(conn: Connection) -> EventId:
    """The newest committed event id; event ids follow commit order with no gaps."""
    return EventId(ids.current(conn, "events"))


def visible_unit_ids(conn: Connection, actor: Actor) -> list[int] | None:
    """Units inside the actor's unit, or None when that is every unit (no filter needed)."""
    inside = units.c.path.startswith(actor.unit_path, autoescape=True)
    outside = conn.execute(select(units.c.id).where(not_(inside)).limit(1)).first()
    if outside is None:
        return None
    return list(conn.execute(select(units.c.id).where(inside)).scalars())


def held_or_located(unit_ids: list[int]) -> ColumnElement[bool]:
    """For pages: walked along the registration-time index until the page is full, so a
    first page costs little however many orders the unit may see."""
    held = exists().where(
        hops.c.order_id == orders.c.id,
        or_(hops.c.receiver_unit_id.in_(unit_ids), hops.c.sender_unit_id.in_(unit_ids)),
    )
    return or_(orders.c.location_unit_id.in_(unit_ids), held)


def _visible_ids(unit_ids: list[int]) -> Subquery:
    """For counts: a UNION of three lookups, each on its own unit-id index, so the cost
    follows what the unit may see, not the size of the table."""
    return union(
        select(orders.c.id.label("order_id")).where(orders.c.location_unit_id.in_(unit_ids)),
        select(hops.c.order_id).where(hops.c.receiver_unit_id.in_(unit_ids)),
        select(hops.c.order_id).where(hops.c.sender_unit_id.in_(unit_ids)),
    ).subquery("visible")


def _state_in(states: Collection[str]) -> ColumnElement[bool]:
    return orders.c.state.in_(sorted(str(s) for s in states))


def count_orders(conn: Connection, actor: Actor, states: Collection[str] | None = None) -> int:
    unit_ids = visible_unit_ids(conn, actor)
    stmt = select(func.count())
    if unit_ids is None:
        stmt = stmt.select_from(orders)
    elif states is None:
        stmt = stmt.select_from(_visible_ids(unit_ids))
    else:
        visible = _visible_ids(unit_ids)
        stmt = stmt.select_from(visible.join(orders, orders.c.id == visible.c.order_id))
    if states is not None:
        stmt = stmt.where(_state_in(states))
    return int(conn.execute(stmt).scalar_one())


def list_orders(
    conn: Connection,
    actor: Actor,
    *,
    limit: int,
    offset: int = 0,
    states: Collection[str] | None = None,
    now: datetime | None = None,
    order_ids: Collection[int] | None = None,
) -> list[OrderRow]:
    """The orders the actor may see, newest registration first (ties: newest id).
    ``order_ids`` narrows it to those orders: a live view re-reads only what changed."""
    now = now or datetime.now(UTC)
    loc = units.alias("loc")
    lead = units.alias("lead")
    stmt = (
        select(
            orders.c.id,
            orders.c.number,
            orders.c.version,
            orders.c.state,
            orders.c.registered_at,
            orders.c.channel,
            orders.c.request_type,
            categories.c.name.label("category_name"),
            categories.c.code.label("category_code"),
            orders.c.title,
            orders.c.caller_shown,
            orders.c.phone_masked,
            orders.c.confidential,
            orders.c.address,
            loc.c.name.label("location_unit_name"),
            lead.c.name.label("lead_unit_name"),
            orders.c.tier,
        )
        .select_from(
            orders.join(categories, categories.c.node_id == orders.c.category_node_id)
            .join(loc, loc.c.id == orders.c.location_unit_id)
            .outerjoin(lead, lead.c.id == orders.c.lead_unit_id)
        )
        .order_by(orders.c.registered_at.desc(), orders.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    unit_ids = visible_unit_ids(conn, actor)
    if unit_ids is not None:
        stmt = stmt.where(held_or_located(unit_ids))
    if states is not None:
        stmt = stmt.where(_state_in(states))
    if order_ids is not None:
        stmt = stmt.where(orders.c.id.in_(sorted(order_ids)))
    rows = conn.execute(stmt).all()
    limits = _open_resolve_limits(conn, [r.id for r in rows])
    out: list[OrderRow] = []
    for r in rows:
        due_at, warn_at, paused_at = limits.get(r.id, (None, None, None))
        at = paused_at or now  # a paused clock stands still
        hidden = bool(r.confidential)
        out.append(
            OrderRow(
                id=OrderId(r.id),
                number=r.number,
                version=r.version,
                state=r.state,
                registered_at=r.registered_at,
                channel=r.channel,
                request_type=r.request_type,
                category_name=r.category_name,
                category_code=r.category_code,
                title=r.title,
                caller_name=None if hidden else r.caller_shown,
                caller_phone=None if hidden else r.phone_masked,
                confidential=hidden,
                address=r.address,
                location_unit_name=r.location_unit_name,
                lead_unit_name=r.lead_unit_name,
                tier=r.tier,
                due_at=due_at,
                warning=warn_at is not None and at >= warn_at,
                overdue=due_at is not None and at > due_at,
            )
        )
    return out


def _open_resolve_limits(
    conn: Connection, order_ids: Sequence[int]
) -> dict[int, tuple[datetime, datetime, datetime | None]]:
    if not order_ids:
        return {}
    # Filtered in Python: every condition but order_id would tempt SQLite (no statistics)
    # away from the order_id index, and an order has only a handful of limits.
    rows = conn.execute(
        select(
            time_limits.c.id,
            time_limits.c.order_id,
            time_limits.c.kind,
            time_limits.c.ended_at,
            time_limits.c.due_at,
            time_limits.c.warn_at,
            time_limits.c.paused_at,
        ).where(time_limits.c.order_id.in_(order_ids))
    )
    found = sorted(rows, key=lambda r: r.id)
    # Only one resolve limit is open at a time; should two be, the newest wins.
    return {
        r.order_id: (r.due_at, r.warn_at, r.paused_at)
        for r in found
        if r.kind == LimitKind.RESOLVE.value and r.ended_at is None
    }


def demo_users(conn: Connection, first: Sequence[str] = ()) -> list[UserChoice]:
    """Active users with unit and roles, from the top of the tree down; the usernames in
    ``first`` (one per role and tier in a demo county) lead the list, in that order."""
    found = conn.execute(
        select(users.c.id, users.c.username, users.c.display_name, units.c.name.label("unit"))
        .join(units, units.c.id == users.c.unit_id)
        .where(users.c.active.is_(True))
        .order_by(units.c.level, units.c.path, users.c.username)
    ).all()
    roles: dict[int, list[str]] = {}
    for uid, role in conn.execute(
        select(user_roles.c.user_id, user_roles.c.role).order_by(user_roles.c.role)
    ):
        roles.setdefault(uid, []).append(role)
    choices = [
        UserChoice(r.username, r.display_name, r.unit, tuple(roles.get(r.id, ()))) for r in found
    ]
    rank = {name: i for i, name in enumerate(first)}
    return sorted(choices, key=lambda c: rank.get(c.username, len(rank)))  # stable otherwise
