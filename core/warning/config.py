"""The early-warning rules (resources/early_warning.toml): read, checked and typed here.

The format is documented at the top of the shipped file. A broken file is refused whole:
``ValidationError`` lists every bad entry with its place (``surge.scope[1].factor``) and a
code, and its params carry the file and the line, so an administrator finds it at once.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.domain.enums import LimitKind, Urgency
from core.errors import FieldError, ValidationError
from core.resources import RESOURCES
from core.toml_reader import TomlReader as _Reader
from core.warning.lines import toml_error_line
from core.warning.model import Severity

WARNING_FILE = RESOURCES / "early_warning.toml"
SEVERITIES = tuple(s.value for s in Severity)
URGENCIES = tuple(u.value for u in Urgency)
LIMIT_KINDS = tuple(k.value for k in LimitKind)
SURGE_SCOPES = ("county", "town")


@dataclass(frozen=True)
class ServiceSettings:
    every_seconds: float = 60.0
    catch_up_hours: int = 24
    overlap_minutes: int = 10


@dataclass(frozen=True)
class ClusterRule:
    enabled: bool = True
    window_minutes: int = 120
    min_count: int = 3
    category_level: int = 3
    by_grid: bool = True
    radius_m: float = 300.0
    severity: str = "orange"


@dataclass(frozen=True)
class RepeatWindow:
    hours: int
    min_calls: int
    severity: str


@dataclass(frozen=True)
class RepeatRule:
    enabled: bool = True
    windows: tuple[RepeatWindow, ...] = ()


@dataclass(frozen=True)
class WordGroup:
    name: str
    words: tuple[str, ...]
    urgency: str
    severity: str


@dataclass(frozen=True)
class SensitiveRule:
    enabled: bool = True
    groups: tuple[WordGroup, ...] = ()
    ignore: tuple[str, ...] = ()


@dataclass(frozen=True)
class SurgeScope:
    by: str
    factor: float
    min_count: int
    severity: str


@dataclass(frozen=True)
class SurgeRule:
    enabled: bool = True
    window_minutes: int = 60
    weeks: int = 4
    scopes: tuple[SurgeScope, ...] = ()


@dataclass(frozen=True)
class UnitBatch:
    enabled: bool = True
    within_hours: int = 4
    min_orders: int = 10
    severity: str = "orange"


@dataclass(frozen=True)
class NearBreachRule:
    enabled: bool = True
    within_minutes: int = 20
    urgency: tuple[str, ...] = ("urgent", "critical")
    limits: tuple[str, ...] = ("handout", "accept", "resolve")
    severity: str = "red"
    unit: UnitBatch = UnitBatch()


@dataclass(frozen=True)
class WarningRules:
    service: ServiceSettings = ServiceSettings()
    cluster: ClusterRule = ClusterRule()
    repeat_caller: RepeatRule = RepeatRule()
    sensitive_words: SensitiveRule = SensitiveRule()
    surge: SurgeRule = SurgeRule()
    near_breach: NearBreachRule = NearBreachRule()
    source: str = "<rules>"


def _service(r: _Reader, doc: dict[str, Any]) -> ServiceSettings:
    t = r.table(doc, "", "service", ("every_seconds", "catch_up_hours", "overlap_minutes"))
    return ServiceSettings(
        r.number(t, "service", "every_seconds", 60.0, 1.0, 86400.0),
        r.integer(t, "service", "catch_up_hours", 24, 1, 24 * 31),
        r.integer(t, "service", "overlap_minutes", 10, 0, 24 * 60),
    )


def _cluster(r: _Reader, doc: dict[str, Any]) -> ClusterRule:
    w = "cluster"
    keys = ("enabled", "window_minutes", "min_count", "category_level", "by_grid", "radius_m")
    t = r.table(doc, "", w, (*keys, "severity"))
    rule = ClusterRule(
        r.flag(t, w, "enabled", True),
        r.integer(t, w, "window_minutes", 120, 1, 7 * 24 * 60),
        r.integer(t, w, "min_count", 3, 2, 10_000),
        r.integer(t, w, "category_level", 3, 1, 3),
        r.flag(t, w, "by_grid", True),
        r.number(t, w, "radius_m", 300.0, 0.0, 50_000.0),
        r.choice(t, w, "severity", "orange", SEVERITIES),
    )
    if rule.enabled and not rule.by_grid and rule.radius_m == 0:
        r.bad(f"{w}.by_grid", "nothing_to_compare", False)
    return rule


def _repeat(r: _Reader, doc: dict[str, Any]) -> RepeatRule:
    w = "repeat_caller"
    t = r.table(doc, "", w, ("enabled", "window"))
    windows = []
    for where, item in r.tables(t, w, "window"):
        r.known(item, where, ("hours", "min_calls", "severity"))
        windows.append(
            RepeatWindow(
                r.integer(item, where, "hours", 72, 1, 24 * 366),
                r.integer(item, where, "min_calls", 3, 2, 10_000),
                r.choice(item, where, "severity", None, SEVERITIES),
            )
        )
    return RepeatRule(r.flag(t, w, "enabled", True), tuple(windows))


def _sensitive(r: _Reader, doc: dict[str, Any]) -> SensitiveRule:
    w = "sensitive_words"
    t = r.table(doc, "", w, ("enabled", "ignore", "group"))
    groups = []
    for where, item in r.tables(t, w, "group"):
        r.known(item, where, ("name", "words", "urgency", "severity"))
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            r.bad(f"{where}.name", "required", name)
            name = ""
        words = r.strings(item, where, "words", ())
        if not words and "words" in item:
            r.bad(f"{where}.words", "required", item.get("words"))
        elif "words" not in item:
            r.bad(f"{where}.words", "required")
        urgency = r.choice(item, where, "urgency", None, URGENCIES[1:])
        groups.append(
            WordGroup(
                name.strip(), words, urgency, r.choice(item, where, "severity", None, SEVERITIES)
            )
        )
    return SensitiveRule(
        r.flag(t, w, "enabled", True), tuple(groups), r.strings(t, w, "ignore", ())
    )


def _surge(r: _Reader, doc: dict[str, Any]) -> SurgeRule:
    w = "surge"
    t = r.table(doc, "", w, ("enabled", "window_minutes", "weeks", "scope"))
    scopes = []
    for where, item in r.tables(t, w, "scope"):
        r.known(item, where, ("by", "factor", "min_count", "severity"))
        scopes.append(
            SurgeScope(
                r.choice(item, where, "by", None, SURGE_SCOPES),
                r.number(item, where, "factor", 2.0, 1.0, 1000.0),
                r.integer(item, where, "min_count", 10, 1, 1_000_000),
                r.choice(item, where, "severity", None, SEVERITIES),
            )
        )
    return SurgeRule(
        r.flag(t, w, "enabled", True),
        r.integer(t, w, "window_minutes", 60, 5, 24 * 60),
        r.integer(t, w, "weeks", 4, 1, 52),
        tuple(scopes),
    )


def _near_breach(r: _Reader, doc: dict[str, Any]) -> NearBreachRule:
    w = "near_breach"
    keys = ("enabled", "within_minutes", "urgency", "limits", "severity", "unit")
    t = r.table(doc, "", w, keys)
    u = r.table(t, w, "unit", ("enabled", "within_hours", "min_orders", "severity"))
    uw = f"{w}.unit"
    unit = UnitBatch(
        r.flag(u, uw, "enabled", True),
        r.integer(u, uw, "within_hours", 4, 1, 24 * 7),
        r.integer(u, uw, "min_orders", 10, 1, 1_000_000),
        r.choice(u, uw, "severity", "orange", SEVERITIES),
    )
    return NearBreachRule(
        r.flag(t, w, "enabled", True),
        r.integer(t, w, "within_minutes", 20, 1, 24 * 60),
        r.strings(t, w, "urgency", ("urgent", "critical"), URGENCIES),
        r.strings(t, w, "limits", ("handout", "accept", "resolve"), LIMIT_KINDS),
        r.choice(t, w, "severity", "red", SEVERITIES),
        unit,
    )


def parse_rules(text: str, source: str = "<rules>") -> WarningRules:
    """The rules of one file's text; raises ``ValidationError`` listing every bad entry."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        params = {"file": source, "line": toml_error_line(str(exc)), "error": str(exc)}
        raise ValidationError([FieldError("file", "bad_toml", params)]) from exc
    r = _Reader(text, source)
    tables = ("service", "cluster", "repeat_caller", "sensitive_words", "surge", "near_breach")
    r.known(doc, "", tables)
    rules = WarningRules(
        _service(r, doc),
        _cluster(r, doc),
        _repeat(r, doc),
        _sensitive(r, doc),
        _surge(r, doc),
        _near_breach(r, doc),
        source,
    )
    if r.errors:
        raise ValidationError(r.errors)
    return rules


def load_rules(path: Path = WARNING_FILE) -> WarningRules:
    try:
        text = path.read_bytes().decode("utf-8-sig")  # Notepad's BOM is welcome
    except UnicodeDecodeError as exc:
        params = {"file": str(path), "offset": exc.start}
        raise ValidationError([FieldError("file", "bad_encoding", params)]) from exc
    return parse_rules(text, str(path))


class RulesFile:
    """The rules of a file, read again whenever the file changes (the service runs for
    weeks; an administrator edits the file meanwhile). A broken edit raises on every
    ``current()`` until it is fixed: the job fails loudly rather than run stale rules."""

    def __init__(self, path: Path = WARNING_FILE) -> None:
        self.path = path
        self._stamp: tuple[int, int] | None = None
        self._rules: WarningRules | None = None

    def current(self) -> WarningRules:
        stat = self.path.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
        if self._rules is None or stamp != self._stamp:
            self._rules = None
            self._rules = load_rules(self.path)
            self._stamp = stamp
        return self._rules
