"""The monthly assessment report as plain tables: one ``Report`` per level (county, town,
unit, tier) and one row per order registered in the period with its milestones.

No sentences and no file formats here: ``commands/report.py`` adds the Chinese headers and
writes xlsx or csv. Milestones are read from the event log by blocks of order ids (a few
queries for the whole period, never one per order) and returned in the county's local time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, select

from core.analytics.groups import Directory
from core.analytics.indicators import times
from core.analytics.period import Period
from core.analytics.published import Publication, compute_or_published_many
from core.analytics.report import Report
from core.analytics.rules import Composite, Rules
from core.analytics.sql import Window, by_blocks, frame, id_array, raw, unindexed
from core.domain.enums import OrderState
from core.domain.events import EventKind
from core.storage.db import read_tx
from core.storage.schema import events, orders

if TYPE_CHECKING:
    import pandas as pd

LEVELS = ("county", "town", "unit", "tier")
MILESTONES = ("registered", "dispatched", "accepted", "submitted", "reviewed", "visited", "closed")
ORDER_COLUMNS = (
    "order_id",
    "number",
    "category",
    "request_type",
    "location",
    "address",
    "lead_unit",
    "state",
    *MILESTONES,
)
# The first dispatch and first acceptance say how fast the order got moving; the last
# submission, review, visit and closing are the ones that ended the loop (after a failed
# review or a reopening, the earlier ones were undone).
_FIRST = ("registered", "dispatched", "accepted")


@dataclass(frozen=True)
class Assessment:
    period: Period
    levels: dict[str, Report]  # LEVELS, in order; "county" has no groups
    orders: pd.DataFrame  # ORDER_COLUMNS; milestones naive local datetimes or NaT
    # The period's stored figures when it is published (levels come from it; the order
    # list is read as it stands now).
    publication: Publication | None = None


def build(
    engine: Engine,
    *,
    period: Period | str | None = None,
    rules: Rules | None = None,
    composite: Composite | None = None,
    as_of: datetime | None = None,
) -> Assessment:
    """Every level's report for ``period`` (default: the last complete local month before
    ``as_of``) and the period's orders. Raises DrillDatabase on a drill database."""
    levels, pub = compute_or_published_many(
        engine, period=period, bys=LEVELS, rules=rules, composite=composite, as_of=as_of
    )
    period = levels[LEVELS[0]].period  # every level for the same period and instant
    return Assessment(period, levels, order_table(engine, period), pub)


# milestone -> (event kind or None for any kind, required to_state or None)
MILESTONE_EVENTS: dict[str, tuple[str | None, str | None]] = {
    "registered": (EventKind.REGISTERED.value, None),
    "dispatched": (EventKind.DISPATCHED.value, None),
    "accepted": (EventKind.ACCEPTED.value, None),
    # a pass-down's result goes up to the hop above first; this one reached the centre
    "submitted": (EventKind.RESULT_SUBMITTED.value, OrderState.PENDING_REVIEW.value),
    "reviewed": (EventKind.REVIEW_PASSED.value, None),
    "visited": (EventKind.VISIT_RECORDED.value, None),
    "closed": (None, OrderState.CLOSED.value),  # a visit, or the expiry of the visit window
}


def order_table(engine: Engine, period: Period) -> pd.DataFrame:
    """One row per order registered in ``period``, by registration time, with codes (state,
    request type) and names (category, location unit, lead unit) and the milestones."""
    import pandas as pd

    o = orders
    w = Window(period.start, period.end, period.end)
    with read_tx(engine) as conn:
        directory = Directory(conn)
        q = (
            select(
                o.c.id,
                o.c.number,
                o.c.category_node_id,
                o.c.request_type,
                o.c.location_unit_id,
                o.c.address,
                o.c.lead_unit_id,
                o.c.state,
            )
            .where(w.inside(o.c.registered_at))
            .order_by(o.c.registered_at, o.c.id)
        )
        cols = (
            "order_id",
            "number",
            "cat_id",
            "request_type",
            "loc_id",
            "address",
            "lead_id",
            "state",
        )
        base = frame(conn, q, cols)
        kinds = sorted({k for k, _ in MILESTONE_EVENTS.values() if k is not None})
        closing = OrderState.CLOSED.value
        e = events
        evs = by_blocks(
            conn,
            id_array(base.order_id),
            lambda cond: select(e.c.order_id, e.c.kind, e.c.to_state, raw(conn, e.c.at)).where(
                cond(e.c.order_id),
                (unindexed(e.c.kind).in_(kinds)) | (e.c.to_state == closing),
            ),
            ("order_id", "kind", "to_state", "at"),
        )
    evs = evs.assign(at=times(evs["at"])).sort_values(["order_id", "at"], kind="stable")
    out = pd.DataFrame(
        {
            "order_id": base.order_id,
            "number": base.number,
            "category": [_name(directory.categories, c) for c in base["cat_id"]],
            "request_type": base.request_type,
            "location": [_name(directory.units, u) for u in base["loc_id"]],
            "address": base.address,
            "lead_unit": [_name(directory.units, u) for u in base["lead_id"]],
            "state": base.state,
        }
    )
    for name, (kind, to_state) in MILESTONE_EVENTS.items():
        sel = evs
        if kind is not None:
            sel = sel[sel.kind == kind]
        if to_state is not None:
            sel = sel[sel.to_state == to_state]
        at = sel.groupby("order_id")["at"]
        picked = at.min() if name in _FIRST else at.max()
        utc = out.order_id.map(picked)
        out[name] = _local(utc.astype("datetime64[us]"), period)
    return out.reset_index(drop=True)


def _name(table: Mapping[Any, Any], key: object) -> str | None:
    if key is None or (isinstance(key, float) and key != key):  # NULL read as NaN
        return None
    row = table.get(int(key) if isinstance(key, float) else key)
    return None if row is None else str(row.name)


def _local(utc: pd.Series, period: Period) -> pd.Series:
    """Naive UTC to naive local wall time (spreadsheets hold no zones)."""
    return utc.dt.tz_localize("UTC").dt.tz_convert(period.tz.key).dt.tz_localize(None)
