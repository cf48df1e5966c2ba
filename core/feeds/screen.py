"""The door: one raw line → a validated, located message, or a ``Refusal``.

In order: decode (UTF-8, JSON, an object), the source (configured, or refused), its rate
(a token bucket per source), the fields (``core.feeds.message``), the category (the
message's, else the source's) and the point (inside the county; its grid by the same
lookup intake uses). Address-only messages are placed by the standard-address table when
the batch is written (``core.feeds.inbox``): that needs the database, this does not.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

from core.feeds.config import FeedConfig, FeedConfigError
from core.feeds.message import FeedMessage, Refusal, decode, validate
from core.feeds.ratelimit import RateLimiter
from core.store import Store
from core.taxonomy import Category, CategoryBook


class CategoryIndex:
    """Categories by node id or by code. A code under two parents (090499) is ambiguous:
    name its node id."""

    def __init__(self, book: CategoryBook) -> None:
        self.book = book
        self._by_code: dict[str, list[Category]] = {}
        for cat in book:
            self._by_code.setdefault(cat.code, []).append(cat)

    def resolve(self, value: str) -> Category | str:
        """The category, or a refusal code."""
        cat = self.book.get(value)
        if cat is None:
            found = self._by_code.get(value, [])
            if len(found) > 1:
                return "ambiguous_category"
            if not found:
                return "unknown_category"
            cat = found[0]
        return cat if cat.selectable else "category_not_selectable"


class Screen:
    """Checks lines for a store and a configuration. Thread-safe (the rate limiter locks;
    the rest reads immutable reference data)."""

    def __init__(
        self, store: Store, config: FeedConfig, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.store, self.config = store, config
        self.limiter = RateLimiter(
            {s.name: (s.rate, s.burst) for s in config.sources.values()}, monotonic
        )
        self._index = CategoryIndex(store.reference().categories)
        bad = []
        for src in config.sources.values():
            found = self._index.resolve(src.category)
            if isinstance(found, str):
                bad.append((f'source "{src.name}": category {src.category!r}', found))
        if bad:
            raise FeedConfigError(config.path, bad)

    def _categories(self) -> CategoryIndex:
        book = self.store.reference().categories
        if book is not self._index.book:  # the service reloaded its reference data
            self._index = CategoryIndex(book)
        return self._index

    def check(self, raw: bytes) -> FeedMessage | Refusal:
        obj = decode(raw)
        if isinstance(obj, Refusal):
            return obj
        name = obj.get("source")
        if name is None or name == "":
            return Refusal("required", "source")
        if not isinstance(name, str):
            return Refusal("not_text", "source")
        src = self.config.sources.get(name)
        if src is None:
            return Refusal("unknown_source", "source")
        if not self.limiter.allow(name):
            return Refusal("rate_limited", "source")
        msg = validate(obj, src.kind, self.store.clock.now())
        if isinstance(msg, Refusal):
            return msg
        cat = self._categories().resolve(msg.category or src.category)
        if isinstance(cat, str):
            return Refusal(cat, "category")
        unit_id = None
        if msg.lon is not None and msg.lat is not None:
            org = self.store.reference().org
            if not org.contains_point(msg.lon, msg.lat):
                return Refusal("outside_county", "lon")
            unit_id = org.grid_index.locate((msg.lon, msg.lat))
        return replace(
            msg,
            category_node_id=cat.node_id,
            category_code=cat.code,
            unit_id=unit_id,
            request_type=src.request_type,
            urgency=src.urgency,
            auto_register=src.auto_register,
        )
