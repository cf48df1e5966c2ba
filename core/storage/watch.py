"""What the service process looks for: orders whose time has come, as queries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, select

from core.domain.enums import OrderState, VisitResult
from core.storage.schema import orders, state_intervals, time_limits


def limits_to_mark(conn: Connection, now: datetime, limit: int) -> list[int]:
    """Orders with an open, running limit past its warning or its due that is not yet
    marked so (临期 / 超期)."""
    tl = time_limits
    return list(
        conn.execute(
            select(tl.c.order_id)
            .where(tl.c.ended_at.is_(None), tl.c.paused_at.is_(None))
            .where(
                ((tl.c.warn_at <= now) & (tl.c.warned.is_(False)))
                | ((tl.c.due_at < now) & (tl.c.overdue_marked.is_(False)))
            )
            .distinct()
            .limit(limit)
        ).scalars()
    )


def waiting_unreachable(
    conn: Connection, entered_before: datetime | None = None, ids: Sequence[int] | None = None
) -> dict[int, datetime]:
    """Orders waiting for a return visit after unreachable attempts: id → when the current
    wait began (the open pending_visit state interval)."""
    si = state_intervals
    q = (
        select(orders.c.id, si.c.valid_from)
        .join(si, si.c.order_id == orders.c.id)
        .where(
            orders.c.state == OrderState.PENDING_VISIT.value,
            orders.c.visit_result == VisitResult.UNREACHABLE.value,
            si.c.valid_to.is_(None),
            si.c.state == OrderState.PENDING_VISIT.value,
        )
        .order_by(si.c.valid_from, orders.c.id)
    )
    if entered_before is not None:
        q = q.where(si.c.valid_from <= entered_before)
    if ids is not None:
        q = q.where(orders.c.id.in_(ids))
    return {int(r.id): r.valid_from for r in conn.execute(q)}
