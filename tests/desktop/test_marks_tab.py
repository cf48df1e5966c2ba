"""The order editor's marks tab and the return-visit dialog, driven as people would:
a supervisor screens an unsatisfied visit, the marked town appeals a late acceptance,
the supervisor upholds it, and the assessment figure moves exactly as core computes it.
The scenario is tests/core/test_marks.py's (order A, town1, March 2025)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from core import marks
from core.actions import Op
from core.clock import ManualClock
from core.domain.actor import Actor
from core.marks import MarkKind, MoveKind
from core.service import OrderService
from desktop.hub import ChangeHub
from desktop.lanes import Lanes
from desktop.views.order_editor import OrderEditor
from desktop.views.visit_dialog import RESULTS
from desktop.widgets.marks_panel import MarksPanel
from tests.core.county import County
from tests.core.test_marks import BASE, mar, mark, town1, two  # noqa: F401 - the fixture
from tests.desktop.helpers import start_hub
from tests.desktop.test_order_editor import close_editor, open_editor
from tests.desktop.test_queues_page import answered
from tests.desktop.test_screens import lang, save  # noqa: F401 - the fixture


@pytest.fixture
def hub(svc: OrderService) -> Iterator[ChangeHub]:
    hub = start_hub(svc.store)
    yield hub
    hub.stop()


def row_of(panel: MarksPanel, kind: MarkKind, limit: str | None = None) -> int:
    return next(
        i
        for i, v in enumerate(panel.views)
        if v.mark.kind is kind and (limit is None or v.mark.limit_kind == limit)
    )


def record(
    qtbot: QtBot, editor: OrderEditor, kind: MoveKind, choice: str | None, text: str
) -> None:
    panel = editor.tabs.marks
    button = panel.buttons[kind]
    assert button.isEnabled(), button.toolTip()
    with qtbot.waitSignal(editor.order_did_change, timeout=5000):
        button.click()
        dialog = panel.dialog
        assert dialog is not None and not dialog.ok_button.isEnabled()  # a reason first
        if choice is not None:
            assert dialog.choice is not None
            dialog.choice.setCurrentIndex(dialog.choice.findData(choice))
        dialog.text.setPlainText(text)
        dialog.ok_button.click()
    qtbot.waitUntil(lambda: editor.tasks.pending == 0, timeout=5000)


def test_screening_and_an_appeal_through_the_marks_tab(
    qtbot: QtBot,
    svc: OrderService,
    two: dict[str, int],  # noqa: F811
    actors: dict[str, Actor],
    lanes: Lanes,
    hub: ChangeHub,
    clock: ManualClock,
) -> None:
    order = two["A"]
    clock.set(mar(12, 10))
    editor = open_editor(qtbot, svc, actors["supervisor"], lanes, hub, order)
    panel = editor.tabs.marks
    texts = [panel.table.item(r, 0).text() for r in range(panel.table.rowCount())]
    assert texts == [
        panel.tr("Late acceptance"),
        panel.tr("Late result"),
        panel.tr("Unsatisfied visit"),
    ]
    panel.table.selectRow(row_of(panel, MarkKind.UNSATISFIED))
    assert not panel.buttons[MoveKind.APPEAL].isEnabled()
    assert panel.buttons[MoveKind.APPEAL].toolTip() == panel.why_text("not_marked_unit")
    record(qtbot, editor, MoveKind.SCREEN, "reasonable", "确未修好")
    row = row_of(panel, MarkKind.UNSATISFIED)
    assert (
        "Screened" in panel.table.item(row, 4).text() or "甄别" in panel.table.item(row, 4).text()
    )
    panel.table.selectRow(row)
    assert not panel.buttons[MoveKind.SCREEN].isEnabled()
    assert panel.buttons[MoveKind.SCREEN].toolTip() == panel.why_text("already_screened")
    kinds = [e.kind for e in editor.timeline.entries]
    assert kinds[-1] == "visit_screened"
    close_editor(qtbot, editor)

    editor = open_editor(qtbot, svc, actors["h_town1"], lanes, hub, order)
    panel = editor.tabs.marks
    panel.table.selectRow(row_of(panel, MarkKind.LATE, "accept"))
    record(qtbot, editor, MoveKind.APPEAL, None, "村道塌方，无法进村")
    panel.table.selectRow(row_of(panel, MarkKind.LATE, "accept"))
    assert panel.buttons[MoveKind.APPEAL].toolTip() == panel.why_text("already_appealed")
    close_editor(qtbot, editor)

    clock.set(mar(12, 11))
    editor = open_editor(qtbot, svc, actors["supervisor"], lanes, hub, order)
    panel = editor.tabs.marks
    panel.table.selectRow(row_of(panel, MarkKind.LATE, "accept"))
    record(qtbot, editor, MoveKind.DECIDE, "upheld", "属实")
    assert town1(svc) == {**BASE, "timely_acceptance": (2, 2)}
    close_editor(qtbot, editor)


def test_the_visit_dialog_shows_the_number_and_what_follows(
    qtbot: QtBot,
    svc: OrderService,
    actors: dict[str, Actor],
    lanes: Lanes,
    hub: ChangeHub,
    county: County,
) -> None:
    a = actors
    oid = answered(svc, a, county, "已修复", reviewed=True, phone="13912345678")
    editor = open_editor(qtbot, svc, a["supervisor"], lanes, hub, oid)
    editor.action_bar.button(Op.VISIT).click()
    qtbot.waitUntil(lambda: getattr(editor, "visit_dialog", None) is not None)
    visit = editor.visit_dialog
    qtbot.waitUntil(lambda: visit.number.text() == "13912345678", timeout=5000)
    assert not visit.ok_button.isEnabled()  # no outcome chosen yet
    visit.group.button(RESULTS.index("unsatisfied")).setChecked(True)
    assert "重办" in visit.effect.text()
    visit.group.button(RESULTS.index("unreachable")).setChecked(True)
    assert "1" in visit.effect.text() and "3" in visit.effect.text()
    with qtbot.waitSignal(editor.order_did_change, timeout=5000):
        visit.ok_button.click()
    qtbot.waitUntil(lambda: editor.tasks.pending == 0, timeout=5000)
    assert svc.load(a["admin"], oid).order.visit_attempts == 1
    close_editor(qtbot, editor)


def test_the_marks_tab_and_the_visit_dialog_render(
    qtbot: QtBot,
    svc: OrderService,
    two: dict[str, int],  # noqa: F811
    actors: dict[str, Actor],
    lanes: Lanes,
    hub: ChangeHub,
    clock: ManualClock,
    county: County,
    lang: str,  # noqa: F811 - the fixture
    tmp_path: Path,
) -> None:
    a, order = actors, two["A"]
    clock.set(mar(12, 10))
    late = mark(svc, order, MarkKind.LATE, "accept")
    marks.appeal(svc, a["h_town1"], order, "late", late.target, "村道塌方，无法进村")
    editor = open_editor(qtbot, svc, a["supervisor"], lanes, hub, order)
    editor.resize(1400, 800)
    editor.tabs.setCurrentWidget(editor.tabs.marks)
    editor.tabs.marks.table.selectRow(row_of(editor.tabs.marks, MarkKind.LATE, "accept"))
    editor.tabs.marks.ask(MoveKind.DECIDE)
    assert editor.tabs.marks.dialog is not None
    save(editor, f"marks_tab_{lang}", tmp_path)
    save(editor.tabs.marks.dialog, f"marks_decide_{lang}", tmp_path)
    editor.tabs.marks.dialog.reject()
    close_editor(qtbot, editor)

    text = "已更换路灯灯泡，现场照片已上传"
    oid = answered(svc, a, county, text, reviewed=True, phone="13912345678")
    editor = open_editor(qtbot, svc, a["supervisor"], lanes, hub, oid)
    editor.action_bar.button(Op.VISIT).click()
    qtbot.waitUntil(lambda: getattr(editor, "visit_dialog", None) is not None)
    visit = editor.visit_dialog
    qtbot.waitUntil(lambda: visit.number.text() == "13912345678", timeout=5000)
    visit.group.button(RESULTS.index("unsatisfied")).setChecked(True)
    save(visit, f"visit_dialog_{lang}", tmp_path)
    visit.reject()
    close_editor(qtbot, editor)
