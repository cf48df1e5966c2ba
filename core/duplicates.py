"""Possible duplicates of a call being taken (重复件 · 疑似重复), as the duty officer types.

A second caller about the same broken street light should end up on the first order
(merge, core.workflow.closing.merge), not on a new one. Merging takes an open order as
its target, so only open orders are offered: registered within ``days``, that the officer
may see (the jurisdiction rule of core.queries).

An order is a candidate only when it is *near* (the same grid or village as the call's
location unit, or within ``NEAR_M`` of its point) or in the *same category family* (the
same level-3 category, or a sibling under the same level-2 parent of DB44/T 2479-2024).
Text alone never makes a candidate: two calls that both say 噪音 may be across the county.
Text similarity (character bigrams, since Chinese has no spaces) and recency then rank
the candidates.

The query walks ``ix_orders_state`` (state, registered_at): only open orders inside the
window are read, however many closed orders the database holds. Scores are computed in
Python on those few rows. Returns codes (``Reason``), never sentences. No Qt here.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import ColumnElement, Connection, and_, false, func, or_, select

from core.domain.actor import Actor
from core.domain.enums import OPEN_STATES, UnitKind
from core.domain.ids import OrderId
from core.geo import EARTH_RADIUS_M, haversine_m
from core.queries import held_or_located, visible_unit_ids
from core.storage.schema import categories, order_callers, orders, units

NEAR_M = 500.0  # "the same place" for a point: about a block in town, a hamlet outside
SCAN_CAP = 400  # newest candidates scored at most; a county has far fewer in a month
TEXT_MIN = 0.25  # share of the typed text's bigrams found in an order to call it similar
TEXT_MIN_SHARED = 2  # and at least this many bigrams in common

# Score weights: a place or a category match is worth more than wording; recency breaks ties.
W_SAME_GRID = 3.0
W_SAME_VILLAGE = 2.0
W_POINT = 3.0  # at distance 0, falling to half at NEAR_M
W_SAME_CATEGORY = 3.0
W_SIMILAR_CATEGORY = 1.5
W_TEXT = 4.0  # times the similarity (0 … 1)
W_RECENT = 1.0  # times 1 - age / days

_VILLAGE_KINDS = frozenset({UnitKind.VILLAGE, UnitKind.COMMUNITY})
_NEAR_UNIT_KINDS = _VILLAGE_KINDS | {UnitKind.GRID}


class Reason(StrEnum):
    NEAR = "near"  # same grid or village, or within NEAR_M
    SAME_CATEGORY = "same_category"
    SIMILAR_CATEGORY = "similar_category"  # same level-2 parent
    SIMILAR_TEXT = "similar_text"


@dataclass(frozen=True, slots=True)
class Duplicate:
    """One possible duplicate. ``callers`` counts the order's own caller and every added
    or merged one: how many times this matter has been reported."""

    order_id: OrderId
    number: str
    title: str
    state: str
    registered_at: datetime
    location_unit_name: str
    address: str | None
    category_name: str
    reasons: tuple[Reason, ...]
    score: float
    distance_m: float | None
    callers: int


def bigrams(text: str) -> frozenset[str]:
    """Character bigrams of the letters and digits of ``text`` (full-width folded, lower
    case); punctuation and spaces break runs, so no bigram spans two phrases."""
    folded = unicodedata.normalize("NFKC", text).lower()
    out: set[str] = set()
    prev = ""
    for ch in folded:
        if ch.isalnum():
            if prev:
                out.add(prev + ch)
            prev = ch
        else:
            prev = ""
    return frozenset(out)


def text_similarity(typed: frozenset[str], other: frozenset[str]) -> tuple[float, int]:
    """(share of the typed bigrams found in ``other``, bigrams in common)."""
    if not typed:
        return 0.0, 0
    shared = len(typed & other)
    return shared / len(typed), shared


@dataclass(frozen=True)
class _Place:
    unit_id: int | None  # the call's location unit, when it is a grid or a village
    area_ids: tuple[int, ...]  # its village (or grid) and every unit under it
    point: tuple[float, float] | None


def _place(
    conn: Connection, location_unit_id: int | None, lon: float | None, lat: float | None
) -> _Place:
    point = (lon, lat) if lon is not None and lat is not None else None
    if location_unit_id is None:
        return _Place(None, (), point)
    row = conn.execute(
        select(units.c.kind, units.c.path).where(units.c.id == location_unit_id)
    ).first()
    if row is None or row.kind not in _NEAR_UNIT_KINDS:
        # A call placed at a town or the county says nothing about where it is.
        return _Place(None, (), point)
    area_path = row.path
    if row.kind == UnitKind.GRID:
        chain = [int(p) for p in row.path.strip("/").split("/")]
        villages = conn.execute(
            select(units.c.path, units.c.level)
            .where(units.c.id.in_(chain), units.c.kind.in_(sorted(_VILLAGE_KINDS)))
            .order_by(units.c.level.desc())
        ).first()
        if villages is not None:
            area_path = villages.path
    area = conn.execute(
        select(units.c.id).where(units.c.path.startswith(area_path, autoescape=True))
    ).scalars()
    return _Place(location_unit_id, tuple(sorted(area)), point)


def _family(conn: Connection, category_node_id: str | None) -> tuple[str | None, str | None]:
    """(the category, its level-2 parent) for a level-3 node; a level-2 node is its own
    family; anything else has none."""
    if category_node_id is None:
        return None, None
    row = conn.execute(
        select(categories.c.level, categories.c.parent_node_id).where(
            categories.c.node_id == category_node_id
        )
    ).first()
    if row is None:
        return None, None
    if row.level >= 3:
        return category_node_id, row.parent_node_id
    if row.level == 2:
        return category_node_id, category_node_id
    return category_node_id, None


def _box(point: tuple[float, float], metres: float) -> ColumnElement[bool]:
    """A lon/lat box around the point a little larger than the circle, for SQL."""
    lon, lat = point
    dlat = math.degrees(metres / EARTH_RADIUS_M) * 1.01
    dlon = dlat / max(0.01, math.cos(math.radians(lat)))
    return and_(
        orders.c.lat.between(lat - dlat, lat + dlat),
        orders.c.lon.between(lon - dlon, lon + dlon),
    )


def candidates(
    conn: Connection,
    actor: Actor,
    *,
    now: datetime,
    location_unit_id: int | None = None,
    lon: float | None = None,
    lat: float | None = None,
    category_node_id: str | None = None,
    text: str = "",
    days: int = 30,
    limit: int = 8,
) -> list[Duplicate]:
    """Open orders the call may duplicate, best first; empty when nothing is known yet."""
    place = _place(conn, location_unit_id, lon, lat)
    node, parent = _family(conn, category_node_id)
    matches: list[ColumnElement[bool]] = []
    if place.area_ids:
        matches.append(orders.c.location_unit_id.in_(place.area_ids))
    if place.point is not None:
        matches.append(_box(place.point, NEAR_M))
    if parent is not None:
        matches.append(categories.c.parent_node_id == parent)
    elif node is not None:
        matches.append(orders.c.category_node_id == node)
    if not matches or limit < 1:
        return []
    since = now - timedelta(days=days)
    loc = units.alias("loc")
    stmt = (
        select(
            orders.c.id,
            orders.c.number,
            orders.c.title,
            orders.c.description,
            orders.c.state,
            orders.c.registered_at,
            orders.c.address,
            orders.c.lon,
            orders.c.lat,
            orders.c.location_unit_id,
            orders.c.category_node_id,
            categories.c.parent_node_id.label("category_parent"),
            categories.c.name.label("category_name"),
            loc.c.name.label("location_unit_name"),
        )
        .select_from(
            orders.join(categories, categories.c.node_id == orders.c.category_node_id).join(
                loc, loc.c.id == orders.c.location_unit_id
            )
        )
        .where(
            orders.c.state.in_(sorted(str(s) for s in OPEN_STATES)),
            orders.c.registered_at >= since,
            orders.c.registered_at <= now,
            or_(false(), *matches),
        )
        .order_by(orders.c.registered_at.desc(), orders.c.id.desc())
        .limit(SCAN_CAP)
    )
    unit_ids = visible_unit_ids(conn, actor)
    if unit_ids is not None:
        stmt = stmt.where(held_or_located(unit_ids))
    typed = bigrams(text)
    found: list[Duplicate] = []
    for r in conn.execute(stmt):
        reasons: list[Reason] = []
        score = 0.0
        near = 0.0
        if place.unit_id is not None and r.location_unit_id == place.unit_id:
            near = W_SAME_GRID
        elif r.location_unit_id in place.area_ids:
            near = W_SAME_VILLAGE
        distance = None
        if place.point is not None and r.lon is not None and r.lat is not None:
            distance = haversine_m(place.point, (r.lon, r.lat))
            if distance <= NEAR_M:
                near = max(near, W_POINT * (1 - distance / (2 * NEAR_M)))
        if near:
            reasons.append(Reason.NEAR)
            score += near
        if node is not None and r.category_node_id == node:
            reasons.append(Reason.SAME_CATEGORY)
            score += W_SAME_CATEGORY
        elif parent is not None and r.category_parent == parent:
            reasons.append(Reason.SIMILAR_CATEGORY)
            score += W_SIMILAR_CATEGORY
        if not reasons:
            continue  # inside the box but beyond NEAR_M, and another category
        share, shared = text_similarity(typed, bigrams(f"{r.title} {r.description}"))
        if share >= TEXT_MIN and shared >= TEXT_MIN_SHARED:
            reasons.append(Reason.SIMILAR_TEXT)
            score += W_TEXT * share
        age = (now - r.registered_at).total_seconds() / 86400
        if days > 0:
            score += W_RECENT * max(0.0, 1 - age / days)
        found.append(
            Duplicate(
                order_id=OrderId(r.id),
                number=r.number,
                title=r.title,
                state=r.state,
                registered_at=r.registered_at,
                location_unit_name=r.location_unit_name,
                address=r.address,
                category_name=r.category_name,
                reasons=tuple(reasons),
                score=round(score, 3),
                distance_m=None if distance is None else round(distance, 1),
                callers=1,
            )
        )
    found.sort(key=lambda d: (-d.score, -d.registered_at.timestamp(), -d.order_id))
    best = found[:limit]
    added = _added_callers(conn, [d.order_id for d in best])
    return [replace(d, callers=1 + added.get(d.order_id, 0)) for d in best]


def _added_callers(conn: Connection, order_ids: list[OrderId]) -> dict[int, int]:
    if not order_ids:
        return {}
    rows = conn.execute(
        select(order_callers.c.order_id, func.count())
        .where(order_callers.c.order_id.in_(order_ids))
        .group_by(order_callers.c.order_id)
    )
    return {int(oid): int(n) for oid, n in rows}
