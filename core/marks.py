"""Marks against a unit, and the two ways one is lifted: 不满意甄别 and 申诉.

A *mark* is what counts against a handling unit in the assessment:

- **late** (超期): one of the order's acceptance (签收) or resolve (办结) limits ended
  overdue, or is still open past its due. The target is the time limit's id.
- **unsatisfied** (不满意): a return visit recorded 不满意. The target is the visit event's id.

Lifting a mark:

- **Screening** (不满意甄别): a supervisor at the order's centre judges an unsatisfied visit
  *unreasonable* (the complaint is outside the matter, or asks for what the law does not
  allow) or *reasonable*, with a reason. Once per visit. Unreasonable sets the visit aside.
- **Appeal** (申诉): a unit the mark counts against files an appeal with a reason, within
  the policy's ``appeal_days`` working days after the mark (to the end of that day). One
  appeal per mark. A supervisor at the centre upholds it (the mark is lifted) or
  dismisses it, with a note.

Every step is an event on the order (visit_screened, appeal_filed, appeal_decided), so it
is in the timeline and the event log. The marks themselves are never rewritten: the frozen
``ended_overdue`` flag and the visit's result stay as they were. The indicators read the
decisions (resources/analytics/indicators.toml, "Marks lifted"):

- a visit set aside (screened unreasonable, or an upheld appeal) leaves 满意率 altogether,
  numerator and denominator;
- a limit whose late mark was upheld on appeal counts as on time in 按期办结率 (resolve) or
  及时签收率 (acceptance).

A published period keeps its stored figures: decisions after publishing change nothing there.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, select

from core.deadlines import EndRule, LimitUnit, compute_due
from core.domain.actor import Actor
from core.domain.enums import HopRole, HopState, Role, VisitResult
from core.domain.events import EventKind
from core.errors import FieldError, IllegalTransition, NotFound, PermissionDenied, ValidationError
from core.org import OrgDirectory, is_within
from core.service import OpResult, OrderService
from core.storage.schema import events, hops, orders, time_limits
from core.workflow.common import record
from core.workflow.context import Ctx, Reference
from core.workflow.guards import STAFF
from core.workflow.model import Aggregate

# A lead hop in one of these states holds its unit to the result, so to its marks.
ANSWERABLE = (HopState.AWAITING, HopState.IN_PROGRESS, HopState.DELEGATED, HopState.ANSWERED)
MARKED_LIMITS = ("accept", "resolve")
DECIDERS = (Role.SUPERVISOR,)


class MarkKind(StrEnum):
    LATE = "late"
    UNSATISFIED = "unsatisfied"


class Verdict(StrEnum):
    UNREASONABLE = "unreasonable"  # 不合理不满意: set aside
    REASONABLE = "reasonable"  # the mark stands


class Decision(StrEnum):
    UPHELD = "upheld"  # the mark is lifted
    DISMISSED = "dismissed"


@dataclass(frozen=True)
class Appeal:
    event_id: int
    unit_id: int
    at: datetime
    reason: str
    decision: Decision | None = None
    decided_at: datetime | None = None
    note: str | None = None


@dataclass(frozen=True)
class Mark:
    kind: MarkKind
    target: int  # time_limits.id (late) or the visit event's id (unsatisfied)
    order_id: int
    at: datetime  # when it became final: the limit's end (or due, while open), the visit
    units: tuple[int, ...]  # the units it counts against, who may appeal it
    limit_kind: str | None = None  # accept / resolve, for a late mark
    verdict: Verdict | None = None  # screening, for an unsatisfied mark
    screened_at: datetime | None = None
    appeal: Appeal | None = None

    @property
    def lifted(self) -> bool:
        return self.verdict is Verdict.UNREASONABLE or (
            self.appeal is not None and self.appeal.decision is Decision.UPHELD
        )


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def marks_of(conn: Connection, order_id: int, now: datetime) -> list[Mark]:
    """The order's marks with their screening and appeal, oldest first."""
    lead = conn.execute(
        select(hops.c.id, hops.c.receiver_unit_id, hops.c.state).where(
            hops.c.order_id == order_id, hops.c.role == HopRole.LEAD.value
        )
    ).all()
    answerable = tuple(sorted({h.receiver_unit_id for h in lead if h.state in ANSWERABLE}))
    receiver = {h.id: h.receiver_unit_id for h in lead}
    found: dict[tuple[MarkKind, int], Mark] = {}
    tl = time_limits
    for lim in conn.execute(
        select(
            tl.c.id,
            tl.c.kind,
            tl.c.hop_id,
            tl.c.due_at,
            tl.c.ended_at,
            tl.c.ended_overdue,
            tl.c.paused_at,
        ).where(tl.c.order_id == order_id, tl.c.kind.in_(MARKED_LIMITS))
    ):
        due = _utc(lim.due_at)
        if lim.ended_at is not None:
            late, at = bool(lim.ended_overdue), _utc(lim.ended_at)
        else:
            clock = _utc(lim.paused_at) if lim.paused_at is not None else now
            late, at = due < clock, due
        if not late:
            continue
        units = (
            (receiver[lim.hop_id],)
            if lim.kind == "accept" and lim.hop_id in receiver
            else answerable
        )
        found[(MarkKind.LATE, lim.id)] = Mark(
            MarkKind.LATE, lim.id, order_id, at, units, limit_kind=lim.kind
        )
    e = events
    kinds = [
        EventKind.VISIT_RECORDED.value,
        EventKind.VISIT_SCREENED.value,
        EventKind.APPEAL_FILED.value,
        EventKind.APPEAL_DECIDED.value,
    ]
    rows = conn.execute(
        select(e.c.id, e.c.kind, e.c.at, e.c.actor_unit_id, e.c.reason, e.c.payload)
        .where(e.c.order_id == order_id, e.c.kind.in_(kinds))
        .order_by(e.c.id)
    ).all()
    for r in rows:
        p: dict[str, Any] = r.payload or {}
        at = _utc(r.at)
        if r.kind == EventKind.VISIT_RECORDED.value:
            if p.get("result") == VisitResult.UNSATISFIED.value:
                found[(MarkKind.UNSATISFIED, r.id)] = Mark(
                    MarkKind.UNSATISFIED, r.id, order_id, at, answerable
                )
            continue
        key = (MarkKind(p["mark"]), int(p["mark_target"]))
        mark = found.get(key)
        if mark is None:
            continue  # an open limit extended since is no longer late: nothing to lift
        if r.kind == EventKind.VISIT_SCREENED.value:
            found[key] = replace(mark, verdict=Verdict(p["verdict"]), screened_at=at)
        elif r.kind == EventKind.APPEAL_FILED.value:
            appeal = Appeal(r.id, int(r.actor_unit_id), at, r.reason or "")
            found[key] = replace(mark, appeal=appeal)
        elif mark.appeal is not None:
            decided = replace(
                mark.appeal, decision=Decision(p["decision"]), decided_at=at, note=r.reason
            )
            found[key] = replace(mark, appeal=decided)
    return sorted(found.values(), key=lambda m: (m.at, m.kind, m.target))


def appeal_due(ref: Reference, mark: Mark) -> datetime:
    """The last moment the mark's units may appeal it."""
    days = ref.policy.version_at(mark.at).appeal_days
    return compute_due(
        mark.at, days, LimitUnit.WORKING_DAYS, EndRule.END_OF_DAY, ref.calendar, ref.tz
    ).at


# --- who may do what, with the reason when not -----------------------------------------


def _at_centre(actor: Actor, org: OrgDirectory, agg: Aggregate) -> bool:
    return is_within(org.get(agg.order.centre_unit_id).path, actor.unit_path)


def why_not_screen(actor: Actor, ref: Reference, agg: Aggregate, mark: Mark) -> str | None:
    if not actor.has(*DECIDERS):
        return "role_required"
    if not _at_centre(actor, ref.org, agg):
        return "not_order_centre"
    if mark.kind is not MarkKind.UNSATISFIED:
        return "not_unsatisfied"
    if mark.verdict is not None:
        return "already_screened"
    if mark.lifted:
        return "already_lifted"
    return None


def why_not_appeal(
    actor: Actor, ref: Reference, agg: Aggregate, mark: Mark, now: datetime
) -> str | None:
    if not actor.has(*STAFF):
        return "role_required"
    if actor.unit_id not in mark.units:
        return "not_marked_unit"
    if mark.lifted:
        return "already_lifted"
    if mark.appeal is not None:
        return "already_appealed"
    if now > appeal_due(ref, mark):
        return "appeal_window_over"
    return None


def why_not_decide(actor: Actor, ref: Reference, agg: Aggregate, mark: Mark) -> str | None:
    if not actor.has(*DECIDERS):
        return "role_required"
    if not _at_centre(actor, ref.org, agg):
        return "not_order_centre"
    if mark.appeal is None:
        return "no_appeal"
    if mark.appeal.decision is not None:
        return "already_decided"
    return None


# --- the actions ------------------------------------------------------------------------


def _find(conn: Connection, ctx: Ctx, agg: Aggregate, kind: str, target: int) -> Mark:
    try:
        key = (MarkKind(kind), int(target))
    except ValueError:
        raise ValidationError([FieldError("mark", "unknown_value", {"value": kind})]) from None
    for mark in marks_of(conn, agg.order.id, ctx.now):
        if (mark.kind, mark.target) == key:
            return mark
    raise NotFound("mark_not_found", order=agg.order.number, mark=kind, target=target)


def _refuse(action: str, agg: Aggregate, why: str | None) -> None:
    if why is None:
        return
    if why in ("role_required", "not_order_centre", "not_marked_unit"):
        raise PermissionDenied(why, order=agg.order.number, action=action)
    raise IllegalTransition(action=action, order=agg.order.number, reason=why)


def screen(
    svc: OrderService,
    actor: Actor,
    order_id: int,
    visit_event_id: int,
    verdict: str,
    reason: str,
    expected_version: int | None = None,
) -> OpResult:
    """不满意甄别 of one unsatisfied visit."""

    def run(conn: Connection, ctx: Ctx, agg: Aggregate) -> None:
        errors = []
        try:
            judged = Verdict(verdict)
        except ValueError:
            errors.append(FieldError("verdict", "unknown_value", {"value": verdict}))
        text = (reason or "").strip()
        if not text:
            errors.append(FieldError("reason", "required"))
        if errors:
            raise ValidationError(errors)
        mark = _find(conn, ctx, agg, MarkKind.UNSATISFIED, visit_event_id)
        _refuse("screen", agg, why_not_screen(actor, ctx.ref, agg, mark))
        record(
            agg,
            ctx,
            EventKind.VISIT_SCREENED,
            reason=text,
            extra={"mark": mark.kind.value, "mark_target": mark.target, "verdict": judged.value},
        )

    return svc.act(actor, order_id, expected_version, run)


def appeal(
    svc: OrderService,
    actor: Actor,
    order_id: int,
    kind: str,
    target: int,
    reason: str,
    expected_version: int | None = None,
) -> OpResult:
    """申诉 by a marked unit, within the policy's appeal_days."""

    def run(conn: Connection, ctx: Ctx, agg: Aggregate) -> None:
        text = (reason or "").strip()
        if not text:
            raise ValidationError([FieldError("reason", "required")])
        mark = _find(conn, ctx, agg, kind, target)
        _refuse("appeal", agg, why_not_appeal(actor, ctx.ref, agg, mark, ctx.now))
        record(
            agg,
            ctx,
            EventKind.APPEAL_FILED,
            reason=text,
            extra={
                "mark": mark.kind.value,
                "mark_target": mark.target,
                "limit_kind": mark.limit_kind,
                "due": appeal_due(ctx.ref, mark).isoformat(),
            },
        )

    return svc.act(actor, order_id, expected_version, run)


def decide_appeal(
    svc: OrderService,
    actor: Actor,
    order_id: int,
    kind: str,
    target: int,
    decision: str,
    note: str,
    expected_version: int | None = None,
) -> OpResult:
    """Uphold (lift the mark) or dismiss an appeal; a note either way."""

    def run(conn: Connection, ctx: Ctx, agg: Aggregate) -> None:
        errors = []
        try:
            decided = Decision(decision)
        except ValueError:
            errors.append(FieldError("decision", "unknown_value", {"value": decision}))
        text = (note or "").strip()
        if not text:
            errors.append(FieldError("note", "required"))
        if errors:
            raise ValidationError(errors)
        mark = _find(conn, ctx, agg, kind, target)
        _refuse("decide_appeal", agg, why_not_decide(actor, ctx.ref, agg, mark))
        assert mark.appeal is not None
        record(
            agg,
            ctx,
            EventKind.APPEAL_DECIDED,
            reason=text,
            extra={
                "mark": mark.kind.value,
                "mark_target": mark.target,
                "appeal_event_id": mark.appeal.event_id,
                "decision": decided.value,
            },
        )

    return svc.act(actor, order_id, expected_version, run)


# --- the supervisor's list --------------------------------------------------------------


@dataclass(frozen=True)
class PendingAppeal:
    order_id: int
    number: str
    title: str
    kind: MarkKind
    target: int
    limit_kind: str | None
    unit_id: int
    at: datetime
    reason: str


def pending_appeals(conn: Connection, actor: Actor, org: OrgDirectory) -> list[PendingAppeal]:
    """Appeals not yet decided on orders of the supervisor's centre (or below), oldest
    first. Appeals are few: the events' (kind, at) index finds them."""
    e = events
    decided = {
        (r.order_id, str(r.payload["mark"]), int(r.payload["mark_target"]))
        for r in conn.execute(
            select(e.c.order_id, e.c.payload).where(e.c.kind == EventKind.APPEAL_DECIDED.value)
        )
    }
    rows = conn.execute(
        select(
            e.c.order_id,
            e.c.at,
            e.c.actor_unit_id,
            e.c.reason,
            e.c.payload,
            orders.c.number,
            orders.c.title,
            orders.c.centre_unit_id,
        )
        .join(orders, orders.c.id == e.c.order_id)
        .where(e.c.kind == EventKind.APPEAL_FILED.value)
        .order_by(e.c.at, e.c.id)
    ).all()
    out = []
    for r in rows:
        key = (r.order_id, str(r.payload["mark"]), int(r.payload["mark_target"]))
        if key in decided or not is_within(org.get(r.centre_unit_id).path, actor.unit_path):
            continue
        out.append(
            PendingAppeal(
                r.order_id,
                r.number,
                r.title or "",
                MarkKind(key[1]),
                key[2],
                r.payload.get("limit_kind"),
                int(r.actor_unit_id),
                _utc(r.at),
                r.reason or "",
            )
        )
    return out


# --- for a screen: every move on every mark, enabled or not, with why ---------------------


class MoveKind(StrEnum):
    SCREEN = "screen"
    APPEAL = "appeal"
    DECIDE = "decide"


@dataclass(frozen=True)
class Move:
    kind: MoveKind
    mark: Mark
    enabled: bool
    why: str | None = None  # a reason code when disabled


@dataclass(frozen=True)
class MarkView:
    mark: Mark
    appeal_due: datetime
    moves: tuple[Move, ...]


def views_of(
    conn: Connection, actor: Actor, ref: Reference, agg: Aggregate, now: datetime
) -> list[MarkView]:
    """The order's marks, each with what ``actor`` may do to it now."""
    out = []
    for mark in marks_of(conn, agg.order.id, now):
        whys = {
            MoveKind.SCREEN: why_not_screen(actor, ref, agg, mark),
            MoveKind.APPEAL: why_not_appeal(actor, ref, agg, mark, now),
            MoveKind.DECIDE: why_not_decide(actor, ref, agg, mark),
        }
        moves = tuple(Move(k, mark, why is None, why) for k, why in whys.items())
        out.append(MarkView(mark, appeal_due(ref, mark), moves))
    return out


def perform_move(
    svc: OrderService,
    actor: Actor,
    order_id: int,
    move: Move,
    args: dict[str, Any],
    expected_version: int | None,
) -> OpResult:
    """Run ``move`` with what its dialog collected: ``choice`` (the verdict or decision)
    and ``text`` (the reason or note)."""
    m, text = move.mark, str(args.get("text") or "")
    if move.kind is MoveKind.SCREEN:
        return screen(svc, actor, order_id, m.target, str(args["choice"]), text, expected_version)
    if move.kind is MoveKind.APPEAL:
        return appeal(svc, actor, order_id, m.kind, m.target, text, expected_version)
    return decide_appeal(
        svc, actor, order_id, m.kind, m.target, str(args["choice"]), text, expected_version
    )
