"""Rebuild an order from its events alone, and compare with what is stored.

Each event's payload holds the journal of the changes it made (``order``, ``hops``,
``limits``, ``callers``), so folding the payloads in id order must give the rows. The
caller's name and numbers sit in ``private_payload`` (same layout, merged back here), so
replay needs a role that may read that column: the owner or the service, not a user role.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from core.storage.repo import load_aggregate
from core.storage.schema import events
from core.workflow.model import (
    Aggregate,
    as_row,
    json_value,
    mask_phone,
    merge_private,
    shown_caller,
)


@dataclass
class Rebuilt:
    order: dict[str, Any] = field(default_factory=dict)
    hops: dict[str, dict[str, Any]] = field(default_factory=dict)
    limits: dict[str, dict[str, Any]] = field(default_factory=dict)
    callers: dict[str, dict[str, Any]] = field(default_factory=dict)


def fold(payloads: Iterable[Mapping[str, Any]]) -> Rebuilt:
    out = Rebuilt()
    for payload in payloads:
        out.order.update(payload.get("order", {}))
        for bucket, target in (
            ("hops", out.hops),
            ("limits", out.limits),
            ("callers", out.callers),
        ):
            for key, values in payload.get(bucket, {}).items():
                target.setdefault(key, {}).update(values)
    if out.order and "phone_masked" not in out.order:
        # Events written before the derived list columns existed (migration 0006).
        out.order.update(
            shown_caller(
                out.order.get("caller_name"),
                out.order.get("phone"),
                bool(out.order.get("confidential")),
            )
        )
    for caller in out.callers.values():
        caller.setdefault("phone_masked", mask_phone(caller.get("phone")))
    return out


def _jsonish(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: json_value(v) for k, v in row.items()}


def snapshot(agg: Aggregate) -> Rebuilt:
    """The stored state in the same shape as ``fold`` returns."""
    return Rebuilt(
        order=_jsonish(as_row(agg.order)),
        hops={str(h.id): _jsonish(as_row(h)) for h in agg.hops},
        limits={str(lim.id): _jsonish(as_row(lim)) for lim in agg.limits},
        callers={str(c.id): _jsonish(as_row(c)) for c in agg.callers},
    )


def replay_order(conn: Connection, order_id: int) -> Rebuilt:
    rows = conn.execute(
        select(events.c.payload, events.c.private_payload)
        .where(events.c.order_id == order_id)
        .order_by(events.c.id)
    )
    return fold(merge_private(r.payload, r.private_payload) for r in rows)


def differences(conn: Connection, order_id: int) -> list[str]:
    """Where replay and storage disagree; empty when they match."""
    rebuilt = replay_order(conn, order_id)
    stored = snapshot(load_aggregate(conn, order_id))
    diffs: list[str] = []
    for name in ("order", "hops", "limits", "callers"):
        a, b = getattr(rebuilt, name), getattr(stored, name)
        if name == "order":
            a, b = {"": a}, {"": b}
        for key in sorted(set(a) | set(b)):
            left, right = a.get(key, {}), b.get(key, {})
            for col in sorted(set(left) | set(right)):
                if left.get(col) != right.get(col):
                    diffs.append(
                        f"{name}[{key}].{col}: replay={left.get(col)!r} stored={right.get(col)!r}"
                    )
    return diffs
