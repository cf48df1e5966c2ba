"""Whole lives of orders driven through the workstation only, switching users where the
roles change: the hotline call typed at the intake page, then each unit's work queue, the
order editor's action buttons and their dialogs. No service call moves an order here;
the service is used only to read what the screens did."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from core.actions import Op
from core.domain.actor import Actor
from core.queues import Queue
from core.service import OrderService
from core.storage.schema import phone_reads
from core.store import Store
from desktop.hub import ChangeHub
from desktop.lanes import Lanes
from desktop.settings import AppSettings
from desktop.views.main_window import MainWindow
from desktop.views.order_actions import SPECS, ActionDialog
from desktop.views.order_editor import OrderEditor
from desktop.views.visit_dialog import RESULTS
from tests.core.county import County
from tests.desktop.helpers import open_window, start_hub
from tests.desktop.test_intake import MOD, PHONE, Keys, addresses, type_call  # noqa: F401

pytestmark = pytest.mark.usefixtures("addresses")


@pytest.fixture
def hub(store: Store) -> Iterator[ChangeHub]:
    hub = start_hub(store)
    yield hub
    hub.stop()


class Desk:
    """One user's workstation at a time, as people take turns on the order."""

    def __init__(
        self, qtbot: QtBot, store: Store, actors: dict[str, Actor], lanes: Lanes, tmp: Any
    ) -> None:
        self.qtbot, self.store, self.actors = qtbot, store, actors
        self.lanes, self.tmp = lanes, tmp
        self.window: MainWindow | None = None

    def login(self, user: str, hub: ChangeHub) -> MainWindow:
        self.logout()
        settings = AppSettings.at(self.tmp / f"{user}.ini")
        self.window = open_window(
            self.qtbot, self.store, self.actors[user], self.lanes, settings, hub=hub
        )
        self.window.resize(1600, 900)
        return self.window

    def logout(self) -> None:
        if self.window is not None:
            editor = self.window.editor
            if editor is not None:
                editor.reject()
                self.qtbot.waitUntil(lambda: editor.tasks.pending == 0)
            self.window.close()
            window = self.window
            self.qtbot.waitUntil(lambda: window.pending == 0)
            self.window = None

    def open_from_queue(self, panel: str, queue: Queue, order_id: int) -> OrderEditor:
        """Find the order in the work queue and open it with the keyboard."""
        w = self.window
        assert w is not None
        self.qtbot.keyClick(w, Qt.Key.Key_2, MOD.ControlModifier)
        page = w.queues
        assert page is not None and w.current_page == "queues"
        kinds = [p.kind.value for p in page.scope.panels]
        page.panel_bar.setCurrentIndex(kinds.index(panel))
        page.queue_bar.setCurrentIndex(page._queues.index(queue))
        self.qtbot.waitUntil(lambda: page.settled and order_id in page.model.ids(), timeout=5000)
        page.table.setFocus()
        page.table.selectRow(page.model.ids().index(order_id))
        self.qtbot.keyClick(page.table, Qt.Key.Key_Return)
        self.qtbot.waitUntil(
            lambda: w.editor is not None and w.editor.base is not None, timeout=5000
        )
        assert w.editor is not None and w.editor.order_id == order_id
        return w.editor


def act(qtbot: QtBot, editor: OrderEditor, op: Op, **fill: Any) -> None:
    """Press the action's button, fill its dialog as a user would, and wait for the reload."""
    button = editor.action_bar.button(op)
    assert button.isEnabled(), f"{op}: {button.toolTip()}"
    with qtbot.waitSignal(editor.order_did_change, timeout=5000):
        button.click()
        if op == Op.VISIT:
            qtbot.waitUntil(lambda: getattr(editor, "visit_dialog", None) is not None)
            visit = editor.visit_dialog
            visit.group.button(RESULTS.index(fill["choice"])).setChecked(True)
            visit.note.setPlainText(str(fill.get("text", "")))
            if "number" in fill:  # the full number, read for the visit
                qtbot.waitUntil(lambda: visit.number.text() == fill["number"], timeout=5000)
            assert visit.ok_button.isEnabled()
            visit.ok_button.click()
        elif op in SPECS:
            qtbot.waitUntil(lambda: getattr(editor, "action_dialog", None) is not None)
            fill_dialog(editor.action_dialog, fill)
    qtbot.waitUntil(lambda: editor.tasks.pending == 0, timeout=5000)


def fill_dialog(dialog: ActionDialog, fill: dict[str, Any]) -> None:
    if dialog.text_edit is not None:
        dialog.text_edit.setPlainText(str(fill.get("text", "已处理")))
    if dialog.unit_box is not None:
        dialog.unit_box.setCurrentIndex(dialog.unit_box.findData(fill["unit"]))
    if dialog.choice_box is not None and "choice" in fill:
        dialog.choice_box.setCurrentIndex(dialog.choice_box.findData(fill["choice"]))
    if dialog.decision_box is not None:
        dialog.decision_box.setCurrentIndex(
            dialog.decision_box.findData(fill.get("decision", True))
        )
    for key, edit in dialog.lines.items():
        edit.setText(str(fill[key]))
    assert dialog.ok_button.isEnabled()
    dialog.ok_button.click()


def take_call(qtbot: QtBot, desk: Desk, hub: ChangeHub, *, dispatch: bool = True) -> int:
    """A duty officer takes the call at the intake page, from the keyboard."""
    window = desk.login("duty", hub)
    assert window.current_page == "intake" and window.intake is not None
    form = window.intake
    qtbot.waitUntil(lambda: form.category_box.index is not None, timeout=5000)
    form.phone_edit.setFocus()
    keys = Keys(qtbot)
    type_call(qtbot, form, keys)
    with qtbot.waitSignal(form.order_did_register, timeout=5000) as registered:
        keys.press(Qt.Key.Key_Return if dispatch else Qt.Key.Key_S, MOD.ControlModifier)
    qtbot.waitUntil(lambda: not form._busy)
    return int(registered.args[0].order_id)


def state(svc: OrderService, actors: dict[str, Actor], oid: int) -> str:
    return svc.load(actors["admin"], oid).order.state


def test_one_order_from_the_call_to_closed(
    qtbot: QtBot,
    store: Store,
    svc: OrderService,
    actors: dict[str, Actor],
    county: County,
    lanes: Lanes,
    hub: ChangeHub,
    tmp_path: Any,
) -> None:
    u = county.units
    desk = Desk(qtbot, store, actors, lanes, tmp_path)
    oid = take_call(qtbot, desk, hub)  # to the suggested unit: the town
    assert state(svc, actors, oid) == "dispatched"

    desk.login("h_town1", hub)
    editor = desk.open_from_queue("town", Queue.ACCEPT, oid)
    act(qtbot, editor, Op.PASS_DOWN, unit=u["town1v1"], text="请村里核实处理")

    desk.login("h_town1v1", hub)
    editor = desk.open_from_queue("village", Queue.ACCEPT, oid)
    act(qtbot, editor, Op.ACCEPT)
    act(qtbot, editor, Op.NOTE_PROGRESS, text="已联系施工方")
    act(qtbot, editor, Op.SUBMIT_RESULT, text="施工方承诺夜间停工")
    assert state(svc, actors, oid) == "in_progress"  # the answer climbs to the town

    desk.login("h_town1", hub)
    editor = desk.open_from_queue("town", Queue.REVIEW, oid)  # the village's answer
    act(qtbot, editor, Op.SUBMIT_RESULT, text="经镇核实，施工方已停工")
    assert state(svc, actors, oid) == "pending_review"

    desk.login("supervisor", hub)
    editor = desk.open_from_queue("town", Queue.REVIEW, oid)
    act(qtbot, editor, Op.REVIEW, decision=True, text="")
    editor = desk.open_from_queue("town", Queue.VISIT, oid)
    act(qtbot, editor, Op.VISIT, choice="satisfied", text="来电人满意", number=PHONE)
    assert state(svc, actors, oid) == "closed"
    with store.engine.connect() as conn:  # the visiting supervisor's read is logged
        reads = conn.execute(
            select(phone_reads.c.user_id, phone_reads.c.reason).where(phone_reads.c.order_id == oid)
        ).all()
    assert [tuple(r) for r in reads] == [(actors["supervisor"].user_id, "回访")]
    kinds = [e.kind for e in editor.timeline.entries]
    assert kinds[0] == "registered" and kinds[-1] == "visit_recorded"
    assert {"dispatched", "passed_down", "accepted", "progress_noted", "result_submitted"} <= set(
        kinds
    )
    desk.logout()


def test_a_return_rejected_then_an_escalation(
    qtbot: QtBot,
    store: Store,
    svc: OrderService,
    actors: dict[str, Actor],
    county: County,
    lanes: Lanes,
    hub: ChangeHub,
    tmp_path: Any,
) -> None:
    desk = Desk(qtbot, store, actors, lanes, tmp_path)
    oid = take_call(qtbot, desk, hub)

    desk.login("h_town1", hub)
    editor = desk.open_from_queue("town", Queue.ACCEPT, oid)
    act(qtbot, editor, Op.RETURN_HOP, text="不属于本镇职责")
    assert state(svc, actors, oid) == "registered"

    desk.login("dispatcher", hub)
    editor = desk.open_from_queue("town", Queue.DISPATCH, oid)  # marked as returned
    row = desk.window.queues.model.row(0)  # type: ignore[union-attr]
    assert row.returned
    act(qtbot, editor, Op.REJECT_RETURN, text="工地在第1镇辖区，请签收")
    assert state(svc, actors, oid) == "dispatched"

    desk.login("h_town1", hub)
    editor = desk.open_from_queue("town", Queue.ACCEPT, oid)
    act(qtbot, editor, Op.ACCEPT)
    act(qtbot, editor, Op.ESCALATE, text="涉及多个部门，需县级协调")
    order = svc.load(actors["admin"], oid).order
    assert (order.state, order.escalation_count) == ("registered", 1)

    desk.login("dispatcher", hub)
    editor = desk.open_from_queue("town", Queue.DISPATCH, oid)
    act(qtbot, editor, Op.DISPATCH, unit=county.units["urban"], text="请城管局牵头")
    order = svc.load(actors["admin"], oid).order
    assert (order.state, order.lead_unit_id) == ("dispatched", county.units["urban"])
    desk.logout()


def test_a_second_call_is_merged_into_the_first(
    qtbot: QtBot,
    store: Store,
    svc: OrderService,
    actors: dict[str, Actor],
    county: County,
    lanes: Lanes,
    hub: ChangeHub,
    tmp_path: Any,
) -> None:
    desk = Desk(qtbot, store, actors, lanes, tmp_path)
    first = take_call(qtbot, desk, hub)
    second = take_call(qtbot, desk, hub, dispatch=False)
    target = svc.load(actors["admin"], first).order.number

    desk.login("dispatcher", hub)
    editor = desk.open_from_queue("town", Queue.DISPATCH, second)
    act(qtbot, editor, Op.MERGE, target_number=target, text="同一工地噪音")
    assert state(svc, actors, second) == "merged"
    merged = svc.load(actors["admin"], first)
    assert [(c.source, c.from_order_id) for c in merged.callers] == [("merged", second)]
    desk.logout()
