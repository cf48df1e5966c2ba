"""The workstation's word on its connection: who is logged in where (the status bar's left),
whether the data is fresh or the database is lost (the status bar's right and a banner
over the pages), and whether anyone runs the service that marks deadlines (checked every
30 seconds: without it, overdue goes unmarked)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QLabel, QMainWindow

from core.service_process import service_status
from core.stream import Link, LinkState
from desktop import errors, labels, theme
from desktop.feed import Session
from desktop.lanes import Lanes, TaskOwner, async_slot

SERVICE_CHECK_MS = 30_000


class LinkStatus(QObject):
    def __init__(self, window: QMainWindow, session: Session, lanes: Lanes) -> None:
        super().__init__(window)
        self.session, self.lanes = session, lanes
        self.tasks = TaskOwner()
        self.banner = QLabel(window)
        self.banner.setProperty("role", "banner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        actor = session.actor
        bar = window.statusBar()
        bar.setSizeGripEnabled(False)
        who = self.tr("{name} ({roles})").format(
            name=actor.display_name, roles=labels.roles(r.value for r in actor.roles)
        )
        self.user_label = QLabel(self.tr("User: {user}").format(user=who), window)
        self.unit_label = QLabel(self.tr("Unit: {unit}").format(unit=session.unit_name), window)
        self.db_label = QLabel(self.tr("Database: {url}").format(url=session.store.url), window)
        self.db_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.fresh_label = QLabel(self.tr("Loading…"), window)
        self.service_label = QLabel(window)
        for label in (self.user_label, self.unit_label, self.db_label):
            bar.addWidget(label)
        bar.addPermanentWidget(self.service_label)
        bar.addPermanentWidget(self.fresh_label)
        self.timer = QTimer(self)
        self.timer.setInterval(SERVICE_CHECK_MS)
        self.timer.timeout.connect(self.check_service)

    def start(self) -> None:
        self.timer.start()
        self.check_service()

    def stop(self) -> None:
        self.timer.stop()
        self.tasks.cancel_all()

    @async_slot()
    async def check_service(self) -> None:
        """Is anyone writing the time-limit marks? Without a service, overdue goes unmarked."""
        try:
            store = self.session.store  # the clock may ask the server: off the UI thread too
            status = await self.lanes.background(
                lambda: service_status(store.engine, store.clock.now())
            )
        except Exception as exc:
            if not errors.is_connection_error(exc):
                raise
            return
        if status.alive:
            self.service_label.setText(self.tr("Service: running"))
            self.service_label.setProperty("role", None)
        else:
            self.service_label.setText(
                self.tr("Service: not running (deadlines are not being marked)")
            )
            self.service_label.setProperty("role", "stale")
        theme.repolish(self.service_label)

    def show_link(self, link: Link) -> bool:
        """Say how the link stands; returns whether the database was lost until now."""
        if link.state is LinkState.DOWN:
            self.show_lost(link)
            return False
        was_down = self.banner.isVisible()
        self.banner.hide()
        if link.confirmed_at is not None:
            at = link.confirmed_at.astimezone(self.session.tz)
            self.fresh_label.setText(
                self.tr("Data confirmed at {time}").format(time=f"{at:%H:%M:%S}")
            )
            self.fresh_label.setProperty("role", None)
            theme.repolish(self.fresh_label)
        return was_down

    def show_lost(self, link: Link) -> None:
        when = link.confirmed_at
        last = (
            self.tr("Last confirmed at {time}.").format(
                time=f"{when.astimezone(self.session.tz):%H:%M:%S}"
            )
            if when is not None
            else ""
        )
        retry = (
            self.tr("Retrying in {seconds:.0f} s.").format(seconds=max(1.0, link.retry_in))
            if link.retry_in is not None
            else ""
        )
        self.banner.setText(
            self.tr(
                "The connection to the database is lost. What is shown may be out of date. "
                "{retry} {last}"
            )
            .format(retry=retry, last=last)
            .strip()
            + ("\n" + link.error if link.error else "")
        )
        self.banner.show()
        self.fresh_label.setText(self.tr("Disconnected") + (f" · {last}" if last else ""))
        self.fresh_label.setProperty("role", "stale")
        theme.repolish(self.fresh_label)
