"""The orders a run of the rules looks at anew: registered, or with a title or description
edited, in a time range. Found through ``ix_events_kind_at`` (kind, at), so the cost is the
range's events, whatever the size of the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from core.domain.events import EventKind
from core.storage.schema import events, orders

TEXT_FIELDS = frozenset({"title", "description"})


@dataclass(frozen=True)
class NewOrder:
    id: int
    number: str
    state: str
    urgency: str
    registered_at: datetime
    title: str
    description: str
    category_node_id: str
    location_unit_id: int
    phone_digits: str | None
    phone_masked: str | None
    registered: bool  # registered in the range (not only edited)


def new_orders(conn: Connection, since: datetime, until: datetime) -> list[NewOrder]:
    """Orders registered in ``(since, until]``, and orders whose title or description was
    edited then, oldest first."""
    q = select(events.c.order_id, events.c.kind, events.c.payload).where(
        events.c.kind.in_([EventKind.REGISTERED.value, EventKind.FIELD_EDITED.value]),
        events.c.at > since,
        events.c.at <= until,
        events.c.order_id.is_not(None),
    )
    registered: set[int] = set()
    edited: set[int] = set()
    for order_id, kind, payload in conn.execute(q):
        if kind == EventKind.REGISTERED.value:
            registered.add(int(order_id))
        elif isinstance(payload, dict) and payload.get("field") in TEXT_FIELDS:
            edited.add(int(order_id))
    wanted = sorted(registered | edited)
    out: list[NewOrder] = []
    o = orders.c
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        rows = conn.execute(
            select(
                o.id,
                o.number,
                o.state,
                o.urgency,
                o.registered_at,
                o.title,
                o.description,
                o.category_node_id,
                o.location_unit_id,
                o.phone_digits,
                o.phone_masked,
            ).where(o.id.in_(chunk))
        )
        out.extend(NewOrder(*r, registered=r.id in registered) for r in rows)
    out.sort(key=lambda n: (n.registered_at, n.id))
    return out
