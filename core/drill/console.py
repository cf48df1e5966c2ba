"""What the trainer's console (演练导调台) runs and reads, without Qt.

``DrillRun`` is one drill being fed: a scenario's injects (``InjectRunner``) or a real day
replayed (``ReplayRun``), behind one set of controls: ``step``, ``pause``, ``resume``,
``set_speed``, ``jump`` and ``stop``, and a ``status`` to show. The console steps it from
a timer on a thread of its own; tests step it after moving a ``ManualClock``. A run is
not thread-safe: one thread calls it.

``stop`` ends the drill for good (``core.drill.inject.stop_drill``): nothing fires after
it, here or in a ``drill run`` on another machine, and scores are taken as of that moment.

``arrivals`` lists the latest orders that came in from outside (replayed rows, injects,
imports) beside what the trainees did with each: the first dispatch, by whom, to which
unit, how many seconds after the order arrived. The scenario's own side by side is
``core.drill.scoring.score_drill``'s ``injects``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from core.domain.actor import Actor
from core.drill.inject import Fired, InjectRunner, stop_drill, stopped_at
from core.drill.replay import ReplayRun, load_replay, thin
from core.drill.scenario import Scenario, load_scenario, validate_against
from core.errors import CoreError
from core.imports.mapping import load_mapping
from core.imports.run import county_box
from core.service import OrderService
from core.storage.db import read_tx
from core.storage.schema import hops, orders, users
from core.store import Store

SCENARIO, REPLAY = "scenario", "replay"


@dataclass(frozen=True)
class Status:
    """Where a drill stands. ``reached`` is drill time since its start (a replay: since
    its first request); ``fired`` of ``total`` entries or rows are done; ``source_time``
    is the replayed day's time reached (None for a scenario)."""

    kind: str
    title: str
    speed: float
    paused: bool
    stopped_at: datetime | None
    finished: bool
    reached: timedelta
    span: timedelta
    fired: int
    total: int
    next_due: datetime | None
    source_time: datetime | None = None
    registered: int = 0
    already: int = 0
    refused: int = 0

    @property
    def running(self) -> bool:
        return self.stopped_at is None and not self.finished and not self.paused


class DrillRun:
    """One drill fed into ``store`` (a drill database: the runners refuse any other)."""

    def __init__(self, store: Store, runner: InjectRunner | ReplayRun, title: str) -> None:
        self.store, self.runner, self.title = store, runner, title
        self.kind = SCENARIO if isinstance(runner, InjectRunner) else REPLAY
        self._stopped = stopped_at(store)

    @classmethod
    def of_scenario(
        cls,
        store: Store,
        path: Path,
        actor: Actor,
        speed: float | None = None,
        keep_pace: bool = False,
    ) -> DrillRun:
        """A scenario file's run, checked against the county, at ``speed`` (default: the
        scenario's own). A drill that already has a pace (a restart, a second console)
        keeps it when ``keep_pace``: the trainer of the first console set it."""
        scenario = load_scenario(path)
        validate_against(scenario, store.reference())
        runner = InjectRunner(store, scenario, store.clock, actor)
        if not (keep_pace and runner.paced):
            runner.set_speed(speed if speed is not None else scenario.speed)
        return cls(store, runner, scenario.title)

    @classmethod
    def of_replay(
        cls,
        store: Store,
        csv: Path,
        mapping: Path,
        actor: Actor,
        speed: float = 60.0,
        thin_to: float | None = None,
    ) -> DrillRun:
        """A 311 export replayed through ``mapping``, thinned to about ``thin_to``
        requests a day when given."""
        read = load_mapping(mapping, str(store.reference().tz))
        replay = load_replay(csv, read, county=county_box(OrderService(store)))
        if thin_to:
            replay = thin(replay, target_per_day=thin_to)
        return cls(store, ReplayRun(store, actor, replay, store.clock, speed=speed), csv.name)

    @property
    def scenario(self) -> Scenario | None:
        return self.runner.scenario if isinstance(self.runner, InjectRunner) else None

    # --- controls ---------------------------------------------------------------------------

    def step(self) -> list[Fired] | int:
        """Fire or register what is due now; nothing once stopped (here, or by another
        console or runner on the same drill: a scenario's runner checks on each step, a
        replay's is checked here)."""
        if self._stopped is None and isinstance(self.runner, ReplayRun):
            self._stopped = stopped_at(self.store)
            if self._stopped is not None:
                self.runner.pause()
        if self._stopped is not None:
            return []
        return self.runner.step()

    def pause(self) -> None:
        self.runner.pause()

    def resume(self) -> None:
        self.runner.resume()

    def set_speed(self, speed: float) -> None:
        self.runner.set_speed(speed)

    def jump(self, to: timedelta) -> None:
        """Drill time forward to ``to`` (a quiet stretch skipped), firing what falls due."""
        if self._stopped is not None:
            raise CoreError("drill_stopped", at=self._stopped.isoformat())
        self.runner.jump(to)

    def skip_quiet(self) -> None:
        """Jump to the next entry or row due (nothing when none is left)."""
        r = self.runner
        if isinstance(r, InjectRunner):
            pending = r.pending
            if pending:
                self.jump(max(pending[0].at, r.offset()))
        elif not r.done:
            self.jump(max(r.next_offset, r.progress.offset))

    def stop(self) -> datetime:
        """End the drill for good; returns the stop time (the first stop stands)."""
        if isinstance(self.runner, InjectRunner):
            self._stopped = self.runner.stop()
        else:
            self.runner.pause()  # replay time ends with the drill
            self._stopped = stop_drill(self.store, self.store.clock.now())
        return self._stopped

    def status(self) -> Status:
        r = self.runner
        if isinstance(r, InjectRunner):
            scenario = r.scenario
            return Status(
                kind=SCENARIO,
                title=self.title,
                speed=r.speed,
                paused=r.paused,
                stopped_at=self._stopped or r.stopped_at,
                finished=not r.pending,
                reached=min(r.offset(self._stopped), scenario.duration),
                span=scenario.duration,
                fired=len(r.done),
                total=len(scenario.entries()),
                next_due=None if self._stopped else r.next_due(),
            )
        p = r.progress
        return Status(
            kind=REPLAY,
            title=self.title,
            speed=p.speed,
            paused=p.paused,
            stopped_at=self._stopped,
            finished=r.done,
            reached=p.offset,
            span=r.replay.span,
            fired=p.done,
            total=p.total,
            next_due=None if self._stopped else r.next_due_at(),
            source_time=p.reached,
            registered=p.registered,
            already=p.already,
            refused=p.refused,
        )


@dataclass(frozen=True)
class Arrival:
    """An order from outside beside what the trainees did with it: its first dispatch
    (None: not dispatched yet), by whom, to which unit, seconds after it arrived."""

    order_id: int
    number: str
    source: str
    external_ref: str
    registered_at: datetime
    title: str
    category: str
    state: str
    dispatched_at: datetime | None = None
    dispatched_by: str | None = None
    unit: str | None = None
    level: int | None = None
    seconds: float | None = None


def arrivals(store: Store, limit: int = 200) -> list[Arrival]:
    """The latest ``limit`` orders registered from outside (``external_source`` set), the
    newest first, with their first dispatch."""
    ref = store.reference()
    with read_tx(store.engine) as conn:
        rows = list(
            conn.execute(
                select(orders)
                .where(orders.c.external_source.is_not(None))
                .order_by(orders.c.registered_at.desc(), orders.c.id.desc())
                .limit(limit)
            )
        )
        ids = [r.id for r in rows]
        first: dict[int, Any] = {}
        if ids:
            q = (
                select(hops.c.order_id, hops.c.dispatched_at, hops.c.receiver_unit_id)
                .add_columns(users.c.display_name)
                .join(users, users.c.id == hops.c.dispatched_by)
                .where(hops.c.order_id.in_(ids))
                .order_by(hops.c.dispatched_at, hops.c.id)
            )
            for hop in conn.execute(q):
                first.setdefault(hop.order_id, hop)
    out = []
    for r in rows:
        node = ref.categories.get(r.category_node_id)
        h = first.get(r.id)
        unit = ref.org.find(h.receiver_unit_id) if h is not None else None
        out.append(
            Arrival(
                order_id=r.id,
                number=r.number,
                source=r.external_source,
                external_ref=r.external_ref or "",
                registered_at=r.registered_at,
                title=r.title,
                category=node.name if node is not None else r.category_node_id,
                state=r.state,
                dispatched_at=h.dispatched_at if h is not None else None,
                dispatched_by=h.display_name if h is not None else None,
                unit=unit.name if unit is not None else None,
                level=unit.level if unit is not None else None,
                seconds=None if h is None else (h.dispatched_at - r.registered_at).total_seconds(),
            )
        )
    return out
