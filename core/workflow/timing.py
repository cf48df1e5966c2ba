"""Starting, ending, pausing and extending an order's time limits.

Deadlines are computed once and stored. Ending a limit freezes whether it was
overdue at that moment (``ended_overdue``), so statistics never change afterwards.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from core.deadlines import Due, LimitUnit, compute_due, shift_for_pause, warn_at
from core.domain.enums import LimitKind, LimitStart
from core.domain.ids import HopId, LimitId
from core.errors import CoreError
from core.policy import LimitFacts, LimitRule
from core.workflow.context import Ctx
from core.workflow.model import Aggregate, HopRec, LimitRec, lim_overdue

log = logging.getLogger(__name__)


def facts(agg: Aggregate) -> LimitFacts:
    o = agg.order
    return LimitFacts(o.limit_class, o.request_type, o.urgency, o.channel, o.tier or o.planned_tier)


def _due(ctx: Ctx, rule: LimitRule, start: datetime) -> Due:
    return compute_due(start, rule.amount, rule.unit, rule.end, ctx.ref.calendar, ctx.ref.tz)


def start_limit(
    agg: Aggregate,
    ctx: Ctx,
    kind: LimitKind,
    anchor: LimitStart | None,
    hop: HopRec | None = None,
) -> LimitRec | None:
    """Start ``kind`` if the rule in force starts at ``anchor``.

    ``anchor=None`` starts it regardless: rework and reopening start new limits.
    """
    now = ctx.now
    chosen = ctx.ref.policy.rule_for(kind, now, facts(agg), lambda r: _due(ctx, r, now).at)
    if chosen is None:
        raise CoreError("no_time_limit_rule", limit=kind.value, order=agg.order.number)
    version, rule = chosen
    if anchor is not None and rule.start != anchor:
        return None
    due = _due(ctx, rule, now)
    due_at = due.at
    capped = False
    upstream = agg.order.upstream_due
    if kind == LimitKind.RESOLVE and upstream is not None and upstream < due_at:
        due_at, capped = upstream, True  # the city platform's deadline is stricter
    if due.used_fallback:  # the calendar itself warns once per unknown year
        log.debug(
            "order %s: %s deadline computed on a guessed calendar (weekends only): %s",
            agg.order.number,
            kind.value,
            due_at.isoformat(),
        )
    lim = LimitRec(
        id=LimitId(ctx.ids.next_id("time_limits")),
        order_id=agg.order.id,
        hop_id=HopId(hop.id) if hop is not None else None,
        kind=kind.value,
        policy_version=version.id,
        rule_id=rule.id,
        unit=rule.unit.value,
        start_at=now,
        due_at=due_at,
        warn_at=warn_at(now, due_at, version.warn_ratio, rule.unit, ctx.ref.calendar, ctx.ref.tz),
        calendar_fallback=due.used_fallback,
        upstream_capped=capped,
    )
    return agg.add_limit(lim)


def end_limits(
    agg: Aggregate, ctx: Ctx, kind: LimitKind | None = None, hop: HopRec | None = None
) -> None:
    for lim in agg.open_limits(kind, hop):
        end_limit(agg, ctx, lim)


def end_limit(agg: Aggregate, ctx: Ctx, lim: LimitRec) -> None:
    overdue = lim_overdue(lim, ctx.now)
    agg.set_limit(lim, ended_at=ctx.now, ended_overdue=overdue)


def end_all_limits(agg: Aggregate, ctx: Ctx) -> None:
    end_limits(agg, ctx)


def pause_limits(agg: Aggregate, ctx: Ctx) -> None:
    for lim in agg.open_limits():
        if lim.paused_at is None:
            agg.set_limit(lim, paused_at=ctx.now)


def resume_limits(agg: Aggregate, ctx: Ctx) -> None:
    """The clock stopped during the pause: push each limit out by the time lost."""
    cal, tz = ctx.ref.calendar, ctx.ref.tz
    for lim in agg.open_limits():
        if lim.paused_at is None:
            continue
        unit = LimitUnit(lim.unit)
        due = shift_for_pause(lim.due_at, lim.paused_at, ctx.now, unit, cal, tz)
        warn = shift_for_pause(lim.warn_at, lim.paused_at, ctx.now, unit, cal, tz)
        agg.set_limit(
            lim,
            due_at=due.at,
            warn_at=warn.at,
            paused_at=None,
            calendar_fallback=lim.calendar_fallback or due.used_fallback,
            warned=lim.warned and warn.at <= ctx.now,
            overdue_marked=lim.overdue_marked and due.at <= ctx.now,
        )


def extend_resolve(agg: Aggregate, ctx: Ctx, days: int) -> LimitRec:
    """Move the open resolve limit out by ``days`` natural days."""
    open_resolve = agg.open_limits(LimitKind.RESOLVE)
    if not open_resolve:
        raise CoreError("no_open_resolve_limit", order=agg.order.number)
    lim = open_resolve[-1]
    version = ctx.ref.policy.version_at(lim.start_at)
    due = lim.due_at + timedelta(days=days)
    agg.set_limit(
        lim,
        due_at=due,
        warn_at=warn_at(
            lim.start_at, due, version.warn_ratio, LimitUnit(lim.unit), ctx.ref.calendar, ctx.ref.tz
        ),
        extensions=lim.extensions + 1,
        extended_days=lim.extended_days + days,
        warned=False,
        overdue_marked=False,
    )
    return lim


def mark_conditions(agg: Aggregate, ctx: Ctx) -> int:
    """Write 临期 and 超期 events for limits that crossed their marks; returns how many.

    Warning and overdue are time conditions, not states: the order's state stays.
    """
    from core.domain.events import EventKind

    written = 0
    for lim in agg.open_limits():
        if lim.paused_at is not None:
            continue
        for flag, crossed, kind in (
            ("warned", lim.warn_at <= ctx.now, EventKind.LIMIT_WARNED),
            ("overdue_marked", lim.due_at < ctx.now, EventKind.LIMIT_OVERDUE),
        ):
            if crossed and not getattr(lim, flag):
                agg.set_limit(lim, **{flag: True})
                due = lim.due_at.isoformat()
                extra = {"limit": lim.id, "kind": lim.kind, "due_at": due, "hop": lim.hop_id}
                agg.emit(kind, at=ctx.now, actor_user_id=None, actor_unit_id=None, extra=extra)
                written += 1
    return written
