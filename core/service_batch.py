"""Batch registration: many drafts, many orders per transaction, each refused draft
reported with its index while the others go in. ``register_many`` builds aggregates and
writes them with ``flush`` (the demo generator, replays); ``register_bulk`` writes the same
rows straight from the validated drafts (imports); ``check_many`` is a dry run.
``OrderService`` inherits these, and the store and context they share."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Connection

from core.domain.actor import Actor
from core.domain.ids import OrderId
from core.errors import CoreError
from core.storage.bulk import write_new
from core.storage.db import read_tx, write_tx
from core.storage.repo import DbIds, flush
from core.store import Store
from core.workflow import intake
from core.workflow.bulk import BulkIntake
from core.workflow.context import Ctx
from core.workflow.intake import CleanDraft, OrderDraft

# Writes a chunk's validated drafts; returns the new orders' ids and numbers and how many
# events it wrote.
Written = tuple[list[int], list[str], int]
Writer = Callable[[Connection, Ctx, list[CleanDraft]], Written]


@dataclass
class BatchResult:
    """A batch registration: the good rows went in; each bad one says where and why."""

    registered: list[OrderId] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)
    rejected: list[tuple[int, CoreError]] = field(default_factory=list)
    event_count: int = 0


class BatchRegistration:
    def __init__(self, store: Store) -> None:
        self.store = store

    def _ctx(self, conn: Connection, actor: Actor | None, block: int = 1) -> Ctx:
        ids = DbIds(conn, block, self.store.id_reserve)
        return Ctx(self.store.clock.now(), actor, self.store.reference(), ids)

    def register_many(
        self, actor: Actor, drafts: Sequence[OrderDraft], chunk: int = 2000
    ) -> BatchResult:
        """The batch path for the demo generator, imports and replays: validated like
        ``register``, written by the same ``flush``, many orders per transaction."""

        def write(
            conn: Connection, ctx: Ctx, good: list[CleanDraft]
        ) -> tuple[list[int], list[str], int]:
            aggs = [intake.register_clean(ctx, clean) for clean in good]
            written = flush(conn, aggs)
            return [a.order.id for a in aggs], [a.order.number for a in aggs], len(written)

        return self._in_chunks(actor, drafts, chunk, write)

    def register_bulk(
        self, actor: Actor, drafts: Sequence[OrderDraft], chunk: int = 2000
    ) -> BatchResult:
        """``register_many`` for imports: the same validation, rows, events and ids (given
        the same clock and ``chunk``), built as rows without aggregates and written with
        one statement per table, an executemany or a COPY (core.workflow.bulk,
        core.storage.bulk; tests/core/test_bulk_intake.py compares the two)."""

        def write(
            conn: Connection, ctx: Ctx, good: list[CleanDraft]
        ) -> tuple[list[int], list[str], int]:
            bulk = BulkIntake(ctx)
            for clean in good:
                bulk.add(clean)
            written = write_new(conn, bulk.rows)
            return [o["id"] for o in bulk.rows.orders], bulk.rows.numbers, written

        return self._in_chunks(actor, drafts, chunk, write)

    def _in_chunks(
        self,
        actor: Actor,
        drafts: Sequence[OrderDraft],
        chunk: int,
        write: Writer,
    ) -> BatchResult:
        """Validate each chunk's drafts (a refused one is reported with its index, the
        others go on) and ``write`` the good ones in the chunk's transaction, with a
        context holding ids for all of them."""
        out = BatchResult()
        for start in range(0, len(drafts), chunk):
            part = list(enumerate(drafts[start : start + chunk], start))
            with write_tx(self.store.engine) as conn:
                ctx = self._ctx(conn, actor)
                good: list[CleanDraft] = []
                for index, draft in part:
                    try:
                        good.append(intake.validate_draft(ctx, draft))
                    except CoreError as exc:
                        out.rejected.append((index, exc))
                if not good:
                    continue
                ids, numbers, events = write(conn, self._ctx(conn, actor, block=len(good)), good)
            out.registered += [OrderId(i) for i in ids]
            out.numbers += numbers
            out.event_count += events
        return out

    def check_many(self, actor: Actor, drafts: Sequence[OrderDraft]) -> list[CoreError | None]:
        """What ``register_many`` would refuse, one entry per draft, writing nothing
        (an import's dry run)."""
        out: list[CoreError | None] = []
        with read_tx(self.store.engine) as conn:
            ctx = self._ctx(conn, actor)
            for draft in drafts:
                try:
                    intake.validate_draft(ctx, draft)
                    out.append(None)
                except CoreError as exc:
                    out.append(exc)
        return out
