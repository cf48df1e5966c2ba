"""Event ids follow commit order with no gaps, on both backends.

With a plain PostgreSQL sequence, writer A can take id 10, writer B id 11, B commits,
a listener reads up to 11 and moves on, and then A commits 10: the listener skipped
it for good. Here A holds its transaction open with its ids taken; B must wait, and a
listener polling meanwhile must never see a hole.
"""

from __future__ import annotations

import threading
import time

from sqlalchemy import func, select

from core.domain.actor import Actor
from core.service import OrderService
from core.storage.db import write_tx
from core.storage.repo import flush
from core.storage.schema import events
from core.workflow import intake
from tests.core.test_smoke_loop import draft


def committed_ids(svc: OrderService) -> list[int]:
    with svc.store.engine.connect() as conn:
        return list(conn.execute(select(events.c.id).order_by(events.c.id)).scalars())


def hold_open(
    svc: OrderService,
    actor: Actor,
    taken: threading.Event,
    release: threading.Event,
    ids_out: list[int],
    rollback: bool = False,
) -> None:
    """Writer A: registers an order, takes its event ids, then waits before committing."""
    try:
        with write_tx(svc.store.engine) as conn:
            agg = intake.register(svc._ctx(conn, actor), draft(description="A"))
            written = flush(conn, [agg])
            ids_out.extend(e.id for e in written if e.id is not None)
            taken.set()
            release.wait(timeout=30)
            if rollback:
                raise RuntimeError("roll back on purpose")
    except RuntimeError:
        pass


def test_a_waiting_writer_cannot_overtake(svc: OrderService, actors: dict[str, Actor]) -> None:
    svc.register(actors["duty"], draft(description="before"))
    base = committed_ids(svc)
    taken, release = threading.Event(), threading.Event()
    a_ids: list[int] = []
    b_ids: list[int] = []
    a = threading.Thread(target=hold_open, args=(svc, actors["duty"], taken, release, a_ids))
    a.start()
    assert taken.wait(10)
    b = threading.Thread(
        target=lambda: b_ids.extend(svc.register(actors["duty"], draft(description="B")).event_ids)
    )
    b.start()
    seen: list[list[int]] = []
    deadline = time.monotonic() + 0.6
    while time.monotonic() < deadline:  # a listener polling while A holds its ids
        seen.append(committed_ids(svc))
        time.sleep(0.02)
    assert b.is_alive(), "writer B committed while A still held lower event ids"
    assert all(s == base for s in seen)
    release.set()
    a.join(10)
    b.join(10)
    final = committed_ids(svc)
    assert final == list(range(1, len(final) + 1)), "a hole in the event ids"
    assert min(b_ids) > max(a_ids), "B's events must follow A's, which committed first"


def test_a_rolled_back_writer_leaves_no_hole(svc: OrderService, actors: dict[str, Actor]) -> None:
    taken, release = threading.Event(), threading.Event()
    a_ids: list[int] = []
    a = threading.Thread(target=hold_open, args=(svc, actors["duty"], taken, release, a_ids, True))
    a.start()
    assert taken.wait(10)
    release.set()
    a.join(10)
    b = svc.register(actors["duty"], draft(description="B"))
    assert min(b.event_ids) == min(a_ids), "the rolled-back ids are handed out again"
    final = committed_ids(svc)
    assert final == list(range(1, len(final) + 1))


def test_concurrent_writers_keep_ids_dense(svc: OrderService, actors: dict[str, Actor]) -> None:
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(10):
                svc.register(actors["duty"], draft())
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    final = committed_ids(svc)
    assert len(final) == 40 and final == list(range(1, 41))
    with svc.store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(events)).scalar_one() == 40
