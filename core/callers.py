"""A caller's earlier orders, as the duty officer types the number (来电历史 · 重复来电).

The number is parsed as intake parses it, so "138 1234 5678", "+86 13812345678" and
full-width digits find the same orders; orders where the number was an added caller
(附加来电人) count too. Only orders the officer may see are listed (the jurisdiction rule
of core.queries); ``repeat`` follows the repeat-call rule of the indicators (another
order from the number within ``window_days``, default 30) over every order, seen or not,
because a repeat caller is a fact about the caller, not about the officer's unit.

On PostgreSQL a user's own role may not read ``phone_digits`` (migration 0006), so the
orders of a number come from the security-definer ``cc_orders_of_phone`` (migration
0010), and the listing itself goes through row-level security as usual. No Qt here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Subquery, func, select, union

from core.domain.actor import Actor
from core.phone import parse_phone
from core.queries import OrderRow, list_orders
from core.storage.schema import order_callers, orders

VOID = "voided"


@dataclass(frozen=True)
class CallerHistory:
    earlier: list[OrderRow]  # newest first, those the officer may see
    total: int  # every order from the number, seen or not (voided left out)
    recent: int  # of those, registered within the window
    repeat: bool  # recent > 0: mark the call as a repeat call


def history(
    conn: Connection,
    actor: Actor,
    phone_text: str,
    now: datetime,
    *,
    window_days: int = 30,
    limit: int = 10,
) -> CallerHistory | None:
    """None when no usable number was typed yet (a PhoneError means: not yet)."""
    try:
        phone = parse_phone(phone_text)
    except ValueError:
        return None
    if phone is None:
        return None
    live = _orders_of(conn, phone.digits())
    since = now - timedelta(days=window_days)
    total, recent = conn.execute(
        select(func.count(), func.count().filter(live.c.registered_at >= since)).select_from(live)
    ).one()
    order_ids = list(conn.execute(select(live.c.id)).scalars())
    earlier = (
        list_orders(conn, actor, limit=limit, now=now, order_ids=order_ids) if order_ids else []
    )
    return CallerHistory(earlier, int(total), int(recent or 0), bool(recent))


def _orders_of(conn: Connection, digits: str) -> Subquery:
    """(id, registered_at) of every order from the number, voided ones left out."""
    if conn.dialect.name == "postgresql":
        fn = func.cc_orders_of_phone(digits).table_valued("id", "registered_at")
        return select(fn.c.id, fn.c.registered_at).subquery()
    ids = union(
        select(orders.c.id.label("id")).where(orders.c.phone_digits == digits),
        select(order_callers.c.order_id).where(order_callers.c.phone_digits == digits),
    ).subquery()
    return (
        select(orders.c.id, orders.c.registered_at)
        .where(orders.c.id.in_(select(ids.c.id)), orders.c.state != VOID)
        .subquery()
    )
