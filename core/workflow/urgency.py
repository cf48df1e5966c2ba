"""Raising an order's urgency (紧急程度) for a reason: by the centre's staff, or by the service
process on its own when the early-warning rules find sensitive words (core.warning).

It is the same change as an edit of the urgency field: one ``field_edited`` event with
the field, from and to, and the order's version goes up. Only upwards: an order already at
that urgency or above is left alone. Deadlines already computed stay as
they are, as with any edit.
"""

from __future__ import annotations

from core.domain.enums import OPEN_STATES, Urgency
from core.domain.events import EventKind
from core.errors import FieldError, ValidationError
from core.workflow.common import record
from core.workflow.context import Ctx
from core.workflow.guards import CENTRE_INTAKE, require_centre, require_state, require_text
from core.workflow.model import Aggregate

RANK = {Urgency.NORMAL: 0, Urgency.URGENT: 1, Urgency.CRITICAL: 2}


def raise_urgency(ctx: Ctx, agg: Aggregate, urgency: str, reason: str) -> str | None:
    """The urgency before, when it went up; None when it was already that high.
    ``ctx.actor`` None: the service process."""
    if ctx.actor is not None:
        require_centre(ctx, agg, *CENTRE_INTAKE)
    try:
        target = Urgency(urgency)
    except ValueError:
        raise ValidationError(
            [FieldError("urgency", "unknown_value", {"value": urgency})]
        ) from None
    why = require_text(reason, "reason")
    if agg.order.state not in OPEN_STATES:
        require_state(agg, "raise_urgency", *OPEN_STATES)
    before = agg.order.urgency
    if RANK[Urgency(before)] >= RANK[target]:
        return None
    agg.set_order(urgency=target.value)
    record(
        agg,
        ctx,
        EventKind.FIELD_EDITED,
        reason=why,
        extra={"field": "urgency", "from": {"urgency": before}, "to": {"urgency": target.value}},
    )
    return before
