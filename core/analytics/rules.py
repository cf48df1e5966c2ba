"""Counting rules (indicators.toml) and the composite score's terms (composite.toml).

Both files are data a county may change; they are read and checked here, and every bad
entry is reported by its place in the file with a code.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.errors import FieldError, ValidationError
from core.resources import RESOURCES

INDICATORS_FILE = RESOURCES / "analytics" / "indicators.toml"
COMPOSITE_FILE = RESOURCES / "analytics" / "composite.toml"

RATES = (
    "on_spot",
    "timely_dispatch",
    "accurate_dispatch",
    "timely_acceptance",
    "on_time_closure",
    "closure_rate",
    "rework_rate",
    "satisfaction",
    "repeat_calls",
)
COUNTS = (
    "intake",
    "supervisions",
    "supervisions_yellow",
    "supervisions_red",
    "supervisions_pending",
)
INDICATORS = ("intake", *RATES, *COUNTS[1:])


@dataclass(frozen=True)
class Rules:
    """The counting rules; see resources/analytics/indicators.toml for each one."""

    intake_counts: str = "orders"  # "orders" | "calls"
    basic_counts_satisfied: bool = True
    exclude_unreachable: bool = True
    repeat_window_days: int = 30
    count_rejected_returns: bool = False
    returns_as_response: bool = True
    score_assisting: bool = False


@dataclass(frozen=True)
class RateTerm:
    indicator: str
    weight: float
    invert: bool = False
    when_missing: str = "redistribute"  # "full" | "redistribute"


@dataclass(frozen=True)
class CountTerm:
    indicator: str
    per: float


@dataclass(frozen=True)
class Composite:
    rates: tuple[RateTerm, ...]
    deduction_base: float = 10.0
    deduction_floor: float = 0.0
    deductions: tuple[CountTerm, ...] = ()
    require_any: tuple[str, ...] = field(default=())
    round_to: int = 2


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError(
            [FieldError("file", "bad_toml", {"source": str(path), "error": str(exc)})]
        ) from exc


def parse_rules(doc: dict[str, Any], source: str = "<rules>") -> Rules:
    errors: list[FieldError] = []
    raw = doc.get("rules", {})
    defaults = Rules()
    values: dict[str, Any] = {}
    for key, value in raw.items():
        where = f"rules.{key}"
        if not hasattr(defaults, key):
            errors.append(FieldError(where, "unknown_key", {"source": source}))
            continue
        want = type(getattr(defaults, key))
        if want is int and (isinstance(value, bool) or not isinstance(value, int)):
            errors.append(FieldError(where, "not_int", {"value": value}))
        elif want is not int and not isinstance(value, want):
            errors.append(FieldError(where, f"not_{want.__name__}", {"value": value}))
        else:
            values[key] = value
    if values.get("intake_counts", "orders") not in ("orders", "calls"):
        errors.append(
            FieldError("rules.intake_counts", "unknown_value", {"value": values["intake_counts"]})
        )
    if not 1 <= values.get("repeat_window_days", 30) <= 366:
        errors.append(
            FieldError(
                "rules.repeat_window_days", "out_of_range", {"value": values["repeat_window_days"]}
            )
        )
    documented = doc.get("indicator", {})
    for name in INDICATORS:
        if name not in documented:
            errors.append(FieldError(f"indicator.{name}", "undocumented", {"source": source}))
    if errors:
        raise ValidationError(errors)
    return Rules(**values)


def load_rules(path: Path = INDICATORS_FILE) -> Rules:
    return parse_rules(_read(path), str(path))


def _number(errors: list[FieldError], where: str, value: Any, minimum: float = 0.0) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
        errors.append(FieldError(where, "not_a_number", {"value": value, "min": minimum}))
        return 0.0
    return float(value)


def parse_composite(doc: dict[str, Any], source: str = "<composite>") -> Composite:
    errors: list[FieldError] = []
    rates: list[RateTerm] = []
    for i, item in enumerate(doc.get("rate", [])):
        where = f"rate[{i}]"
        name = item.get("indicator")
        if name not in RATES:
            errors.append(FieldError(f"{where}.indicator", "unknown_rate", {"value": name}))
        missing = item.get("when_missing", "redistribute")
        if missing not in ("full", "redistribute"):
            errors.append(FieldError(f"{where}.when_missing", "unknown_value", {"value": missing}))
        invert = item.get("invert", False)
        if not isinstance(invert, bool):
            errors.append(FieldError(f"{where}.invert", "not_bool", {"value": invert}))
        weight = _number(errors, f"{where}.weight", item.get("weight"))
        rates.append(RateTerm(str(name), weight, bool(invert), str(missing)))
    if not rates:
        errors.append(FieldError("rate", "required", {"source": source}))
    ded = doc.get("deduction", {})
    counts: list[CountTerm] = []
    for i, item in enumerate(ded.get("counts", [])):
        where = f"deduction.counts[{i}]"
        name = item.get("indicator")
        if name not in COUNTS:
            errors.append(FieldError(f"{where}.indicator", "unknown_count", {"value": name}))
        counts.append(CountTerm(str(name), _number(errors, f"{where}.per", item.get("per"))))
    base = _number(errors, "deduction.base", ded.get("base", 0.0))
    floor = _number(errors, "deduction.floor", ded.get("floor", 0.0), minimum=float("-inf"))
    scoring = doc.get("scoring", {})
    require = scoring.get("require_any", [])
    for name in require:
        if name not in RATES:
            errors.append(FieldError("scoring.require_any", "unknown_rate", {"value": name}))
    round_to = scoring.get("round_to", 2)
    if isinstance(round_to, bool) or not isinstance(round_to, int) or not 0 <= round_to <= 6:
        errors.append(FieldError("scoring.round_to", "out_of_range", {"value": round_to}))
    if errors:
        raise ValidationError(errors)
    return Composite(tuple(rates), base, floor, tuple(counts), tuple(require), int(round_to))


def load_composite(path: Path = COMPOSITE_FILE) -> Composite:
    return parse_composite(_read(path), str(path))
