"""评单 and the ways out: review, return visit, reopen, merge, transfer, void, 督办."""

from __future__ import annotations

from datetime import datetime

from core.deadlines import Due
from core.domain.enums import (
    OPEN_STATES,
    CallerSource,
    HopRole,
    HopState,
    LimitKind,
    OrderState,
    Role,
    SupervisionLevel,
    VisitResult,
)
from core.domain.events import EventKind
from core.errors import FieldError, IllegalTransition, ValidationError
from core.policy import PolicyVersion
from core.workflow.common import record, withdraw_live_hops
from core.workflow.context import Ctx
from core.workflow.guards import CENTRE_INTAKE, require_centre, require_state, require_text
from core.workflow.model import Aggregate, CallerRec, HopRec
from core.workflow.timing import end_all_limits, start_limit


def _last_chain(agg: Aggregate) -> list[HopRec]:
    """The answered lead chain of the latest result, top first."""
    tops = [h for h in agg.children(None, HopRole.LEAD) if h.state == HopState.ANSWERED]
    if not tops:
        return []
    chain = [max(tops, key=lambda h: h.seq)]
    while True:
        kids = [h for h in agg.children(chain[-1], HopRole.LEAD) if h.state == HopState.ANSWERED]
        if not kids:
            return chain
        chain.append(max(kids, key=lambda h: h.seq))


def review(ctx: Ctx, agg: Aggregate, passed: bool, reason: str | None = None) -> None:
    """核查: pass to the return visit, or fail back to the handler for rework (返工)."""
    require_centre(ctx, agg, Role.SUPERVISOR)
    require_state(agg, "review", OrderState.PENDING_REVIEW)
    if passed:
        record(
            agg,
            ctx,
            EventKind.REVIEW_PASSED,
            to_state=OrderState.PENDING_VISIT,
            reason=reason,
        )
        return
    text = require_text(reason, "reason")
    chain = _last_chain(agg)
    if not chain:
        raise IllegalTransition(action="review", order=agg.order.number, reason="no_result_chain")
    for hop in chain[:-1]:
        agg.set_hop(hop, state=HopState.DELEGATED.value)
    agg.set_hop(chain[-1], state=HopState.IN_PROGRESS.value)
    unit = ctx.ref.org.get(chain[-1].receiver_unit_id)
    agg.set_order(
        rework_count=agg.order.rework_count + 1,
        lead_unit_id=unit.id,
        tier=unit.level,
        result_text=None,
    )
    start_limit(agg, ctx, LimitKind.RESOLVE, None)  # rework starts a new limit
    record(
        agg,
        ctx,
        EventKind.REVIEW_FAILED,
        to_state=OrderState.IN_PROGRESS,
        hop=chain[-1],
        reason=text,
    )


def visit(ctx: Ctx, agg: Aggregate, result: str, note: str | None = None) -> None:
    """回访. Unsatisfied: reopen or close with a note, as the policy says; unreachable
    closes once the attempts run out."""
    require_centre(ctx, agg, Role.SUPERVISOR)
    require_state(agg, "visit", OrderState.PENDING_VISIT)
    try:
        outcome = VisitResult(result)
    except ValueError:
        raise ValidationError([FieldError("result", "unknown_value", {"value": result})]) from None
    version = ctx.ref.policy.version_at(ctx.now)
    note = (note or "").strip() or None
    if (
        outcome == VisitResult.UNSATISFIED
        and version.unsatisfied_visit == "supervisor_close"
        and not note
    ):
        raise ValidationError([FieldError("note", "required_for_unsatisfied_close")])
    attempts = agg.order.visit_attempts + 1
    agg.set_order(visit_attempts=attempts, visit_result=outcome.value)
    closes = (
        outcome in (VisitResult.SATISFIED, VisitResult.BASICALLY_SATISFIED)
        or (outcome == VisitResult.UNSATISFIED and version.unsatisfied_visit == "supervisor_close")
        or (outcome == VisitResult.UNREACHABLE and attempts >= version.visit_max_attempts)
    )
    if closes:
        agg.set_order(closed_at=ctx.now)
    record(
        agg,
        ctx,
        EventKind.VISIT_RECORDED,
        to_state=OrderState.CLOSED if closes else None,
        reason=note,
        extra={"result": outcome.value, "attempt": attempts},
    )
    if outcome == VisitResult.UNSATISFIED and version.unsatisfied_visit == "reopen":
        _reopen(ctx, agg, note or "visit_unsatisfied")


def visit_window_due(ctx: Ctx, entered: datetime) -> tuple[PolicyVersion, Due]:
    """When the wait for a return visit that began at ``entered`` runs out. The policy in
    force when the review passed decides, as a limit's rule is the one in force at its start."""
    version = ctx.ref.policy.version_at(entered)
    return version, version.visit_window.due(entered, ctx.ref.calendar, ctx.ref.tz)


def expire_visit(ctx: Ctx, agg: Aggregate, entered: datetime) -> bool:
    """The service process closes an order whose visit window ran out while every attempt
    was unreachable, if the policy says "close". No call is recorded: the attempt count
    stays. Returns whether it closed the order."""
    if agg.order.state != OrderState.PENDING_VISIT:
        return False
    if agg.order.visit_attempts < 1 or agg.order.visit_result != VisitResult.UNREACHABLE:
        return False  # nobody has called yet, or a call got through
    version, due = visit_window_due(ctx, entered)
    if version.visit_expired != "close" or due.at >= ctx.now:
        return False
    agg.set_order(closed_at=ctx.now)
    agg.emit(
        EventKind.VISIT_EXPIRED,
        at=ctx.now,
        actor_user_id=None,
        actor_unit_id=None,
        to_state=OrderState.CLOSED,
        reason="visit_window_expired",
        extra={
            "result": VisitResult.UNREACHABLE.value,
            "attempts": agg.order.visit_attempts,
            "entered_at": entered.isoformat(),
            "window_due": due.at.isoformat(),
            "policy_version": version.id,
        },
    )
    return True


def reopen(ctx: Ctx, agg: Aggregate, reason: str) -> None:
    """重办 on a later complaint: the order goes back to the centre to dispatch again."""
    require_centre(ctx, agg, Role.SUPERVISOR, Role.DISPATCHER)
    require_state(agg, "reopen", OrderState.CLOSED)
    _reopen(ctx, agg, require_text(reason, "reason"))


def _reopen(ctx: Ctx, agg: Aggregate, reason: str) -> None:
    assert ctx.actor is not None
    agg.set_order(
        reopen_count=agg.order.reopen_count + 1,
        closed_at=None,
        visit_result=None,
        visit_attempts=0,
        lead_unit_id=None,
        tier=None,
        result_text=None,
        escalated_from_level=None,
    )
    start_limit(agg, ctx, LimitKind.HANDOUT, None)
    start_limit(agg, ctx, LimitKind.RESOLVE, None)
    record(
        agg,
        ctx,
        EventKind.REOPENED,
        to_state=OrderState.REGISTERED,
        reason=reason,
    )


def _finish(
    ctx: Ctx, agg: Aggregate, kind: EventKind, to_state: OrderState, reason: str, **extra: object
) -> None:
    assert ctx.actor is not None
    withdraw_live_hops(agg)
    end_all_limits(agg, ctx)
    agg.set_order(lead_unit_id=None)
    agg.emit(
        kind,
        at=ctx.now,
        actor_user_id=ctx.actor.user_id,
        actor_unit_id=ctx.actor.unit_id,
        to_state=to_state,
        reason=reason,
        extra=dict(extra),
    )


def merge(ctx: Ctx, source: Aggregate, target: Aggregate, reason: str | None = None) -> None:
    """归并 a duplicate into another open order: callers and history stay on the target."""
    require_centre(ctx, source, *CENTRE_INTAKE)
    require_centre(ctx, target, *CENTRE_INTAKE)
    require_state(source, "merge", OrderState.REGISTERED)
    if target.id == source.id:
        raise ValidationError([FieldError("target", "same_order")])
    if target.order.state not in OPEN_STATES:
        raise ValidationError(
            [FieldError("target", "target_not_open", {"state": target.order.state})]
        )
    text = (reason or "").strip() or None
    o = source.order
    moved = (
        [(o.caller_name, o.phone, o.phone_kind, o.phone_digits)]
        if (o.caller_name or o.phone)
        else []
    )
    moved += [(c.name, c.phone, c.phone_kind, c.phone_digits) for c in source.callers]
    for name, phone, kind, digits in moved:
        target.add_caller(
            CallerRec(
                id=ctx.ids.next_id("order_callers"),
                order_id=target.order.id,
                name=name,
                phone=phone,
                phone_kind=kind,
                phone_digits=digits,
                source=CallerSource.MERGED.value,
                from_order_id=source.order.id,
                added_at=ctx.now,
            )
        )
    source.set_order(merged_into_id=target.order.id)
    _finish(
        ctx,
        source,
        EventKind.MERGED,
        OrderState.MERGED,
        text or "merged",
        target=target.order.number,
    )
    record(
        target,
        ctx,
        EventKind.MERGE_RECEIVED,
        reason=text,
        extra={"source": source.order.number, "source_id": source.order.id},
    )


def transfer(ctx: Ctx, agg: Aggregate, destination: str, reason: str) -> None:
    """转外地: outside our jurisdiction; sent to another county or the city platform."""
    require_centre(ctx, agg, *CENTRE_INTAKE)
    require_state(agg, "transfer", OrderState.REGISTERED)
    dest = require_text(destination, "destination")
    text = require_text(reason, "reason")
    agg.set_order(transfer_destination=dest)
    _finish(ctx, agg, EventKind.TRANSFERRED, OrderState.TRANSFERRED, text, destination=dest)


def void(ctx: Ctx, agg: Aggregate, reason: str) -> None:
    """作废 (prank, test): a reason is required, and supervisors see every one."""
    require_centre(ctx, agg, Role.DISPATCHER, Role.SUPERVISOR)
    require_state(agg, "void", OrderState.REGISTERED)
    text = require_text(reason, "reason")
    agg.set_order(void_reason=text)
    _finish(ctx, agg, EventKind.VOIDED, OrderState.VOIDED, text)


def supervise(ctx: Ctx, agg: Aggregate, level: str, text: str, unit_id: int | None = None) -> None:
    """督办 notice, yellow then red: an event on an open order, not a state."""
    require_centre(ctx, agg, Role.SUPERVISOR, Role.LEADER)
    if agg.order.state not in OPEN_STATES:
        require_state(agg, "supervise", *OPEN_STATES)
    errors: list[FieldError] = []
    try:
        grade = SupervisionLevel(level)
    except ValueError:
        errors.append(FieldError("level", "unknown_value", {"value": level}))
    body = (text or "").strip()
    if not body:
        errors.append(FieldError("text", "required"))
    target = unit_id if unit_id is not None else agg.order.lead_unit_id
    if target is not None and ctx.ref.org.find(target) is None:
        errors.append(FieldError("unit_id", "unknown_unit", {"value": target}))
    if errors:
        raise ValidationError(errors)
    agg.set_order(supervision_count=agg.order.supervision_count + 1)
    record(
        agg,
        ctx,
        EventKind.SUPERVISED,
        reason=body,
        extra={"level": grade.value, "unit_id": target},
    )
