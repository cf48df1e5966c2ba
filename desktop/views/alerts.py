"""预警研判, the alerts page (Ctrl+6): the early-warning alerts and the machine feeds' items.

- 预警: open alerts, those nobody has acknowledged first, the most severe first; acknowledge
  (认领: who saw it is recorded), close with a note, open the orders an alert is about.
  "Show closed" lists the closed ones too, with their notes.
- 待确认: IoT and video alerts waiting for a duty officer: confirm (an order is registered
  from it, and opens) or dismiss as a false alarm with a reason. A dismissed alarm never
  becomes intake. "All" shows the decided ones as well.

Reads run on the background lane, decisions on the interactive one; the page reloads when
the stream reports an alert or a feed item changing (``alert_*``, ``feed_*`` events).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from core.errors import CoreError
from desktop import errors
from desktop.feed import Session
from desktop.hub import ChangeHub, Changes
from desktop.lanes import Lanes, Rerun, TaskOwner, async_slot
from desktop.widgets import alert_data
from desktop.widgets.alert_data import AlertRow, AlertState, FeedItem
from desktop.widgets.alert_tables import AlertModel, ItemModel
from desktop.widgets.supervision_dialogs import TextDialog

ALERTS_TAB, ITEMS_TAB = 0, 1
WATCHED_KINDS = frozenset(
    {"alert_raised", "alert_acknowledged", "alert_closed", "feed_received", "feed_decided"}
)


def _table(parent: QWidget, model: Any, stretch: int) -> QTableView:
    table = QTableView(parent)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.verticalHeader().hide()
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return table


class AlertsPage(QWidget):
    order_did_open = Signal(int)
    rows_did_load = Signal(int)
    counts_did_change = Signal(int, int)  # alerts waiting, feed items waiting
    outcome_did_show = Signal(str)

    def __init__(
        self, session: Session, lanes: Lanes, hub: ChangeHub, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session, self.lanes, self.hub = session, lanes, hub
        self.tasks = TaskOwner()
        self._rerun = Rerun(self._load)
        self._closed = False
        self.dialog: TextDialog | None = None
        self.state: AlertState | None = None
        org = session.store.reference().org

        def unit_name(unit_id: int) -> str:
            unit = org.find(unit_id)
            return unit.name if unit is not None else str(unit_id)

        title = QLabel(self.tr("Early warning"), self)
        title.setProperty("role", "title")
        self.summary = QLabel(self)
        self.summary.setProperty("role", "muted")
        head = QHBoxLayout()
        head.addWidget(title)
        head.addWidget(self.summary, 1)

        # --- alerts
        self.alert_model = AlertModel(session.tz, self)
        alerts_tab = QWidget(self)
        self.alert_table = _table(alerts_tab, self.alert_model, 3)
        self.alert_table.doubleClicked.connect(lambda _i: self.open_alert_order())
        self.show_closed = QCheckBox(self.tr("Show closed"), alerts_tab)
        self.show_closed.toggled.connect(lambda _on: self.reload())
        self.ack_button = QPushButton(self.tr("&Acknowledge"), alerts_tab)
        self.ack_button.setToolTip(self.tr("Record that you have seen this alert"))
        self.ack_button.clicked.connect(self.acknowledge_current)
        self.close_button = QPushButton(self.tr("&Close…"), alerts_tab)
        self.close_button.setToolTip(self.tr("Close the alert, saying what was done"))
        self.close_button.clicked.connect(self.ask_close)
        self.alert_open_button = QPushButton(self.tr("&Open order"), alerts_tab)
        self.alert_open_button.clicked.connect(self.open_alert_order)
        self.alerts_empty = QLabel(self.tr("No alert is open."), alerts_tab)
        self._add_tab_layout(
            alerts_tab,
            self.alert_table,
            self.alerts_empty,
            [self.ack_button, self.close_button, self.alert_open_button],
            self.show_closed,
        )

        # --- feed items
        self.item_model = ItemModel(session.tz, unit_name, self)
        items_tab = QWidget(self)
        self.item_table = _table(items_tab, self.item_model, 3)
        self.item_table.doubleClicked.connect(lambda _i: self.open_item_order())
        self.show_decided = QCheckBox(self.tr("Show decided"), items_tab)
        self.show_decided.toggled.connect(lambda _on: self.reload())
        self.confirm_button = QPushButton(self.tr("Confirm and &register"), items_tab)
        self.confirm_button.setToolTip(self.tr("A real incident: register an order from it"))
        self.confirm_button.clicked.connect(self.confirm_current)
        self.dismiss_button = QPushButton(self.tr("&Dismiss…"), items_tab)
        self.dismiss_button.setToolTip(self.tr("A false alarm: it never becomes an order"))
        self.dismiss_button.clicked.connect(self.ask_dismiss)
        self.item_open_button = QPushButton(self.tr("Open &order"), items_tab)
        self.item_open_button.clicked.connect(self.open_item_order)
        self.items_empty = QLabel(self.tr("No feed alert waits for confirmation."), items_tab)
        self._add_tab_layout(
            items_tab,
            self.item_table,
            self.items_empty,
            [self.confirm_button, self.dismiss_button, self.item_open_button],
            self.show_decided,
        )

        self.tabs = QTabWidget(self)
        self.tabs.addTab(alerts_tab, "")
        self.tabs.addTab(items_tab, "")
        self.outcome = QLabel(self)
        self.outcome.setProperty("role", "muted")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 12)
        layout.addLayout(head)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.outcome)
        for table in (self.alert_table, self.item_table):
            table.selectionModel().selectionChanged.connect(lambda *_: self._fit())
        hub.changes_did_arrive.connect(self._changes_arrived)
        self._show_counts()
        self._fit()
        self.reload()

    def _add_tab_layout(
        self,
        tab: QWidget,
        table: QTableView,
        empty: QLabel,
        buttons: list[QPushButton],
        toggle: QCheckBox,
    ) -> None:
        empty.setProperty("role", "muted")
        empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        row = QHBoxLayout()
        for b in buttons:
            row.addWidget(b)
        row.addStretch(1)
        row.addWidget(toggle)
        layout = QVBoxLayout(tab)
        layout.addWidget(table, 1)
        layout.addWidget(empty, 1)
        layout.addLayout(row)

    def take_focus(self) -> None:
        table = self.alert_table if self.tabs.currentIndex() == ALERTS_TAB else self.item_table
        table.setFocus()

    # --- loading ------------------------------------------------------------------------

    @async_slot()
    async def reload(self) -> None:
        await self._rerun()

    async def _load(self) -> None:
        closed, decided = self.show_closed.isChecked(), self.show_decided.isChecked()
        try:
            state: AlertState = await self.lanes.background(
                alert_data.read_state,
                self.session,
                include_closed=closed,
                item_status=None if decided else "pending",
            )
        except Exception as exc:
            if not errors.is_connection_error(exc):
                raise
            return  # the window's banner says the link is down; the next change reloads
        if self._closed:
            return
        keep_alert, keep_item = self.current_alert(), self.current_item()
        self.state = state
        self.alert_model.replace(state.alerts)
        self.item_model.replace(state.items)
        _reselect(
            self.alert_table, [a.id for a in state.alerts], keep_alert.id if keep_alert else None
        )
        _reselect(self.item_table, [i.id for i in state.items], keep_item.id if keep_item else None)
        self._show_counts()
        self._fit()
        self.rows_did_load.emit(len(state.alerts) + len(state.items))

    def _changes_arrived(self, changes: Changes) -> None:
        if changes.kinds & WATCHED_KINDS and not self._closed:
            self.reload()

    @property
    def settled(self) -> bool:
        return not self._rerun.running

    def _show_counts(self) -> None:
        waiting = len(self.state.unacknowledged) if self.state else 0
        open_count = sum(a.status != "closed" for a in self.state.alerts) if self.state else 0
        items = self.state.items_waiting if self.state else 0
        self.tabs.setTabText(ALERTS_TAB, self.tr("Alerts {count}").format(count=open_count))
        self.tabs.setTabText(ITEMS_TAB, self.tr("To confirm {count}").format(count=items))
        self.summary.setText(
            self.tr(
                "{waiting} alerts not yet acknowledged, {open} open · "
                "{items} feed alerts to confirm"
            ).format(waiting=waiting, open=open_count, items=items)
        )
        self.counts_did_change.emit(waiting, items)

    # --- the selection ------------------------------------------------------------------

    def current_alert(self) -> AlertRow | None:
        rows = self.alert_table.selectionModel().selectedRows()
        return self.alert_model.rows[rows[0].row()] if rows else None

    def current_item(self) -> FeedItem | None:
        rows = self.item_table.selectionModel().selectedRows()
        return self.item_model.rows[rows[0].row()] if rows else None

    def _fit(self) -> None:
        alert, item = self.current_alert(), self.current_item()
        self.ack_button.setEnabled(alert is not None and alert.status == "raised")
        self.close_button.setEnabled(alert is not None and alert.status != "closed")
        self.alert_open_button.setEnabled(alert is not None and bool(_orders_of(alert)))
        waiting = item is not None and item.status == "pending"
        self.confirm_button.setEnabled(waiting)
        self.dismiss_button.setEnabled(waiting)
        self.item_open_button.setEnabled(item is not None and item.order_id is not None)
        for table, empty, model in (
            (self.alert_table, self.alerts_empty, self.alert_model),
            (self.item_table, self.items_empty, self.item_model),
        ):
            table.setVisible(bool(model.rows))
            empty.setVisible(not model.rows)

    def open_alert_order(self) -> None:
        orders = _orders_of(self.current_alert())
        if orders:
            self.order_did_open.emit(orders[0])

    def open_item_order(self) -> None:
        item = self.current_item()
        if item is not None and item.order_id is not None:
            self.order_did_open.emit(int(item.order_id))

    # --- acting -------------------------------------------------------------------------

    def acknowledge_current(self) -> None:
        alert = self.current_alert()
        if alert is not None:
            self.run(
                alert_data.acknowledge, (alert.id,), self.tr("Acknowledged: {what}"), alert.title
            )

    def ask_close(self) -> None:
        alert = self.current_alert()
        if alert is None or alert.status == "closed":
            return
        self._ask(
            self.tr("Close the alert"),
            alert.title,
            self.tr("Close"),
            self.tr("What was done, or why it needs nothing (recorded)"),
            lambda note: self.run(
                alert_data.close, (alert.id, note), self.tr("Closed: {what}"), alert.title
            ),
        )

    def confirm_current(self) -> None:
        item = self.current_item()
        if item is not None and item.status == "pending":
            self.run(
                alert_data.confirm_item,
                (item.id, None),
                self.tr("Registered {what} as an order"),
                item.title,
                opens=True,
            )

    def ask_dismiss(self) -> None:
        item = self.current_item()
        if item is None or item.status != "pending":
            return
        self._ask(
            self.tr("Dismiss as a false alarm"),
            item.title,
            self.tr("Dismiss"),
            self.tr("Why it is not an incident (recorded)"),
            lambda reason: self.run(
                alert_data.dismiss_item, (item.id, reason), self.tr("Dismissed: {what}"), item.title
            ),
        )

    def _ask(
        self, title: str, summary: str, ok: str, placeholder: str, then: Callable[[str], object]
    ) -> None:
        if self.dialog is not None:
            return
        dialog = TextDialog(title, summary, ok, placeholder=placeholder, parent=self.window())
        self.dialog = dialog

        def answered(code: int) -> None:
            self.dialog = None
            text = dialog.value()
            dialog.deleteLater()
            if code == TextDialog.DialogCode.Accepted:
                then(text)

        dialog.finished.connect(answered)
        dialog.open()

    def run(
        self,
        fn: Callable[..., Any],
        args: tuple[Any, ...],
        done: str,
        what: str,
        *,
        opens: bool = False,
    ) -> asyncio.Task[Any]:
        """``fn(session, *args)`` on the interactive lane; the outcome line says how it went."""
        return self.tasks.spawn(self._act(fn, args, done, what, opens))

    async def _act(
        self, fn: Callable[..., Any], args: tuple[Any, ...], done: str, what: str, opens: bool
    ) -> None:
        try:
            result = await self.lanes.interactive(fn, self.session, *args)
        except CoreError as exc:
            line = self.tr("{what}: not done ({why})").format(what=what, why=errors.describe(exc))
        except Exception as exc:
            if not errors.is_connection_error(exc):
                raise
            line = errors.describe(exc)
        else:
            line = done.format(what=what)
            if opens and isinstance(result, int):
                self.order_did_open.emit(result)
        if self._closed:
            return
        self.outcome.setText(line)
        self.outcome_did_show.emit(line)
        self.reload()

    def close_page(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.hub.changes_did_arrive.disconnect(self._changes_arrived)
        if self.dialog is not None:
            self.dialog.reject()
        self.tasks.cancel_all()


def _orders_of(alert: AlertRow | None) -> list[int]:
    if alert is None:
        return []
    return [int(i) for i in alert.detail.get("orders", []) if str(i).isdigit()]


def _reselect(table: QTableView, ids: list[int], keep: int | None) -> None:
    if ids:
        table.selectRow(ids.index(keep) if keep in ids else 0)
