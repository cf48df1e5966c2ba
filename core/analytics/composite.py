"""The composite score (综合评分) and the ranking, as resources/analytics/composite.toml sets
them. Pure arithmetic over one group's measures; no database, no pandas."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from core.analytics.indicators import Measure
from core.analytics.rules import Composite


@dataclass(frozen=True)
class Score:
    """A group's score, or None when it is not scored; ``terms`` are the points of each
    term (rate terms by indicator name, the deduction term as "deduction")."""

    value: float | None
    terms: dict[str, float] = field(default_factory=dict)
    missing: tuple[str, ...] = ()


def score(measures: Mapping[str, Measure], comp: Composite) -> Score:
    """Rate terms score weight × value (or 1 − value when inverted). A term without a
    denominator scores its full weight ("full") or hands its weight to the other rate terms
    with a value in proportion to their weights ("redistribute"). The deduction term is
    base − Σ per × count, floored. A group none of whose ``require_any`` indicators has a
    value, or with no rate term left at all, is not scored."""
    if comp.require_any and all(measures[n].value is None for n in comp.require_any):
        return Score(None, missing=tuple(comp.require_any))
    values: dict[str, float] = {}
    missing: list[str] = []
    for term in comp.rates:
        v = measures[term.indicator].value
        if v is None:
            if term.when_missing == "full":
                values[term.indicator] = 1.0
            else:
                missing.append(term.indicator)
            continue
        values[term.indicator] = 1.0 - v if term.invert else v
    total_weight = sum(t.weight for t in comp.rates)
    present_weight = sum(t.weight for t in comp.rates if t.indicator in values)
    if present_weight <= 0:
        return Score(None, missing=tuple(missing))
    scale = total_weight / present_weight
    terms = {
        t.indicator: t.weight * values[t.indicator] * scale
        for t in comp.rates
        if t.indicator in values
    }
    if comp.deductions or comp.deduction_base:
        taken = sum(d.per * measures[d.indicator].numerator for d in comp.deductions)
        terms["deduction"] = max(comp.deduction_floor, comp.deduction_base - taken)
    value = round(sum(terms.values()), comp.round_to)
    return Score(value, {k: round(v, 6) for k, v in terms.items()}, tuple(missing))


def rank(scores: Sequence[float | None]) -> list[int | None]:
    """Competition ranking, highest first: equal scores share a rank (1, 2, 2, 4)."""
    ordered = sorted((s for s in scores if s is not None), reverse=True)
    first: dict[float, int] = {}
    for i, s in enumerate(ordered, 1):
        first.setdefault(s, i)
    return [None if s is None else first[s] for s in scores]
