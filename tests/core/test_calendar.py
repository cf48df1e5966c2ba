"""China's working-day calendar: library data, overrides, fallback years, override files."""

from __future__ import annotations

import logging
import threading
from datetime import date, datetime, timedelta
from pathlib import Path

import holidays
import pytest

from core.calendar import (
    DayOverride,
    DaySource,
    WorkCalendar,
    load_overrides,
    parse_overrides,
    parse_overrides_lenient,
)
from core.errors import CoreError, ValidationError

REPO = Path(__file__).resolve().parents[2]


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


# --- official calendar -----------------------------------------------------------------


def test_national_day_and_mid_autumn_2025() -> None:
    cal = WorkCalendar()
    for day in _days(date(2025, 10, 1), date(2025, 10, 8)):
        assert not cal.is_working_day(day), day
        assert cal.source(day) is DaySource.LIBRARY
    assert cal.is_working_day(date(2025, 9, 28))  # Sunday, 调休
    assert cal.is_working_day(date(2025, 10, 11))  # Saturday, 调休
    assert not cal.is_working_day(date(2025, 9, 27))  # ordinary Saturday
    assert cal.is_working_day(date(2025, 9, 30))
    assert cal.is_working_day(date(2025, 10, 9))
    assert not cal.is_working_day(date(2025, 10, 12))
    assert cal.fallback_years_used == frozenset()


def test_next_working_day_around_national_day_2025() -> None:
    cal = WorkCalendar()
    assert cal.next_working_day(date(2025, 9, 27)) == date(2025, 9, 28)
    assert cal.next_working_day(date(2025, 9, 30)) == date(2025, 10, 9)
    assert cal.next_working_day(date(2025, 10, 10)) == date(2025, 10, 11)
    assert cal.next_working_day(date(2025, 10, 11)) == date(2025, 10, 13)


def test_working_days_between_counts_half_open_range() -> None:
    cal = WorkCalendar()
    # 09-28, 09-29, 09-30, 10-09, 10-10, 10-11
    assert cal.working_days_between(date(2025, 9, 27), date(2025, 10, 13)) == 6
    assert cal.working_days_between(date(2025, 10, 1), date(2025, 10, 9)) == 0
    assert cal.working_days_between(date(2025, 10, 9), date(2025, 10, 9)) == 0
    assert cal.working_days_between(date(2025, 10, 13), date(2025, 10, 9)) == 0


def test_spring_festival_2026() -> None:
    cal = WorkCalendar()
    # The library (and the State Council's notice) start the break on Sunday 02-15.
    for day in _days(date(2026, 2, 15), date(2026, 2, 23)):
        assert not cal.is_working_day(day), day
    assert cal.is_working_day(date(2026, 2, 13))
    assert cal.is_working_day(date(2026, 2, 14))  # Saturday, 调休
    assert cal.is_working_day(date(2026, 2, 24))
    assert cal.is_working_day(date(2026, 2, 28))  # Saturday, 调休
    assert not cal.is_working_day(date(2026, 3, 1))
    assert cal.next_working_day(date(2026, 2, 14)) == date(2026, 2, 24)
    assert cal.working_days_between(date(2026, 2, 9), date(2026, 3, 2)) == 5 + 1 + 4 + 1


def test_matches_independent_holidays_package_2018_to_2026() -> None:
    cal = WorkCalendar()
    reference = holidays.country_holidays("CN", years=range(2018, 2027))
    mismatches = [
        day
        for day in _days(date(2018, 1, 1), date(2026, 12, 31))
        if cal.is_working_day(day) != reference.is_working_day(day)
    ]
    assert mismatches == []
    assert cal.fallback_years_used == frozenset()


# --- fallback years --------------------------------------------------------------------


def test_known_and_unknown_years() -> None:
    cal = WorkCalendar()
    assert not cal.is_fallback_year(2004)
    assert not cal.is_fallback_year(2026)
    assert cal.is_fallback_year(2003)
    assert cal.is_fallback_year(2027)
    assert cal.fallback_years_used == frozenset()  # asking about a year is not using it


def test_fallback_year_uses_weekends_and_warns_once(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="core.calendar")
    cal = WorkCalendar()
    assert cal.is_working_day(date(2027, 1, 1))  # Friday; surely a holiday, but unknown
    assert not cal.is_working_day(date(2027, 1, 2))
    assert cal.source(date(2027, 1, 4)) is DaySource.FALLBACK
    for day in _days(date(2027, 1, 1), date(2027, 12, 31)):
        cal.is_working_day(day)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "2027" in warnings[0].getMessage()
    assert cal.fallback_years_used == frozenset({2027})
    cal.is_working_day(date(2028, 3, 1))
    assert cal.fallback_years_used == frozenset({2027, 2028})
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 2


def test_override_in_fallback_year_is_exact_but_year_stays_unknown(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="core.calendar")
    cal = WorkCalendar([DayOverride(date(2027, 1, 1), working=False, note="元旦")])
    assert not cal.is_working_day(date(2027, 1, 1))
    assert cal.source(date(2027, 1, 1)) is DaySource.OVERRIDE
    assert cal.is_fallback_year(2027)
    assert cal.fallback_years_used == frozenset()
    assert caplog.records == []
    assert cal.source(date(2027, 1, 4)) is DaySource.FALLBACK
    assert cal.fallback_years_used == frozenset({2027})


def test_fallback_bookkeeping_is_thread_safe() -> None:
    cal = WorkCalendar()
    years = range(2030, 2040)

    def work() -> None:
        for year in years:
            cal.is_working_day(date(year, 6, 1))

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert cal.fallback_years_used == frozenset(years)


# --- overrides -------------------------------------------------------------------------


def test_overrides_win_over_library() -> None:
    base = WorkCalendar()
    cal = WorkCalendar(
        [
            DayOverride(date(2025, 10, 8), working=True, note="local duty day"),
            DayOverride(date(2025, 10, 11), working=False),
        ]
    )
    assert cal.is_working_day(date(2025, 10, 8))
    assert not cal.is_working_day(date(2025, 10, 11))
    assert cal.source(date(2025, 10, 8)) is DaySource.OVERRIDE
    assert cal.source(date(2025, 10, 9)) is DaySource.LIBRARY
    assert cal.next_working_day(date(2025, 9, 30)) == date(2025, 10, 8)
    assert not base.is_working_day(date(2025, 10, 8))


def test_with_overrides_returns_new_calendar_where_extra_wins() -> None:
    first = WorkCalendar([DayOverride(date(2025, 10, 8), working=True)])
    assert first.is_working_day(date(2025, 10, 8))  # fill the cache before deriving
    second = first.with_overrides([DayOverride(date(2025, 10, 8), working=False)])
    assert first.is_working_day(date(2025, 10, 8))
    assert not second.is_working_day(date(2025, 10, 8))
    assert second.source(date(2025, 10, 8)) is DaySource.OVERRIDE
    third = first.with_overrides([DayOverride(date(2025, 10, 7), working=True)])
    assert third.is_working_day(date(2025, 10, 7))
    assert third.is_working_day(date(2025, 10, 8))  # the base override survives


def test_datetimes_are_refused() -> None:
    with pytest.raises(TypeError):
        WorkCalendar().is_working_day(datetime(2025, 10, 1, 12, 0))


def test_next_working_day_gives_up_on_endless_holiday() -> None:
    start = date(2030, 1, 1)
    cal = WorkCalendar(DayOverride(start + timedelta(days=i), working=False) for i in range(4000))
    with pytest.raises(CoreError) as info:
        cal.next_working_day(start)
    assert info.value.code == "no_working_day"


# --- override files --------------------------------------------------------------------

GOOD = """
# comment
[[day]]
date = 2027-02-06
working = true
note = "春节调休上班"

[[day]]
date = "2027-01-01"
working = false

[[day]]  # the same again is harmless
date = 2027-01-01
working = false
"""


def test_parse_good_file() -> None:
    assert parse_overrides(GOOD) == [
        DayOverride(date(2027, 2, 6), working=True, note="春节调休上班"),
        DayOverride(date(2027, 1, 1), working=False),
    ]


def test_empty_and_comment_only_files_hold_no_overrides() -> None:
    assert parse_overrides("") == []
    assert parse_overrides("# nothing yet\n# [[day]]\n# date = 2027-01-01\n") == []


def test_shipped_overrides_file_is_valid_and_invents_no_dates() -> None:
    path = REPO / "resources" / "calendar" / "overrides.toml"
    assert load_overrides(path) == []


def test_load_overrides_accepts_utf8_bom(tmp_path: Path) -> None:
    path = tmp_path / "overrides.toml"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    assert len(load_overrides(path)) == 2


def test_load_overrides_refuses_other_encodings(tmp_path: Path) -> None:
    path = tmp_path / "overrides.toml"
    path.write_bytes('note = "春节"'.encode("gbk"))
    with pytest.raises(ValidationError) as info:
        load_overrides(path)
    assert info.value.codes_for("file") == ["bad_encoding"]
    assert info.value.errors[0].params["source"] == str(path)


def test_load_overrides_names_the_file_in_errors(tmp_path: Path) -> None:
    path = tmp_path / "overrides.toml"
    path.write_text("[[day]]\ndate = 2027-01-01\n", encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        load_overrides(path)
    assert info.value.errors[0].params["source"] == str(path)


def _codes(text: str) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as info:
        parse_overrides(text, "test.toml")
    assert all(e.params["source"] == "test.toml" for e in info.value.errors)
    return {f: info.value.codes_for(f) for f in sorted(info.value.fields())}


@pytest.mark.parametrize(
    ("entry", "field", "code"),
    [
        ("working = true", "day[0].date", "missing"),
        ('date = "2027-13-01"\nworking = true', "day[0].date", "bad_date"),
        ('date = "2027/01/01"\nworking = true', "day[0].date", "bad_date"),
        ('date = "20270101"\nworking = true', "day[0].date", "bad_date"),
        ("date = 2027-01-01T08:00:00\nworking = true", "day[0].date", "bad_date"),
        ("date = 20270101\nworking = true", "day[0].date", "bad_date"),
        ("date = 2027-01-01", "day[0].working", "missing"),
        ('date = 2027-01-01\nworking = "yes"', "day[0].working", "bad_bool"),
        ("date = 2027-01-01\nworking = 1", "day[0].working", "bad_bool"),
        ("date = 2027-01-01\nworking = true\nnote = 5", "day[0].note", "bad_text"),
        ("date = 2027-01-01\nworking = true\nwork = true", "day[0].work", "unknown_key"),
    ],
)
def test_bad_entry(entry: str, field: str, code: str) -> None:
    assert _codes(f"[[day]]\n{entry}\n") == {field: [code]}


def test_bad_date_reports_the_value() -> None:
    with pytest.raises(ValidationError) as info:
        parse_overrides('[[day]]\ndate = "2027-02-30"\nworking = true\n', "x.toml")
    (error,) = info.value.errors
    assert error.params == {"source": "x.toml", "value": "'2027-02-30'"}


def test_conflicting_duplicate_is_an_error_and_neither_entry_is_used() -> None:
    text = """
[[day]]
date = 2027-01-01
working = false
[[day]]
date = 2027-02-06
working = true
[[day]]
date = 2027-01-01
working = true
"""
    good, errors = parse_overrides_lenient(text, "dup.toml")
    assert good == [DayOverride(date(2027, 2, 6), working=True)]
    assert [(e.field, e.code) for e in errors] == [("day[2].date", "duplicate_conflict")]
    assert errors[0].params["first"] == 0
    assert errors[0].params["value"] == "2027-01-01"


def test_toml_syntax_error_gives_line() -> None:
    with pytest.raises(ValidationError) as info:
        parse_overrides("[[day]]\ndate = 2027-01-01\nworking = ture\n", "bad.toml")
    (error,) = info.value.errors
    assert (error.field, error.code) == ("file", "bad_toml")
    assert error.params["source"] == "bad.toml"
    assert error.params["line"] == 3
    assert "line 3" in error.params["message"]


@pytest.mark.parametrize(
    ("text", "field"),
    [("day = 3\n", "day"), ("day = [1]\n", "day[0]"), ("[day]\ndate = 2027-01-01\n", "day")],
)
def test_day_must_be_an_array_of_tables(text: str, field: str) -> None:
    assert _codes(text) == {field: ["bad_table"]}


def test_unknown_top_level_key() -> None:
    assert _codes("days = []\n") == {"days": ["unknown_key"]}


def test_every_bad_entry_is_reported_and_good_ones_kept_by_lenient_parse() -> None:
    text = """
[[day]]
date = 2027-01-01
working = false
[[day]]
working = true
[[day]]
date = "tomorrow"
working = "no"
[[day]]
date = 2027-02-06
working = true
"""
    with pytest.raises(ValidationError) as info:
        parse_overrides(text)
    assert [(e.field, e.code) for e in info.value.errors] == [
        ("day[1].date", "missing"),
        ("day[2].date", "bad_date"),
        ("day[2].working", "bad_bool"),
    ]
    good, errors = parse_overrides_lenient(text)
    assert good == [
        DayOverride(date(2027, 1, 1), working=False),
        DayOverride(date(2027, 2, 6), working=True),
    ]
    assert errors == list(info.value.errors)
    assert errors[0].params["source"] == "<text>"


def test_parsed_overrides_win_in_calendar() -> None:
    cal = WorkCalendar(parse_overrides(GOOD))
    assert cal.is_working_day(date(2027, 2, 6))  # a Saturday
    assert not cal.is_working_day(date(2027, 1, 1))  # a Friday
    assert cal.source(date(2027, 2, 6)) is DaySource.OVERRIDE
