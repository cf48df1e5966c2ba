"""The hotline intake form, driven from the keyboard as a duty officer drives it.

Free text (the number, names, the description, address and search text) goes in with
``Keys.type`` (key clicks, or input-method commits for Chinese); every other key goes
through ``Keys.press`` to whatever widget has the focus, and is counted: a whole call
must be entered and dispatched in 25 or fewer.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent, QInputMethodEvent
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import func, insert, select
from sqlalchemy.exc import OperationalError

from core import timeline
from core.addresses import normalize
from core.domain.actor import Actor
from core.service import OrderService
from core.storage.db import read_tx, write_tx
from core.storage.schema import attachments, orders, std_addresses
from core.store import Store
from core.stream import Link, LinkState
from core.workflow.intake import ATTACHMENT_MAX_BYTES
from desktop.hub import ChangeHub
from desktop.lanes import Lanes
from desktop.views.intake import IntakeForm
from tests.core.county import POINTS, County
from tests.core.test_queries import draft
from tests.desktop.helpers import session_for, start_hub

BUDGET = 25
PHONE = "13812345678"
BUILDING = "030301"  # 城乡建设 › 市容市貌 › 建筑工程管理 (tier 2: the town)
NEIGHBOURS = "090305"  # 民政社区 › 社区管理 › 邻里纠纷 (a dispute)
MOD = Qt.KeyboardModifier


@pytest.fixture
def hub(store: Store) -> Iterator[ChangeHub]:
    hub = start_hub(store)
    yield hub
    hub.stop()


@pytest.fixture
def addresses(store: Store, county: County) -> None:
    """A few standard addresses (the test county has none): two in grid 1-1-1, whose
    grid worker is h_town1v1g1, and one in grid 2-1-1, which has no grid worker."""
    rows = [
        ("幸福路12号", "town1v1g1"),
        ("幸福路14号", "town1v1g1"),
        ("和平村3组8号", "town2v1g1"),
    ]
    with write_tx(store.engine) as conn:
        conn.execute(
            insert(std_addresses),
            [
                {
                    "address": text,
                    "normalized": normalize(text),
                    "unit_id": county.units[grid],
                    "lon": POINTS[grid][0],
                    "lat": POINTS[grid][1],
                }
                for text, grid in rows
            ],
        )


class Keys:
    """Keys pressed on the focused widget, as the keyboard sends them; free text apart."""

    def __init__(self, qtbot: QtBot) -> None:
        self.qtbot = qtbot
        self.count = 0

    @staticmethod
    def focus() -> QWidget:
        widget = QApplication.focusWidget()
        assert widget is not None, "nothing has the keyboard focus"
        return widget

    def press(self, key: Qt.Key, mods: Qt.KeyboardModifier = MOD.NoModifier) -> None:
        self.count += 1
        self.qtbot.keyClick(self.focus(), key, mods)

    def type(self, text: str) -> None:
        """ASCII as key clicks; Chinese as the input method commits it (QTest cannot)."""
        for run in re.findall(r"[\x20-\x7e]+|[^\x20-\x7e]+", text):
            if run.isascii():
                self.qtbot.keyClicks(self.focus(), run)
            else:
                event = QInputMethodEvent("", [])
                event.setCommitString(run)
                QApplication.sendEvent(self.focus(), event)


def open_form(qtbot: QtBot, store: Store, actor: Actor, lanes: Lanes, hub: ChangeHub) -> IntakeForm:
    form = IntakeForm(session_for(store, actor), lanes, hub)
    qtbot.addWidget(form)
    form.resize(1600, 900)
    with qtbot.waitSignal(form.lookup_did_finish, timeout=5000, check_params_cb="index".__eq__):
        form.show()
        form.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is form.phone_edit)
    return form


def close_form(qtbot: QtBot, form: IntakeForm) -> None:
    form.close()
    qtbot.waitUntil(lambda: form.tasks.pending == 0)


def landed(qtbot: QtBot, form: IntakeForm, what: str) -> object:
    return qtbot.waitSignal(form.lookup_did_finish, timeout=5000, check_params_cb=what.__eq__)


def pick_category(qtbot: QtBot, form: IntakeForm, keys: Keys, query: str) -> None:
    assert keys.focus() is form.category_box.line
    keys.type(query)
    qtbot.waitUntil(lambda: form.category_box.line.popup_open, timeout=3000)
    keys.press(Qt.Key.Key_Return)
    assert form.category_box.category is not None


def pick_address(qtbot: QtBot, form: IntakeForm, keys: Keys, text: str) -> None:
    assert keys.focus() is form.location_box.line
    with landed(qtbot, form, "addresses"):
        keys.type(text)
    qtbot.waitUntil(lambda: form.location_box.line.popup_open, timeout=3000)
    with landed(qtbot, form, "place"):
        keys.press(Qt.Key.Key_Return)


def type_call(qtbot: QtBot, form: IntakeForm, keys: Keys, address: str = "幸福路12") -> None:
    """A whole complaint about building work, from the phone box to the address."""
    with landed(qtbot, form, "history"):
        keys.type(PHONE)
    keys.press(Qt.Key.Key_Tab)
    keys.type("李女士")
    keys.press(Qt.Key.Key_Tab)  # the anonymous box
    keys.press(Qt.Key.Key_Tab)
    pick_category(qtbot, form, keys, "jzgc")
    assert keys.focus() is form.type_bar
    keys.press(Qt.Key.Key_3)  # complaint
    keys.press(Qt.Key.Key_Tab)
    keys.type("幸福路工地夜间施工，噪音很大，已持续一周。")
    keys.press(Qt.Key.Key_Tab)  # past the optional title
    keys.press(Qt.Key.Key_Tab)
    pick_address(qtbot, form, keys, address)
    qtbot.waitUntil(lambda: not form.suggesting, timeout=5000)


def order_count(store: Store) -> int:
    with read_tx(store.engine) as conn:
        return int(conn.execute(select(func.count()).select_from(orders)).scalar_one())


def test_a_call_is_taken_and_dispatched_from_the_keyboard(
    qtbot: QtBot,
    store: Store,
    svc: OrderService,
    county: County,
    actors: dict[str, Actor],
    lanes: Lanes,
    hub: ChangeHub,
    addresses: None,
) -> None:
    form = open_form(qtbot, store, actors["duty"], lanes, hub)
    keys = Keys(qtbot)
    type_call(qtbot, form, keys)
    target = form.suggestion_panel.target()
    assert target is not None and target.unit_id == county.units["town1"]
    assert "town" in form.suggestion_panel.chosen.text()
    with qtbot.waitSignal(form.order_did_register, timeout=5000) as registered:
        keys.press(Qt.Key.Key_Return, MOD.ControlModifier)
    qtbot.waitUntil(lambda: not form._busy)
    assert keys.count <= BUDGET, f"{keys.count} keystrokes beyond the free text"
    print(f"keystrokes beyond free text: {keys.count}")

    order = svc.load(actors["duty"], registered.args[0].order_id).order
    assert order.state == "dispatched"
    assert order.lead_unit_id == county.units["town1"]
    assert order.category_node_id.endswith(BUILDING)
    assert order.request_type == "complaint"
    assert order.location_unit_id == county.units["town1v1g1"]
    assert order.address == "幸福路12号"
    assert order.caller_name == "李女士" and order.phone == PHONE
    assert order.number in form.notice.text() and form.notice.isVisible()
    # ready for the next call
    assert form.phone_edit.text() == "" and form.description_edit.toPlainText() == ""
    assert form.category_box.category is None and form.place is None
    assert QApplication.focusWidget() is form.phone_edit
    close_form(qtbot, form)


def test_a_repeat_caller_is_marked_with_their_earlier_orders(
    qtbot: QtBot,
    store: Store,
    svc: OrderService,
    actors: dict[str, Actor],
    lanes: Lanes,
    hub: ChangeHub,
) -> None:
    earlier = svc.register(actors["duty"], draft(title="路灯不亮", phone=PHONE))
    form = open_form(qtbot, store, actors["duty"], lanes, hub)
    assert not form.caller_panel.badge.isVisible()
    with landed(qtbot, form, "history"):
        qtbot.keyClicks(form.phone_edit, "138 1234 5678")
    assert form.caller_panel.repeat and form.caller_panel.badge.isVisible()
    row = form.caller_panel.table.topLevelItem(0)
    assert row is not None and row.text(0) == earlier.value and row.text(3) == "路灯不亮"
    with landed(qtbot, form, "history"):
        qtbot.keyClicks(form.phone_edit, "9")  # no longer a number
    assert not form.caller_panel.badge.isVisible()
    assert form.caller_panel.table.topLevelItemCount() == 0
    close_form(qtbot, form)


def test_category_search_by_pinyin_initials_and_by_code(
    qtbot: QtBot, store: Store, actors: dict[str, Actor], lanes: Lanes, hub: ChangeHub
) -> None:
    form = open_form(qtbot, store, actors["duty"], lanes, hub)
    box = form.category_box
    box.line.setFocus()
    qtbot.keyClicks(box.line, "jzgc")
    qtbot.waitUntil(lambda: box.line.popup_open, timeout=3000)
    assert box.line.items()[0].category.code == BUILDING
    qtbot.keyClick(box.line, Qt.Key.Key_Return)
    assert box.category is not None and box.category.code == BUILDING
    assert "城乡建设 › 市容市貌 › 建筑工程管理" in box.path_label.text()
    assert not form.dispute_box.isVisibleTo(form)
    assert QApplication.focusWidget() is form.type_bar  # Enter moved on

    box.line.setFocus()
    box.line.selectAll()
    qtbot.keyClicks(box.line, NEIGHBOURS)
    assert box.category is None  # editing the text drops the choice
    qtbot.waitUntil(lambda: box.line.popup_open, timeout=3000)
    qtbot.keyClick(box.line, Qt.Key.Key_Return)
    assert box.category is not None and box.category.name == "邻里纠纷"
    assert form.dispute_box.isVisibleTo(form)  # a dispute category shows the dispute fields
    close_form(qtbot, form)


def test_an_address_resolves_to_its_grid_village_town_and_grid_worker(
    qtbot: QtBot,
    store: Store,
    actors: dict[str, Actor],
    lanes: Lanes,
    hub: ChangeHub,
    addresses: None,
) -> None:
    form = open_form(qtbot, store, actors["duty"], lanes, hub)
    keys = Keys(qtbot)
    form.location_box.line.setFocus()
    pick_address(qtbot, form, keys, "幸福路14")
    info = form.location_box.info.text()
    for part in ("1-1-1网格", "1镇1村", "第1镇", "h_town1v1g1"):
        assert part in info
    assert form.location_box.line.text() == "幸福路14号"

    form.location_box.line.setFocus()
    form.location_box.line.selectAll()
    pick_address(qtbot, form, keys, "和平村")
    info = form.location_box.info.text()
    assert "2-1-1网格" in info and "第2镇" in info
    assert "no grid worker registered" in info
    close_form(qtbot, form)


def test_a_refused_field_shows_under_itself_and_keeps_the_text(
    qtbot: QtBot, store: Store, actors: dict[str, Actor], lanes: Lanes, hub: ChangeHub
) -> None:
    form = open_form(qtbot, store, actors["duty"], lanes, hub)
    before = order_count(store)
    qtbot.keyClicks(form.phone_edit, "1381234")
    form.description_edit.setFocus()
    Keys(qtbot).type("楼道堆放杂物")
    qtbot.keyClick(form.description_edit, Qt.Key.Key_S, MOD.ControlModifier)
    qtbot.waitUntil(lambda: form.notes["phone"][1].isVisible(), timeout=5000)
    assert "7 digits" in form.notes["phone"][1].text()
    assert form.notes["category_node_id"][1].isVisible()
    assert form.notes["request_type"][1].isVisible()
    assert not form.notes["description"][1].isVisible()
    assert QApplication.focusWidget() is form.phone_edit  # the first bad field
    assert form.phone_edit.text() == "1381234"
    assert form.description_edit.toPlainText() == "楼道堆放杂物"
    assert order_count(store) == before
    close_form(qtbot, form)


def test_a_dispute_needs_its_risk_grade(
    qtbot: QtBot, store: Store, actors: dict[str, Actor], lanes: Lanes, hub: ChangeHub
) -> None:
    form = open_form(qtbot, store, actors["duty"], lanes, hub)
    keys = Keys(qtbot)
    keys.type(PHONE)
    form.category_box.line.setFocus()
    pick_category(qtbot, form, keys, NEIGHBOURS)
    keys.press(Qt.Key.Key_1)  # consultation
    form.description_edit.setFocus()
    keys.type("邻居装修占用楼道，双方争吵")
    keys.press(Qt.Key.Key_S, MOD.ControlModifier)
    note = form.notes["risk_grade"][1]
    qtbot.waitUntil(note.isVisible, timeout=5000)
    assert QApplication.focusWidget() is form.dispute_box.risk
    keys.press(Qt.Key.Key_3)  # yellow
    form.dispute_box.parties.setFocus()
    keys.type("张三，李四")
    with qtbot.waitSignal(form.order_did_register, timeout=5000) as registered:
        keys.press(Qt.Key.Key_S, MOD.ControlModifier)
    order = OrderService(store).load(actors["duty"], registered.args[0].order_id).order
    assert order.risk_grade == "yellow" and order.state == "registered"
    assert [p["name"] for p in order.parties] == ["张三", "李四"]
    close_form(qtbot, form)


def test_answered_on_the_spot_closes_the_order(
    qtbot: QtBot, store: Store, actors: dict[str, Actor], lanes: Lanes, hub: ChangeHub
) -> None:
    form = open_form(qtbot, store, actors["duty"], lanes, hub)
    keys = Keys(qtbot)
    keys.type(PHONE)
    form.category_box.line.setFocus()
    pick_category(qtbot, form, keys, BUILDING)
    keys.press(Qt.Key.Key_1)  # consultation
    form.description_edit.setFocus()
    keys.type("咨询装修需要办理什么手续")
    keys.press(Qt.Key.Key_R, MOD.ControlModifier)
    assert form.answer_edit.isVisibleTo(form) and keys.focus() is form.answer_edit
    keys.type("已告知到街道城建办备案。")
    with qtbot.waitSignal(form.order_did_register, timeout=5000) as registered:
        keys.press(Qt.Key.Key_R, MOD.ControlModifier)
    order = OrderService(store).load(actors["duty"], registered.args[0].order_id).order
    assert order.state == "closed" and order.answer_text == "已告知到街道城建办备案。"
    assert "answered on the spot" in form.notice.text()
    assert not form.answer_edit.isVisibleTo(form)
    close_form(qtbot, form)


def test_merging_into_a_duplicate_adds_the_caller(
    qtbot: QtBot,
    store: Store,
    svc: OrderService,
    actors: dict[str, Actor],
    lanes: Lanes,
    hub: ChangeHub,
    addresses: None,
) -> None:
    first = svc.register(
        actors["duty"],
        draft(category_node_id=f"db44t2479-2024:0303:{BUILDING}", description="工地夜间施工噪音"),
    )
    before = order_count(store)
    form = open_form(qtbot, store, actors["duty"], lanes, hub)
    keys = Keys(qtbot)
    with landed(qtbot, form, "duplicates"):
        type_call(qtbot, form, keys)
    assert form.duplicate_panel.candidate(0) is not None
    assert form.duplicate_panel.candidate(0).number == first.value
    with qtbot.waitSignal(form.call_did_finish, timeout=5000):
        keys.press(Qt.Key.Key_M, MOD.ControlModifier)
    assert "Caller added to order " + str(first.value) in form.notice.text()
    callers = svc.load(actors["duty"], first.order_id).callers
    assert [c.phone for c in callers] == [PHONE] and callers[0].name == "李女士"
    assert order_count(store) == before  # no new order
    with read_tx(store.engine) as conn:  # what the second caller said is in the timeline
        notes = [e for e in timeline.entries(conn, first.order_id) if e.kind == "progress_noted"]
    assert len(notes) == 1 and "幸福路工地夜间施工" in str(notes[0].detail.get("text"))
    assert form.phone_edit.text() == ""
    close_form(qtbot, form)


def test_a_registered_order_whose_dispatch_failed_merges_as_an_order(
    qtbot: QtBot,
    store: Store,
    svc: OrderService,
    actors: dict[str, Actor],
    lanes: Lanes,
    hub: ChangeHub,
    addresses: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = svc.register(
        actors["duty"],
        draft(category_node_id=f"db44t2479-2024:0303:{BUILDING}", description="工地夜间施工噪音"),
    )
    form = open_form(qtbot, store, actors["duty"], lanes, hub)
    keys = Keys(qtbot)
    with landed(qtbot, form, "duplicates"):
        type_call(qtbot, form, keys)

    def down(*_a: object, **_k: object) -> None:
        raise OperationalError("dispatch", {}, ConnectionError("server closed the connection"))

    monkeypatch.setattr(OrderService, "dispatch", down)
    with qtbot.waitSignal(form.order_did_register, timeout=5000) as registered:
        keys.press(Qt.Key.Key_Return, MOD.ControlModifier)
    qtbot.waitUntil(lambda: not form._busy)
    source = registered.args[0].order_id
    assert form.saved is not None and form.saved.order_id == source
    assert "is registered, but" in form.notice.text()
    assert not form.phone_edit.isEnabled()  # the order exists: its fields are fixed here
    monkeypatch.undo()
    with qtbot.waitSignal(form.call_did_finish, timeout=5000):
        keys.press(Qt.Key.Key_M, MOD.ControlModifier)
    assert svc.load(actors["duty"], source).order.state == "merged"
    assert "merged into order " + str(first.value) in form.notice.text()
    assert form.saved is None and form.phone_edit.isEnabled()
    close_form(qtbot, form)


def test_attachments_are_added_and_refused_files_reported(
    qtbot: QtBot,
    store: Store,
    actors: dict[str, Actor],
    lanes: Lanes,
    hub: ChangeHub,
    tmp_path: Path,
) -> None:
    photo = tmp_path / "现场.jpg"
    photo.write_bytes(b"\xff\xd8\xff" + b"0" * 1000)
    letter = tmp_path / "letter.pdf"
    letter.write_bytes(b"%PDF-1.4 test")
    empty = tmp_path / "empty.txt"
    empty.touch()
    huge = tmp_path / "video.mp4"
    with huge.open("wb") as fh:
        fh.truncate(ATTACHMENT_MAX_BYTES + 1)  # sparse: nothing is written
    form = open_form(qtbot, store, actors["duty"], lanes, hub)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in (photo, empty, huge)])
    drop = QDropEvent(
        QPointF(300, 300), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, MOD.NoModifier
    )
    form.dropEvent(drop)
    form.attachments.add_paths([letter])
    assert [f.path.name for f in form.attachments.pending] == ["现场.jpg", "letter.pdf"]
    refused = form.attachments.refused.text()
    assert "video.mp4: Larger than 25 MB." in refused and "empty.txt: The file is empty." in refused
    assert "letter" not in refused

    keys = Keys(qtbot)
    keys.type(PHONE)
    form.category_box.line.setFocus()
    pick_category(qtbot, form, keys, BUILDING)
    keys.press(Qt.Key.Key_4)  # report
    form.description_edit.setFocus()
    keys.type("举报违章搭建，附照片")
    with qtbot.waitSignal(form.order_did_register, timeout=5000) as registered:
        keys.press(Qt.Key.Key_S, MOD.ControlModifier)
    qtbot.waitUntil(lambda: form.notice.isVisible())
    assert "2 file(s) attached" in form.notice.text()
    with read_tx(store.engine) as conn:
        stored = conn.execute(
            select(attachments.c.filename, attachments.c.kind)
            .where(attachments.c.order_id == registered.args[0].order_id)
            .order_by(attachments.c.id)
        ).all()
    assert [tuple(r) for r in stored] == [("现场.jpg", "photo_before"), ("letter.pdf", "document")]
    assert form.attachments.pending == []
    close_form(qtbot, form)


def test_a_save_during_an_outage_keeps_the_form(
    qtbot: QtBot, store: Store, actors: dict[str, Actor], lanes: Lanes, hub: ChangeHub
) -> None:
    form = open_form(qtbot, store, actors["duty"], lanes, hub)
    hub.stop()
    hub._linked(Link(LinkState.DOWN, hub.confirmed_at, "OperationalError: refused", 1.0))
    assert form.banner.isVisible()
    before = order_count(store)
    qtbot.keyClicks(form.phone_edit, PHONE)
    qtbot.keyClick(form.phone_edit, Qt.Key.Key_Return, MOD.ControlModifier)
    qtbot.waitUntil(lambda: form.tasks.pending == 0)
    assert "nothing was saved" in form.banner.text()
    assert form.phone_edit.text() == PHONE
    assert order_count(store) == before
    close_form(qtbot, form)


def test_new_call_asks_only_when_something_was_typed(
    qtbot: QtBot, store: Store, actors: dict[str, Actor], lanes: Lanes, hub: ChangeHub
) -> None:
    form = open_form(qtbot, store, actors["duty"], lanes, hub)
    keys = Keys(qtbot)
    keys.press(Qt.Key.Key_N, MOD.ControlModifier)
    assert form.confirm_box is None  # nothing typed: nothing to ask
    keys.type(PHONE)
    keys.press(Qt.Key.Key_N, MOD.ControlModifier)
    box = form.confirm_box
    assert isinstance(box, QMessageBox)
    qtbot.waitUntil(box.isVisible)
    qtbot.keyClick(box, Qt.Key.Key_Return)  # Discard is the default
    qtbot.waitUntil(lambda: form.confirm_box is None)
    assert form.phone_edit.text() == ""
    qtbot.waitUntil(lambda: QApplication.focusWidget() is form.phone_edit)
    close_form(qtbot, form)


def test_the_form_renders_a_realistic_call_in_chinese(
    qtbot: QtBot,
    store: Store,
    svc: OrderService,
    actors: dict[str, Actor],
    lanes: Lanes,
    hub: ChangeHub,
    addresses: None,
    zh: None,
    tmp_path: Path,
) -> None:
    svc.register(
        actors["duty"],
        draft(
            category_node_id=f"db44t2479-2024:0303:{BUILDING}",
            description="幸福路工地晚上十点后还在打桩",
            phone=PHONE,
        ),
    )
    form = open_form(qtbot, store, actors["duty"], lanes, hub)
    keys = Keys(qtbot)
    with landed(qtbot, form, "duplicates"):
        type_call(qtbot, form, keys)
    form.attachments.add_paths([Path(__file__)])
    qtbot.wait(50)
    image = form.grab().toImage()
    assert (image.width(), image.height()) == (1600, 900)
    folder = Path(os.environ.get("CC_SCREENSHOT_DIR", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    assert image.save(str(folder / "intake_zh.png"))
    assert form.caller_panel.badge.isVisible()
    with qtbot.waitSignal(form.call_did_finish, timeout=5000):
        keys.press(Qt.Key.Key_Return, MOD.ControlModifier)
    qtbot.wait(50)
    assert form.grab().toImage().save(str(folder / "intake_saved_zh.png"))
    close_form(qtbot, form)


def test_the_form_renders_refusals_and_a_dispute_in_chinese(
    qtbot: QtBot,
    store: Store,
    actors: dict[str, Actor],
    lanes: Lanes,
    hub: ChangeHub,
    addresses: None,
    zh: None,
    tmp_path: Path,
) -> None:
    form = open_form(qtbot, store, actors["duty"], lanes, hub)
    keys = Keys(qtbot)
    keys.type("1381234")
    keys.press(Qt.Key.Key_Tab)
    keys.type("王大爷")
    form.category_box.line.setFocus()
    pick_category(qtbot, form, keys, "邻里")
    form.description_edit.setFocus()
    keys.type("楼上邻居长期漏水到我家，协商多次没有结果，双方情绪激动。")
    form.location_box.line.setFocus()
    pick_address(qtbot, form, keys, "和平村")
    keys.press(Qt.Key.Key_S, MOD.ControlModifier)
    qtbot.waitUntil(lambda: form.notes["risk_grade"][1].isVisible(), timeout=5000)
    assert form.notes["phone"][1].isVisible() and form.notes["request_type"][1].isVisible()
    qtbot.wait(50)
    image = form.grab().toImage()
    folder = Path(os.environ.get("CC_SCREENSHOT_DIR", tmp_path))
    assert image.save(str(folder / "intake_refused_zh.png"))
    close_form(qtbot, form)


def test_a_point_picked_on_the_map_with_the_arrows_locates_the_grid(
    qtbot: QtBot,
    store: Store,
    county: County,
    actors: dict[str, Actor],
    lanes: Lanes,
    hub: ChangeHub,
    zh: None,
    tmp_path: Path,
) -> None:
    form = open_form(qtbot, store, actors["duty"], lanes, hub)
    keys = Keys(qtbot)
    keys.press(Qt.Key.Key_G, MOD.ControlModifier)
    qtbot.waitUntil(lambda: form.map_dialog is not None and form.map_dialog.isVisible())
    dialog = form.map_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog)
    for key in (Qt.Key.Key_Left, Qt.Key.Key_Down) * 3:  # from the county's middle, south-west
        keys.press(key)
    assert dialog.unit_id == county.units["town1v1g2"]
    assert "1-1-2网格" in dialog.where.text()
    folder = Path(os.environ.get("CC_SCREENSHOT_DIR", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    assert dialog.grab().toImage().save(str(folder / "intake_map_zh.png"))
    with landed(qtbot, form, "place"):
        keys.press(Qt.Key.Key_Return)
    assert form.place is not None and form.place.from_map
    assert form.place.unit_id == county.units["town1v1g2"]
    assert "1-1-2网格" in form.location_box.info.text()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is form.location_box.line)
    close_form(qtbot, form)
