"""制单 for many validated drafts at once (imports): the rows that ``intake.register_clean``
followed by ``flush`` writes, built straight from the drafts.

Every order of one transaction shares its instant, its acting user and the reference
data, so what the generic path works out per order is worked out here once per distinct
input: the limit rule and deadlines per (limit, class, request type, urgency, channel,
tier), the stricter upstream deadline per value, the masked number per number. The rows,
payloads, ids (taken from ``ctx.ids`` in the same order) and state intervals are those of
the generic path; a draft answered on the spot takes that path itself (``add_aggregate``).
tests/core/test_bulk_intake.py holds the two paths to the same rows on both backends.
"""

from __future__ import annotations

import logging
from dataclasses import MISSING, dataclass, field, fields
from datetime import datetime
from typing import Any

from core.deadlines import Due, LimitUnit, compute_due, warn_at
from core.domain.enums import CallerSource, LimitKind, LimitStart, OrderState
from core.domain.events import EVENT_FORMAT, EventKind
from core.domain.ids import OrderId
from core.errors import CoreError
from core.policy import LimitFacts, LimitRule
from core.workflow.context import Ctx
from core.workflow.intake import CleanDraft, register_clean, require_intake
from core.workflow.model import (
    Aggregate,
    CallerRec,
    LimitRec,
    OrderRec,
    as_row,
    event_row,
    json_value,
    mask_phone,
    split_private,
)

log = logging.getLogger(__name__)


def _defaults(rec_type: type) -> dict[str, Any]:
    """Every column of a record, in order: its default, or None for the ones set here.
    A default factory would have to run per row: refused rather than shared."""
    out: dict[str, Any] = {}
    for f in fields(rec_type):
        if f.default_factory is not MISSING:
            raise TypeError(f"{rec_type.__name__}.{f.name}: default factories are not supported")
        out[f.name] = None if f.default is MISSING else f.default
    return out


_ORDER_DEFAULTS = _defaults(OrderRec)
_LIMIT_DEFAULTS = _defaults(LimitRec)
_STARTED = (LimitKind.HANDOUT, LimitKind.RESOLVE)  # as intake.register_clean starts them
_REGISTERED = OrderState.REGISTERED.value


def _time_columns(rec_type: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(rec_type) if "datetime" in str(f.type))


_ORDER_TIMES = _time_columns(OrderRec)
_LIMIT_TIMES = _time_columns(LimitRec)


@dataclass(frozen=True)
class _LimitPlan:
    """One limit registration starts, for a set of facts at the batch's instant: its row
    and its payload entry but for the ids, and what an upstream deadline changes."""

    row: dict[str, Any]
    shown: dict[str, Any]  # the row as the event's payload holds it
    due_at: datetime
    cappable: bool  # the resolve limit: an earlier upstream deadline replaces its due
    fallback: bool  # computed on a guessed calendar
    warn_ratio: float
    unit: LimitUnit


@dataclass
class NewRows:
    """What a batch of registrations writes, in the order flush writes it. Events have no
    ids yet; an interval names its events by their index in ``events``."""

    orders: list[dict[str, Any]] = field(default_factory=list)
    limits: list[dict[str, Any]] = field(default_factory=list)
    callers: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    # order_id, state, valid_from, valid_to, index of the opening event, of the closing one
    intervals: list[tuple[int, str, datetime, datetime | None, int, int | None]] = field(
        default_factory=list
    )
    numbers: list[str] = field(default_factory=list)


class BulkIntake:
    """Builds the rows of new orders for one transaction (one ``ctx``)."""

    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.actor = require_intake(ctx)
        self.rows = NewRows()
        self._now_json = json_value(ctx.now)
        self._year = ctx.now.astimezone(ctx.ref.tz).year
        self._limit_plans: dict[tuple[Any, ...], tuple[_LimitPlan, ...]] = {}
        self._capped_warn: dict[tuple[float, LimitUnit, datetime], datetime] = {}
        self._masked: dict[str | None, str | None] = {}

    # -- one order -----------------------------------------------------------------------

    def add(self, clean: CleanDraft) -> None:
        """Register ``clean`` as ``intake.register_clean`` would, into ``self.rows``."""
        if clean.answer_on_spot:
            self.add_aggregate(register_clean(self.ctx, clean))
            return
        ctx, actor, now = self.ctx, self.actor, self.ctx.now
        ids = ctx.ids
        order_id = ids.next_id("orders")
        number = ids.next_order_number(self._year)
        order = dict(_ORDER_DEFAULTS)
        order.update(
            id=order_id,
            number=number,
            version=1,  # the registered event's
            state=_REGISTERED,
            location_unit_id=clean.location_unit_id,
            centre_unit_id=actor.unit_id,
            lead_unit_id=None,
            tier=None,
            registered_at=now,
            registered_by=actor.user_id,
            updated_at=now,
        )
        order.update(clean.values)
        phone = clean.phone
        if phone is not None:
            order.update(
                phone=phone.canonical, phone_kind=phone.kind.value, phone_digits=phone.digits()
            )
        if order["confidential"]:
            order.update(phone_masked=None, caller_shown=None)
        else:
            order.update(phone_masked=self._mask(order["phone"]), caller_shown=order["caller_name"])
        payload: dict[str, Any] = {"order": self._json(order, _ORDER_TIMES)}

        if clean.extra_callers:
            journal: dict[str, Any] = {}
            for name, extra in clean.extra_callers:
                caller = as_row(
                    CallerRec(
                        id=ids.next_id("order_callers"),
                        order_id=OrderId(order_id),
                        name=name,
                        phone=extra.canonical if extra else None,
                        phone_kind=extra.kind.value if extra else None,
                        phone_digits=extra.digits() if extra else None,
                        source=CallerSource.ADDED.value,
                        from_order_id=None,
                        added_at=now,
                    )
                )
                caller["phone_masked"] = mask_phone(caller["phone"])
                self.rows.callers.append(caller)
                journal[str(caller["id"])] = {**caller, "added_at": self._now_json}
            payload["callers"] = journal

        overdue = False
        limits: dict[str, Any] = {}
        upstream = order["upstream_due"]
        for plan in self._plans(order, number):
            row = dict(plan.row)
            row["id"] = limit_id = ids.next_id("time_limits")
            row["order_id"] = order_id
            shown = dict(plan.shown)
            shown["id"], shown["order_id"] = limit_id, order_id
            if plan.cappable and upstream is not None and upstream < plan.due_at:
                # the city platform's deadline is stricter
                row.update(due_at=upstream, warn_at=self._warn_capped(plan, upstream))
                row["upstream_capped"] = True
                shown.update(due_at=json_value(upstream), warn_at=json_value(row["warn_at"]))
                shown["upstream_capped"] = True
            if plan.fallback:
                log.debug(
                    "order %s: %s deadline computed on a guessed calendar (weekends only): %s",
                    number,
                    row["kind"],
                    row["due_at"].isoformat(),
                )
            self.rows.limits.append(row)
            limits[str(limit_id)] = shown
            overdue = overdue or row["due_at"] < now
        if limits:
            payload["limits"] = limits

        public, private = split_private(payload)
        rows = self.rows
        rows.orders.append(order)
        rows.numbers.append(number)
        rows.intervals.append((order_id, _REGISTERED, now, None, len(rows.events), None))
        rows.events.append(
            {
                "order_id": order_id,
                "order_version": 1,
                "hop_id": None,
                "kind": EventKind.REGISTERED.value,
                "format": EVENT_FORMAT,
                "actor_user_id": actor.user_id,
                "actor_unit_id": actor.unit_id,
                "at": now,
                "from_state": _REGISTERED,
                "to_state": _REGISTERED,
                "reason": None,
                "overdue": overdue,
                "payload": public,
                "private_payload": private,
            }
        )

    def add_aggregate(self, agg: Aggregate) -> None:
        """A new order built by the generic path, as the rows ``flush`` would write."""
        # Registration makes no hops and no attachments; writing them is flush's business.
        assert not agg.hops and not agg.new_attachments and not agg.had_open_interval
        rows = self.rows
        rows.orders.append(as_row(agg.order))
        rows.numbers.append(agg.order.number)
        rows.limits += [as_row(r) for r in agg.limits if ("time_limits", r.id) in agg.new_ids]
        rows.callers += [as_row(c) for c in agg.callers if ("order_callers", c.id) in agg.new_ids]
        first = len(rows.events)
        index = {id(e): first + i for i, e in enumerate(agg.events)}
        rows.events += [event_row(agg.order.id, e) for e in agg.events]
        changes = agg.state_changes
        for i, change in enumerate(changes):
            nxt = changes[i + 1] if i + 1 < len(changes) else None
            rows.intervals.append(
                (
                    agg.order.id,
                    change.state,
                    change.at,
                    nxt.at if nxt else None,
                    index[id(change.event)],
                    index[id(nxt.event)] if nxt else None,
                )
            )

    # -- what is the same for many orders ------------------------------------------------

    def _json(self, row: dict[str, Any], times: tuple[str, ...]) -> dict[str, Any]:
        """``row`` as a payload holds it (``json_value``: only times change)."""
        out = dict(row)
        now = self.ctx.now
        for name in times:
            value = out[name]
            if value is not None:
                out[name] = self._now_json if value is now else json_value(value)
        return out

    def _mask(self, phone: str | None) -> str | None:
        try:
            return self._masked[phone]
        except KeyError:
            masked = self._masked[phone] = mask_phone(phone)
            return masked

    def _plans(self, order: dict[str, Any], number: str) -> tuple[_LimitPlan, ...]:
        """The limits registration starts for an order with these facts, in start order."""
        key = (
            order["limit_class"],
            order["request_type"],
            order["urgency"],
            order["channel"],
            order["planned_tier"],  # the tier is None until the order is dispatched
        )
        found = self._limit_plans.get(key)
        if found is None:
            facts = LimitFacts(*key)
            found = self._limit_plans[key] = tuple(
                plan for kind in _STARTED if (plan := self._plan(kind, facts, number))
            )
        return found

    def _plan(self, kind: LimitKind, facts: LimitFacts, number: str) -> _LimitPlan | None:
        """As ``timing.start_limit(..., LimitStart.REGISTRATION)`` at the batch's instant."""
        ref, now = self.ctx.ref, self.ctx.now

        def due(rule: LimitRule) -> Due:
            return compute_due(now, rule.amount, rule.unit, rule.end, ref.calendar, ref.tz)

        chosen = ref.policy.rule_for(kind, now, facts, lambda r: due(r).at)
        if chosen is None:
            raise CoreError("no_time_limit_rule", limit=kind.value, order=number)
        version, rule = chosen
        if rule.start != LimitStart.REGISTRATION:
            return None
        d = due(rule)
        row = dict(_LIMIT_DEFAULTS)
        row.update(
            hop_id=None,
            kind=kind.value,
            policy_version=version.id,
            rule_id=rule.id,
            unit=rule.unit.value,
            start_at=now,
            due_at=d.at,
            warn_at=warn_at(now, d.at, version.warn_ratio, rule.unit, ref.calendar, ref.tz),
            calendar_fallback=d.used_fallback,
            upstream_capped=False,
        )
        return _LimitPlan(
            row=row,
            shown=self._json(row, _LIMIT_TIMES),
            due_at=d.at,
            cappable=kind == LimitKind.RESOLVE,
            fallback=d.used_fallback,
            warn_ratio=version.warn_ratio,
            unit=rule.unit,
        )

    def _warn_capped(self, plan: _LimitPlan, due_at: datetime) -> datetime:
        key = (plan.warn_ratio, plan.unit, due_at)
        found = self._capped_warn.get(key)
        if found is None:
            ref, now = self.ctx.ref, self.ctx.now
            found = self._capped_warn[key] = warn_at(
                now, due_at, plan.warn_ratio, plan.unit, ref.calendar, ref.tz
            )
        return found
