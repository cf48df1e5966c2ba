"""Grouping: which group (unit, town, grid, tier, category, or the county) each order and
each hop counts for. The rules are documented in resources/analytics/indicators.toml.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Connection, and_, or_, select

from core.analytics.sql import Ids, by_blocks, id_array
from core.domain.enums import HopRole, HopState, UnitKind
from core.storage.schema import categories, hops, orders, units

if TYPE_CHECKING:
    import pandas as pd

GROUPINGS = ("county", "unit", "town", "grid", "tier", "category")
COUNTY = "county"
NO_TIER = "none"

# A top-level lead hop in one of these states keeps its receiver accountable; returned,
# withdrawn and escalated hops hand the order back to the centre.
STANDING_LEAD = (HopState.AWAITING, HopState.IN_PROGRESS, HopState.DELEGATED, HopState.ANSWERED)
# An assisting hop in one of these states counts its receiver in, when assisting units are
# scored; a returned or withdrawn assisting hop does not.
STANDING_ASSIST = (HopState.AWAITING, HopState.IN_PROGRESS, HopState.ANSWERED)
TOWN_KINDS = (UnitKind.TOWN, UnitKind.STREET)


@dataclass(frozen=True)
class GroupInfo:
    key: str
    name: str | None
    kind: str


class Directory:
    """Units and categories (small tables), read once per report."""

    def __init__(self, conn: Connection) -> None:
        self.units = {
            r.id: r
            for r in conn.execute(
                select(units.c.id, units.c.parent_id, units.c.kind, units.c.level, units.c.name)
            )
        }
        self.categories = {
            r.node_id: r
            for r in conn.execute(
                select(
                    categories.c.node_id,
                    categories.c.parent_node_id,
                    categories.c.level,
                    categories.c.name,
                )
            )
        }

    def town_of(self, unit_id: int) -> int:
        """The town or street at or above ``unit_id``; the unit itself when there is none
        (an order located at county level counts for the county)."""
        cur = self.units.get(unit_id)
        while cur is not None:
            if cur.kind in TOWN_KINDS:
                return int(cur.id)
            cur = self.units.get(cur.parent_id) if cur.parent_id is not None else None
        return unit_id

    def grid_of(self, unit_id: int) -> int:
        """The grid at or above ``unit_id``; for an order located above grid level (a
        village, a town or the county itself) the "no grid" group of its town: the town's
        id (the county's for a county-level location), as ``town_of`` gives it."""
        cur = self.units.get(unit_id)
        while cur is not None:
            if cur.kind == UnitKind.GRID:
                return int(cur.id)
            cur = self.units.get(cur.parent_id) if cur.parent_id is not None else None
        return self.town_of(unit_id)

    def level1(self, node_id: str) -> str:
        cur = self.categories.get(node_id)
        while cur is not None and cur.level > 1 and cur.parent_node_id is not None:
            cur = self.categories.get(cur.parent_node_id)
        return str(cur.node_id) if cur is not None else node_id

    def county(self) -> GroupInfo:
        roots = [u for u in self.units.values() if u.parent_id is None]
        name = roots[0].name if len(roots) == 1 else None
        return GroupInfo(COUNTY, name, COUNTY)

    def info(self, by: str, key: str) -> GroupInfo:
        if by in ("unit", "town", "grid"):
            unit = self.units.get(int(key))
            return GroupInfo(key, unit.name if unit else None, unit.kind if unit else "unit")
        if by == "category":
            cat = self.categories.get(key)
            return GroupInfo(key, cat.name if cat else None, "category")
        if by == "tier":
            return GroupInfo(key, None, "tier")
        return self.county()


def accountable(dims: pd.DataFrame, top: pd.DataFrame, assisting: bool) -> pd.DataFrame:
    """order_id → unit: the receiver of the latest standing top-level lead hop, else the
    registering centre; plus each standing assisting unit when ``assisting``."""
    import pandas as pd

    lead = top[(top.role == HopRole.LEAD.value) & top.state.isin([s.value for s in STANDING_LEAD])]
    lead = lead.sort_values(["order_id", "seq"]).drop_duplicates("order_id", keep="last")
    out = dims[["order_id", "centre_unit_id"]].merge(
        lead[["order_id", "receiver_unit_id"]], on="order_id", how="left"
    )
    unit = out.receiver_unit_id.fillna(out.centre_unit_id).astype("int64")
    result = pd.DataFrame({"order_id": out.order_id.astype("int64"), "group": unit.astype(str)})
    if assisting:
        assist = top[
            (top.role == HopRole.ASSIST.value)
            & top.state.isin([s.value for s in STANDING_ASSIST])
            & top.order_id.isin(dims.order_id)
        ]
        extra = pd.DataFrame(
            {
                "order_id": assist.order_id.astype("int64"),
                "group": assist.receiver_unit_id.astype("int64").astype(str),
            }
        )
        result = pd.concat([result, extra], ignore_index=True).drop_duplicates()
    return result


def order_groups(
    conn: Connection, directory: Directory, by: str, ids: Ids, assisting: bool
) -> pd.DataFrame:
    """One row per (order, group); several per order only for units with assisting scored."""
    import pandas as pd

    wanted = id_array(ids)
    if by == COUNTY:
        return pd.DataFrame({"order_id": wanted, "group": COUNTY})
    dims = order_dims(conn, wanted)
    if by == "unit":
        top = order_hops(conn, wanted, assisting)
        return accountable(dims, top, assisting)
    if by in ("town", "grid"):
        find = directory.town_of if by == "town" else directory.grid_of
        places = {u: str(find(int(u))) for u in dims.location_unit_id.unique()}
        group = dims.location_unit_id.map(places)
    elif by == "tier":
        group = dims.tier.astype("Int64").astype("string").fillna(NO_TIER)
    else:
        cats = {c: directory.level1(c) for c in dims.category_node_id.unique()}
        group = dims.category_node_id.map(cats)
    return pd.DataFrame({"order_id": dims.order_id.astype("int64"), "group": group.astype(str)})


def hop_groups(
    directory: Directory, by: str, sent: pd.DataFrame, per_order: pd.DataFrame
) -> pd.DataFrame:
    """Hops count for their own receiver (unit), its level (tier), or their order's group."""
    if by == "unit":
        return sent.assign(group=sent.receiver_unit_id.astype("int64").astype(str))
    if by == "tier":
        levels = {u: str(directory.units[u].level) for u in sent.receiver_unit_id.unique()}
        return sent.assign(group=sent.receiver_unit_id.map(levels).astype(str))
    if by == COUNTY:
        return sent.assign(group=COUNTY)
    return sent.merge(per_order.drop_duplicates("order_id"), on="order_id", how="left")


def order_dims(conn: Connection, ids: Ids) -> pd.DataFrame:
    o = orders
    return by_blocks(
        conn,
        ids,
        lambda cond: select(
            o.c.id, o.c.tier, o.c.category_node_id, o.c.location_unit_id, o.c.centre_unit_id
        ).where(cond(o.c.id)),
        ("order_id", "tier", "category_node_id", "location_unit_id", "centre_unit_id"),
    )


def order_hops(conn: Connection, ids: Ids, assisting: bool) -> pd.DataFrame:
    """Top-level lead hops (and, when assisting units are scored, every assisting hop)."""
    h = hops
    wanted = and_(h.c.parent_id.is_(None), h.c.role == HopRole.LEAD.value)
    if assisting:
        wanted = or_(wanted, h.c.role == HopRole.ASSIST.value)
    return by_blocks(
        conn,
        ids,
        lambda cond: select(h.c.order_id, h.c.seq, h.c.role, h.c.state, h.c.receiver_unit_id).where(
            cond(h.c.order_id), wanted
        ),
        ("order_id", "seq", "role", "state", "receiver_unit_id"),
    )
