"""Joining the flat cohort frames (frames.py) in pandas, where the work is vectorised and
no database planner can turn a per-order lookup into a scan per order."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from core.analytics.indicators import naive, times
from core.domain.events import EventKind

if TYPE_CHECKING:
    import pandas as pd


def registered(
    orders: pd.DataFrame, evs: pd.DataFrame, handouts: pd.DataFrame, end: datetime
) -> pd.DataFrame:
    """Orders registered in the period, plus: first dispatch (time), answered on the spot
    before the period end (0/1), and the due of the first handout limit."""
    import pandas as pd

    at = times(evs["at"])
    dispatched = evs.kind == EventKind.DISPATCHED.value
    first = (
        pd.DataFrame({"order_id": evs.order_id[dispatched], "first_dispatch": at[dispatched]})
        .groupby("order_id", as_index=False)
        .min()
    )
    spot = evs.order_id[(evs.kind == EventKind.ANSWERED_ON_SPOT.value) & (at < naive(end))]
    first_handout = handouts.sort_values("limit_id").drop_duplicates("order_id")
    due = pd.DataFrame(
        {"order_id": first_handout.order_id, "handout_due": times(first_handout.due_at)}
    )
    out = orders.merge(first, on="order_id", how="left").merge(due, on="order_id", how="left")
    return out.assign(on_spot=out.order_id.isin(spot).astype(int))


def first_resolve_due(due: pd.DataFrame, first_ids: pd.DataFrame) -> pd.DataFrame:
    """Keep each order's first resolve limit only."""
    firsts = set(first_ids.limit_id.astype("int64"))
    return due[due.limit_id.astype("int64").isin(firsts)]


def sent(hops: pd.DataFrame, limits: pd.DataFrame, declines: pd.DataFrame) -> pd.DataFrame:
    """Hops sent in the period with their first acceptance limit, and whether that limit
    ended by a return or an escalation of the hop (an event on the hop at its end)."""
    first = limits.sort_values("limit_id").drop_duplicates("hop_id").drop(columns="order_id")
    out = hops.merge(first, on="hop_id", how="left")
    ended_at = times(out.ended_at)
    matched = declines.assign(at=times(declines["at"])).merge(
        out.assign(ended_at=ended_at)[["hop_id", "ended_at"]], on="hop_id"
    )
    declined = set(matched.hop_id[matched["at"] == matched.ended_at])
    return out.assign(
        has_limit=out.limit_id.notna().astype(int),
        declined=out.hop_id.isin(declined).astype(int),
    )
