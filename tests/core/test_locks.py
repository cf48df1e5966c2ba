"""Soft locks: a second editor is warned, a lock expires on its own, and it never blocks
a save (the order's version does that)."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from core import locks
from core.clock import ManualClock
from core.domain.actor import Actor
from core.errors import NotFound, StaleVersion
from core.service import OrderService
from tests.core.county import County
from tests.core.test_queries import draft


def test_a_second_editor_is_told_who_holds_the_order(
    svc: OrderService, actors: dict[str, Actor], clock: ManualClock
) -> None:
    store = svc.store
    oid = svc.register(actors["duty"], draft()).order_id
    first = locks.acquire(store, actors["duty"], oid, "ws-1")
    assert first.taken and first.holder is None
    second = locks.acquire(store, actors["dispatcher"], oid, "ws-2")
    assert not second.taken
    assert second.holder is not None and second.holder.display_name == "duty"
    assert second.holder.workstation == "ws-1"
    # the same user at another workstation is warned too
    assert not locks.acquire(store, actors["duty"], oid, "ws-3").taken
    # refreshing our own lock keeps when we took it and moves the expiry
    clock.advance(timedelta(seconds=30))
    again = locks.acquire(store, actors["duty"], oid, "ws-1")
    held = locks.holder(store, oid)
    assert again.taken and held is not None
    assert held.acquired_at == clock.now() - timedelta(seconds=30)
    assert held.expires_at == clock.now() + locks.TTL


def test_a_lock_expires_and_can_be_released_or_taken_over(
    svc: OrderService, actors: dict[str, Actor], clock: ManualClock
) -> None:
    store = svc.store
    oid = svc.register(actors["duty"], draft()).order_id
    locks.acquire(store, actors["duty"], oid, "ws-1")
    clock.advance(locks.TTL + timedelta(seconds=1))
    assert locks.holder(store, oid) is None  # the workstation crashed: the lock lapsed
    taken = locks.acquire(store, actors["dispatcher"], oid, "ws-2")
    assert taken.taken and taken.holder is None
    locks.release(store, actors["duty"], oid, "ws-1")  # not ours any more: nothing happens
    assert locks.holder(store, oid) is not None
    forced = locks.acquire(store, actors["duty"], oid, "ws-1", force=True)
    assert forced.taken and forced.holder is not None  # says whose lock it replaced
    held = locks.holder(store, oid)
    assert held is not None and held.display_name == "duty"
    locks.release(store, actors["duty"], oid, "ws-1")
    assert locks.holder(store, oid) is None


def test_a_lock_never_blocks_a_save_but_a_stale_version_does(
    svc: OrderService, actors: dict[str, Actor]
) -> None:
    store = svc.store
    res = svc.register(actors["duty"], draft())
    oid, version = res.order_id, res.versions[res.order_id]
    locks.acquire(store, actors["duty"], oid, "ws-1")
    svc.edit(actors["dispatcher"], oid, {"title": "改了标题"}, expected_version=version)
    with pytest.raises(StaleVersion):
        svc.edit(actors["duty"], oid, {"title": "我也改"}, expected_version=version)


def test_locking_an_unknown_order_is_refused(svc: OrderService, actors: dict[str, Actor]) -> None:
    with pytest.raises(NotFound):
        locks.acquire(svc.store, actors["duty"], 999_999, "ws-1")


def test_a_version_conflict_between_two_processes(
    svc: OrderService, actors: dict[str, Actor]
) -> None:
    res = svc.register(actors["duty"], draft())
    oid, version = res.order_id, res.versions[res.order_id]
    url = svc.store.engine.url.render_as_string(hide_password=False)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.core.stream_writer",
            url,
            "edit",
            str(oid),
            str(version),
            "另一个进程",
        ],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert int(proc.stdout) == version + 1
    with pytest.raises(StaleVersion) as caught:
        svc.edit(actors["dispatcher"], oid, {"title": "这个进程"}, expected_version=version)
    assert caught.value.params["actual"] == version + 1
    assert svc.load(actors["duty"], oid).order.title == "另一个进程"


def test_history_since_a_version_names_who_changed_which_field(
    svc: OrderService, actors: dict[str, Actor], county: County
) -> None:
    from core import history
    from core.storage.db import read_tx

    res = svc.register(actors["duty"], draft())
    oid, version = res.order_id, res.versions[res.order_id]
    svc.edit(actors["dispatcher"], oid, {"title": "新标题", "address": "新地址"})
    svc.dispatch(actors["dispatcher"], oid, county.units["town1"])
    with read_tx(svc.store.engine) as conn:
        lines = history.since(conn, oid, version)
    assert [(x.kind, x.actor, x.fields) for x in lines] == [
        ("field_edited", "dispatcher", ("title",)),
        ("field_edited", "dispatcher", ("address",)),
        ("dispatched", "dispatcher", ("lead_unit_id", "state", "tier")),
    ]
    assert [x.version for x in lines] == [version + 1, version + 2, version + 3]
