"""The live event stream: every committed event, in id order, to whoever subscribes.

Event ids follow commit order with no gaps (``core.storage.ids``), so a subscriber that
has delivered every id up to N needs only "the events after N" to be complete, after a
reconnect as after a quiet minute. A missing id means an event not yet committed or lost:
the reader delivers only the unbroken run of ids after the last one it delivered, waits
for a hole to fill, and reports it as lost (then steps over it) only if it stays open
for ``gap_timeout`` seconds.

Two ways to learn that there is something to read:
- PostgreSQL: ``LISTEN cc_events``. Migration 0005's trigger sends ``NOTIFY cc_events,
  '<newest id>'`` in the same transaction as the events, so the hint arrives at commit.
  It is a hint only; the listener reads by id range. It runs on its own connection in a
  dedicated thread with psycopg's synchronous ``notifies()`` (async psycopg cannot run
  on Windows' Proactor loop), and checks the counter between hints, which also tells a
  dead connection from a quiet county.
- SQLite: a poll of the ``events`` counter row (a primary-key lookup), every
  ``poll_interval`` seconds.

Both call the same reader, so both deliver the identical sequence. No Qt here: the
desktop hands the batches to the UI thread itself.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, Engine, select, text
from sqlalchemy.pool import NullPool

from core.storage.db import is_sqlite
from core.storage.schema import counters, events

log = logging.getLogger(__name__)

CHANNEL = "cc_events"
HIDDEN = "hidden"  # an event the subscriber's role may not see: its id only
BATCH = 2000
BACKOFF = (0.2, 0.5, 1.0, 2.0, 5.0)  # seconds between reconnect attempts, then the last


@dataclass(frozen=True)
class StreamEvent:
    """What a screen needs to know about an event: which order, what kind, by whom."""

    id: int
    order_id: int | None
    order_version: int | None
    kind: str
    at: datetime
    actor_user_id: int | None
    from_state: str | None
    to_state: str | None


class LinkState(StrEnum):
    CONNECTING = "connecting"
    LIVE = "live"  # connected and caught up
    DOWN = "down"  # the database cannot be reached; retrying


@dataclass(frozen=True)
class Link:
    """The subscription's health, reported whenever it changes and at each confirmation."""

    state: LinkState
    confirmed_at: datetime | None  # the last moment the database answered (UTC)
    error: str | None = None
    retry_in: float | None = None
    delivered: int = 0  # the newest event id delivered so far


_COLUMNS = (
    events.c.id,
    events.c.order_id,
    events.c.order_version,
    events.c.kind,
    events.c.at,
    events.c.actor_user_id,
    events.c.from_state,
    events.c.to_state,
)


def newest_id(conn: Connection) -> int:
    """The newest committed event id (the counter row; one primary-key lookup)."""
    value = conn.execute(select(counters.c.value).where(counters.c.name == "events")).scalar()
    return int(value or 0)


def read_after(
    conn: Connection, after: int, limit: int = BATCH, *, restricted: bool = False
) -> list[StreamEvent]:
    """Up to ``limit`` committed events with ids above ``after``, in id order.

    ``restricted``: the connection's role is under row-level security (PostgreSQL), so
    other towns' events are invisible to it and their ids look like holes. The events
    counter tells them apart from uncommitted ones: it is raised in the transaction that
    writes the events and stays locked until that commits, so every id up to its committed
    value has committed. Ids up to it that the role cannot read come back as ``HIDDEN``
    events, which the subscription steps over.
    """
    if not restricted:
        rows = conn.execute(
            select(*_COLUMNS).where(events.c.id > after).order_by(events.c.id).limit(limit)
        )
        return [StreamEvent(*r) for r in rows]
    upto = min(newest_id(conn), after + limit)
    if upto <= after:
        return []
    rows = conn.execute(
        select(*_COLUMNS).where(events.c.id > after, events.c.id <= upto).order_by(events.c.id)
    )
    found = {r.id: StreamEvent(*r) for r in rows}
    epoch = datetime.fromtimestamp(0, UTC)
    return [
        found.get(i) or StreamEvent(i, None, None, HIDDEN, epoch, None, None, None)
        for i in range(after + 1, upto + 1)
    ]


def is_restricted(conn: Connection) -> bool:
    """Does row-level security filter the events this connection reads?"""
    if conn.dialect.name != "postgresql":
        return False
    return bool(conn.execute(text("SELECT row_security_active('events')")).scalar())


class GapTracker:
    """Deliver only unbroken runs of ids; step over a hole that stays open too long."""

    def __init__(self, gap_timeout: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.gap_timeout = gap_timeout
        self._clock = clock
        self._hole: tuple[int, float] | None = None  # (missing id, first seen)
        self.lost: list[int] = []

    def take(self, after: int, batch: Sequence[StreamEvent]) -> tuple[list[StreamEvent], bool]:
        """The run of ``batch`` that continues from ``after``; True when a hole stops it."""
        run: list[StreamEvent] = []
        expect = after + 1
        for ev in batch:
            if ev.id != expect:
                if self._step_over(expect, ev.id):
                    expect = ev.id
                else:
                    return run, True
            run.append(ev)
            expect += 1
        self._hole = None
        return run, False

    def _step_over(self, missing: int, next_present: int) -> bool:
        now = self._clock()
        if self._hole is None or self._hole[0] != missing:
            self._hole = (missing, now)
            return False
        if now - self._hole[1] < self.gap_timeout:
            return False
        log.error(
            "events %d to %d were not committed within %.0f s: reported lost",
            missing,
            next_present - 1,
            self.gap_timeout,
        )
        self.lost.extend(range(missing, next_present))
        self._hole = None
        return True


Deliver = Callable[[list[StreamEvent]], None]
Report = Callable[[Link], None]


class Subscription:
    """Every event after ``after``, in order, delivered to ``deliver`` from the thread that
    calls ``run``; health reported to ``report``. ``stop()`` ends ``run`` promptly."""

    def __init__(
        self,
        url: str,
        after: int,
        deliver: Deliver,
        report: Report | None = None,
        *,
        poll_interval: float = 0.2,
        confirm_interval: float = 1.0,
        gap_timeout: float = 30.0,
        engine_kw: dict[str, Any] | None = None,
    ) -> None:
        self.url = url
        self.delivered = after
        self._deliver = deliver
        self._report = report or (lambda link: None)
        self.poll_interval = poll_interval
        self.confirm_interval = confirm_interval
        self.gaps = GapTracker(gap_timeout)
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._engine_kw = engine_kw or {}
        self._state = LinkState.CONNECTING
        self._confirmed: datetime | None = None
        self._reported_at = 0.0
        self._attempt = 0  # failed connections in a row: the backoff step
        self.reconnects = 0
        self._dbapi: Any = None  # the PostgreSQL listener's psycopg connection

    # --- control ---------------------------------------------------------------------------

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    def wake(self) -> None:
        """Read now (after a local write, say) instead of at the next hint or poll."""
        self._wake.set()

    @property
    def backend_pid(self) -> int | None:
        """The PostgreSQL listener connection's server process, while connected."""
        return int(self._dbapi.info.backend_pid) if self._dbapi is not None else None

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def start_thread(self, name: str = "event-stream") -> threading.Thread:
        thread = threading.Thread(target=self.run, name=name, daemon=True)
        thread.start()
        return thread

    # --- the loop --------------------------------------------------------------------------

    def run(self) -> None:
        from core.storage.db import create_db_engine

        engine = create_db_engine(self.url, poolclass=NullPool, **self._engine_kw)
        try:
            while not self._stop.is_set():
                try:
                    if is_sqlite(engine):
                        self._poll_sqlite(engine)
                    else:
                        self._listen_postgres(engine)
                except Exception as exc:  # the link broke: back off, reconnect, catch up
                    if self._stop.is_set():
                        break
                    delay = BACKOFF[min(self._attempt, len(BACKOFF) - 1)]
                    self._attempt += 1
                    self.reconnects += 1
                    log.warning("event stream lost (%s); retrying in %.1f s", exc, delay)
                    self._set(LinkState.DOWN, error=_describe(exc), retry_in=delay)
                    self._stop.wait(delay)
        finally:
            engine.dispose()

    def _catch_up(self, conn: Connection, restricted: bool = False) -> None:
        while not self._stop.is_set():
            batch = read_after(conn, self.delivered, restricted=restricted)
            self._confirm()
            run, blocked = self.gaps.take(self.delivered, batch)
            if run:
                self.delivered = run[-1].id
                shown = [ev for ev in run if ev.kind != HIDDEN]
                if shown:
                    self._deliver(shown)
            if blocked or len(batch) < BATCH:
                return

    def _poll_sqlite(self, engine: Engine) -> None:
        while not self._stop.is_set():
            with engine.connect() as conn, conn.begin():
                if newest_id(conn) > self.delivered:
                    self._catch_up(conn)
                else:
                    self._confirm()
            self._wake.wait(self.poll_interval)
            self._wake.clear()

    def _listen_postgres(self, engine: Engine) -> None:
        try:
            self._listen_on(engine)
        finally:
            self._dbapi = None

    def _listen_on(self, engine: Engine) -> None:
        with engine.connect() as conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            dbapi = conn.connection.driver_connection
            assert dbapi is not None
            self._dbapi = dbapi
            conn.exec_driver_sql(f"LISTEN {CHANNEL}")
            restricted = is_restricted(conn)
            self._catch_up(conn, restricted)  # whatever happened while we were away
            while not self._stop.is_set():
                hinted = False
                for _ in dbapi.notifies(timeout=self.confirm_interval, stop_after=1):
                    hinted = True
                if self._stop.is_set():
                    return
                self._wake.clear()
                # After a hint, read; otherwise a counter lookup proves the link is alive.
                if hinted or newest_id(conn) > self.delivered:
                    self._catch_up(conn, restricted)
                else:
                    self._confirm()

    # --- health ----------------------------------------------------------------------------

    def _confirm(self) -> None:
        """The database answered. Reported on a change of state and then once a second."""
        self._confirmed = datetime.now(UTC)
        self._attempt = 0  # the next outage starts its backoff afresh
        due = time.monotonic() - self._reported_at >= self.confirm_interval
        if self._state is not LinkState.LIVE or due:
            self._set(LinkState.LIVE)

    def _set(
        self, state: LinkState, error: str | None = None, retry_in: float | None = None
    ) -> None:
        self._state = state
        self._reported_at = time.monotonic()
        self._report(Link(state, self._confirmed, error, retry_in, self.delivered))

    @property
    def state(self) -> LinkState:
        return self._state


def _describe(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"
