"""督办: what a supervisor reads before issuing notices and deciding requests.

- ``unit_loads``: per accountable unit (the unit holding the order; the centre while
  nobody does), how many of its open orders are in warning (临期) or overdue (超期), and
  how many notices those orders carry. One grouped query, in the database.
- ``late_orders``: one unit's warning and overdue orders, a page at a time, with their
  notices so far and the escalation suggestion of ``resources/supervision.toml``.
- ``pending_requests``: pause (挂账) and extension (延期) requests awaiting a decision.

The SLA conditions, the scope and the "next deadline" lookups are ``core.queues``'s own
expressions (``QueueSql``): the same warning and overdue as the work queues, at the same
cost (open orders only, deadlines from ``ix_time_limits_order_open``). Codes, not
sentences: the reasons of a suggestion are codes the desktop translates.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Connection, String, case, cast, func, or_, select

from core.calendar import WorkCalendar
from core.domain.actor import Actor
from core.domain.enums import OrderState, SupervisionLevel, UnitKind
from core.domain.events import EventKind
from core.domain.ids import OrderId
from core.errors import FieldError, ValidationError
from core.org import OrgDirectory, is_within
from core.queues import QueueSql, Scope, next_limit, panels_for
from core.resources import RESOURCES
from core.storage.schema import events, orders, time_limits, users

SUPERVISION_FILE = RESOURCES / "supervision.toml"

# --- the escalation rule ------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """When to suggest which notice; each field is documented in supervision.toml."""

    yellow_on_warning: bool = True
    yellow_on_overdue: bool = True
    red_after_working_days: int = 2
    escalate_after_working_days: int = 3


class Advice(StrEnum):
    NONE = "none"
    YELLOW = "yellow"  # 黄牌督办
    RED = "red"  # 红牌督办
    ESCALATE = "escalate"  # 提级: a red notice to the unit above the holder


class Because(StrEnum):
    """Why a suggestion is what it is (the desktop words each one)."""

    WARNING_NO_NOTICE = "warning_no_notice"
    OVERDUE_NO_NOTICE = "overdue_no_notice"
    YELLOW_STANDS = "yellow_stands"  # a yellow notice old enough, still overdue
    YELLOW_RECENT = "yellow_recent"
    RED_STANDS = "red_stands"
    RED_RECENT = "red_recent"
    NOTICE_GIVEN = "notice_given"  # in warning, already noticed
    PAUSED = "paused"
    NOT_LATE = "not_late"


@dataclass(frozen=True)
class Suggestion:
    advice: Advice
    because: Because
    age: int | None = None  # working days since the notice the reason is about
    needed: int | None = None  # the working days the rule waits for

    @property
    def level(self) -> SupervisionLevel | None:
        """The notice that applying the suggestion issues (提级 is a red one)."""
        if self.advice is Advice.YELLOW:
            return SupervisionLevel.YELLOW
        if self.advice in (Advice.RED, Advice.ESCALATE):
            return SupervisionLevel.RED
        return None


def parse_rule(doc: dict[str, Any], source: str) -> Rule:
    """``[rule]`` of the file; every bad entry is named by file and key."""
    errors: list[FieldError] = []
    raw = doc.get("rule")
    if not isinstance(raw, dict):
        raise ValidationError([FieldError("rule", "missing_table", {"source": source})])
    defaults = Rule()
    known = {f.name for f in fields(Rule)}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        where = f"rule.{key}"
        if key not in known:
            errors.append(FieldError(where, "unknown_key", {"source": source}))
            continue
        want = type(getattr(defaults, key))
        if want is bool and not isinstance(value, bool):
            errors.append(FieldError(where, "not_bool", {"source": source, "value": value}))
        elif want is int and (isinstance(value, bool) or not isinstance(value, int)):
            errors.append(FieldError(where, "not_int", {"source": source, "value": value}))
        elif want is int and not 1 <= value <= 60:
            errors.append(FieldError(where, "out_of_range", {"source": source, "value": value}))
        else:
            values[key] = value
    if errors:
        raise ValidationError(errors)
    return Rule(**values)


def load_rule(path: Path = SUPERVISION_FILE) -> Rule:
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError(
            [FieldError("file", "bad_toml", {"source": str(path), "error": str(exc)})]
        ) from exc
    return parse_rule(doc, str(path))


@dataclass(frozen=True)
class Notice:
    level: str  # SupervisionLevel
    at: datetime
    unit_id: int | None


def working_age(cal: WorkCalendar, tz: ZoneInfo, at: datetime, now: datetime) -> int:
    """Working days after the day of ``at`` up to and including today (both local)."""
    start: date = at.astimezone(tz).date() + timedelta(days=1)
    end: date = now.astimezone(tz).date() + timedelta(days=1)
    return cal.working_days_between(start, end)


def suggest(
    rule: Rule,
    cal: WorkCalendar,
    tz: ZoneInfo,
    now: datetime,
    *,
    warning: bool,
    overdue: bool,
    paused: bool,
    notices: Sequence[Notice],
) -> Suggestion:
    """The rule of supervision.toml, for one order; ``notices`` are those of the
    current time limit (issued since it started)."""
    if paused:
        return Suggestion(Advice.NONE, Because.PAUSED)
    reds = [n.at for n in notices if n.level == SupervisionLevel.RED]
    yellows = [n.at for n in notices if n.level == SupervisionLevel.YELLOW]
    if overdue:
        if reds:
            age = working_age(cal, tz, max(reds), now)
            need = rule.escalate_after_working_days
            if age >= need:
                return Suggestion(Advice.ESCALATE, Because.RED_STANDS, age, need)
            return Suggestion(Advice.NONE, Because.RED_RECENT, age, need)
        if yellows:
            age = working_age(cal, tz, max(yellows), now)
            need = rule.red_after_working_days
            if age >= need:
                return Suggestion(Advice.RED, Because.YELLOW_STANDS, age, need)
            return Suggestion(Advice.NONE, Because.YELLOW_RECENT, age, need)
        if rule.yellow_on_overdue:
            return Suggestion(Advice.YELLOW, Because.OVERDUE_NO_NOTICE)
        return Suggestion(Advice.NONE, Because.NOT_LATE)
    if warning:
        if notices:
            return Suggestion(Advice.NONE, Because.NOTICE_GIVEN)
        if rule.yellow_on_warning:
            return Suggestion(Advice.YELLOW, Because.WARNING_NO_NOTICE)
    return Suggestion(Advice.NONE, Because.NOT_LATE)


def escalation_target(org: OrgDirectory, unit_id: int) -> int:
    """Whom a 提级 notice goes to: the unit above the holder; the county for a county
    department and for the county itself."""
    unit = org.get(unit_id)
    if unit.kind in (UnitKind.DEPARTMENT, UnitKind.COUNTY) or unit.parent_id is None:
        county = next((u for u in org.all() if u.kind == UnitKind.COUNTY), None)
        return county.id if county is not None else unit_id
    return unit.parent_id


# --- the scope ---------------------------------------------------------------------------


def supervision_scope(actor: Actor, org: OrgDirectory) -> Scope:
    """The centre's view of the actor's unit: orders whose centre lies inside it (every
    centre for a county user). Handling units' own scopes are the work queues'."""
    inside = tuple(u.id for u in org.all() if is_within(u.path, actor.unit_path))
    everything = len(inside) == len(org)
    return Scope(None if everything else inside, None, (), panels_for(org, None))


def _sql(org: OrgDirectory, scope: Scope, now: datetime) -> QueueSql:
    county = panels_for(org, None)[0].level
    return QueueSql(scope, now, county, county)


def _holder() -> ColumnElement[int]:
    return func.coalesce(orders.c.lead_unit_id, orders.c.centre_unit_id)


# --- 1. by unit --------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitLoad:
    unit_id: int
    unit_name: str
    warning: int
    overdue: int
    notices: int  # notices so far on these orders


def unit_loads(conn: Connection, org: OrgDirectory, scope: Scope, now: datetime) -> list[UnitLoad]:
    """Every accountable unit with a warning or overdue order, most overdue first."""
    sql = _sql(org, scope, now)
    inner = (
        select(
            _holder().label("unit_id"),
            case((sql.overdue, 1), else_=0).label("overdue"),
            case((sql.warning, 1), else_=0).label("warning"),
            orders.c.supervision_count.label("notices"),
        )
        .select_from(orders)
        .where(sql.visible())
        .subquery()
    )
    late = or_(inner.c.overdue == 1, inner.c.warning == 1)
    stmt = (
        select(
            inner.c.unit_id,
            func.sum(inner.c.warning),
            func.sum(inner.c.overdue),
            func.sum(inner.c.notices),
        )
        .where(late)
        .group_by(inner.c.unit_id)
    )
    out = []
    for unit_id, warning, overdue, notices in conn.execute(stmt):
        unit = org.find(int(unit_id))
        out.append(
            UnitLoad(
                int(unit_id),
                unit.name if unit is not None else str(unit_id),
                int(warning or 0),
                int(overdue or 0),
                int(notices or 0),
            )
        )
    out.sort(key=lambda u: (-u.overdue, -u.warning, u.unit_name))
    return out


# --- 2. one unit's orders ----------------------------------------------------------------


@dataclass(frozen=True)
class LateOrder:
    id: OrderId
    number: str
    version: int
    state: str
    title: str
    unit_id: int
    due_at: datetime | None
    warning: bool
    overdue: bool
    paused: bool
    overdue_for: timedelta | None  # how long past the deadline (at the pause if paused)
    yellow: int  # notices so far, every time limit
    red: int
    suggestion: Suggestion
    escalate_to: int | None  # the unit a 提级 notice goes to


def late_orders(
    conn: Connection,
    org: OrgDirectory,
    scope: Scope,
    now: datetime,
    unit_id: int,
    *,
    rule: Rule,
    cal: WorkCalendar,
    tz: ZoneInfo,
    limit: int = 100,
    offset: int = 0,
    order_ids: Sequence[int] | None = None,
) -> list[LateOrder]:
    """The unit's warning and overdue orders, longest overdue first; the page's notices
    come in one more query on the events of those orders alone."""
    sql = _sql(org, scope, now)
    start = next_limit(time_limits.c.start_at).label("cycle_start")
    stmt = (
        select(
            orders.c.id,
            orders.c.number,
            orders.c.version,
            orders.c.state,
            orders.c.title,
            orders.c.paused_at,
            sql.due,
            sql.warn,
            start,
        )
        .select_from(orders)
        .where(sql.visible(), _holder() == unit_id, or_(sql.overdue, sql.warning))
        .order_by(case((sql.due.is_(None), 1), else_=0), sql.due.asc(), orders.c.id)
        .limit(limit)
        .offset(offset)
    )
    if order_ids is not None:
        stmt = stmt.where(orders.c.id.in_(sorted(order_ids)))
    rows = list(conn.execute(stmt))
    notices = _notices(conn, [r.id for r in rows])
    out = []
    for r in rows:
        at = r.paused_at or now
        overdue = r.due_at is not None and at > r.due_at
        warning = not overdue and r.warn_at is not None and r.warn_at <= at
        mine = notices.get(r.id, [])
        current = [n for n in mine if r.cycle_start is None or n.at >= r.cycle_start]
        advice = suggest(
            rule,
            cal,
            tz,
            now,
            warning=warning,
            overdue=overdue,
            paused=r.paused_at is not None,
            notices=current,
        )
        out.append(
            LateOrder(
                id=OrderId(r.id),
                number=r.number,
                version=r.version,
                state=r.state,
                title=r.title,
                unit_id=unit_id,
                due_at=r.due_at,
                warning=warning,
                overdue=overdue,
                paused=r.paused_at is not None,
                overdue_for=at - r.due_at if overdue else None,
                yellow=sum(n.level == SupervisionLevel.YELLOW for n in mine),
                red=sum(n.level == SupervisionLevel.RED for n in mine),
                suggestion=advice,
                escalate_to=escalation_target(org, unit_id)
                if advice.advice is Advice.ESCALATE
                else None,
            )
        )
    return out


def _notices(conn: Connection, order_ids: Sequence[int]) -> dict[int, list[Notice]]:
    if not order_ids:
        return {}
    stmt = (
        select(events.c.order_id, events.c.at, events.c.payload)
        .where(
            events.c.order_id.in_(sorted(order_ids)),
            events.c.kind == EventKind.SUPERVISED.value,
        )
        .order_by(events.c.order_id, events.c.at)
    )
    out: dict[int, list[Notice]] = {}
    for order_id, at, payload in conn.execute(stmt):
        body = payload if isinstance(payload, dict) else {}
        unit = body.get("unit_id")
        out.setdefault(int(order_id), []).append(
            Notice(str(body.get("level", "")), at, int(unit) if unit is not None else None)
        )
    return out


# --- 4. requests awaiting a decision -----------------------------------------------------


class RequestKind(StrEnum):
    PAUSE = "pause"
    EXTENSION = "extension"


@dataclass(frozen=True)
class PendingRequest:
    id: OrderId  # the order's
    number: str
    version: int
    state: str
    title: str
    unit_id: int | None  # the unit holding the order, which asked
    kind: RequestKind
    reason: str
    days: int | None  # an extension's natural days
    asked_at: datetime | None
    asked_by: str | None  # the display name
    due_at: datetime | None
    overdue: bool


_DECIDABLE = (OrderState.IN_PROGRESS.value, OrderState.PAUSED.value)


def pending_requests(
    conn: Connection,
    org: OrgDirectory,
    scope: Scope,
    now: datetime,
    *,
    limit: int = 200,
    offset: int = 0,
) -> list[PendingRequest]:
    """Pause and extension requests on the centre's open orders, oldest first. The
    request is the order's ``pending_request`` (set by the request, cleared by the
    decision or by the order moving on), so no event history is replayed."""
    sql = _sql(org, scope, now)
    stmt = (
        select(
            orders.c.id,
            orders.c.number,
            orders.c.version,
            orders.c.state,
            orders.c.title,
            orders.c.lead_unit_id,
            orders.c.pending_request,
            orders.c.paused_at,
            sql.due,
        )
        .select_from(orders)
        .where(
            sql.visible(),
            orders.c.state.in_(_DECIDABLE),
            orders.c.pending_request.is_not(None),
            cast(orders.c.pending_request, String) != "null",  # a JSON null, not SQL's
        )
        .order_by(orders.c.updated_at, orders.c.id)
        .limit(limit)
        .offset(offset)
    )
    found: list[tuple[Any, dict[str, Any], RequestKind]] = []
    for r in conn.execute(stmt):
        req = r.pending_request
        if not isinstance(req, dict):
            continue
        try:
            kind = RequestKind(str(req.get("type")))
        except ValueError:
            continue
        found.append((r, req, kind))
    page = found
    names = _user_names(conn, {int(q["by"]) for _r, q, _k in page if q.get("by") is not None})
    out = []
    for r, req, kind in page:
        at = req.get("at")
        by = req.get("by")
        clock = r.paused_at or now
        out.append(
            PendingRequest(
                id=OrderId(r.id),
                number=r.number,
                version=r.version,
                state=r.state,
                title=r.title,
                unit_id=r.lead_unit_id,
                kind=kind,
                reason=str(req.get("reason", "")),
                days=int(req["days"]) if kind is RequestKind.EXTENSION else None,
                asked_at=datetime.fromisoformat(str(at)) if at else None,
                asked_by=names.get(int(by)) if by is not None else None,
                due_at=r.due_at,
                overdue=r.due_at is not None and clock > r.due_at,
            )
        )
    return out


def _user_names(conn: Connection, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    stmt = select(users.c.id, users.c.display_name).where(users.c.id.in_(sorted(ids)))
    return {int(i): str(n) for i, n in conn.execute(stmt)}
