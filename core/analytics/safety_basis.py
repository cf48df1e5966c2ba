"""What the safety index (平安指数) reads besides the assessment indicators: the groups it
ranks, and the period's orders counted per (group, category, urgency, risk grade).

A published period stores this basis with its figures (``published.publish``), so its
safety index is computed from stored figures only and never changes; see safety.py.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, func, select

from core.analytics.groups import Directory
from core.analytics.indicators import NOT_INTAKE
from core.analytics.period import Period
from core.analytics.sql import Window
from core.domain.enums import UnitKind
from core.storage.schema import orders, units

if TYPE_CHECKING:
    import pandas as pd

# The groupings with a safety index, and the unit kinds ranked in each: a grid grouping's
# "no grid" groups (orders located above grid level) and the county's own group are
# counted by the assessment but are not grids or towns, so they are not ranked.
RANKED_KINDS = {
    "grid": (UnitKind.GRID.value,),
    "town": (UnitKind.TOWN.value, UnitKind.STREET.value),
}
COUNT_COLUMNS = ("group", "category_node_id", "urgency", "risk_grade", "n")


def ranked_groups(conn: Connection, by: str) -> list[tuple[str, str]]:
    """(key, name) of every active grid or town/street, by id."""
    u = units
    q = (
        select(u.c.id, u.c.name)
        .where(u.c.kind.in_(RANKED_KINDS[by]), u.c.active.is_(True))
        .order_by(u.c.id)
    )
    return [(str(r.id), str(r.name)) for r in conn.execute(q)]


def order_counts(conn: Connection, directory: Directory, period: Period, by: str) -> pd.DataFrame:
    """Orders registered in ``period`` (voided and merged ones left out, as for intake),
    counted per group of ``by`` (the grid or town of the location), category, urgency and
    risk grade: one query, grouped in SQL."""
    import pandas as pd

    o = orders
    w = Window(period.start, period.end, period.end)
    q = (
        select(
            o.c.location_unit_id, o.c.category_node_id, o.c.urgency, o.c.risk_grade, func.count()
        )
        .where(w.inside(o.c.registered_at), o.c.state.not_in(NOT_INTAKE))
        .group_by(o.c.location_unit_id, o.c.category_node_id, o.c.urgency, o.c.risk_grade)
    )
    rows = conn.execute(q).all()
    raw = pd.DataFrame.from_records(
        [tuple(r) for r in rows],
        columns=["unit", "category_node_id", "urgency", "risk_grade", "n"],
        nrows=len(rows),
    )
    find = directory.grid_of if by == "grid" else directory.town_of
    places = {u: str(find(int(u))) for u in raw.unit.unique()}
    raw["group"] = raw.unit.map(places).astype(str)
    raw["risk_grade"] = raw.risk_grade.fillna("")
    keys = ["group", "category_node_id", "urgency", "risk_grade"]
    out = raw.groupby(keys, as_index=False)["n"].sum()
    return out.astype({"n": "int64"})[list(COUNT_COLUMNS)]


def basis(engine: Engine, period: Period, at: datetime) -> dict[str, Any]:
    """The stored form, per safety grouping: the ranked groups and the order counts."""
    from core.storage.db import read_tx

    out: dict[str, Any] = {}
    with read_tx(engine) as conn:
        directory = Directory(conn)
        for by in RANKED_KINDS:
            counts = order_counts(conn, directory, period, by)
            out[by] = {
                "groups": [list(g) for g in ranked_groups(conn, by)],
                "orders": [
                    [str(r[0]), str(r[1]), str(r[2]), str(r[3]), int(r[4])]
                    for r in counts.itertuples(index=False)
                ],
            }
    return out


def counts_from_stored(rows: list[list[Any]]) -> pd.DataFrame:
    import pandas as pd

    out = pd.DataFrame.from_records(
        [tuple(r) for r in rows], columns=list(COUNT_COLUMNS), nrows=len(rows)
    )
    return out.astype({"group": str, "n": "int64"})
