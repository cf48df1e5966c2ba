"""Ids from counter rows, updated inside the writing transaction.

Updating the row locks it until commit, so a second writer waits: ids are handed out
in commit order and a rolled-back transaction gives its ids back. That is what makes
event ids gapless in commit order, which a plain PostgreSQL sequence is not.
"""

from __future__ import annotations

import threading

from sqlalchemy import Connection, Engine, select, update
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


class IdReserve:
    """Ids other than event ids, reserved in short transactions of their own (PostgreSQL).

    A counter row updated inside the writing transaction stays locked until it commits,
    so every writer that registers an order would queue behind the one holding the
    ``orders`` row for its whole transaction, and a holder starved of CPU makes a convoy.
    Only event ids must be gapless; other ids may skip a number when a transaction rolls
    back. So they come from here, and the writing transaction locks only the ``events``
    counter, at its very end. Order ids and order numbers are taken one at a time, so
    they follow registration order across workstations; internal ids in small blocks.
    SQLite has one writer at a time anyway and keeps allocating in the transaction.
    """

    ONE_AT_A_TIME = ("orders", "order_number:")
    BLOCK = 16

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._free: dict[str, list[int]] = {}
        self._lock = threading.Lock()

    def take(self, name: str) -> int:
        with self._lock:
            free = self._free.setdefault(name, [])
            if not free:
                block = 1 if name.startswith(self.ONE_AT_A_TIME) else self.BLOCK
                with self._engine.connect() as conn, conn.begin():
                    # No fsync of its own: the writing transaction's commit flushes the
                    # WAL up to and including this one, so a used id is never lost.
                    conn.exec_driver_sql("SET LOCAL synchronous_commit = off")
                    first = allocate(conn, name, block)
                free.extend(range(first + block - 1, first - 1, -1))
            return free.pop()
