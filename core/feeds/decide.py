"""A duty officer decides a 待确认 item: confirm (an order is registered from it) or
dismiss (a false alarm, with the reason; it never becomes intake).

Each decision is one transaction: the item is read under a row lock (PostgreSQL; SQLite's
writer lock does the same), so of two officers deciding at once the second is refused
with ``AlreadyDecided``, and an order is never registered without its item saying so.
One ``feed_decided`` notice per decision wakes the other screens.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, select, update

from core.domain.actor import Actor
from core.domain.events import EventKind
from core.domain.ids import OrderId
from core.errors import FieldError, IllegalTransition, OutOfJurisdiction, ValidationError
from core.feeds.items import FeedItem, FeedStatus, draft_for, get_item, may_decide
from core.service import OrderService
from core.storage.db import write_tx
from core.storage.repo import DbIds, flush, write_notice
from core.storage.schema import feed_items, orders
from core.store import Store
from core.workflow import intake
from core.workflow.context import Ctx
from core.workflow.guards import CENTRE_INTAKE, require_role

NOTE_MAX = 500


class AlreadyDecided(IllegalTransition):
    """The item was confirmed, dismissed or auto-registered already; nothing changed."""

    code = "feed_item_decided"


def _open_item(conn: Connection, store: Store, actor: Actor, item_id: int) -> FeedItem:
    require_role(actor, *CENTRE_INTAKE)
    item = get_item(conn, item_id, lock=True)
    if item.status != FeedStatus.PENDING.value:
        raise AlreadyDecided(item=item.id, status=item.status, order_id=item.order_id)
    if not may_decide(store.reference().org, actor, item.unit_id):
        raise OutOfJurisdiction(feed_item=item.id, unit=actor.unit_id)
    return item


def _text(name: str, value: str | None, required: bool) -> str | None:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError([FieldError(name, "required")])
    if len(text) > NOTE_MAX:
        raise ValidationError([FieldError(name, "too_long", {"max": NOTE_MAX})])
    return text or None


def confirm(svc: OrderService, actor: Actor, item_id: int, note: str | None = None) -> OrderId:
    """Register an order from a pending item (the intake checks apply: the actor must be
    centre intake staff and the place in their territory); the item becomes
    ``confirmed``. Returns the new order's id."""
    store = svc.store
    text = _text("note", note, required=False)
    with write_tx(store.engine) as conn:
        item = _open_item(conn, store, actor, item_id)
        o = orders
        taken = conn.execute(
            select(o.c.number).where(
                o.c.external_source == item.source, o.c.external_ref == item.source_id
            )
        ).scalar()
        if taken is not None:  # an order of the same source and id exists (an import?)
            raise AlreadyDecided("feed_item_already_an_order", item=item.id, order=taken)
        now = store.clock.now()
        ctx = Ctx(now, actor, store.reference(), DbIds(conn, 1, store.id_reserve))
        agg = intake.register(ctx, draft_for(item))
        flush(conn, [agg])
        _decide(conn, item, FeedStatus.CONFIRMED, actor, text, agg.order.id, now)
        write_notice(
            conn,
            EventKind.FEED_DECIDED,
            now,
            {
                "feed_item": item.id,
                "source": item.source,
                "status": FeedStatus.CONFIRMED.value,
                "order_id": agg.order.id,
                "order": agg.order.number,
            },
            actor_user_id=actor.user_id,
            actor_unit_id=actor.unit_id,
            reason=text,
        )
    return OrderId(agg.order.id)


def dismiss(store: Store, actor: Actor, item_id: int, reason: str) -> None:
    """A false alarm: the item becomes ``dismissed`` with the reason (required)."""
    text = _text("reason", reason, required=True)
    with write_tx(store.engine) as conn:
        item = _open_item(conn, store, actor, item_id)
        now = store.clock.now()
        _decide(conn, item, FeedStatus.DISMISSED, actor, text, None, now)
        write_notice(
            conn,
            EventKind.FEED_DECIDED,
            now,
            {"feed_item": item.id, "source": item.source, "status": FeedStatus.DISMISSED.value},
            actor_user_id=actor.user_id,
            actor_unit_id=actor.unit_id,
            reason=text,
        )


def _decide(
    conn: Connection,
    item: FeedItem,
    status: FeedStatus,
    actor: Actor,
    note: str | None,
    order_id: int | None,
    now: datetime,
) -> None:
    f = feed_items
    done = conn.execute(
        update(f)
        .where(f.c.id == item.id, f.c.status == FeedStatus.PENDING.value)
        .values(
            status=status.value,
            decided_at=now,
            decided_by=actor.user_id,
            decision_note=note,
            order_id=order_id,
        )
    ).rowcount
    if done != 1:  # cannot happen under the row lock; refuse rather than decide twice
        raise AlreadyDecided(item=item.id)
