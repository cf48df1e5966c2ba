"""Soft locks: "张三 is editing this order". Advisory only.

A lock warns a second person before they start typing; it never blocks a save. What
protects the data is the order's version: a save made from an older version is refused
(``StaleVersion``). A lock expires on its own ``ttl`` after its last refresh, so a
crashed workstation or a dropped network never leaves an order locked; an open editor
refreshes its lock well inside that time.

A holder is a user at a workstation: the same user in a second window is warned too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, insert, select, update

from core.domain.actor import Actor
from core.errors import NotFound
from core.storage.db import read_tx, write_tx
from core.storage.schema import order_locks, orders
from core.store import Store

TTL = timedelta(seconds=90)


@dataclass(frozen=True)
class Holder:
    user_id: int
    display_name: str
    workstation: str
    acquired_at: datetime
    expires_at: datetime

    def is_me(self, actor: Actor, workstation: str) -> bool:
        return self.user_id == actor.user_id and self.workstation == workstation


@dataclass(frozen=True)
class LockResult:
    """``taken``: this editor holds the lock now. Otherwise ``holder`` is the other editor."""

    taken: bool
    holder: Holder | None


def _live(conn: Connection, order_id: int, now: datetime) -> Holder | None:
    row = conn.execute(
        select(
            order_locks.c.user_id,
            order_locks.c.display_name,
            order_locks.c.workstation,
            order_locks.c.acquired_at,
            order_locks.c.expires_at,
        ).where(order_locks.c.order_id == order_id)
    ).first()
    if row is None or row.expires_at <= now:
        return None
    return Holder(*row)


def holder(store: Store, order_id: int) -> Holder | None:
    """Who is editing the order now, if anyone."""
    with read_tx(store.engine) as conn:
        return _live(conn, order_id, store.clock.now())


def acquire(
    store: Store,
    actor: Actor,
    order_id: int,
    workstation: str,
    *,
    force: bool = False,
    ttl: timedelta = TTL,
) -> LockResult:
    """Take the lock, or refresh our own. Someone else's live lock is left alone unless
    ``force`` (the user chose to edit anyway: the lock then names them)."""
    now = store.clock.now()
    with write_tx(store.engine) as conn:
        if conn.execute(select(orders.c.id).where(orders.c.id == order_id)).first() is None:
            raise NotFound("order_not_found", order_id=order_id)
        # Lock the order row so two editors racing for the same lock take turns.
        if conn.dialect.name == "postgresql":
            conn.execute(select(orders.c.id).where(orders.c.id == order_id).with_for_update())
        current = _live(conn, order_id, now)
        if current is not None and not current.is_me(actor, workstation) and not force:
            return LockResult(False, current)
        mine = Holder(
            actor.user_id,
            actor.display_name,
            workstation,
            current.acquired_at if current and current.is_me(actor, workstation) else now,
            now + ttl,
        )
        values = {
            "user_id": mine.user_id,
            "display_name": mine.display_name,
            "workstation": mine.workstation,
            "acquired_at": mine.acquired_at,
            "expires_at": mine.expires_at,
        }
        changed = conn.execute(
            update(order_locks).where(order_locks.c.order_id == order_id).values(**values)
        ).rowcount
        if not changed:
            conn.execute(insert(order_locks).values(order_id=order_id, **values))
        return LockResult(
            True, current if current and not current.is_me(actor, workstation) else None
        )


def release(store: Store, actor: Actor, order_id: int, workstation: str) -> None:
    """Give the lock back, if it is still ours (someone may have taken it over)."""
    with write_tx(store.engine) as conn:
        conn.execute(
            delete(order_locks).where(
                order_locks.c.order_id == order_id,
                order_locks.c.user_id == actor.user_id,
                order_locks.c.workstation == workstation,
            )
        )
