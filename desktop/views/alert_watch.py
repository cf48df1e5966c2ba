"""Keeps a workstation's alert banner current and makes a new alert impossible to miss.

It reads the alerts nobody has acknowledged (and how many feed items wait for confirmation)
when the window opens and again whenever the live stream reports an alert or an item
changing. An alert raised since the last read sounds the
signal (the desktop's bell) and, where the desktop has a system tray, shows a tray
notification, so an officer on another window still learns of it. Acknowledging from
the banner records who saw it; the stream then clears the banner on every workstation.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QSystemTrayIcon, QWidget

from core.errors import CoreError
from desktop import errors
from desktop.feed import Session
from desktop.hub import ChangeHub, Changes
from desktop.lanes import Lanes, Rerun, TaskOwner, async_slot
from desktop.widgets import alert_data
from desktop.widgets.alert_banner import AlertBanner, severity_icon, severity_text
from desktop.widgets.alert_data import AlertRow

ALERT_KINDS = frozenset(
    {"alert_raised", "alert_acknowledged", "alert_closed", "feed_received", "feed_decided"}
)
TRAY_MS = 10_000


class AlertWatch(QObject):
    alerts_did_load = Signal(int, int)  # alerts waiting for acknowledgement, items to confirm
    alert_did_sound = Signal(int)  # a new alert's id: the bell rang (tests, the wall)
    outcome_did_show = Signal(str)

    def __init__(
        self, session: Session, lanes: Lanes, hub: ChangeHub, banner: AlertBanner, parent: QWidget
    ) -> None:
        super().__init__(parent)
        self.session, self.lanes, self.hub, self.banner = session, lanes, hub, banner
        self.tasks = TaskOwner()
        self._rerun = Rerun(self._load)
        self._seen: set[int] | None = None  # None until the first read: old alerts are quiet
        self._closed = False
        self.waiting: list[AlertRow] = []
        self.items_waiting = 0
        self.tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(severity_icon("red"), self)
            self.tray.setToolTip(self.tr("Command Center alerts"))
            self.tray.messageClicked.connect(self._raise_window)
        banner.acknowledge_requested.connect(self.acknowledge)
        hub.changes_did_arrive.connect(self._changes_arrived)
        self.reload()

    @async_slot()
    async def reload(self) -> None:
        await self._rerun()

    @property
    def settled(self) -> bool:
        return not self._rerun.running

    async def _load(self) -> None:
        try:
            rows, items = await self.lanes.background(alert_data.read_waiting, self.session)
        except Exception as exc:
            if not errors.is_connection_error(exc):
                raise
            return  # the window's banner says the link is down; the next change reloads
        if self._closed:
            return
        self.waiting = rows
        ids = {a.id for a in rows}
        fresh = [a for a in rows if self._seen is not None and a.id not in self._seen]
        self._seen = ids if self._seen is None else self._seen | ids
        self.banner.show_alerts(rows)
        if fresh:
            self._signal(fresh[0])
        self.items_waiting = items
        self.alerts_did_load.emit(len(rows), items)

    def _signal(self, alert: AlertRow) -> None:
        QApplication.beep()
        if self.tray is not None:
            self.tray.show()
            self.tray.showMessage(
                severity_text(alert.severity),
                alert.title,
                QSystemTrayIcon.MessageIcon.Warning,
                TRAY_MS,
            )
        self.alert_did_sound.emit(alert.id)

    def _raise_window(self) -> None:
        window = self.parent()
        if isinstance(window, QWidget):
            window.showNormal()
            window.raise_()
            window.activateWindow()

    def _changes_arrived(self, changes: Changes) -> None:
        if changes.kinds & ALERT_KINDS and not self._closed:
            self.reload()

    @async_slot(int)
    async def acknowledge(self, alert_id: int) -> None:
        try:
            await self.lanes.interactive(alert_data.acknowledge, self.session, alert_id)
        except CoreError as exc:  # acknowledged by someone else meanwhile, say
            line = self.tr("Not acknowledged: {why}").format(why=errors.describe(exc))
        except Exception as exc:
            if not errors.is_connection_error(exc):
                raise
            line = errors.describe(exc)
        else:
            line = self.tr("Alert acknowledged")
        if self._closed:
            return
        self.outcome_did_show.emit(line)
        self.reload()

    def shut_down(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.hub.changes_did_arrive.disconnect(self._changes_arrived)
        self.tasks.cancel_all()
        if self.tray is not None:
            self.tray.hide()
