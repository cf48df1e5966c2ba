"""Assessment periods: a calendar month or year in the county's local time zone.

The database stores naive UTC; a period is a half-open interval ``[start, end)`` of
aware UTC instants whose ends are local midnights. An order registered at 23:30 local
on the last day of March belongs to March, although it is 15:30 UTC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from core.errors import FieldError, ValidationError

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR = re.compile(r"^(\d{4})$")


@dataclass(frozen=True)
class Period:
    kind: str  # "month" | "year"
    year: int
    month: int | None
    tz: ZoneInfo

    @property
    def label(self) -> str:
        return f"{self.year:04d}" if self.month is None else f"{self.year:04d}-{self.month:02d}"

    @property
    def local_start(self) -> datetime:
        return datetime(self.year, self.month or 1, 1, tzinfo=self.tz)

    @property
    def local_end(self) -> datetime:
        if self.month is None:
            return datetime(self.year + 1, 1, 1, tzinfo=self.tz)
        year, month = (self.year + 1, 1) if self.month == 12 else (self.year, self.month + 1)
        return datetime(year, month, 1, tzinfo=self.tz)

    @property
    def start(self) -> datetime:
        """First instant of the period, aware UTC (inclusive)."""
        return self.local_start.astimezone(UTC)

    @property
    def end(self) -> datetime:
        """First instant after the period, aware UTC (exclusive)."""
        return self.local_end.astimezone(UTC)

    def contains(self, instant: datetime) -> bool:
        return self.start <= instant < self.end


def month(year: int, month_: int, tz: ZoneInfo) -> Period:
    if not 1 <= month_ <= 12 or not 1900 <= year <= 9998:
        raise ValidationError([FieldError("period", "bad_period", {"value": f"{year}-{month_}"})])
    return Period("month", year, month_, tz)


def year(year_: int, tz: ZoneInfo) -> Period:
    if not 1900 <= year_ <= 9998:
        raise ValidationError([FieldError("period", "bad_period", {"value": str(year_)})])
    return Period("year", year_, None, tz)


def parse_period(text: str, tz: ZoneInfo) -> Period:
    """``YYYY-MM`` (a month) or ``YYYY`` (a year)."""
    value = text.strip()
    m = _MONTH.match(value)
    if m:
        return month(int(m.group(1)), int(m.group(2)), tz)
    y = _YEAR.match(value)
    if y:
        return year(int(y.group(1)), tz)
    raise ValidationError([FieldError("period", "bad_period", {"value": text})])


def last_complete_month(now: datetime, tz: ZoneInfo) -> Period:
    """The month before the one ``now`` falls in, in local time: the default period."""
    local = now.astimezone(tz)
    if local.month == 1:
        return month(local.year - 1, 12, tz)
    return month(local.year, local.month - 1, tz)
