"""重复来电: one phone number calling again and again (72 hours, 30 days, as configured).

Looked at for each newly registered order with a number: its calls are the orders with
that number (``ix_orders_phone_digits``) and the further callers added with it
(``ix_order_callers_phone_digits``), voided orders left out, within the window that ends
at the new order. A window that still holds an order of an earlier alert of the same
window is the same episode and raises nothing. The alert shows the masked number only;
the key and the detail carry order ids, never the number.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import Connection, select

from core.domain.enums import CallerSource, OrderState
from core.storage.schema import order_callers, orders
from core.warning.alerts import recent_details
from core.warning.config import RepeatRule, RepeatWindow
from core.warning.model import Candidate, Rule, Severity
from core.warning.recent import NewOrder

Calls = dict[str, list[tuple[datetime, int]]]  # digits → (when, order id), oldest first


def _calls(conn: Connection, digits: Sequence[str], since: datetime, until: datetime) -> Calls:
    found: dict[str, set[tuple[datetime, int]]] = defaultdict(set)
    voided = OrderState.VOIDED.value
    for start in range(0, len(digits), 500):
        chunk = list(digits[start : start + 500])
        own = select(orders.c.phone_digits, orders.c.registered_at, orders.c.id).where(
            orders.c.phone_digits.in_(chunk),
            orders.c.registered_at > since,
            orders.c.registered_at <= until,
            orders.c.state != voided,
        )
        added = (
            select(order_callers.c.phone_digits, order_callers.c.added_at, orders.c.id)
            .join(orders, orders.c.id == order_callers.c.order_id)
            .where(
                order_callers.c.phone_digits.in_(chunk),
                order_callers.c.source == CallerSource.ADDED.value,
                order_callers.c.added_at > since,
                order_callers.c.added_at <= until,
                orders.c.state != voided,
            )
        )
        for q in (own, added):
            for d, at, oid in conn.execute(q):
                found[d].add((at, int(oid)))
    return {d: sorted(v) for d, v in found.items()}


def find_repeat_callers(
    conn: Connection, rule: RepeatRule, new: Sequence[NewOrder], now: datetime
) -> list[Candidate]:
    fresh = [n for n in new if n.registered and n.phone_digits]
    if not rule.enabled or not rule.windows or not fresh:
        return []
    longest = max(w.hours for w in rule.windows)
    first = min(n.registered_at for n in fresh)
    calls = _calls(
        conn,
        sorted({n.phone_digits for n in fresh if n.phone_digits}),
        first - timedelta(hours=longest),
        now,
    )
    spent: dict[int, set[int]] = defaultdict(set)  # window hours → orders of earlier alerts
    for d in recent_details(conn, Rule.REPEAT_CALLER, now - timedelta(hours=2 * longest)):
        spent[int(d.get("window_hours", 0))].update(int(i) for i in d.get("orders", []))
    out: list[Candidate] = []
    for window in sorted(rule.windows, key=lambda w: w.hours):
        for n in fresh:
            assert n.phone_digits is not None
            found = _one(window, n, calls.get(n.phone_digits, []), spent[window.hours])
            if found is not None:
                out.append(found)
    return out


def _one(
    window: RepeatWindow, n: NewOrder, calls: list[tuple[datetime, int]], spent: set[int]
) -> Candidate | None:
    since = n.registered_at - timedelta(hours=window.hours)
    inside = [(at, oid) for at, oid in calls if since < at <= n.registered_at]
    ids = sorted({oid for _, oid in inside})
    if len(inside) < window.min_calls or n.id not in ids or spent.intersection(ids):
        return None
    spent.update(ids)
    span = (
        f"{window.hours // 24}天"
        if window.hours % 24 == 0 and window.hours > 72
        else (f"{window.hours}小时")
    )
    shown = n.phone_masked or "匿名号码"
    return Candidate(
        Rule.REPEAT_CALLER,
        f"{window.hours}h:{n.id}",
        Severity(window.severity),
        f"来电 {shown} {span}内 {len(inside)} 次",
        {
            "window_hours": window.hours,
            "orders": ids,
            "count": len(inside),
            "phone_masked": n.phone_masked,
            "trigger": n.id,
            "first_at": inside[0][0].isoformat(),
            "last_at": inside[-1][0].isoformat(),
        },
        n.location_unit_id,
    )
