"""The app-wide change signal: coalesced, and each view can tell its own echo."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from core.domain.actor import Actor
from core.service import OrderService
from desktop.hub import Changes
from tests.core.test_queries import draft
from tests.desktop.helpers import start_hub


def test_a_burst_arrives_as_few_coalesced_signals(
    qtbot: QtBot, svc: OrderService, actors: dict[str, Actor]
) -> None:
    hub = start_hub(svc.store)
    got: list[Changes] = []
    hub.changes_did_arrive.connect(got.append)
    result = svc.register_many(actors["duty"], [draft(title=f"批量 {i}") for i in range(300)])
    qtbot.waitUntil(lambda: sum(c.count for c in got) >= result.event_count, timeout=10000)
    hub.stop()
    assert sum(c.count for c in got) == result.event_count == 300
    assert len(got) <= 5  # one signal per 50 ms window, not one per event
    assert set().union(*(c.order_ids for c in got)) == set(result.registered)
    assert got[-1].newest == hub.delivered


def test_a_view_recognises_the_echo_of_its_own_save(
    qtbot: QtBot, svc: OrderService, actors: dict[str, Actor]
) -> None:
    hub = start_hub(svc.store)
    got: list[Changes] = []
    hub.changes_did_arrive.connect(got.append)
    editor, other_view = object(), object()
    mine = svc.register(actors["duty"], draft(title="我登记的"))
    hub.note_own(mine.event_ids, editor)
    theirs = svc.register(actors["duty"], draft(title="别人登记的")).order_id
    qtbot.waitUntil(lambda: sum(c.count for c in got) >= 2, timeout=10000)
    hub.stop()
    changed_for_editor = frozenset().union(*(c.not_from(editor) for c in got))
    changed_for_list = frozenset().union(*(c.not_from(other_view) for c in got))
    assert changed_for_editor == {theirs}
    assert changed_for_list == {mine.order_id, theirs}
