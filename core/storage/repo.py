"""Loading order aggregates and writing them back, with their events, in one transaction.

``flush`` writes order rows for every action. The single-order API and the batch path
both end here, so they write the same rows and the same events. The import's bulk
registration writes new orders through ``core.storage.bulk`` instead, rows built without
aggregates; tests/core/test_bulk_intake.py holds it to what ``flush`` writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Engine, and_, bindparam, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from core.domain.events import EVENT_FORMAT, EventKind
from core.domain.ids import OrderId
from core.errors import NotFound, StaleVersion
from core.storage import ids
from core.storage.schema import (
    attachment_blobs,
    attachments,
    events,
    hops,
    order_callers,
    orders,
    state_intervals,
    time_limits,
)
from core.workflow.model import (
    Aggregate,
    CallerRec,
    HopRec,
    LimitRec,
    OrderRec,
    PendingEvent,
    as_row,
    event_row,
    names,
)

_ORDER_COLS = names(OrderRec)
_HOP_COLS = names(HopRec)
_LIMIT_COLS = names(LimitRec)
_CALLER_COLS = names(CallerRec)


def _rec(rec_type: type, cols: tuple[str, ...], row: Any) -> Any:
    m = row._mapping
    return rec_type(**{c: m.get(c) for c in cols})


# --- columns the connected role may not read (PostgreSQL user roles) ------------------------

_WITHHELD: WeakKeyDictionary[Engine, dict[str, frozenset[str]]] = WeakKeyDictionary()
_GUARDED_TABLES = ("orders", "order_callers", "events", "users")


def withheld_columns(conn: Connection) -> dict[str, frozenset[str]]:
    """Per table, the columns this connection's role may not SELECT. Asked once per engine:
    a workstation connects as one role for its whole life. Empty on SQLite and for owners."""
    if conn.dialect.name != "postgresql":
        return {}
    engine = conn.engine
    found = _WITHHELD.get(engine)
    if found is None:
        rows = conn.execute(
            text(
                "SELECT c.relname AS tbl, a.attname AS col FROM pg_attribute a"
                " JOIN pg_class c ON c.oid = a.attrelid"
                " WHERE c.relnamespace = current_schema()::regnamespace"
                " AND c.relname = ANY(:tables) AND a.attnum > 0 AND NOT a.attisdropped"
                " AND NOT has_column_privilege(c.oid, a.attnum, 'SELECT')"
            ),
            {"tables": list(_GUARDED_TABLES)},
        ).all()
        by_table: dict[str, set[str]] = {}
        for tbl, col in rows:
            by_table.setdefault(tbl, set()).add(col)
        found = {t: frozenset(cols) for t, cols in by_table.items()}
        _WITHHELD[engine] = found
    return found


def readable(conn: Connection, table: Any) -> list[Any]:
    """The columns of ``table`` this connection may SELECT, in table order."""
    hidden = withheld_columns(conn).get(table.name, frozenset())
    return [c for c in table.c if c.name not in hidden]


def load_aggregates(conn: Connection, order_ids: Iterable[int]) -> dict[int, Aggregate]:
    wanted = sorted(set(order_ids))
    if not wanted:
        return {}
    out: dict[int, Aggregate] = {}
    withheld = withheld_columns(conn).get("orders", frozenset())
    order_cols = readable(conn, orders)
    caller_cols = readable(conn, order_callers)
    for chunk_start in range(0, len(wanted), 500):
        chunk = wanted[chunk_start : chunk_start + 500]
        for row in conn.execute(select(*order_cols).where(orders.c.id.in_(chunk))):
            order = _rec(OrderRec, _ORDER_COLS, row)
            agg = Aggregate(order=order, loaded_version=order.version, withheld=withheld)
            agg.originals[("orders", order.id)] = as_row(order)
            out[order.id] = agg
        for row in conn.execute(
            select(hops).where(hops.c.order_id.in_(chunk)).order_by(hops.c.seq)
        ):
            hop = _rec(HopRec, _HOP_COLS, row)
            out[hop.order_id].hops.append(hop)
            out[hop.order_id].originals[("hops", hop.id)] = as_row(hop)
        for row in conn.execute(
            select(time_limits).where(time_limits.c.order_id.in_(chunk)).order_by(time_limits.c.id)
        ):
            lim = _rec(LimitRec, _LIMIT_COLS, row)
            out[lim.order_id].limits.append(lim)
            out[lim.order_id].originals[("time_limits", lim.id)] = as_row(lim)
        for row in conn.execute(
            select(*caller_cols)
            .where(order_callers.c.order_id.in_(chunk))
            .order_by(order_callers.c.id)
        ):
            caller = _rec(CallerRec, _CALLER_COLS, row)
            out[caller.order_id].callers.append(caller)
    return out


def load_aggregate(conn: Connection, order_id: int) -> Aggregate:
    found = load_aggregates(conn, [order_id])
    if order_id not in found:
        raise NotFound("order_not_found", order_id=order_id)
    return found[order_id]


def order_id_for_number(conn: Connection, number: str) -> OrderId:
    found = conn.execute(select(orders.c.id).where(orders.c.number == number.strip())).scalar()
    if found is None:
        raise NotFound("order_not_found", number=number)
    return OrderId(found)


class DbIds:
    """Ids from counter rows. ``block`` > 1 reserves ids in blocks for bulk paths;
    unused ids of a block stay unused (only event ids must be gapless)."""

    def __init__(
        self, conn: Connection, block: int = 1, reserve: ids.IdReserve | None = None
    ) -> None:
        self._conn = conn
        self._block = block
        self._free: dict[str, list[int]] = {}
        self._reserve = reserve if block == 1 else None

    def next_id(self, table: str) -> int:
        if self._reserve is not None:
            return self._reserve.take(table)
        free = self._free.setdefault(table, [])
        if not free:
            first = ids.allocate(self._conn, table, self._block)
            free.extend(range(first + self._block - 1, first - 1, -1))
        return free.pop()

    def next_order_number(self, year: int) -> str:
        return f"{year}-{self.next_id(f'order_number:{year}'):06d}"


# --- flush -------------------------------------------------------------------------------


def _changed(agg: Aggregate, table: str, rec: Any) -> dict[str, Any] | None:
    row = as_row(rec)
    key = (table, rec.id)
    if key in agg.new_ids or key not in agg.originals:
        return None
    return row if row != agg.originals[key] else None


def _update_many(
    conn: Connection, table: Any, rows: list[dict[str, Any]], cols: tuple[str, ...]
) -> None:
    if not rows:
        return
    stmt = (
        update(table)
        .where(table.c.id == bindparam("_id"))
        .values({c: bindparam(c) for c in cols if c != "id"})
    )
    # The key goes in as _id only: a row's "id" among the parameters would be added to
    # the SET clause, and rewriting a primary key makes SQLite check every child table.
    conn.execute(
        stmt, [{**{k: v for k, v in r.items() if k != "id"}, "_id": r["id"]} for r in rows]
    )


def _update_orders(conn: Connection, changed: Sequence[Aggregate]) -> None:
    """UPDATE … WHERE version = the version we read: a concurrent writer makes it miss.

    Columns the role could not read were loaded as None: they are written only when
    this transaction set them, so saving an order never blanks its caller's number."""
    if not changed:
        return
    groups: dict[frozenset[str], list[Aggregate]] = {}
    for agg in changed:
        groups.setdefault(agg.withheld, []).append(agg)
    for skip, aggs in groups.items():
        _update_order_group(conn, aggs, skip)


def _update_order_group(
    conn: Connection, changed: Sequence[Aggregate], skip: frozenset[str]
) -> None:
    cols = [c for c in _ORDER_COLS if c != "id" and c not in skip]
    stmt = (
        update(orders)
        .where(and_(orders.c.id == bindparam("_id"), orders.c.version == bindparam("_read")))
        .values({c: bindparam(c) for c in cols})
    )
    rows = [
        {
            **{k: v for k, v in as_row(a.order).items() if k in cols},
            "_id": a.order.id,
            "_read": a.loaded_version,
        }
        for a in changed
    ]
    if len(rows) > 1 and conn.dialect.supports_sane_multi_rowcount:
        if conn.execute(stmt, rows).rowcount != len(rows):
            raise StaleVersion(orders=[a.order.number for a in changed])
        return
    for agg, row in zip(changed, rows, strict=True):
        if conn.execute(stmt, row).rowcount != 1:
            raise StaleVersion(order=agg.order.number, expected=agg.loaded_version)


def flush(conn: Connection, aggs: Sequence[Aggregate]) -> list[PendingEvent]:
    """Write every change of ``aggs`` and their events; returns the events with ids."""
    ordered = sorted(aggs, key=lambda a: a.order.id)  # one lock order, no deadlocks
    new_orders = [as_row(a.order) for a in ordered if a.is_new]
    if new_orders:
        conn.execute(insert(orders), new_orders)
    _update_orders(
        conn, [a for a in ordered if not a.is_new and a.order.version != a.loaded_version]
    )

    for tbl, attr, cols in ((hops, "hops", _HOP_COLS), (time_limits, "limits", _LIMIT_COLS)):
        table = tbl.name
        fresh = [as_row(r) for a in ordered for r in getattr(a, attr) if (table, r.id) in a.new_ids]
        if fresh:
            conn.execute(insert(tbl), fresh)
        _update_many(
            conn,
            tbl,
            [row for a in ordered for r in getattr(a, attr) if (row := _changed(a, table, r))],
            cols,
        )
    callers = [
        as_row(c) for a in ordered for c in a.callers if ("order_callers", c.id) in a.new_ids
    ]
    if callers:
        conn.execute(insert(order_callers), callers)
    _write_attachments(conn, ordered)

    pending = sorted((e for a in ordered for e in a.events), key=lambda e: e.seq)
    if pending:
        # Last, so the counter row is held for the shortest time: ids follow commit order.
        first = ids.allocate(conn, "events", len(pending))
        for offset, ev in enumerate(pending):
            ev.id = first + offset
        owner = {id(e): a.order.id for a in ordered for e in a.events}
        conn.execute(insert(events), [{"id": e.id, **event_row(owner[id(e)], e)} for e in pending])
    _write_intervals(conn, ordered)
    for agg in ordered:
        _mark_clean(agg)
    return pending


def _write_attachments(conn: Connection, aggs: Sequence[Aggregate]) -> None:
    rows = []
    ins = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    for agg in aggs:
        for meta, data in agg.new_attachments:
            conn.execute(
                ins(attachment_blobs)
                .values(sha256=meta["sha256"], size=len(data), data=data)
                .on_conflict_do_nothing()
            )
            ev = next(
                e for e in agg.events if e.payload.get("attachment", {}).get("id") == meta["id"]
            )
            rows.append(
                {**meta, "order_id": agg.order.id, "added_at": ev.at, "added_by": ev.actor_user_id}
            )
    if rows:
        conn.execute(insert(attachments), rows)


def _write_intervals(conn: Connection, aggs: Sequence[Aggregate]) -> None:
    closing: list[dict[str, Any]] = []
    opening: list[dict[str, Any]] = []
    for agg in aggs:
        changes = agg.state_changes
        if not changes:
            continue
        if agg.had_open_interval:
            head = changes[0]
            closing.append({"_order": agg.order.id, "_to": head.at, "_event": head.event.id})
        for i, change in enumerate(changes):
            nxt = changes[i + 1] if i + 1 < len(changes) else None
            opening.append(
                {
                    "order_id": agg.order.id,
                    "state": change.state,
                    "valid_from": change.at,
                    "valid_to": nxt.at if nxt else None,
                    "from_event_id": change.event.id,
                    "to_event_id": nxt.event.id if nxt else None,
                }
            )
    if closing:
        conn.execute(
            update(state_intervals)
            .where(
                and_(
                    state_intervals.c.order_id == bindparam("_order"),
                    state_intervals.c.valid_to.is_(None),
                )
            )
            .values(valid_to=bindparam("_to"), to_event_id=bindparam("_event")),
            closing,
        )
    if opening:
        first = ids.allocate(conn, "state_intervals", len(opening))
        for offset, row in enumerate(opening):
            row["id"] = first + offset
        conn.execute(insert(state_intervals), opening)


def _mark_clean(agg: Aggregate) -> None:
    agg.is_new = False
    agg.had_open_interval = True
    agg.loaded_version = agg.order.version
    agg.new_ids.clear()
    agg.new_attachments.clear()
    agg.state_changes.clear()
    agg.originals = {("orders", agg.order.id): as_row(agg.order)}
    agg.originals.update({("hops", h.id): as_row(h) for h in agg.hops})
    agg.originals.update({("time_limits", lim.id): as_row(lim) for lim in agg.limits})
    agg.events = []


def write_notice(
    conn: Connection,
    kind: EventKind,
    at: datetime,
    payload: dict[str, Any],
    *,
    actor_user_id: int | None = None,
    actor_unit_id: int | None = None,
    reason: str | None = None,
) -> int:
    """An event about no one order (order_id NULL): a feed item or an alert changed.
    It takes the next gapless event id like any other, so every screen's stream sees it
    (a PostgreSQL NOTIFY wakes them, SQLite's poll finds it). Returns its id."""
    event_id = ids.allocate(conn, "events", 1)
    conn.execute(
        insert(events).values(
            id=event_id,
            order_id=None,
            order_version=None,
            hop_id=None,
            kind=kind.value,
            format=EVENT_FORMAT,
            actor_user_id=actor_user_id,
            actor_unit_id=actor_unit_id,
            at=at,
            from_state=None,
            to_state=None,
            reason=reason,
            overdue=False,
            payload=payload,
            private_payload=None,
        )
    )
    return event_id
