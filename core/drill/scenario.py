"""Drill scenario files (resources/drills/*.toml): read, checked and typed here.

A scenario scripts a drill: what arrives when (injects), how each should be handled, and
what happens around the trainees (situations). Offsets count from the drill's start on
the drill's clock, so a scenario runs the same at 1× or 60×, and in tests on a manual one.

    [scenario]
    id = "flood_night"        # letters, digits, _ and -; the drill database remembers it
    title = "暴雨夜"
    description = "…"         # optional
    duration = "02:00:00"     # HH:MM:SS (or MM:SS); every offset lies within it
    speed = 10                # optional: the drill clock's default speed, 0.1–600 (1)

    [[inject]]                # something arrives; one table per inject
    id = "rain-01"            # unique in the file (injects and situations); up to 64 of
                              # letters, digits, _ - . : ; orders carry it as external_ref
    at = "00:05:00"           # after the start: HH:MM:SS or MM:SS (a bare TOML time too)
    kind = "call"             # call | patrol_report | city_handdown | iot_alert | video_alert
    category = "030501"       # DB44/T 2479-2024 code or node id (required)
    description = "…"         # required; title optional (from the description otherwise)
    request_type = "help"     # consultation help complaint report suggestion praise (help)
    urgency = "urgent"        # normal urgent critical (normal)
    address = "…"             # the place: any of address (a standard address places it),
    lon = 118.459             # lon + lat (gcj02 = true for a 高德/WeChat pick), grid (a
    lat = 32.978              # territorial unit's code); an alert needs one; grid and
                              # lon/lat exclude each other
    # orders (call, patrol_report, city_handdown): caller, phone (required for a call or
    # a hand-down unless anonymous = true), anonymous, confidential, and for disputes
    # dispute_type, risk_grade (red orange yellow green), leader,
    # parties = [{ name = "…", role = "…", phone = "…" }]
    # city_handdown: due_hours, the city platform's deadline in hours after arrival
    # (required); the inject id stands for the platform's order number
    # alerts (iot_alert, video_alert): device (optional, kept with the item)
    expect = { level = "town", unit = "town04", within = "00:15:00" }
    # or as a table [inject.expect] after the inject's keys. level: county town village
    # (or 1 2 3), the tier it should be dispatched to (required unless dismiss); unit: the
    # unit's code (optional); within: the deadline for dispatch (optional);
    # dismiss = true: a false alarm the duty officer should dismiss (alerts only)

    [[situation]]             # something changes around the trainees
    id = "water-down"         # optional (situation-1, situation-2 … in file order)
    at = "00:40:00"
    kind = "unit_unreachable" # unit_unreachable | unit_back | announcement
    unit = "dept:water"       # required for unit_unreachable and unit_back
    text = "…"                # required for an announcement

A broken file is refused whole: ``ValidationError`` lists every problem with its place
(``inject[3].expect.level``), a code, and the file and line in its params.
``validate_against`` checks the codes against a database's reference data (categories,
units, points inside the county), which ``parse_scenario`` cannot know.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time, timedelta
from pathlib import Path
from typing import Any

from core.domain.enums import Channel, RequestType, RiskGrade, Urgency
from core.errors import FieldError, ValidationError
from core.geo import gcj02_to_wgs84, validate_lonlat
from core.phone import PhoneError, parse_phone
from core.resources import RESOURCES
from core.toml_reader import TomlReader, read_text_file
from core.warning.lines import key_lines, line_of, toml_error_line
from core.workflow.context import Reference

DRILLS = RESOURCES / "drills"
ORDER_KINDS: Mapping[str, str] = {
    "call": Channel.HOTLINE.value,
    "patrol_report": Channel.GRID_PATROL.value,
    "city_handdown": Channel.CITY_PLATFORM.value,
}
ALERT_KINDS: Mapping[str, str] = {"iot_alert": "iot", "video_alert": "video"}
INJECT_KINDS = (*ORDER_KINDS, *ALERT_KINDS)
SITUATION_KINDS = ("unit_unreachable", "unit_back", "announcement")
LEVELS: Mapping[str, int] = {"county": 1, "town": 2, "village": 3}
REQUEST_TYPES = tuple(t.value for t in RequestType)
URGENCIES = tuple(u.value for u in Urgency)
RISK_GRADES = tuple(g.value for g in RiskGrade)
MAX_DURATION = timedelta(days=7)
_COMMON = ("id", "at", "kind", "title", "description", "category", "request_type", "urgency")
_PLACE = ("address", "lon", "lat", "gcj02", "grid", "expect")
_ORDER = ("caller", "phone", "anonymous", "confidential", "dispute_type", "risk_grade")
_KEYS: Mapping[str, tuple[str, ...]] = {
    "call": (*_COMMON, *_PLACE, *_ORDER, "parties", "leader"),
    "patrol_report": (*_COMMON, *_PLACE, *_ORDER, "parties", "leader"),
    "city_handdown": (*_COMMON, *_PLACE, *_ORDER, "parties", "leader", "due_hours"),
    "iot_alert": (*_COMMON, *_PLACE, "device"),
    "video_alert": (*_COMMON, *_PLACE, "device"),
}
_ANY_KEY = frozenset(k for keys in _KEYS.values() for k in keys)
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:\-]{0,63}")
_SCENARIO_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-]{0,39}")
_OFFSET = re.compile(r"(?:(\d{1,3}):)?(\d{1,3}):([0-5]\d)")


@dataclass(frozen=True)
class Party:
    name: str
    role: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class Expect:
    """How an inject should be handled: dispatched to ``level`` (1 county, 2 town,
    3 village), to ``unit`` when named, ``within`` after it arrived; or dismissed."""

    level: int | None = None
    unit: str | None = None
    within: timedelta | None = None
    dismiss: bool = False


@dataclass(frozen=True)
class Inject:
    id: str
    at: timedelta
    kind: str
    category: str
    description: str
    expect: Expect
    title: str = ""
    request_type: str = RequestType.HELP.value
    urgency: str = Urgency.NORMAL.value
    address: str | None = None
    lon: float | None = None
    lat: float | None = None
    gcj02: bool = False
    grid: str | None = None
    caller: str | None = None
    phone: str | None = None
    anonymous: bool = False
    confidential: bool = False
    dispute_type: str | None = None
    risk_grade: str | None = None
    parties: tuple[Party, ...] = ()
    leader: str | None = None
    due_hours: float | None = None
    device: str | None = None
    place: str = ""  # where it was written (``inject[3]``), for problems found later

    @property
    def is_alert(self) -> bool:
        return self.kind in ALERT_KINDS

    @property
    def channel(self) -> str:
        """The intake channel the inject arrives by (an alert's order, once confirmed,
        comes by video_iot)."""
        return ORDER_KINDS.get(self.kind, Channel.VIDEO_IOT.value)


@dataclass(frozen=True)
class Situation:
    id: str
    at: timedelta
    kind: str
    unit: str | None = None
    text: str = ""
    place: str = ""


Entry = Inject | Situation


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    description: str
    duration: timedelta
    speed: float
    injects: tuple[Inject, ...]
    situations: tuple[Situation, ...] = ()
    source: str = "<scenario>"
    lines: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)

    def entries(self) -> list[Entry]:
        """Injects and situations in the order they fire: by offset, a situation before
        an inject at the same moment (the world changes, then the call comes), then in
        file order."""
        both: list[tuple[timedelta, int, int, Entry]] = [
            (s.at, 0, i, s) for i, s in enumerate(self.situations)
        ]
        both += [(j.at, 1, i, j) for i, j in enumerate(self.injects)]
        return [e for *_, e in sorted(both, key=lambda t: t[:3])]


class _Reader(TomlReader):
    """The shared reader, with lines for tables inside array entries (``[inject.expect]``
    under the third ``[[inject]]`` is ``inject[2].expect``), which key_lines files under
    the array's name."""

    def __init__(self, text: str, source: str) -> None:
        super().__init__(text, source)
        self.lines = _lines(text)

    def text(
        self, t: dict[str, Any], where: str, key: str, limit: int, required: bool = False
    ) -> str | None:
        value = t.get(key)
        if value is None:
            if required:
                self.bad(f"{where}.{key}", "required")
            return None
        if not isinstance(value, str):
            self.bad(f"{where}.{key}", "not_a_string", value)
            return None
        text = value.strip()
        if not text and required:
            self.bad(f"{where}.{key}", "required")
        elif len(text) > limit:
            self.bad(f"{where}.{key}", "too_long", len(text))
            return None
        return text or None

    def offset(
        self, t: dict[str, Any], where: str, key: str, code: str, required: bool = True
    ) -> timedelta | None:
        value = t.get(key)
        if value is None:
            if required:
                self.bad(f"{where}.{key}", "required")
            return None
        found = parse_offset(value)
        if found is None:
            self.bad(f"{where}.{key}", code, str(value))
        return found


def _lines(text: str) -> dict[str, int]:
    arrays: dict[str, int] = {}
    out: list[str] = []
    for line in text.splitlines():
        array = re.match(r"\s*\[\[\s*([A-Za-z0-9_]+)\s*\]\]", line)
        sub = re.match(r"(\s*\[\[?\s*)([A-Za-z0-9_]+)(\s*\.)", line)
        if array:
            arrays[array.group(1)] = arrays.get(array.group(1), 0) + 1
        elif sub and sub.group(2) in arrays:
            marked = f"{sub.group(2)}__{arrays[sub.group(2)] - 1}"
            line = f"{sub.group(1)}{marked}{sub.group(3)}{line[sub.end() :]}"
        out.append(line)
    found = key_lines("\n".join(out))
    return {re.sub(r"([A-Za-z0-9_]+)__(\d+)\.", r"\1[\2].", k): v for k, v in found.items()}


def parse_offset(value: object) -> timedelta | None:
    """``"01:30:00"``, ``"90:00"`` (minutes and seconds) or a bare TOML time → the span."""
    if isinstance(value, time) and value.tzinfo is None:
        return timedelta(hours=value.hour, minutes=value.minute, seconds=value.second)
    if not isinstance(value, str):
        return None
    found = _OFFSET.fullmatch(value.strip())
    if found is None:
        return None
    hours, minutes, seconds = found.groups()
    if hours is not None and int(minutes) > 59:
        return None
    return timedelta(hours=int(hours or 0), minutes=int(minutes), seconds=int(seconds))


def parse_scenario(text: str, source: str = "<scenario>") -> Scenario:
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        params = {"file": source, "line": toml_error_line(str(exc)), "error": str(exc)}
        raise ValidationError([FieldError("file", "bad_toml", params)]) from exc
    r = _Reader(text, source)
    r.known(doc, "", ("scenario", "inject", "situation"))
    t = r.table(doc, "", "scenario", ("id", "title", "description", "duration", "speed"))
    w = "scenario"
    scenario_id = r.text(t, w, "id", 40, required=True) or ""
    if scenario_id and not _SCENARIO_ID.fullmatch(scenario_id):
        r.bad(f"{w}.id", "bad_id", scenario_id)
    duration = r.offset(t, w, "duration", "bad_duration")
    if duration is not None and not timedelta(0) < duration <= MAX_DURATION:
        r.bad(f"{w}.duration", "out_of_range", t.get("duration"))
        duration = None
    injects = tuple(_inject(r, where, item) for where, item in r.tables(doc, "", "inject"))
    if not injects and not any(e.field.startswith("inject") for e in r.errors):
        r.bad("inject", "required")
    situations = tuple(
        _situation(r, where, item, i)
        for i, (where, item) in enumerate(r.tables(doc, "", "situation"))
    )
    _check_together(r, injects, situations, duration)
    scenario = Scenario(
        scenario_id,
        r.text(t, w, "title", 200, required=True) or "",
        r.text(t, w, "description", 5000) or "",
        duration or timedelta(0),
        r.number(t, w, "speed", 1.0, 0.1, 600.0),
        injects,
        situations,
        source,
        r.lines,
    )
    if r.errors:
        raise ValidationError(r.errors)
    return scenario


def _inject(r: _Reader, where: str, t: dict[str, Any]) -> Inject:
    kind = r.choice(t, where, "kind", None, INJECT_KINDS)
    if t.get("kind") not in INJECT_KINDS:
        kind = ""  # refused above; no checks that depend on the kind
    for key in t:
        if key not in _ANY_KEY:
            r.bad(f"{where}.{key}", "unknown_key", key)
        elif kind and key not in _KEYS[kind]:
            r.bad(f"{where}.{key}", "not_for_kind", kind)
    inject_id = _ident(r, t, where, required=True)
    lon, lat = t.get("lon"), t.get("lat")
    if (lon is None) != (lat is None):
        r.bad(f"{where}.{'lon' if lat is None else 'lat'}", "coordinates_incomplete")
        lon = lat = None
    elif lon is not None:
        for problem in validate_lonlat(lon, lat, f"{where}.lon"):
            r.bad(problem.field, problem.code, [lon, lat])
            lon = lat = None
    grid = r.text(t, where, "grid", 64)
    if grid is not None and lon is not None:
        r.bad(f"{where}.grid", "not_with_coordinates", grid)
    address = r.text(t, where, "address", 256)
    if kind in ALERT_KINDS and lon is None and grid is None and address is None:
        r.bad(where, "location_required")
    anonymous = r.flag(t, where, "anonymous", False)
    phone = r.text(t, where, "phone", 40)
    if phone is not None:
        _phone(r, f"{where}.phone", phone)
    elif kind in ("call", "city_handdown") and not anonymous:
        r.bad(f"{where}.phone", "phone_required", kind)
    due = None
    if kind == "city_handdown" and "due_hours" not in t:
        r.bad(f"{where}.due_hours", "required")
    elif kind == "city_handdown":
        due = r.number(t, where, "due_hours", 0.0, 0.01, 24.0 * 90) or None
    risk = t.get("risk_grade")
    return Inject(
        inject_id,
        r.offset(t, where, "at", "bad_offset") or timedelta(0),
        kind,
        r.text(t, where, "category", 64, required=True) or "",
        r.text(t, where, "description", 2000, required=True) or "",
        _expect(r, t, where, kind),
        r.text(t, where, "title", 200) or "",
        r.choice(t, where, "request_type", RequestType.HELP.value, REQUEST_TYPES),
        r.choice(t, where, "urgency", Urgency.NORMAL.value, URGENCIES),
        address,
        float(lon) if lon is not None else None,
        float(lat) if lat is not None else None,
        r.flag(t, where, "gcj02", False),
        grid,
        r.text(t, where, "caller", 64),
        phone,
        anonymous,
        r.flag(t, where, "confidential", False),
        r.text(t, where, "dispute_type", 64),
        r.choice(t, where, "risk_grade", None, RISK_GRADES) if risk is not None else None,
        _parties(r, t, where),
        r.text(t, where, "leader", 64),
        due,
        r.text(t, where, "device", 64),
        where,
    )


def _ident(r: _Reader, t: dict[str, Any], where: str, required: bool) -> str:
    value = r.text(t, where, "id", 64, required=required) or ""
    if value and not _ID.fullmatch(value):
        r.bad(f"{where}.id", "bad_id", value)
    return value


def _phone(r: _Reader, where: str, text: str) -> None:
    try:
        parse_phone(text)
    except PhoneError as exc:
        r.bad(where, exc.code, text)


def _parties(r: _Reader, t: dict[str, Any], where: str) -> tuple[Party, ...]:
    out: list[Party] = []
    for place, item in r.tables(t, where, "parties"):
        r.known(item, place, ("name", "role", "phone"))
        name = r.text(item, place, "name", 64, required=True)
        phone = r.text(item, place, "phone", 40)
        if phone is not None:
            _phone(r, f"{place}.phone", phone)
        if name:
            out.append(Party(name, r.text(item, place, "role", 64), phone))
    return tuple(out)


def _expect(r: _Reader, t: dict[str, Any], where: str, kind: str) -> Expect:
    if not isinstance(t.get("expect"), dict):
        r.bad(
            f"{where}.expect", "required" if "expect" not in t else "not_a_table", t.get("expect")
        )
        return Expect()
    e = r.table(t, where, "expect", ("level", "unit", "within", "dismiss"))
    w = f"{where}.expect"
    dismiss = r.flag(e, w, "dismiss", False)
    if dismiss and kind and kind not in ALERT_KINDS:
        r.bad(f"{w}.dismiss", "dismiss_only_for_alerts", kind)
    for key in ("level", "unit"):
        if dismiss and key in e:
            r.bad(f"{w}.{key}", "not_with_dismiss", e[key])
    level = e.get("level")
    if level is None:
        if not dismiss and isinstance(e.get("dismiss", False), bool):
            r.bad(f"{w}.level", "required")
    elif isinstance(level, str) and level in LEVELS:
        level = LEVELS[level]
    elif isinstance(level, bool) or level not in (1, 2, 3):
        r.bad(f"{w}.level", "unknown_value", level)
        level = None
    within = r.offset(e, w, "within", "bad_duration", required=False)
    if within is not None and within <= timedelta(0):
        r.bad(f"{w}.within", "out_of_range", e.get("within"))
    return Expect(None if dismiss else level, r.text(e, w, "unit", 64), within, dismiss)


def _situation(r: _Reader, where: str, t: dict[str, Any], index: int) -> Situation:
    r.known(t, where, ("id", "at", "kind", "unit", "text"))
    kind = r.choice(t, where, "kind", None, SITUATION_KINDS)
    unit = r.text(t, where, "unit", 64, required=kind != "announcement")
    text = r.text(t, where, "text", 500, required=kind == "announcement")
    return Situation(
        _ident(r, t, where, required=False) or f"situation-{index + 1}",
        r.offset(t, where, "at", "bad_offset") or timedelta(0),
        kind,
        unit,
        text or "",
        where,
    )


def _check_together(
    r: _Reader,
    injects: tuple[Inject, ...],
    situations: tuple[Situation, ...],
    duration: timedelta | None,
) -> None:
    """Ids unique across the file, offsets within the duration, and a unit back only
    after it became unreachable."""
    seen: set[str] = set()
    every: list[Entry] = [*injects, *situations]
    for e in every:
        if e.id and e.id in seen:
            r.bad(f"{e.place}.id", "duplicate_id", e.id)
        seen.add(e.id)
        if duration is not None and e.at > duration:
            r.bad(f"{e.place}.at", "after_end", str(e.at))
    down: set[str] = set()
    for s in sorted(situations, key=lambda s: s.at):
        if s.unit is None or s.kind == "announcement":
            continue
        if s.kind == "unit_unreachable":
            if s.unit in down:
                r.bad(f"{s.place}.unit", "already_unreachable", s.unit)
            down.add(s.unit)
        elif s.unit in down:
            down.discard(s.unit)
        else:
            r.bad(f"{s.place}.unit", "not_unreachable", s.unit)


def load_scenario(path: Path) -> Scenario:
    text = read_text_file(path)
    return parse_scenario(text, str(path))


def shipped() -> list[Path]:
    """The example scenarios in resources/drills/, by name."""
    return sorted(DRILLS.glob("*.toml"))


def validate_against(scenario: Scenario, reference: Reference) -> None:
    """Refuse the scenario unless its codes exist in this database: categories (selectable;
    a dispute category with its risk grade, dispute fields only on one), the units named
    as place, expected unit or situation (an expected unit at the expected level), and
    points inside the county."""
    from core.feeds.screen import CategoryIndex

    errors: list[FieldError] = []

    def bad(where: str, code: str, value: Any = None) -> None:
        params = {"file": scenario.source, "line": line_of(dict(scenario.lines), where)}
        errors.append(FieldError(where, code, {**params, "value": value}))

    org, cats = reference.org, CategoryIndex(reference.categories)
    for j in scenario.injects:
        w = j.place
        cat = cats.resolve(j.category)
        if isinstance(cat, str):
            bad(f"{w}.category", cat, j.category)
        elif cat.is_dispute and j.is_alert:  # intake would refuse it: no risk grade
            bad(f"{w}.category", "dispute_category_on_alert", j.category)
        elif cat.is_dispute and j.risk_grade is None:
            bad(f"{w}.risk_grade", "required", cat.code)
        elif not cat.is_dispute and (j.risk_grade or j.dispute_type or j.parties or j.leader):
            bad(f"{w}.category", "not_a_dispute_category", j.category)
        if j.grid is not None:
            unit = org.by_code(j.grid)
            if unit is None or not unit.territorial:
                bad(f"{w}.grid", "unknown_unit" if unit is None else "not_territorial", j.grid)
        if j.lon is not None and j.lat is not None:
            lon, lat = gcj02_to_wgs84(j.lon, j.lat) if j.gcj02 else (j.lon, j.lat)
            if not org.contains_point(lon, lat):
                bad(f"{w}.lon", "outside_county", [j.lon, j.lat])
        if j.expect.unit is not None:
            unit = org.by_code(j.expect.unit)
            if unit is None:
                bad(f"{w}.expect.unit", "unknown_unit", j.expect.unit)
            elif j.expect.level is not None and unit.level != j.expect.level:
                bad(f"{w}.expect.unit", "level_mismatch", j.expect.unit)
    for s in scenario.situations:
        if s.unit is not None and org.by_code(s.unit) is None:
            bad(f"{s.place}.unit", "unknown_unit", s.unit)
    if errors:
        raise ValidationError(errors)
