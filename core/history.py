"""An order's history since a version: what a stale save's dialog shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from core.storage.schema import events, users

# Bookkeeping columns every event touches: not news to the person reading.
QUIET = frozenset({"version", "updated_at"})


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    version: int
    kind: str
    actor: str | None  # display name; None for the system (the service process)
    fields: tuple[str, ...]  # the order fields it changed


def since(conn: Connection, order_id: int, version: int) -> list[HistoryLine]:
    """The order's events after ``version``, oldest first."""
    rows = conn.execute(
        select(
            events.c.at,
            events.c.order_version,
            events.c.kind,
            users.c.display_name,
            events.c.payload,
        )
        .select_from(events.outerjoin(users, users.c.id == events.c.actor_user_id))
        .where(events.c.order_id == order_id, events.c.order_version > version)
        .order_by(events.c.order_version)
    )
    out = []
    for r in rows:
        payload = r.payload if isinstance(r.payload, dict) else {}
        if isinstance(payload.get("field"), str):
            fields: tuple[str, ...] = (payload["field"],)
        else:
            changed = payload.get("order")
            keys = changed.keys() if isinstance(changed, dict) else ()
            fields = tuple(sorted(k for k in keys if k not in QUIET))
        out.append(HistoryLine(r.at, int(r.order_version), r.kind, r.display_name, fields))
    return out
