"""做单: progress notes, pauses, extensions, assisting answers and the result."""

from __future__ import annotations

from core.domain.enums import OPEN_STATES, HopRole, HopState, LimitKind, OrderState, Role
from core.domain.events import EventKind
from core.errors import CoreError, FieldError, IllegalTransition, ValidationError
from core.workflow.common import record
from core.workflow.context import Ctx
from core.workflow.guards import (
    STAFF,
    require_centre,
    require_hop_state,
    require_receiver,
    require_role,
    require_state,
    require_text,
    require_visible,
)
from core.workflow.model import Aggregate, HopRec
from core.workflow.timing import end_limits, extend_resolve, pause_limits, resume_limits

DONE_ASSIST = (HopState.ANSWERED, HopState.RETURN_ACCEPTED, HopState.WITHDRAWN)


def note_progress(ctx: Ctx, agg: Aggregate, text: str, hop_id: int | None = None) -> None:
    """A progress note (进展) from a hop's receiver or from the centre."""
    if hop_id is not None:
        hop: HopRec | None = agg.hop(hop_id)
        assert hop is not None
        actor = require_receiver(ctx, agg, hop)
    else:
        hop = None
        actor = require_visible(ctx, agg)
        require_role(actor, *STAFF)
    require_state(agg, "note_progress", *OPEN_STATES)
    body = require_text(text, "text")
    record(
        agg,
        ctx,
        EventKind.PROGRESS_NOTED,
        hop=hop,
        extra={"text": body},
    )


def _holder_or_raise(agg: Aggregate, action: str) -> HopRec:
    holder = agg.holder()
    if holder is None:
        raise IllegalTransition(action=action, order=agg.order.number, reason="no_holder")
    return holder


def request_pause(ctx: Ctx, agg: Aggregate, reason: str) -> None:
    """挂账 request from the unit holding the order; a supervisor decides."""
    require_state(agg, "request_pause", OrderState.IN_PROGRESS)
    actor = require_receiver(ctx, agg, _holder_or_raise(agg, "request_pause"))
    text = require_text(reason, "reason")
    if agg.order.pending_request:
        raise IllegalTransition(
            action="request_pause", order=agg.order.number, reason="request_pending"
        )
    agg.set_order(
        pending_request={
            "type": "pause",
            "reason": text,
            "by": actor.user_id,
            "at": ctx.now.isoformat(),
        }
    )
    record(
        agg,
        ctx,
        EventKind.PAUSE_REQUESTED,
        reason=text,
    )


def _pending(agg: Aggregate, kind: str, action: str) -> dict[str, object]:
    req = agg.order.pending_request
    if not req or req.get("type") != kind:
        raise IllegalTransition(action=action, order=agg.order.number, reason=f"no_{kind}_request")
    return req


def decide_pause(ctx: Ctx, agg: Aggregate, approve: bool, note: str | None = None) -> None:
    require_centre(ctx, agg, Role.SUPERVISOR)
    require_state(agg, "decide_pause", OrderState.IN_PROGRESS)
    _pending(agg, "pause", "decide_pause")
    agg.set_order(pending_request=None)
    if approve:
        pause_limits(agg, ctx)
        agg.set_order(paused_at=ctx.now)
        record(
            agg,
            ctx,
            EventKind.PAUSE_APPROVED,
            to_state=OrderState.PAUSED,
            reason=note,
        )
    else:
        record(
            agg,
            ctx,
            EventKind.PAUSE_DENIED,
            reason=note,
        )


def resume(ctx: Ctx, agg: Aggregate, note: str | None = None) -> None:
    """The clock runs again; every open limit moves out by the paused time."""
    require_state(agg, "resume", OrderState.PAUSED)
    holder = _holder_or_raise(agg, "resume")
    actor = require_visible(ctx, agg)
    if actor.unit_id != holder.receiver_unit_id:
        actor = require_centre(ctx, agg, Role.SUPERVISOR)
    else:
        require_role(actor, *STAFF)
    resume_limits(agg, ctx)
    agg.set_order(paused_at=None)
    record(
        agg,
        ctx,
        EventKind.RESUMED,
        to_state=OrderState.IN_PROGRESS,
        reason=note,
    )


def _check_extension_cap(ctx: Ctx, agg: Aggregate, days: int) -> None:
    resolve = agg.open_limits(LimitKind.RESOLVE)
    if not resolve:
        raise CoreError("no_open_resolve_limit", order=agg.order.number)
    lim = resolve[-1]
    version = ctx.ref.policy.version_at(lim.start_at)
    if agg.order.extension_count >= version.extension_max_count:
        raise CoreError("extension_cap_reached", max_count=version.extension_max_count)
    if lim.extended_days + days > version.extension_max_days:
        raise CoreError(
            "extension_cap_reached", max_days=version.extension_max_days, used=lim.extended_days
        )


def request_extension(ctx: Ctx, agg: Aggregate, days: int, reason: str) -> None:
    """延期 request: so many more natural days on the resolve limit, within the cap."""
    require_state(agg, "request_extension", OrderState.IN_PROGRESS, OrderState.PAUSED)
    actor = require_receiver(ctx, agg, _holder_or_raise(agg, "request_extension"))
    text = require_text(reason, "reason")
    if not isinstance(days, int) or isinstance(days, bool) or days < 1:
        raise ValidationError([FieldError("days", "not_positive_int", {"value": days})])
    if agg.order.pending_request:
        raise IllegalTransition(
            action="request_extension", order=agg.order.number, reason="request_pending"
        )
    _check_extension_cap(ctx, agg, days)
    agg.set_order(
        pending_request={
            "type": "extension",
            "days": days,
            "reason": text,
            "by": actor.user_id,
            "at": ctx.now.isoformat(),
        }
    )
    record(
        agg,
        ctx,
        EventKind.EXTENSION_REQUESTED,
        reason=text,
    )


def decide_extension(ctx: Ctx, agg: Aggregate, approve: bool, note: str | None = None) -> None:
    actor = require_centre(ctx, agg, Role.SUPERVISOR)
    require_state(agg, "decide_extension", OrderState.IN_PROGRESS, OrderState.PAUSED)
    req = _pending(agg, "extension", "decide_extension")
    days = int(str(req["days"]))
    agg.set_order(pending_request=None)
    if approve:
        _check_extension_cap(ctx, agg, days)
        extend_resolve(agg, ctx, days)
        agg.set_order(extension_count=agg.order.extension_count + 1)
        kind = EventKind.EXTENSION_APPROVED
    else:
        kind = EventKind.EXTENSION_DENIED
    agg.emit(
        kind,
        at=ctx.now,
        actor_user_id=actor.user_id,
        actor_unit_id=actor.unit_id,
        reason=note,
        extra={"days": days},
    )


def answer_assist(ctx: Ctx, agg: Aggregate, hop_id: int, text: str) -> None:
    """协办 answer: an assisting unit's own reply on its own hop."""
    hop = agg.hop(hop_id)
    require_receiver(ctx, agg, hop)
    if hop.is_lead:
        raise IllegalTransition(action="answer_assist", hop=hop.id, reason="not_assist")
    require_hop_state(hop, "answer_assist", HopState.AWAITING, HopState.IN_PROGRESS)
    if agg.order.state == OrderState.PAUSED:
        raise IllegalTransition(action="answer_assist", order=agg.order.number, reason="paused")
    body = require_text(text, "text")
    if hop.accepted_at is None:
        agg.set_hop(hop, accepted_at=ctx.now)
    end_limits(agg, ctx, hop=hop)
    agg.set_hop(hop, state=HopState.ANSWERED.value, answered_at=ctx.now, answer_text=body)
    record(
        agg,
        ctx,
        EventKind.ASSIST_ANSWERED,
        hop=hop,
    )


def submit_result(ctx: Ctx, agg: Aggregate, hop_id: int, text: str) -> None:
    """办结: the result climbs one hop up; from the top hop the order goes to review."""
    hop = agg.hop(hop_id)
    require_receiver(ctx, agg, hop)
    require_state(agg, "submit_result", OrderState.IN_PROGRESS)
    require_hop_state(hop, "submit_result", HopState.IN_PROGRESS)
    if not hop.is_lead or agg.holder() is not hop:
        raise IllegalTransition(action="submit_result", hop=hop.id, reason="not_holder")
    body = require_text(text, "text")
    if any(h.state == HopState.RETURNED for h in agg.children(hop, HopRole.LEAD)):
        raise IllegalTransition(action="submit_result", hop=hop.id, reason="return_pending")
    waiting = [h for h in agg.children(hop, HopRole.ASSIST) if h.state not in DONE_ASSIST]
    if hop.parent_id is None:
        waiting += [h for h in agg.children(None, HopRole.ASSIST) if h.state not in DONE_ASSIST]
    if waiting:
        raise IllegalTransition(
            action="submit_result",
            hop=hop.id,
            reason="assist_answers_missing",
            waiting=[h.receiver_unit_id for h in waiting],
        )
    agg.set_hop(hop, state=HopState.ANSWERED.value, answered_at=ctx.now, answer_text=body)
    parent = agg.hop(hop.parent_id) if hop.parent_id is not None else None
    if parent is not None:
        agg.set_hop(parent, state=HopState.IN_PROGRESS.value)
        # The unit above forwards the result; the tier stays where the work was done.
        agg.set_order(lead_unit_id=parent.receiver_unit_id, pending_request=None)
        to_state = None
    else:
        end_limits(agg, ctx, LimitKind.RESOLVE)
        agg.set_order(result_text=body, pending_request=None)  # a pending request lapses
        to_state = OrderState.PENDING_REVIEW
    record(
        agg,
        ctx,
        EventKind.RESULT_SUBMITTED,
        to_state=to_state,
        hop=hop,
        extra={"text": body},
    )
