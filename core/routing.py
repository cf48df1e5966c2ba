"""Where should this order go? A suggested unit, with the reason shown to the officer.

Three sources, in this order of trust:
- **history**: where this centre sent orders of the same category from the same town in
  the last ``history_days``, counting only hand-offs that stood (not returned, withdrawn
  or escalated): the county's practice, which the defaults below only guess at;
- **tier**: the category's default tier (``resources/categories/defaults.toml``) applied to
  the location: the owning county department (tier 1), the town or street (tier 2), the
  village or community (tier 3);
- **alternatives**: the other two of department / town / village, so a different choice
  is one key away.

A town centre dispatches inside its town: its suggestions are the location's village or
community, then its other handling units from history. No Qt here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, select

from core.domain.enums import HopRole, HopState, UnitKind
from core.org import OrgDirectory, Unit
from core.storage.schema import hops, orders, units
from core.taxonomy import Category

TOWN_KINDS = (UnitKind.TOWN, UnitKind.STREET)
VILLAGE_KINDS = (UnitKind.VILLAGE, UnitKind.COMMUNITY)
STRONG = 3  # hand-offs of the same kind before history outranks the category's rule
STOOD = (HopState.AWAITING, HopState.IN_PROGRESS, HopState.DELEGATED, HopState.ANSWERED)


@dataclass(frozen=True)
class Suggestion:
    unit_id: int
    unit_name: str
    reasons: tuple[str, ...]  # "history", "category_owner", "tier_town", "tier_village", …
    detail: dict[str, Any] = field(default_factory=dict)  # e.g. {"history_orders": 12}


def _up(org: OrgDirectory, unit_id: int, kinds: tuple[UnitKind, ...]) -> Unit | None:
    for unit in [org.get(unit_id), *reversed(org.ancestors(unit_id))]:
        if unit.kind in kinds:
            return unit
    return None


def suggest(
    conn: Connection,
    org: OrgDirectory,
    category: Category,
    location_unit_id: int,
    centre_unit_id: int,
    now: datetime,
    *,
    history_days: int = 90,
    limit: int = 4,
) -> list[Suggestion]:
    """Suggestions, best first, each unit once with every reason that points at it."""
    town = _up(org, location_unit_id, TOWN_KINDS)
    village = _up(org, location_unit_id, VILLAGE_KINDS)
    centre = org.get(centre_unit_id)
    owner = org.by_code(category.owner_unit_code) if category.owner_unit_code else None
    picks: dict[int, tuple[list[str], dict[str, Any]]] = {}

    def add(unit: Unit | None, reason: str, **detail: Any) -> None:
        if unit is None or unit.id == centre_unit_id:
            return
        if centre.kind in TOWN_KINDS and not org.within(unit.id, centre.id):
            return  # a town centre only sends inside its town
        reasons, details = picks.setdefault(unit.id, ([], {}))
        reasons.append(reason)
        details.update(detail)

    if centre.kind in TOWN_KINDS:
        add(village, "tier_village")
    else:
        tier = category.default_tier or 1
        ordered = {1: ("owner", "town", "village"), 2: ("town", "village", "owner")}.get(
            tier, ("village", "town", "owner")
        )
        for what in ordered:
            if what == "owner":
                add(owner, "category_owner", category=category.name)
            elif what == "town":
                add(town, "tier_town")
            else:
                add(village, "tier_village")
    by_rule = list(picks)
    past = _history(conn, category, town, centre_unit_id, now, history_days)
    for unit_id, count in past:
        add(org.find(unit_id), "history", history_orders=count, history_days=history_days)
    # Settled practice (STRONG or more hand-offs) leads; then the category's rule; then the
    # rest of what was done before.
    strong = [u for u, n in past if n >= STRONG and u in picks]
    ranked = strong + [u for u in by_rule if u not in strong]
    ranked += [u for u in picks if u not in ranked]
    return [
        Suggestion(uid, org.get(uid).name, tuple(picks[uid][0]), picks[uid][1])
        for uid in ranked[:limit]
    ]


def _history(
    conn: Connection,
    category: Category,
    town: Unit | None,
    centre_unit_id: int,
    now: datetime,
    days: int,
) -> list[tuple[int, int]]:
    """(receiver, hand-offs) of this centre's standing lead dispatches of the category to
    orders in the same town, most first."""
    stmt = (
        select(hops.c.receiver_unit_id, func.count())
        .select_from(hops.join(orders, orders.c.id == hops.c.order_id))
        .where(
            hops.c.sender_unit_id == centre_unit_id,
            hops.c.role == HopRole.LEAD.value,
            hops.c.parent_id.is_(None),
            hops.c.state.in_([s.value for s in STOOD]),
            hops.c.dispatched_at >= now - timedelta(days=days),
            orders.c.category_node_id == category.node_id,
        )
        .group_by(hops.c.receiver_unit_id)
        .order_by(func.count().desc(), hops.c.receiver_unit_id)
        .limit(5)
    )
    if town is not None:
        located = select(units.c.id).where(units.c.path.startswith(town.path, autoescape=True))
        stmt = stmt.where(orders.c.location_unit_id.in_(located.scalar_subquery()))
    return [(int(r[0]), int(r[1])) for r in conn.execute(stmt)]
