"""Ids from counter rows, updated inside the writing transaction.

Updating the row locks it until commit, so a second writer waits: ids are handed out
in commit order and a rolled-back transaction gives its ids back. That is what makes
event ids gapless in commit order, which a plain PostgreSQL sequence is not.
"""

from __future__ import annotations

from sqlalchemy import Connection, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from core.storage.schema import counters

# Counters created with the schema; others (yearly order numbers) appear on first use.
TABLE_COUNTERS = (
    "events",
    "orders",
    "hops",
    "time_limits",
    "order_callers",
    "attachments",
    "state_intervals",
)


def ensure_counter(conn: Connection, name: str) -> None:
    """Create the counter row if missing; safe when two writers race to create it."""
    ins = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    conn.execute(ins(counters).values(name=name, value=0).on_conflict_do_nothing())


def allocate(conn: Connection, name: str, n: int = 1) -> int:
    """Reserve ``n`` consecutive ids and return the first."""
    if n < 1:
        raise ValueError("allocate at least one id")
    stmt = (
        update(counters)
        .where(counters.c.name == name)
        .values(value=counters.c.value + n)
        .returning(counters.c.value)
    )
    last = conn.execute(stmt).scalar_one_or_none()
    if last is None:
        ensure_counter(conn, name)
        last = conn.execute(stmt).scalar_one()
    return int(last) - n + 1


def current(conn: Connection, name: str) -> int:
    value = conn.execute(select(counters.c.value).where(counters.c.name == name)).scalar()
    return int(value or 0)
