"""Replaying a real day of requests (a 311 export) into a drill database at N× speed.

A trainer picks an export and a mapping (resources/imports/nyc311.toml, la311.toml), thins
it to the county's rate, and lets it run: the requests arrive in their real rhythm, squeezed
by the speed, and go in through the import path (``core.imports.run.import_drafts``: the
source's id de-duplication, placement by standard address, ``OrderService.register_bulk``).
Nothing here writes SQL of its own, sleeps or reads the wall clock.

Decisions, so that screens and tests agree on them:

- **Timeline.** Replay time is the real time since the file's first request (the mapping's
  ``created`` column). Drill time ``start_at + offset / speed`` is when a row is due: at
  60× a real hour takes a drill minute. Time spent paused does not count; a speed change
  applies from the moment it is made (earlier progress is kept).
- **Registration time.** An order is registered at the store clock's time of the ``step()``
  that finds it due (``register_bulk`` stamps ``clock.now()``), so it can be up to one step
  late, never early; rows due in one step share that instant. Pass the store's clock as
  ``clock`` (a drill's ``ManualClock``, or the system clock), or the two will disagree.
- **Jump.** ``jump(offset)`` moves replay time forward and registers every row in between at
  once: a trainer skipping the quiet night still wants the morning's backlog on the desk.
  Jumping back is refused (orders already registered cannot be taken back).
- **Restart.** A row whose source id is already an order of the source (an earlier run, a
  crash mid-step) is skipped by the import path's ``external_source``/``external_ref``
  check, so a new ``ReplayRun`` over the same file registers nothing twice.
- **Unplaceable rows.** As in any import, a row without coordinates is registered under the
  centre (or placed by its standard address); a point outside the county's grids is refused
  by intake and listed in ``ReplayRun.refused`` with its row number.
- **Thinning** keeps the hourly shape: see ``thin``.

Not thread-safe: one run belongs to one worker (the background lane).
"""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from core.clock import Clock
from core.domain.actor import Actor
from core.errors import CoreError
from core.imports.mapping import Box, ImportMapping, RowDraft, RowProblem, convert
from core.imports.run import fewer_collections, import_drafts
from core.imports.tabular import DEFAULT_MAX_BYTES, read_table
from core.service import OrderService
from core.store import Store

MIN_SPEED = 1.0
MAX_SPEED = 600.0  # load tests; a trainee drill runs at a few times real time
DAY = timedelta(days=1)
MICROSECOND = timedelta(microseconds=1)


class ReplayError(CoreError):
    """A replay cannot start or cannot do what was asked; ``code`` and params say why."""

    code = "replay_refused"


@dataclass(frozen=True)
class Replay:
    """A mapped export, ready to run: each row with its real creation time, in time order."""

    source: str  # the mapping's source name: every order's ``external_source``
    file: str
    rows: tuple[RowDraft, ...]  # sorted by ``created`` (never None here), then row number
    refused: tuple[RowProblem, ...]  # rows the mapping could not read, by row number
    read: int  # data rows in the file
    tz: ZoneInfo  # the source's zone: hours are counted in it
    factor: float = 1.0  # thinned to about 1/factor of the mapped rows

    @property
    def first(self) -> datetime:
        return _created(self.rows[0])

    @property
    def last(self) -> datetime:
        return _created(self.rows[-1])

    @property
    def span(self) -> timedelta:
        """Real time from the first request to the last (zero for an empty replay)."""
        return self.last - self.first if self.rows else timedelta(0)

    def per_day(self) -> float:
        """Requests per day: rows over the span in whole days, at least one. An export of
        one day often spills a few hours past midnight (NYC's ends at 02:47 next day);
        rounding counts that as the one day it is."""
        days = max(1, round(self.span / DAY))
        return len(self.rows) / days


def _created(row: RowDraft) -> datetime:
    assert row.created is not None  # load_replay keeps only rows with a time
    return row.created


def load_replay(
    path: Path,
    mapping: ImportMapping,
    *,
    county: Box | None = None,
    encoding: str = "utf-8-sig",
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Replay:
    """Read and map ``path`` once. A row the mapping refuses, or one without a creation
    time, is reported (row number, field, code) and left out. ``county`` is the county's
    extent (``core.imports.run.county_box``), needed when the mapping's ``[place]`` moves
    points onto the county. A file that is not such an export is refused whole:
    ``FileRefused`` (``missing_columns`` names the columns it lacks, ``empty``, …), or
    ``ReplayError('nothing_to_replay')`` when no row maps."""
    if "created" not in mapping.columns:
        raise ReplayError("mapping_without_created", mapping=mapping.source)
    if mapping.place_to_county:
        if county is None:
            raise ReplayError("county_extent_needed", mapping=mapping.source)
        mapping = mapping.onto(county)
    with fewer_collections():
        sheet = read_table(path, mapping.needed(), encoding=encoding, max_bytes=max_bytes)
        converted = convert(sheet.rows, mapping)
    refused = list(converted.problems)
    timed: list[RowDraft] = []
    for d in converted.drafts:
        if d.created is None:
            refused.append(RowProblem(d.row, "created", "required"))
        else:
            timed.append(d)
    if not timed:
        raise ReplayError(
            "nothing_to_replay", file=str(path), rows=len(sheet.rows), refused=len(refused)
        )
    timed.sort(key=lambda d: (_created(d), d.row))
    return Replay(
        source=mapping.source,
        file=str(path),
        rows=tuple(timed),
        refused=tuple(sorted(refused, key=lambda p: p.row)),
        read=len(sheet.rows),
        tz=mapping.tz,
    )


# --- thinning ------------------------------------------------------------------------------


def _hour(at: datetime, tz: ZoneInfo) -> datetime:
    """The start of ``at``'s local hour, as a UTC instant (the two 01:00 hours of a
    daylight-saving autumn night stay apart)."""
    return at.astimezone(tz).replace(minute=0, second=0, microsecond=0).astimezone(UTC)


def per_hour(replay: Replay) -> dict[datetime, int]:
    """Requests per local hour of the source, every hour from the first to the last
    (empty ones as 0), keyed by the hour's start in the source's zone."""
    counts: dict[datetime, int] = {}
    if not replay.rows:
        return counts
    for row in replay.rows:
        key = _hour(_created(row), replay.tz)
        counts[key] = counts.get(key, 0) + 1
    out: dict[datetime, int] = {}
    hour, end = _hour(replay.first, replay.tz), _hour(replay.last, replay.tz)
    while hour <= end:
        out[hour.astimezone(replay.tz)] = counts.get(hour, 0)
        hour += timedelta(hours=1)
    return out


def thin(
    replay: Replay,
    factor: float | None = None,
    *,
    target_per_day: float | None = None,
    seed: int = 0,
) -> Replay:
    """About 1/``factor`` of the rows, or about ``target_per_day`` a day (a county's ~160
    against NYC's ~6,800: factor ≈ 42), keeping the hourly shape.

    Hour by hour (local hours of the source), in time order, an hour keeps
    ``round(rows so far / factor) - rows kept so far`` of its rows: the fractional remainder
    carries forward. A busy hour keeps count/factor rounded; a quiet hour with fewer rows
    than the factor keeps one or none as its share accumulates (at factor 42, ten requests
    an hour keep one about every fourth hour, not none at all), and the total is
    ``round(total / factor)``, halves up. Which rows of an hour are kept is drawn with
    ``random.Random(seed)``: the same seed gives the same rows. A target above the file's
    own rate keeps every row (thinning never invents requests); a factor below 1 is refused.
    """
    if (factor is None) == (target_per_day is None):
        raise ReplayError("thin_needs_factor_or_target")
    if target_per_day is not None:
        if not target_per_day > 0:
            raise ReplayError("thin_target_not_positive", target_per_day=target_per_day)
        factor = max(1.0, replay.per_day() / target_per_day)
    assert factor is not None
    if not factor >= 1 or math.isinf(factor):
        raise ReplayError("thin_factor_below_one", factor=factor)
    buckets: dict[datetime, list[int]] = {}
    for i, row in enumerate(replay.rows):
        buckets.setdefault(_hour(_created(row), replay.tz), []).append(i)
    rng = random.Random(seed)
    seen = kept = 0
    keep: list[int] = []
    for key in sorted(buckets):
        indexes = buckets[key]
        seen += len(indexes)
        share = min(len(indexes), math.floor(seen / factor + 0.5) - kept)
        kept += share
        keep += sorted(rng.sample(indexes, share))
    return replace(
        replay,
        rows=tuple(replay.rows[i] for i in sorted(keep)),
        factor=replay.factor * factor,
    )


# --- running -------------------------------------------------------------------------------


def _checked_speed(speed: float) -> float:
    if isinstance(speed, bool) or not isinstance(speed, int | float):
        raise ReplayError("speed_not_a_number", speed=speed)
    if not MIN_SPEED <= speed <= MAX_SPEED:  # NaN fails this too
        raise ReplayError("speed_out_of_range", speed=speed, min=MIN_SPEED, max=MAX_SPEED)
    return float(speed)


@dataclass(frozen=True)
class ReplayProgress:
    done: int  # rows handled: registered, already there, or refused by intake
    total: int
    registered: int  # orders this run registered
    already: int  # rows skipped as already registered (an earlier run of the file)
    refused: int  # rows intake refused (outside the county, …): ``ReplayRun.refused``
    offset: timedelta  # replay time reached since the first row, within [0, span]
    reached: datetime  # the source's time reached: first row's time + offset
    speed: float
    paused: bool

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 1.0


@dataclass
class _Tally:
    registered: int = 0
    already: int = 0
    refused: list[RowProblem] = field(default_factory=list)


class ReplayRun:
    """One replay running against a drill database, driven by ``step()`` calls.

    The caller ticks it (a timer on the background lane, or a test advancing a
    ``ManualClock``); each ``step()`` registers the rows due by ``clock.now()``."""

    def __init__(
        self,
        store: Store,
        actor: Actor,
        replay: Replay,
        clock: Clock,
        speed: float = 60.0,
        start_at: datetime | None = None,
    ) -> None:
        self._speed = _checked_speed(speed)
        if not replay.rows:
            raise ReplayError("nothing_to_replay", file=replay.file, rows=0)
        if start_at is not None and start_at.tzinfo is None:
            raise ReplayError("start_at_not_timezone_aware", start_at=str(start_at))
        self.replay = replay
        self._svc = OrderService(store)
        self._actor = actor
        self._clock = clock
        first = replay.first
        self._offsets = [_created(r) - first for r in replay.rows]
        self._anchor_at = clock.now() if start_at is None else start_at
        self._anchor_offset = timedelta(0)
        self._paused_at: timedelta | None = None  # the replay offset frozen by pause()
        self._next = 0  # rows before it are handled
        self._tally = _Tally()

    # -- time --------------------------------------------------------------------------

    def _offset(self, now: datetime) -> timedelta:
        if self._paused_at is not None:
            return self._paused_at
        return self._anchor_offset + (now - self._anchor_at) * self._speed

    def _anchor(self, now: datetime, offset: timedelta) -> None:
        self._anchor_at, self._anchor_offset = now, offset

    @property
    def speed(self) -> float:
        return self._speed

    @property
    def paused(self) -> bool:
        return self._paused_at is not None

    def set_speed(self, speed: float) -> None:
        """From now on, ``speed``× (1 to 600); replay time reached so far is kept."""
        speed = _checked_speed(speed)
        now = self._clock.now()
        self._anchor(now, self._offset(now))
        self._speed = speed

    def pause(self) -> None:
        """Freeze replay time; nothing becomes due until ``resume``. Idempotent."""
        if self._paused_at is None:
            self._paused_at = self._offset(self._clock.now())

    def resume(self) -> None:
        """Go on from where ``pause`` froze replay time: paused time does not count."""
        if self._paused_at is not None:
            self._anchor(self._clock.now(), self._paused_at)
            self._paused_at = None

    def jump(self, to_offset: timedelta) -> int:
        """Move replay time forward to ``to_offset`` after the first row (past the end is
        the end) and register everything due by then at once; returns how many. A paused
        run stays paused, at the new place."""
        now = self._clock.now()
        current = min(self._offset(now), self.replay.span)  # past the end is the end
        if to_offset < current:
            raise ReplayError("jump_backwards", to_offset=str(to_offset), reached=str(current))
        if self._paused_at is not None:
            self._paused_at = to_offset
        else:
            self._anchor(now, to_offset)
        return self.step()

    def next_due_at(self) -> datetime | None:
        """The clock instant at which the next row falls due, at the current speed; None
        when done or paused (a timer can sleep until then, a bench can jump the clock)."""
        if self.done or self._paused_at is not None:
            return None
        target = self._offsets[self._next]
        # rounded up to the microsecond, and checked: at that instant the row is due,
        # never a microsecond short (a caller jumping the clock there would spin)
        wait = math.ceil((target - self._anchor_offset) / MICROSECOND / self._speed)
        at = self._anchor_at + wait * MICROSECOND
        while self._offset(at) < target:
            at += MICROSECOND
        return at

    # -- work --------------------------------------------------------------------------

    def step(self) -> int:
        """Register every row due at the clock's current time through the import path;
        returns how many orders it registered (rows already there are skipped, rows
        intake refuses are added to ``refused``)."""
        end = bisect_right(self._offsets, self._offset(self._clock.now()))
        if end <= self._next:
            return 0
        due = self.replay.rows[self._next : end]
        report = import_drafts(self._svc, self._actor, due, self.replay.source)
        self._next = end
        self._tally.registered += len(report.registered)
        self._tally.already += len(report.duplicates)
        self._tally.refused += report.refused
        return len(report.registered)

    @property
    def done(self) -> bool:
        return self._next >= len(self._offsets)

    @property
    def next_offset(self) -> timedelta:
        """The replay time of the next row due (the span when done)."""
        return self._offsets[self._next] if not self.done else self.replay.span

    @property
    def refused(self) -> list[RowProblem]:
        """Rows intake refused so far (row number, field, code), e.g. outside_county."""
        return list(self._tally.refused)

    @property
    def progress(self) -> ReplayProgress:
        offset = min(max(self._offset(self._clock.now()), timedelta(0)), self.replay.span)
        return ReplayProgress(
            done=self._next,
            total=len(self._offsets),
            registered=self._tally.registered,
            already=self._tally.already,
            refused=len({p.row for p in self._tally.refused}),
            offset=offset,
            reached=(self.replay.first + offset).astimezone(self.replay.tz),
            speed=self._speed,
            paused=self.paused,
        )
