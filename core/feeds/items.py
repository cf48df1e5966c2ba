"""Feed items as stored (``feed_items``), the 待确认 queue, and the order an item becomes.

An item's ``payload`` holds what has no column of its own:
    {"description": str | None,
     "order": {"category_node_id": …, "request_type": …, "urgency": …},  # resolved on receipt
     "extra": {…},                     # the message's other fields, as received (optional)
     "sent": {"lon": …, "lat": …, "coords": "gcj02"}}   # the point as sent, when converted
so a decision needs neither the configuration nor the source still being configured.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, Select, func, select

from core.domain.actor import Actor
from core.domain.enums import Channel
from core.errors import NotFound
from core.org import OrgDirectory, is_within
from core.storage.db import read_tx
from core.storage.schema import feed_items
from core.store import Store
from core.workflow.intake import OrderDraft


class FeedStatus(StrEnum):
    PENDING = "pending"  # 待确认
    CONFIRMED = "confirmed"  # an officer registered an order from it
    DISMISSED = "dismissed"  # a false alarm: never intake
    REGISTERED = "registered"  # its source auto-registers: an order at once


@dataclass(frozen=True)
class FeedItem:
    id: int
    source: str
    source_id: str
    kind: str
    received_at: datetime
    occurred_at: datetime
    category_code: str | None
    title: str
    address: str | None
    lon: float | None
    lat: float | None
    unit_id: int | None
    payload: dict[str, Any]
    status: str
    decided_at: datetime | None
    decided_by: int | None
    decision_note: str | None
    order_id: int | None

    @property
    def description(self) -> str | None:
        value = self.payload.get("description")
        return value if isinstance(value, str) else None

    @property
    def order_fields(self) -> dict[str, str]:
        value = self.payload.get("order")
        return value if isinstance(value, dict) else {}


def as_item(row: Any) -> FeedItem:
    return FeedItem(**{c.name: row._mapping[c.name] for c in feed_items.columns})


def draft_for(item: FeedItem) -> OrderDraft:
    """The order an item becomes: the video/IoT channel, the source's category, request
    type and urgency, and the source's id as the external reference, so the
    (external_source, external_ref) key registers it once at most."""
    order = item.order_fields
    return OrderDraft(
        channel=Channel.VIDEO_IOT.value,
        request_type=order.get("request_type", "help"),
        category_node_id=order.get("category_node_id", ""),
        description=item.description or item.title,
        title=item.title,
        urgency=order.get("urgency", "normal"),
        address=item.address,
        lon=item.lon,
        lat=item.lat,
        location_unit_id=item.unit_id if item.lon is None else None,
        external_ref=item.source_id,
        external_source=item.source,
    )


def may_decide(org: OrgDirectory, actor: Actor, unit_id: int | None) -> bool:
    """An item lies in its grid's territory, or the county's when it has none."""
    unit = org.find(unit_id) if unit_id is not None else org.territory_root()
    return unit is not None and is_within(unit.path, actor.unit_path)


def _scoped(q: Select[Any], org: OrgDirectory, actor: Actor | None) -> Select[Any]:
    if actor is None:
        return q
    root = org.territory_root()
    if root is not None and is_within(root.path, actor.unit_path):
        return q  # the county centre (or above) sees every item
    inside = [u.id for u in org.all() if is_within(u.path, actor.unit_path)]
    return q.where(feed_items.c.unit_id.in_(inside))


def get_item(conn: Connection, item_id: int, *, lock: bool = False) -> FeedItem:
    q = select(feed_items).where(feed_items.c.id == item_id)
    row = conn.execute(q.with_for_update() if lock else q).first()
    if row is None:
        raise NotFound("feed_item_not_found", item=item_id)
    return as_item(row)


def list_items(
    store: Store,
    *,
    status: str | None = FeedStatus.PENDING.value,
    actor: Actor | None = None,
    source: str | None = None,
    limit: int = 100,
    before_id: int | None = None,
) -> list[FeedItem]:
    """Newest first, ``limit`` at a time (page on with ``before_id``). ``actor`` keeps to
    the items in their territory; ``status`` None lists every status."""
    q = select(feed_items).order_by(feed_items.c.id.desc()).limit(limit)
    if status is not None:
        q = q.where(feed_items.c.status == status)
    if source is not None:
        q = q.where(feed_items.c.source == source)
    if before_id is not None:
        q = q.where(feed_items.c.id < before_id)
    q = _scoped(q, store.reference().org, actor)
    with read_tx(store.engine) as conn:
        return [as_item(r) for r in conn.execute(q)]


def pending(
    store: Store,
    actor: Actor | None = None,
    *,
    source: str | None = None,
    limit: int = 100,
    before_id: int | None = None,
) -> list[FeedItem]:
    """The 待确认 queue, newest first."""
    return list_items(
        store,
        status=FeedStatus.PENDING.value,
        actor=actor,
        source=source,
        limit=limit,
        before_id=before_id,
    )


def count_pending(store: Store, actor: Actor | None = None) -> int:
    q = select(func.count()).select_from(feed_items)
    q = q.where(feed_items.c.status == FeedStatus.PENDING.value)
    q = _scoped(q, store.reference().org, actor)
    with read_tx(store.engine) as conn:
        return int(conn.execute(q).scalar_one())
