"""Pure deadline arithmetic: limits in hours, natural days or working days.

Every instant is a timezone-aware ``datetime``; inputs may be in any zone, results
are in UTC. Which days are working days is decided on the county's local date
(``tz``, default Asia/Shanghai) using a ``WorkCalendar``.

The working clock
    runs only on working days: a working day contributes its whole 24 local hours,
    a non-working day contributes nothing. It is measured on the local wall clock,
    which in a zone without daylight saving time (all of China) is real elapsed time.
    ``working_seconds_between(a, b)`` is the working time inside ``[a, b)`` (0 if
    ``b <= a``). ``add_working_seconds(start, s)`` is the earliest instant ``t`` with
    ``working_seconds_between(start, t) == s``; from a non-working day the clock
    starts at 00:00 of the next working day, and ``s == 0`` gives ``start``.

Limits (``compute_due``)
    HOURS           natural clock hours, ``start + amount h``. The end rule is
                    ignored: "within 2 hours" never stretches to midnight.
    NATURAL_DAYS    SAME_TIME: the same local wall time ``amount`` local dates later.
                    END_OF_DAY: 23:59:59 local on the start's local date + ``amount``.
    WORKING_DAYS    SAME_TIME: ``add_working_seconds(start, amount * 86400)``, so
                    Fri 15:00 + 1 is Mon 15:00 and Sat 10:00 + 1 is Tue 00:00 (the end
                    of Monday). END_OF_DAY: 23:59:59 local on the ``amount``-th working
                    day strictly after the start's local date (Fri 15:00 + 1 and
                    Sat 10:00 + 1 are both Mon 23:59:59). Amount 0 gives ``start``
                    (SAME_TIME) or 23:59:59 of the start's own date (END_OF_DAY).

Pauses (``shift_for_pause``) stop the clock and push the limit out by the time lost:
working time for WORKING_DAYS, natural time otherwise. A pause that begins when
the order is already overdue does not move the limit.

``Due.used_fallback`` is True when any local date the computation looked at came
from a year the calendar only guesses (see ``core.calendar``) and was not
overridden: the result may be off by a holiday and the UI should say so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from core.calendar import DaySource, WorkCalendar
from core.errors import CoreError

SHANGHAI = ZoneInfo("Asia/Shanghai")

_DAY = timedelta(days=1)
_ZERO = timedelta(0)
_END_OF_DAY = time(23, 59, 59)
# A run of this many non-working days means the calendar's overrides are broken.
_MAX_NON_WORKING_RUN = 3660


class LimitUnit(StrEnum):
    NATURAL_DAYS = "natural_days"
    WORKING_DAYS = "working_days"
    HOURS = "hours"


class EndRule(StrEnum):
    SAME_TIME = "same_time"
    END_OF_DAY = "end_of_day"


@dataclass(frozen=True)
class Due:
    at: datetime  # UTC
    used_fallback: bool  # some consulted day came from a guessed (unknown) year


class _Days:
    """Working-day lookups for one computation, remembering whether any was a guess."""

    __slots__ = ("cal", "used_fallback")

    def __init__(self, cal: WorkCalendar) -> None:
        self.cal = cal
        self.used_fallback = False

    def working(self, day: date) -> bool:
        cal = self.cal
        if (
            not self.used_fallback
            and cal.is_fallback_year(day.year)
            and cal.source(day) is DaySource.FALLBACK
        ):
            self.used_fallback = True
        return cal.is_working_day(day)

    def after(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        for _ in range(_MAX_NON_WORKING_RUN):
            day += _DAY
            if self.working(day):
                return day
        raise CoreError("no_working_day", after=day.isoformat())


def _local(instant: datetime, tz: ZoneInfo, name: str) -> datetime:
    """``instant`` as naive local wall time; naive input is refused, not guessed."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
    return instant.astimezone(tz).replace(tzinfo=None)


def _utc(wall: datetime, tz: ZoneInfo) -> datetime:
    return wall.replace(tzinfo=tz).astimezone(UTC)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min)


def _working_between(a: datetime, b: datetime, days: _Days) -> timedelta:
    """Working time in ``[a, b)``, both naive local wall times."""
    total = _ZERO
    day = a.date()
    day_start = _midnight(day)
    while day_start < b:
        day_end = day_start + _DAY
        if days.working(day):
            lo, hi = max(a, day_start), min(b, day_end)
            if hi > lo:
                total += hi - lo
        day += _DAY
        day_start = day_end
    return total


def _add_working(start: datetime, amount: timedelta, days: _Days) -> datetime:
    """Earliest naive local instant with ``amount`` of working time since ``start``."""
    if amount < _ZERO:
        raise ValueError("working time to add must not be negative")
    if amount == _ZERO:
        return start
    cursor, day, remaining, idle = start, start.date(), amount, 0
    while True:
        day_end = _midnight(day + _DAY)
        if days.working(day):
            available = day_end - cursor
            if remaining <= available:
                return cursor + remaining
            remaining -= available
            idle = 0
        else:
            idle += 1
            if idle > _MAX_NON_WORKING_RUN:
                raise CoreError("no_working_day", after=day.isoformat())
        cursor, day = day_end, day + _DAY


def compute_due(
    start: datetime,
    amount: int,
    unit: LimitUnit,
    end: EndRule,
    cal: WorkCalendar,
    tz: ZoneInfo = SHANGHAI,
) -> Due:
    """The limit for a task started at ``start`` (see the module docstring)."""
    unit, end = LimitUnit(unit), EndRule(end)
    if amount < 0:
        raise ValueError("amount must not be negative")
    local = _local(start, tz, "start")
    if unit is LimitUnit.HOURS:
        return Due(start.astimezone(UTC) + timedelta(hours=amount), False)
    if unit is LimitUnit.NATURAL_DAYS:
        if end is EndRule.SAME_TIME:
            return Due(_utc(local + timedelta(days=amount), tz), False)
        last = local.date() + timedelta(days=amount)
        return Due(_utc(datetime.combine(last, _END_OF_DAY), tz), False)
    days = _Days(cal)
    if end is EndRule.SAME_TIME:
        at = _add_working(local, amount * _DAY, days)
        return Due(_utc(at, tz), days.used_fallback)
    day = local.date()
    for _ in range(amount):
        day = days.after(day)
    return Due(_utc(datetime.combine(day, _END_OF_DAY), tz), days.used_fallback)


def working_seconds_between(
    a: datetime, b: datetime, cal: WorkCalendar, tz: ZoneInfo = SHANGHAI
) -> float:
    """Seconds of ``[a, b)`` that fall on working days; 0 if ``b <= a``."""
    la, lb = _local(a, tz, "a"), _local(b, tz, "b")
    if b <= a:
        return 0.0
    return _working_between(la, lb, _Days(cal)).total_seconds()


def add_working_seconds(
    start: datetime, seconds: float, cal: WorkCalendar, tz: ZoneInfo = SHANGHAI
) -> Due:
    """The earliest instant with ``seconds`` of working time since ``start``."""
    days = _Days(cal)
    at = _add_working(_local(start, tz, "start"), timedelta(seconds=seconds), days)
    return Due(_utc(at, tz), days.used_fallback)


def shift_for_pause(
    due: datetime,
    paused_at: datetime,
    resumed_at: datetime,
    unit: LimitUnit,
    cal: WorkCalendar,
    tz: ZoneInfo = SHANGHAI,
) -> Due:
    """The limit after a pause: the clock stood still from ``paused_at`` to ``resumed_at``."""
    unit = LimitUnit(unit)
    local_due = _local(due, tz, "due")
    local_paused = _local(paused_at, tz, "paused_at")
    local_resumed = _local(resumed_at, tz, "resumed_at")
    if resumed_at < paused_at:
        raise ValueError("resumed_at must not be before paused_at")
    if paused_at >= due:
        return Due(due.astimezone(UTC), False)  # overdue already; a pause cannot cure that
    if unit is not LimitUnit.WORKING_DAYS:
        return Due(due.astimezone(UTC) + (resumed_at - paused_at), False)
    days = _Days(cal)
    remaining = _working_between(local_paused, local_due, days)
    at = _add_working(local_resumed, remaining, days)
    return Due(_utc(at, tz), days.used_fallback)


def warn_at(
    start: datetime,
    due: datetime,
    ratio: float,
    unit: LimitUnit,
    cal: WorkCalendar,
    tz: ZoneInfo = SHANGHAI,
) -> datetime:
    """When only ``ratio`` of the limit remains (临期), in UTC; never before ``start``.

    Working-day limits are measured on the working clock, so a weekend inside the
    limit does not bring the warning forward.
    """
    unit = LimitUnit(unit)
    if not 0.0 <= ratio <= 1.0:  # also refuses NaN
        raise ValueError("ratio must be between 0 and 1")
    local_start, local_due = _local(start, tz, "start"), _local(due, tz, "due")
    start_utc = start.astimezone(UTC)
    if due <= start:
        return start_utc
    if unit is LimitUnit.WORKING_DAYS:
        days = _Days(cal)
        length = _working_between(local_start, local_due, days)
        at = _utc(_add_working(local_start, length * (1.0 - ratio), days), tz)
    else:
        at = start_utc + (due - start) * (1.0 - ratio)
    return max(at, start_utc)
