"""Writing many new rows fast: the batch registration's orders, limits, callers, events and
state intervals (``core.workflow.bulk.NewRows``).

``insert_rows`` sends the same values SQLAlchemy's ``conn.execute(insert(table), rows)``
sends, through the column types' own bind processors (UTCDateTime, JSON, Boolean), in one
go: an ``executemany`` of the driver, or a COPY on PostgreSQL. What it leaves out is
SQLAlchemy's per-row work: building each row's parameters and running a processor on
every value. Rows here share most of their values (the batch's instant, deadlines,
NULLs), so a processor runs once per distinct value of a column, JSON documents excepted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, Connection, Dialect, Table

from core.storage import ids
from core.storage.schema import events, order_callers, orders, state_intervals, time_limits
from core.workflow.bulk import NewRows


@dataclass(frozen=True)
class _Plan:
    sql: str
    copy: str  # PostgreSQL: COPY t (a, b, …) FROM STDIN
    get: Callable[[dict[str, Any]], tuple[Any, ...]]
    # column index, the type's bind processor, whether its results may be remembered
    processors: tuple[tuple[int, Callable[[Any], Any], bool], ...]


_PLANS: dict[tuple[str, str, str], _Plan] = {}


def _plan(dialect: Dialect, table: Table) -> _Plan:
    key = (dialect.name, dialect.paramstyle, table.name)
    plan = _PLANS.get(key)
    if plan is None:
        if dialect.paramstyle not in ("qmark", "format", "pyformat"):
            raise NotImplementedError(f"paramstyle {dialect.paramstyle}")
        cols = list(table.c)
        quote = dialect.identifier_preparer.quote
        marker = "?" if dialect.paramstyle == "qmark" else "%s"
        target = (
            f"{dialect.identifier_preparer.format_table(table)}"
            f" ({', '.join(quote(c.name) for c in cols)})"
        )
        sql = f"INSERT INTO {target} VALUES ({', '.join([marker] * len(cols))})"
        processors = []
        for i, col in enumerate(cols):
            proc = col.type.dialect_impl(dialect).bind_processor(dialect)
            if proc is not None:
                # A JSON document is a dict or a list: not a key to remember it by.
                processors.append((i, proc, not isinstance(col.type, JSON)))
        plan = _PLANS[key] = _Plan(
            sql,
            f"COPY {target} FROM STDIN",
            itemgetter(*(c.name for c in cols)),
            tuple(processors),
        )
    return plan


def insert_rows(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """INSERT ``rows`` (dicts holding every column of ``table``).

    SQLite: one executemany. PostgreSQL: one COPY, unless row-level security applies to
    the connected role (COPY FROM is refused then), when psycopg pipelines an executemany
    as it does SQLAlchemy's own. A COPY fires the events table's statement trigger once,
    so it sends one NOTIFY with the highest new id instead of one per row: a hint either
    way (migration 0005). Measured: multi-row VALUES statements of 50 to 1,000 rows were
    slower than the executemany (psycopg's work on a long query); COPY about 3× faster."""
    if not rows:
        return
    plan = _plan(conn.dialect, table)
    columns: list[Sequence[Any]] = list(zip(*map(plan.get, rows), strict=True))
    for index, proc, remember in plan.processors:
        columns[index] = _processed(columns[index], proc, remember)
    params = list(zip(*columns, strict=True))
    if conn.dialect.name == "postgresql" and not _row_security(conn, table):
        driver: Any = conn.connection.driver_connection  # psycopg's, in this transaction
        with driver.cursor() as cursor, cursor.copy(plan.copy) as copy:
            for row in params:
                copy.write_row(row)
        return
    conn.exec_driver_sql(plan.sql, params)


def _row_security(conn: Connection, table: Table) -> bool:
    """Row-level security applies to this role on ``table`` (PostgreSQL)."""
    return bool(conn.exec_driver_sql("SELECT row_security_active(%s)", (table.name,)).scalar())


def _processed(values: Sequence[Any], proc: Callable[[Any], Any], remember: bool) -> list[Any]:
    """``proc`` of each value; with ``remember``, run once per distinct value."""
    if remember:
        try:
            distinct = set(values)
        except TypeError:  # unhashable: nothing to remember them by
            distinct = None
        # Keyed by value alone only when no two types can compare equal (True == 1).
        if distinct is not None and len({type(v) for v in distinct if v is not None}) <= 1:
            done = {v: proc(v) for v in distinct}
            return list(map(done.__getitem__, values))
        return [proc(v) for v in values]
    null = proc(None)
    return [null if v is None else proc(v) for v in values]


def write_new(conn: Connection, rows: NewRows) -> int:
    """Write a batch of new orders as ``flush`` writes new aggregates: the same rows, event
    ids gapless and taken last (in the order the events were built), then the state
    intervals. Returns the number of events."""
    insert_rows(conn, orders, rows.orders)
    insert_rows(conn, time_limits, rows.limits)
    insert_rows(conn, order_callers, rows.callers)
    if not rows.events:
        return 0
    first = ids.allocate(conn, "events", len(rows.events))
    for offset, ev in enumerate(rows.events):
        ev["id"] = first + offset
    insert_rows(conn, events, rows.events)
    if rows.intervals:
        start = ids.allocate(conn, "state_intervals", len(rows.intervals))
        insert_rows(
            conn,
            state_intervals,
            [
                {
                    "id": start + offset,
                    "order_id": order_id,
                    "state": state,
                    "valid_from": valid_from,
                    "valid_to": valid_to,
                    "from_event_id": first + opened,
                    "to_event_id": None if closed is None else first + closed,
                }
                for offset, (order_id, state, valid_from, valid_to, opened, closed) in enumerate(
                    rows.intervals
                )
            ],
        )
    return len(rows.events)
