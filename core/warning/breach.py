"""临期预警: orders close to breaching a time limit, where an alert adds to the 临期 mark.

One query over the open, running limits that end within the larger of the two horizons
(``ix_time_limits_open_due``: ended_at IS NULL, due_at in a range), with the order and the
hop that the limit belongs to. Then, in Python:

- an urgent order's limit ending within ``within_minutes``: one alert per limit;
- a unit holding at least ``unit.min_orders`` orders with a limit ending within
  ``unit.within_hours``: one alert per unit and local day (批量临期).

The unit holding a limit is the hop's receiver for acceptance and assisting limits, the
lead unit for the order's own limits, and the centre while no unit holds the order.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, select

from core.domain.enums import Urgency
from core.storage.schema import hops, orders, time_limits
from core.warning.config import NearBreachRule
from core.warning.model import URGENCY_ZH, Candidate, Rule, Severity
from core.workflow.context import Reference

LIMIT_ZH = {"handout": "派单签收", "accept": "签收", "resolve": "办结", "assist": "协办答复"}
MAX_LISTED = 200  # order ids kept in a unit alert's detail


def find_near_breaches(
    conn: Connection, rule: NearBreachRule, ref: Reference, now: datetime
) -> list[Candidate]:
    if not rule.enabled:
        return []
    per_limit = timedelta(minutes=rule.within_minutes)
    per_unit = timedelta(hours=rule.unit.within_hours) if rule.unit.enabled else timedelta(0)
    horizon = max(per_limit if rule.urgency and rule.limits else timedelta(0), per_unit)
    if horizon <= timedelta(0):
        return []
    tl, o = time_limits.c, orders.c
    holder = func.coalesce(hops.c.receiver_unit_id, o.lead_unit_id, o.centre_unit_id)
    q = (
        select(tl.id, tl.order_id, tl.kind, tl.due_at, o.number, o.urgency, holder.label("holder"))
        .select_from(time_limits)
        .join(orders, orders.c.id == tl.order_id)
        .outerjoin(hops, hops.c.id == tl.hop_id)
        .where(
            tl.ended_at.is_(None),
            tl.due_at > now,
            tl.due_at <= now + horizon,
            tl.paused_at.is_(None),
        )
        .order_by(tl.due_at, tl.id)
    )
    rows = conn.execute(q).all()
    out: list[Candidate] = []
    for r in rows:
        if r.urgency in rule.urgency and r.kind in rule.limits and r.due_at <= now + per_limit:
            out.append(_limit_alert(rule, ref, r, now))
    if rule.unit.enabled:
        out += _unit_alerts(rule, ref, [r for r in rows if r.due_at <= now + per_unit], now)
    return out


def _limit_alert(rule: NearBreachRule, ref: Reference, r: Any, now: datetime) -> Candidate:
    lim_id, order_id, kind, due_at, number, urgency, holder = r
    unit = ref.org.find(holder)
    left = max(1, int((due_at - now).total_seconds() // 60))
    due_local = due_at.astimezone(ref.tz)
    zh = URGENCY_ZH.get(Urgency(urgency), urgency)
    where = f"，{unit.name}" if unit is not None else ""
    return Candidate(
        Rule.NEAR_BREACH,
        f"limit:{lim_id}",
        Severity(rule.severity),
        f"{zh}工单 {number} {LIMIT_ZH.get(kind, kind)}时限 {due_local:%H:%M} 到期"
        f"（还剩 {left} 分钟）{where}",
        {
            "kind": "limit",
            "orders": [int(order_id)],
            "number": number,
            "limit": int(lim_id),
            "limit_kind": kind,
            "urgency": urgency,
            "due_at": due_at.isoformat(),
            "minutes_left": left,
        },
        int(holder) if holder is not None else None,
    )


def _unit_alerts(
    rule: NearBreachRule, ref: Reference, rows: list[Any], now: datetime
) -> list[Candidate]:
    by_unit: dict[int, dict[int, datetime]] = defaultdict(dict)  # unit → order → earliest due
    for r in rows:
        _lim, order_id, _kind, due_at, _number, _urgency, holder = r
        if holder is None:
            continue
        earliest = by_unit[int(holder)].get(int(order_id))
        if earliest is None or due_at < earliest:
            by_unit[int(holder)][int(order_id)] = due_at
    day = now.astimezone(ref.tz).date().isoformat()
    out = []
    for unit_id, due in sorted(by_unit.items()):
        if len(due) < rule.unit.min_orders:
            continue
        unit = ref.org.find(unit_id)
        name = unit.name if unit is not None else str(unit_id)
        ordered = sorted(due, key=lambda oid: (due[oid], oid))
        out.append(
            Candidate(
                Rule.NEAR_BREACH,
                f"unit:{unit_id}:{day}",
                Severity(rule.unit.severity),
                f"{name} 有 {len(due)} 件工单将在 {rule.unit.within_hours} 小时内到期",
                {
                    "kind": "unit",
                    "orders": ordered[:MAX_LISTED],
                    "count": len(due),
                    "within_hours": rule.unit.within_hours,
                    "first_due_at": due[ordered[0]].isoformat(),
                },
                unit_id,
            )
        )
    return out
