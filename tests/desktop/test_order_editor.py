"""Two people, one order: the soft-lock banner, live notice of another's change, the
stale-save dialog that reloads and keeps one's edits, and saves refused during an outage."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from core import locks
from core.domain.actor import Actor
from core.service import OrderService
from core.stream import Link, LinkState
from desktop.hub import ChangeHub
from desktop.lanes import Lanes
from desktop.views.order_editor import OrderEditor
from tests.core.test_queries import draft
from tests.desktop.helpers import session_for, start_hub


@pytest.fixture
def hub(svc: OrderService) -> ChangeHub:
    hub = start_hub(svc.store)
    yield hub
    hub.stop()


def open_editor(
    qtbot: QtBot, svc: OrderService, actor: Actor, lanes: Lanes, hub: ChangeHub, oid: int
) -> OrderEditor:
    editor = OrderEditor(session_for(svc.store, actor), lanes, hub, oid, workstation="ws-test")
    qtbot.addWidget(editor)
    editor.show()
    qtbot.waitUntil(lambda: editor.base is not None, timeout=5000)
    return editor


def close_editor(qtbot: QtBot, editor: OrderEditor) -> None:
    editor.reject()
    qtbot.waitUntil(lambda: editor.tasks.pending == 0)


def test_a_second_editor_sees_who_is_editing(
    qtbot: QtBot, svc: OrderService, actors: dict[str, Actor], lanes: Lanes, hub: ChangeHub
) -> None:
    oid = svc.register(actors["duty"], draft(title="路灯")).order_id
    locks.acquire(svc.store, actors["duty"], oid, "ws-duty")
    editor = open_editor(qtbot, svc, actors["dispatcher"], lanes, hub, oid)
    assert editor.lock_banner.isVisible()
    assert "duty" in editor.lock_banner.text() and "ws-duty" in editor.lock_banner.text()
    assert editor.title_edit.isEnabled()  # a soft lock warns; it does not block
    assert editor.title_edit.text() == "路灯"
    close_editor(qtbot, editor)
    # closing released nothing of duty's: the lock is still theirs
    held = locks.holder(svc.store, oid)
    assert held is not None and held.workstation == "ws-duty"


def test_closing_the_editor_releases_its_lock(
    qtbot: QtBot, svc: OrderService, actors: dict[str, Actor], lanes: Lanes, hub: ChangeHub
) -> None:
    oid = svc.register(actors["duty"], draft()).order_id
    editor = open_editor(qtbot, svc, actors["duty"], lanes, hub, oid)
    held = locks.holder(svc.store, oid)
    assert held is not None and held.workstation == "ws-test"
    assert not editor.lock_banner.isVisible()
    close_editor(qtbot, editor)
    qtbot.waitUntil(lambda: locks.holder(svc.store, oid) is None, timeout=5000)


def test_a_stale_save_is_refused_then_reloaded_keeping_my_edits(
    qtbot: QtBot, svc: OrderService, actors: dict[str, Actor], lanes: Lanes, hub: ChangeHub
) -> None:
    oid = svc.register(actors["duty"], draft(title="旧标题", description="旧内容")).order_id
    editor = open_editor(qtbot, svc, actors["dispatcher"], lanes, hub, oid)
    svc.edit(actors["duty"], oid, {"title": "别人改的标题"})  # another workstation saves first
    qtbot.waitUntil(editor.changed_banner.isVisible, timeout=5000)
    editor.description_edit.setPlainText("我补充的内容")
    editor.save()
    qtbot.waitUntil(lambda: getattr(editor, "stale_dialog", None) is not None, timeout=5000)
    dialog = editor.stale_dialog
    assert dialog.isVisible()
    cells = {
        dialog.fields.item(r, 0).text(): [dialog.fields.item(r, c).text() for c in (1, 2, 3)]
        for r in range(dialog.fields.rowCount())
    }
    assert cells["Title"] == ["旧标题", "旧标题", "别人改的标题"]
    assert cells["Description"] == ["旧内容", "我补充的内容", "旧内容"]
    assert dialog.events.rowCount() == 1 and dialog.events.item(0, 1).text() == "duty"
    assert svc.load(actors["duty"], oid).order.description == "旧内容"  # nothing written
    dialog.reload_button.click()
    assert editor.title_edit.text() == "别人改的标题"
    assert editor.description_edit.toPlainText() == "我补充的内容"
    with qtbot.waitSignal(editor.order_did_save, timeout=5000):
        editor.save()
    order = svc.load(actors["duty"], oid).order
    assert (order.title, order.description) == ("别人改的标题", "我补充的内容")
    qtbot.waitUntil(lambda: editor.tasks.pending == 0)


def test_a_save_during_an_outage_is_refused_and_the_form_keeps_its_content(
    qtbot: QtBot, svc: OrderService, actors: dict[str, Actor], lanes: Lanes, hub: ChangeHub
) -> None:
    oid = svc.register(actors["duty"], draft(title="原标题")).order_id
    editor = open_editor(qtbot, svc, actors["duty"], lanes, hub, oid)
    hub.stop()
    hub._linked(Link(LinkState.DOWN, hub.confirmed_at, "OperationalError: refused", 1.0))
    editor.title_edit.setText("断线时输入的标题")
    editor.save()
    qtbot.waitUntil(lambda: editor.tasks.pending == 0)
    assert editor.isVisible()
    assert editor.error_label.isVisible()
    assert "nothing was saved" in editor.error_label.text()
    assert editor.title_edit.text() == "断线时输入的标题"
    assert "Disconnected" in editor.fresh_label.text()
    assert svc.load(actors["duty"], oid).order.title == "原标题"
    close_editor(qtbot, editor)
