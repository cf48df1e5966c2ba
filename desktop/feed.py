"""What the order list reads, as blocking calls for the lanes. Never called on the UI thread."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, select

from core.auth import login
from core.domain.actor import Actor
from core.queries import (
    OrderRow,
    UserChoice,
    count_orders,
    demo_users,
    list_orders,
)
from core.queries import (
    last_event_id as core_last_event_id,
)
from core.storage.db import read_tx
from core.storage.schema import settings
from core.store import Store

DEMO_KEY = "demo_county"


@dataclass(frozen=True)
class Session:
    """The logged-in user on one database, handed to every view."""

    store: Store
    actor: Actor
    unit_name: str
    tz: ZoneInfo


@dataclass(frozen=True)
class Snapshot:
    """Rows read in one transaction with the newest event id they include."""

    rows: list[OrderRow]
    event_id: int
    more: bool  # the database holds further rows after these


class OrderFeed:
    """The orders a session may see. The jurisdiction filter is in core's SQL."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def last_event_id(self) -> int:
        return last_event_id(self.session.store)

    def snapshot(self, limit: int) -> Snapshot:
        """The newest ``limit`` rows, for a (re)load of what the list shows."""
        with read_tx(self.session.store.engine) as conn:
            event_id = int(core_last_event_id(conn))
            rows = self._list(conn, limit + 1, 0)
        return Snapshot(rows[:limit], event_id, len(rows) > limit)

    def page(self, offset: int, limit: int) -> Snapshot:
        with read_tx(self.session.store.engine) as conn:
            event_id = int(core_last_event_id(conn))
            rows = self._list(conn, limit + 1, offset)
        return Snapshot(rows[:limit], event_id, len(rows) > limit)

    def rows(self, order_ids: Collection[int]) -> list[OrderRow]:
        """A fresh read of these orders, those the user may (still) see."""
        store = self.session.store
        with read_tx(store.engine) as conn:
            return list_orders(
                conn,
                self.session.actor,
                limit=len(order_ids),
                now=store.clock.now(),
                order_ids=order_ids,
            )

    def count(self) -> int:
        with read_tx(self.session.store.engine) as conn:
            return count_orders(conn, self.session.actor)

    def _list(self, conn: Connection, limit: int, offset: int) -> list[OrderRow]:
        store = self.session.store
        return list_orders(
            conn,
            self.session.actor,
            limit=limit,
            offset=offset,
            now=store.clock.now(),
        )


def last_event_id(store: Store) -> int:
    """Where a new subscriber starts: what the screens read next already includes it."""
    with read_tx(store.engine) as conn:
        return int(core_last_event_id(conn))


@dataclass(frozen=True)
class DemoLogin:
    """A demo county: every user shares one password, so a picker can log anyone in."""

    users: list[UserChoice]
    password: str


def load_demo(store: Store) -> DemoLogin | None:
    """The demo picker's data, when the ``demo_county`` setting says this is a demo."""
    with read_tx(store.engine) as conn:
        value = conn.execute(select(settings.c.value).where(settings.c.key == DEMO_KEY)).scalar()
        if not isinstance(value, dict) or not isinstance(value.get("password"), str):
            return None
        return DemoLogin(demo_users(conn, value.get("featured", ())), value["password"])


def open_session(store: Store, username: str, password: str) -> Session:
    """Log in (AuthError on bad credentials) and warm the reference data the views need."""
    with read_tx(store.engine) as conn:
        actor = login(conn, username, password)
    ref = store.reference()
    return Session(store, actor, ref.org.get(actor.unit_id).name, ref.tz)
