"""Caller history at intake: the same number however typed, added callers included,
only what the officer may see, and the repeat-call mark over every order."""

from __future__ import annotations

from datetime import timedelta

from core.callers import history
from core.clock import ManualClock
from core.domain.actor import Actor
from core.service import OrderService
from core.storage.db import read_tx
from tests.core.test_queries import draft


def look(svc: OrderService, actor: Actor, phone: str):
    with read_tx(svc.store.engine) as conn:
        return history(conn, actor, phone, svc.store.clock.now())


def test_earlier_orders_however_the_number_is_typed(
    svc: OrderService, actors: dict[str, Actor], clock: ManualClock
) -> None:
    a = actors
    first = svc.register(a["duty"], draft("town1v1g1", phone="13812345678")).order_id
    clock.advance(timedelta(hours=1))
    second = svc.register(a["duty"], draft("town2v1g1", phone="13900000000")).order_id
    svc.add_caller(a["duty"], second, "李女士", "138 1234 5678")
    svc.register(a["duty"], draft("town1v1g1", phone="13700000000"))
    for typed in ("13812345678", "+86 138-1234-5678", "１３８１２３４５６７８"):
        got = look(svc, a["duty"], typed)
        assert got is not None
        assert [r.id for r in got.earlier] == [second, first], typed
        assert got.total == 2 and got.repeat
    assert look(svc, a["duty"], "1381234") is None  # not a number yet
    assert look(svc, a["duty"], "") is None
    unknown = look(svc, a["duty"], "13511112222")
    assert unknown is not None and unknown.total == 0 and not unknown.repeat


def test_a_town_sees_its_own_orders_but_the_repeat_mark_counts_all(
    svc: OrderService, actors: dict[str, Actor]
) -> None:
    a = actors
    svc.register(a["duty"], draft("town2v1g1", phone="13812345678"))
    got = look(svc, a["h_town1"], "13812345678")
    assert got is not None and got.earlier == []
    assert got.total == 1 and got.repeat


def test_the_window_and_voided_orders(
    svc: OrderService, actors: dict[str, Actor], clock: ManualClock
) -> None:
    a = actors
    old = svc.register(a["duty"], draft("town1v1g1", phone="13812345678")).order_id
    clock.advance(timedelta(days=31))
    got = look(svc, a["duty"], "13812345678")
    assert got is not None and got.total == 1 and got.recent == 0 and not got.repeat
    voided = svc.register(a["duty"], draft("town1v1g1", phone="13812345678")).order_id
    svc.void(a["dispatcher"], voided, "误登记")
    got = look(svc, a["duty"], "13812345678")
    assert got is not None and got.total == 1 and [r.id for r in got.earlier] == [old]
