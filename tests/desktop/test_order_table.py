"""The order table model on its own: live replacement by id, paging, display text."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QHeaderView
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from core.domain.ids import OrderId
from core.queries import OrderRow
from desktop.widgets.order_table import Col, OrderTableModel, OrderTableView

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2025, 3, 3, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai


def row(oid: int, **kw: object) -> OrderRow:
    base: dict[str, object] = dict(
        id=OrderId(oid),
        number=f"2025-{oid:06d}",
        version=0,
        state="registered",
        registered_at=T0 + timedelta(minutes=oid),
        channel="hotline",
        request_type="complaint",
        category_name="路灯",
        category_code="030301",
        title=f"工单{oid}",
        caller_name="王先生",
        caller_phone="138****5678",
        confidential=False,
        address=None,
        location_unit_name="1-1-1网格",
        lead_unit_name=None,
        tier=None,
        due_at=None,
        warning=False,
        overdue=False,
    )
    base.update(kw)
    return OrderRow(**base)  # type: ignore[arg-type]


def rows(*ids: int) -> list[OrderRow]:
    return [row(i) for i in ids]


def test_the_model_passes_qt_model_tester(qtmodeltester: ModelTester) -> None:
    model = OrderTableModel(SHANGHAI)
    model.replace(rows(9, 8, 7), more=True)
    qtmodeltester.check(model)


def test_new_rows_on_top_are_inserted_and_the_rest_keep_their_indexes(qtbot: QtBot) -> None:
    model = OrderTableModel(SHANGHAI)
    model.replace(rows(5, 4, 3), more=False)
    kept = QPersistentModelIndex(model.index(1, 0))  # order 4
    with qtbot.waitSignal(model.rowsInserted) as inserted:
        model.replace(rows(7, 6, 5, 4, 3), more=False)
    assert inserted.args[1:] == [0, 1]  # one run of two rows
    assert model.ids() == [7, 6, 5, 4, 3]
    assert kept.row() == 3


def test_vanished_rows_are_removed_and_changed_ones_redrawn(qtbot: QtBot) -> None:
    model = OrderTableModel(SHANGHAI)
    model.replace(rows(5, 4, 3), more=False)
    kept = QPersistentModelIndex(model.index(2, 0))  # order 3
    changed = [replace(row(5), state="dispatched"), row(3)]
    with qtbot.waitSignals([model.rowsRemoved, model.dataChanged]):
        model.replace(changed, more=True)
    assert model.ids() == [5, 3]
    assert kept.row() == 1
    assert model.data(model.index(0, Col.STATE)) == "Awaiting acceptance"
    assert model.canFetchMore(QModelIndex())


def test_a_new_order_among_the_rows_resets(qtbot: QtBot) -> None:
    model = OrderTableModel(SHANGHAI)
    model.replace(rows(5, 4, 3), more=False)
    with qtbot.waitSignal(model.modelReset):
        model.replace(rows(3, 5, 4), more=False)
    assert model.ids() == [3, 5, 4]


def test_fetch_more_asks_for_the_next_page_once(qtbot: QtBot) -> None:
    model = OrderTableModel(SHANGHAI, page_size=3)
    model.replace(rows(9, 8, 7), more=True)
    with qtbot.waitSignal(model.fetch_did_start) as asked:
        model.fetchMore(QModelIndex())
    assert asked.args == [3, 3]
    assert not model.canFetchMore(QModelIndex())  # one request at a time
    model.append(3, rows(7, 6, 5), more=False)  # 7 again: an order arrived meanwhile
    assert model.ids() == [9, 8, 7, 6, 5]
    assert not model.canFetchMore(QModelIndex())


def test_a_page_for_a_stale_offset_is_dropped() -> None:
    model = OrderTableModel(SHANGHAI, page_size=3)
    model.replace(rows(9, 8, 7), more=True)
    model.fetchMore(QModelIndex())
    model.replace(rows(10, 9, 8, 7), more=True)  # a reload landed first
    model.append(3, rows(6, 5, 4), more=True)
    assert model.ids() == [10, 9, 8, 7]
    assert model.canFetchMore(QModelIndex())


def test_display_text_local_time_caller_and_deadline() -> None:
    model = OrderTableModel(SHANGHAI)
    due = T0 + timedelta(days=7)
    model.replace(
        [
            row(3, due_at=due, warning=True),
            row(2, confidential=True, caller_name=None, caller_phone=None),
            row(
                1,
                caller_name=None,
                caller_phone=None,
                address="人民路1号",
                due_at=due,
                overdue=True,
            ),
        ],
        more=False,
    )

    def text(r: int, c: Col) -> object:
        return model.data(model.index(r, c))

    assert text(0, Col.REGISTERED) == "2025-03-03 09:03"
    assert text(0, Col.CALLER) == "王先生 138****5678"
    assert text(0, Col.DUE) == "2025-03-10 09:00"
    assert text(1, Col.CALLER) == "Confidential"
    assert text(2, Col.CALLER) == "—"
    assert text(2, Col.LOCATION) == "1-1-1网格 · 人民路1号"
    assert text(0, Col.LEAD) == "—"
    fg = Qt.ItemDataRole.ForegroundRole
    assert model.data(model.index(0, Col.DUE), fg).name() == "#a15c00"  # amber
    assert model.data(model.index(2, Col.DUE), fg).name() == "#c62828"  # red
    assert model.data(model.index(1, Col.DUE), fg) is None
    assert model.data(model.index(0, Col.DUE), Qt.ItemDataRole.ToolTipRole) == "Deadline near"
    assert model.data(model.index(0, Col.TITLE), Qt.ItemDataRole.DecorationRole) is None


def test_the_view_has_a_fixed_vertical_header(qtbot: QtBot) -> None:
    view = OrderTableView()
    qtbot.addWidget(view)
    model = OrderTableModel(SHANGHAI, parent=view)
    model.replace(rows(2, 1), more=False)
    view.setModel(model)
    header = view.verticalHeader()
    assert header.sectionResizeMode(1) == QHeaderView.ResizeMode.Fixed
    assert header.sectionSize(0) == header.sectionSize(1) == header.defaultSectionSize()
