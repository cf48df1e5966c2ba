"""Periods, the rule files and the composite arithmetic, without a database."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from core.analytics.composite import rank, score
from core.analytics.indicators import Measure, empty_measure
from core.analytics.period import last_complete_month, parse_period
from core.analytics.rules import (
    COMPOSITE_FILE,
    INDICATORS,
    INDICATORS_FILE,
    load_composite,
    parse_composite,
    parse_rules,
)
from core.errors import ValidationError

SH = ZoneInfo("Asia/Shanghai")


def test_a_month_is_local() -> None:
    p = parse_period("2025-03", SH)
    assert (p.start, p.end) == (
        datetime(2025, 2, 28, 16, tzinfo=UTC),
        datetime(2025, 3, 31, 16, tzinfo=UTC),
    )
    assert p.contains(datetime(2025, 3, 31, 15, 30, tzinfo=UTC))  # 23:30 local, Mar 31
    assert not p.contains(datetime(2025, 3, 31, 16, 10, tzinfo=UTC))  # 00:10 local, Apr 1
    dec = parse_period("2024-12", SH)
    assert dec.end == datetime(2024, 12, 31, 16, tzinfo=UTC)
    year = parse_period(" 2025 ", SH)
    assert (year.kind, year.label) == ("year", "2025")
    assert year.end == datetime(2025, 12, 31, 16, tzinfo=UTC)


@pytest.mark.parametrize(
    "text", ["2025-13", "2025-00", "2025-3", "25-03", "March", "", "2025-03-01"]
)
def test_bad_periods(text: str) -> None:
    with pytest.raises(ValidationError) as exc:
        parse_period(text, SH)
    assert exc.value.codes_for("period") == ["bad_period"]


def test_default_period() -> None:
    # 16:30 UTC on Jan 31 is already Feb 1 in Shanghai: January is the last complete month.
    assert last_complete_month(datetime(2025, 1, 31, 16, 30, tzinfo=UTC), SH).label == "2025-01"
    assert last_complete_month(datetime(2025, 1, 15, tzinfo=UTC), SH).label == "2024-12"


def _doc(path: object) -> dict[str, object]:
    return tomllib.loads(path.read_text(encoding="utf-8"))  # type: ignore[attr-defined]


def test_every_indicator_is_documented() -> None:
    doc = _doc(INDICATORS_FILE)
    assert set(doc["indicator"]) == set(INDICATORS)  # type: ignore[arg-type]
    for name, entry in doc["indicator"].items():  # type: ignore[attr-defined]
        assert {"zh", "cohort", "numerator", "denominator"} <= set(entry), name


def test_bad_rules_are_reported_by_place() -> None:
    doc = _doc(INDICATORS_FILE)
    doc["rules"] = {
        "intake_counts": "letters",
        "repeat_window_days": True,
        "exclude_unreachable": "yes",
        "colour": "red",
    }
    with pytest.raises(ValidationError) as exc:
        parse_rules(doc)
    assert exc.value.codes_for("rules.intake_counts") == ["unknown_value"]
    assert exc.value.codes_for("rules.repeat_window_days") == ["not_int"]
    assert exc.value.codes_for("rules.exclude_unreachable") == ["not_bool"]
    assert exc.value.codes_for("rules.colour") == ["unknown_key"]
    del doc["indicator"]["satisfaction"]  # type: ignore[attr-defined]
    doc["rules"] = {}
    with pytest.raises(ValidationError) as exc:
        parse_rules(doc)
    assert exc.value.codes_for("indicator.satisfaction") == ["undocumented"]


def test_bad_composite_is_reported_by_place() -> None:
    doc = _doc(COMPOSITE_FILE)
    doc["rate"][0]["indicator"] = "happiness"  # type: ignore[index]
    doc["rate"][1]["when_missing"] = "zero"  # type: ignore[index]
    doc["deduction"]["counts"][0]["per"] = -1  # type: ignore[index]
    with pytest.raises(ValidationError) as exc:
        parse_composite(doc)
    assert exc.value.codes_for("rate[0].indicator") == ["unknown_rate"]
    assert exc.value.codes_for("rate[1].when_missing") == ["unknown_value"]
    assert exc.value.codes_for("deduction.counts[0].per") == ["not_a_number"]


def measures(**given: tuple[int, int | None]) -> dict[str, Measure]:
    out = {n: empty_measure(n) for n in INDICATORS}
    out.update({n: Measure(*v) for n, v in given.items()})
    return out


def test_the_published_formula() -> None:
    comp = load_composite()
    m = measures(
        on_time_closure=(9, 10),
        closure_rate=(4, 5),
        rework_rate=(1, 4),
        supervisions=(3, None),
        supervisions_pending=(2, None),
    )
    s = score(m, comp)
    # 0.9×100×50% + 0.8×100×30% + (1 − 0.25)×100×10% + (10 − 0.5×3 − 2)
    assert s.value == 45 + 24 + 7.5 + 6.5
    assert s.missing == ()


def test_deduction_is_floored_at_zero() -> None:
    m = measures(on_time_closure=(1, 1), closure_rate=(1, 1), supervisions=(30, None))
    s = score(m, load_composite())
    assert s.terms["deduction"] == 0
    assert s.value == 90  # rework: no reviews, full marks


def test_missing_rates_redistribute_or_score_full() -> None:
    comp = load_composite()
    # No order fell due: on-time's 50 points are shared by closure (30) and rework (10, full).
    s = score(measures(closure_rate=(1, 2)), comp)
    scale = 90 / 40
    assert s.value == round(30 * 0.5 * scale + 10 * 1.0 * scale + 10, 2) == 66.25
    assert s.missing == ("on_time_closure",)
    # Neither on-time closure nor closure rate has a denominator: not scored.
    assert score(measures(rework_rate=(0, 3)), comp).value is None


def test_ranks_share_ties() -> None:
    assert rank([90.0, 80.0, None, 80.0, 70.0]) == [1, 2, None, 2, 4]
    assert rank([]) == []
