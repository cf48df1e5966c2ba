"""激增: the last window's intake against the usual volume of the same hour of the week.

The usual volume is the mean count of the same window 7, 14, … days earlier, over the
previous ``weeks`` weeks. Each window is one range of ``ix_orders_registered_at``, grouped
by the order's location unit; units map to their town in Python (the org is in memory).
So a run reads ``weeks + 1`` small ranges, however many orders the database holds.
Every registration counts (voided and merged ones too): a surge is of calls.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import Connection, func, select

from core.domain.enums import UnitKind
from core.org import OrgDirectory
from core.storage.schema import orders
from core.warning.config import SurgeRule, SurgeScope
from core.warning.model import Candidate, Rule, Severity
from core.workflow.context import Reference

_TOWNS = frozenset({UnitKind.TOWN, UnitKind.STREET})


def _counts(conn: Connection, since: datetime, until: datetime) -> Counter[int]:
    q = (
        select(orders.c.location_unit_id, func.count())
        .where(orders.c.registered_at > since, orders.c.registered_at <= until)
        .group_by(orders.c.location_unit_id)
    )
    return Counter({int(u): int(n) for u, n in conn.execute(q)})


def _town_of(org: OrgDirectory, unit_id: int) -> int | None:
    unit = org.find(unit_id)
    if unit is None:
        return None
    for u in org.ancestors(unit.id):
        if u.kind in _TOWNS:
            return int(u.id)
    return None


def _by_scope(org: OrgDirectory, scope: SurgeScope, counts: Counter[int]) -> Counter[int]:
    """Counts per unit of the scope: the county (its root unit), or each town."""
    out: Counter[int] = Counter()
    root = org.territory_root()
    for unit_id, n in counts.items():
        if scope.by == "county":
            if root is not None:
                out[int(root.id)] += n
        else:
            town = _town_of(org, unit_id)
            if town is not None:
                out[town] += n
    return out


def find_surges(
    conn: Connection, rule: SurgeRule, ref: Reference, now: datetime
) -> list[Candidate]:
    if not rule.enabled or not rule.scopes:
        return []
    window = timedelta(minutes=rule.window_minutes)
    oldest = conn.execute(select(func.min(orders.c.registered_at))).scalar()
    if oldest is None or oldest > now - timedelta(weeks=rule.weeks) - window:
        return []  # not enough history for a usual volume
    current = _counts(conn, now - window, now)
    if not current:
        return []
    history = [
        _counts(conn, now - timedelta(weeks=k) - window, now - timedelta(weeks=k))
        for k in range(1, rule.weeks + 1)
    ]
    local = now.astimezone(ref.tz)
    hour = local.strftime("%Y-%m-%dT%H")
    out: list[Candidate] = []
    for scope in rule.scopes:
        now_by = _by_scope(ref.org, scope, current)
        before = [_by_scope(ref.org, scope, h) for h in history]
        for unit_id, n in sorted(now_by.items()):
            usual = sum(b[unit_id] for b in before) / rule.weeks
            if n < scope.min_count or n < scope.factor * usual:
                continue
            unit = ref.org.get(unit_id)
            times = f"{n / usual:.1f} 倍" if usual > 0 else "此前为 0"
            span = (
                f"{rule.window_minutes // 60}小时"
                if rule.window_minutes % 60 == 0
                else (f"{rule.window_minutes}分钟")
            )
            out.append(
                Candidate(
                    Rule.SURGE,
                    f"{scope.by}:{unit_id}:{hour}",
                    Severity(scope.severity),
                    f"{unit.name} 近{span}受理 {n} 件，同时段常量 {usual:.1f} 件（{times}）",
                    {
                        "scope": scope.by,
                        "count": n,
                        "usual": round(usual, 2),
                        "weeks": rule.weeks,
                        "factor": scope.factor,
                        "window_minutes": rule.window_minutes,
                        "hour": hour,
                    },
                    unit_id,
                )
            )
    return out
