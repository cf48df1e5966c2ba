"""The supervision page's reads and writes, run on the lanes: plain values in, plain
values out, no widget touched. Each write is one transaction per order, as of the
version the page showed; a refusal names its order and the others go on."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.actions import Action, Op, available
from core.domain.enums import SupervisionLevel
from core.errors import CoreError
from core.queues import Scope
from core.service import OrderService
from core.storage.db import read_tx
from core.supervision import (
    LateOrder,
    PendingRequest,
    RequestKind,
    Rule,
    UnitLoad,
    late_orders,
    pending_requests,
    unit_loads,
)
from desktop import errors
from desktop.feed import Session


@dataclass(frozen=True)
class Overview:
    loads: list[UnitLoad]
    requests: list[PendingRequest]
    now: datetime


def read_overview(session: Session, scope: Scope) -> Overview:
    store = session.store
    org = store.reference().org
    with read_tx(store.engine) as conn:
        now = store.clock.now()
        return Overview(
            unit_loads(conn, org, scope, now), pending_requests(conn, org, scope, now), now
        )


def read_late(
    session: Session, scope: Scope, rule: Rule, unit_id: int, offset: int, limit: int
) -> tuple[list[LateOrder], bool]:
    store = session.store
    ref = store.reference()
    with read_tx(store.engine) as conn:
        rows = late_orders(
            conn,
            ref.org,
            scope,
            store.clock.now(),
            unit_id,
            rule=rule,
            cal=ref.calendar,
            tz=ref.tz,
            limit=limit + 1,
            offset=offset,
        )
    return rows[:limit], len(rows) > limit


def read_actions(session: Session, order_id: int, ops: tuple[Op, ...]) -> list[Action]:
    """What the user may do to one order now, for the given operations (with reasons)."""
    store = session.store
    ref = store.reference()
    agg = OrderService(store).load(session.actor, order_id)
    return [a for a in available(session.actor, agg, ref.org, ref.policy) if a.code in ops]


@dataclass(frozen=True)
class Notice:
    order_id: int
    version: int
    number: str
    level: SupervisionLevel
    unit_id: int | None = None  # None: the unit holding the order


@dataclass
class Outcome:
    done: list[str] = field(default_factory=list)  # order numbers
    refused: list[tuple[str, str]] = field(default_factory=list)  # number, why in words
    event_ids: list[int] = field(default_factory=list)


def _each(items: list[Any], number: Callable[[Any], str], run: Callable[[Any], Any]) -> Outcome:
    """One transaction per item: a refusal names its order and the rest go on."""
    out = Outcome()
    for item in items:
        try:
            result = run(item)
        except CoreError as exc:
            out.refused.append((number(item), errors.describe(exc)))
            continue
        out.done.append(number(item))
        out.event_ids += list(result.event_ids)
    return out


def issue_notices(session: Session, notices: list[Notice], text: str) -> Outcome:
    svc = OrderService(session.store)
    return _each(
        notices,
        lambda n: n.number,
        lambda n: svc.supervise(
            session.actor, n.order_id, n.level.value, text, n.unit_id, expected_version=n.version
        ),
    )


def decide_request(
    session: Session, req: PendingRequest, approve: bool, note: str | None
) -> Outcome:
    svc = OrderService(session.store)
    method = svc.decide_pause if req.kind is RequestKind.PAUSE else svc.decide_extension
    return _each(
        [req],
        lambda r: r.number,
        lambda r: method(session.actor, r.id, approve, note, expected_version=r.version),
    )


def numbers_text(rows: list[LateOrder]) -> str:
    """The first few order numbers of a selection, for a dialog's summary."""
    shown = ", ".join(r.number for r in rows[:5])
    return shown + (" …" if len(rows) > 5 else "")
