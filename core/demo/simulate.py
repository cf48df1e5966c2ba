"""Drives a year of orders through the real workflow, in time order.

Each step is a workflow action (core/workflow) applied at its simulated instant by the
user whose job it is; ``flush`` (core/storage/repo.py) writes the rows and events in
batches. Event ids therefore follow simulated time, exactly as live intake would.
"""

from __future__ import annotations

import heapq
import itertools
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from core.demo.clocks import MemoryIds, OfficeHours
from core.demo.county import DemoOrg
from core.demo.story import Story
from core.domain.actor import Actor
from core.domain.enums import OrderState
from core.errors import CoreError
from core.storage.db import write_tx
from core.storage.repo import flush
from core.workflow.context import Ctx, Reference
from core.workflow.model import Aggregate

log = logging.getLogger(__name__)
FINAL = {OrderState.CLOSED, OrderState.MERGED, OrderState.VOIDED, OrderState.TRANSFERRED}
Step = Callable[["Simulator", Aggregate | None, Any], None]


@dataclass
class SimResult:
    orders: int = 0
    events: int = 0
    steps: int = 0
    refused: Counter[str] | None = None


class Simulator:
    def __init__(
        self,
        engine: Engine,
        ref: Reference,
        org: DemoOrg,
        story: Story,
        end: datetime,
        progress: Callable[[float], None] | None = None,
        flush_every: int = 4000,
    ) -> None:
        self.engine, self.ref, self.org, self.story = engine, ref, org, story
        self.end = end
        self.rng = story.rng
        self.hours = OfficeHours(ref.calendar, ref.tz, self.rng)
        self.progress = progress
        self.flush_every = flush_every
        self._heap: list[tuple[datetime, int, Step, int | None, Any]] = []
        self._seq = itertools.count()
        self.aggs: dict[int, Aggregate] = {}
        self.touched: set[int] = set()
        self.scheduled_limits: set[int] = set()
        self.refused: Counter[str] = Counter()
        self.events = 0
        self.steps = 0
        with engine.connect() as conn:
            self.ids = MemoryIds(conn)

    # --- scheduling ----------------------------------------------------------------------

    def at(self, t: datetime, step: Step, agg: Aggregate | None, data: Any = None) -> None:
        t = max(t, self.now)  # nothing happens in the past (a mark already due fires now)
        if t <= self.end:
            heapq.heappush(self._heap, (t, next(self._seq), step, agg.id if agg else None, data))

    def later(
        self, agg: Aggregate, hours: float, step: Step, data: Any = None, anytime: bool = False
    ) -> None:
        self.at(self.hours.after(self.now, hours, anytime or self.urgent(agg)), step, agg, data)

    def urgent(self, agg: Aggregate) -> bool:
        return agg.order.urgency != "normal"

    def ctx(self, actor: Actor | None) -> Ctx:
        return Ctx(self.now, actor, self.ref, self.ids)

    def act(self, agg: Aggregate, actor: Actor | None, fn: Callable[..., Any], *args: Any) -> Any:
        """Apply one workflow action; a refusal is counted (and must not happen)."""
        try:
            out = fn(self.ctx(actor), agg, *args)
        except CoreError as exc:
            detail = exc.params.get("reason") or ",".join(
                str(e) for e in getattr(exc, "errors", ())
            )
            self.refused[f"{fn.__name__}:{exc.code}:{detail}"] += 1
            log.debug("refused %s on %s: %s", fn.__name__, agg.order.number, exc)
            return None
        self.touched.add(agg.id)
        self._schedule_marks(agg)
        return True if out is None else out  # None means refused

    def _schedule_marks(self, agg: Aggregate) -> None:
        """The service process writes 临期/超期 events when limits cross their marks.

        Only the warning is scheduled up front: most limits end before it.
        """
        for lim in agg.limits:
            if lim.open and lim.id not in self.scheduled_limits:
                self.scheduled_limits.add(lim.id)
                self.at(lim.warn_at + timedelta(minutes=1), _mark, agg, lim.id)

    # --- running ---------------------------------------------------------------------------

    def run(self, start: datetime) -> SimResult:
        self.now = start
        self.story.plan_arrivals(self, start, self.end)
        span = (self.end - start).total_seconds() or 1.0
        since_flush = 0
        while self._heap:
            t, _, step, oid, data = heapq.heappop(self._heap)
            self.now = t
            agg = self.aggs.get(oid) if oid is not None else None
            if oid is not None and agg is None:
                continue  # the order left memory (closed and flushed)
            step(self, agg, data)
            self.steps += 1
            since_flush += 1
            if since_flush >= self.flush_every:
                self.flush()
                since_flush = 0
                if self.progress:
                    self.progress(min(1.0, (t - start).total_seconds() / span))
        self.flush()
        return SimResult(self.story.registered, self.events, self.steps, self.refused)

    def adopt(self, agg: Aggregate) -> None:
        self.aggs[agg.id] = agg
        self.touched.add(agg.id)
        self._schedule_marks(agg)

    def flush(self) -> None:
        if not self.touched:
            return
        batch = [self.aggs[i] for i in self.touched if i in self.aggs]
        with write_tx(self.engine) as conn:
            self.ids.write_back(conn)
            self.events += len(flush(conn, batch))
        self.touched.clear()
        for agg in batch:
            if (agg.state in FINAL and agg.state != OrderState.CLOSED) or self._settled(agg):
                self.story.forget(agg)
                del self.aggs[agg.id]

    def _settled(self, agg: Aggregate) -> bool:
        """Closed long enough ago that no reopen can come: free the memory."""
        closed = agg.order.closed_at
        return (
            agg.state == OrderState.CLOSED
            and closed is not None
            and self.now - closed > timedelta(days=3)
        )


def _mark(sim: Simulator, agg: Aggregate | None, limit_id: int) -> None:
    from core.workflow.timing import mark_conditions

    assert agg is not None
    lim = next((x for x in agg.limits if x.id == limit_id), None)
    if lim is None or not lim.open:
        return
    if mark_conditions(agg, sim.ctx(None)):
        sim.touched.add(agg.id)
    if not lim.overdue_marked:  # not due yet, paused, or moved by a pause or an extension
        # always strictly later, so the loop moves on; a paused limit is looked at twice a day
        soonest = sim.now + (timedelta(hours=12) if lim.paused_at else timedelta(minutes=1))
        sim.at(max(lim.due_at + timedelta(minutes=1), soonest), _mark, agg, limit_id)
