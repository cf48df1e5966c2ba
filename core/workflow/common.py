"""Small moves several actions share."""

from __future__ import annotations

from typing import Any

from core.domain.enums import LIVE_HOP_STATES, HopRole, HopState
from core.domain.events import EventKind
from core.org import Unit
from core.workflow.context import Ctx
from core.workflow.model import Aggregate, HopRec, PendingEvent


def hold(agg: Aggregate, unit: Unit) -> None:
    """``unit`` now handles the order; its level is the order's tier.

    A pause or extension asked for by the unit that had the order lapses with the
    hand-over: the new holder decides for itself.
    """
    changes: dict[str, object] = {"lead_unit_id": unit.id, "tier": unit.level}
    if agg.order.lead_unit_id != unit.id and agg.order.pending_request is not None:
        changes["pending_request"] = None
    agg.set_order(**changes)


def release_to_centre(agg: Aggregate) -> None:
    """No unit handles the order any more: it is back with the centre."""
    agg.set_order(lead_unit_id=None, tier=None, pending_request=None)


def settle_returned(agg: Aggregate, parent: HopRec | None) -> None:
    """Dispatching anew under ``parent`` accepts any return still waiting there."""
    for h in agg.children(parent, HopRole.LEAD):
        if h.state == HopState.RETURNED:
            agg.set_hop(h, state=HopState.RETURN_ACCEPTED.value)


def withdraw_live_hops(agg: Aggregate) -> None:
    """The order ends: every hop still waiting or working is withdrawn."""
    for hop in agg.hops:
        if hop.state in LIVE_HOP_STATES:
            agg.set_hop(hop, state=HopState.WITHDRAWN.value)


def record(agg: Aggregate, ctx: Ctx, kind: EventKind, **kw: Any) -> PendingEvent:
    """Emit one event on ``agg`` as the acting user, at the context's instant."""
    return agg.emit(kind, at=ctx.now, actor_user_id=ctx.user_id, actor_unit_id=ctx.unit_id, **kw)
