"""Deadline arithmetic on China's working-day calendar, with real holiday weeks."""

from __future__ import annotations

import logging
import math
from datetime import UTC, date, datetime, timedelta

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.calendar import DayOverride, DaySource, WorkCalendar
from core.deadlines import (
    SHANGHAI,
    Due,
    EndRule,
    LimitUnit,
    add_working_seconds,
    compute_due,
    shift_for_pause,
    warn_at,
    working_seconds_between,
)

WD, ND, H = LimitUnit.WORKING_DAYS, LimitUnit.NATURAL_DAYS, LimitUnit.HOURS
SAME, EOD = EndRule.SAME_TIME, EndRule.END_OF_DAY
CAL = WorkCalendar()  # shared by the property tests: the cache is the point


def sh(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=SHANGHAI)


def due(start: datetime, amount: int, unit: LimitUnit, end: EndRule, cal: WorkCalendar) -> Due:
    result = compute_due(start, amount, unit, end, cal)
    assert result.at.tzinfo is UTC
    return result


# --- ordinary weeks --------------------------------------------------------------------


def test_working_days_over_an_ordinary_weekend() -> None:
    cal = WorkCalendar()
    friday, saturday = sh(2025, 11, 14, 15), sh(2025, 11, 15, 10)
    assert due(friday, 1, WD, SAME, cal) == Due(sh(2025, 11, 17, 15), False)
    assert due(saturday, 1, WD, SAME, cal) == Due(sh(2025, 11, 18), False)  # end of Monday
    assert due(friday, 1, WD, EOD, cal).at == sh(2025, 11, 17, 23, 59, 59)
    assert due(saturday, 1, WD, EOD, cal).at == sh(2025, 11, 17, 23, 59, 59)


def test_amount_zero() -> None:
    cal = WorkCalendar()
    start = sh(2025, 11, 15, 10)  # Saturday
    assert due(start, 0, WD, SAME, cal).at == start
    assert due(start, 0, WD, EOD, cal).at == sh(2025, 11, 15, 23, 59, 59)
    assert due(start, 0, ND, SAME, cal).at == start
    assert due(start, 0, H, EOD, cal).at == start


def test_natural_days() -> None:
    cal = WorkCalendar()
    start = sh(2025, 9, 30, 10)
    assert due(start, 3, ND, SAME, cal) == Due(sh(2025, 10, 3, 10), False)
    assert due(start, 3, ND, EOD, cal) == Due(sh(2025, 10, 3, 23, 59, 59), False)
    # The local date decides: 20:00 UTC on 09-30 is already 10-01 in Shanghai.
    late = datetime(2025, 9, 30, 20, tzinfo=UTC)
    assert due(late, 1, ND, EOD, cal).at == sh(2025, 10, 2, 23, 59, 59)


def test_hours_are_natural_and_ignore_the_end_rule() -> None:
    cal = WorkCalendar()
    start = sh(2025, 9, 30, 23)
    assert due(start, 2, H, SAME, cal) == Due(sh(2025, 10, 1, 1), False)
    assert due(start, 2, H, EOD, cal) == Due(sh(2025, 10, 1, 1), False)
    assert due(start, 72, H, SAME, cal).at == sh(2025, 10, 3, 23)


def test_inputs_in_other_zones_give_the_same_instant() -> None:
    cal = WorkCalendar()
    local = sh(2025, 9, 30, 10)
    assert due(local.astimezone(UTC), 1, WD, SAME, cal) == due(local, 1, WD, SAME, cal)


def test_bad_inputs() -> None:
    cal = WorkCalendar()
    with pytest.raises(ValueError):
        compute_due(datetime(2025, 9, 30, 10), 1, WD, SAME, cal)
    with pytest.raises(ValueError):
        compute_due(sh(2025, 9, 30, 10), -1, WD, SAME, cal)
    with pytest.raises(ValueError):
        add_working_seconds(sh(2025, 9, 30, 10), -1.0, cal)
    with pytest.raises(ValueError):
        compute_due(sh(2025, 9, 30, 10), 1, "weeks", SAME, cal)  # type: ignore[arg-type]


# --- National Day and Mid-Autumn 2025 --------------------------------------------------


def test_national_day_2025_deadlines() -> None:
    cal = WorkCalendar()
    start = sh(2025, 9, 30, 10)
    assert due(start, 1, WD, SAME, cal) == Due(sh(2025, 10, 9, 10), False)
    assert due(start, 1, WD, EOD, cal) == Due(sh(2025, 10, 9, 23, 59, 59), False)
    assert due(start, 3, WD, SAME, cal).at == sh(2025, 10, 11, 10)  # Saturday 调休
    assert due(start, 4, WD, EOD, cal).at == sh(2025, 10, 13, 23, 59, 59)
    saturday = sh(2025, 9, 27, 10)  # the next working day is Sunday 09-28
    assert due(saturday, 1, WD, SAME, cal).at == sh(2025, 9, 29)
    assert due(saturday, 1, WD, EOD, cal).at == sh(2025, 9, 28, 23, 59, 59)
    holiday = sh(2025, 10, 3, 9)
    assert due(holiday, 1, WD, SAME, cal).at == sh(2025, 10, 10)


def test_working_seconds_across_national_day_2025() -> None:
    cal = WorkCalendar()
    assert working_seconds_between(sh(2025, 9, 30, 10), sh(2025, 10, 9, 10), cal) == 86400
    assert working_seconds_between(sh(2025, 10, 1), sh(2025, 10, 9), cal) == 0
    assert working_seconds_between(sh(2025, 10, 9), sh(2025, 10, 1), cal) == 0
    assert working_seconds_between(sh(2025, 9, 27), sh(2025, 10, 13), cal) == 6 * 86400
    start = add_working_seconds(sh(2025, 10, 4, 12), 3600, cal)
    assert start == Due(sh(2025, 10, 9, 1), False)


# --- Spring Festival 2026 --------------------------------------------------------------


def test_spring_festival_2026_deadlines() -> None:
    cal = WorkCalendar()
    friday = sh(2026, 2, 13, 15)
    assert due(friday, 1, WD, SAME, cal).at == sh(2026, 2, 14, 15)  # Saturday 调休
    assert due(friday, 2, WD, SAME, cal).at == sh(2026, 2, 24, 15)
    assert due(friday, 2, WD, EOD, cal).at == sh(2026, 2, 24, 23, 59, 59)
    assert due(sh(2026, 2, 15, 9), 1, WD, EOD, cal).at == sh(2026, 2, 24, 23, 59, 59)
    assert due(sh(2026, 2, 27, 15), 1, WD, SAME, cal).at == sh(2026, 2, 28, 15)
    assert due(sh(2026, 2, 27, 15), 2, WD, SAME, cal).at == sh(2026, 3, 2, 15)


def test_thirty_working_days_across_spring_festival_2026() -> None:
    cal = WorkCalendar()
    start = sh(2026, 2, 13, 15)
    expected_day = date(2026, 4, 2)
    reference = holidays.country_holidays("CN", years=2026)
    assert reference.get_nth_working_day(date(2026, 2, 13), 30) == expected_day
    assert due(start, 30, WD, SAME, cal) == Due(sh(2026, 4, 2, 15), False)
    assert due(start, 30, WD, EOD, cal) == Due(sh(2026, 4, 2, 23, 59, 59), False)
    assert due(start, 30, ND, SAME, cal).at == sh(2026, 3, 15, 15)


# --- into 2027, which the library does not know ----------------------------------------


def test_step_into_2027_uses_fallback(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="core.calendar")
    cal = WorkCalendar()
    start = sh(2026, 12, 28, 10)  # Monday
    # 12-28 (rest), 29, 30, 31, 2027-01-01 (Friday: guessed working), weekend skipped.
    assert due(start, 5, WD, SAME, cal) == Due(sh(2027, 1, 4, 10), True)
    assert due(start, 5, WD, EOD, cal) == Due(sh(2027, 1, 4, 23, 59, 59), True)
    assert due(start, 10, WD, SAME, cal).at == sh(2027, 1, 11, 10)
    assert cal.source(date(2027, 1, 1)) is DaySource.FALLBACK
    assert cal.fallback_years_used == frozenset({2027})
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1


def test_override_for_new_year_2027_changes_the_answer() -> None:
    cal = WorkCalendar([DayOverride(date(2027, 1, 1), working=False, note="元旦")])
    start = sh(2026, 12, 28, 10)
    assert cal.source(date(2027, 1, 1)) is DaySource.OVERRIDE
    assert due(start, 5, WD, SAME, cal) == Due(sh(2027, 1, 5, 10), True)
    assert due(start, 4, WD, EOD, cal) == Due(sh(2027, 1, 4, 23, 59, 59), True)


def test_used_fallback_only_when_a_guessed_day_is_consulted() -> None:
    cal = WorkCalendar()
    start = sh(2026, 12, 28, 10)
    assert due(start, 3, WD, EOD, cal) == Due(sh(2026, 12, 31, 23, 59, 59), False)
    # Ends exactly at 2027-01-01 00:00 without looking at 2027-01-01.
    assert due(sh(2026, 12, 31), 1, WD, SAME, cal) == Due(sh(2027, 1, 1), False)
    assert due(start, 30, ND, EOD, cal).used_fallback is False  # natural days need no calendar
    overridden = cal.with_overrides([DayOverride(date(2027, 1, 1), working=True)])
    assert due(sh(2026, 12, 31, 10), 1, WD, EOD, overridden) == Due(
        sh(2027, 1, 1, 23, 59, 59), False
    )
    assert due(sh(2026, 12, 31, 10), 1, WD, SAME, overridden) == Due(sh(2027, 1, 1, 10), False)


# --- pauses ----------------------------------------------------------------------------


def test_pause_on_working_days_moves_the_limit_by_lost_working_time() -> None:
    cal = WorkCalendar()
    limit = due(sh(2025, 11, 14, 9), 3, WD, SAME, cal).at  # Fri 09:00 + 3 = Wed 09:00
    assert limit == sh(2025, 11, 19, 9)
    # 48 working hours remained at Mon 09:00; from Fri 09:00 that is Tue 09:00.
    shifted = shift_for_pause(limit, sh(2025, 11, 17, 9), sh(2025, 11, 21, 9), WD, cal)
    assert shifted == Due(sh(2025, 11, 25, 9), False)
    # Paused and resumed over a weekend: no working time lost.
    same = shift_for_pause(limit, sh(2025, 11, 15, 9), sh(2025, 11, 16, 20), WD, cal)
    assert same == Due(limit, False)


def test_pause_across_national_day_2025() -> None:
    cal = WorkCalendar()
    limit = sh(2025, 10, 9, 10)
    shifted = shift_for_pause(limit, sh(2025, 9, 30, 10), sh(2025, 10, 9, 10), WD, cal)
    assert shifted.at == sh(2025, 10, 10, 10)


def test_pause_on_natural_clock() -> None:
    cal = WorkCalendar()
    limit = sh(2025, 10, 3, 10)
    for unit in (ND, H):
        shifted = shift_for_pause(limit, sh(2025, 10, 1, 8), sh(2025, 10, 1, 20), unit, cal)
        assert shifted == Due(sh(2025, 10, 3, 22), False)


def test_pause_when_already_overdue_changes_nothing() -> None:
    cal = WorkCalendar()
    limit = sh(2025, 10, 9, 10)
    for unit in (WD, ND, H):
        shifted = shift_for_pause(limit, sh(2025, 10, 9, 10), sh(2025, 10, 20), unit, cal)
        assert shifted == Due(limit, False)


def test_pause_must_end_after_it_begins() -> None:
    with pytest.raises(ValueError):
        shift_for_pause(sh(2025, 10, 9), sh(2025, 10, 2), sh(2025, 10, 1), WD, CAL)


# --- warnings --------------------------------------------------------------------------


def test_warn_at_on_the_working_clock() -> None:
    cal = WorkCalendar()
    start = sh(2025, 11, 14)  # Friday
    limit = due(start, 5, WD, SAME, cal).at
    assert limit == sh(2025, 11, 21)
    # 4 of 5 working days used: Fri + Mon-Wed, so Thursday 00:00.
    assert warn_at(start, limit, 0.2, WD, cal) == sh(2025, 11, 20)
    assert warn_at(start, limit, 1.0, WD, cal) == start
    assert warn_at(start, limit, 0.0, WD, cal) == limit
    assert warn_at(start, limit, 0.2, WD, cal).tzinfo is UTC


def test_warn_at_across_national_day_skips_the_holiday() -> None:
    cal = WorkCalendar()
    start = sh(2025, 9, 30, 12)
    limit = due(start, 2, WD, SAME, cal).at  # Oct 10 12:00
    assert warn_at(start, limit, 0.5, WD, cal) == sh(2025, 10, 9, 12)
    assert warn_at(start, limit, 0.5, ND, cal) == sh(2025, 10, 5, 12)


def test_warn_at_natural_time_and_limits() -> None:
    cal = WorkCalendar()
    start = sh(2025, 10, 1, 8)
    assert warn_at(start, sh(2025, 10, 1, 18), 0.2, H, cal) == sh(2025, 10, 1, 16)
    assert warn_at(start, start - timedelta(hours=1), 0.2, H, cal) == start  # never before
    for ratio in (-0.1, 1.5, math.nan):
        with pytest.raises(ValueError):
            warn_at(start, sh(2025, 10, 2), ratio, H, cal)


def test_long_working_limits_step_by_day() -> None:
    result = add_working_seconds(sh(2025, 1, 1), 240 * 86400, CAL)
    assert result.at.astimezone(SHANGHAI).year == 2025


# --- properties ------------------------------------------------------------------------

INSTANTS = st.datetimes(
    min_value=datetime(2025, 6, 1), max_value=datetime(2027, 3, 1), timezones=st.just(SHANGHAI)
)


@settings(database=None, deadline=None, max_examples=300)
@given(start=INSTANTS, t=INSTANTS)
def test_adding_measured_working_time_lands_at_or_before_t(start: datetime, t: datetime) -> None:
    seconds = working_seconds_between(start, t, CAL)
    landed = add_working_seconds(start, seconds, CAL).at
    if seconds == 0:
        assert landed == start
        return
    assert landed <= t
    # Exactly t when the clock was running just before t. At 00:00 after a weekend the
    # earliest instant is the end of the last working day.
    if CAL.is_working_day((t - timedelta(microseconds=1)).astimezone(SHANGHAI).date()):
        assert landed == t
    assert working_seconds_between(start, landed, CAL) == seconds


@settings(database=None, deadline=None, max_examples=200)
@given(a=INSTANTS, b=INSTANTS, c=INSTANTS)
def test_working_time_is_additive(a: datetime, b: datetime, c: datetime) -> None:
    a, b, c = sorted((a, b, c))

    def measure(x: datetime, y: datetime) -> timedelta:  # exact, unlike float sums
        return timedelta(seconds=working_seconds_between(x, y, CAL))

    assert measure(a, c) == measure(a, b) + measure(b, c)
    assert timedelta(0) <= measure(a, c) <= c - a


@settings(database=None, deadline=None, max_examples=300)
@given(
    start=INSTANTS,
    amount=st.integers(min_value=0, max_value=40),
    unit=st.sampled_from(LimitUnit),
    end=st.sampled_from(EndRule),
)
def test_compute_due_is_monotonic_in_amount(
    start: datetime, amount: int, unit: LimitUnit, end: EndRule
) -> None:
    shorter = compute_due(start, amount, unit, end, CAL).at
    longer = compute_due(start, amount + 1, unit, end, CAL).at
    assert start <= shorter < longer


@settings(database=None, deadline=None, max_examples=200)
@given(start=INSTANTS, amount=st.integers(min_value=1, max_value=30))
def test_working_day_limit_holds_exactly_that_much_working_time(
    start: datetime, amount: int
) -> None:
    limit = compute_due(start, amount, WD, SAME, CAL).at
    assert working_seconds_between(start, limit, CAL) == amount * 86400
