"""China's official working-day calendar: statutory holidays and 调休 make-up days.

A day's answer comes from one of three places, in this order:

1. an administrator override (always wins);
2. the ``chinese_calendar`` library, which knows the State Council's arrangements
   for 2004-2026;
3. a fallback for years the library does not know: Monday-Friday are working days.
   Fallback answers are wrong around every holiday, so using one logs a WARNING once
   per year and per calendar, and ``WorkCalendar.fallback_years_used`` lists them.

Override file format (TOML, UTF-8; ``load_overrides``)::

    # Each entry corrects one date. working = true makes a weekend day a working
    # day (调休); working = false makes a weekday a holiday.
    [[day]]
    date = 2027-02-06          # a TOML date, or the string "2027-02-06"
    working = true             # required, true or false
    note = "春节调休上班"        # optional

A file with no ``[[day]]`` entries (only comments) is valid and holds no overrides.
Repeating a date with the same ``working`` value is harmless; repeating it with a
different value is an error and neither entry is used.

``parse_overrides`` raises ``ValidationError`` listing every bad entry if anything
is wrong. Callers that prefer a partial load (keep the good entries, show the
errors) use ``parse_overrides_lenient``, which returns both.
"""

from __future__ import annotations

import logging
import re
import threading
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

import chinese_calendar

from core.errors import CoreError, FieldError, ValidationError

log = logging.getLogger(__name__)

# A run of this many non-working days means the overrides are broken, not a holiday.
_MAX_NON_WORKING_RUN = 3660

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TOML_POSITION = re.compile(r"at line (\d+), column (\d+)")
_ENTRY_KEYS = frozenset({"date", "working", "note"})


class DaySource(StrEnum):
    OVERRIDE = "override"
    LIBRARY = "library"
    FALLBACK = "fallback"


@dataclass(frozen=True)
class DayOverride:
    """An administrator's correction for one date."""

    day: date
    working: bool
    note: str = ""


@cache
def _library_knows(year: int) -> bool:
    """Probe once per year: the library raises for every day of a year it lacks."""
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


class WorkCalendar:
    """Answers "is this a working day?" fast; answers are cached per day.

    Safe to share between threads: the caches only ever gain identical entries.
    """

    def __init__(self, overrides: Iterable[DayOverride] = ()) -> None:
        # Later overrides for the same day win, so with_overrides can simply append.
        self._overrides: dict[date, DayOverride] = {o.day: o for o in overrides}
        self._working: dict[date, bool] = {}
        self._source: dict[date, DaySource] = {}
        self._lock = threading.Lock()
        self._fallback_used: set[int] = set()

    def is_working_day(self, day: date) -> bool:
        working = self._working.get(day)
        if working is None:
            working = self._resolve(day)
        return working

    def source(self, day: date) -> DaySource:
        """Where the answer for ``day`` comes from."""
        src = self._source.get(day)
        if src is None:
            self._resolve(day)
            src = self._source[day]
        return src

    def is_fallback_year(self, year: int) -> bool:
        """True when the library has no data for ``year``.

        Overrides never make a year known: only the overridden days are exact.
        """
        return not _library_knows(year)

    @property
    def fallback_years_used(self) -> frozenset[int]:
        """Fallback years whose guessed answers were actually handed out."""
        with self._lock:
            return frozenset(self._fallback_used)

    def with_overrides(self, overrides: Iterable[DayOverride]) -> WorkCalendar:
        """A new calendar where ``overrides`` win over this one's."""
        return WorkCalendar([*self._overrides.values(), *overrides])

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        candidate = day
        for _ in range(_MAX_NON_WORKING_RUN):
            candidate += timedelta(days=1)
            if self.is_working_day(candidate):
                return candidate
        raise CoreError("no_working_day", after=day.isoformat())

    def working_days_between(self, start: date, end: date) -> int:
        """Working days ``d`` with ``start <= d < end`` (0 if ``end <= start``)."""
        count = 0
        day = start
        one = timedelta(days=1)
        while day < end:
            if self.is_working_day(day):
                count += 1
            day += one
        return count

    def _resolve(self, day: date) -> bool:
        if isinstance(day, datetime):
            # A datetime would never hit the date-keyed cache and silently be slow.
            raise TypeError("WorkCalendar takes dates, not datetimes")
        override = self._overrides.get(day)
        if override is not None:
            working, src = override.working, DaySource.OVERRIDE
        elif _library_knows(day.year):
            working, src = bool(chinese_calendar.is_workday(day)), DaySource.LIBRARY
        else:
            working, src = day.weekday() < 5, DaySource.FALLBACK
            self._note_fallback(day.year)
        self._source[day] = src
        self._working[day] = working
        return working

    def _note_fallback(self, year: int) -> None:
        with self._lock:
            if year in self._fallback_used:
                return
            self._fallback_used.add(year)
        log.warning(
            "No official holiday calendar for %d: treating Monday-Friday as working days. "
            "Add the State Council's arrangement to the calendar overrides.",
            year,
        )


def load_overrides(path: Path) -> list[DayOverride]:
    """Read an override file; raises ``ValidationError`` if any entry is bad.

    A missing or unreadable file raises ``OSError`` as usual.
    """
    raw = path.read_bytes()
    try:
        # utf-8-sig: Windows Notepad likes to prepend a BOM, which tomllib rejects.
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        err = FieldError("file", "bad_encoding", {"source": str(path), "offset": exc.start})
        raise ValidationError([err]) from exc
    return parse_overrides(text, str(path))


def parse_overrides(text: str, source_name: str = "<text>") -> list[DayOverride]:
    """Parse override TOML; raises ``ValidationError`` listing every bad entry."""
    good, errors = parse_overrides_lenient(text, source_name)
    if errors:
        raise ValidationError(errors)
    return good


def parse_overrides_lenient(
    text: str, source_name: str = "<text>"
) -> tuple[list[DayOverride], list[FieldError]]:
    """Parse override TOML, keeping the good entries alongside the errors."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        params: dict[str, Any] = {"source": source_name, "message": message}
        position = _TOML_POSITION.search(message)
        params["line"] = int(position.group(1)) if position else None
        params["column"] = int(position.group(2)) if position else None
        return [], [FieldError("file", "bad_toml", params)]

    errors: list[FieldError] = []
    for key in data:
        if key != "day":
            errors.append(FieldError(key, "unknown_key", {"source": source_name}))
    entries = data.get("day", [])
    if not isinstance(entries, list):
        errors.append(FieldError("day", "bad_table", {"source": source_name}))
        return [], errors

    parsed: dict[date, tuple[int, DayOverride]] = {}
    conflicted: set[date] = set()
    for i, entry in enumerate(entries):
        override = _parse_entry(i, entry, source_name, errors)
        if override is None:
            continue
        earlier = parsed.get(override.day)
        if earlier is None:
            parsed[override.day] = (i, override)
        elif earlier[1].working != override.working:
            conflicted.add(override.day)
            params = {"source": source_name, "value": override.day.isoformat(), "first": earlier[0]}
            errors.append(FieldError(f"day[{i}].date", "duplicate_conflict", params))
    good = [o for day, (_, o) in parsed.items() if day not in conflicted]
    return good, errors


def _parse_entry(
    i: int, entry: object, source_name: str, errors: list[FieldError]
) -> DayOverride | None:
    """One ``[[day]]`` table; appends its problems to ``errors``."""
    where = f"day[{i}]"
    if not isinstance(entry, dict):
        errors.append(FieldError(where, "bad_table", {"source": source_name}))
        return None
    for key in entry:
        if key not in _ENTRY_KEYS:
            errors.append(FieldError(f"{where}.{key}", "unknown_key", {"source": source_name}))

    day = _parse_date(entry.get("date"))
    if "date" not in entry:
        errors.append(FieldError(f"{where}.date", "missing", {"source": source_name}))
    elif day is None:
        params = {"source": source_name, "value": repr(entry["date"])}
        errors.append(FieldError(f"{where}.date", "bad_date", params))

    working = entry.get("working")
    if "working" not in entry:
        errors.append(FieldError(f"{where}.working", "missing", {"source": source_name}))
    elif not isinstance(working, bool):
        params = {"source": source_name, "value": repr(working)}
        errors.append(FieldError(f"{where}.working", "bad_bool", params))

    note = entry.get("note", "")
    if not isinstance(note, str):
        params = {"source": source_name, "value": repr(note)}
        errors.append(FieldError(f"{where}.note", "bad_text", params))
        note = ""

    if day is None or not isinstance(working, bool):
        return None
    return DayOverride(day=day, working=working, note=note)


def _parse_date(value: object) -> date | None:
    """A TOML date or a strict ``YYYY-MM-DD`` string; None if neither."""
    if isinstance(value, datetime):
        return None  # a date-time is a typo for a date; refuse rather than guess
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None
