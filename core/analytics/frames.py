"""The cohorts, read from the database as pandas frames: filtered by period in SQL, only
the columns the indicators need, and no correlated subqueries. A cohort's dependent rows
are read by blocks of its order ids (dense ranges: ids follow registration), so neither
planner can turn a per-order lookup into a scan per order, statistics or not.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, String, and_, case, literal, or_, select

from core.analytics.sql import Ids, Window, by_blocks, flag, frame, id_array, raw, unindexed
from core.domain.enums import HopRole, OrderState
from core.domain.events import EventKind
from core.storage.schema import events, hops, order_callers, orders, state_intervals, time_limits

if TYPE_CHECKING:
    import pandas as pd

UNSUBMITTED = (
    OrderState.REGISTERED,
    OrderState.DISPATCHED,
    OrderState.IN_PROGRESS,
    OrderState.PAUSED,
)
HOP_CREATING = (
    EventKind.DISPATCHED,
    EventKind.PASSED_DOWN,
    EventKind.REASSIGNED,
    EventKind.ASSIST_ADDED,
)
PERIOD_EVENTS = (
    EventKind.REVIEW_PASSED,
    EventKind.REVIEW_FAILED,
    EventKind.VISIT_RECORDED,
    EventKind.SUPERVISED,
)


def registered(conn: Connection, w: Window) -> pd.DataFrame:
    """Orders registered in the period: state, and closed before the period end."""
    o = orders
    closed = and_(o.c.state == OrderState.CLOSED.value, o.c.closed_at < w.end)
    q = select(o.c.id, o.c.state, flag(closed)).where(w.inside(o.c.registered_at))
    return frame(conn, q, ("order_id", "state", "closed"))


def registered_events(conn: Connection, ids: Ids) -> pd.DataFrame:
    """Dispatched and answered-on-the-spot events of these orders."""
    e = events
    kinds = [EventKind.DISPATCHED.value, EventKind.ANSWERED_ON_SPOT.value]
    return by_blocks(
        conn,
        ids,
        lambda cond: select(e.c.order_id, e.c.kind, raw(conn, e.c.at)).where(
            cond(e.c.order_id), unindexed(e.c.kind).in_(kinds)
        ),
        ("order_id", "kind", "at"),
    )


def handouts(conn: Connection, ids: Ids) -> pd.DataFrame:
    """Handout limits (制单+派单+接单) of these orders."""
    tl = time_limits
    return by_blocks(
        conn,
        ids,
        lambda cond: select(tl.c.order_id, tl.c.id, raw(conn, tl.c.due_at)).where(
            cond(tl.c.order_id), unindexed(tl.c.kind) == "handout"
        ),
        ("order_id", "limit_id", "due_at"),
    )


def top_returns(conn: Connection, w: Window, ids: Ids) -> pd.DataFrame:
    """Returned and return-rejected events on the centre's own (top-level lead) hops of
    these orders. They are rare and come after the registration, so the events' (kind, at)
    index finds those since the period start; the cohort is picked out in pandas."""
    e, h = events, hops
    kinds = [EventKind.RETURNED.value, EventKind.RETURN_REJECTED.value]
    q = (
        select(e.c.order_id, e.c.hop_id, e.c.kind)
        .select_from(e.join(h, h.c.id == e.c.hop_id))
        .where(
            e.c.kind.in_(kinds),
            e.c.at >= w.start,
            h.c.parent_id.is_(None),
            h.c.role == HopRole.LEAD.value,
        )
    )
    got = frame(conn, q, ("order_id", "hop_id", "kind"))
    return got[got.order_id.isin(id_array(ids))]


def resolve_due(conn: Connection, w: Window) -> pd.DataFrame:
    """Resolve limits falling due in the period, with their order's state. The only full
    scan of a large table (time_limits has no index on due_at)."""
    tl, o = time_limits, orders
    q = (
        select(
            tl.c.order_id,
            tl.c.id,
            o.c.state,
            flag(tl.c.ended_at.is_not(None)),
            flag(tl.c.ended_overdue.is_(True)),
            raw(conn, tl.c.due_at),
            raw(conn, tl.c.paused_at),
        )
        .select_from(tl.join(o, o.c.id == tl.c.order_id))
        .where(tl.c.kind == "resolve", w.inside(tl.c.due_at))
    )
    cols = ("order_id", "limit_id", "state", "ended", "ended_overdue", "due_at", "paused_at")
    return frame(conn, q, cols)


def first_resolve_ids(conn: Connection, ids: Ids) -> pd.DataFrame:
    """The id of each order's first resolve limit (later ones come from rework, reopening).
    The minimum is taken in pandas: with GROUP BY, SQLite scans the whole order index
    instead of reading the id ranges."""
    tl = time_limits
    got = by_blocks(
        conn,
        ids,
        lambda cond: select(tl.c.order_id, tl.c.id).where(
            cond(tl.c.order_id), unindexed(tl.c.kind) == "resolve"
        ),
        ("order_id", "limit_id"),
    )
    return got.groupby("order_id", as_index=False)["limit_id"].min()


def hop_orders(conn: Connection, w: Window) -> Any:
    """Orders that got a hop in the period: every hop is created by one of these events,
    at the hop's own dispatched_at; the events' (kind, at) index finds them."""
    e = events
    q = select(e.c.order_id).where(e.c.kind.in_([k.value for k in HOP_CREATING]), w.inside(e.c.at))
    return id_array(frame(conn, q, ("order_id",)).order_id)


def sent_hops(conn: Connection, w: Window, ids: Ids, roles: list[str]) -> pd.DataFrame:
    """Hops of these orders sent in the period."""
    h = hops
    return by_blocks(
        conn,
        ids,
        lambda cond: select(
            h.c.order_id,
            h.c.id,
            h.c.role,
            h.c.receiver_unit_id,
            flag(h.c.accepted_at.is_not(None)),
        ).where(cond(h.c.order_id), w.inside(h.c.dispatched_at), h.c.role.in_(roles)),
        ("order_id", "hop_id", "role", "receiver_unit_id", "accepted"),
    )


def accept_limits(conn: Connection, w: Window, ids: Ids) -> pd.DataFrame:
    """Acceptance limits of these orders started since the period start (a hop's first
    one starts when the hop is sent)."""
    tl = time_limits
    return by_blocks(
        conn,
        ids,
        lambda cond: select(
            tl.c.order_id,
            tl.c.hop_id,
            tl.c.id,
            flag(tl.c.ended_at.is_not(None)),
            flag(tl.c.ended_overdue.is_(True)),
            raw(conn, tl.c.ended_at),
            raw(conn, tl.c.due_at),
            raw(conn, tl.c.paused_at),
        ).where(cond(tl.c.order_id), unindexed(tl.c.kind) == "accept", tl.c.start_at >= w.start),
        (
            "order_id",
            "hop_id",
            "limit_id",
            "ended",
            "ended_overdue",
            "ended_at",
            "due_at",
            "paused_at",
        ),
    )


def declines(conn: Connection, w: Window, ids: Ids) -> pd.DataFrame:
    """Returns and escalations since the period start (rare: the (kind, at) index finds
    them) on these orders: a hop's acceptance limit ended by one when the times match."""
    e = events
    kinds = [EventKind.RETURNED.value, EventKind.ESCALATED.value]
    q = select(e.c.order_id, e.c.hop_id, raw(conn, e.c.at)).where(
        e.c.kind.in_(kinds), e.c.at >= w.start
    )
    got = frame(conn, q, ("order_id", "hop_id", "at"))
    return got[got.order_id.isin(id_array(ids))]


def period_events(conn: Connection, w: Window) -> pd.DataFrame:
    """Reviews, visits (with their result) and supervisions (with their level) in the period."""
    e = events
    q = select(
        e.c.order_id,
        e.c.id,
        e.c.kind,
        case(
            (e.c.kind == EventKind.VISIT_RECORDED.value, e.c.payload["result"].as_string()),
            (e.c.kind == EventKind.SUPERVISED.value, e.c.payload["level"].as_string()),
            else_=literal(None, String()),
        ),
    ).where(e.c.kind.in_([k.value for k in PERIOD_EVENTS]), w.inside(e.c.at))
    return frame(conn, q, ("order_id", "event_id", "kind", "detail"))


def lifted(conn: Connection, w: Window) -> pd.DataFrame:
    """Marks lifted as of the report (core.marks): visits screened unreasonable and
    appeals upheld, made by ``as_of``, at any time (a decision may come after the period).
    Few: the events' (kind, at) index finds them. Columns: mark (late / unsatisfied) and
    target (the time limit's id, or the visit event's id)."""
    e = events
    verdict = case(
        (e.c.kind == EventKind.VISIT_SCREENED.value, e.c.payload["verdict"].as_string()),
        else_=e.c.payload["decision"].as_string(),
    )
    q = select(
        e.c.payload["mark"].as_string(), e.c.payload["mark_target"].as_integer(), verdict
    ).where(
        e.c.kind.in_([EventKind.VISIT_SCREENED.value, EventKind.APPEAL_DECIDED.value]),
        e.c.at <= w.as_of,
    )
    got = frame(conn, q, ("mark", "target", "verdict"))
    keep = got.verdict.isin(["unreasonable", "upheld"])
    return got[keep][["mark", "target"]].astype({"target": "int64"})


def pending_supervised(conn: Connection, w: Window, ids: Ids) -> pd.DataFrame:
    """Of these (supervised) orders, those that had not submitted a result by the period
    end: their state just before it was registered, dispatched, in progress or paused.
    (Made distinct in pandas, for the same reason as first_resolve_ids.)"""
    si = state_intervals
    got = by_blocks(
        conn,
        ids,
        lambda cond: select(si.c.order_id).where(
            cond(si.c.order_id),
            si.c.valid_from < w.end,
            or_(si.c.valid_to.is_(None), si.c.valid_to >= w.end),
            unindexed(si.c.state).in_([s.value for s in UNSUBMITTED]),
        ),
        ("order_id",),
    )
    return got.drop_duplicates()


def phones(conn: Connection, w: Window, window_days: int) -> pd.DataFrame:
    """Orders with a number, registered in the period or the look-back window before it."""
    o = orders
    since = w.start - timedelta(days=window_days)
    q = select(o.c.id, o.c.phone_digits, raw(conn, o.c.registered_at)).where(
        o.c.registered_at >= since,
        o.c.registered_at < w.end,
        o.c.phone_digits.is_not(None),
        o.c.state != OrderState.VOIDED.value,
    )
    return frame(conn, q, ("order_id", "phone_digits", "registered_at"))


def added_callers(conn: Connection, w: Window) -> pd.DataFrame:
    """Further callers (附加来电人) added in the period to orders that are not voided."""
    c, o = order_callers, orders
    q = (
        select(c.c.order_id)
        .select_from(c.join(o, o.c.id == c.c.order_id))
        .where(c.c.source == "added", w.inside(c.c.added_at), o.c.state != OrderState.VOIDED.value)
    )
    return frame(conn, q, ("order_id",))
