"""The closed loop as one service API: every call takes the acting user, runs in one
transaction, and returns what changed (like Anki's OpChanges)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from core.domain.actor import Actor
from core.domain.events import EventKind
from core.domain.ids import EventId, OrderId
from core.errors import CoreError, NotFound, StaleVersion
from core.service_batch import BatchRegistration
from core.storage import watch
from core.storage.db import read_tx, write_tx
from core.storage.repo import flush, load_aggregate, load_aggregates
from core.storage.schema import orders
from core.workflow import closing, dispatch, handling, intake
from core.workflow import urgency as urgency_rules
from core.workflow.context import Ctx
from core.workflow.guards import require_visible
from core.workflow.intake import AttachmentData, OrderDraft
from core.workflow.model import Aggregate, PendingEvent
from core.workflow.timing import mark_conditions


@dataclass(frozen=True)
class OpResult:
    """What one call changed. Views refresh from this; the event stream echoes it."""

    versions: dict[OrderId, int]
    event_ids: tuple[EventId, ...]
    kinds: tuple[EventKind, ...]
    calendar_fallback: bool = False
    value: Any = None

    @property
    def order_id(self) -> OrderId:
        return next(iter(self.versions))


def _result(aggs: Sequence[Aggregate], written: list[PendingEvent], value: Any = None) -> OpResult:
    fallback = any(lim.calendar_fallback for a in aggs for lim in a.limits if lim.open)
    return OpResult(
        versions={OrderId(a.order.id): a.order.version for a in aggs},
        event_ids=tuple(EventId(e.id) for e in written if e.id is not None),
        kinds=tuple(e.kind for e in written),
        calendar_fallback=fallback,
        value=value,
    )


class OrderService(BatchRegistration):
    """Every change to orders, one transaction each (the batch registrations are
    ``core.service_batch``'s)."""

    def _act(
        self,
        actor: Actor,
        order_id: int,
        expected_version: int | None,
        fn: Callable[[Ctx, Aggregate], Any],
    ) -> OpResult:
        return self.act(actor, order_id, expected_version, lambda _conn, c, a: fn(c, a))

    def act(
        self,
        actor: Actor | None,
        order_id: int,
        expected_version: int | None,
        fn: Callable[[Connection, Ctx, Aggregate], Any],
    ) -> OpResult:
        """Run ``fn`` on one order in its write transaction. ``fn`` gets the connection
        too, for actions that read more than the order (core.marks reads past events).
        ``actor`` None is the service process acting on its own: no jurisdiction to check,
        and its events have no user."""
        with write_tx(self.store.engine) as conn:
            agg = load_aggregate(conn, order_id)
            ctx = self._ctx(conn, actor)
            if actor is not None:
                require_visible(ctx, agg)
            if expected_version is not None and agg.order.version != expected_version:
                raise StaleVersion(
                    order=agg.order.number, expected=expected_version, actual=agg.order.version
                )
            value = fn(conn, ctx, agg)
            written = flush(conn, [agg])
        return _result([agg], written, value)

    # --- 制单 --------------------------------------------------------------------------

    def register(self, actor: Actor, draft: OrderDraft) -> OpResult:
        with write_tx(self.store.engine) as conn:
            agg = intake.register(self._ctx(conn, actor), draft)
            written = flush(conn, [agg])
        return _result([agg], written, agg.order.number)

    def answer_on_spot(
        self, actor: Actor, order_id: int, text: str, expected_version: int | None = None
    ) -> OpResult:
        return self._act(
            actor, order_id, expected_version, lambda c, a: intake.answer_on_spot(c, a, text)
        )

    def edit(
        self,
        actor: Actor,
        order_id: int,
        changes: dict[str, Any],
        expected_version: int | None = None,
    ) -> OpResult:
        return self._act(actor, order_id, expected_version, lambda c, a: intake.edit(c, a, changes))

    def raise_urgency(
        self,
        actor: Actor | None,
        order_id: int,
        urgency: str,
        reason: str,
        expected_version: int | None = None,
    ) -> OpResult:
        """Raise the order's urgency (never lower it); ``value`` is the urgency before, or
        None when it was that high already. ``actor`` None: the service process (the
        early-warning rules' sensitive words)."""
        return self.act(
            actor,
            order_id,
            expected_version,
            lambda _conn, c, a: urgency_rules.raise_urgency(c, a, urgency, reason),
        )

    def add_caller(
        self,
        actor: Actor,
        order_id: int,
        name: str | None,
        phone: str | None,
        expected_version: int | None = None,
    ) -> OpResult:
        return self._act(
            actor, order_id, expected_version, lambda c, a: intake.add_caller(c, a, name, phone)
        )

    def add_attachment(
        self,
        actor: Actor,
        order_id: int,
        att: AttachmentData,
        hop_id: int | None = None,
        expected_version: int | None = None,
    ) -> OpResult:
        return self._act(
            actor, order_id, expected_version, lambda c, a: intake.add_attachment(c, a, att, hop_id)
        )

    # --- 派单 / 接单 ---------------------------------------------------------------------

    def dispatch(
        self,
        actor: Actor,
        order_id: int,
        lead_unit_id: int,
        assist_unit_ids: Sequence[int] = (),
        note: str | None = None,
        expected_version: int | None = None,
    ) -> OpResult:
        return self._act(
            actor,
            order_id,
            expected_version,
            lambda c, a: [
                h.id for h in dispatch.dispatch(c, a, lead_unit_id, assist_unit_ids, note)
            ],
        )

    def accept(
        self, actor: Actor, order_id: int, hop_id: int, expected_version: int | None = None
    ) -> OpResult:
        return self._act(
            actor, order_id, expected_version, lambda c, a: dispatch.accept(c, a, hop_id)
        )

    def return_hop(
        self,
        actor: Actor,
        order_id: int,
        hop_id: int,
        reason: str,
        expected_version: int | None = None,
    ) -> OpResult:
        return self._act(
            actor,
            order_id,
            expected_version,
            lambda c, a: dispatch.return_hop(c, a, hop_id, reason),
        )

    def accept_return(
        self,
        actor: Actor,
        order_id: int,
        hop_id: int,
        note: str | None = None,
        expected_version: int | None = None,
    ) -> OpResult:
        return self._act(
            actor,
            order_id,
            expected_version,
            lambda c, a: dispatch.accept_return(c, a, hop_id, note),
        )

    def reject_return(
        self,
        actor: Actor,
        order_id: int,
        hop_id: int,
        reason: str,
        expected_version: int | None = None,
    ) -> OpResult:
        return self._act(
            actor,
            order_id,
            expected_version,
            lambda c, a: dispatch.reject_return(c, a, hop_id, reason),
        )

    def pass_down(
        self,
        actor: Actor,
        order_id: int,
        hop_id: int,
        to_unit_id: int,
        note: str | None = None,
        expected_version: int | None = None,
    ) -> OpResult:
        return self._act(
            actor,
            order_id,
            expected_version,
            lambda c, a: dispatch.pass_down(c, a, hop_id, to_unit_id, note).id,
        )

    def reassign(
        self,
        actor: Actor,
        order_id: int,
        hop_id: int,
        to_unit_id: int,
        reason: str,
        expected_version: int | None = None,
    ) -> OpResult:
        return self._act(
            actor,
            order_id,
            expected_version,
            lambda c, a: dispatch.reassign(c, a, hop_id, to_unit_id, reason).id,
        )

    def escalate(
        self,
        actor: Actor,
        order_id: int,
        hop_id: int,
        reason: str,
        expected_version: int | None = None,
    ) -> OpResult:
        return self._act(
            actor, order_id, expected_version, lambda c, a: dispatch.escalate(c, a, hop_id, reason)
        )

    def add_assist(
        self,
        actor: Actor,
        order_id: int,
        unit_id: int,
        at_hop_id: int | None = None,
        note: str | None = None,
        expected_version: int | None = None,
    ) -> OpResult:
        return self._act(
            actor,
            order_id,
            expected_version,
            lambda c, a: dispatch.add_assist(c, a, unit_id, at_hop_id, note).id,
        )

    # --- 做单 ------------------------------------------------------------------------------

    def note_progress(
        self,
        actor: Actor,
        order_id: int,
        text: str,
        hop_id: int | None = None,
        expected_version: int | None = None,
    ) -> OpResult:
        return self._act(
            actor,
            order_id,
            expected_version,
            lambda c, a: handling.note_progress(c, a, text, hop_id),
        )

    def request_pause(
        self, actor: Actor, order_id: int, reason: str, expected_version: int | None = None
    ) -> OpResult:
        return self._act(
            actor, order_id, expected_version, lambda c, a: handling.request_pause(c, a, reason)
        )

    def decide_pause(
        self,
        actor: Actor,
        order_id: int,
        approve: bool,
        note: str | None = None,
        expected_version: int | None = None,
    ) -> OpResult:
        return self._act(
            actor,
            order_id,
            expected_version,
            lambda c, a: handling.decide_pause(c, a, approve, note),
        )

    def resume(
        self,
        actor: Actor,
        order_id: int,
        note: str | None = None,
        expected_version: int | None = None,
    ) -> OpResult:
        return self._act(
            actor, order_id, expected_version, lambda c, a: handling.resume(c, a, note)
        )

    def request_extension(
        self,
        actor: Actor,
        order_id: int,
        days: int,
        reason: str,
        expected_version: int | None = None,
    ) -> OpResult:
        return self._act(
            actor,
            order_id,
            expected_version,
            lambda c, a: handling.request_extension(c, a, days, reason),
        )

    def decide_extension(
        self,
        actor: Actor,
        order_id: int,
        approve: bool,
        note: str | None = None,
        expected_version: int | None = None,
    ) -> OpResult:
        return self._act(
            actor,
            order_id,
            expected_version,
            lambda c, a: handling.decide_extension(c, a, approve, note),
        )

    def answer_assist(
        self,
        actor: Actor,
        order_id: int,
        hop_id: int,
        text: str,
        expected_version: int | None = None,
    ) -> OpResult:
        return self._act(
            actor,
            order_id,
            expected_version,
            lambda c, a: handling.answer_assist(c, a, hop_id, text),
        )

    def submit_result(
        self,
        actor: Actor,
        order_id: int,
        hop_id: int,
        text: str,
        expected_version: int | None = None,
    ) -> OpResult:
        return self._act(
            actor,
            order_id,
            expected_version,
            lambda c, a: handling.submit_result(c, a, hop_id, text),
        )

    # --- 评单 and the ways out ---------------------------------------------------------------

    def review(
        self,
        actor: Actor,
        order_id: int,
        passed: bool,
        reason: str | None = None,
        expected_version: int | None = None,
    ) -> OpResult:
        return self._act(
            actor, order_id, expected_version, lambda c, a: closing.review(c, a, passed, reason)
        )

    def visit(
        self,
        actor: Actor,
        order_id: int,
        result: str,
        note: str | None = None,
        expected_version: int | None = None,
    ) -> OpResult:
        return self._act(
            actor, order_id, expected_version, lambda c, a: closing.visit(c, a, result, note)
        )

    def reopen(
        self, actor: Actor, order_id: int, reason: str, expected_version: int | None = None
    ) -> OpResult:
        return self._act(
            actor, order_id, expected_version, lambda c, a: closing.reopen(c, a, reason)
        )

    def transfer(
        self,
        actor: Actor,
        order_id: int,
        destination: str,
        reason: str,
        expected_version: int | None = None,
    ) -> OpResult:
        return self._act(
            actor,
            order_id,
            expected_version,
            lambda c, a: closing.transfer(c, a, destination, reason),
        )

    def void(
        self, actor: Actor, order_id: int, reason: str, expected_version: int | None = None
    ) -> OpResult:
        return self._act(actor, order_id, expected_version, lambda c, a: closing.void(c, a, reason))

    def supervise(
        self,
        actor: Actor,
        order_id: int,
        level: str,
        text: str,
        unit_id: int | None = None,
        expected_version: int | None = None,
    ) -> OpResult:
        return self._act(
            actor,
            order_id,
            expected_version,
            lambda c, a: closing.supervise(c, a, level, text, unit_id),
        )

    def merge(
        self,
        actor: Actor,
        source_id: int,
        target_id: int,
        reason: str | None = None,
        expected_versions: tuple[int, int] | None = None,
    ) -> OpResult:
        """Both orders change in one transaction, with an event on each."""
        with write_tx(self.store.engine) as conn:
            found = load_aggregates(conn, [source_id, target_id])
            if source_id not in found:
                raise NotFound("order_not_found", order_id=source_id)
            if target_id not in found:
                raise NotFound("order_not_found", order_id=target_id)
            source, target = found[source_id], found[target_id]
            if expected_versions is not None:
                for agg, want in zip((source, target), expected_versions, strict=True):
                    if agg.order.version != want:
                        raise StaleVersion(
                            order=agg.order.number, expected=want, actual=agg.order.version
                        )
            closing.merge(self._ctx(conn, actor), source, target, reason)
            written = flush(conn, [source, target])
        return _result([source, target], written)

    # --- the service process ---------------------------------------------------------------

    def mark_time_conditions(self, limit: int = 500) -> int:
        """Write 临期/超期 events for limits that crossed their marks. Returns how many."""
        now = self.store.clock.now()
        with write_tx(self.store.engine) as conn:
            due_ids = watch.limits_to_mark(conn, now, limit)
            aggs = list(load_aggregates(conn, due_ids).values())
            ctx = self._ctx(conn, None)
            count = sum(mark_conditions(a, ctx) for a in aggs)
            flush(conn, aggs)
        return count

    def close_expired_visits(self, limit: int = 200) -> int:
        """Close orders whose return-visit window ran out with only unreachable attempts,
        where the policy says "close" (``visit_window``, ``visit_expired``). All of them, in
        transactions of ``limit`` orders; returns how many were closed."""
        ref = self.store.reference()
        closing_windows = [
            v.visit_window.shortest() for v in ref.policy.versions if v.visit_expired == "close"
        ]
        if not closing_windows:
            return 0
        now = self.store.clock.now()
        with read_tx(self.store.engine) as conn:
            found = watch.waiting_unreachable(conn, entered_before=now - min(closing_windows))
        ctx = Ctx(now, None, ref, _NoIds())
        due = [oid for oid, entered in found.items() if self._visit_expired(ctx, entered)]
        closed = 0
        for start in range(0, len(due), limit):
            with write_tx(self.store.engine) as conn:
                entered_at = watch.waiting_unreachable(conn, ids=due[start : start + limit])
                aggs = list(load_aggregates(conn, list(entered_at)).values())
                ctx = self._ctx(conn, None)
                done = [a for a in aggs if closing.expire_visit(ctx, a, entered_at[a.id])]
                flush(conn, done)
            closed += len(done)
        return closed

    @staticmethod
    def _visit_expired(ctx: Ctx, entered: datetime) -> bool:
        version, due = closing.visit_window_due(ctx, entered)
        return version.visit_expired == "close" and due.at < ctx.now

    # --- reading ---------------------------------------------------------------------------

    def load(self, actor: Actor, order_id: int) -> Aggregate:
        """One order with its hops, limits and callers, if the user may see it."""
        with read_tx(self.store.engine) as conn:
            agg = load_aggregate(conn, order_id)
        require_visible(Ctx(self.store.clock.now(), actor, self.store.reference(), _NoIds()), agg)
        return agg

    def order_id(self, number: str) -> OrderId:
        with read_tx(self.store.engine) as conn:
            found = conn.execute(select(orders.c.id).where(orders.c.number == number)).scalar()
        if found is None:
            raise NotFound("order_not_found", number=number)
        return OrderId(found)


class _NoIds:
    def next_id(self, table: str) -> int:
        raise CoreError("read_only")

    def next_order_number(self, year: int) -> str:
        raise CoreError("read_only")
