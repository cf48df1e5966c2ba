"""The safety index's configuration (平安指数, resources/analytics/safety_index.toml): its
categories, their indicators, weights, directions and normalisation. Read and checked here;
every bad entry is reported with the file, its place in the file and a code. The format is
documented at the top of the shipped file.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.analytics.rules import COUNTS, INDICATORS
from core.domain.enums import RiskGrade, Urgency
from core.errors import FieldError, ValidationError
from core.resources import RESOURCES

SAFETY_FILE = RESOURCES / "analytics" / "safety_index.toml"
ORDERS = "orders"  # the source counting orders registered in the period
SOURCES = (ORDERS, *INDICATORS)
DIRECTIONS = ("higher_is_better", "lower_is_better")
NORMALISATIONS = ("min_max", "band")
SCALES = ("none", "per_1000_orders")
_ID = re.compile(r"[a-z][a-z0-9_]*")
_CODE = re.compile(r"[0-9]{2,12}")


@dataclass(frozen=True)
class SafetyIndicator:
    id: str
    zh: str
    source: str  # "orders" or an indicator of indicators.toml
    weight: float
    direction: str
    normalise: str = "min_max"
    band: tuple[float, float] | None = None  # (low, high) for "band"
    scale: str = "none"  # counts: "none" | "per_1000_orders"
    categories: tuple[str, ...] = ()  # "orders": category codes, each with its subtree
    urgency: tuple[str, ...] = ()  # "orders": only these urgencies (empty: any)
    risk_grade: tuple[str, ...] = ()  # "orders": only these dispute risk grades
    dispute: bool | None = None  # "orders": only dispute (True) or non-dispute categories

    @property
    def counts(self) -> bool:
        """A count (orders, or a count indicator) rather than a rate."""
        return self.source == ORDERS or self.source in COUNTS


@dataclass(frozen=True)
class SafetyCategory:
    id: str
    zh: str
    weight: float
    indicators: tuple[SafetyIndicator, ...]


@dataclass(frozen=True)
class SafetyConfig:
    categories: tuple[SafetyCategory, ...]
    name: str = "平安指数"
    round_to: int = 2
    source: str = "<safety>"

    @property
    def indicators(self) -> tuple[SafetyIndicator, ...]:
        return tuple(i for c in self.categories for i in c.indicators)


class _Checker:
    def __init__(self, source: str) -> None:
        self.source = source
        self.errors: list[FieldError] = []

    def bad(self, where: str, code: str, value: Any = None) -> None:
        self.errors.append(FieldError(where, code, {"file": self.source, "value": value}))

    def text(
        self, item: dict[str, Any], where: str, key: str, pattern: re.Pattern[str] | None
    ) -> str:
        value = item.get(key)
        if not isinstance(value, str) or not value.strip():
            self.bad(f"{where}.{key}", "required", value)
            return ""
        if pattern is not None and not pattern.fullmatch(value):
            self.bad(f"{where}.{key}", "bad_id", value)
        return value

    def weight(self, item: dict[str, Any], where: str) -> float:
        value = item.get("weight")
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            self.bad(f"{where}.weight", "not_positive", value)
            return 0.0
        return float(value)

    def choice(
        self,
        item: dict[str, Any],
        where: str,
        key: str,
        allowed: tuple[str, ...],
        default: str | None,
    ) -> str:
        value = item.get(key, default)
        if value not in allowed:
            self.bad(f"{where}.{key}", "unknown_value", value)
            return allowed[0]
        return str(value)

    def strings(
        self,
        item: dict[str, Any],
        where: str,
        key: str,
        allowed: tuple[str, ...] | None,
        pattern: re.Pattern[str] | None = None,
    ) -> tuple[str, ...]:
        value = item.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.bad(f"{where}.{key}", "not_a_list_of_strings", value)
            return ()
        for v in value:
            if (allowed is not None and v not in allowed) or (pattern and not pattern.fullmatch(v)):
                self.bad(f"{where}.{key}", "unknown_value", v)
        return tuple(value)


_KEYS = {
    "id",
    "zh",
    "source",
    "weight",
    "direction",
    "normalise",
    "band",
    "scale",
    "categories",
    "urgency",
    "risk_grade",
    "dispute",
}


def _indicator(ck: _Checker, item: Any, where: str) -> SafetyIndicator | None:
    if not isinstance(item, dict):
        ck.bad(where, "not_a_table", item)
        return None
    for key in item:
        if key not in _KEYS:
            ck.bad(f"{where}.{key}", "unknown_key", key)
    ident = ck.text(item, where, "id", _ID)
    zh = ck.text(item, where, "zh", None)
    source = item.get("source")
    if source not in SOURCES:
        ck.bad(f"{where}.source", "unknown_source", source)
        source = ORDERS
    weight = ck.weight(item, where)
    direction = ck.choice(item, where, "direction", DIRECTIONS, None)
    normalise = ck.choice(item, where, "normalise", NORMALISATIONS, "min_max")
    band: tuple[float, float] | None = None
    raw_band = item.get("band")
    if normalise == "band" or raw_band is not None:
        ok = (
            isinstance(raw_band, list)
            and len(raw_band) == 2
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in raw_band)
            and raw_band[0] < raw_band[1]
        )
        if ok and normalise == "band" and isinstance(raw_band, list):
            band = (float(raw_band[0]), float(raw_band[1]))
        else:
            ck.bad(f"{where}.band", "bad_band", raw_band)
    counts = source == ORDERS or source in COUNTS
    scale = ck.choice(item, where, "scale", SCALES, "none")
    if scale != "none" and not counts:
        ck.bad(f"{where}.scale", "scale_needs_a_count", scale)
    filters = ("categories", "urgency", "risk_grade", "dispute")
    if source != ORDERS:
        for key in filters:
            if key in item:
                ck.bad(f"{where}.{key}", "filter_needs_orders_source", item[key])
    cats = ck.strings(item, where, "categories", None, _CODE)
    urgency = ck.strings(item, where, "urgency", tuple(u.value for u in Urgency))
    grades = ck.strings(item, where, "risk_grade", tuple(g.value for g in RiskGrade))
    dispute = item.get("dispute")
    if dispute is not None and not isinstance(dispute, bool):
        ck.bad(f"{where}.dispute", "not_bool", dispute)
        dispute = None
    return SafetyIndicator(
        ident,
        zh,
        str(source),
        weight,
        direction,
        normalise,
        band,
        scale,
        cats,
        urgency,
        grades,
        dispute,
    )


def parse_safety(doc: dict[str, Any], source: str = "<safety>") -> SafetyConfig:
    ck = _Checker(source)
    index = doc.get("index", {})
    if not isinstance(index, dict):
        ck.bad("index", "not_a_table", index)
        index = {}
    for key in index:
        if key not in ("name", "round_to"):
            ck.bad(f"index.{key}", "unknown_key", key)
    name = index.get("name", "平安指数")
    if not isinstance(name, str) or not name:
        ck.bad("index.name", "required", name)
    round_to = index.get("round_to", 2)
    if isinstance(round_to, bool) or not isinstance(round_to, int) or not 0 <= round_to <= 6:
        ck.bad("index.round_to", "out_of_range", round_to)
        round_to = 2
    for key in doc:
        if key not in ("index", "category"):
            ck.bad(key, "unknown_key", key)
    raw = doc.get("category", [])
    if not isinstance(raw, list) or not raw:
        ck.bad("category", "required", None)
        raw = []
    seen: set[str] = set()
    cats: list[SafetyCategory] = []
    for i, cat in enumerate(raw):
        where = f"category[{i}]"
        if not isinstance(cat, dict):
            ck.bad(where, "not_a_table", cat)
            continue
        for key in cat:
            if key not in ("id", "zh", "weight", "indicator"):
                ck.bad(f"{where}.{key}", "unknown_key", key)
        ident = ck.text(cat, where, "id", _ID)
        if ident in seen:
            ck.bad(f"{where}.id", "duplicate_id", ident)
        seen.add(ident)
        zh = ck.text(cat, where, "zh", None)
        weight = ck.weight(cat, where)
        items = cat.get("indicator", [])
        if not isinstance(items, list) or not items:
            ck.bad(f"{where}.indicator", "required", None)
            items = []
        inds: list[SafetyIndicator] = []
        for j, item in enumerate(items):
            ind = _indicator(ck, item, f"{where}.indicator[{j}]")
            if ind is None:
                continue
            if ind.id in seen:
                ck.bad(f"{where}.indicator[{j}].id", "duplicate_id", ind.id)
            seen.add(ind.id)
            inds.append(ind)
        cats.append(SafetyCategory(ident, zh, weight, tuple(inds)))
    if ck.errors:
        raise ValidationError(ck.errors)
    return SafetyConfig(tuple(cats), str(name), int(round_to), source)


def load_safety(path: Path = SAFETY_FILE) -> SafetyConfig:
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError(
            [FieldError("file", "bad_toml", {"file": str(path), "error": str(exc)})]
        ) from exc
    return parse_safety(doc, str(path))
