"""聚集: several orders of one category in one grid, or close together, in a short window.

The window's orders come from ``ix_orders_registered_at``: a county registers a few dozen
in two hours, so grouping and distances are computed in Python on those rows. Grid
clusters are found first; the radius test then looks across grid borders. A cluster that
still holds an order of an earlier cluster alert is the same episode and raises nothing.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, select

from core.domain.enums import OrderState, UnitKind
from core.geo import haversine_m
from core.storage.schema import orders
from core.taxonomy import Category, CategoryBook
from core.warning.alerts import recent_details
from core.warning.config import ClusterRule
from core.warning.model import Candidate, Rule, Severity
from core.workflow.context import Reference


@dataclass(frozen=True)
class _Order:
    id: int
    registered_at: datetime
    category: str  # the node id at the compared level
    unit_id: int
    lon: float | None
    lat: float | None


def category_chain(book: CategoryBook, node_id: str) -> list[Category]:
    """The category and its parents, the leaf first."""
    out: list[Category] = []
    cur = book.get(node_id)
    while cur is not None and len(out) < 5:
        out.append(cur)
        cur = book.get(cur.parent_node_id) if cur.parent_node_id else None
    return out


def category_at(book: CategoryBook, node_id: str, level: int) -> Category | None:
    """The category at ``level`` above (or at) ``node_id``; a level-2 item without level-3
    children compares as itself at level 3."""
    chain = category_chain(book, node_id)
    found = [c for c in chain if c.level <= level]
    return found[0] if found else (chain[-1] if chain else None)


def _window(conn: Connection, rule: ClusterRule, ref: Reference, now: datetime) -> list[_Order]:
    since = now - timedelta(minutes=rule.window_minutes)
    o = orders.c
    q = select(o.id, o.registered_at, o.category_node_id, o.location_unit_id, o.lon, o.lat).where(
        o.registered_at > since, o.registered_at <= now, o.state != OrderState.VOIDED.value
    )
    out = []
    for r in conn.execute(q):
        cat = category_at(ref.categories, r.category_node_id, rule.category_level)
        out.append(
            _Order(
                r.id,
                r.registered_at,
                cat.node_id if cat else r.category_node_id,
                r.location_unit_id,
                r.lon,
                r.lat,
            )
        )
    out.sort(key=lambda x: (x.registered_at, x.id))
    return out


def find_clusters(
    conn: Connection, rule: ClusterRule, ref: Reference, now: datetime
) -> list[Candidate]:
    if not rule.enabled:
        return []
    window = _window(conn, rule, ref, now)
    if len(window) < rule.min_count:
        return []
    spent = {
        int(i)
        for d in recent_details(conn, Rule.CLUSTER, now - timedelta(minutes=rule.window_minutes))
        for i in d.get("orders", [])
    }
    by_cat: dict[str, list[_Order]] = defaultdict(list)
    for x in window:
        by_cat[x.category].append(x)
    found: list[Candidate] = []
    for cat_id, group in sorted(by_cat.items()):
        if len(group) < rule.min_count:
            continue
        if rule.by_grid:
            found += _by_grid(rule, ref, cat_id, group, spent)
        if rule.radius_m > 0:
            found += _by_radius(rule, ref, cat_id, group, spent)
    return found


def _by_grid(
    rule: ClusterRule, ref: Reference, cat_id: str, group: list[_Order], spent: set[int]
) -> list[Candidate]:
    by_grid: dict[int, list[_Order]] = defaultdict(list)
    for x in group:
        unit = ref.org.find(x.unit_id)
        if unit is not None and unit.kind == UnitKind.GRID:
            by_grid[x.unit_id].append(x)
    out = []
    for grid_id, members in sorted(by_grid.items()):
        ids = [m.id for m in members]
        if len(members) < rule.min_count or spent.intersection(ids):
            continue
        spent.update(ids)
        grid = ref.org.get(grid_id)
        out.append(_candidate(rule, ref, cat_id, members, f"grid:{grid_id}", grid.name, grid_id))
    return out


def _by_radius(
    rule: ClusterRule, ref: Reference, cat_id: str, group: list[_Order], spent: set[int]
) -> list[Candidate]:
    """Greedy: the order with the most others within the radius (ties: the earliest) and
    those others make a cluster; repeat on the rest. Neighbours come from a hash of cells
    one radius wide (only the 3 x 3 cells around a point are measured), and the greedy
    choice from a heap of counts that only fall, so a burst of thousands of orders in one
    window costs about n log n, not n cubed."""
    placed = [x for x in group if x.lon is not None and x.lat is not None]
    if len(placed) < rule.min_count:
        return []
    near = _neighbours(placed, rule.radius_m)
    left = set(range(len(placed)))
    heap = [(-len(n), i) for i, n in enumerate(near)]
    heapq.heapify(heap)
    out = []
    while heap:
        stale, i = heapq.heappop(heap)
        if i not in left:
            continue
        count = sum(1 for j in near[i] if j in left)
        if count != -stale:  # others were taken since: back in with its true count
            heapq.heappush(heap, (-count, i))
            continue
        if count < rule.min_count:
            break
        best = [placed[j] for j in sorted(near[i]) if j in left]
        left.difference_update(j for j in near[i])
        chosen = {x.id for x in best}
        if spent.intersection(chosen):
            continue
        spent.update(chosen)
        first = min(best, key=lambda x: (x.registered_at, x.id))
        unit = ref.org.find(first.unit_id)
        where = f"{unit.name if unit else first.unit_id}附近{rule.radius_m:g}米内"
        out.append(_candidate(rule, ref, cat_id, best, "radius", where, first.unit_id))
    return out


def _neighbours(placed: list[_Order], radius_m: float) -> list[list[int]]:
    """For each order, the indexes of the orders within ``radius_m`` (itself included)."""
    lat0 = math.radians(sum(x.lat or 0.0 for x in placed) / len(placed))
    metres_lon = 111_320.0 * max(math.cos(lat0), 0.01)
    cells: dict[tuple[int, int], list[int]] = defaultdict(list)
    keys = []
    for i, x in enumerate(placed):
        assert x.lon is not None and x.lat is not None
        # cells a little wider than the radius: the flat metres only approximate the sphere
        key = (
            math.floor(x.lon * metres_lon / (radius_m * 1.01)),
            math.floor(x.lat * 110_574.0 / (radius_m * 1.01)),
        )
        keys.append(key)
        cells[key].append(i)
    out = []
    for i, x in enumerate(placed):
        here = (x.lon or 0.0, x.lat or 0.0)
        cx, cy = keys[i]
        out.append(
            [
                j
                for dx in (-1, 0, 1)
                for dy in (-1, 0, 1)
                for j in cells.get((cx + dx, cy + dy), ())
                if haversine_m(here, (placed[j].lon or 0.0, placed[j].lat or 0.0)) <= radius_m
            ]
        )
    return out


def _candidate(
    rule: ClusterRule,
    ref: Reference,
    cat_id: str,
    members: list[_Order],
    place: str,
    place_name: str,
    unit_id: int,
) -> Candidate:
    members = sorted(members, key=lambda x: (x.registered_at, x.id))
    cat = ref.categories.get(cat_id)
    cat_name = cat.name if cat else cat_id
    hours = rule.window_minutes / 60
    span = f"{hours:g}小时" if rule.window_minutes % 60 == 0 else f"{rule.window_minutes}分钟"
    return Candidate(
        Rule.CLUSTER,
        f"{place}:{cat_id}:{members[0].id}",
        Severity(rule.severity),
        f"{place_name} {span}内 {len(members)} 起 {cat_name}",
        {
            "kind": "grid" if place.startswith("grid:") else "radius",
            "orders": [m.id for m in members],
            "count": len(members),
            "category": cat_id,
            "category_level": rule.category_level,
            "window_minutes": rule.window_minutes,
            "radius_m": rule.radius_m if not place.startswith("grid:") else None,
            "first_at": members[0].registered_at.isoformat(),
            "last_at": members[-1].registered_at.isoformat(),
        },
        unit_id,
    )
