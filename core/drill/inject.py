"""A scenario's injects and situations, fired on the drill's clock.

``InjectRunner.step()`` fires everything whose offset has come by ``clock.now()``; the
caller steps it (from a timer, or a test after moving a ``ManualClock``): nothing here
sleeps or reads the wall clock. What arrives goes in by the real paths, so trainees meet
it where they would meet the real thing:

- a call, a grid patrol report or a 12345 hand-down is registered as an order by
  ``OrderService.register`` (validated, located, its time limits started, in the
  dispatch queue), with ``external_source = "drill"`` and ``external_ref`` = the inject
  id: scoring matches orders to injects by that key, and the key being unique means an
  inject never becomes two orders;
- an IoT or video alert becomes a pending (待确认) item of the feed inbox
  (``core.feeds.inbox.Inbox``), source "drill" and source id = the inject id; confirming
  it registers an order under the same key;
- a situation is an order-less ``drill_situation`` event (``write_notice``).

Each fired inject also writes a ``drill_inject`` event naming its order or feed item (or
the intake's refusal: a refused inject is spent, not retried).

**What was fired is remembered** in the drill database's ``settings`` table, key
``drill_fired``::

    {"scenario": "flood_night", "start": "2025-03-03T01:00:00+00:00",
     "fired": {"rain-01": "2025-03-03T01:05:00+00:00", …}}

The start is written when the first runner is made; a later runner (a restart) reads it
back and keeps the drill's timetable. Each mark is written under a lock on that row, in
the same transaction as the inject's event, so of two runners only one fires a
situation. An order or feed item whose mark was lost (a crash between the two
transactions) is found again by its key, never registered twice.

**Pace.** The trainer's console pauses, resumes, jumps and changes speed; the ledger keeps
that as ``"pace": {"at": ISO, "offset": seconds, "speed": s, "paused": bool}``: drill time
is ``offset`` at ``at`` and runs ``speed`` times the clock from there (frozen when paused),
and an entry falls due once drill time reaches its offset. Without a pace (a fresh drill)
drill time is the clock's time since the start at 1x. Speed compresses arrivals, never the
time trainees have: ``within`` is counted on the clock from the moment an inject fired.
Every runner re-reads the pace on each step, so a console and a ``drill run`` agree.
``stop`` ends the drill for good (key ``drill_stopped``): nothing fires after it, and
scores are taken as of that moment.

A runner refuses a database that is not a drill's (``core.drill.database.require_drill``):
injects are invented calls and must never reach a live county.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from core.addresses import normalize
from core.clock import Clock
from core.domain.actor import Actor
from core.domain.events import EventKind
from core.drill.database import require_drill
from core.drill.scenario import ALERT_KINDS, Entry, Inject, Scenario, Situation
from core.errors import CoreError, FieldError, ValidationError
from core.feeds.inbox import Inbox
from core.feeds.message import FeedMessage
from core.service import OrderService
from core.storage.db import read_tx, write_tx
from core.storage.repo import write_notice
from core.storage.schema import orders, settings, std_addresses
from core.store import Store
from core.workflow.context import Reference
from core.workflow.intake import OrderDraft

log = logging.getLogger("core.drill")
DRILL_SOURCE = "drill"
FIRED_KEY = "drill_fired"
STOPPED_KEY = "drill_stopped"
MIN_SPEED, MAX_SPEED = 1.0, 600.0  # 600x is for load tests


@dataclass(frozen=True)
class Fired:
    """One inject or situation fired by a step: ``due`` its scripted moment, ``at`` the
    clock's time when it fired; its order, feed item or the intake's refusal code; and
    its ``drill_inject``/``drill_situation`` event."""

    id: str
    kind: str
    due: datetime
    at: datetime
    event_id: int
    order_id: int | None = None
    order_number: str | None = None
    feed_item: int | None = None
    refused: str | None = None
    problems: tuple[str, ...] = ()


class InjectRunner:
    """Fires ``scenario`` into ``store`` as ``actor`` (centre intake staff: the injected
    orders are registered in their name). ``clock`` should be the store's: orders take
    their times from it. ``start`` is the drill's start (now when omitted); a runner on a
    database where this drill already began keeps the stored start."""

    def __init__(
        self,
        store: Store,
        scenario: Scenario,
        clock: Clock,
        actor: Actor,
        start: datetime | None = None,
    ) -> None:
        require_drill(store)
        self.store, self.scenario, self.clock, self.actor = store, scenario, clock, actor
        self.service = OrderService(store)
        self._entries = scenario.entries()
        self.start, self._fired = self._begin(start)
        self._pace: dict[str, Any] = {}
        self.stopped_at: datetime | None = None
        self._reload()

    # --- what is left --------------------------------------------------------------------

    @property
    def pending(self) -> list[Entry]:
        """Not fired yet, in firing order (as of the last step)."""
        return [e for e in self._entries if e.id not in self._fired]

    @property
    def done(self) -> list[Entry]:
        """Fired already, by this runner or an earlier one (as of the last step)."""
        return [e for e in self._entries if e.id in self._fired]

    def due(self, entry: Entry) -> datetime:
        """The clock's moment ``entry`` falls due at the current pace (a paused drill: as
        if it went on now)."""
        now = self.clock.now()
        return now + (entry.at - self.offset(now)) / self.speed

    def next_due(self) -> datetime | None:
        """When the next pending entry falls due; None when all have fired, when paused
        and when stopped."""
        pending = self.pending
        if not pending or self.paused or self.stopped_at is not None:
            return None
        return self.due(pending[0])

    # --- pace ----------------------------------------------------------------------------

    @property
    def speed(self) -> float:
        return float(self._pace.get("speed", 1.0))

    @property
    def paused(self) -> bool:
        return bool(self._pace.get("paused", False))

    @property
    def paced(self) -> bool:
        """Whether a pace was set in this drill (by a console or a ``drill run``)."""
        return bool(self._pace)

    def offset(self, now: datetime | None = None) -> timedelta:
        """Drill time reached at ``now`` (default the clock's): the scenario's offsets
        fall due against it."""
        return _drill_time(self._pace, self.start, now or self.clock.now())

    def set_speed(self, speed: float) -> None:
        """From now on ``speed`` times the clock (1 to 600); drill time reached is kept."""
        if not isinstance(speed, int | float) or not MIN_SPEED <= speed <= MAX_SPEED:
            raise CoreError("speed_out_of_range", speed=speed, min=MIN_SPEED, max=MAX_SPEED)
        self._repace(speed=float(speed))

    def pause(self) -> None:
        """Freeze drill time: nothing falls due until ``resume``. Idempotent."""
        self._repace(paused=True)

    def resume(self) -> None:
        """Go on from where ``pause`` froze drill time. Idempotent."""
        self._repace(paused=False)

    def jump(self, to: timedelta) -> list[Fired]:
        """Move drill time forward to ``to`` (skipping a quiet stretch) and fire what is
        due by then; a paused drill stays paused, at the new place."""
        if to < self.offset():
            raise CoreError("jump_backwards", to=str(to), reached=str(self.offset()))
        self._repace(offset=to)
        return self.step(fire_paused=True)

    def stop(self) -> datetime:
        """End the drill for good: nothing fires after this (here or in any other runner)
        and scores are taken as of this moment. Returns the stop time (the first one)."""
        stopped = stop_drill(self.store, self.clock.now())
        self.stopped_at = stopped
        return stopped

    def _repace(self, **change: Any) -> None:
        now = self.clock.now()
        with write_tx(self.store.engine) as conn:
            ledger = _ledger(conn, lock=True)
            pace = dict(ledger.get("pace") or {})
            reached = change.pop("offset", None)
            if reached is None:
                reached = _drill_time(pace, self.start, now)
            pace |= {"speed": float(pace.get("speed", 1.0)), "paused": bool(pace.get("paused"))}
            pace |= change | {"at": now.isoformat(), "offset": reached.total_seconds()}
            ledger["pace"] = pace
            conn.execute(update(settings).where(settings.c.key == FIRED_KEY).values(value=ledger))
        self._pace = pace

    def _reload(self) -> None:
        with read_tx(self.store.engine) as conn:
            ledger = _ledger(conn)
            self._fired = dict(ledger["fired"])
            self._pace = dict(ledger.get("pace") or {})
            self.stopped_at = _stopped(conn)

    # --- firing --------------------------------------------------------------------------

    def step(self, fire_paused: bool = False) -> list[Fired]:
        """Fire every entry due by drill time now that no runner has fired yet; nothing
        while paused (unless a jump asks) or once stopped."""
        now = self.clock.now()
        self._reload()
        if self.stopped_at is not None or (self.paused and not fire_paused):
            return []
        reached = self.offset(now)
        out: list[Fired] = []
        for entry in self._entries:
            if entry.id in self._fired or entry.at > reached:
                continue
            fired = self._fire(entry, now)
            if fired is not None:
                out.append(fired)
        return out

    def _fire(self, entry: Entry, now: datetime) -> Fired | None:
        if isinstance(entry, Situation):
            return self._mark(entry, now, {})
        try:
            if entry.is_alert:
                found: dict[str, Any] = {"feed_item": self._alert(entry)}
            else:
                order_id, number = self._order(entry, now)
                found = {"order_id": order_id, "order_number": number}
        except CoreError as exc:
            if exc.code == "store_unavailable":
                raise
            problems = [str(e) for e in exc.errors] if isinstance(exc, ValidationError) else []
            log.warning("drill inject %s refused: %s", entry.id, exc)
            found = {"refused": exc.code, "problems": tuple(problems)}
        return self._mark(entry, now, found)

    def _order(self, inject: Inject, now: datetime) -> tuple[int, str]:
        known = _order_of(self.store, inject.id)
        if known is not None:
            return known
        placed = _standard_address(self.store, inject)
        draft = order_draft(inject, self.store.reference(), now, placed)
        try:
            result = self.service.register(self.actor, draft)
        except IntegrityError:  # another runner registered it meanwhile
            known = _order_of(self.store, inject.id)
            if known is None:
                raise
            return known
        return int(result.order_id), str(result.value)

    def _alert(self, inject: Inject) -> int:
        occurred = min(self.due(inject), self.clock.now())
        message = alert_message(inject, self.store.reference(), occurred)
        got = Inbox(self.store).receive([message])[0]
        if got.error is not None or got.item_id is None:
            raise CoreError(got.error or "store_failed", inject=inject.id)
        return got.item_id

    def _mark(self, entry: Entry, now: datetime, found: dict[str, Any]) -> Fired | None:
        """The entry's event and its mark in the ledger, in one transaction; None when
        another runner marked it first."""
        situation = isinstance(entry, Situation)
        with write_tx(self.store.engine) as conn:
            ledger = _ledger(conn, lock=True)
            if entry.id in ledger["fired"]:
                self._fired = dict(ledger["fired"])
                return None
            payload: dict[str, Any] = {
                "situation" if situation else "inject": entry.id,
                "kind": entry.kind,
                "scenario": self.scenario.id,
                "offset": int(entry.at.total_seconds()),
                "due": min(self.due(entry), now).isoformat(),
            }
            if isinstance(entry, Situation):
                unit = self.store.reference().org.by_code(entry.unit) if entry.unit else None
                payload |= {"unit": entry.unit, "unit_id": unit.id if unit else None}
                payload["text"] = entry.text
            else:
                payload |= {"order_id": None, "order_number": None, "feed_item": None}
                payload |= {k: list(v) if isinstance(v, tuple) else v for k, v in found.items()}
            event_id = write_notice(
                conn,
                EventKind.DRILL_SITUATION if situation else EventKind.DRILL_INJECT,
                now,
                payload,
                actor_user_id=self.actor.user_id,
                actor_unit_id=self.actor.unit_id,
            )
            ledger["fired"][entry.id] = now.isoformat()
            conn.execute(update(settings).where(settings.c.key == FIRED_KEY).values(value=ledger))
        self._fired = dict(ledger["fired"])
        return Fired(entry.id, entry.kind, min(self.due(entry), now), now, event_id, **found)

    # --- the ledger ----------------------------------------------------------------------

    def _begin(self, start: datetime | None) -> tuple[datetime, dict[str, str]]:
        with write_tx(self.store.engine) as conn:
            fresh = {
                "scenario": self.scenario.id,
                "start": (start or self.clock.now()).isoformat(),
                "fired": {},
            }
            ins = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
            conn.execute(ins(settings).values(key=FIRED_KEY, value=fresh).on_conflict_do_nothing())
            ledger = _ledger(conn, lock=True)
        if ledger["scenario"] != self.scenario.id:
            raise CoreError(
                "drill_scenario_mismatch", stored=ledger["scenario"], scenario=self.scenario.id
            )
        began = datetime.fromisoformat(ledger["start"])
        if start is not None and began != start:
            raise CoreError("drill_already_started", start=ledger["start"])
        return began, dict(ledger["fired"])


def _drill_time(pace: dict[str, Any], start: datetime, now: datetime) -> timedelta:
    """Drill time at ``now`` under ``pace`` (see the module docstring)."""
    if "at" not in pace:
        return now - start
    reached = timedelta(seconds=float(pace["offset"]))
    if pace.get("paused"):
        return reached
    return reached + (now - datetime.fromisoformat(pace["at"])) * float(pace["speed"])


def _stopped(conn: Connection) -> datetime | None:
    value = conn.execute(select(settings.c.value).where(settings.c.key == STOPPED_KEY)).scalar()
    return datetime.fromisoformat(value["at"]) if isinstance(value, dict) else None


def stopped_at(store: Store) -> datetime | None:
    """When the drill in ``store`` was stopped (its scores are as of then); None if not."""
    with read_tx(store.engine) as conn:
        return _stopped(conn)


def ledger_scenario(store: Store) -> str | None:
    """The id of the scenario the drill in ``store`` began (None: none)."""
    with read_tx(store.engine) as conn:
        began = _ledger(conn)["scenario"]
    return str(began) if began else None


def fired_times(store: Store) -> dict[str, datetime]:
    """When each scripted entry of the drill in ``store`` fired, by entry id."""
    with read_tx(store.engine) as conn:
        fired = _ledger(conn)["fired"]
    return {k: datetime.fromisoformat(v) for k, v in fired.items()}


def stop_drill(store: Store, at: datetime) -> datetime:
    """Mark the drill in ``store`` stopped at ``at`` (a replay's stop; a scenario's runner
    has ``stop``); the first stop stands. Returns the stop time."""
    require_drill(store)
    with write_tx(store.engine) as conn:
        stopped = _stopped(conn)
        if stopped is not None:
            return stopped
        ins = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
        conn.execute(
            ins(settings)
            .values(key=STOPPED_KEY, value={"at": at.isoformat()})
            .on_conflict_do_nothing()
        )
    return at


def _ledger(conn: Connection, lock: bool = False) -> dict[str, Any]:
    q = select(settings.c.value).where(settings.c.key == FIRED_KEY)
    value = conn.execute(q.with_for_update() if lock else q).scalar()
    if not isinstance(value, dict):
        return {"scenario": None, "start": None, "fired": {}}
    return value


def _standard_address(store: Store, inject: Inject) -> int | None:
    """The unit of an inject placed by address alone, when it is a standard address
    (matched exactly, as intake's address box and the feed inbox match it)."""
    if inject.address is None or inject.grid is not None or inject.lon is not None:
        return None
    a = std_addresses
    q = select(a.c.unit_id).where(a.c.normalized == normalize(inject.address)).limit(1)
    with read_tx(store.engine) as conn:
        return conn.execute(q).scalar()


def _order_of(store: Store, inject_id: str) -> tuple[int, str] | None:
    o = orders
    q = select(o.c.id, o.c.number).where(
        o.c.external_source == DRILL_SOURCE, o.c.external_ref == inject_id
    )
    with read_tx(store.engine) as conn:
        row = conn.execute(q).first()
    return (int(row.id), str(row.number)) if row is not None else None


# --- what an inject becomes --------------------------------------------------------------


def _unit_id(ref: Reference, code: str | None) -> int | None:
    if code is None:
        return None
    unit = ref.org.by_code(code)
    if unit is None:
        raise ValidationError([FieldError("grid", "unknown_unit", {"value": code})])
    return unit.id


def order_draft(
    inject: Inject, ref: Reference, now: datetime, placed: int | None = None
) -> OrderDraft:
    """The order a call, patrol report or hand-down becomes, keyed (drill, inject id);
    ``placed``: the unit its standard address names."""
    from core.feeds.screen import CategoryIndex

    cat = CategoryIndex(ref.categories).resolve(inject.category)
    parties = [
        {k: v for k, v in (("name", p.name), ("role", p.role), ("phone", p.phone)) if v}
        for p in inject.parties
    ]
    return OrderDraft(
        channel=inject.channel,
        request_type=inject.request_type,
        category_node_id=cat.node_id if not isinstance(cat, str) else inject.category,
        description=inject.description,
        title=inject.title,
        caller_name=inject.caller,
        phone=inject.phone,
        anonymous=inject.anonymous,
        confidential=inject.confidential,
        urgency=inject.urgency,
        address=inject.address,
        lon=inject.lon,
        lat=inject.lat,
        coord_system="gcj02" if inject.gcj02 else "wgs84",
        location_unit_id=_unit_id(ref, inject.grid) if placed is None else placed,
        dispute_type=inject.dispute_type,
        risk_grade=inject.risk_grade,
        parties=parties or None,
        leader_responsible=inject.leader,
        external_ref=inject.id,
        external_source=DRILL_SOURCE,
        upstream_due=now + timedelta(hours=inject.due_hours) if inject.due_hours else None,
    )


def alert_message(inject: Inject, ref: Reference, occurred: datetime) -> FeedMessage:
    """The feed message an IoT or video alert becomes, screened as core.feeds.screen
    would screen it (category resolved, point located), from the source "drill"."""
    from core.feeds.screen import CategoryIndex
    from core.geo import gcj02_to_wgs84

    cat = CategoryIndex(ref.categories).resolve(inject.category)
    if isinstance(cat, str):
        raise ValidationError([FieldError("category", cat, {"value": inject.category})])
    lon, lat, sent = inject.lon, inject.lat, None
    unit_id = _unit_id(ref, inject.grid)
    if lon is not None and lat is not None:
        if inject.gcj02:
            sent = (lon, lat)
            lon, lat = gcj02_to_wgs84(lon, lat)
        if not ref.org.contains_point(lon, lat):
            raise ValidationError([FieldError("lon", "outside_county", {"value": [lon, lat]})])
        unit_id = ref.org.grid_index.locate((lon, lat))
    first = inject.description.splitlines()[0].strip()
    return FeedMessage(
        source=DRILL_SOURCE,
        source_id=inject.id,
        kind=ALERT_KINDS[inject.kind],
        occurred_at=occurred,
        title=inject.title or (first if len(first) <= 40 else first[:39] + "…"),
        description=inject.description,
        lon=lon,
        lat=lat,
        address=inject.address,
        category=inject.category,
        gcj02=inject.gcj02,
        sent_lonlat=sent,
        extra={"device": inject.device} if inject.device else {},
        category_node_id=cat.node_id,
        category_code=cat.code,
        unit_id=unit_id,
        request_type=inject.request_type,
        urgency=inject.urgency,
    )
