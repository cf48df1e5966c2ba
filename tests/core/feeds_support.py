"""Shared by the feed tests: a configuration for the test county, messages, and a way to
put them through the screen and the inbox without a socket."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select

from core.feeds.config import FeedConfig, parse_feeds
from core.feeds.host import registrars
from core.feeds.inbox import Inbox, Received
from core.feeds.message import FeedMessage, Refusal
from core.feeds.screen import Screen
from core.storage.db import read_tx
from core.storage.schema import events, feed_items, orders
from core.store import Store
from tests.core.county import POINTS

CONFIG_TEXT = """\
[listener]
max_line_bytes = 4096
max_connections = 4
batch_max = 50

[[source]]
name = "smoke"
kind = "iot"
category = "070403"
urgency = "urgent"
rate = 10000
burst = 10000

[[source]]
name = "cam"
kind = "video"
category = "070301"
request_type = "report"
rate = 1
burst = 3

[[source]]
name = "water"
kind = "iot"
auto_register = true
category = "db44t2479-2024:0403:040304"
urgency = "critical"
register_as = "duty"
rate = 10000
burst = 10000
"""


def config(text: str = CONFIG_TEXT) -> FeedConfig:
    return parse_feeds(text, "test-feeds.toml")


def alert(
    source: str = "smoke", id: str = "A1", point: str = "town1v1g1", **kw: Any
) -> dict[str, Any]:
    lon, lat = POINTS[point]
    msg: dict[str, Any] = {
        "source": source,
        "id": id,
        "occurred_at": "2025-03-03T08:30:00+08:00",
        "title": "烟感报警",
        "description": "3号楼2单元烟感报警",
        "lon": lon,
        "lat": lat,
    }
    msg.update(kw)
    return {k: v for k, v in msg.items() if v is not None}


def line(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode("utf-8")


class Door:
    """Screen + inbox, as the listener uses them, minus the socket."""

    def __init__(self, store: Store, cfg: FeedConfig | None = None, now: float = 0.0) -> None:
        self.cfg = cfg or config()
        self.now = [now]
        self.screen = Screen(store, self.cfg, monotonic=lambda: self.now[0])
        self.inbox = Inbox(store, registrars(store, self.cfg))

    def check(self, obj: Any) -> FeedMessage | Refusal:
        return self.screen.check(obj if isinstance(obj, bytes) else line(obj))

    def send(self, *objs: Any) -> list[Received]:
        msgs = [self.check(o) for o in objs]
        bad = [m for m in msgs if isinstance(m, Refusal)]
        assert not bad, bad
        return self.inbox.receive([m for m in msgs if isinstance(m, FeedMessage)])


def count(store: Store, table: Any = feed_items, **where: Any) -> int:
    q = select(func.count()).select_from(table)
    for k, v in where.items():
        q = q.where(table.c[k] == v)
    with read_tx(store.engine) as conn:
        return int(conn.execute(q).scalar_one())


def orders_count(store: Store) -> int:
    return count(store, orders)


def notices(store: Store, kind: str) -> list[Any]:
    with read_tx(store.engine) as conn:
        q = select(events).where(events.c.kind == kind).order_by(events.c.id)
        return list(conn.execute(q))
