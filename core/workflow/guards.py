"""Who may see an order and who may act on it. Refusals change nothing.

Jurisdiction (DESIGN.md): a user sees an order when it lies in their unit's
territory, when their unit holds or held an assignment on it, or when their unit
supervises such a unit (is above it in the tree). With materialised paths all three
are one test: the user's unit path is a prefix of the location's or of a hop party's.
"""

from __future__ import annotations

from core.domain.actor import Actor
from core.domain.enums import OrderState, Role
from core.errors import IllegalTransition, OutOfJurisdiction, PermissionDenied
from core.org import OrgDirectory, is_within
from core.workflow.context import Ctx
from core.workflow.model import Aggregate, HopRec

CENTRE_INTAKE = (Role.DUTY_OFFICER, Role.DISPATCHER)
STAFF = (Role.HANDLER, Role.DUTY_OFFICER, Role.DISPATCHER, Role.SUPERVISOR)


def can_see(actor: Actor, agg: Aggregate, org: OrgDirectory) -> bool:
    prefix = actor.unit_path
    loc = org.find(agg.order.location_unit_id)
    if loc is not None and is_within(loc.path, prefix):
        return True
    for hop in agg.hops:
        for unit_id in (hop.receiver_unit_id, hop.sender_unit_id):
            unit = org.find(unit_id)
            if unit is not None and is_within(unit.path, prefix):
                return True
    return False


def require_visible(ctx: Ctx, agg: Aggregate) -> Actor:
    actor = require_actor(ctx)
    if not can_see(actor, agg, ctx.ref.org):
        raise OutOfJurisdiction(order=agg.order.number, unit=actor.unit_id)
    return actor


def require_actor(ctx: Ctx) -> Actor:
    if ctx.actor is None:
        raise PermissionDenied("user_required")
    return ctx.actor


def require_role(actor: Actor, *roles: Role) -> None:
    if not actor.has(*roles):
        raise PermissionDenied("role_required", roles=[r.value for r in roles], user=actor.username)


def require_state(agg: Aggregate, action: str, *states: OrderState) -> None:
    if agg.order.state not in states:
        raise IllegalTransition(
            action=action,
            order=agg.order.number,
            state=agg.order.state,
            allowed=[s.value for s in states],
        )


def require_hop_state(hop: HopRec, action: str, *states: str) -> None:
    if hop.state not in states:
        raise IllegalTransition(
            action=action, hop=hop.id, hop_state=hop.state, allowed=list(states)
        )


def require_centre(ctx: Ctx, agg: Aggregate, *roles: Role) -> Actor:
    """Centre-side work (dispatch, review, visits): the order's centre, or a centre above it."""
    actor = require_visible(ctx, agg)
    require_role(actor, *roles)
    centre = ctx.ref.org.get(agg.order.centre_unit_id)
    if not is_within(centre.path, actor.unit_path):
        raise PermissionDenied("not_order_centre", order=agg.order.number, unit=actor.unit_id)
    return actor


def require_receiver(ctx: Ctx, agg: Aggregate, hop: HopRec) -> Actor:
    actor = require_visible(ctx, agg)
    require_role(actor, *STAFF)
    if actor.unit_id != hop.receiver_unit_id:
        raise PermissionDenied("not_hop_receiver", hop=hop.id, unit=actor.unit_id)
    return actor


def require_sender(ctx: Ctx, agg: Aggregate, hop: HopRec) -> Actor:
    """The sender of a hop decides on its return and may reassign it; a centre above
    the sender may too. The centre's own hops are the dispatchers' business."""
    actor = require_visible(ctx, agg)
    require_role(actor, *(CENTRE_INTAKE if hop.parent_id is None else STAFF))
    sender = ctx.ref.org.get(hop.sender_unit_id)
    if not is_within(sender.path, actor.unit_path):
        raise PermissionDenied("not_hop_sender", hop=hop.id, unit=actor.unit_id)
    return actor


def require_text(value: str | None, field: str) -> str:
    from core.errors import FieldError, ValidationError

    text = (value or "").strip()
    if not text:
        raise ValidationError([FieldError(field, "required")])
    return text
