"""派单 and 接单: hops between units, returns, pass-downs, reassignment, escalation.

Each hand-off is a hop with its own sender, receiver, state and deadlines. The order's
state follows the hop that holds it: awaiting acceptance → dispatched, accepted →
in progress; a return to the centre puts the order back to registered.
"""

from __future__ import annotations

from collections.abc import Sequence

from core.domain.enums import HopRole, HopState, LimitKind, LimitStart, OrderState, UnitKind
from core.domain.events import EventKind
from core.domain.ids import HopId
from core.errors import FieldError, IllegalTransition, ValidationError
from core.org import Unit, is_within
from core.workflow.common import hold, record, release_to_centre, settle_returned
from core.workflow.context import Ctx
from core.workflow.guards import (
    CENTRE_INTAKE,
    require_centre,
    require_hop_state,
    require_receiver,
    require_sender,
    require_state,
    require_text,
)
from core.workflow.model import Aggregate, HopRec
from core.workflow.timing import end_limits, start_limit

OPEN_HOP = (HopState.AWAITING, HopState.IN_PROGRESS)


def _target(
    ctx: Ctx, unit_id: int, field: str, within: Unit, errors: list[FieldError]
) -> Unit | None:
    unit = ctx.ref.org.find(unit_id)
    if unit is None or not unit.active:
        errors.append(FieldError(field, "unknown_unit", {"value": unit_id}))
        return None
    if unit.id == within.id or not is_within(unit.path, within.path):
        errors.append(
            FieldError(field, "outside_dispatch_scope", {"value": unit_id, "scope": within.id})
        )
        return None
    return unit


def _new_hop(
    agg: Aggregate,
    ctx: Ctx,
    parent: HopRec | None,
    role: HopRole,
    sender: int,
    receiver: Unit,
    note: str | None,
) -> HopRec:
    assert ctx.actor is not None
    hop = agg.add_hop(
        HopRec(
            id=HopId(ctx.ids.next_id("hops")),
            order_id=agg.order.id,
            parent_id=parent.id if parent is not None else None,
            seq=len(agg.hops) + 1,
            role=role.value,
            sender_unit_id=sender,
            receiver_unit_id=receiver.id,
            state=HopState.AWAITING.value,
            dispatched_at=ctx.now,
            dispatched_by=ctx.actor.user_id,
            note=note,
        )
    )
    start_limit(agg, ctx, LimitKind.ACCEPT, None, hop)
    if role == HopRole.ASSIST:
        start_limit(agg, ctx, LimitKind.ASSIST, None, hop)
    return hop


def _escalation_floor(ctx: Ctx, agg: Aggregate, centre: Unit) -> int | None:
    """After an escalation (上报) the order must go to a higher tier than the unit that
    gave up, unless that unit was already at the highest tier the centre dispatches to."""
    floor = agg.order.escalated_from_level
    if floor is None or floor <= ctx.ref.org.top_level_below(centre.id):
        return None
    return floor


def _check_floor(
    ctx: Ctx, agg: Aggregate, unit: Unit | None, field: str, errors: list[FieldError]
) -> None:
    floor = _escalation_floor(ctx, agg, ctx.ref.org.get(agg.order.centre_unit_id))
    if unit is not None and floor is not None and unit.level >= floor:
        errors.append(
            FieldError(field, "escalation_needs_higher_tier", {"level": unit.level, "below": floor})
        )


def dispatch(
    ctx: Ctx,
    agg: Aggregate,
    lead_unit_id: int,
    assist_unit_ids: Sequence[int] = (),
    note: str | None = None,
) -> list[HopRec]:
    """派单 to a lead unit (主办) and assisting units (协办)."""
    require_centre(ctx, agg, *CENTRE_INTAKE)
    require_state(agg, "dispatch", OrderState.REGISTERED)
    centre = ctx.ref.org.get(agg.order.centre_unit_id)
    errors: list[FieldError] = []
    lead = _target(ctx, lead_unit_id, "lead_unit_id", centre, errors)
    assists: list[Unit] = []
    for i, uid in enumerate(assist_unit_ids):
        unit = _target(ctx, uid, f"assist_unit_ids[{i}]", centre, errors)
        if unit is None:
            continue
        if unit.id == lead_unit_id or unit in assists:
            errors.append(FieldError(f"assist_unit_ids[{i}]", "duplicate_unit", {"value": uid}))
            continue
        assists.append(unit)
    _check_floor(ctx, agg, lead, "lead_unit_id", errors)
    if errors:
        raise ValidationError(errors)
    assert lead is not None
    settle_returned(agg, None)
    hops = [_new_hop(agg, ctx, None, HopRole.LEAD, centre.id, lead, note)]
    hops += [_new_hop(agg, ctx, None, HopRole.ASSIST, centre.id, u, note) for u in assists]
    hold(agg, lead)
    record(
        agg,
        ctx,
        EventKind.DISPATCHED,
        to_state=OrderState.DISPATCHED,
        hop=hops[0],
        reason=note,
    )
    return hops


def _require_not_paused(agg: Aggregate, action: str) -> None:
    if agg.order.state == OrderState.PAUSED:
        raise IllegalTransition(
            action=action, order=agg.order.number, state=agg.order.state, reason="paused"
        )


def _note_acceptance(agg: Aggregate, ctx: Ctx, hop: HopRec) -> None:
    agg.set_hop(hop, accepted_at=ctx.now)
    end_limits(agg, ctx, LimitKind.ACCEPT, hop)
    if hop.is_lead:
        end_limits(agg, ctx, LimitKind.HANDOUT)
        if not agg.open_limits(LimitKind.RESOLVE):
            start_limit(agg, ctx, LimitKind.RESOLVE, LimitStart.ACCEPTANCE)


def accept(ctx: Ctx, agg: Aggregate, hop_id: int) -> None:
    """签收."""
    hop = agg.hop(hop_id)
    require_receiver(ctx, agg, hop)
    _require_not_paused(agg, "accept")
    require_hop_state(hop, "accept", HopState.AWAITING)
    agg.set_hop(hop, state=HopState.IN_PROGRESS.value)
    _note_acceptance(agg, ctx, hop)
    to_state = None
    if hop.is_lead and agg.holder() is hop:
        to_state = OrderState.IN_PROGRESS
        hold(agg, ctx.ref.org.get(hop.receiver_unit_id))
    record(
        agg,
        ctx,
        EventKind.ACCEPTED,
        to_state=to_state,
        hop=hop,
    )


def _parent(agg: Aggregate, hop: HopRec) -> HopRec | None:
    return agg.hop(hop.parent_id) if hop.parent_id is not None else None


def _back_to_parent(agg: Aggregate, ctx: Ctx, hop: HopRec) -> OrderState:
    """The hop above takes the order back (a return or escalation from below)."""
    parent = _parent(agg, hop)
    if parent is None:
        release_to_centre(agg)
        return OrderState.REGISTERED
    agg.set_hop(parent, state=HopState.IN_PROGRESS.value)
    hold(agg, ctx.ref.org.get(parent.receiver_unit_id))
    return OrderState.IN_PROGRESS


def return_hop(ctx: Ctx, agg: Aggregate, hop_id: int, reason: str) -> None:
    """退回 to the sender of this hop, with a reason."""
    hop = agg.hop(hop_id)
    require_receiver(ctx, agg, hop)
    _require_not_paused(agg, "return")
    require_hop_state(hop, "return", *OPEN_HOP)
    text = require_text(reason, "reason")
    if hop.is_lead and agg.holder() is not hop:
        raise IllegalTransition(action="return", hop=hop.id, reason="not_holder")
    agg.set_hop(hop, state=HopState.RETURNED.value, return_reason=text)
    end_limits(agg, ctx, hop=hop)
    to_state = None
    if hop.is_lead:
        agg.set_order(return_count=agg.order.return_count + 1)
        to_state = _back_to_parent(agg, ctx, hop)
    record(
        agg,
        ctx,
        EventKind.RETURNED,
        to_state=to_state,
        hop=hop,
        reason=text,
    )


def accept_return(ctx: Ctx, agg: Aggregate, hop_id: int, note: str | None = None) -> None:
    """The sender agrees with the return; the order stays with the sender."""
    hop = agg.hop(hop_id)
    require_sender(ctx, agg, hop)
    require_hop_state(hop, "accept_return", HopState.RETURNED)
    agg.set_hop(hop, state=HopState.RETURN_ACCEPTED.value)
    record(
        agg,
        ctx,
        EventKind.RETURN_ACCEPTED,
        hop=hop,
        reason=note,
    )


def reject_return(ctx: Ctx, agg: Aggregate, hop_id: int, reason: str) -> None:
    """驳回: the return is refused and the hop awaits acceptance again."""
    hop = agg.hop(hop_id)
    require_sender(ctx, agg, hop)
    require_hop_state(hop, "reject_return", HopState.RETURNED)
    _require_not_paused(agg, "reject_return")
    text = require_text(reason, "reason")
    parent = _parent(agg, hop)
    to_state = None
    if hop.is_lead:
        if parent is None:
            require_state(agg, "reject_return", OrderState.REGISTERED)
        elif parent.state != HopState.IN_PROGRESS or agg.holder() is not parent:
            raise IllegalTransition(action="reject_return", hop=hop.id, reason="parent_moved_on")
        if parent is not None:
            agg.set_hop(parent, state=HopState.DELEGATED.value)
        hold(agg, ctx.ref.org.get(hop.receiver_unit_id))
        to_state = OrderState.DISPATCHED
    agg.set_hop(hop, state=HopState.AWAITING.value)
    start_limit(agg, ctx, LimitKind.ACCEPT, None, hop)
    record(
        agg,
        ctx,
        EventKind.RETURN_REJECTED,
        to_state=to_state,
        hop=hop,
        reason=text,
    )


def pass_down(
    ctx: Ctx, agg: Aggregate, hop_id: int, to_unit_id: int, note: str | None = None
) -> HopRec:
    """下派 one level down: the town to a village, the village to a grid."""
    hop = agg.hop(hop_id)
    require_receiver(ctx, agg, hop)
    _require_not_paused(agg, "pass_down")
    require_hop_state(hop, "pass_down", *OPEN_HOP)
    if not hop.is_lead or agg.holder() is not hop:
        raise IllegalTransition(action="pass_down", hop=hop.id, reason="not_holder")
    unit = ctx.ref.org.find(to_unit_id)
    if (
        unit is None
        or not unit.active
        or unit.parent_id != hop.receiver_unit_id
        or unit.kind == UnitKind.DEPARTMENT
    ):
        raise ValidationError([FieldError("to_unit_id", "not_a_child_unit", {"value": to_unit_id})])
    settle_returned(agg, hop)
    if hop.state == HopState.AWAITING:  # passing down is acting on it: an implicit acceptance
        _note_acceptance(agg, ctx, hop)
    agg.set_hop(hop, state=HopState.DELEGATED.value)
    child = _new_hop(agg, ctx, hop, HopRole.LEAD, hop.receiver_unit_id, unit, note)
    hold(agg, unit)
    record(
        agg,
        ctx,
        EventKind.PASSED_DOWN,
        to_state=OrderState.DISPATCHED,
        hop=child,
        reason=note,
    )
    return child


def reassign(ctx: Ctx, agg: Aggregate, hop_id: int, to_unit_id: int, reason: str) -> HopRec:
    """改派: the sender withdraws the hop and sends it to another unit."""
    hop = agg.hop(hop_id)
    require_sender(ctx, agg, hop)
    _require_not_paused(agg, "reassign")
    require_hop_state(hop, "reassign", HopState.AWAITING, HopState.IN_PROGRESS, HopState.RETURNED)
    text = require_text(reason, "reason")
    parent = _parent(agg, hop)
    if hop.is_lead and parent is not None and agg.holder() not in (hop, parent):
        raise IllegalTransition(action="reassign", hop=hop.id, reason="not_current")
    if hop.is_lead and parent is None and hop.state == HopState.RETURNED:
        require_state(agg, "reassign", OrderState.REGISTERED)
    errors: list[FieldError] = []
    if parent is None or not hop.is_lead:
        scope = ctx.ref.org.get(parent.receiver_unit_id if parent else agg.order.centre_unit_id)
        unit = _target(ctx, to_unit_id, "to_unit_id", scope, errors)
    else:
        unit = ctx.ref.org.find(to_unit_id)
        if unit is None or not unit.active or unit.parent_id != parent.receiver_unit_id:
            errors.append(FieldError("to_unit_id", "not_a_child_unit", {"value": to_unit_id}))
    if unit is not None and unit.id == hop.receiver_unit_id:
        errors.append(FieldError("to_unit_id", "same_unit", {"value": to_unit_id}))
    elif unit is not None and not hop.is_lead and unit.id in _live_receivers(agg):
        errors.append(FieldError("to_unit_id", "duplicate_unit", {"value": to_unit_id}))
    if hop.is_lead and parent is None:
        _check_floor(ctx, agg, unit, "to_unit_id", errors)
    if errors:
        raise ValidationError(errors)
    assert unit is not None
    agg.set_hop(hop, state=HopState.WITHDRAWN.value)
    end_limits(agg, ctx, hop=hop)
    new = _new_hop(agg, ctx, parent, HopRole(hop.role), hop.sender_unit_id, unit, text)
    to_state = None
    if hop.is_lead:
        if parent is not None:
            agg.set_hop(parent, state=HopState.DELEGATED.value)
        hold(agg, unit)
        to_state = OrderState.DISPATCHED
    record(
        agg,
        ctx,
        EventKind.REASSIGNED,
        to_state=to_state,
        hop=new,
        reason=text,
        extra={"withdrawn_hop": hop.id},
    )
    return new


def escalate(ctx: Ctx, agg: Aggregate, hop_id: int, reason: str) -> None:
    """上报 one tier up: to the hop's sender; from the top hop, back to the centre."""
    hop = agg.hop(hop_id)
    require_receiver(ctx, agg, hop)
    _require_not_paused(agg, "escalate")
    require_hop_state(hop, "escalate", *OPEN_HOP)
    if not hop.is_lead or agg.holder() is not hop:
        raise IllegalTransition(action="escalate", hop=hop.id, reason="not_holder")
    text = require_text(reason, "reason")
    agg.set_hop(hop, state=HopState.ESCALATED.value)
    end_limits(agg, ctx, hop=hop)
    level = ctx.ref.org.get(hop.receiver_unit_id).level
    agg.set_order(escalation_count=agg.order.escalation_count + 1)
    to_state = _back_to_parent(agg, ctx, hop)
    if hop.parent_id is None:
        agg.set_order(escalated_from_level=level)
    record(
        agg,
        ctx,
        EventKind.ESCALATED,
        to_state=to_state,
        hop=hop,
        reason=text,
    )


def _live_receivers(agg: Aggregate) -> set[int]:
    working = (HopState.AWAITING, HopState.IN_PROGRESS, HopState.DELEGATED)
    return {h.receiver_unit_id for h in agg.hops if h.state in working}


def add_assist(
    ctx: Ctx, agg: Aggregate, unit_id: int, at_hop_id: int | None = None, note: str | None = None
) -> HopRec:
    """中心吹哨、部门报到: call another unit onto the order as an assisting unit."""
    if at_hop_id is None:
        require_centre(ctx, agg, *CENTRE_INTAKE)
        parent = None
        scope = ctx.ref.org.get(agg.order.centre_unit_id)
    else:
        parent = agg.hop(at_hop_id)
        require_receiver(ctx, agg, parent)
        require_hop_state(parent, "add_assist", HopState.IN_PROGRESS, HopState.DELEGATED)
        scope = ctx.ref.org.get(parent.receiver_unit_id)
    require_state(agg, "add_assist", OrderState.DISPATCHED, OrderState.IN_PROGRESS)
    errors: list[FieldError] = []
    unit = _target(ctx, unit_id, "unit_id", scope, errors)
    if unit is not None and unit.id in _live_receivers(agg):
        errors.append(FieldError("unit_id", "duplicate_unit", {"value": unit_id}))
    if errors:
        raise ValidationError(errors)
    assert unit is not None
    sender = scope.id
    hop = _new_hop(agg, ctx, parent, HopRole.ASSIST, sender, unit, note)
    record(
        agg,
        ctx,
        EventKind.ASSIST_ADDED,
        hop=hop,
        reason=note,
    )
    return hop
