"""Screened messages into ``feed_items``, a batch per transaction.

- A repeat of (source, source id), already stored or earlier in the same batch, is a
  duplicate: counted and answered with the first item's id, never an error.
- A message without coordinates is placed by its address when that is a standard address
  (exactly, as intake's address box and the import path match it).
- A new item of an auto-registering source becomes an order in the same transaction (the
  intake path, channel video_iot, the source's id as external reference) and is marked
  ``registered``; one intake refuses (a category no longer selectable …) stays pending for
  an officer, and the log says why.
- One ``feed_received`` notice per batch, not per item, names the batch's new pending
  items: a burst of thousands of alerts wakes each workstation once per transaction.

A batch that fails for a reason other than an unreachable database is retried line by
line, so one item no database accepts cannot cost the others.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from core.addresses import normalize
from core.domain.actor import Actor
from core.domain.events import EventKind
from core.errors import CoreError
from core.feeds.items import FeedItem, FeedStatus, draft_for
from core.feeds.message import FeedMessage
from core.storage.db import write_tx
from core.storage.repo import DbIds, flush, write_notice
from core.storage.schema import feed_items, orders, std_addresses
from core.store import Store
from core.workflow import intake
from core.workflow.context import Ctx
from core.workflow.model import Aggregate

log = logging.getLogger("core.feeds")
BLOCK = 500  # values per IN (...) list
NOTICE_IDS = 1000  # item ids named in one notice at most (the count is always whole)

Key = tuple[str, str]
# On PostgreSQL a batch goes in as one statement with one parameter, a JSON array of the
# rows: 28 µs a row, against 43 µs for ids from the sequence and an executemany (psycopg's
# pipeline: a statement a row) and 90-130 µs for a many-row VALUES … RETURNING (too long
# for psycopg to keep its conversion, so converted afresh every time). The times are kept
# as ``UTCDateTime`` stores them (naive UTC).
PG_INSERT = text(
    """
    INSERT INTO feed_items (source, source_id, kind, received_at, occurred_at, category_code,
                            title, address, lon, lat, unit_id, payload, status)
    SELECT source, source_id, kind, received_at, occurred_at, category_code,
           title, address, lon, lat, unit_id, payload, status
      FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r(
           source text, source_id text, kind text, received_at timestamp,
           occurred_at timestamp, category_code text, title text, address text,
           lon float8, lat float8, unit_id integer, payload jsonb, status text)
    ON CONFLICT DO NOTHING
    RETURNING id, source, source_id
    """
)


@dataclass(frozen=True)
class Received:
    """What became of one message: its item (new or the earlier one), or an error code
    (``store_unavailable``: try again later; ``store_failed``: this message never will)."""

    item_id: int | None
    duplicate: bool = False
    status: str = FeedStatus.PENDING.value
    order_number: str | None = None
    error: str | None = None


def _payload(m: FeedMessage) -> dict[str, Any]:
    out: dict[str, Any] = {
        "description": m.description,
        "order": {
            "category_node_id": m.category_node_id,
            "request_type": m.request_type,
            "urgency": m.urgency,
        },
    }
    if m.extra:
        out["extra"] = m.extra
    if m.sent_lonlat is not None:
        out["sent"] = {"lon": m.sent_lonlat[0], "lat": m.sent_lonlat[1], "coords": "gcj02"}
    return out


class Inbox:
    """``registrars``: the user each auto-registering source registers its orders as."""

    def __init__(self, store: Store, registrars: Mapping[str, Actor] | None = None) -> None:
        self.store = store
        self.registrars = dict(registrars or {})

    def receive(self, messages: Sequence[FeedMessage]) -> list[Received]:
        from core.service_process import is_connection_error

        if not messages:
            return []
        try:
            return self._receive(messages)
        except Exception as exc:
            if is_connection_error(exc):
                log.warning("the database is unreachable (%s); %d lines", exc, len(messages))
                return [Received(None, error="store_unavailable")] * len(messages)
            if len(messages) == 1:
                m = messages[0]
                log.exception("%s %r could not be stored", m.source, m.source_id)
                return [Received(None, error="store_failed")]
        return [r for m in messages for r in self.receive([m])]

    # --- one transaction -------------------------------------------------------------------

    def _receive(self, messages: Sequence[FeedMessage]) -> list[Received]:
        now = self.store.clock.now()
        with write_tx(self.store.engine) as conn:
            known = _existing(conn, {(m.source, m.source_id) for m in messages})
            fresh: dict[Key, FeedMessage] = {}
            for m in messages:
                key = (m.source, m.source_id)
                if key not in known and key not in fresh:
                    fresh[key] = m
            unplaced = [m for m in fresh.values() if m.unit_id is None and m.lon is None]
            places = _places(conn, unplaced)
            rows = {key: _row(m, now, places) for key, m in fresh.items()}
            new = _insert(conn, list(rows.values())) if rows else {}
            for key in set(fresh) - set(new):  # stored meanwhile by another writer
                known.update(_existing(conn, {key}))
                del fresh[key]
            auto = [(new[k], rows[k]) for k, m in fresh.items() if m.auto_register]
            done = self._auto_register(conn, now, auto) if auto else {}
            waiting = [(new[k], m) for k, m in fresh.items() if new[k] not in done]
            if waiting:
                _notice(conn, now, waiting)
        out: list[Received] = []
        first: set[Key] = set()
        for m in messages:
            key = (m.source, m.source_id)
            if key in fresh:
                item = new[key]
                status, number = done.get(item, (FeedStatus.PENDING.value, None))
                out.append(Received(item, key in first, status, number))
                first.add(key)
            else:
                item, status = known[key]
                out.append(Received(item, True, status))
        return out

    def _auto_register(
        self, conn: Connection, now: datetime, todo: list[tuple[int, dict[str, Any]]]
    ) -> dict[int, tuple[str, str | None]]:
        """Orders for the new items of auto-registering sources; returns item → (status,
        order number) for those that became (or already were) orders."""
        done: dict[int, tuple[str, str | None]] = {}
        by_source: dict[str, list[FeedItem]] = {}
        for item_id, row in todo:
            by_source.setdefault(row["source"], []).append(_as_item(item_id, row))
        marks: list[dict[str, Any]] = []
        for source, entries in by_source.items():
            actor = self.registrars.get(source)
            if actor is None:
                log.warning("source %s auto-registers but has no registering user", source)
                continue
            already = _orders_of(conn, source, [item.source_id for item in entries])
            ctx = Ctx(now, actor, self.store.reference(), DbIds(conn, len(entries), None))
            aggs: list[tuple[int, Aggregate]] = []
            for item in entries:
                if item.source_id in already:
                    oid, number = already[item.source_id]
                    marks.append(_mark(item.id, oid, actor, now))
                    done[item.id] = (FeedStatus.REGISTERED.value, number)
                    continue
                try:
                    aggs.append((item.id, intake.register(ctx, draft_for(item))))
                except CoreError as exc:
                    log.warning(
                        "%s %r stays pending: intake refused it (%s)",
                        source,
                        item.source_id,
                        exc,
                    )
            if aggs:
                flush(conn, [a for _, a in aggs])
            for item_id, agg in aggs:
                marks.append(_mark(item_id, agg.order.id, actor, now))
                done[item_id] = (FeedStatus.REGISTERED.value, agg.order.number)
        if marks:
            f = feed_items
            conn.execute(
                update(f)
                .where(f.c.id == bindparam("item"))
                .values(
                    status=FeedStatus.REGISTERED.value,
                    order_id=bindparam("oid"),
                    decided_at=bindparam("at"),
                    decided_by=bindparam("by"),
                ),
                marks,
            )
        return done


def _mark(item_id: int, order_id: int, actor: Actor, now: datetime) -> dict[str, Any]:
    return {"item": item_id, "oid": order_id, "at": now, "by": actor.user_id}


def _as_item(item_id: int, row: dict[str, Any]) -> FeedItem:
    return FeedItem(
        id=item_id, decided_at=None, decided_by=None, decision_note=None, order_id=None, **row
    )


def _row(m: FeedMessage, now: datetime, places: dict[str, int]) -> dict[str, Any]:
    unit = m.unit_id
    if unit is None and m.lon is None and m.address:
        unit = places.get(normalize(m.address))
    return {
        "source": m.source,
        "source_id": m.source_id,
        "kind": m.kind,
        "received_at": now,
        "occurred_at": m.occurred_at,
        "category_code": m.category_code or None,
        "title": m.title,
        "address": m.address,
        "lon": m.lon,
        "lat": m.lat,
        "unit_id": unit,
        "payload": _payload(m),
        "status": FeedStatus.PENDING.value,
    }


def _among(conn: Connection, column: Any, values: Sequence[Any]) -> Any:
    """``column IN values``. On PostgreSQL ``IN (SELECT unnest(:values))``: one array
    parameter (psycopg converts a statement with hundreds of placeholders afresh every
    time), and a plan that stays an index probe per value when psycopg prepares it (the
    generic plan of ``= ANY(:values)``, made while the table was young and then kept,
    compared every item of the source with every value: 57 ms a batch at 30,000 items)."""
    if conn.dialect.name == "postgresql":
        array = bindparam(None, list(values), type_=ARRAY(column.type))
        return column.in_(select(func.unnest(array)).scalar_subquery())
    return column.in_(list(values))


def _existing(conn: Connection, keys: set[Key]) -> dict[Key, tuple[int, str]]:
    """Stored items of these (source, source id) keys: key → (id, status)."""
    f = feed_items
    found: dict[Key, tuple[int, str]] = {}
    by_source: dict[str, list[str]] = {}
    for source, sid in keys:
        by_source.setdefault(source, []).append(sid)
    for source, sids in by_source.items():
        for i in range(0, len(sids), BLOCK):
            q = select(f.c.id, f.c.source_id, f.c.status).where(
                f.c.source == source, _among(conn, f.c.source_id, sids[i : i + BLOCK])
            )
            for item_id, sid, status in conn.execute(q):
                found[(source, sid)] = (item_id, status)
    return found


def _places(conn: Connection, messages: list[FeedMessage]) -> dict[str, int]:
    """Standard addresses (normalised) → their unit, for address-only messages."""
    keys = sorted({k for m in messages if m.address and len(k := normalize(m.address)) >= 2})
    found: dict[str, int] = {}
    a = std_addresses
    for i in range(0, len(keys), BLOCK):
        q = select(a.c.normalized, a.c.unit_id).where(
            _among(conn, a.c.normalized, keys[i : i + BLOCK])
        )
        for key, unit_id in conn.execute(q):
            found.setdefault(key, unit_id)
    return found


def _insert(conn: Connection, rows: list[dict[str, Any]]) -> dict[Key, int]:
    """Insert, skipping keys another writer stored meanwhile; returns key → new id."""
    f = feed_items
    if conn.dialect.name == "postgresql":
        doc = [
            dict(
                r,
                received_at=_naive_utc(r["received_at"]),
                occurred_at=_naive_utc(r["occurred_at"]),
            )
            for r in rows
        ]
        got = conn.execute(PG_INSERT, {"rows": json.dumps(doc, ensure_ascii=False)})
    else:
        got = conn.execute(
            sqlite_insert(f).on_conflict_do_nothing().returning(f.c.id, f.c.source, f.c.source_id),
            rows,
        )
    return {(s, sid): item_id for item_id, s, sid in got}


def _naive_utc(at: datetime) -> str:
    """As ``UTCDateTime`` stores it: naive UTC."""
    return at.astimezone(UTC).replace(tzinfo=None).isoformat()


def _orders_of(conn: Connection, source: str, sids: list[str]) -> dict[str, tuple[int, str]]:
    """Orders already registered from these source ids: source id → (order id, number)."""
    o = orders
    found: dict[str, tuple[int, str]] = {}
    for i in range(0, len(sids), BLOCK):
        q = select(o.c.external_ref, o.c.id, o.c.number).where(
            o.c.external_source == source, _among(conn, o.c.external_ref, sids[i : i + BLOCK])
        )
        for ref, oid, number in conn.execute(q):
            found[ref] = (oid, number)
    return found


def _notice(conn: Connection, now: datetime, waiting: list[tuple[int, FeedMessage]]) -> None:
    first_id, first = waiting[0]
    write_notice(
        conn,
        EventKind.FEED_RECEIVED,
        now,
        {
            "feed_item": first_id,
            "source": first.source,
            "title": first.title,
            "count": len(waiting),
            "feed_items": [i for i, _ in waiting[:NOTICE_IDS]],
        },
    )
