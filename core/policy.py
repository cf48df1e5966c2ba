"""Time-limit policy: versioned rules keyed by class, request type, urgency, channel, tier.

The policy is data (resources/policy/time_limits.toml, documented there), copied into
the database so every workstation computes the same deadlines.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from core.calendar import WorkCalendar
from core.deadlines import Due, EndRule, LimitUnit, compute_due
from core.domain.enums import Channel, LimitKind, LimitStart, RequestType, Urgency
from core.errors import FieldError, ValidationError
from core.taxonomy import LIMIT_CLASSES

MATCH_KEYS = ("limit_class", "request_type", "urgency", "channel", "tier")
UNSATISFIED_POLICIES = ("reopen", "supervisor_close")
VISIT_EXPIRED_POLICIES = ("close", "keep")


@dataclass(frozen=True)
class LimitFacts:
    """What a rule may key on, for one order at one moment."""

    limit_class: str
    request_type: str
    urgency: str
    channel: str
    tier: int | None

    def value(self, key: str) -> str | None:
        raw = getattr(self, key)
        return None if raw is None else str(raw)


@dataclass(frozen=True)
class LimitRule:
    id: str
    limit: LimitKind
    start: LimitStart
    amount: int
    unit: LimitUnit
    end: EndRule
    match: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def matches(self, facts: LimitFacts) -> bool:
        return all(facts.value(k) in allowed for k, allowed in self.match.items())


@dataclass(frozen=True)
class VisitWindow:
    """How long an order may wait in pending_visit (待回访), counted from the passed review."""

    amount: int = 3
    unit: LimitUnit = LimitUnit.WORKING_DAYS
    end: EndRule = EndRule.SAME_TIME

    def due(self, entered: datetime, cal: WorkCalendar, tz: ZoneInfo) -> Due:
        return compute_due(entered, self.amount, self.unit, self.end, cal, tz)

    def shortest(self) -> timedelta:
        """No window ends sooner than this after it starts (a cheap filter in SQL):
        working days and end-of-day rules only ever add time."""
        return (
            timedelta(hours=self.amount)
            if self.unit is LimitUnit.HOURS
            else timedelta(days=self.amount)
        )


@dataclass(frozen=True)
class PolicyVersion:
    id: str
    effective_from: datetime
    warn_ratio: float
    extension_max_count: int
    extension_max_days: int
    visit_max_attempts: int
    unsatisfied_visit: str
    rules: tuple[LimitRule, ...]
    # Old documents lack these two keys: the defaults apply.
    visit_window: VisitWindow = VisitWindow()
    visit_expired: str = "close"  # "close": the service closes it as unreachable; "keep"
    appeal_days: int = 5  # working days after a mark in which its unit may appeal (申诉)


class PolicyBook:
    """All versions; picks the one in force at an instant, and the rule for a limit."""

    def __init__(self, versions: Iterable[PolicyVersion]) -> None:
        self.versions = sorted(versions, key=lambda v: v.effective_from)
        if not self.versions:
            raise ValueError("a policy needs at least one version")

    def version_at(self, at: datetime) -> PolicyVersion:
        chosen = self.versions[0]
        for v in self.versions:
            if v.effective_from <= at:
                chosen = v
        return chosen

    def candidates(
        self, version: PolicyVersion, limit: LimitKind, facts: LimitFacts
    ) -> list[LimitRule]:
        """Matching rules of the highest specificity, in file order."""
        found = [r for r in version.rules if r.limit == limit and r.matches(facts)]
        if not found:
            return []
        top = max(len(r.match) for r in found)
        return [r for r in found if len(r.match) == top]

    def rule_for(
        self,
        limit: LimitKind,
        at: datetime,
        facts: LimitFacts,
        due_of: Callable[[LimitRule], datetime],
    ) -> tuple[PolicyVersion, LimitRule] | None:
        """The most specific rule; among equals, the stricter (earliest due), then file order."""
        version = self.version_at(at)
        best = self.candidates(version, limit, facts)
        if not best:
            return None
        return version, min(best, key=due_of) if len(best) > 1 else best[0]


# --- parsing ---------------------------------------------------------------------------


def _enum_values(key: str) -> frozenset[str] | None:
    return {
        "limit_class": LIMIT_CLASSES,
        "request_type": frozenset(RequestType),
        "urgency": frozenset(Urgency),
        "channel": frozenset(Channel),
    }.get(key)


def _as_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else None
    if isinstance(value, date):
        return None
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return None
        return parsed if parsed.tzinfo else None
    return None


def _parse_rule(item: Any, where: str, src: str, errors: list[FieldError]) -> LimitRule | None:
    def bad(f: str, code: str, value: Any) -> None:
        errors.append(FieldError(f"{where}.{f}", code, {"source": src, "value": value}))

    if not isinstance(item, dict):
        bad("", "not_a_table", item)
        return None
    before = len(errors)
    rid = item.get("id")
    if not isinstance(rid, str) or not rid:
        bad("id", "missing", rid)
    parsed: dict[str, Any] = {}
    for key, enum in (
        ("limit", LimitKind),
        ("start", LimitStart),
        ("unit", LimitUnit),
        ("end", EndRule),
    ):
        try:
            parsed[key] = enum(str(item.get(key)))
        except ValueError:
            bad(key, "unknown_value", item.get(key))
    amount = item.get("amount")
    if not isinstance(amount, int) or isinstance(amount, bool) or amount < 1:
        bad("amount", "not_positive_int", amount)
    match: dict[str, frozenset[str]] = {}
    raw_match = item.get("match", {})
    if not isinstance(raw_match, dict):
        bad("match", "not_a_table", raw_match)
        raw_match = {}
    for key, allowed in raw_match.items():
        if key not in MATCH_KEYS:
            bad(f"match.{key}", "unknown_key", key)
            continue
        values = allowed if isinstance(allowed, list) else [allowed]
        texts = frozenset(str(v) for v in values)
        known = _enum_values(key)
        unknown = sorted(texts - known) if known is not None else []
        if unknown or not texts:
            bad(f"match.{key}", "unknown_value", unknown or values)
            continue
        match[key] = texts
    if len(errors) > before:
        return None
    assert isinstance(amount, int)
    return LimitRule(
        str(rid),
        parsed["limit"],
        parsed["start"],
        amount,
        parsed["unit"],
        parsed["end"],
        match,
    )


def _parse_visit_window(raw: Any, bad: Callable[[str, str, Any], None]) -> VisitWindow | None:
    """``visit_window = { amount = 3, unit = "working_days", end = "same_time" }``;
    every key is optional."""
    if not isinstance(raw, dict):
        bad("visit_window", "not_a_table", raw)
        return None
    default = VisitWindow()
    ok = True
    for key in sorted(set(raw) - {"amount", "unit", "end"}):
        bad(f"visit_window.{key}", "unknown_key", key)
        ok = False
    amount = raw.get("amount", default.amount)
    if not isinstance(amount, int) or isinstance(amount, bool) or amount < 1:
        bad("visit_window.amount", "not_positive_int", amount)
        ok = False
    try:
        unit = LimitUnit(str(raw.get("unit", default.unit.value)))
    except ValueError:
        bad("visit_window.unit", "unknown_value", raw.get("unit"))
        ok = False
    try:
        end = EndRule(str(raw.get("end", default.end.value)))
    except ValueError:
        bad("visit_window.end", "unknown_value", raw.get("end"))
        ok = False
    return VisitWindow(amount, unit, end) if ok else None


def parse_policy_document(doc: Mapping[str, Any], src: str = "<policy>") -> list[PolicyVersion]:
    """Validate a whole policy; every bad field is reported with its path."""
    errors: list[FieldError] = []
    versions: list[PolicyVersion] = []
    raw_versions = doc.get("version", [])
    if not isinstance(raw_versions, list) or not raw_versions:
        raise ValidationError([FieldError("version", "missing", {"source": src})])
    seen: set[str] = set()
    for i, v in enumerate(raw_versions):
        where = f"version[{i}]"

        def bad(f: str, code: str, value: Any, where: str = where) -> None:
            errors.append(FieldError(f"{where}.{f}", code, {"source": src, "value": value}))

        vid = v.get("id")
        if not isinstance(vid, str) or not vid:
            bad("id", "missing", vid)
        elif vid in seen:
            bad("id", "duplicate", vid)
        seen.add(str(vid))
        eff = _as_datetime(v.get("effective_from"))
        if eff is None:
            bad("effective_from", "not_aware_datetime", v.get("effective_from"))
        ratio = v.get("warn_ratio", 0.2)
        if not isinstance(ratio, int | float) or not 0 <= ratio <= 1:
            bad("warn_ratio", "out_of_range", ratio)
        ints = {}
        for key, default in (
            ("extension_max_count", 2),
            ("extension_max_days", 30),
            ("visit_max_attempts", 3),
            ("appeal_days", 5),
        ):
            val = v.get(key, default)
            if not isinstance(val, int) or isinstance(val, bool) or val < 0:
                bad(key, "not_non_negative_int", val)
            ints[key] = val
        unsat = v.get("unsatisfied_visit", "reopen")
        if unsat not in UNSATISFIED_POLICIES:
            bad("unsatisfied_visit", "unknown_value", unsat)
        window = _parse_visit_window(v.get("visit_window", {}), bad)
        expired = v.get("visit_expired", "close")
        if expired not in VISIT_EXPIRED_POLICIES:
            bad("visit_expired", "unknown_value", expired)
        rules = [
            _parse_rule(r, f"{where}.rule[{j}]", src, errors)
            for j, r in enumerate(v.get("rule", []))
        ]
        ids = [r.id for r in rules if r]
        for dup in {x for x in ids if ids.count(x) > 1}:
            bad("rule", "duplicate_id", dup)
        for kind in LimitKind:
            if not any(r and r.limit == kind and not r.match for r in rules):
                bad("rule", "no_default_rule", kind.value)
        if eff is not None and not errors:
            versions.append(
                PolicyVersion(
                    str(vid),
                    eff.astimezone(UTC),
                    float(ratio),
                    ints["extension_max_count"],
                    ints["extension_max_days"],
                    ints["visit_max_attempts"],
                    str(unsat),
                    tuple(r for r in rules if r),
                    window or VisitWindow(),
                    str(expired),
                    ints["appeal_days"],
                )
            )
    if errors:
        raise ValidationError(errors)
    return versions


def load_policy_text(text: str, src: str = "<policy>") -> dict[str, Any]:
    """TOML text → a JSON-safe document (datetimes as ISO text), for storing in the database."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError(
            [FieldError("file", "bad_toml", {"source": src, "error": str(exc)})]
        ) from exc
    parse_policy_document(doc, src)  # validate before anything is stored
    return _json_safe(doc)  # type: ignore[no-any-return]


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value
