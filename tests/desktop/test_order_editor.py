"""The order editor. Two people, one order: the soft-lock banner, live notice of another's
change, the stale-save dialog that reloads and keeps one's edits, and saves refused during
an outage. Then the full editor: actions per role with reasons, performing them through
the buttons and dialogs, undo, attachments with previews, masked callers, the timeline."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from core import locks
from core.actions import Op
from core.domain.actor import Actor
from core.service import OrderService
from core.stream import Link, LinkState
from core.workflow.intake import AttachmentData
from desktop.hub import ChangeHub
from desktop.lanes import Lanes
from desktop.views.order_actions import SPECS, ActionDialog
from desktop.views.order_editor import OrderEditor
from tests.core.county import County
from tests.core.test_queries import draft
from tests.core.test_time_limits import HARD_DISPUTE
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
    editor.description_edit.setPlainText("我补充的内容")
    svc.edit(actors["duty"], oid, {"title": "别人改的标题"})  # another workstation saves first
    qtbot.waitUntil(editor.changed_banner.isVisible, timeout=5000)
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


def test_with_nothing_typed_the_editor_follows_changes_live(
    qtbot: QtBot, svc: OrderService, actors: dict[str, Actor], lanes: Lanes, hub: ChangeHub
) -> None:
    oid = svc.register(actors["duty"], draft(title="旧标题")).order_id
    editor = open_editor(qtbot, svc, actors["dispatcher"], lanes, hub, oid)
    qtbot.wait(300)  # events from before the editor's read change nothing
    assert not editor.changed_banner.isVisible()
    svc.edit(actors["duty"], oid, {"title": "别人改的标题"})
    qtbot.waitUntil(lambda: editor.title_edit.text() == "别人改的标题", timeout=5000)
    assert not editor.changed_banner.isVisible()
    qtbot.waitUntil(lambda: editor.tasks.pending == 0)
    close_editor(qtbot, editor)


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


# --- the full editor: actions, undo, attachments, timeline -----------------------------


def png_bytes(color: str = "#3070c0", size: int = 64) -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QColor, QImage

    image = QImage(size, size, QImage.Format.Format_RGB32)
    image.fill(QColor(color))
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buf, "PNG")  # type: ignore[call-overload]
    return bytes(data.data())


def hop_of(svc: OrderService, actors: dict[str, Actor], oid: int, unit_id: int) -> int:
    hops = svc.load(actors["admin"], oid).hops
    return [h.id for h in hops if h.receiver_unit_id == unit_id][-1]


def dispatched(svc: OrderService, actors: dict[str, Actor], county: County, *assists: str) -> int:
    oid = svc.register(actors["duty"], draft(title="井盖缺失")).order_id
    u = county.units
    svc.dispatch(actors["dispatcher"], oid, u["town1"], [u[a] for a in assists])
    return oid


def press(qtbot: QtBot, editor: OrderEditor, op: Op) -> None:
    """Click an action's button and wait for the editor to have reloaded."""
    button = editor.action_bar.button(op)
    assert button.isEnabled(), button.toolTip()
    with qtbot.waitSignal(editor.order_did_change, timeout=5000):
        button.click()
        if op in SPECS:
            qtbot.waitUntil(lambda: getattr(editor, "action_dialog", None) is not None)
            fill_and_accept(editor.action_dialog)
    qtbot.waitUntil(lambda: editor.tasks.pending == 0, timeout=5000)


FILL: dict[str, str] = {}


def fill_and_accept(dialog: ActionDialog) -> None:
    if dialog.text_edit is not None:
        dialog.text_edit.setPlainText(FILL.get("text", "说明"))
    if dialog.unit_box is not None and "unit" in FILL:
        dialog.unit_box.setCurrentIndex(dialog.unit_box.findData(int(FILL["unit"])))
    assert dialog.ok_button.isEnabled()
    dialog.ok_button.click()


def test_each_role_sees_its_actions_and_why_not(
    qtbot: QtBot,
    svc: OrderService,
    actors: dict[str, Actor],
    county: County,
    lanes: Lanes,
    hub: ChangeHub,
) -> None:
    oid = dispatched(svc, actors, county, "police")
    town = open_editor(qtbot, svc, actors["h_town1"], lanes, hub, oid)
    bar = town.action_bar
    assert bar.button(Op.ACCEPT).isEnabled() and bar.button(Op.PASS_DOWN).isEnabled()
    submit = bar.button(Op.SUBMIT_RESULT)
    assert not submit.isEnabled() and submit.isVisible()
    assert "awaiting acceptance" in submit.toolTip().lower() or "order is" in submit.toolTip()
    assert (
        bar.button(Op.DISPATCH).toolTip() == "Needs one of these roles: Shift lead, Duty officer."
    )
    assert town.title_edit.isReadOnly() and not town.save_button.isEnabled()
    assert town.readonly_note.isVisible()
    assert all("&" in b.text() for b in bar.buttons.values())  # Alt+letter for each
    keys = [b.text()[b.text().index("&") + 1].upper() for b in bar.buttons.values()]
    assert len(keys) == len(set(keys))
    close_editor(qtbot, town)

    centre = open_editor(qtbot, svc, actors["dispatcher"], lanes, hub, oid)
    assert not centre.title_edit.isReadOnly() and not centre.readonly_note.isVisible()
    accept = centre.action_bar.button(Op.ACCEPT)
    assert not accept.isEnabled()
    assert accept.toolTip() == "Your unit holds no assignment on this order for this."
    assert centre.action_bar.button(Op.ADD_ASSIST).isEnabled()
    close_editor(qtbot, centre)


def test_accept_pass_down_return_and_submit_through_the_buttons(
    qtbot: QtBot,
    svc: OrderService,
    actors: dict[str, Actor],
    county: County,
    lanes: Lanes,
    hub: ChangeHub,
) -> None:
    u = county.units
    oid = dispatched(svc, actors, county)
    town = open_editor(qtbot, svc, actors["h_town1"], lanes, hub, oid)
    press(qtbot, town, Op.ACCEPT)
    assert svc.load(actors["admin"], oid).order.state == "in_progress"
    assert town.base is not None and town.base.agg.order.state == "in_progress"  # reloaded
    FILL.update(unit=str(u["town1v1"]), text="请村里处理")
    press(qtbot, town, Op.PASS_DOWN)
    hops = svc.load(actors["admin"], oid).hops
    assert [(h.receiver_unit_id, h.state) for h in hops] == [
        (u["town1"], "delegated"),
        (u["town1v1"], "awaiting"),
    ]
    top = town.hops.topLevelItem(0)
    child = top.child(0) if top is not None else None
    assert child is not None and "第1镇 → 1镇1村" in child.text(0)
    close_editor(qtbot, town)

    village = open_editor(qtbot, svc, actors["h_town1v1"], lanes, hub, oid)
    FILL.update(text="不属于本村")
    press(qtbot, village, Op.RETURN_HOP)
    assert svc.load(actors["admin"], oid).hops[-1].state == "returned"
    close_editor(qtbot, village)

    town = open_editor(qtbot, svc, actors["h_town1"], lanes, hub, oid)
    submit = town.action_bar.button(Op.SUBMIT_RESULT)
    assert not submit.isEnabled() and "return from below" in submit.toolTip()
    press(qtbot, town, Op.ACCEPT_RETURN)
    FILL.update(text="镇里已处理完毕")
    press(qtbot, town, Op.SUBMIT_RESULT)
    order = svc.load(actors["admin"], oid).order
    assert (order.state, order.result_text) == ("pending_review", "镇里已处理完毕")
    kinds = [e.kind for e in town.timeline.entries]
    assert kinds[-4:] == ["passed_down", "returned", "return_accepted", "result_submitted"]
    close_editor(qtbot, town)


def test_a_stale_action_is_refused_and_the_editor_reloads(
    qtbot: QtBot,
    svc: OrderService,
    actors: dict[str, Actor],
    county: County,
    lanes: Lanes,
    hub: ChangeHub,
) -> None:
    oid = dispatched(svc, actors, county)
    town = open_editor(qtbot, svc, actors["h_town1"], lanes, hub, oid)
    svc.note_progress(actors["dispatcher"], oid, "中心补充说明")  # someone else, first
    town.action_bar.button(Op.ACCEPT).click()
    qtbot.waitUntil(lambda: town.base is not None and town.base.version == 2, timeout=5000)
    qtbot.waitUntil(lambda: town.tasks.pending == 0, timeout=5000)
    assert town.error_label.isVisible() and "nothing was done" in town.error_label.text()
    assert svc.load(actors["admin"], oid).order.state == "dispatched"
    close_editor(qtbot, town)


def test_undo_reverts_the_last_field_change_and_revert_all_the_rest(
    qtbot: QtBot, svc: OrderService, actors: dict[str, Actor], lanes: Lanes, hub: ChangeHub
) -> None:
    from PySide6.QtCore import Qt

    oid = svc.register(actors["duty"], draft(title="原标题", description="原内容")).order_id
    editor = open_editor(qtbot, svc, actors["duty"], lanes, hub, oid)
    qtbot.keyClicks(editor.title_edit, "No.7")
    editor.description_edit.setPlainText("新内容")
    editor.form.combos["urgency"].setCurrentIndex(editor.form.combos["urgency"].findData("urgent"))
    assert set(editor.edits()) == {"title", "description", "urgency"}
    qtbot.keyClick(editor.title_edit, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert set(editor.edits()) == {"title", "description"}  # the urgency came back
    editor.undo_button.click()
    assert editor.description_edit.toPlainText() == "原内容"
    assert editor.title_edit.text() == "原标题No.7"  # the typing was one step
    editor.form.lines["address"].setText("淮河路1号")
    editor.revert_button.click()
    assert editor.edits() == {} and editor.title_edit.text() == "原标题"
    editor.undo_stack.undo()  # reverting was one undoable step
    assert editor.title_edit.text() == "原标题No.7" and editor.form.lines["address"].text()
    close_editor(qtbot, editor)


def test_attachments_show_thumbnails_preview_and_can_be_added(
    qtbot: QtBot,
    svc: OrderService,
    actors: dict[str, Actor],
    lanes: Lanes,
    hub: ChangeHub,
    tmp_path: Path,
) -> None:
    oid = svc.register(actors["duty"], draft()).order_id
    photo = AttachmentData("photo_before", "现场.png", "image/png", png_bytes())
    att_id = svc.add_attachment(actors["duty"], oid, photo).value["id"]
    svc.add_attachment(
        actors["duty"], oid, AttachmentData("document", "说明.txt", "text/plain", b"text")
    )
    editor = open_editor(qtbot, svc, actors["duty"], lanes, hub, oid)
    qtbot.waitUntil(lambda: att_id in editor.attachments.thumbnailed, timeout=5000)
    assert editor.attachments.count() == 2 and len(editor.attachments.thumbnailed) == 1
    editor.attachments.attachment_did_activate.emit(att_id)
    qtbot.waitUntil(lambda: getattr(editor, "image_preview", None) is not None, timeout=5000)
    assert editor.image_preview.isVisible()
    assert editor.image_preview.picture.pixmap().width() == 64
    editor.image_preview.reject()
    path = tmp_path / "after.png"
    path.write_bytes(png_bytes("#30a050"))
    button = editor.action_bar.button(Op.ADD_ATTACHMENT)
    with qtbot.waitSignal(editor.order_did_change, timeout=5000):
        button.click()
        dialog = editor.action_dialog
        assert dialog.path_edit is not None and dialog.choice_box is not None
        dialog.path_edit.setText(str(path))
        dialog.choice_box.setCurrentIndex(dialog.choice_box.findData("photo_after"))
        dialog.ok_button.click()
    qtbot.waitUntil(lambda: editor.attachments.count() == 3, timeout=5000)
    qtbot.waitUntil(lambda: len(editor.attachments.thumbnailed) == 2, timeout=5000)
    close_editor(qtbot, editor)


def test_callers_are_masked_until_a_logged_reveal(
    qtbot: QtBot, svc: OrderService, actors: dict[str, Actor], lanes: Lanes, hub: ChangeHub
) -> None:
    from sqlalchemy import func, select

    from core.storage.schema import phone_reads

    oid = svc.register(actors["duty"], draft()).order_id
    editor = open_editor(qtbot, svc, actors["dispatcher"], lanes, hub, oid)
    table = editor.form.callers
    cell = table.item(0, 1)
    assert cell is not None
    shown = cell.text()
    assert "13812345678" not in shown and shown.startswith("138")
    assert editor.form.lines["phone"].text() == ""  # the box never holds the full number
    editor.form.reveal_button.click()
    dialog = editor.reason_dialog
    dialog.reason_edit.setText("回访核实")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: "13812345678" in cell.text(), timeout=5000)
    with svc.store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(phone_reads)).scalar_one() == 1
    close_editor(qtbot, editor)


def test_the_editor_renders_in_chinese_without_clipping(
    qtbot: QtBot,
    svc: OrderService,
    actors: dict[str, Actor],
    county: County,
    lanes: Lanes,
    hub: ChangeHub,
    zh: None,
) -> None:
    u = county.units
    oid = svc.register(
        actors["duty"],
        draft(
            title="邻里噪音纠纷",
            description="楼上住户夜间装修噪音，多次协商未果，双方情绪激动，请尽快调解。",
            category_node_id=HARD_DISPUTE,
            limit_class="hard_dispute",
            risk_grade="orange",
            dispute_type="邻里纠纷",
            parties=[{"name": "张三", "role": "申请人"}, {"name": "李四", "role": "被申请人"}],
            leader_responsible="王镇长",
        ),
    ).order_id
    svc.dispatch(actors["dispatcher"], oid, u["town1"], [u["police"]])
    svc.accept(actors["h_town1"], oid, hop_of(svc, actors, oid, u["town1"]))
    svc.answer_assist(actors["h_police"], oid, hop_of(svc, actors, oid, u["police"]), "已出警调解")
    photo = AttachmentData("photo_before", "现场.png", "image/png", png_bytes())
    svc.add_attachment(actors["h_town1"], oid, photo)
    editor = open_editor(qtbot, svc, actors["h_town1"], lanes, hub, oid)
    editor.resize(1280, 820)
    qtbot.waitUntil(lambda: len(editor.attachments.thumbnailed) == 1, timeout=5000)
    for index, name in enumerate(("details", "hops", "timeline", "attachments")):
        editor.tabs.setCurrentIndex(index)
        qtbot.wait(30)
        editor.grab().save(f"/tmp/editor_{name}.png")
    assert editor.timeline.rowCount() >= 5
    for button in editor.action_bar.buttons.values():
        assert button.width() >= button.sizeHint().width() - 2, button.text()
    assert editor.side.viewport().width() >= editor.action_bar.minimumSizeHint().width()
    close_editor(qtbot, editor)


def test_a_unit_choice_starts_at_the_unit_on_the_way_to_the_location(
    qtbot: QtBot,
    svc: OrderService,
    actors: dict[str, Actor],
    county: County,
    lanes: Lanes,
    hub: ChangeHub,
) -> None:
    u = county.units
    oid = svc.register(actors["duty"], draft(None, location_unit_id=u["town1v2"])).order_id
    svc.dispatch(actors["dispatcher"], oid, u["town1"])
    town = open_editor(qtbot, svc, actors["h_town1"], lanes, hub, oid)
    town.action_bar.button(Op.PASS_DOWN).click()
    qtbot.waitUntil(lambda: getattr(town, "action_dialog", None) is not None)
    dialog = town.action_dialog
    assert dialog.unit_box is not None and dialog.unit_box.count() == 2  # the two villages
    assert dialog.unit_id() == u["town1v2"]  # not merely the first in the list
    dialog.reject()
    close_editor(qtbot, town)
